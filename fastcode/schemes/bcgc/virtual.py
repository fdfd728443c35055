"""In-process run of ``BlockCoordinateGC`` on a virtual clock (spec 05 §2, §8).

Real worker code and real messages, simulated time: worker ``n`` works at ``τ_n`` per unit, so its
block-``s`` message is ready at ``τ_n C_s``.  The events (worker, block) are processed in time
order; each one advances that worker's ``worker_parts_fn`` generator (so a block message is computed
only when it would have been sent) and hands the message to the master's ``BlockDecoder``.  The
round ends at the event that decodes the last block; the rest is never computed (purged).  For
cyclic codes the end time equals ``T(x)`` of (RT) for the same ``τ``; fractional repetition can end
earlier (a block decodes once every group has answered).

This is the partial-results extension of the runtime protocol (``bcgc.PARTIAL_RESULTS``) with the
waits replaced by a sort.
"""
from dataclasses import dataclass

import numpy as np

from fastcode.errors import InvalidArgumentError, NotEnoughShardsError
from fastcode.schemes.bcgc.scheme import BlockCoordinateGC, worker_parts_fn

__all__ = ["VirtualRound", "run_virtual_round"]


@dataclass(frozen=True)
class VirtualRound:
    """One round: ``output`` the decoded gradient (L,); ``time`` when the last block decoded (units
    of ``τ``); ``block_times`` {s: decode time}; ``arrivals`` the (time, worker, s) events the master
    used, in order; ``computed`` block messages computed (the others were purged)."""
    output: np.ndarray
    time: float
    block_times: dict
    arrivals: list
    computed: int


def run_virtual_round(scheme, payloads, round_input, tau):
    """Run one round of ``scheme`` (a BlockCoordinateGC) with per-unit worker times ``tau`` (N,),
    ``inf`` = a worker that never finishes anything.  ``payloads`` from ``scheme.setup_tasks``."""
    if not isinstance(scheme, BlockCoordinateGC):
        raise InvalidArgumentError(f"scheme must be a BlockCoordinateGC, got {scheme!r}")
    N = scheme.n_workers
    tau = np.asarray(tau, dtype=np.float64)
    if tau.shape != (N,) or np.any(np.isnan(tau)) or np.any(tau < 0):
        raise InvalidArgumentError(f"tau must be {N} per-unit times >= 0 (inf allowed), got {tau!r}")
    if len(payloads) != N:
        raise InvalidArgumentError(f"payloads must have {N} entries, got {len(payloads)}")
    C = scheme.cumulative_load()
    levels = scheme.levels
    # event (time, worker, k): worker's k-th part; ties resolved by worker then part order
    events = sorted((float(tau[n] * C[k]) if np.isfinite(tau[n]) else np.inf, n, k)
                    for n in range(N) for k in range(len(levels)))
    gens = [None] * N
    dec = scheme.decoder()
    block_times = {}
    used = []
    computed = 0
    for t, n, k in events:
        if not np.isfinite(t):
            break
        if gens[n] is None:
            gens[n] = worker_parts_fn(payloads[n], round_input)
        s, msg = next(gens[n])
        computed += 1
        if s != levels[k]:
            raise AssertionError("worker emitted blocks out of processing order")  # cannot happen
        used.append((t, n, s))
        if dec.add(n, s, msg):
            block_times[s] = t
        if dec.done:
            for g in gens:
                if g is not None:
                    g.close()
            return VirtualRound(dec.result(), t, block_times, used, computed)
    raise NotEnoughShardsError(
        "the round cannot finish: too many workers never answer "
        f"({int(np.sum(~np.isfinite(tau)))} with tau = inf); " + _missing(dec))


def _missing(dec):
    try:
        dec.result()
    except NotEnoughShardsError as exc:
        return str(exc)
    return ""
