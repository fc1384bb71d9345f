"""Every spec module, imported once so that REGISTRY (the op table's specs) and OUTSIDE_TABLE (the
public functions outside it) are complete; SPECS holds both."""
from . import (specs_arithmetic, specs_comparison, specs_creation, specs_functional,  # noqa: F401
               specs_indexing, specs_linalg, specs_random, specs_reduction, specs_selection,
               specs_shape, specs_unary)
from .registry import REGISTRY, OUTSIDE_TABLE

SPECS = {**REGISTRY, **OUTSIDE_TABLE}
