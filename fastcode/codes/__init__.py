"""Codes as objects: MDS codes and gradient codes (exact and approximate)."""
from fastcode.codes.gradient import (CommEfficient, CyclicMDS, CyclicRepetition,
                                     FractionalRepetition, GradientCode)
from fastcode.codes.gradient_approx import (ApproxCommEfficient, ExpanderApprox, StackedApprox,
                                            StochasticGC)
from fastcode.codes.mds import Decoder, MDSCode
from fastcode.codes.fft import FFTCode

__all__ = ["Decoder", "MDSCode", "GradientCode", "FractionalRepetition", "CyclicRepetition",
           "CyclicMDS", "CommEfficient", "ApproxCommEfficient", "StackedApprox", "ExpanderApprox",
           "StochasticGC", "FFTCode"]
