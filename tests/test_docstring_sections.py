"""Every public class and function has a numpydoc docstring and a typed signature.

The public API is what the API reference shows: the ``__all__`` of every public
module (tests/test_docstrings.py lists them), each object checked once, in the
module that defines it, together with the public methods and properties its
class defines.  The rules:

- a class or module-level function has an ``Examples`` section with at least one
  ``>>>`` line (tests/test_doctests.py runs them);
- a callable with parameters (besides ``self``/``cls``) has a ``Parameters``
  section (for a class: in its docstring or its ``__init__``'s, or ``Attributes``
  for a dataclass or named tuple);
- a function or method whose body returns a value has a ``Returns`` (or
  ``Yields``) section; a property's docstring is its description, no section;
- one whose body raises (a ``raise`` statement of its own) has a ``Raises`` section;
- every parameter and the return value are annotated (``__init__`` returns None).

A section is numpydoc's: its name on a line, underlined with dashes.
"""
import ast
import dataclasses
import functools
import inspect
import re
import textwrap

import pytest

from test_docstrings import _public_names

SECTION = re.compile(r"^\s*([A-Z][A-Za-z ]+)\n\s*-{3,}\s*$", re.M)


def _sections(doc):
    return set(SECTION.findall(doc or ""))


@functools.lru_cache(maxsize=None)
def _public_objects():
    """{defining module: [(qualified name, object, kind)]}; kind is class/function/method/property."""
    seen = set()
    by_module = {}
    for _module, _name, obj in _public_names():
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue            # constants, instances, compiled (Cython) functions
        key = (obj.__module__, obj.__qualname__)
        if key in seen:
            continue
        seen.add(key)
        items = by_module.setdefault(obj.__module__, [])
        kind = "class" if inspect.isclass(obj) else "function"
        items.append((obj.__qualname__, obj, kind))
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                if isinstance(value, property):
                    items.append((f"{obj.__qualname__}.{attr}", value, "property"))
                    continue
                func = getattr(value, "__func__", value)   # staticmethod / classmethod
                if inspect.isfunction(func):
                    items.append((f"{obj.__qualname__}.{attr}", func, "method"))
    return by_module


def _own_body(func):
    """The AST of ``func`` without its nested functions and classes."""
    try:
        source = textwrap.dedent(inspect.getsource(func))
    except (OSError, TypeError):
        return None
    tree = ast.parse(source).body[0]
    nodes = []
    stack = list(getattr(tree, "body", []))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        nodes.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return nodes


def _returns_value(func):
    nodes = _own_body(func) or []
    for node in nodes:
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
    return False


def _raises(func):
    nodes = _own_body(func) or []
    return any(isinstance(node, ast.Raise) and node.exc is not None
               # NotImplementedError marks an abstract method, not a documented failure
               and not (isinstance(node.exc, (ast.Name, ast.Call)) and "NotImplementedError"
                        in ast.unparse(node.exc))
               for node in nodes)


def _params(func):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return []
    return [p for name, p in sig.parameters.items() if name not in ("self", "cls")]


def _is_exception(cls):
    return issubclass(cls, BaseException)


def _problems(qualname, obj, kind):
    out = []
    if kind == "property":
        doc = inspect.getdoc(obj.fget) if obj.fget else None
        if not (doc or "").strip():
            out.append(f"{qualname}: no docstring")
        elif inspect.signature(obj.fget).return_annotation is inspect.Signature.empty:
            out.append(f"{qualname}: the property's return is not annotated")
        return out
    doc = inspect.getdoc(obj) or ""
    sections = _sections(doc)
    if kind == "class":
        init = vars(obj).get("__init__")
        if init is not None and getattr(init, "__module__", "") == "typing":
            init = None     # the __init__ typing gives a Protocol (it refuses instantiation)
        init_doc = (init.__doc__ if init is not None and inspect.isfunction(init) else "") or ""
        sections |= _sections(inspect.cleandoc(init_doc)) if init_doc else set()
        if "Examples" not in sections or ">>>" not in doc:
            out.append(f"{qualname}: no Examples section with a >>> example")
        if _is_exception(obj):
            return out
        fields = dataclasses.is_dataclass(obj) or hasattr(obj, "_fields")
        params = _params(obj) if (init is not None or fields) else []
        if params and "Parameters" not in sections and not (fields and "Attributes" in sections):
            out.append(f"{qualname}: takes parameters but has no Parameters section")
        if init is not None and inspect.isfunction(init):
            out += _annotation_problems(f"{qualname}.__init__", init, returns=False)
            if _raises(init) and "Raises" not in sections:
                out.append(f"{qualname}: __init__ raises but there is no Raises section")
        return out
    if kind == "function" and ("Examples" not in sections or ">>>" not in doc):
        out.append(f"{qualname}: no Examples section with a >>> example")
    if _params(obj) and "Parameters" not in sections:
        out.append(f"{qualname}: takes parameters but has no Parameters section")
    if _returns_value(obj) and not sections & {"Returns", "Yields"}:
        out.append(f"{qualname}: returns a value but has no Returns section")
    if _raises(obj) and "Raises" not in sections:
        out.append(f"{qualname}: raises but has no Raises section")
    out += _annotation_problems(qualname, obj, returns=True)
    return out


def _annotation_problems(qualname, func, returns):
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return []
    bare = [name for name, p in sig.parameters.items()
            if name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
    out = [f"{qualname}: parameter(s) not annotated: {', '.join(bare)}"] if bare else []
    if returns and sig.return_annotation is inspect.Signature.empty:
        out.append(f"{qualname}: return not annotated")
    return out


MODULES = sorted(_public_objects())


@pytest.mark.parametrize("module", MODULES)
def test_numpydoc_sections_and_annotations(module):
    problems = [p for qualname, obj, kind in _public_objects()[module]
                for p in _problems(qualname, obj, kind)]
    assert not problems, f"{module}:\n" + "\n".join(problems)


def test_the_section_check_can_fail():
    def bare(x):
        """Prose only."""
        if x:
            raise ValueError("x")
        return x

    def good(x: int) -> int:
        """Double x.

        Parameters
        ----------
        x : int

        Returns
        -------
        int

        Raises
        ------
        ValueError
            If x is negative.

        Examples
        --------
        >>> good(2)
        4
        """
        if x < 0:
            raise ValueError("x")
        return 2 * x

    found = _problems("bare", bare, "function")
    assert any("Examples" in p for p in found) and any("Parameters" in p for p in found)
    assert any("Returns" in p for p in found) and any("Raises" in p for p in found)
    assert any("not annotated" in p for p in found)
    assert _problems("good", good, "function") == []
    assert sum(len(v) for v in _public_objects().values()) > 500
