"""The package's layers, read from its own source: no import runs upward, and no
module imports another module's private (underscore) name.

Layers, lowest first (a room may import the rooms listed for it, and itself):

    _config, errors, _util          shared settings, errors, helpers
    _source_tree, _interrupts       the unbuilt-tree guard; Ctrl-C/SIGTERM as one exception
    _document                       the --json document (uses platform for the machine)
    reference                       the NumPy reference of every kernel
    fields                          GF256, PrimeField, Reals (+ their compiled kernels)
    matrices, matrices_real         generator constructions
    codes                           codes as objects (the Code contract)
    sim                             straggler models, latency formulas, Monte Carlo
    schemes                         coded-computing schemes (generic ones and paper packages)
    runtime                         executors: local, MPI, virtual clock (knows schemes only
                                    by their protocol, so it never imports them)
    compat                          drop-in zfec / PyECLib interfaces over the engine
    bench, platform                 benchmarks (of kernels and codes) and machine information
    repro                           reproductions of the papers (may use everything below)
    demo, cli                       the command line (nothing imports cli)

Imports inside functions count too: a lazy import is still an arrow.
"""
import ast
import functools
import importlib
import pathlib
import re
import types

import pytest

import fastcode

ROOT = pathlib.Path(fastcode.__file__).parent

BASE = {"_config", "errors", "_util", "_progress"}
ALLOWED = {
    "_config": set(),
    "errors": set(),
    "_util": {"_config", "errors"},
    "_progress": set(),
    "_source_tree": set(),
    "_interrupts": set(),
    "_document": BASE | {"platform"},
    "reference": BASE,
    "fields": BASE | {"reference"},
    "matrices": BASE | {"reference", "fields", "matrices_real"},
    "matrices_real": BASE | {"reference", "fields"},
    "codes": BASE | {"reference", "fields", "matrices", "matrices_real"},
    "sim": BASE | {"fields"},
    "schemes": BASE | {"reference", "fields", "matrices", "matrices_real", "codes", "sim"},
    "runtime": BASE | {"fields", "sim"},
    "compat": BASE | {"reference", "fields", "matrices", "matrices_real", "codes"},
    "platform": BASE | {"fields", "reference"},
    "bench": BASE | {"fields", "reference", "platform", "_document", "matrices", "codes"},
    "repro": BASE | {"reference", "fields", "matrices", "matrices_real", "codes", "sim",
                     "schemes", "runtime", "platform", "_document"},
    "demo": BASE | {"reference", "fields", "matrices", "matrices_real", "codes", "sim",
                    "schemes", "runtime", "platform", "repro", "_document"},
    "cli": BASE | {"reference", "fields", "matrices", "matrices_real", "codes", "sim",
                   "schemes", "runtime", "platform", "repro", "bench", "demo", "compat",
                   "_document", "_interrupts"},
    "__main__": {"cli"},
}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] == "__init__.py":
            continue                       # the package root re-exports the public names
        yield path, ".".join(("fastcode",) + rel.with_suffix("").parts).removesuffix(".__init__")


def _room(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports(path, module):
    """(line, imported module, imported names) for every import in the file."""
    tree = ast.parse(path.read_text(), str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            yield node.lineno, target, tuple(a.name for a in node.names)


def _pyx_imports(path):
    for n, line in enumerate(path.read_text().splitlines(), 1):
        m = re.match(r"\s*(?:from|cimport|import)\s+(fastcode[\w.]*)", line)
        if m:
            yield n, m.group(1), ()


@functools.lru_cache(maxsize=None)
def _arrows():
    """(path, module, line, target, names) of every import of fastcode by fastcode
    (parsed once: several tests read them)."""
    found = []
    for path, module in _modules():
        for line, target, names in _imports(path, module):
            if target and target.split(".")[0] == "fastcode":
                found.append((path, module, line, target, names))
    for path in sorted(ROOT.rglob("*.pyx")):
        module = ".".join(("fastcode",) + path.relative_to(ROOT).with_suffix("").parts)
        for line, target, names in _pyx_imports(path):
            found.append((path, module, line, target, names))
    return tuple(found)


def test_every_room_is_known():
    rooms = {_room(m) for _, m in _modules()}
    assert rooms <= set(ALLOWED), f"rooms without a layer: {sorted(rooms - set(ALLOWED))}"


def _root_name_room(name):
    """Room of ``from fastcode import name``: the submodule, or where the object is defined."""
    obj = getattr(fastcode, name, None)
    if isinstance(obj, types.ModuleType) or obj is None:
        return _room(f"fastcode.{name}")
    return _room(getattr(obj, "__module__", "fastcode") or "fastcode")


def test_no_import_runs_upward():
    bad = []
    for path, module, line, target, names in _arrows():
        src = _room(module)
        dsts = [_root_name_room(n) for n in names] if target == "fastcode" else [_room(target)]
        for dst in dsts:
            if dst not in ("", src) and dst not in ALLOWED[src]:
                bad.append(f"{path.relative_to(ROOT.parent)}:{line}: {src} -> {dst} ({target})")
    assert not bad, "imports that run up the layers:\n" + "\n".join(bad)


def test_no_private_names_of_other_modules():
    """``from x import _name`` only for private *modules* of one's own package (a
    compiled kernel module, a runtime helper module), never a private function,
    class or constant of another module."""
    bad = []
    for path, module, line, target, names in _arrows():
        for name in names:
            if not name.startswith("_") or name.startswith("__"):
                continue
            try:
                obj = getattr(importlib.import_module(target), name)
            except (ImportError, AttributeError):
                continue                   # a compiled module absent from an unbuilt tree
            if isinstance(obj, types.ModuleType):
                own = module.rsplit(".", 1)[0]
                if target in (own, module) or own.startswith(target + ".") \
                        or target.startswith("fastcode._"):
                    continue
            bad.append(f"{path.relative_to(ROOT.parent)}:{line}: from {target} import {name}")
    assert not bad, "private names imported across modules:\n" + "\n".join(bad)


@pytest.mark.parametrize("room", sorted(set(ALLOWED) - {"__main__"}))
def test_nothing_imports_cli(room):
    for path, module, line, target, _ in _arrows():
        if _room(module) == room and room != "cli":
            assert _room(target) != "cli", f"{path}:{line} imports the command line"
