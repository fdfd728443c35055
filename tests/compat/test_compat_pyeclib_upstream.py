"""PyECLib 1.8.0's own API tests, run with every ECDriver on fastcode's driver.

``test/test_pyeclib_api.py`` is taken from the pyeclib 1.8.0 sdist at test
time (never committed; cached, see ``_compat_fetch``).  Its test code and
assertions are unchanged; two module globals are rebound before its tests run:

* ``ECDriver``: pyeclib's ECDriver subclass (same name, so ``repr`` is
  unchanged) that adds ``library_import_str="fastcode.compat.pyeclib.Driver"``
  whenever an ``ec_type`` is given without an explicit driver, so every coded
  driver the tests build is fastcode's; calls without ``ec_type`` or with an
  explicit ``library_import_str`` reach pyeclib untouched.
* ``VALID_EC_TYPES``: the ec_types the fastcode driver provides
  (isa_l_rs_vand, liberasurecode_rs_vand, isa_l_rs_cauchy, in pyeclib's
  order), instead of those liberasurecode has on this machine.

Needs pyeclib installed (its ECDriver front end and exception classes are what
is being driven); skips, saying why, without it or without the sdist.

Tests that cannot apply to fastcode's driver:
* TestNullDriver, TestStripeDriver: they test pyeclib's own ECNullDriver /
  ECStripingDriver (explicit library_import_str); they run, against pyeclib.
* ec_types jerasure_rs_vand, jerasure_rs_cauchy, flat_xor_hd(_3/_4), shss,
  libphazr, isa_l_rs_vand_inv, isa_l_rs_lrc: not provided by the driver, so
  the tests' own "if ec_type in VALID_EC_TYPES" guards skip their parts, and
  TestBackendsEnabled reports them skipped (test_valid_ec_types checks that
  the driver refuses exactly these).
* test_get_metadata_memory_usage (400 000 get_metadata calls per driver) and
  test_greedy_decode_reconstruct_combination (every 7-of-18 erasure pattern
  for k=11, m=7) take tens of seconds in a Python driver: marked slow (run
  with ``-m slow``).
"""
import pytest

import _compat_fetch

pytest.importorskip("pyeclib.ec_iface", reason="pyeclib not installed (pip install 'fastcode[compat]')")
import pyeclib.ec_iface  # noqa: E402

DRIVER = "fastcode.compat.pyeclib.Driver"
FASTCODE_EC_TYPES = [t for t in pyeclib.ec_iface.ALL_EC_TYPES
                     if t in ("isa_l_rs_vand", "liberasurecode_rs_vand", "isa_l_rs_cauchy")]

_path = _compat_fetch.sdist_member("pyeclib", "1.8.0", "test/test_pyeclib_api.py")
if _path is None:
    pytest.skip(f"pyeclib 1.8.0 sdist unavailable: {_compat_fetch.last_error.get('pyeclib')}",
                allow_module_level=True)
upstream = _compat_fetch.load_module(_path, "pyeclib_upstream_test_api", {})


class ECDriver(pyeclib.ec_iface.ECDriver):
    """pyeclib's ECDriver, defaulting coded drivers to fastcode's."""

    def __init__(self, **kwargs):
        if kwargs.get("ec_type") is not None and "library_import_str" not in kwargs:
            kwargs["library_import_str"] = DRIVER
        super().__init__(**kwargs)


upstream.ECDriver = ECDriver
upstream.VALID_EC_TYPES = FASTCODE_EC_TYPES

for _slow in ("test_get_metadata_memory_usage", "test_greedy_decode_reconstruct_combination"):
    setattr(upstream.TestPyECLibDriver, _slow,
            pytest.mark.slow(getattr(upstream.TestPyECLibDriver, _slow)))

TestNullDriver = upstream.TestNullDriver
TestStripeDriver = upstream.TestStripeDriver
TestPyECLibDriver = upstream.TestPyECLibDriver
TestBackendsEnabled = upstream.TestBackendsEnabled


def test_every_coded_driver_is_fastcodes():
    """The rebinding works: a driver the upstream tests build is fastcode's."""
    from fastcode.compat.pyeclib import Driver
    driver = upstream.ECDriver(k=4, m=2, ec_type="isa_l_rs_cauchy")
    assert isinstance(driver.ec_lib_reference, Driver)
    assert upstream.VALID_EC_TYPES == FASTCODE_EC_TYPES
    assert FASTCODE_EC_TYPES == ["isa_l_rs_vand", "liberasurecode_rs_vand", "isa_l_rs_cauchy"]
