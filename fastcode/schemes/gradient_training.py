"""Gradient-coded logistic regression as a runtime-protocol scheme.

``GradientTraining(code, X, y)`` wraps a :class:`fastcode.codes.gradient.GradientCode`
(over Reals) for ``fastcode.runtime``.  The samples (X, y) are cut into the
code's N data parts (contiguous row ranges, ``np.array_split``); worker i keeps
the parts ``code.parts(i)`` and its encoding coefficients ``code.coefficients(i)``
(its payload, read-only).  Each round the input is the current parameter
vector theta (d,); worker i computes the partial gradient of every part it
holds,

    g_j = X_j^T (sigmoid(X_j theta) - y_j) / n_samples,

and sends the coded message sum_u sum_j B_u[i, j] g_j[u] (``gradient_message``,
the same arithmetic as ``GradientCode.encode``).  The master decodes the sum
of the g_j -- the full mean logistic-loss gradient -- from any decodable set of
responders (``code.can_decode``).  ``full_gradient`` computes it directly.
"""
from typing import Any, Iterable, List, Mapping, Sequence, Tuple

import numpy as np
from numpy.typing import ArrayLike

from fastcode.codes.gradient import GradientCode
from fastcode.errors import InvalidArgumentError, ShardSizeError
from fastcode.fields.reals import RealsField

__all__ = ["GradientTraining", "gradient_message", "full_gradient", "sigmoid"]


# A worker's payload: its parts' samples (lists of (rows_j, d) and (rows_j,) arrays),
# its encoding coefficients (c, m) and the total number of samples.
_Payload = Tuple[Sequence[np.ndarray], Sequence[np.ndarray], np.ndarray, int]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function ``1 / (1 + exp(-z))``, element-wise.

    Negative entries are computed as ``exp(z) / (1 + exp(z))``, so no
    ``exp`` overflows.

    Parameters
    ----------
    z : array of float
        The arguments.

    Returns
    -------
    float64 array
        The values in [0, 1], of the shape of ``z``.

    Examples
    --------
    >>> from fastcode.schemes.gradient_training import sigmoid
    >>> sigmoid(np.array([-800.0, 0.0, 2.0])).round(4).tolist()
    [0.0, 0.5, 0.8808]
    """
    out = np.empty_like(z, dtype=np.float64)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def full_gradient(X: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Mean logistic-loss gradient X^T (sigmoid(X theta) - y) / len(y), computed directly.

    The reference the coded gradient is checked against.

    Parameters
    ----------
    X : (samples, d) float64 array
        The samples.
    y : (samples,) float64 array
        The labels, in {0, 1}.
    theta : (d,) float64 array
        The parameters.

    Returns
    -------
    (d,) float64 array
        The gradient.

    Examples
    --------
    >>> from fastcode.schemes.gradient_training import full_gradient
    >>> X = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> full_gradient(X, np.array([1.0, 0.0]), np.zeros(2)).tolist()   # (sigmoid(0) - y) / 2
    [-0.25, 0.25]
    """
    return X.T @ (sigmoid(X @ theta) - y) / X.shape[0]


