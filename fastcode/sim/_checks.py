"""The simulators' validators: ``fastcode._util.validate`` raising SimParameterError.

Every check raises :class:`SimParameterError` (an InvalidArgumentError, so a
``ValueError``) whose message names the offending parameter and says what was
expected and what was given.
"""
from functools import partial

from fastcode._util import validate
from fastcode.errors import SimParameterError

__all__ = ["SimParameterError", "positive_int", "real_array", "real_scalar", "probability"]

positive_int = partial(validate.integer, minimum=1, error=SimParameterError)
real_array = partial(validate.real_array, error=SimParameterError)
real_scalar = partial(validate.real_scalar, error=SimParameterError)
probability = partial(validate.probability, error=SimParameterError)
