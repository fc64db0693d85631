"""Parameter schemas of definitions: export, dialects, the stored copies, reference docs."""

from .export import export_schema

__all__ = ["export_schema"]
