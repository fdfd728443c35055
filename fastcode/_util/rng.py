"""Random generators: every random choice in fastcode goes through one
``numpy.random.Generator`` passed as ``rng=`` (a seed, None or a Generator)."""
import numpy as np

__all__ = ["as_generator"]


def as_generator(rng):
    """A numpy.random.Generator from None (fresh entropy), an int seed or a Generator."""
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)
