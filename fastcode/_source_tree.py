"""The guard against importing an unbuilt source tree.

``python -m ...`` and ``python -c ...`` put the working directory first on
``sys.path``, so from the root of a clone the ``fastcode/`` source directory
shadows the installed, compiled package.  Without this guard that ends in an
``ImportError`` about a partially initialised module deep inside ``codes``;
with it, ``import fastcode`` raises one :class:`ImportError` that names the
shadowing directory and says what to do.  ``FASTCODE_BACKEND=numpy`` is the
exception: the tree then runs on the pure-NumPy reference, which is what that
switch is for.

Lowest layer: imports nothing from fastcode.
"""
import importlib.machinery
import os
import sys

__all__ = ["COMPILED_MODULES", "missing_extensions", "check_built"]

COMPILED_MODULES = ("fields/_gf256", "fields/_gfp", "codes/_recovery", "_util/_memory")
"""The compiled extensions of setup.py, as paths inside the package without suffix."""


def missing_extensions(package_dir):
    """The entries of :data:`COMPILED_MODULES` with no built file in ``package_dir``."""
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    return [name for name in COMPILED_MODULES
            if not any(os.path.exists(os.path.join(package_dir, *name.split("/")) + suffix)
                       for suffix in suffixes)]


def _installed_elsewhere(package_dir):
    """The directory of another fastcode package on sys.path, or None."""
    parent = os.path.realpath(os.path.dirname(package_dir))
    others = [p for p in sys.path if os.path.realpath(p or os.getcwd()) != parent]
    spec = importlib.machinery.PathFinder.find_spec("fastcode", others)
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def check_built(package_dir):
    """Raise ImportError when ``package_dir`` (fastcode's own directory) lacks compiled
    extensions, unless ``FASTCODE_BACKEND=numpy`` asks for the NumPy reference."""
    missing = missing_extensions(package_dir)
    if not missing or os.environ.get("FASTCODE_BACKEND") == "numpy":
        return
    installed = _installed_elsewhere(package_dir)
    where = (f"It shadows the installed fastcode in {installed}, because Python puts the "
             "current directory (or the script's) first on sys.path: run from another "
             "directory, or use the `fastcode` command, which does not do that"
             if installed else "No other fastcode is installed: install it with `pip install .` "
             "and run from another directory")
    raise ImportError(
        f"fastcode is imported from {package_dir}, a source tree whose compiled extensions "
        f"are not built ({', '.join(missing)}).  {where}; or build this tree in place with "
        "`pip install -e .`.  (FASTCODE_BACKEND=numpy runs the tree as it is, on the slow "
        "NumPy reference.)")
