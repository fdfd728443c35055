"""Every public name of fastcode has a docstring.

The public names are the ``__all__`` of every public module (no underscore in
its dotted name), the same list the API reference is generated from
(docs/_ext/apigen.py).  A class or function needs its own ``__doc__``; a
constant (an int, a dict, a field instance) has no ``__doc__`` of its own, so
it needs the attribute docstring Sphinx reads: a string literal right after
its assignment, or a ``#:`` comment just above it.  A name re-exported from
another module is checked where it is defined.
"""
import ast
import functools
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import fastcode

SKIP = {"fastcode.__main__", "fastcode.repro.__main__"}


def _public_modules():
    names = ["fastcode"]
    for info in pkgutil.walk_packages(fastcode.__path__, "fastcode."):
        if info.name in SKIP or any(p.startswith("_") for p in info.name.split(".")):
            continue
        names.append(info.name)
    return names


def _public_names():
    """(module, name, object) for every name in a public module's ``__all__``."""
    out = []
    for modname in _public_modules():
        module = importlib.import_module(modname)
        for name in getattr(module, "__all__", ()):
            if name == "__version__":
                continue
            out.append((module, name, getattr(module, name)))
    return out


def _documented_constants(module):
    return _documented_in(module.__name__)


@functools.lru_cache(maxsize=None)
def _documented_in(modname):
    """Names of ``module`` assigned at top level with an attribute docstring (a string
    statement right after the assignment) or a ``#:`` comment right above it."""
    module = importlib.import_module(modname)
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return set()
    lines = source.splitlines()
    tree = ast.parse(source)
    found = set()
    body = tree.body
    for i, node in enumerate(body):
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        else:
            continue
        after = body[i + 1] if i + 1 < len(body) else None
        docstring = (isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                     and isinstance(after.value.value, str) and after.value.value.strip())
        above = lines[node.lineno - 2].lstrip() if node.lineno >= 2 else ""
        if docstring or above.startswith("#:"):
            found.update(targets)
    return found


def _is_code(obj):
    return inspect.isclass(obj) or inspect.isroutine(obj) or \
        type(obj).__name__ in ("cython_function_or_method", "fused_cython_function")


@functools.lru_cache(maxsize=None)
def _all_modules():
    """Every module of the package, private ones included (where re-exports are defined)."""
    mods = [fastcode]
    for info in pkgutil.walk_packages(fastcode.__path__, "fastcode."):
        if info.name not in SKIP:
            try:
                mods.append(importlib.import_module(info.name))
            except ImportError:
                pass                 # an optional extension that is not built here
    return tuple(mods)


def _missing():
    missing = []
    for module, name, obj in _public_names():
        if inspect.ismodule(obj):
            if not (obj.__doc__ or "").strip():
                missing.append(f"{obj.__name__} (module)")
            continue
        if _is_code(obj) and (obj.__doc__ or "").strip():
            continue
        if not _is_code(obj) and type(obj).__module__.startswith("fastcode") \
                and (type(obj).__doc__ or "").strip():
            continue            # an instance of a fastcode class (GF256, Reals): its class's doc
        # a constant, or a callable made by a factory: an attribute docstring where it is
        # assigned (this module, or the module it is re-exported from, private ones included)
        if any(name in _documented_constants(m) and getattr(m, name, None) is obj
               for m in _all_modules()):
            continue
        kind = "callable" if _is_code(obj) else "constant"
        missing.append(f"{module.__name__}.{name} ({kind})")
    return sorted(set(missing))


def test_public_modules_have_docstrings():
    bare = [m for m in _public_modules() if not (importlib.import_module(m).__doc__ or "").strip()]
    assert not bare, f"modules without a docstring: {bare}"


def test_every_public_name_has_a_docstring():
    missing = _missing()
    assert not missing, "public names without a docstring:\n" + "\n".join(missing)


def test_the_check_sees_public_names():
    names = {(m.__name__, n) for m, n, _ in _public_names()}
    assert ("fastcode.codes.mds", "MDSCode") in names and len(names) > 300
    # the constant rule on known input: documented constants are found, undocumented ones not
    found = _documented_constants(fastcode.codes.gradient)
    assert {"DEFAULT_CACHE_SIZE", "COND_WARN"} <= found
    assert "np" not in found and "math" not in found
