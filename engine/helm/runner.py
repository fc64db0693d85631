"""The one gateway to the `helm` binary: `helm template` of a local chart, with no network and a time limit."""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..model import JSON

# Local charts never need the network; a proxy that goes nowhere makes sure nothing tries.
_NOWHERE = "http://127.0.0.1:9"
# `go install` builds print only `v3.22`: the patch number is optional.
_VERSION = re.compile(r"v(\d+)\.(\d+)(?:\.(\d+))?")


class HelmUnavailable(Exception):
    """No usable helm binary: the message says how to get one."""


class HelmFailed(Exception):
    """helm rejected the chart or the values; the message is helm's own."""


@dataclass(frozen=True)
class Release:
    """What to render: a chart on disk, the release's name and namespace, and its values."""

    chart: Path  # a chart folder or a packaged .tgz
    name: str
    namespace: str
    values: Mapping[str, JSON]
    kube_version: str = ""  # what `.Capabilities.KubeVersion` says, e.g. "1.31.0"
    include_crds: bool = True
    skip_tests: bool = True


@functools.lru_cache(maxsize=8)
def _version(binary: str) -> tuple[int, int, int]:
    try:
        proc = subprocess.run([binary, "version", "--short"], capture_output=True, text=True,
                              timeout=30, check=False, env=_environment(Path(tempfile.gettempdir())))
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise HelmUnavailable(f"cannot run helm at {binary}: {exc}") from exc
    match = _VERSION.search(proc.stdout)
    if not match or int(match[1]) != 3:
        raise HelmUnavailable(f"{binary} is not helm 3: {proc.stdout.strip()[:80]!r}")
    return int(match[1]), int(match[2]), int(match[3] or 0)


def _environment(home: Path) -> dict[str, str]:
    """A private home and caches for helm, no kubeconfig, and no way out to the network."""
    return {
        "HOME": str(home),
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_DATA_HOME": str(home / "data"),
        "KUBECONFIG": str(home / "no-kubeconfig"),
        "HTTP_PROXY": _NOWHERE,
        "HTTPS_PROXY": _NOWHERE,
        "NO_PROXY": "",
        "PATH": os.defpath,
    }


class Helm:
    """Runs `helm template`; `timeout` seconds per run."""

    def __init__(self, binary: str | None = None, timeout: float = 120.0) -> None:
        found = binary or shutil.which("helm")
        if not found:
            raise HelmUnavailable("the helm CLI was not found on PATH; run `make tools` to install the"
                                  " pinned helm (needs Go), or put helm 3 on PATH")
        self.binary = str(Path(found).resolve())
        self.timeout = timeout
        self.version = _version(self.binary)

    def template(self, release: Release) -> str:
        """The YAML stream `helm template` prints for `release`. Raises HelmFailed."""
        with tempfile.TemporaryDirectory(prefix="oam-helm-") as tmp:
            work = Path(tmp)
            (work / "values.json").write_text(json.dumps(dict(release.values)), encoding="utf-8")
            args = [self.binary, "template", release.name, str(release.chart.resolve()),
                    "--namespace", release.namespace, "--values", str(work / "values.json")]
            if release.kube_version:
                args += ["--kube-version", release.kube_version]
            if release.include_crds:
                args.append("--include-crds")
            if release.skip_tests:
                args.append("--skip-tests")
            try:
                proc = subprocess.run(args, cwd=work, env=_environment(work / ".home"), capture_output=True,
                                      text=True, timeout=self.timeout, check=False)
            except subprocess.TimeoutExpired as exc:
                raise HelmFailed(f"helm template took longer than {self.timeout:g} s") from exc
            if proc.returncode != 0:
                raise HelmFailed(proc.stderr.strip().removeprefix("Error: ") or f"helm exited {proc.returncode}")
            return proc.stdout
