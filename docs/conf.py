"""Sphinx configuration of the fastcode documentation.

Build (from the repository root, with the package installed):
    pip install '.[docs]' && sphinx-build -W -b html docs docs/_build/html

The API pages are generated from the installed package at the start of every
build (``_ext/apigen.py``); nothing here reaches the network.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "_ext"))

try:
    import fastcode  # noqa: E402  (the installed package: the docs describe what was built)
except ImportError as exc:  # pragma: no cover - a set-up error, said plainly
    raise RuntimeError("the docs are generated from the installed package: run "
                       "`pip install '.[docs]'` first (or put a built tree on PYTHONPATH)") from exc
import apigen  # noqa: E402

project = "fastcode"
author = "the fastcode developers"
copyright = "the fastcode developers"
release = fastcode.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]
# (no sphinx.ext.viewcode: highlighted copies of every module cost a third of the
# build, which CI runs on every change; the source is in the repository)

# Intersphinx would fetch other projects' inventories over the network at build
# time; the build must work offline, so it is off unless a local mirror is named.
if os.environ.get("FASTCODE_DOCS_INTERSPHINX"):
    extensions.append("sphinx.ext.intersphinx")
    intersphinx_mapping = {"numpy": (os.environ["FASTCODE_DOCS_INTERSPHINX"], None)}

exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
templates_path = []
html_theme = "furo"
html_title = f"fastcode {release}"
html_static_path = []

# MathJax is loaded by the reader's browser, not at build time.
mathjax_path = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js"

# Docstrings are NumPy-style (Parameters / Returns underlined) or Google-style
# (Args: / Attributes:) where they have sections, plain prose otherwise.
napoleon_google_docstring = True
napoleon_numpy_docstring = True
napoleon_use_rtype = False

autodoc_member_order = "bysource"
autodoc_typehints = "description"
# Show the project's and NumPy's aliases by name, not expanded into their unions.
autodoc_type_aliases = {
    "ArrayLike": "numpy.typing.ArrayLike",
    "DTypeLike": "numpy.typing.DTypeLike",
    "Regions": "fastcode.fields.base.Regions",
    "Indices": "fastcode.codes.base.Indices",
    "Which": "fastcode.codes.mds.Which",
}
autodoc_default_options = {}
autosummary_generate = False
autoclass_content = "both"

# The API reference is written from the package itself, then read like any page.
apigen.write_pages(os.path.join(HERE, "api"))


def _drop_inherited_type_docs(app, what, name, obj, options, lines):
    """A constant (a dict, a tuple, an int) has no docstring of its own: autodoc
    would show its type's (``dict() -> new empty dictionary``).  Show nothing
    instead; the constant's meaning is in its module's docstring or ``#:`` comment."""
    type_doc = type(obj).__doc__
    if what in ("data", "attribute") and isinstance(type_doc, str) and lines:
        import inspect
        if "\n".join(lines).strip() == inspect.cleandoc(type_doc).strip():
            lines[:] = []


def _bars_are_text(app, what, name, obj, options, lines):
    """Docstrings write |F| for a set's size and |x| for an absolute value, as
    plain text; reStructuredText would read ``|F|`` as a substitution.  fastcode's
    docstrings use no substitutions, so a bar outside inline literals and
    literal blocks is escaped to stay a bar."""
    literal_indent = None
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if literal_indent is not None:
            if line.strip() and indent <= literal_indent:
                literal_indent = None
            else:
                continue
        if "|" in line:
            parts = line.split("``")
            for j in range(0, len(parts), 2):        # outside ``inline literals``
                parts[j] = parts[j].replace("|", "\\|")
            lines[i] = "``".join(parts)
        if line.rstrip().endswith("::"):
            literal_indent = indent


def setup(app):
    app.connect("autodoc-process-docstring", _drop_inherited_type_docs)
    app.connect("autodoc-process-docstring", _bars_are_text)
