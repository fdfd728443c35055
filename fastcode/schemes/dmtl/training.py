"""Coded DMTL training demo: the runtime-protocol scheme object and an in-process loop.

K workers, N = K tasks (dataset n belongs to task n), placement Z.  Worker k
owns model w_k (a linear regressor of dimension d).  Each iteration:

1. every holder of dataset n computes the *local update value* v_n, the
   least-squares gradient of task n at w_n, quantised to GF(p) (fixed point,
   ``PrimeField.from_float``): B = d symbols;
2. worker j uploads X_j = U_j V (``DMTLScheme.encode``), the server broadcasts
   Y = A X (``server_combine``), worker k decodes every v_n it lacks;
3. every worker applies the *non-linear* update
   w_k <- w_k - lr * sum_n alpha_kn g_n,  alpha_k = softmax_n(-|g_k - g_n|^2 / tau),
   which needs each g_n individually (a sum of gradients would not do).

Because step 1 for dataset n needs w_n, every worker keeps a replica of all K
models and applies all K updates (cheap: d numbers each, deterministic); it
reports its own w_k.  All replicas stay identical to a centralised uncoded
run, bit for bit, because the coded exchange is exact over GF(p).

Runtime protocol (``fastcode.runtime``, wired at merge time): ``n_workers``,
``setup_tasks(job)``, module-level ``worker_fn(payload, round_input)``,
``worker_load(i)``, ``can_decode(responders)``, ``decode(results, round_input)``.
Round t's input is {"t": t, "Y": broadcast of round t-1 (None at t = 0),
"final": bool}; the master's ``decode`` output of round t is the broadcast Y
that becomes round t+1's input.  A final round returns each worker's model.
**Assumption**: the runtime keeps each payload on its worker across rounds
(the worker state lives in payload["state"]); worker_fn checks the round
number and raises if that state is missing or stale.
"""
from dataclasses import dataclass, replace
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Union

import numpy as np
from numpy.typing import ArrayLike

from fastcode._util.rng import as_generator
from fastcode.errors import FieldValueError, InvalidArgumentError
from fastcode.fields import PrimeField
from fastcode.schemes.dmtl.scheme import DEFAULT_FIELD, DMTLScheme, merge_values, split_values
from fastcode.schemes.dmtl.bounds import baseline_loads

__all__ = ["MTLJob", "make_mtl_job", "DMTLTraining", "worker_fn", "nonlinear_update",
           "run_inprocess", "reference_training", "fit_scale"]


@dataclass
class MTLJob:
    """Data and hyper-parameters: X[n] (s, d), y[n] (s,) float64 per task; W0 (K, d).

    Attributes
    ----------
    X : list of (s, d) float64 arrays
        Task n's samples.
    y : list of (s,) float64 arrays
        Task n's targets.
    W0 : (K, d) float64 array
        The initial models, one row per task.
    lr : float
        Learning rate (default 0.5).
    tau : float
        Temperature of the softmax in ``nonlinear_update`` (default 1.0).
    scale : float
        Fixed point: gradient g is sent as round(g * scale) in GF(p) (default 2^20).

    Examples
    --------
    >>> from fastcode.schemes.dmtl import MTLJob
    >>> rng = np.random.default_rng(0)
    >>> job = MTLJob([rng.normal(size=(8, 4))], [rng.normal(size=8)], np.zeros((1, 4)), lr=0.1)
    >>> job.lr, job.tau, job.scale
    (0.1, 1.0, 1048576.0)
    """

    X: List[np.ndarray]
    y: List[np.ndarray]
    W0: np.ndarray
    lr: float = 0.5
    tau: float = 1.0
    scale: float = 2.0**20       # fixed point: gradient g is sent as round(g * scale) in GF(p)


