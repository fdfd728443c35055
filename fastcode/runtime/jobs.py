"""Running a job on a cluster: ``run_job`` and its per-round ``JobReport``.

A job (``fastcode.schemes.jobs.Job``, or any object with the same attributes:
``name``, ``scheme``, ``data``, ``make_input(rng)``, ``check(output, input)``)
is set up on a cluster (local or MPI), run for some rounds, and every decoded
output is checked against the direct computation.
"""
from dataclasses import dataclass, field
from typing import List

import numpy as np

from fastcode.errors import RoundTimeoutError, WorkerFailedError

__all__ = ["JobReport", "run_job"]


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
