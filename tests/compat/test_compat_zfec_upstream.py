"""zfec 1.6.0.0's own test module, run against ``fastcode.compat.zfec``.

``zfec/test/test_zfec.py`` is taken from the zfec 1.6.0.0 sdist at test time
(never committed; cached, see ``_compat_fetch``) and executed with ``zfec``
resolved to the shim; its TestCase classes are collected here unchanged.  It
needs ``pyutil`` (zfec's own test dependency, in fastcode's ``compat`` extra)
and ``hypothesis``; the module skips, saying why, when either or the download
is unavailable.

Tests that cannot apply: none.  ``test_from_agl_c`` calls zfec's C self-test
``zfec._fec.test_from_agl()``; the shim provides the same check (3-of-5,
8-byte blocks, round trip) written against its own Encoder/Decoder.
"""
import sys

import pytest

import fastcode.compat.zfec as shim
import _compat_fetch

pytest.importorskip("hypothesis", reason="zfec's tests use hypothesis")
pytest.importorskip("pyutil", reason="zfec's tests need pyutil (pip install 'fastcode[compat]')")

_path = _compat_fetch.sdist_member("zfec", "1.6.0.0", "zfec/test/test_zfec.py")
if _path is None:
    pytest.skip(f"zfec 1.6.0.0 sdist unavailable: {_compat_fetch.last_error.get('zfec')}",
                allow_module_level=True)

_substitutes = {"zfec": shim}
for _name in ("easyfec", "filefec", "cmdline_zfec", "cmdline_zunfec", "_fec"):
    _substitutes[f"zfec.{_name}"] = getattr(shim, _name)
upstream = _compat_fetch.load_module(_path, "zfec_upstream_test_zfec", _substitutes)
assert upstream.zfec is shim          # the upstream module really tests the shim


@pytest.fixture(autouse=True)
def _restore_stdin():
    """Cmdline.test_stdin replaces sys.stdin and never restores it."""
    saved = sys.stdin
    yield
    if sys.stdin is not saved:
        sys.stdin.close()
        sys.stdin = saved


ZFecTest = upstream.ZFecTest
EasyFecTest = upstream.EasyFecTest
FileFec = upstream.FileFec
Cmdline = upstream.Cmdline
