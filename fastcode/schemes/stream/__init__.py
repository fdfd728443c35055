"""Coded computing for a stream of jobs on heterogeneous workers (Poisson arrivals,
FCFS rounds, per-worker speeds).

One paper family, one package:

- ``split``: the load split across workers (optimal and uniform), its cost and the delay
  lower bound;
- ``queue``: the stream simulator (jobs queueing for rounds of coded tasks);
- ``scheme``: ``StreamCodedMatVec``, the scheme that runs on ``fastcode.runtime``.

Every public name of those modules is exported here.
"""
from fastcode.schemes.stream.queue import *  # noqa: F401,F403
from fastcode.schemes.stream.queue import __all__ as _queue
from fastcode.schemes.stream.scheme import *  # noqa: F401,F403
from fastcode.schemes.stream.scheme import __all__ as _scheme
from fastcode.schemes.stream.split import *  # noqa: F401,F403
from fastcode.schemes.stream.split import __all__ as _split

__all__ = [*_split, *_queue, *_scheme]
