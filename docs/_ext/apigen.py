"""Write the API reference pages (``docs/api/``) from the package itself.

Every public module of fastcode (no component of its dotted name starts with an
underscore) gets one page: its docstring, a summary table of its public names
(``__all__``, or the public names it defines when it has no ``__all__``), and the
full entry of each name it owns.  A name exported from several modules is
described once, in the module that defines it, and linked from the others; so the
reference is complete by construction and ``tests/test_docstrings.py`` can check
it against the same list.

Run by ``conf.py`` at the start of every build; the pages are not committed.
"""
import importlib
import inspect
import os
import pkgutil

SKIP = {"fastcode.__main__", "fastcode.repro.__main__"}

# The reference's sections, in reading order: (title, module prefixes).  A module
# goes to the first section whose prefix matches its name.
SECTIONS = [
    ("Top level", ["fastcode", "fastcode.errors", "fastcode.platform"]),
    ("Fields", ["fastcode.fields"]),
    ("Generator matrices", ["fastcode.matrices", "fastcode.matrices_real"]),
    ("Codes", ["fastcode.codes"]),
    ("Schemes", ["fastcode.schemes"]),
    ("Simulation", ["fastcode.sim"]),
    ("Runtime", ["fastcode.runtime"]),
    ("Reproductions", ["fastcode.repro"]),
    ("Drop-in compatibility", ["fastcode.compat"]),
    ("Reference kernels, benchmarks, command line",
     ["fastcode.reference", "fastcode.bench", "fastcode.cli", "fastcode.demo"]),
]


def public_modules():
    """Dotted names of every public module of fastcode, sorted."""
    import fastcode
    names = ["fastcode"]
    for info in pkgutil.walk_packages(fastcode.__path__, "fastcode."):
        parts = info.name.split(".")
        if info.name in SKIP or any(p.startswith("_") for p in parts):
            continue
        names.append(info.name)
    return sorted(names)


def public_names(module):
    """The public names of ``module``: ``__all__`` if it has one, else the public
    classes and functions it defines itself."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return [n for n in names if n != "__version__"]
    out = []
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and obj.__module__ == module.__name__:
            out.append(name)
    return out


def _defined_in(obj):
    return getattr(obj, "__module__", None) if (inspect.isclass(obj) or callable(obj)) else None


def canonical_homes(modules):
    """``{(module, name): home module}``: where each exported name is described."""
    exporters = {}
    for modname in modules:
        module = importlib.import_module(modname)
        for name in public_names(module):
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                continue
            exporters.setdefault(id(obj), []).append((modname, name, obj))
    homes = {}
    for entries in exporters.values():
        obj = entries[0][2]
        here = {m for m, _, _ in entries}
        origin = _defined_in(obj)
        if origin in here:
            home = origin
        elif origin is not None and inspect.isclass(type(obj)) and not callable(obj):
            home = min(here, key=lambda m: (m.count("."), m))
        else:
            # constants, and names defined in private modules: the deepest public
            # module that exports them (for constants, the one that defines them),
            # or for callables from private modules the shallowest
            if origin is None:
                home = max(here, key=lambda m: (m.count("."), m))
            else:
                home = min(here, key=lambda m: (m.count("."), m))
        for modname, name, _ in entries:
            homes[(modname, name)] = (home, entries[[m for m, _, _ in entries].index(home)][1])
    return homes


def _directive(obj):
    """The autodoc directive that describes ``obj``, with its options."""
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "autoexception", ["   :show-inheritance:"]
        return "autoclass", ["   :members:", "   :show-inheritance:"]
    if inspect.isroutine(obj) or type(obj).__name__ in ("cython_function_or_method",
                                                         "fused_cython_function"):
        if (obj.__doc__ or "").strip():
            return "autofunction", []
        # made by a factory (``count = int_at_least(1)``): its doc is the attribute
        # docstring of the assignment, which autodata reads and autofunction does not
    return "autodata", ["   :no-value:"]


def _section_of(modname):
    for title, prefixes in SECTIONS:
        for prefix in prefixes:
            if modname == prefix or (modname.startswith(prefix + ".") and prefix != "fastcode"):
                return title
    return SECTIONS[0][0]


def write_pages(outdir):
    """Write ``index.rst`` and one page per public module into ``outdir``."""
    os.makedirs(outdir, exist_ok=True)
    modules = public_modules()
    homes = canonical_homes(modules)
    written = set()
    for modname in modules:
        module = importlib.import_module(modname)
        names = [n for n in public_names(module) if not inspect.ismodule(getattr(module, n))]
        submodules = [n for n in public_names(module) if inspect.ismodule(getattr(module, n))]
        lines = [modname, "=" * len(modname), "",
                 f".. automodule:: {modname}", "   :no-members:", "",
                 f".. currentmodule:: {modname}", ""]
        if submodules:
            lines += ["Modules exported here: " + ", ".join(
                f":mod:`{getattr(module, n).__name__}`" for n in submodules), ""]
        if names:
            lines += [".. rubric:: Summary", "", ".. autosummary::", "   :nosignatures:", ""]
            for name in names:
                home, home_name = homes[(modname, name)]
                if home == modname:
                    target = name
                else:
                    # relative to this module where it can be (autosummary resolves
                    # names against the current module and rejects repeating it)
                    full = f"{home}.{home_name}"
                    target = "~" + (full[len(modname) + 1:] if full.startswith(modname + ".") else full)
                lines.append(f"   {target}")
            lines.append("")
        own = [n for n in names if homes[(modname, n)][0] == modname]
        if own:
            lines += [".. rubric:: Reference", ""]
            for name in own:
                directive, options = _directive(getattr(module, name))
                lines += [f".. {directive}:: {name}", *options, ""]
        path = os.path.join(outdir, modname + ".rst")
        _write_if_changed(path, "\n".join(lines))
        written.add(modname + ".rst")
    index = ["API reference", "=============", "",
             "One page per public module, generated from the package: each lists the module's",
             "public names (its ``__all__``) and describes those it defines.  A name exported",
             "from several places (``fastcode.MDSCode`` is ``fastcode.codes.mds.MDSCode``) is",
             "described once and linked from the others.", ""]
    for title, _ in SECTIONS:
        members = [m for m in modules if _section_of(m) == title]
        if not members:
            continue
        index += [title, "-" * len(title), "", ".. toctree::", "   :maxdepth: 1", ""]
        index += [f"   {m}" for m in members]
        index.append("")
    _write_if_changed(os.path.join(outdir, "index.rst"), "\n".join(index))
    written.add("index.rst")
    for stale in set(os.listdir(outdir)) - written:
        if stale.endswith(".rst"):
            os.remove(os.path.join(outdir, stale))
    return modules, homes


def _write_if_changed(path, text):
    # unchanged files keep their mtime, so incremental builds stay incremental
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
