"""Executors that run a coded-computing scheme on real workers (DESIGN.md section 5).

- :class:`LocalCluster` (``fastcode.runtime.local``): processes or threads on this
  machine with injected straggler delays; no set-up needed.
- ``fastcode.runtime.mpi``: the same protocol on mpi4py, imported only when used
  (mpi4py is the optional ``mpi`` extra).

The scheme interface is in :mod:`fastcode.runtime.protocol`; every backend
returns a :class:`RoundResult` per round.
"""
from fastcode.runtime.local import LocalCluster
from fastcode.runtime.protocol import Scheme, StragglerModel, sample_delays, worker_loads
from fastcode.runtime.result import RoundResult

__all__ = ["LocalCluster", "RoundResult", "Scheme", "StragglerModel", "sample_delays",
           "worker_loads"]
