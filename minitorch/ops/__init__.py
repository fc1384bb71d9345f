"""The primitives (Function subclasses, one per op) and the public functions built on them."""
