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

import numpy as np

from fastcode._util.rng import as_generator
from fastcode.errors import FieldValueError, InvalidArgumentError
from fastcode.schemes.dmtl.scheme import DEFAULT_FIELD, DMTLScheme, merge_values, split_values
from fastcode.schemes.dmtl.bounds import baseline_loads

__all__ = ["MTLJob", "make_mtl_job", "DMTLTraining", "worker_fn", "nonlinear_update",
           "run_inprocess", "reference_training", "fit_scale"]


@dataclass
class MTLJob:
    """Data and hyper-parameters: X[n] (s, d), y[n] (s,) float64 per task; W0 (K, d)."""

    X: list
    y: list
    W0: np.ndarray
    lr: float = 0.5
    tau: float = 1.0
    scale: float = 2.0**20       # fixed point: gradient g is sent as round(g * scale) in GF(p)


def make_mtl_job(K, d=16, samples=32, rng=None):
    """K related regression tasks: w*_n = common + 0.3 * own, noisy targets."""
    rng = as_generator(rng)
    common = rng.normal(size=d)
    X, y = [], []
    for _ in range(K):
        w_star = common + 0.3 * rng.normal(size=d)
        Xn = rng.normal(size=(samples, d)) / np.sqrt(d)
        X.append(Xn)
        y.append(Xn @ w_star + 0.01 * rng.normal(size=samples))
    return MTLJob(X, y, np.zeros((K, d)))


def local_value(Xn, yn, w, field, scale):
    """v_n: least-squares gradient of task n at w, quantised to GF(p) (shape (d,))."""
    g = Xn.T @ (Xn @ w - yn) / len(yn)
    return field.from_float(g, scale)


def nonlinear_update(W, G, lr, tau):
    """w_k <- w_k - lr * sum_n softmax_n(-|g_k - g_n|^2 / tau) g_n for every k.  W, G: (K, d)."""
    dist = ((G[:, None, :] - G[None, :, :]) ** 2).sum(axis=2)
    logits = -dist / tau
    logits -= logits.max(axis=1, keepdims=True)
    alpha = np.exp(logits)
    alpha /= alpha.sum(axis=1, keepdims=True)
    return W - lr * alpha @ G


class DMTLTraining:
    """Runtime-protocol scheme object for coded DMTL training on placement Z (N = K)."""

    def __init__(self, Z, field=DEFAULT_FIELD, rng=None):
        self.code = DMTLScheme.design(Z, field, rng)
        if self.code.N != self.code.K:
            raise InvalidArgumentError(f"the demo needs one dataset per task (N = K), got "
                                       f"K={self.code.K}, N={self.code.N}")
        self.n_workers = self.code.K
        self.field = field

    def setup_tasks(self, job):
        """One payload per worker: its datasets, its encoder/decoder matrices, a state slot."""
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

    def worker_load(self, i):
        """Fraction of the datasets worker i processes (m_i / N)."""
        return float(self.code.Z[i].sum()) / self.code.N

    def can_decode(self, responders):
        """The server needs the uplink of every worker that sends something (T_j > 0)."""
        need = {j for j in range(self.code.K) if self.code.T[j] > 0}
        return need <= set(responders)

    def decode(self, results, round_input):
        """Server relay: Y = A X (T_d, L) from the workers' uplinks (dict worker -> (T_j, L));
        in the final round the workers' models, stacked (K, d)."""
        if round_input.get("final"):
            return np.stack([results[j] for j in range(self.code.K)])
        return self.code.server_combine([results[j] for j in range(self.code.K)])


def worker_fn(payload, round_input):
    """One round on worker k: decode last round's broadcast, update, compute and encode new values.

    Returns the uplink X_k (T_k, L) uint32, or the model w_k (d,) float64 in the final round."""
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
    own = np.stack([local_value(*payload["data"][int(n)], W[n], f, payload["scale"])
                    for n in payload["stored"]])
    state["own"] = own
    return f.matmul(payload["enc"], split_values(own, P))


DMTLTraining.worker_fn = staticmethod(worker_fn)   # the runtime runs it by name on each worker


def reference_training(job, iterations, field=DEFAULT_FIELD):
    """Centralised uncoded run with the same quantised values: the models (K, d) after ``iterations``."""
    W = job.W0.copy()
    for _ in range(iterations):
        V = np.stack([local_value(job.X[n], job.y[n], W[n], field, job.scale) for n in range(len(job.X))])
        W = nonlinear_update(W, field.to_float(V, job.scale), job.lr, job.tau)
    return W


def fit_scale(job, iterations, field=DEFAULT_FIELD):
    """The largest fixed-point scale job.scale / 2^j (j >= 0) at which every value of
    ``iterations`` training iterations fits GF(p)'s centred range |round(g * scale)| <= (p-1)/2.

    The coded run sends exactly the values of the centralised one (``reference_training``),
    so it fits too.  A small p gets a coarse quantisation, never an overflow."""
    scale = float(job.scale)
    while True:
        try:
            reference_training(replace(job, scale=scale), iterations, field)
            return scale
        except FieldValueError:
            if scale < 2.0**-64:            # values that fit at no scale (non-finite)
                raise
            scale /= 2


def run_inprocess(scheme, job, iterations):
    """Drive the protocol in this process, as the runtime would.

    Returns a dict: models (K, d) reported by the workers, replicas (list of
    every worker's K x d state), bytes_up / bytes_down per iteration (measured),
    and the baselines' bytes per iteration for the same B."""
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
