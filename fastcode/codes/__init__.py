"""Codes as objects, all on one contract (``fastcode.codes.base.Code``).

Every code has ``n`` (workers or shards), ``k`` (the recovery threshold),
``field``, ``encode(...)``, ``can_decode(indices)`` and ``decode(results,
indices, out=None)``, with ``results[i]`` from worker ``indices[i]``:

* MDS codes: ``mds`` (``MDSCode``, any field; error correction with
  ``MDSCode.correct``, the method in ``correct``), real ones in ``real``, and
  GF(2^16) additive-FFT Reed-Solomon for up to 65535 shards in ``fft``;
* polynomial codes for matrix products (``polynomial``: ``PolynomialCode``,
  ``MatDot`` and their Chebyshev forms);
* gradient codes, exact and approximate (``gradient``, ``gradient_approx``,
  assignments in ``designs``).

Examples
--------
The same three calls drive any of them:

>>> from fastcode.codes import MatDot, MDSCode
>>> from fastcode.codes.polynomial import worker_product
>>> code = MDSCode(5, 3)
>>> data = np.arange(12, dtype=np.uint8).reshape(3, 4)
>>> stripe = np.vstack([data, code.encode(data)])
>>> np.array_equal(code.decode(stripe[[4, 0, 3]], [4, 0, 3]), data)
True
>>> product = MatDot(5, 2)
>>> A = product.field.asarray([[1, 2], [3, 4]])
>>> results = [worker_product(task) for task in product.encode(A, A)]
>>> product.decode([results[4], results[0], results[3]], [4, 0, 3]).tolist()
[[7, 10], [15, 22]]
"""
from fastcode.codes.base import Code
from fastcode.codes.gradient import (CommEfficient, CyclicMDS, CyclicRepetition,
                                     FractionalRepetition, GradientCode)
from fastcode.codes.gradient_approx import (ApproxCommEfficient, ExpanderApprox, StackedApprox,
                                            StochasticGC)
from fastcode.codes.mds import Decoder, MDSCode
from fastcode.codes.fft import FFTCode
from fastcode.codes.polynomial import MatDot, OrthoMatDot, OrthoPolyCode, PolynomialCode
from fastcode.codes.real import real_mds_code

__all__ = ["Code", "Decoder", "MDSCode", "FFTCode", "real_mds_code", "GradientCode",
           "FractionalRepetition", "CyclicRepetition", "CyclicMDS", "CommEfficient",
           "ApproxCommEfficient", "StackedApprox", "ExpanderApprox", "StochasticGC",
           "PolynomialCode", "MatDot", "OrthoMatDot", "OrthoPolyCode"]
