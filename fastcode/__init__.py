"""fastcode: a finite-field coding engine for coded distributed computing.

Fields (GF256, PrimeField(p), Reals), MDS/gradient/polynomial codes, coded-
computing schemes, straggler simulators and a distributed runtime, over plain
NumPy arrays with hot loops in C.  ``fastcode demo`` is the main job.

Examples
--------
A systematic RS(6, 4) code over GF(2^8): four data shards, two parity shards,
and the data back from any four of the six.

>>> from fastcode import MDSCode
>>> code = MDSCode(6, 4)
>>> data = np.arange(4 * 8, dtype=np.uint8).reshape(4, 8)
>>> parity = code.encode(data)              # (2, 8)
>>> shards = np.vstack([data, parity])      # shard i is row i
>>> survivors = [1, 2, 4, 5]                # shards 0 and 3 lost
>>> np.array_equal(code.decode(shards[survivors], survivors), data)
True
"""
__version__ = "0.1.0"

from fastcode._source_tree import check_built as _check_built

_check_built(__path__[0])  # one clear ImportError from an unbuilt source tree

from fastcode._config import MAX_THREADS, get_backend, get_num_threads, set_backend, set_num_threads
from fastcode.errors import (
    ConditioningWarning,
    FastcodeError,
    FieldTypeError,
    FieldValueError,
    InvalidArgumentError,
    NotEnoughShardsError,
    ShardSizeError,
    SingularMatrixError,
    UncorrectableError,
)
from fastcode.fields import GF256, GF65536, Field, PrimeField, Reals, min_prime_for_product
from fastcode.platform import (
    available_simd_levels,
    cpu_features,
    info,
    set_simd_level,
    simd_level,
)

__all__ = [
    "__version__",
    "GF256",
    "GF65536",
    "Field",
    "PrimeField",
    "Reals",
    "min_prime_for_product",
    "ConditioningWarning",
    "FastcodeError",
    "FieldTypeError",
    "FieldValueError",
    "InvalidArgumentError",
    "MAX_THREADS",
    "NotEnoughShardsError",
    "ShardSizeError",
    "SingularMatrixError",
    "UncorrectableError",
    "available_simd_levels",
    "cpu_features",
    "get_backend",
    "get_num_threads",
    "info",
    "set_backend",
    "set_num_threads",
    "set_simd_level",
    "simd_level",
]

from fastcode import matrices  # noqa: E402  (after fields: matrices uses them)
from fastcode.codes import FFTCode, MDSCode  # noqa: E402

__all__ += ["FFTCode", "MDSCode", "matrices"]
