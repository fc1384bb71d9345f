"""mt.linalg: linear algebra, as torch.linalg (vector_norm for now)."""
from .ops.linalg import vector_norm

__all__ = ['vector_norm']