def make_mtl_job(K: int, d: int = 16, samples: int = 32,
                 rng: Optional[Union[int, np.random.Generator]] = None) -> MTLJob:
    """K related regression tasks: w*_n = common + 0.3 * own, noisy targets.

    Samples are standard normal / sqrt(d); targets X w*_n plus noise of
    standard deviation 0.01; the initial models are zero.

    Parameters
    ----------
    K : int
        Number of tasks.
    d : int, optional
        Model dimension (default 16); B = d symbols per value.
    samples : int, optional
        Samples per task (default 32).
    rng : int, numpy.random.Generator or None, optional
        Seed or generator.

    Returns
    -------
    MTLJob
        The data, W0 = 0 and the default hyper-parameters.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import make_mtl_job
    >>> job = make_mtl_job(3, d=4, samples=8, rng=0)
    >>> len(job.X), job.X[0].shape, job.y[0].shape, job.W0.shape
    (3, (8, 4), (8,), (3, 4))
    """
    gen = as_generator(rng)
    common = gen.normal(size=d)
    X, y = [], []
    for _ in range(K):
        w_star = common + 0.3 * gen.normal(size=d)
        Xn = gen.normal(size=(samples, d)) / np.sqrt(d)
        X.append(Xn)
        y.append(Xn @ w_star + 0.01 * gen.normal(size=samples))
    return MTLJob(X, y, np.zeros((K, d)))


def local_value(Xn, yn, w, field, scale):
    """v_n: least-squares gradient of task n at w, quantised to GF(p) (shape (d,))."""
    g = Xn.T @ (Xn @ w - yn) / len(yn)
    return field.from_float(g, scale)


def nonlinear_update(W: np.ndarray, G: np.ndarray, lr: float, tau: float) -> np.ndarray:
    """w_k <- w_k - lr * sum_n softmax_n(-|g_k - g_n|^2 / tau) g_n for every k.

    Each model moves along a softmax-weighted mix of the tasks' gradients,
    weighted by their similarity to its own: it needs every g_n individually.

    Parameters
    ----------
    W : (K, d) float array
        The models.
    G : (K, d) float array
        The gradients g_n.
    lr : float
        Learning rate.
    tau : float
        Softmax temperature.

    Returns
    -------
    (K, d) float64 array
        The updated models (W is not modified).

    Examples
    --------
    Two orthogonal gradients: each model follows mostly its own.

    >>> from fastcode.schemes.dmtl import nonlinear_update
    >>> G = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> nonlinear_update(np.zeros((2, 2)), G, 0.5, 1.0).round(4).tolist()
    [[-0.4404, -0.0596], [-0.0596, -0.4404]]
    """
    dist = ((G[:, None, :] - G[None, :, :]) ** 2).sum(axis=2)
    logits = -dist / tau
    logits -= logits.max(axis=1, keepdims=True)
    alpha = np.exp(logits)
    alpha /= alpha.sum(axis=1, keepdims=True)
    return W - lr * alpha @ G


