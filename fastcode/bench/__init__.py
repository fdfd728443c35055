"""Benchmarks shipped with the package (``fastcode bench``) and the optional
comparators they measure against.  Nothing here is imported by the library."""
