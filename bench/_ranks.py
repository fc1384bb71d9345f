"""Scripts that measure on several MPI processes launch themselves: `python bench/<script>.py` runs
`mpiexec -n N python bench/<script>.py --rank` (one BLAS thread per process), and rank 0 prints its
result as the last line of its output, in JSON."""
import json
import os

import minitorch.distributed as dist


def on_ranks(script, nprocs):
    """Rank 0's result of `script --rank` run on nprocs MPI processes; RuntimeError when it fails."""
    run = dist.launch(os.path.abspath(script), nprocs, ['--rank'], timeout=600,
                      env={'OMP_NUM_THREADS': '1', 'OPENBLAS_NUM_THREADS': '1'})
    if run.returncode != 0:
        raise RuntimeError(f'{os.path.basename(script)} on {nprocs} processes failed:\n{run.stderr}')
    return json.loads(run.stdout.strip().splitlines()[-1])