class DMTLTraining:
    """Runtime-protocol scheme object for coded DMTL training on placement Z (N = K).

    Designs the coded exchange (``DMTLScheme.design``, kept as ``code``) and
    implements the runtime protocol: ``n_workers``, ``setup_tasks``,
    ``worker_fn``, ``worker_load``, ``can_decode``, ``decode``.

    Parameters
    ----------
    Z : (K, K) array_like of 0/1 or bool
        The placement, one dataset per task.
    field : PrimeField, optional
        The working field (default ``DEFAULT_FIELD``, GF(2^31 - 1)); values are
        fixed point (``PrimeField.from_float``).
    rng : int, numpy.random.Generator or None, optional
        Seed or generator of the design.

    Raises
    ------
    InvalidArgumentError
        Z is not a valid placement, or N != K.
    SingularMatrixError
        No decodable design was drawn.

    Examples
    --------
    Two coded iterations in process match the centralised uncoded run exactly:

    >>> from fastcode.schemes.dmtl import (DMTLTraining, cyclic_placement, make_mtl_job,
    ...                                    reference_training, run_inprocess)
    >>> job = make_mtl_job(3, d=4, samples=8, rng=0)
    >>> scheme = DMTLTraining(cyclic_placement(3, 2), rng=0)
    >>> scheme.code.loads()
    (Fraction(3, 2), Fraction(1, 1))
    >>> out = run_inprocess(scheme, job, 2)
    >>> np.array_equal(out["models"], reference_training(job, 2))
    True
    """

    #: The module-level ``worker_fn``, attached below (the runtime runs it by name on each worker).
    worker_fn: Callable[[Dict[str, Any], Mapping[str, Any]], np.ndarray]

    def __init__(self, Z: ArrayLike, field: PrimeField = DEFAULT_FIELD,
                 rng: Optional[Union[int, np.random.Generator]] = None) -> None:
        self.code = DMTLScheme.design(Z, field, rng)
        if self.code.N != self.code.K:
            raise InvalidArgumentError(f"the demo needs one dataset per task (N = K), got "
                                       f"K={self.code.K}, N={self.code.N}")
        self.n_workers = self.code.K
        self.field = field

    def setup_tasks(self, job: MTLJob) -> List[Dict[str, Any]]:
        """One payload per worker: its datasets, its encoder/decoder matrices, a state slot.

        Parameters
        ----------
        job : MTLJob
            The data (N = K tasks) and hyper-parameters.

        Returns
        -------
        list of K dict
            Payload k: ``k``, ``field``, ``P``, ``stored``, ``wanted``, ``data``
            (its tasks' (X, y)), ``enc``, ``Q``, ``H`` (``worker_matrices``),
            ``lr``, ``tau``, ``scale`` and ``state`` (round ``t``, the K models
            ``W``, last round's values ``own``).

        Raises
        ------
        InvalidArgumentError
            The job does not have N tasks and K initial models.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import DMTLTraining, cyclic_placement, make_mtl_job
        >>> scheme = DMTLTraining(cyclic_placement(3, 2), rng=0)
        >>> payloads = scheme.setup_tasks(make_mtl_job(3, d=4, samples=8, rng=0))
        >>> payloads[0]["stored"].tolist(), payloads[0]["wanted"].tolist(), payloads[0]["enc"].shape
        ([0, 1], [2], (1, 4))
        """
        c = self.code
        if len(job.X) != c.N or job.W0.shape[0] != c.K:
            raise InvalidArgumentError(f"job must have {c.N} tasks, got {len(job.X)}")
        payloads = []
        for k in range(c.K):
            stored = c.stored(k)
            enc, Q, H = c.worker_matrices(k)
            payloads.append({
                "k": k, "field": self.field, "P": c.P, "stored": stored, "wanted": c.wanted(k),
                "data": {int(n): (job.X[n], job.y[n]) for n in stored},
                "enc": enc, "Q": Q, "H": H,
                "lr": job.lr, "tau": job.tau, "scale": job.scale,
                "state": {"t": 0, "W": job.W0.copy(), "own": None},
            })
        return payloads

    def worker_load(self, i: int) -> float:
        """Fraction of the datasets worker i processes (m_i / N).

        Parameters
        ----------
        i : int
            Worker index.

        Returns
        -------
        float
            m_i / N.
        """
        return float(self.code.Z[i].sum()) / self.code.N

    def can_decode(self, responders: Iterable[int]) -> bool:
        """The server needs the uplink of every worker that sends something (T_j > 0).

        Parameters
        ----------
        responders : iterable of int
            The workers whose results arrived.

        Returns
        -------
        bool
            True if every worker with T_j > 0 is among them.

        Examples
        --------
        >>> from fastcode.schemes.dmtl import DMTLTraining, cyclic_placement
        >>> scheme = DMTLTraining(cyclic_placement(3, 2), rng=0)
        >>> scheme.can_decode([0, 1]), scheme.can_decode([2, 0, 1])
        (False, True)
        """
        need = {j for j in range(self.code.K) if self.code.T[j] > 0}
        return need <= set(responders)

    def decode(self, results: Mapping[int, np.ndarray], round_input: Mapping[str, Any]) -> np.ndarray:
        """Server relay: Y = A X (T_d, L) from the workers' uplinks.

        Parameters
        ----------
        results : dict int -> array
            Worker -> its (T_j, L) uplink; in the final round worker -> its model (d,).
        round_input : dict
            The round's input; ``round_input["final"]`` marks the final round.

        Returns
        -------
        array
            Y (T_d, L) of field elements; in the final round the workers'
            models, stacked (K, d).

        Raises
        ------
        ShardSizeError
            An uplink has the wrong number of rows.
        """
        if round_input.get("final"):
            return np.stack([results[j] for j in range(self.code.K)])
        return self.code.server_combine([results[j] for j in range(self.code.K)])


