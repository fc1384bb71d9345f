"""Every spec module, imported once so that REGISTRY is complete."""
from . import (specs_arithmetic, specs_comparison, specs_indexing, specs_linalg,  # noqa: F401
               specs_random, specs_reduction, specs_selection, specs_shape, specs_unary)
from .registry import REGISTRY  # noqa: F401
