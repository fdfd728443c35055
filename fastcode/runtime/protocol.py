"""The scheme protocol: what a runtime needs from a coded-computing scheme.

The runtime never knows which code it runs (:ref:`architecture-layers`): it moves NumPy
arrays, calls the scheme's worker function on the workers and the scheme's
decoder on the master.  Any object with the attributes below is a scheme (duck
typing); :class:`Scheme` is a ``typing.Protocol`` that documents them.

Life of a job on a cluster::

    payloads = scheme.setup_tasks(job)           # once, on the master
    # payloads[i] is shipped to worker i once and kept there across rounds
    for each round:
        # every live worker i runs, concurrently:
        result_i = scheme.worker_fn(payloads[i], round_input)
        # the master collects results in arrival order and stops the round
        # as soon as scheme.can_decode(responders) is true, then
        output = scheme.decode({i: result_i for i in responders}, round_input)

Rules a scheme must follow:

- ``worker_fn`` is a module-level function (picklable by reference): process
  and MPI workers import it by name.  It treats its payload and round input
  as read-only (process workers get read-only views on shared memory; thread
  workers share the master's very arrays) and keeps no reference to
  ``round_input`` after it returns (the process backend reuses its buffer).
- payloads and round inputs are NumPy arrays or (nested) tuples/lists/dicts of
  arrays; other picklable leaves are allowed and travel by pickle.
- ``can_decode`` must be monotone: adding responders never turns a decodable
  set into an undecodable one.  The master relies on it to fail early: when
  even "responders so far + every worker still pending" cannot decode, the
  round is reported impossible without waiting for the timeout.
- partial results (opt-in, LocalCluster only): a scheme with
  ``partial_results = True`` also offers ``parts(i)`` (part keys of worker i in
  send order), ``part_loads(i)`` (cumulative load after each part; the last
  entry equals ``worker_load(i)``) and ``worker_parts_fn(payload,
  round_input)``, a module-level generator yielding ``(key, array)`` in the
  order of ``parts(i)``.  Workers then send each part as its own message when
  it is computed and due (part k at ``delay * part_loads[k] /
  part_loads[-1]``); the master's responders are ``(worker, key)`` pairs in
  arrival order, ``can_decode`` is called with them after each part and
  ``decode`` gets ``{(worker, key): array}`` (insertion order = arrival
  order).  ``can_decode`` must be monotone in the pairs.
- ``worker_load(i)`` is the relative compute load of worker i (e.g. the
  fraction of the whole product it computes: 1/n uncoded, 1/k for an
  (n, k)-MDS code, r/n for r-replication); the straggler model scales its
  delays with it.

Straggler models: the runtime only calls ``model.sample(n_workers, load, rng)``
(per-worker completion times, shape (n_workers,), float64; ``np.inf`` = never
answers; ``load`` a scalar or per-worker array).  ``fastcode.sim``'s
:class:`~fastcode.sim.stragglers.StragglerModel` is the base class of every model
fastcode ships (re-exported here); any object with that ``sample`` works.
"""
from typing import (Any, Callable, Hashable, List, Mapping, Optional, Protocol, Sequence, Tuple,
                    Union, runtime_checkable)

import numpy as np

from fastcode.errors import ClusterStateError
from fastcode.sim.stragglers import StragglerModel  # noqa: F401  (the one model class)


