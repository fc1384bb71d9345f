"""minitorch.static: define a graph once, optimize it, run it many times.

Two ways to get a graph, both recording the very ops eager mode runs:
  - trace a Python function: `@mt.static.function` (like tf.function / torch.compile);
  - build one by hand, TensorFlow-1 style: `with mt.static.Graph() as g:` placeholders, Variables,
    then `mt.static.Session(g).run(fetches, feed={...})`.
A graph prints as typed A-normal form (`print(g)`), is optimized by passes (`mt.static.optimize`),
and compiles to straight-line Python (`.code`).
"""
from .control import cond, scan, while_loop
from .errors import StaticError
from .function import StaticFunction, StaticWarning, function
from .gradients import gradients
from .graph_api import Graph, Operation, Variable, constant, group, placeholder
from .ir import Node, Value
from .passes import optimize
from .session import Session
from .partition import Partition, partition, trace_graph
from .partition_session import PartitionedSession, run_in_threads
from .pipeline import Pipeline, run_pipeline_in_threads
from .schedule import Schedule, bubble_model, gpipe
from . import optim, passes

__all__ = ['StaticError', 'StaticFunction', 'StaticWarning', 'function', 'gradients', 'Graph',
           'Operation', 'Variable', 'constant', 'group', 'placeholder', 'Session', 'optimize',
           'optim', 'passes', 'Node', 'Value', 'scan', 'cond', 'while_loop',
           'partition', 'Partition', 'trace_graph', 'PartitionedSession', 'run_in_threads',
           'Pipeline', 'run_pipeline_in_threads', 'Schedule', 'gpipe', 'bubble_model']
