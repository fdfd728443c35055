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
