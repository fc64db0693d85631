"""Definitions: read both file formats, and find them through loaders on a search path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

# The two file formats are read in engine.definition; their readers stay importable from here.
from .definition import BrokenDefinition as BrokenDefinition
from .definition import Definition as Definition
from .definition import _broken
from .definition import parse_cue_definition as parse_cue_definition
from .definition import parse_yaml_definitions as parse_yaml_definitions
from .errors import DefinitionError, Problem, definition_problem
from .facts import FactsCache

# In a wheel the bundled definitions sit inside the package; in a checkout, at its root.
_PACKAGED = Path(__file__).resolve().parent / "bundled_definitions"
BUNDLED_DIR = _PACKAGED if _PACKAGED.is_dir() else Path(__file__).resolve().parent.parent / "definitions"
_SUFFIXES = (".cue", ".yaml", ".yml")


def parse_definition_file(path: Path) -> list[Definition]:
    """Definitions in one file (either format); raises BrokenDefinition."""
    return _parse_text(_read(path), str(path))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _broken(str(path), f"cannot read: {exc}") from exc


def _parse_text(text: str, source: str) -> list[Definition]:
    if source.endswith(".cue"):
        return [parse_cue_definition(text, source)]
    return parse_yaml_definitions(text, source)


# --- loaders ---------------------------------------------------------------------------------


@runtime_checkable
class DefinitionLoader(Protocol):
    """Where definitions come from. `get` returns None for names it does not have."""

    def get(self, kind: str, name: str) -> Definition | None:
        """The definition of `kind` (`component`, `trait`, ...) called `name`, or None."""
        ...

    def names(self, kind: str) -> list[str]:
        """Every name of `kind` this loader has, sorted (for "did you mean")."""
        ...

    def broken(self) -> list[Problem]:
        """Definition files found but unreadable, one problem each."""
        ...

    def describe(self) -> str:
        """Where this loader looks, for messages (`looked in ...`)."""
        ...


class DictLoader:
    """Definitions held in memory, searched before the bundled ones.

    `definitions` is either `Definition` values (from `Definition.from_cue` / `from_yaml`) or
    a mapping of file names to their text, read by suffix: `NAME.cue` in the standalone form,
    anything else as CRD YAML (a stream may hold several definitions). A name given here wins
    over a bundled definition of the same name. With `bundled=False` only these definitions
    exist. Unreadable text raises DefinitionError here, with every problem found.
    """

    def __init__(self, definitions: Iterable[Definition] | Mapping[str, str] = (), *,
                 bundled: bool = True, label: str = "memory") -> None:
        self.definitions: tuple[Definition, ...] = _in_memory(definitions)
        """This loader's own definitions, read."""
        self.label = label
        """How messages name this loader (`looked in memory; ...`)."""
        self.bundled: DefinitionLoader | None = bundled_loader() if bundled else None
        """The bundled definitions searched after these, or None with `bundled=False`."""

    def get(self, kind: str, name: str) -> Definition | None:
        """The definition of that kind and name: this loader's own first, then a bundled one."""
        found = next((d for d in self.definitions if d.kind == kind and d.name == name), None)
        return found if found is not None or self.bundled is None else self.bundled.get(kind, name)

    def names(self, kind: str) -> list[str]:
        """Every name of that kind, own and bundled."""
        own = {d.name for d in self.definitions if d.kind == kind}
        return sorted(own | set(self.bundled.names(kind) if self.bundled else ()))

    def broken(self) -> list[Problem]:
        """Bundled files that cannot be read (own text that cannot be read raised already)."""
        return self.bundled.broken() if self.bundled else []

    def describe(self) -> str:
        """Where definitions were looked for, for messages."""
        return f"{self.label}; {self.bundled.describe()}" if self.bundled else self.label


def _in_memory(definitions: object) -> tuple[Definition, ...]:
    """Definitions from DictLoader's argument; every unreadable one is reported at once."""
    if isinstance(definitions, Mapping):
        found: list[Definition] = []
        problems: list[Problem] = []
        for name, text in definitions.items():
            try:
                if not isinstance(name, str) or not isinstance(text, str):
                    raise _broken(str(name), f"DictLoader takes file names and texts (str), not {type(text).__name__}")
                found += [parse_cue_definition(text, name)] if name.endswith(".cue") \
                    else parse_yaml_definitions(text, name)
            except BrokenDefinition as exc:
                problems.append(exc.problem)
        if problems:
            raise DefinitionError(problems)
        return tuple(found)
    if isinstance(definitions, Iterable) and not isinstance(definitions, str | bytes):
        items = list(definitions)
        if all(isinstance(d, Definition) for d in items):
            return tuple(items)
    raise DefinitionError([definition_problem(
        "bad-definition", "DictLoader takes Definition values or a {file name: text} mapping, not "
        f"{type(definitions).__name__}; read text with Definition.from_cue or Definition.from_yaml")])


