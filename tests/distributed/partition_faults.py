"""A partition run with the wrong number of processes (run by tests/test_partition.py as
`mpiexec -n 3 python tests/distributed/partition_faults.py`): PartitionedSession and Pipeline both
refuse, naming the partition's ranks and the job's processes; rank 0 prints the two messages."""
import numpy as np

import minitorch as mt
import minitorch.distributed as dist
from minitorch import nn


def main():
    dist.init_process_group('mpi')
    mt.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)).double()
    x = mt.tensor(np.ones((2, 4)))
    graph = mt.static.trace_graph(lambda x: model(x).sum(), x)
    parts = mt.static.partition(graph, {'0': 0, '2': 1})
    messages = []
    for run in (lambda: mt.static.PartitionedSession(parts),
                lambda: mt.static.Pipeline(parts, microbatches=2)):
        try:
            run()
        except mt.static.StaticError as error:
            messages.append(str(error))
    if dist.get_rank() == 0:
        print('\n'.join(messages))


if __name__ == '__main__':
    main()
