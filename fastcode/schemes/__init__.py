"""Coded-computing schemes built from codes: each turns a job into per-worker
payloads, a module-level worker function and a decoder, and satisfies the runtime
protocol of ``fastcode.runtime`` (which never imports this package).

Generic schemes are modules here: ``matvec`` (uncoded, replicated and MDS-coded
mat-vec/mat-mat), ``shuffle`` (coded data shuffling), ``gradient_training``
(gradient-coded training), ``lagrange`` (Lagrange coded computing: private,
Byzantine-robust polynomial evaluation), ``polynomial_job`` (a polynomial code as a runtime
scheme) and ``jobs`` (a scheme plus data and a reference: what ``fastcode run``
executes).  Each paper family is a package holding its model, optimiser,
simulator and scheme together: ``bcgc`` (block-coordinate gradient coding),
``dmtl`` (coded multi-task learning) and ``stream`` (streams of jobs on
heterogeneous workers).  The scheme classes are exported here.

Examples
--------
Every scheme runs the same way in process, on a ``VirtualCluster``, on a
``LocalCluster`` or under MPI; here A @ x from the fastest 3 of 4 workers:

>>> from fastcode.runtime import VirtualCluster
>>> from fastcode.schemes import CodedMatVec
>>> rng = np.random.default_rng(0)
>>> A, x = rng.standard_normal((6, 3)), rng.standard_normal(3)
>>> cluster = VirtualCluster(4)
>>> _ = cluster.setup(CodedMatVec(A, n=4, k=3), A)
>>> r = cluster.run_round(x, [0.2, 5.0, 0.1, 0.3])        # worker 1 straggles
>>> sorted(w for _, w, _ in r.arrivals), bool(np.allclose(r.output, A @ x))
([0, 2, 3], True)
"""
from fastcode.schemes.bcgc import BlockCoordinateGC
from fastcode.schemes.dmtl import DMTLScheme, DMTLTraining, SeparableComputation
from fastcode.schemes.gradient_training import GradientTraining
from fastcode.schemes.lagrange import LagrangeCoded
from fastcode.schemes.matvec import CodedMatMul, CodedMatVec, ReplicatedMatVec, UncodedMatVec
from fastcode.schemes.polynomial_job import PolynomialJob
from fastcode.schemes.shuffle import CodedShuffle
from fastcode.schemes.stream import StreamCodedMatVec

__all__ = ["BlockCoordinateGC", "CodedMatMul", "CodedMatVec", "CodedShuffle", "DMTLScheme",
           "DMTLTraining", "GradientTraining", "LagrangeCoded", "PolynomialJob", "ReplicatedMatVec",
           "SeparableComputation", "StreamCodedMatVec", "UncodedMatVec"]
