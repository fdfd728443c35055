"""Every reference from the code to documentation names something that exists in docs/.

The code (fastcode/ and csrc/) refers to the project's own pages only, in one of
three forms, all checked here against the reStructuredText sources of docs/:

* ``:ref:`label``` or ``:ref:`text <label>``` (in docstrings, which the API
  reference renders): ``.. _label:`` must exist in a page, and a bare
  ``:ref:`label``` must label a section (Sphinx needs a title to show);
* ``:doc:`/page``` (absolute: docstrings are rendered from docs/api/): the page
  ``docs/page.rst`` must exist;
* ``docs: page`` or ``docs: page, 'Section title'`` (in comments): the page must
  exist and, when given, the title must be one of its section titles.

References to documents that a clone does not have are refused outright: a
section sign, DESIGN.md / PERFORMANCE.md, a docs/schemes/... path, an "oracle
table" or a bracketed confidence label such as [D].
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
pytestmark = pytest.mark.skipif(not (DOCS / "conf.py").exists() or not (ROOT / "fastcode").is_dir(),
                                reason="docs/ and the source tree are not beside the tests")

UNDERLINE = re.compile(r"^([=\-^~\"'`#*+.:_])\1{2,}\s*$")
LABEL = re.compile(r"^\.\. _([A-Za-z0-9_-]+):\s*$")
REF = re.compile(r":ref:`([^`]+)`")
DOC = re.compile(r":doc:`([^`]+)`")
PLAIN = re.compile(r"\bdocs: ([\w/.-]+?)(?:, '([^']+)')?(?=[)\s,.;:]|$)")
FORBIDDEN = [
    (re.compile("§"), "section sign"),
    (re.compile(r"DESIGN\.md|PERFORMANCE\.md"), "an outside design document"),
    (re.compile(r"docs/schemes"), "an outside scheme specification"),
    (re.compile(r"oracle table", re.I), "an outside table"),
    (re.compile(r"(?<![\w\]])\[(?:C|D|L|R|U)\](?!\w)"), "a confidence label of an outside document"),
]


def _pages():
    """{page name: lines} for every hand-written page (docs/api/ is generated)."""
    pages = {}
    for path in sorted(DOCS.rglob("*.rst")):
        rel = path.relative_to(DOCS)
        if rel.parts[0] in ("_build", "api"):
            continue
        pages[rel.with_suffix("").as_posix()] = path.read_text(encoding="utf-8").splitlines()
    return pages


def _titles(lines):
    """Section titles of a page: a line with an underline at least as long."""
    return {lines[i].strip() for i in range(len(lines) - 1)
            if lines[i].strip() and UNDERLINE.match(lines[i + 1])
            and len(lines[i + 1].rstrip()) >= len(lines[i].rstrip())}


def _labels(pages):
    """{label: True if it labels a section, else False}."""
    labels = {}
    for lines in pages.values():
        for i, line in enumerate(lines):
            m = LABEL.match(line)
            if not m:
                continue
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or LABEL.match(lines[j])):
                j += 1
            section = j + 1 < len(lines) and bool(UNDERLINE.match(lines[j + 1]))
            labels[m.group(1)] = section
    return labels


def _code_lines():
    """(path, line number, text) of every source line that may refer to docs."""
    files = [p for p in (ROOT / "fastcode").rglob("*") if p.suffix in (".py", ".pyx", ".pxd")]
    if (ROOT / "csrc").is_dir():
        files += [p for p in (ROOT / "csrc").rglob("*") if p.suffix in (".c", ".h")]
    for path in sorted(files):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield path.relative_to(ROOT).as_posix(), number, text


def _joined_lines():
    """Like _code_lines, but a line that ends inside a role (a reference broken over two
    lines of a docstring) is joined with the next one."""
    pending = None
    for path, number, text in _code_lines():
        if pending is not None and pending[0] == path:
            text = pending[2] + " " + text.strip()
            number = pending[1]
        pending = None
        if re.search(r":(?:ref|doc):`[^`]*$", text):
            pending = (path, number, text)
            continue
        yield path, number, text


def _references():
    refs = {"ref": [], "doc": [], "plain": []}
    for path, number, text in _joined_lines():
        where = f"{path}:{number}"
        refs["ref"] += [(where, m.group(1)) for m in REF.finditer(text)]
        refs["doc"] += [(where, m.group(1)) for m in DOC.finditer(text)]
        refs["plain"] += [(where, m.group(1), m.group(2)) for m in PLAIN.finditer(text)]
    return refs


def test_the_code_refers_to_the_docs():
    # the references below are the point: a refactor that drops them all is a regression
    refs = _references()
    assert len(refs["ref"]) >= 50 and refs["doc"] and refs["plain"], {k: len(v) for k, v in refs.items()}


def test_every_ref_names_an_existing_label():
    labels = _labels(_pages())
    bad = []
    for where, target in _references()["ref"]:
        m = re.fullmatch(r"(.*\S)\s*<([^>]+)>", target.strip())
        label = (m.group(2) if m else target).strip()
        if label not in labels:
            bad.append(f"{where}: no label {label!r} in docs/")
        elif not m and not labels[label]:
            bad.append(f"{where}: {label!r} labels a paragraph, not a section: "
                       f"give the reference a title (:ref:`text <{label}>`)")
    assert not bad, "\n".join(bad)


def test_every_doc_names_an_existing_page():
    pages = _pages()
    bad = []
    for where, target in _references()["doc"]:
        target = re.sub(r"^.*<([^>]+)>$", r"\1", target.strip())
        if not target.startswith("/"):
            bad.append(f"{where}: :doc:`{target}` must be absolute (/page): docstrings are "
                       "rendered from docs/api/")
        elif target.lstrip("/") not in pages:
            bad.append(f"{where}: no page docs/{target.lstrip('/')}.rst")
    assert not bad, "\n".join(bad)


def test_every_plain_docs_reference_names_a_page_and_section():
    pages = _pages()
    bad = []
    for where, page, title in _references()["plain"]:
        page = page.removesuffix(".rst")
        if page not in pages:
            bad.append(f"{where}: no page docs/{page}.rst")
        elif title and title not in _titles(pages[page]):
            bad.append(f"{where}: docs/{page}.rst has no section {title!r}")
    assert not bad, "\n".join(bad)


def test_no_reference_to_documents_outside_the_repository():
    bad = [f"{path}:{number}: {what}: {text.strip()}"
           for path, number, text in _code_lines()
           for pattern, what in FORBIDDEN if pattern.search(text)]
    assert not bad, "\n".join(bad)


def test_the_checker_sees_what_it_checks():
    # the parsers above on known input, so a broken regex cannot pass everything
    pages = {"p": ["Title", "=====", "", ".. _sec:", "", "Sub", "---", "", ".. _para:", "", "text"]}
    assert _labels(pages) == {"sec": True, "para": False}
    assert _titles(pages["p"]) == {"Title", "Sub"}
    assert [m.group(1) for m in REF.finditer("see :ref:`a <b>` and :ref:`c`")] == ["a <b>", "c"]
    assert [m.groups() for m in PLAIN.finditer("# (docs: schemes/lee, 'Coded delivery') x")] == \
        [("schemes/lee", "Coded delivery")]
    assert [m.group(1) for m in PLAIN.finditer("docs: performance.")] == ["performance"]
    assert any(p.search("spec §7") for p, _ in FORBIDDEN)
    assert any(p.search("(confidence [D])") for p, _ in FORBIDDEN)
    assert not any(p.search("E[D] = E[S] + lam E[S^2]") for p, _ in FORBIDDEN)