def worker_fn(payload: Dict[str, Any], round_input: Mapping[str, Any]) -> np.ndarray:
    """One round on worker k: decode last round's broadcast, update, compute and encode new values.

    The worker's state (its replica of all K models) lives in
    ``payload["state"]``, which this call updates.

    Parameters
    ----------
    payload : dict
        Worker k's payload from ``DMTLTraining.setup_tasks``.
    round_input : dict
        ``{"t": round, "Y": last round's broadcast (None at t = 0), "final": bool}``.

    Returns
    -------
    array
        The uplink X_k (T_k, L) uint32, or the model w_k (d,) float64 in the final round.

    Raises
    ------
    RuntimeError
        The payload's state is not at round t (it did not stay on its worker).
    FieldValueError
        A value does not fit the field at ``scale`` (see ``fit_scale``).

    Examples
    --------
    >>> from fastcode.schemes.dmtl import DMTLTraining, cyclic_placement, make_mtl_job, worker_fn
    >>> scheme = DMTLTraining(cyclic_placement(3, 2), rng=0)
    >>> payloads = scheme.setup_tasks(make_mtl_job(3, d=4, samples=8, rng=0))
    >>> X0 = worker_fn(payloads[0], {"t": 0, "Y": None, "final": False})
    >>> X0.shape, X0.dtype.name                     # (T_0, L), L = ceil(d / P)
    ((1, 2), 'uint32')
    >>> worker_fn(payloads[0], {"t": 0, "Y": None, "final": False})
    Traceback (most recent call last):
        ...
    RuntimeError: worker 0: state is at round 1, input is round 0 (the runtime must keep payloads on their workers)
    """
    f, P, k = payload["field"], payload["P"], payload["k"]
    state = payload["state"]
    t, Y = round_input["t"], round_input["Y"]
    if state["t"] != t:
        raise RuntimeError(f"worker {k}: state is at round {state['t']}, input is round {t} "
                           "(the runtime must keep payloads on their workers)")
    W = state["W"]
    if Y is not None:
        own = state["own"]                                   # (m_k, B) last round's values
        V = f.sub(f.matmul(payload["Q"], Y), f.matmul(payload["H"], split_values(own, P)))
        values = np.zeros((W.shape[0], own.shape[1]), dtype=own.dtype)
        values[payload["stored"]] = own
        values[payload["wanted"]] = merge_values(V, P, own.shape[1])
        G = f.to_float(values, payload["scale"])
        W = state["W"] = nonlinear_update(W, G, payload["lr"], payload["tau"])
    state["t"] = t + 1
    if round_input.get("final"):
        return W[k].copy()
    data = payload["data"]                                  # dataset n -> (X_n, y_n)
    own = np.stack([local_value(data[int(n)][0], data[int(n)][1], W[n], f, payload["scale"])
                    for n in payload["stored"]])
    state["own"] = own
    return f.matmul(payload["enc"], split_values(own, P))


DMTLTraining.worker_fn = staticmethod(worker_fn)   # the runtime runs it by name on each worker


def reference_training(job: MTLJob, iterations: int, field: PrimeField = DEFAULT_FIELD) -> np.ndarray:
    """Centralised uncoded run with the same quantised values: the models (K, d) after ``iterations``.

    Parameters
    ----------
    job : MTLJob
        The data and hyper-parameters.
    iterations : int
        Number of iterations.
    field : PrimeField, optional
        The field whose fixed-point quantisation is applied (default ``DEFAULT_FIELD``).

    Returns
    -------
    (K, d) float64 array
        The models.

    Raises
    ------
    FieldValueError
        A value does not fit the field at ``job.scale``.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import make_mtl_job, reference_training
    >>> job = make_mtl_job(2, d=3, samples=8, rng=0)
    >>> W = reference_training(job, 5)
    >>> W.shape
    (2, 3)
    >>> def loss(W):
    ...     return sum(float(np.mean((X @ w - y) ** 2)) for X, y, w in zip(job.X, job.y, W))
    >>> loss(W) < loss(job.W0)
    True
    """
    W = job.W0.copy()
    for _ in range(iterations):
        V = np.stack([local_value(job.X[n], job.y[n], W[n], field, job.scale) for n in range(len(job.X))])
        W = nonlinear_update(W, field.to_float(V, job.scale), job.lr, job.tau)
    return W