@runtime_checkable
class Scheme(Protocol):
    """A coded-computing scheme as the runtime sees it (see the module doc).

    A ``typing.Protocol``: any object with these attributes is a scheme (duck
    typing), and ``isinstance(obj, Scheme)`` checks that they are present.  The
    schemes of ``fastcode.schemes`` all qualify.

    Raises
    ------
    TypeError
        On ``Scheme()`` itself: a protocol describes schemes, it is not one.

    Attributes
    ----------
    n_workers : int
        Workers the scheme is built for (the cluster's size).

    Examples
    --------
    A toy scheme, A @ x by row blocks with every block on two workers (so any
    one of each pair suffices), run on the virtual clock:

    >>> from fastcode.runtime import Scheme, VirtualCluster
    >>> def block_times(payload, x):
    ...     return payload @ x
    >>> class PairedMatVec:
    ...     worker_fn = staticmethod(block_times)
    ...     def __init__(self, n_workers):
    ...         self.n_workers = n_workers
    ...     def setup_tasks(self, A):
    ...         blocks = np.array_split(A, self.n_workers // 2)
    ...         return [blocks[i // 2] for i in range(self.n_workers)]
    ...     def worker_load(self, i):
    ...         return 2 / self.n_workers
    ...     def can_decode(self, responders):
    ...         return {i // 2 for i in responders} == set(range(self.n_workers // 2))
    ...     def decode(self, results, x):
    ...         first = {}
    ...         for i, y in results.items():
    ...             first.setdefault(i // 2, y)
    ...         return np.concatenate([first[b] for b in sorted(first)])
    >>> scheme = PairedMatVec(4)
    >>> isinstance(scheme, Scheme)
    True
    >>> A = np.arange(8.0).reshape(4, 2)
    >>> cluster = VirtualCluster(4)
    >>> _ = cluster.setup(scheme, A)
    >>> r = cluster.run_round(np.array([1.0, 1.0]), times=[3.0, 1.0, 2.0, 5.0])
    >>> r.output.tolist(), r.time           # workers 1 and 2 cover both blocks
    ([1.0, 5.0, 9.0, 13.0], 2.0)
    >>> (A @ [1.0, 1.0]).tolist()
    [1.0, 5.0, 9.0, 13.0]
    """

    n_workers: int

    # A read-only member (a property here), so that a class attribute such as
    # ``worker_fn = staticmethod(f)`` satisfies the protocol for type checkers.
    @property
    def worker_fn(self) -> Callable[[Any, Any], Any]:
        """``worker_fn(payload, round_input) -> result``, run on the workers: a
        module-level function (process and MPI workers import it by name)."""

    def setup_tasks(self, job: Any) -> list:
        """Per-worker payloads, sent once before the rounds.

        Parameters
        ----------
        job : object
            What the scheme encodes (e.g. the matrix A).

        Returns
        -------
        list
            Length n_workers: payload i goes to worker i and stays there.
        """

    def worker_load(self, i: int) -> float:
        """Relative compute load of worker i (passed to the straggler model).

        Parameters
        ----------
        i : int
            Worker id in [0, n_workers).

        Returns
        -------
        float
            E.g. 1/n uncoded, 1/k for an (n, k)-MDS code, r/n for r-replication.
        """

    def can_decode(self, responders: Sequence[int]) -> bool:
        """Whether the results of ``responders`` (arrival order) suffice.

        Must be monotone: adding responders never makes a decodable set undecodable.

        Parameters
        ----------
        responders : sequence of int
            Worker ids in arrival order ((worker, key) pairs for a partial-results
            scheme).

        Returns
        -------
        bool
        """

    def decode(self, results: Mapping[int, np.ndarray], round_input: Any) -> Any:
        """The round's output from the responders' results.

        Parameters
        ----------
        results : dict
            Worker id (or (worker, key) pair) -> its result, in arrival order.
        round_input : object
            The round's input, as given to ``run_round``.

        Returns
        -------
        object
            The round's output (``RoundResult.output``).
        """


def check_scheme(scheme: Any, n_workers: int) -> None:
    """Raise ClusterStateError unless ``scheme`` fits a cluster of ``n_workers``."""
    missing = [name for name in ("n_workers", "setup_tasks", "worker_fn", "worker_load",
                                 "can_decode", "decode") if not hasattr(scheme, name)]
    if missing:
        raise ClusterStateError(f"scheme {scheme!r} lacks {', '.join(missing)} "
                                "(see fastcode.runtime.protocol)")
    if scheme.n_workers != n_workers:
        raise ClusterStateError(f"scheme needs n_workers={scheme.n_workers}, "
                                f"the cluster has {n_workers}")
    fn = scheme.worker_fn
    if getattr(fn, "__qualname__", "<lambda>") != getattr(fn, "__name__", None):
        # Lambdas, closures and bound methods cannot be imported by name on a worker.
        raise ClusterStateError(f"scheme.worker_fn must be a module-level function, got {fn!r}")
    if is_partial(scheme):
        missing = [name for name in ("parts", "part_loads", "worker_parts_fn")
                   if not hasattr(scheme, name)]
        if missing:
            raise ClusterStateError(f"scheme {scheme!r} has partial_results = True but lacks "
                                    f"{', '.join(missing)} (see fastcode.runtime.protocol)")
        fn = scheme.worker_parts_fn
        if getattr(fn, "__qualname__", "<lambda>") != getattr(fn, "__name__", None):
            raise ClusterStateError("scheme.worker_parts_fn must be a module-level generator "
                                    f"function, got {fn!r}")


def is_partial(scheme: Any) -> bool:
    """Whether ``scheme`` opted in to partial results."""
    return getattr(scheme, "partial_results", False) is True


