"""The `oam-render` command: one module per command group, the shared parser in common."""

from .main import main, run

__all__ = ["main", "run"]
