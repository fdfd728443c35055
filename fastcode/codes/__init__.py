"""Codes as objects: gradient codes (exact and approximate)."""
from fastcode.codes.gradient import (CommEfficient, CyclicMDS, CyclicRepetition,
                                     FractionalRepetition, GradientCode)
from fastcode.codes.gradient_approx import (ApproxCommEfficient, ExpanderApprox, StackedApprox,
                                            StochasticGC)

__all__ = ["GradientCode", "FractionalRepetition", "CyclicRepetition", "CyclicMDS",
           "CommEfficient", "ApproxCommEfficient", "StackedApprox", "ExpanderApprox",
           "StochasticGC"]
