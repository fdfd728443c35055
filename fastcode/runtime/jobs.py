"""Jobs: a scheme plus its data, round inputs and a reference to check against.

A :class:`Job` is what ``fastcode run SCHEME`` executes on a cluster (local or
MPI): ``run_job`` sets the scheme up, runs rounds, checks every decoded output
against the direct computation and summarises the latencies.  Job factories
have the signature ``factory(n_workers, rng, rows=..., cols=..., **params)``
(``rng`` a seed or a Generator)
and are registered by name in the CLI (``fastcode.cli.RUN_SCHEMES``).
"""
from dataclasses import dataclass, field
from typing import Any, Callable, List

import numpy as np

from fastcode.fields.base import as_generator
from fastcode.schemes.matvec import CodedMatVec, ReplicatedMatVec, UncodedMatVec


@dataclass
class Job:
    """A runnable job.

    Attributes:
        name: label for reports.
        scheme: a protocol scheme (see fastcode.runtime.protocol).
        data: what ``scheme.setup_tasks`` takes (e.g. the matrix A).
        make_input: rng -> round input (e.g. a fresh vector x).
        reference: round input -> the exact output, computed directly.
        rtol, atol: tolerance of the check (0 for exact fields).
    """

    name: str
    scheme: Any
    data: Any
    make_input: Callable[[np.random.Generator], Any]
    reference: Callable[[Any], Any]
    rtol: float = 1e-9
    atol: float = 1e-9

    def check(self, output, round_input):
        """True when ``output`` matches the direct computation."""
        expected = self.reference(round_input)
        if self.rtol == 0 and self.atol == 0:
            return bool(np.array_equal(output, expected))
        return bool(np.allclose(output, expected, rtol=self.rtol, atol=self.atol))


def _matvec_job(name, make_scheme, rng, rows, cols):
    A = as_generator(rng).standard_normal((rows, cols))
    return Job(name, make_scheme(A), A, make_input=lambda g: g.standard_normal(cols),
               reference=lambda x: A @ x)


def uncoded_matvec_job(n_workers, rng, rows=1024, cols=1024, **params):
    """Uncoded A @ x on n_workers row blocks (needs every worker)."""
    if params:
        raise ValueError(f"uncoded takes no parameters, got {sorted(params)}")
    return _matvec_job("uncoded", lambda A: UncodedMatVec(A, n_workers), rng, rows, cols)


def replicated_matvec_job(n_workers, rng, rows=1024, cols=1024, r=2, **params):
    """r-replicated A @ x (any one copy of each row block suffices)."""
    if params:
        raise ValueError(f"replication takes only r, got {sorted(params)}")
    return _matvec_job(f"{int(r)}-replication", lambda A: ReplicatedMatVec(A, n_workers, int(r)),
                       rng, rows, cols)


def mds_matvec_job(n_workers, rng, rows=1024, cols=1024, k=None, **params):
    """(n, k)-MDS-coded A @ x over the reals (any k workers suffice; default k = 3n/4)."""
    if params:
        raise ValueError(f"mds takes only k, got {sorted(params)}")
    k = max(1, (3 * n_workers) // 4) if k is None else int(k)
    return _matvec_job(f"MDS ({n_workers},{k})", lambda A: CodedMatVec(A, n_workers, k),
                       rng, rows, cols)


@dataclass
class JobReport:
    """Per-round figures of a job run (seconds)."""

    name: str
    n_workers: int
    wall_times: List[float] = field(default_factory=list)
    wait_times: List[float] = field(default_factory=list)
    decode_times: List[float] = field(default_factory=list)
    overheads: List[float] = field(default_factory=list)
    ideal_times: List[float] = field(default_factory=list)
    discarded: int = 0
    failed_rounds: int = 0
    wrong_rounds: int = 0

    @property
    def rounds(self):
        return len(self.wall_times)

    def summary(self):
        """Plain dict of the headline figures (times in seconds)."""
        wall = np.asarray(self.wall_times)
        out = {"scheme": self.name, "workers": self.n_workers, "rounds": self.rounds,
               "failed_rounds": self.failed_rounds, "wrong_rounds": self.wrong_rounds,
               "discarded": self.discarded}
        if wall.size:
            out.update(mean_s=float(wall.mean()), p95_s=float(np.percentile(wall, 95)),
                       median_s=float(np.median(wall)),
                       mean_decode_s=float(np.mean(self.decode_times)),
                       decode_share=float(np.sum(self.decode_times) / wall.sum()),
                       mean_ideal_s=float(np.mean(self.ideal_times)),
                       mean_overhead_s=float(np.mean(self.overheads)),
                       median_overhead_s=float(np.median(self.overheads)))
        return out


def run_job(cluster, job, rounds, rng=None, check=True, on_round=None, continue_on_error=False):
    """Set ``job`` up on ``cluster`` and run ``rounds`` rounds; returns a JobReport.

    Every decoded output is checked against ``job.reference`` (when ``check``).
    A round that raises a runtime failure (WorkerFailedError, RoundTimeoutError)
    is counted in ``failed_rounds`` when ``continue_on_error``, else re-raised.
    ``on_round(i, result_or_exception)`` is called after each round (progress)."""
    from fastcode.errors import RoundTimeoutError, WorkerFailedError

    rng = np.random.default_rng(rng)
    cluster.setup(job.scheme, job.data)
    report = JobReport(job.name, job.scheme.n_workers)
    for i in range(rounds):
        x = job.make_input(rng)
        try:
            result = cluster.run_round(x)
        except (WorkerFailedError, RoundTimeoutError) as exc:
            if not continue_on_error:
                raise
            report.failed_rounds += 1
            if on_round:
                on_round(i, exc)
            continue
        report.wall_times.append(result.wall_time)
        report.wait_times.append(result.wait_time)
        report.decode_times.append(result.decode_time)
        report.overheads.append(result.overhead)
        report.ideal_times.append(result.ideal_time)
        report.discarded += result.discarded
        if check and not job.check(result.output, x):
            report.wrong_rounds += 1
        if on_round:
            on_round(i, result)
    return report
