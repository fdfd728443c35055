"""The examples in fastcode's docstrings run, and print what they say.

Every module of the installed package (private ones too: a public name may be
defined there) is searched for ``>>>`` examples, which run with ``doctest``
under ELLIPSIS and NORMALIZE_WHITESPACE, with ``np`` (NumPy) already imported,
as in NumPy's own documentation.  One test per module, so a failure names it.
"""
import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import fastcode

SKIP = {"fastcode.__main__", "fastcode.repro.__main__"}
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _modules():
    names = ["fastcode"]
    for info in pkgutil.walk_packages(fastcode.__path__, "fastcode."):
        if info.name not in SKIP:
            names.append(info.name)
    return names


def _examples(modname):
    try:
        module = importlib.import_module(modname)
    except ImportError:
        return []           # an optional compiled extension that is not built here
    finder = doctest.DocTestFinder(exclude_empty=True)
    # only the docstrings written in this module (re-exports are run where defined)
    return [t for t in finder.find(module, globs={"np": np})
            if t.examples and _defined_in(t, modname)]


def _defined_in(test, modname):
    return test.name == modname or test.name.startswith(modname + ".") and \
        (test.filename is None or test.filename.endswith(
            modname.replace(".", "/") + ".py") or test.filename.endswith(
            modname.replace(".", "/") + "/__init__.py"))


MODULES = _modules()


@pytest.mark.parametrize("modname", MODULES)
def test_docstring_examples_run(modname):
    tests = _examples(modname)
    if not tests:
        pytest.skip(f"{modname} has no examples")
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = []
    for test in tests:
        result = runner.run(test, out=report.append)
        assert result.attempted > 0
    assert runner.failures == 0, "".join(report)


def test_examples_are_found():
    found = _examples("fastcode")
    assert found and sum(len(t.examples) for t in found) >= 5, \
        "the doctest finder found no example in fastcode's own docstring"
