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
import numpy as np

from fastcode.errors import InvalidArgumentError, ShardSizeError
from fastcode.fields.reals import RealsField

__all__ = ["GradientTraining", "gradient_message", "full_gradient", "sigmoid"]


def sigmoid(z):
    """Numerically stable logistic function."""
    out = np.empty_like(z, dtype=np.float64)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def full_gradient(X, y, theta):
    """Mean logistic-loss gradient X^T (sigmoid(X theta) - y) / len(y), computed directly."""
    return X.T @ (sigmoid(X @ theta) - y) / X.shape[0]


def gradient_message(payload, theta):
    """Worker function: ``payload = (Xs, ys, coef, n_samples)`` with the worker's parts
    (lists of (rows_j, d) and (rows_j,) arrays), coefficients (c, m); returns (L,),
    L = ceil(d / m).  Module level (picklable by name); keeps no reference to theta."""
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
    """Runtime protocol adapter: gradient code + logistic-regression data."""

    worker_fn = staticmethod(gradient_message)

    def __init__(self, code, X, y):
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

    def __repr__(self):
        return f"GradientTraining({self.code!r}, samples={self.X.shape[0]}, d={self.d})"

    def setup_tasks(self, job=None):
        """Per-worker payloads (Xs, ys, coef, n_samples); ``job`` is ignored (data is bound)."""
        tasks = []
        for i in range(self.n_workers):
            parts = self.code.parts(i)
            Xs = [self.X[a:b] for a, b in (self.part_rows[j] for j in parts)]
            ys = [self.y[a:b] for a, b in (self.part_rows[j] for j in parts)]
            coef = np.ascontiguousarray(self.code.coefficients(i), dtype=np.float64)
            tasks.append((Xs, ys, coef, self.X.shape[0]))
        return tasks

    def worker_load(self, i):
        """Fraction of the data worker i processes."""
        return len(self.code.parts(i)) / self.code.N

    def can_decode(self, responders):
        return bool(self.code.can_decode(list(responders)))

    def decode(self, results, round_input=None):
        """The full mean gradient (d,) from the responders' coded messages."""
        ids = list(results)
        coded = np.stack([np.asarray(results[i], dtype=np.float64) for i in ids])
        return np.asarray(self.code.decode(coded, ids))[:self.d]

    def reference(self, theta):
        return full_gradient(self.X, self.y, theta)
