"""Override policies: merge an override's component entries into an app's components."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import contract
from ..definitions import DefinitionLoader, strip_version
from ..errors import Problem, app_problem
from ..model import JSON, Component, Policy, Trait
from ..suggest import did_you_mean


@dataclass(frozen=True)
class Where:
    """The file (and line) a policy was written in, for messages."""

    file: str = ""
    line: int | None = None
    lines: Mapping[str, int] = field(default_factory=dict)  # path -> line, for policies in the app


def deep_merge(base: JSON, patch: JSON) -> JSON:
    """Maps merge key by key; anything else (lists, scalars, null) in the patch replaces."""
    if isinstance(base, Mapping) and isinstance(patch, Mapping):
        merged = {k: copy.deepcopy(v) for k, v in base.items()}
        for key, value in patch.items():
            merged[key] = deep_merge(merged[key], value) if key in merged else copy.deepcopy(value)
        return merged
    return copy.deepcopy(patch)


def matches(pattern: str, name: str) -> bool:
    """`*` matches any run of characters; everything else literally."""
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, name) is not None


def entry_label(entry: Any, index: int) -> str:
    """How paths name a list entry, as the app loader does: its name, else its type, else its index."""
    if isinstance(entry, dict):
        for key in ("name", "type"):
            if isinstance(entry.get(key), str) and entry[key]:
                return str(entry[key])
    return str(index)


class _Override:
    """One override policy being applied: where it is written and the problems it causes."""

    def __init__(self, policy: Policy, loader: DefinitionLoader, where: Where, problems: list[Problem]) -> None:
        self.policy = policy
        self.loader = loader
        self.where = where
        self.problems = problems

    def problem(self, code: str, message: str, path: str) -> None:
        line = self.where.lines.get(path, self.where.line)
        self.problems.append(app_problem(code, message, path, file=self.where.file, line=line))

    def known(self, kind: str, type_name: str, path: str) -> bool:
        if self.loader.get(kind, strip_version(type_name)) is not None:
            return True
        hint = did_you_mean(type_name, self.loader.names(kind))
        self.problem("unknown-type", f"unknown {kind} type {type_name!r}{hint}", path)
        return False

    def traits(self, entry: dict[str, Any], path: str) -> list[dict[str, Any]] | None:
        """The entry's trait changes, checked; None when any is malformed or of an unknown type."""
        raw = entry.get("traits") or []
        if not isinstance(raw, list):
            self.problem("input", "must be a list", f"{path}.traits")
            return None
        good = True
        for index, trait in enumerate(raw):
            tpath = f"{path}.traits[{entry_label(trait, index)}]"
            if not isinstance(trait, dict) or not isinstance(trait.get("type"), str):
                self.problem("input", "a trait entry needs a type", tpath)
                good = False
            elif not isinstance(trait.get("properties") or {}, dict):
                self.problem("input", "properties must be a mapping", f"{tpath}.properties")
                good = False
            else:
                good = self.known(contract.KIND_TRAIT, trait["type"], f"{tpath}.type") and good
        return raw if good else None

    def targets(self, entry: dict[str, Any], components: Sequence[Component], path: str) -> list[int]:
        name, type_name = entry.get("name"), entry.get("type") or ""
        if not name:
            return [i for i, c in enumerate(components)
                    if not type_name or strip_version(c.type) == strip_version(type_name)]
        found = [i for i, c in enumerate(components) if matches(str(name), c.name)]
        if not found:
            hint = did_you_mean(str(name), [c.name for c in components])
            names = ", ".join(c.name for c in components) or "none"
            self.problem("unknown-component", f"no component matches {name!r} (components: {names}){hint}",
                         f"{path}.name")
        return found

    def apply_entry(self, components: list[Component], entry: Any, path: str) -> None:
        if not isinstance(entry, dict):
            self.problem("input", "an override entry must be a mapping", path)
            return
        type_name = entry.get("type") or ""
        props = entry.get("properties") or {}
        if not isinstance(props, dict):
            self.problem("input", "properties must be a mapping", f"{path}.properties")
            return
        if type_name and not self.known(contract.KIND_COMPONENT, str(type_name), f"{path}.type"):
            return
        traits = self.traits(entry, path)
        if traits is None:
            return
        for index in self.targets(entry, components, path):
            comp = components[index]
            if type_name and strip_version(str(type_name)) != strip_version(comp.type):
                components[index] = _replaced(comp, str(type_name), props, traits)
            else:
                components[index] = _merged(comp, props, traits)

    def select(self, components: list[Component], path: str) -> list[Component]:
        selector = self.policy.properties.get("selector")
        if selector is None:
            return components
        if not isinstance(selector, list) or not all(isinstance(s, str) for s in selector):
            self.problem("input", "must be a list of component names", path)
            return components
        for index, pattern in enumerate(selector):
            if not any(matches(pattern, c.name) for c in components):
                self.problem("unknown-component", f"no component matches {pattern!r}", f"{path}[{index}]")
        return [c for c in components if any(matches(p, c.name) for p in selector)]


