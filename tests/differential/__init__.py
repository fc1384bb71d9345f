"""The differential suite: every op of minitorch.ops.table.OPS against numpy references written here
(values, result dtypes and shapes, refusals, gradients), on hypothesis-generated inputs.  The same
specs run against PyTorch in tests/parity (`make parity`)."""
