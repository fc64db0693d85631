"""`oam-render show` and `oam-render docs`: reference pages, offline, for local definitions too."""

from __future__ import annotations

import io
from pathlib import Path

from engine.cli.main import run
from tests.support import TESTS

GOLDEN = TESTS / "golden-schema"
WITH_IMPORTS = '''import (
	"strings"
)

stamp: {
	type:        "trait"
	description: "Stamp an owner label on the workload."
	attributes: appliesToWorkloads: ["*"]
}
template: {
	patch: metadata: labels: owner: strings.ToLower(parameter.owner)
	parameter: {
		// +usage=Owner, lower-cased into the label
		owner: string & strings.MinRunes(1)
		// +usage=Where the owner sits
		desk?: {
			// +usage=Floor number
			floor: *1 | int
		}
	}
}
'''


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), io.StringIO(), out, err)
    return code, out.getvalue(), err.getvalue()


def test_show_table_like_vela_show() -> None:
    code, out, _ = cli("show", "webservice")
    assert code == 0
    assert out.startswith("webservice (component)\n")
    assert "| image " in out and "| true " in out
    assert "ports[] (#ports):" in out  # list items get their own table
    assert "HealthProbe (#healthprobe):" in out  # and so do #Defs, once


def test_show_markdown_matches_the_golden_page() -> None:
    source = GOLDEN / "conditional-fields" / "definition.cue"
    code, out, _ = cli("show", str(source), "--format", "markdown")
    assert code == 0 and out == (GOLDEN / "conditional-fields" / "docs.md").read_text()


def test_show_a_local_definition_with_imports(tmp_path: Path) -> None:
    (tmp_path / "stamp.cue").write_text(WITH_IMPORTS)
    code, out, _ = cli("show", "stamp", "-d", str(tmp_path), "--format", "markdown")
    assert code == 0, out
    assert "| owner | Owner, lower-cased into the label | string | true |  |" in out
    assert "| floor | Floor number | integer | false | 1 |" in out


def test_show_unknown_name_fails() -> None:
    code, _, err = cli("show", "nosuch", "--type", "trait")
    assert code == 1 and "no trait named 'nosuch'" in err


def test_docs_writes_a_page_per_definition_and_an_index(tmp_path: Path) -> None:
    (tmp_path / "defs").mkdir()
    (tmp_path / "defs" / "stamp.cue").write_text(WITH_IMPORTS)
    out = tmp_path / "site"
    code, _, err = cli("docs", "--output-dir", str(out), "-d", str(tmp_path / "defs"))
    assert code == 0, err
    index = (out / "index.md").read_text()
    assert "| [stamp](trait/stamp.md) | Stamp an owner label on the workload. |" in index
    assert "[webservice](component/webservice.md)" in index and "## Policies" in index
    assert (out / "trait" / "stamp.md").read_text().startswith("# stamp\n")
    assert (out / "component" / "webservice.md").is_file()


def test_docs_of_user_definitions_only(tmp_path: Path) -> None:
    (tmp_path / "stamp.cue").write_text(WITH_IMPORTS)
    out = tmp_path / "site"
    code, _, _ = cli("docs", "--output-dir", str(out), "-d", str(tmp_path / "stamp.cue"), "--only", "user")
    assert code == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*.md")) == ["index.md", "trait/stamp.md"]
