"""Asynchronous progress: a thread that moves non-blocking operations forward while Python computes.

MPI advances a non-blocking operation only while some MPI call runs in the process.  Without help, an
all-reduce started early in backward would sit still until the next time the main thread polls it, and
overlap nothing.  So while operations started with async_op=True are in flight, this thread tests them
every 200 microseconds (the MPI calls release the GIL, and so do numpy's kernels in the main thread),
records when each completes, and parks when none is left.  PyTorch's MPI backend runs a worker thread
for the same reason.  It needs MPI_THREAD_MULTIPLE (mpich provides it); set
MINITORCH_DISTRIBUTED_PROGRESS=0 to do without (operations then advance when polled or waited for).
"""
import threading
import time

INTERVAL_SECONDS = 2e-4


class ProgressThread:
    def __init__(self, interval=INTERVAL_SECONDS):
        self.interval = interval
        self._works = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._thread = None

    def watch(self, work):
        """Keep testing `work` until its transfer is over."""
        with self._lock:
            self._works.append(work)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name='minitorch-mpi-progress',
                                                daemon=True)
                self._thread.start()
        self._wake.set()

    def close(self):
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=1.0)

    def _run(self):
        while True:
            self._wake.wait()
            if self._closed:
                return
            for work in list(self._works):
                work._test()
            with self._lock:
                self._works = [w for w in self._works if not w._transferred]
                if not self._works:
                    self._wake.clear()
            time.sleep(self.interval)