def fit_scale(job: MTLJob, iterations: int, field: PrimeField = DEFAULT_FIELD) -> float:
    """The largest fixed-point scale that fits the field.

    That is job.scale / 2^j (j >= 0) at which every value of ``iterations``
    training iterations fits GF(p)'s centred range |round(g * scale)| <= (p-1)/2.
    The coded run sends exactly the values of the centralised one
    (``reference_training``), so it fits too.  A small p gets a coarse
    quantisation, never an overflow.

    Parameters
    ----------
    job : MTLJob
        The data and hyper-parameters (``job.scale`` is the starting scale).
    iterations : int
        Number of iterations.
    field : PrimeField, optional
        The field (default ``DEFAULT_FIELD``).

    Returns
    -------
    float
        The scale.

    Raises
    ------
    FieldValueError
        Values that fit at no scale (non-finite).

    Examples
    --------
    >>> from fastcode.fields import PrimeField
    >>> from fastcode.schemes.dmtl import fit_scale, make_mtl_job
    >>> job = make_mtl_job(3, d=4, samples=8, rng=0)
    >>> fit_scale(job, 2), fit_scale(job, 2, PrimeField(10007))
    (1048576.0, 16384.0)
    """
    scale = float(job.scale)
    while True:
        try:
            reference_training(replace(job, scale=scale), iterations, field)
            return scale
        except FieldValueError:
            if scale < 2.0**-64:            # values that fit at no scale (non-finite)
                raise
            scale /= 2


def run_inprocess(scheme: DMTLTraining, job: MTLJob, iterations: int) -> Dict[str, Any]:
    """Drive the protocol in this process, as the runtime would.

    Parameters
    ----------
    scheme : DMTLTraining
        The scheme object.
    job : MTLJob
        The data and hyper-parameters.
    iterations : int
        Number of iterations (one final round follows).

    Returns
    -------
    dict
        ``models``: (K, d) reported by the workers; ``replicas``: list of every
        worker's K x d state; ``bytes_up`` / ``bytes_down``: per iteration
        (measured); ``baselines``: {name: (bytes up, bytes down)} per iteration
        for the same B; ``B``: the value length.

    Raises
    ------
    RuntimeError
        The server lacks an uplink (cannot happen in process).
    FieldValueError
        A value does not fit the field at ``job.scale``.

    Examples
    --------
    >>> from fastcode.schemes.dmtl import DMTLTraining, cyclic_placement, make_mtl_job, run_inprocess
    >>> job = make_mtl_job(3, d=4, samples=8, rng=0)
    >>> out = run_inprocess(DMTLTraining(cyclic_placement(3, 2), rng=0), job, 2)
    >>> out["bytes_up"], out["bytes_down"], out["baselines"]
    ([24, 24], [16, 16], {'uncoded': (48, 48), 'server_mds': (48, 16)})
    >>> all(np.array_equal(r, out["replicas"][0]) for r in out["replicas"])    # K x d replicas agree
    True
    >>> out["models"].shape
    (3, 4)
    """
    payloads = scheme.setup_tasks(job)
    Y, up, down = None, [], []
    for t in range(iterations + 1):
        final = t == iterations
        rnd = {"t": t, "Y": Y, "final": final}
        results = {k: worker_fn(payloads[k], rnd) for k in range(scheme.n_workers)}
        if final:
            break
        if not scheme.can_decode(list(results)):
            raise RuntimeError("server cannot relay: an uplink is missing")
        Y = scheme.decode(results, rnd)
        up.append(sum(r.nbytes for r in results.values()))
        down.append(Y.nbytes)
    B = job.W0.shape[1]
    item = np.dtype(scheme.field.dtype).itemsize
    base = {name: (int(ru * B * item), int(rd * B * item))
            for name, (ru, rd) in baseline_loads(scheme.code.Z).items()}
    return {
        "models": np.stack([results[k] for k in range(scheme.n_workers)]),
        "replicas": [p["state"]["W"] for p in payloads],
        "bytes_up": up, "bytes_down": down, "baselines": base, "B": B,
    }


def run_on_cluster(cluster, scheme, job, iterations):
    """The same training on a real cluster (``fastcode.runtime.LocalCluster`` or
    MPI): each iteration is one round whose input carries last round's relay Y,
    and the workers keep their state between rounds.

    Returns a dict: models (K, d) reported by the workers after the last round
    and round_times (s) per iteration.  (``run_inprocess`` measures the bytes.)"""
    cluster.setup(scheme, job)
    Y, times = None, []
    for t in range(iterations + 1):
        final = t == iterations
        result = cluster.run_round({"t": t, "Y": Y, "final": final})
        if final:
            return {"models": result.output, "round_times": times}
        times.append(result.wall_time)
        Y = result.output