def gradient_message(payload: _Payload, theta: np.ndarray) -> np.ndarray:
    """Worker function: the coded message sum_u sum_j B_u[i, j] g_j[u] of one worker.

    Module level (picklable by name); keeps no reference to theta.  The
    arithmetic of ``GradientCode.encode``: block u (of length L) of every partial
    gradient g_j, zero-padded to m L, weighted by the coefficients.

    Parameters
    ----------
    payload : tuple (Xs, ys, coef, n_samples)
        As ``GradientTraining.setup_tasks`` makes it: the worker's c parts (lists
        of (rows_j, d) and (rows_j,) float64 arrays), its coefficients (c, m) and
        the total number of samples (the gradient is a mean over them).
    theta : (d,) float64 array
        The round input, the current parameters.

    Returns
    -------
    (L,) float64 array
        The message, L = ceil(d / m).

    Examples
    --------
    >>> from fastcode.codes.gradient import FractionalRepetition
    >>> from fastcode.schemes import GradientTraining
    >>> from fastcode.schemes.gradient_training import full_gradient, gradient_message
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((40, 3)), (rng.random(40) < 0.5).astype(float)
    >>> training = GradientTraining(FractionalRepetition(4, 1), X, y)
    >>> payloads = training.setup_tasks()
    >>> theta = np.zeros(3)
    >>> m = gradient_message(payloads[0], theta)   # worker 0 holds parts 0 and 1
    >>> m.shape, bool(np.allclose(m, full_gradient(X[:20], y[:20], theta) / 2))
    ((3,), True)
    """
    Xs, ys, coef, n_samples = payload
    c, m = coef.shape
    d = theta.shape[0]
    L = -(-d // m)
    G = np.zeros((c, m * L))
    for jj in range(c):
        G[jj, :d] = Xs[jj].T @ (sigmoid(Xs[jj] @ theta) - ys[jj])
    G /= float(n_samples)
    # row (jj, u) of the stack is block u of g_j, as in GradientCode.encode
    return (coef.reshape(1, c * m) @ G.reshape(c * m, L)).reshape(L)


class GradientTraining:
    """Runtime protocol adapter: gradient code + logistic-regression data.

    The samples are cut into the code's N parts (contiguous row ranges,
    ``part_rows``, as ``np.array_split`` cuts them); worker i's payload holds the
    parts ``code.parts(i)`` and ``code.coefficients(i)``.  Each round's input is
    theta (d,); the worker function is :func:`gradient_message` and ``decode``
    gives the full mean gradient from any decodable set of responders.
    Attributes: ``code``, ``n_workers``, ``X``, ``y`` (float64, C-contiguous
    copies when needed), ``d``, ``part_rows``.

    Parameters
    ----------
    code : GradientCode
        Over Reals (e.g. ``CyclicRepetition``, ``FractionalRepetition``).
    X : (samples, d) array_like
        The samples, at least one per data part (samples >= N).
    y : (samples,) array_like
        The labels, in {0, 1}.

    Raises
    ------
    InvalidArgumentError
        ``code`` is not over the reals.
    ShardSizeError
        ``X`` is not 2-D, ``y`` not of length samples, or fewer samples than parts.

    Examples
    --------
    Logistic regression on 4 workers, any 3 of which give the exact gradient
    (fractional repetition, s = 1):

    >>> from fastcode.codes.gradient import FractionalRepetition
    >>> from fastcode.runtime import VirtualCluster
    >>> from fastcode.schemes import GradientTraining
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.standard_normal((40, 3)), (rng.random(40) < 0.5).astype(float)
    >>> training = GradientTraining(FractionalRepetition(4, 1), X, y)
    >>> training.part_rows, training.worker_load(0)
    ([(0, 10), (10, 20), (20, 30), (30, 40)], 0.5)

    Gradient-coded training steps on a virtual cluster with random worker
    times follow plain gradient descent exactly:

    >>> cluster = VirtualCluster(4)
    >>> _ = cluster.setup(training, None)
    >>> theta = direct = np.zeros(3)
    >>> for step in range(5):
    ...     r = cluster.run_round(theta, rng.exponential(size=4))
    ...     theta = theta - 0.5 * r.output
    ...     direct = direct - 0.5 * training.reference(direct)
    >>> bool(np.allclose(theta, direct))
    True
    """

    worker_fn = staticmethod(gradient_message)

    def __init__(self, code: GradientCode, X: ArrayLike, y: ArrayLike) -> None:
        if not isinstance(code.field, RealsField):
            raise InvalidArgumentError(f"gradient training needs a real code, got {code.field}")
        X = np.ascontiguousarray(X, dtype=np.float64)
        y = np.ascontiguousarray(y, dtype=np.float64)
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ShardSizeError(f"X must be (samples, d) and y (samples,), got {X.shape}, {y.shape}")
        if X.shape[0] < code.N:
            raise ShardSizeError(f"need at least one sample per data part: {X.shape[0]} samples, "
                                 f"{code.N} parts")
        self.code = code
        self.n_workers = int(code.n)
        self.X, self.y = X, y
        self.d = X.shape[1]
        bounds = np.linspace(0, X.shape[0], code.N + 1).round().astype(int)
        self.part_rows = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    def __repr__(self) -> str:
        return f"GradientTraining({self.code!r}, samples={self.X.shape[0]}, d={self.d})"

    def setup_tasks(self, job: Any = None) -> List[_Payload]:
        """Per-worker payloads (Xs, ys, coef, n_samples); ``job`` is ignored (data is bound).

        Parameters
        ----------
        job : optional
            Ignored: the data was given to the constructor.

        Returns
        -------
        list of n_workers tuples (Xs, ys, coef, n_samples)
            Worker i's parts (views of X and y, in ``code.parts(i)`` order), its
            coefficients (c, m) float64 and the number of samples.
        """
        tasks: List[_Payload] = []
        for i in range(self.n_workers):
            parts = self.code.parts(i)
            Xs = [self.X[a:b] for a, b in (self.part_rows[j] for j in parts)]
            ys = [self.y[a:b] for a, b in (self.part_rows[j] for j in parts)]
            coef = np.ascontiguousarray(self.code.coefficients(i), dtype=np.float64)
            tasks.append((Xs, ys, coef, self.X.shape[0]))
        return tasks

    def worker_load(self, i: int) -> float:
        """Fraction of the data worker i processes.

        Parameters
        ----------
        i : int
            Worker id.

        Returns
        -------
        float
            ``len(code.parts(i)) / N``.

        Raises
        ------
        InvalidArgumentError
            ``i`` is not a worker id.
        """
        return len(self.code.parts(i)) / self.code.N

    def can_decode(self, responders: Iterable[int]) -> bool:
        """Whether the code decodes from ``responders`` (``code.can_decode``).

        Parameters
        ----------
        responders : iterable of int
            Distinct worker ids.

        Returns
        -------
        bool

        Raises
        ------
        InvalidArgumentError
            An id is out of range or repeated.
        """
        return bool(self.code.can_decode(list(responders)))

    def decode(self, results: Mapping[int, ArrayLike], round_input: Any = None) -> np.ndarray:
        """The full mean gradient (d,) from the responders' coded messages.

        Parameters
        ----------
        results : mapping {worker id: (L,) message}
            The responders' messages.
        round_input : optional
            Not needed (accepted for the runtime protocol).

        Returns
        -------
        (d,) float64 array
            The mean logistic-loss gradient at the round's theta.

        Raises
        ------
        NotEnoughShardsError
            The responders cannot decode.
        """
        ids = list(results)
        coded = np.stack([np.asarray(results[i], dtype=np.float64) for i in ids])
        return np.asarray(self.code.decode(coded, ids))[:self.d]

    def reference(self, theta: np.ndarray) -> np.ndarray:
        """The gradient computed directly, ``full_gradient(X, y, theta)``.

        Parameters
        ----------
        theta : (d,) float64 array
            The parameters.

        Returns
        -------
        (d,) float64 array
            What ``decode`` gives for the round input theta.
        """
        return full_gradient(self.X, self.y, theta)
