"""Straggler models, analytic latency formulas and Monte Carlo simulators."""
