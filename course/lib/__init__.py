"""Helper modules the course notebooks import (answer checkers, notebook 01-04's two-layer network)."""
