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
