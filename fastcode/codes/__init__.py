"""Codes as objects, all on one contract (``fastcode.codes.base.Code``: n, k,
field, encode, can_decode(indices), decode(results, indices, out=None)):
MDS codes (``mds``, real ones in ``real``, GF(2^16) additive-FFT Reed-Solomon for up
to 65535 shards in ``fft``), polynomial codes for matrix
products (``polynomial``) and gradient codes, exact and approximate
(``gradient``, ``gradient_approx``, assignments in ``designs``)."""
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
