"""Kubernetes name rules for what an app names: the app, its components, policies and steps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_TOO_LONG_SHOWN = 70


@dataclass(frozen=True)
class NameRule:
    """What a name must look like, and how a message says so."""

    what: str
    pattern: re.Pattern[str]
    max_length: int


# A component's name names its workload, its container, its Service (a DNS-1035 label at
# most) and labels; a policy's or step's names an environment, hence a folder and `--env`.
LABEL = NameRule("a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter"
                 " or digit", re.compile(_LABEL), 63)
# An object name (the app, a namespace-less standalone document): a DNS-1123 subdomain.
SUBDOMAIN = NameRule("a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', each part starting and"
                     " ending with a letter or digit", re.compile(rf"{_LABEL}(\.{_LABEL})*"), 253)
# The app's name is also the value of the app.oam.dev/name label on every object: 63 at most.
APP_NAME = NameRule(SUBDOMAIN.what, SUBDOMAIN.pattern, 63)


def yaml_type(value: Any) -> str:
    """How YAML calls the type of a parsed value: a mapping, a list, a number..."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return "text" if isinstance(value, str) else type(value).__name__


def name_error(value: Any, rule: NameRule) -> str | None:
    """Why `value` is not a valid name under `rule`; None when it is one."""
    if not isinstance(value, str):
        return f"must be a name, not {yaml_type(value)}"
    if not value:
        return "must not be empty"
    shown = repr(value if len(value) <= _TOO_LONG_SHOWN else value[:_TOO_LONG_SHOWN] + "...")
    if len(value) > rule.max_length:
        return f"{shown} is longer than {rule.max_length} characters"
    if not rule.pattern.fullmatch(value):
        return f"{shown} is not {rule.what}"
    return None
