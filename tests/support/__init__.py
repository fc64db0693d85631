"""Paths the tests share: the tests folder (the golden data lives under it), the repository."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
ROOT = TESTS.parent
