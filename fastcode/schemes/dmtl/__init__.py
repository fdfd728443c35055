"""Coded distributed multi-task learning: placement of task data on workers, the
communication-load bounds, the coded scheme over GF(p), the separable-computation
scheme for heterogeneous demands, and coded training on the runtime.

One paper family, one package:

- ``placement``: which worker stores which task's data (cyclic, MAN, random, from sets);
- ``bounds``: uplink/downlink load bounds (cut-set LP, closed forms, baselines);
- ``lp``: exact rational answers from SciPy's LP solver;
- ``linalg``: the small GF(p) linear algebra the schemes share (left inverses, null spaces);
- ``scheme``: ``DMTLScheme``, the coded multicast scheme;
- ``separable``: ``SeparableComputation`` and its designs;
- ``training``: coded DMTL training rounds on ``fastcode.runtime``.

Every public name of ``placement``, ``bounds``, ``scheme``, ``separable`` and ``training``
is exported here.
"""
from fastcode.schemes.dmtl.bounds import *  # noqa: F401,F403
from fastcode.schemes.dmtl.bounds import __all__ as _bounds
from fastcode.schemes.dmtl.placement import *  # noqa: F401,F403
from fastcode.schemes.dmtl.placement import __all__ as _placement
from fastcode.schemes.dmtl.scheme import *  # noqa: F401,F403
from fastcode.schemes.dmtl.scheme import __all__ as _scheme
from fastcode.schemes.dmtl.separable import *  # noqa: F401,F403
from fastcode.schemes.dmtl.separable import __all__ as _separable
from fastcode.schemes.dmtl.training import *  # noqa: F401,F403
from fastcode.schemes.dmtl.training import __all__ as _training

__all__ = [*_scheme, *_placement, *_bounds, *_separable, *_training]
