"""Nested arguments and results (tuples, lists, dicts of tensors and values) as flat lists."""


def flatten(obj):
    """(leaves, tree): the leaves of nested tuples/lists/dicts in order, and how to rebuild them."""
    leaves = []
    return leaves, _flatten(obj, leaves)


def _flatten(obj, leaves):
    if type(obj) in (tuple, list) or (isinstance(obj, tuple) and hasattr(obj, '_fields')):
        return (type(obj), [_flatten(o, leaves) for o in obj])
    if type(obj) is dict:
        return (dict, [(k, _flatten(v, leaves)) for k, v in obj.items()])
    leaves.append(obj)
    return None


def unflatten(leaves, tree):
    """The nested structure `tree` describes, with the leaves put back in order."""
    return _unflatten(iter(leaves), tree)


def _unflatten(leaves, tree):
    if tree is None:
        return next(leaves)
    kind, children = tree
    if kind is dict:
        return {k: _unflatten(leaves, child) for k, child in children}
    items = [_unflatten(leaves, child) for child in children]
    return kind(*items) if hasattr(kind, '_fields') else kind(items)      # a named tuple
