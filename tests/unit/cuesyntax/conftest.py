"""Tests of engine.cuesyntax share the unit helpers one folder up (strict.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
