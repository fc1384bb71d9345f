"""What each thread records with: grad mode, the running modules, the dispatch mode, the backward
passes running.

PyTorch keeps these per thread, so one thread evaluating under no_grad (or tracing a static graph) does
not switch recording off in another that trains.  One threading.local holds them all; each thread
starts with grad mode on, no modules running, no dispatch mode and no backward pass.
"""
import threading


class _ThreadState(threading.local):
    enabled = True          # grad mode: do ops record a graph?
    scope = ()              # the modules running (outermost first), see scope.py
    mode = None             # the innermost DispatchMode, see dispatch.py
    tracing = ()            # the static graphs being built in this thread (their tags)
    backward_depth = 0      # backward passes running in this thread (a hook may call backward)
    callbacks = ()          # queue_callback()'s callbacks, a list while a backward pass runs


STATE = _ThreadState()
