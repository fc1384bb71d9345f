"""Every spec module, imported once so that REGISTRY is complete."""
from . import specs_arithmetic, specs_comparison, specs_reduction, specs_unary  # noqa: F401
from .registry import REGISTRY  # noqa: F401
