"""tests/parity imports the differential specs (tests/differential) and its own list of deliberate
differences."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
