"""Executors that run a coded-computing scheme on real workers (:doc:`/distributed`).

- :class:`LocalCluster` (``fastcode.runtime.local``): processes or threads on this
  machine with injected straggler delays; no set-up needed.
- ``fastcode.runtime.mpi``: the same protocol on mpi4py, imported only when used
  (mpi4py is the optional ``mpi`` extra).
- :class:`VirtualCluster` (``fastcode.runtime.virtual``): the same protocol in this
  process on a virtual clock (given ready times instead of real waits).
- ``run_job`` (``fastcode.runtime.jobs``): a job's rounds on any of them, checked.

The scheme interface is in :mod:`fastcode.runtime.protocol`; every backend
returns a :class:`RoundResult` per round.
"""
from fastcode.runtime.jobs import JobReport, run_job
from fastcode.runtime.local import LocalCluster
from fastcode.runtime.protocol import Scheme, StragglerModel, sample_delays, worker_loads
from fastcode.runtime.result import RoundResult
from fastcode.runtime.virtual import VirtualCluster, VirtualRound

__all__ = ["JobReport", "LocalCluster", "RoundResult", "Scheme", "StragglerModel", "VirtualCluster",
           "VirtualRound", "run_job", "sample_delays", "worker_loads"]