def _raw(comp: Component, type_name: str, properties: Mapping[str, JSON], traits: Sequence[Trait]) -> dict[str, Any]:
    """The entry as the environment's app would spell it, for `context.components`."""
    raw = {k: v for k, v in comp.raw.items() if k not in ("type", "properties", "traits")}
    raw.update(name=comp.name, type=type_name, properties=dict(properties))
    if traits:
        raw["traits"] = [{"type": t.type, "properties": dict(t.properties)} for t in traits]
    return raw


def _merged(comp: Component, props: Mapping[str, JSON], changes: Sequence[dict[str, Any]]) -> Component:
    properties = deep_merge(comp.properties, props)
    traits = list(comp.traits)
    for change in changes:
        kind = change["type"]
        if change.get("disable"):
            traits = [t for t in traits if t.type != kind]
        elif any(t.type == kind for t in traits):
            traits = [dataclasses.replace(t, properties=deep_merge(t.properties, change.get("properties") or {}))
                      if t.type == kind else t for t in traits]
        else:
            traits.append(Trait(kind, copy.deepcopy(change.get("properties") or {}), f"{comp.path}.traits[{kind}]"))
    return dataclasses.replace(comp, properties=properties, traits=tuple(traits),
                               raw=_raw(comp, comp.type, properties, traits))


def _replaced(comp: Component, type_name: str, props: Mapping[str, JSON],
              changes: Sequence[dict[str, Any]]) -> Component:
    """Another type: the entry replaces the component (its name and place stay)."""
    traits = [Trait(c["type"], copy.deepcopy(c.get("properties") or {}), f"{comp.path}.traits[{c['type']}]")
              for c in changes if not c.get("disable")]
    properties = copy.deepcopy(dict(props))
    return dataclasses.replace(comp, type=type_name, properties=properties, traits=tuple(traits),
                               raw=_raw(comp, type_name, properties, traits))


def apply_override(components: tuple[Component, ...], policy: Policy, loader: DefinitionLoader, where: Where,
                   problems: list[Problem]) -> tuple[Component, ...]:
    """The components after one override policy: its entries in order, then its selector.

    Problems (an entry naming no component, an unknown component or trait type, a malformed
    entry) are appended to `problems` with their path in the policy.
    """
    override = _Override(policy, loader, where, problems)
    entries = policy.properties.get("components") or []
    path = f"{policy.path}.properties.components"
    result = list(components)
    if not isinstance(entries, list):
        override.problem("input", "must be a list of component overrides", path)
        entries = []
    for index, entry in enumerate(entries):
        override.apply_entry(result, entry, f"{path}[{entry_label(entry, index)}]")
    return tuple(override.select(result, f"{policy.path}.properties.selector"))
