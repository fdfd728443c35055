"""Running a job on a cluster: ``run_job`` and its per-round ``JobReport``.

A job (``fastcode.schemes.jobs.Job``, or any object with the same attributes:
``name``, ``scheme``, ``data``, ``make_input(rng)``, ``check(output, input)``)
is set up on a cluster (local or MPI), run for some rounds, and every decoded
output is checked against the direct computation.
"""
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Union

import numpy as np

from fastcode.errors import RoundTimeoutError, WorkerFailedError
from fastcode.runtime._master import Master
from fastcode.runtime.result import RoundResult

__all__ = ["JobReport", "run_job"]


@dataclass
class JobReport:
    """Per-round figures of a job run (seconds), as ``run_job`` returns them.

    Attributes
    ----------
    name : str
        The job's name.
    n_workers : int
        Workers of its scheme.
    wall_times, wait_times, decode_times, overheads, ideal_times : list of float
        ``RoundResult.wall_time``, ``wait_time``, ``decode_time``, ``overhead`` and
        ``ideal_time`` of every completed round, in order.
    discarded : int
        Late messages thrown away, over all rounds.
    failed_rounds : int
        Rounds that raised WorkerFailedError or RoundTimeoutError (counted when
        ``run_job(..., continue_on_error=True)``).
    wrong_rounds : int
        Rounds whose output failed the job's check.

    Examples
    --------
    >>> from fastcode.runtime import JobReport
    >>> report = JobReport("demo", 4, wall_times=[0.5, 0.25], decode_times=[0.125, 0.125],
    ...                    ideal_times=[0.25, 0.25], overheads=[0.0, 0.0])
    >>> report.rounds
    2
    >>> s = report.summary()
    >>> s["rounds"], s["mean_s"], s["decode_share"]
    (2, 0.375, 0.3333333333333333)
    """

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
    def rounds(self) -> int:
        """Completed rounds (failed rounds excluded)."""
        return len(self.wall_times)

    def summary(self) -> Dict[str, Any]:
        """Plain dict of the headline figures (times in seconds).

        Returns
        -------
        dict
            ``scheme``, ``workers``, ``rounds``, ``failed_rounds``, ``wrong_rounds``,
            ``discarded``; after at least one completed round also ``mean_s``,
            ``p95_s``, ``median_s`` (wall time), ``mean_decode_s``, ``decode_share``
            (decode time / wall time), ``mean_ideal_s``, ``mean_overhead_s`` and
            ``median_overhead_s``.

        Examples
        --------
        >>> from fastcode.runtime import JobReport
        >>> JobReport("demo", 4).summary()          # no round yet: the counts only
        {'scheme': 'demo', 'workers': 4, 'rounds': 0, 'failed_rounds': 0, 'wrong_rounds': 0, 'discarded': 0}
        """
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


def run_job(cluster: Master, job: Any, rounds: int,
            rng: Union[None, int, np.random.Generator] = None, check: bool = True,
            on_round: Optional[Callable[[int, Union[RoundResult, Exception]], Any]] = None,
            continue_on_error: bool = False) -> JobReport:
    """Set ``job`` up on ``cluster`` and run ``rounds`` rounds, checking every output.

    Parameters
    ----------
    cluster : LocalCluster or MPICluster
        A cluster with ``setup(scheme, data)`` and ``run_round(input)``.
    job : Job
        ``fastcode.schemes.jobs.Job`` or any object with ``name``, ``scheme``,
        ``data``, ``make_input(rng)`` and ``check(output, input)``.
    rounds : int
        Rounds to run.
    rng : None, int or numpy.random.Generator
        Draws the round inputs (``job.make_input(rng)``).
    check : bool, default True
        Check every decoded output against the direct computation
        (``job.check``); mismatches count in ``wrong_rounds``.
    on_round : callable, optional
        ``on_round(i, result_or_exception)``, called after each round (progress).
    continue_on_error : bool, default False
        Count a round that raises a runtime failure (WorkerFailedError,
        RoundTimeoutError) in ``failed_rounds`` and go on, instead of re-raising.

    Returns
    -------
    JobReport

    Raises
    ------
    WorkerFailedError, RoundTimeoutError
        A round failed and ``continue_on_error`` is False (also
        WorkerFailedError from a failed setup).
    ClusterStateError
        The scheme does not fit the cluster, or the cluster is closed.

    Examples
    --------
    >>> from fastcode.runtime import LocalCluster, run_job
    >>> from fastcode.schemes.jobs import mds_matvec_job
    >>> job = mds_matvec_job(4, rng=0, rows=8, cols=4)       # (4, 3)-MDS coded A @ x
    >>> with LocalCluster(4, backend="thread") as cluster:
    ...     report = run_job(cluster, job, rounds=3, rng=1)
    >>> job.name, report.rounds, report.failed_rounds, report.wrong_rounds
    ('MDS (4,3)', 3, 0, 0)
    """
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
