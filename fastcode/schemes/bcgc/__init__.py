"""Block-coordinate gradient coding for partial stragglers (Wang, Cui, Li, Zou, Xiong).

One paper family, one package:

- ``model``: the runtime T(x) of a block allocation x, sampled and per block;
- ``exact``: its expectation and completion probability by quadrature and order statistics;
- ``opt``: the optimisers (closed-form approximations A and B, the Jensen bound, SPSG,
  completion-probability maximisation);
- ``scheme``: ``BlockCoordinateGC``, the scheme that runs on ``fastcode.runtime`` (for real
  on ``LocalCluster``, or with simulated time on ``VirtualCluster`` via ``part_times`` and
  ``block_times``).

Every public name of those modules is exported here.
"""
from fastcode.schemes.bcgc.exact import *  # noqa: F401,F403
from fastcode.schemes.bcgc.exact import __all__ as _exact
from fastcode.schemes.bcgc.model import *  # noqa: F401,F403
from fastcode.schemes.bcgc.model import __all__ as _model
from fastcode.schemes.bcgc.opt import *  # noqa: F401,F403
from fastcode.schemes.bcgc.opt import __all__ as _opt
from fastcode.schemes.bcgc.scheme import *  # noqa: F401,F403
from fastcode.schemes.bcgc.scheme import __all__ as _scheme

__all__ = [*_scheme, *_model, *_exact, *_opt]
