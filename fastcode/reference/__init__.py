"""Pure-NumPy reference implementations of every fast path.

Slow and obviously right: the tests compare the native kernels against these,
and FASTCODE_BACKEND=numpy routes the public API here.
"""
