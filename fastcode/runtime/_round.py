"""The master's view of one round: who answered, who failed, can it decode yet.

Kept apart from the transports so that the local and MPI masters share one
decision rule (and one place to get it right)."""
import numpy as np

from fastcode.errors import RoundTimeoutError, WorkerFailedError


class RoundState:
    """Bookkeeping of round ``round_id`` while its results arrive."""

    def __init__(self, scheme, round_id, start, asked, failures):
        n = scheme.n_workers
        self.scheme = scheme
        self.round_id = round_id
        self.start = start
        self.pending = set(asked)        # asked and not yet answered or failed
        self.failures = dict(failures)   # worker -> reason (not asked, or failed)
        self.responders = []
        self.results = {}
        self.latencies = np.full(n, np.nan)
        self.compute_times = np.full(n, np.nan)
        self.service_times = np.full(n, np.nan)
        self._decodable = False
        self._hope_unknown = True        # re-check hopeless() only after a failure

    def accept(self, worker, result, compute, service, now):
        """A result of this round from ``worker`` arrived at time ``now``."""
        if worker not in self.pending:
            return  # duplicate or from a worker already written off: ignore
        self.pending.discard(worker)
        self.responders.append(worker)
        self.results[worker] = result
        self.latencies[worker] = now - self.start
        self.compute_times[worker] = compute
        self.service_times[worker] = service
        self._decodable = bool(self.scheme.can_decode(tuple(self.responders)))

    def fail(self, worker, reason):
        """``worker`` will not answer this round (raised, died, dropped out)."""
        self.pending.discard(worker)
        self.failures.setdefault(worker, reason)
        self._hope_unknown = True

    @property
    def decodable(self):
        return self._decodable

    def hopeless(self):
        """True when even every pending worker answering could not make it decodable
        (valid because can_decode is monotone, see protocol).  Answers only
        change after a failure, so the scheme is asked again only then."""
        if not self._hope_unknown:
            return False
        self._hope_unknown = False
        everyone = tuple(self.responders) + tuple(sorted(self.pending))
        return not self.scheme.can_decode(everyone)

    def failed_error(self):
        reasons = "; ".join(f"worker {w}: {r.splitlines()[0]}"
                            for w, r in sorted(self.failures.items()))
        return WorkerFailedError(
            f"round {self.round_id} cannot be decoded: responders {tuple(self.responders)}"
            f" and pending {sorted(self.pending)} are not enough after failures ({reasons})",
            round_id=self.round_id, failures=self.failures, responders=self.responders)

    def timeout_error(self, timeout):
        return RoundTimeoutError(
            f"round {self.round_id} not decodable after {timeout:g} s: responders "
            f"{tuple(self.responders)}, still waiting for {sorted(self.pending)}",
            round_id=self.round_id, responders=self.responders, pending=sorted(self.pending),
            failures=self.failures)


class PartialRoundState(RoundState):
    """Round bookkeeping for partial-results schemes (``scheme.partial_results``).

    Responders are ``(worker, key)`` pairs in arrival order and results are keyed
    by them; ``pending`` holds the asked workers that may still send parts (not
    yet DONE, failed or cancelled).  ``latencies[w]`` is the arrival time of
    worker w's last received part; compute and service times are booked when
    its DONE arrives (NaN if the round decoded first)."""

    def __init__(self, scheme, round_id, start, asked, failures, parts):
        super().__init__(scheme, round_id, start, asked, failures)
        self.parts = parts                # worker -> tuple of part keys (send order)

    def accept_part(self, worker, key, value, now):
        """Part ``key`` of ``worker`` for this round arrived at time ``now``."""
        pair = (worker, key)
        if worker not in self.pending or pair in self.results:
            return
        self.responders.append(pair)
        self.results[pair] = value
        self.latencies[worker] = now - self.start
        self._decodable = bool(self.scheme.can_decode(tuple(self.responders)))

    def done(self, worker, compute, service):
        """``worker`` sent all its parts: it can add nothing more to this round."""
        if worker not in self.pending:
            return
        self.pending.discard(worker)
        self.compute_times[worker] = compute
        self.service_times[worker] = service
        self._hope_unknown = True

    def hopeless(self):
        if not self._hope_unknown:
            return False
        self._hope_unknown = False
        got = set(self.responders)
        everyone = tuple(self.responders) + tuple(
            (w, k) for w in sorted(self.pending) for k in self.parts[w] if (w, k) not in got)
        return not self.scheme.can_decode(everyone)
