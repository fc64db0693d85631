"""Strict comparison of plain data for the unit tests: 1, 1.0 and True are three values."""

from __future__ import annotations

from typing import Any


def typed(value: Any) -> Any:
    """A form of `value` where 1, 1.0 and True differ, for strict comparisons."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    return (type(value).__name__, value)