def part_plan(scheme: Any) -> Tuple[List[Tuple[Hashable, ...]], List[Tuple[float, ...]]]:
    """Per-worker part keys and due fractions of a partial-results scheme:
    ``(parts, fractions)``, lists of tuples; ``fractions[i][k] = part_loads(i)[k] /
    part_loads(i)[-1]``.  Raises ClusterStateError on inconsistent declarations."""
    parts: List[Tuple[Hashable, ...]] = []
    fractions: List[Tuple[float, ...]] = []
    for i in range(scheme.n_workers):
        keys = tuple(scheme.parts(i))
        loads = np.asarray(scheme.part_loads(i), dtype=np.float64).reshape(-1)
        if len(keys) != len(loads):
            raise ClusterStateError(f"worker {i}: parts(i) has {len(keys)} keys but "
                                    f"part_loads(i) has {len(loads)} entries (need them equal)")
        if not keys:
            # an idle worker (e.g. too slow to get any load): it sends only its DONE message
            parts.append(())
            fractions.append(())
            continue
        if len(set(keys)) != len(keys):
            raise ClusterStateError(f"worker {i}: parts(i) has repeated keys {keys!r}")
        if np.any(~np.isfinite(loads)) or np.any(loads < 0) or np.any(np.diff(loads) < 0) \
                or not loads[-1] > 0:
            raise ClusterStateError(f"worker {i}: part_loads(i) must be non-decreasing, "
                                    f"finite, >= 0 and end > 0, got {loads.tolist()}")
        if not np.isclose(loads[-1], float(scheme.worker_load(i)), rtol=1e-9, atol=0):
            raise ClusterStateError(f"worker {i}: part_loads(i)[-1] = {loads[-1]!r} differs "
                                    f"from worker_load(i) = {scheme.worker_load(i)!r}")
        parts.append(keys)
        fractions.append(tuple(float(f) for f in loads / loads[-1]))
    return parts, fractions


def worker_loads(scheme: Scheme) -> np.ndarray:
    """Per-worker loads of ``scheme``: ``scheme.worker_load(i)`` for every worker.

    Parameters
    ----------
    scheme : Scheme
        Any object with ``n_workers`` and ``worker_load``.

    Returns
    -------
    (n_workers,) float64 array

    Examples
    --------
    >>> from fastcode.runtime import worker_loads
    >>> from fastcode.schemes.matvec import CodedMatVec
    >>> worker_loads(CodedMatVec(np.ones((6, 2)), 4, 2)).tolist()    # (4, 2)-MDS: 1/k each
    [0.5, 0.5, 0.5, 0.5]
    """
    return np.array([float(scheme.worker_load(i)) for i in range(scheme.n_workers)])


def sample_delays(model: Optional[Any], loads: Union[Sequence[float], np.ndarray],
                  rng: Union[None, int, np.random.Generator]) -> np.ndarray:
    """Per-worker injected times from a straggler model (zeros without a model).

    Equal loads are passed as one scalar, so models that only accept a scalar
    load work for every symmetric scheme; unequal loads are passed as an array.
    Idle workers (load 0) get time 0.

    Parameters
    ----------
    model : StragglerModel or None
        Any object with ``sample(n, load, rng)``; None: no injected delay.
    loads : sequence of float
        Per-worker loads (``worker_loads(scheme)``), >= 0.
    rng : None, int or numpy.random.Generator
        Passed to ``model.sample``.

    Returns
    -------
    (len(loads),) float64 array
        Times in the model's units; ``inf`` = never answers.

    Raises
    ------
    ValueError
        The model returned the wrong shape, or negative or NaN times.

    Examples
    --------
    >>> from fastcode.runtime import sample_delays
    >>> from fastcode.sim.stragglers import Deterministic
    >>> sample_delays(Deterministic(2.0), [0.5, 0.25, 0.0], rng=0).tolist()
    [1.0, 0.5, 0.0]
    >>> sample_delays(None, [0.5, 0.5], rng=0).tolist()
    [0.0, 0.0]
    """
    n = len(loads)
    if model is None:
        return np.zeros(n)
    # Idle workers (load 0: e.g. too slow to get any task) have nothing to
    # delay; models reject a zero load, so they are sampled at load 1 and zeroed.
    idle = np.asarray(loads) == 0
    loads = np.where(idle, 1.0, loads)
    load = loads[0] if n and np.all(loads == loads[0]) else loads
    times = np.asarray(model.sample(n, load, rng), dtype=np.float64)
    if times.shape != (n,):
        raise ValueError(f"straggler model returned shape {times.shape}, expected ({n},)")
    if np.any(times < 0) or np.any(np.isnan(times)):
        raise ValueError("straggler model returned negative or NaN times")
    times[idle] = 0.0
    return times
