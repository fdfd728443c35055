"""MDSCode over PrimeField and Reals: every erasure pattern at small n, and the
conditioning warning of real-valued codes."""
import itertools
import warnings

import numpy as np
import pytest

from fastcode import ConditioningWarning, MDSCode, PrimeField, Reals
from fastcode.matrices_real import condition_numbers

FIELDS = [PrimeField(65537), PrimeField(7), PrimeField(2**31 - 1), Reals]


def _data(field, shape, rng):
    if field is Reals:
        return rng.standard_normal(shape)
    return field.random(shape, rng)


@pytest.mark.parametrize("kind", ["cauchy", "vandermonde"])
@pytest.mark.parametrize("field", FIELDS, ids=str)
@pytest.mark.parametrize("n,k", [(5, 3), (7, 4), (6, 1), (4, 4)])
def test_every_pattern_round_trips(field, kind, n, k, rng):
    if field is not Reals and n > field.order:
        pytest.skip("n larger than the field")
    code = MDSCode(n, k, field=field, kind=kind)
    data = _data(field, (k, 9), rng)
    codeword = np.vstack([data, code.encode(data)])
    assert code.verify(codeword)
    for present in itertools.combinations(range(n), k):
        out = code.decode(codeword[list(present)], list(present))
        if field is Reals:
            np.testing.assert_allclose(out, data, rtol=1e-9, atol=1e-9)
        else:
            assert out.dtype == field.dtype and np.array_equal(out, data), present
        rebuilt = code.reconstruct(codeword[list(present)], list(present), which="all")
        if field is Reals:
            np.testing.assert_allclose(rebuilt, codeword, rtol=1e-9, atol=1e-9)
        else:
            assert np.array_equal(rebuilt, codeword)


def test_prime_field_update_matches_reencode(rng):
    F = PrimeField(65537)
    code = MDSCode(8, 5, field=F)
    data = F.random((5, 11), rng)
    parity = code.encode(data)
    new = F.random(11, rng)
    code.update(parity, 2, data[2], new)
    data[2] = new
    assert np.array_equal(parity, code.encode(data))


def test_real_code_reports_its_conditioning_without_warning_when_small():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConditioningWarning)
        code = MDSCode(6, 4, field=Reals, kind="vandermonde")
    expect = condition_numbers(code.G.T, 4, max_sets=None)
    assert code.conditioning.exhaustive
    assert code.conditioning.worst == pytest.approx(expect.worst)
    assert MDSCode(6, 4, field=PrimeField(65537)).conditioning is None


def test_ill_conditioned_real_code_warns():
    # equispaced real Vandermonde: kappa grows exponentially with n
    with pytest.warns(ConditioningWarning, match="worst condition number"):
        code = MDSCode(24, 12, field=Reals, kind="vandermonde")
    assert code.conditioning.worst * np.finfo(float).eps > MDSCode.REAL_DECODE_ACCURACY
    assert not code.conditioning.exhaustive and code.conditioning.n_sets == MDSCode.CONDITION_SETS
