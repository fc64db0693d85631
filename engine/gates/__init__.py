"""CI gates: check rendered objects offline, diff two renders, and report problems for CI tools."""

from .check import Validation, validate_paths, validate_result, validate_subjects
from .crds import CustomKinds, load_crds
from .diff import DiffResult, diff, diff_paths
from .formats import ERROR_FORMATS, format_problems
from .kube_api import api_release
from .render_check import KubernetesCheck

__all__ = [
    "ERROR_FORMATS", "CustomKinds", "DiffResult", "KubernetesCheck", "Validation", "api_release", "diff", "diff_paths",
    "format_problems", "load_crds", "validate_paths", "validate_result", "validate_subjects",
]