class DirectoryLoader:
    """Definitions in files and folders (searched recursively), each file read when first needed.

    A lookup reads only the files that can hold the name: a file's text must spell it (cheap to
    check; a cached file's names are known exactly). With `named_by_path` (the bundled folder),
    `<kind>/<name>.cue` is the only file read for a name. Facts of each file come from
    `cache_dir` when given (None: they are kept in memory for the process only).
    """

    def __init__(self, paths: Iterable[str | Path], cache_dir: str | Path | None = None, *,
                 named_by_path: bool = False) -> None:
        self.paths = [Path(p) for p in paths]
        self._facts = FactsCache(cache_dir)
        self._named_by_path = named_by_path
        self._found: list[Path] | None = None
        self._by_path: dict[tuple[str, str], list[Path]] | None = None  # (kind folder, stem) -> files
        self._texts: dict[Path, str] = {}
        self._loaded: dict[Path, list[Definition]] = {}
        self._broken: dict[Path, Problem] = {}

    def _files(self) -> list[Path]:
        if self._found is None:
            self._found = []
            for path in self.paths:
                if path.is_dir():
                    self._found += sorted(p for p in path.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
                else:
                    self._found.append(path)
        return self._found

    def _text(self, file: Path) -> str | None:
        if file not in self._texts and file not in self._broken:
            if not file.exists():
                self._broken[file] = _broken(str(file), "no such file or folder").problem
            else:
                try:
                    self._texts[file] = _read(file)
                except BrokenDefinition as exc:
                    self._broken[file] = exc.problem
        return self._texts.get(file)

    def _load(self, file: Path) -> list[Definition]:
        if file not in self._loaded:
            text = self._text(file)
            self._loaded[file] = []
            if text is not None:
                try:
                    found = self._facts.file_facts(file, text, _parse_text)
                except BrokenDefinition as exc:
                    self._broken[file] = exc.problem
                else:
                    self._loaded[file] = [f.definition for f in found]
        return self._loaded[file]

    def _may_hold(self, file: Path, name: str) -> bool:
        if file in self._loaded:
            return True
        text = self._text(file)
        return text is not None and name in text

    def get(self, kind: str, name: str) -> Definition | None:
        if self._named_by_path:
            # `<kind>/<name>.cue` is the only place (a test holds every bundled file to it): a
            # name that is not there is not here, with no other file read to find out.
            if self._by_path is None:
                self._by_path = {}
                for file in self._files():
                    self._by_path.setdefault((file.parent.name, file.stem), []).append(file)
            files = self._by_path.get((kind, name), [])
            return next((d for f in files for d in self._load(f) if d.kind == kind and d.name == name), None)
        for file in self._files():
            if self._may_hold(file, name):
                found = next((d for d in self._load(file) if d.kind == kind and d.name == name), None)
                if found is not None:
                    return found
        return None

    def _all(self) -> list[Definition]:
        return [d for file in self._files() for d in self._load(file)]

    def names(self, kind: str) -> list[str]:
        return sorted({d.name for d in self._all() if d.kind == kind})

    def broken(self) -> list[Problem]:
        self._all()
        return [self._broken[file] for file in self._files() if file in self._broken]

    def describe(self) -> str:
        return ", ".join(str(p) for p in self.paths)


class ChainLoader:
    """Loaders tried in turn: the first that has a name wins (user folders before bundled)."""

    def __init__(self, loaders: Sequence[DefinitionLoader]) -> None:
        self.loaders = list(loaders)
        """The loaders, in the order they are tried."""

    def get(self, kind: str, name: str) -> Definition | None:
        """The definition from the first loader that has it, or None."""
        for loader in self.loaders:
            found = loader.get(kind, name)
            if found is not None:
                return found
        return None

    def names(self, kind: str) -> list[str]:
        """Every name of `kind` any loader has, sorted."""
        return sorted({n for loader in self.loaders for n in loader.names(kind)})

    def broken(self) -> list[Problem]:
        """The unreadable files of every loader."""
        return [p for loader in self.loaders for p in loader.broken()]

    def describe(self) -> str:
        """Every loader's description, in order."""
        return "; ".join(loader.describe() for loader in self.loaders)


def bundled_loader(cache_dir: str | Path | None = None) -> DirectoryLoader:
    """The definitions shipped with oam-render (each in `<kind>/<name>.cue`)."""
    return DirectoryLoader([BUNDLED_DIR], cache_dir, named_by_path=True)


def default_loader(extra: Iterable[str | Path] = (), cache_dir: str | Path | None = None) -> ChainLoader:
    """User files and folders first, then the bundled definitions; facts cached under `cache_dir`."""
    extra = list(extra)
    loaders: list[DefinitionLoader] = [DirectoryLoader(extra, cache_dir)] if extra else []
    return ChainLoader([*loaders, bundled_loader(cache_dir)])


def strip_version(type_name: str) -> str:
    """`webservice@v1` -> `webservice` (versions are not kept apart offline)."""
    return type_name.split("@", 1)[0]
