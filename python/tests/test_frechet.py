"""vaegan.frechet_distance (vg_frechet_distance_of_features) against scipy: the library takes
its square roots from a symmetric eigensolver, scipy from sqrtm of the non-symmetric Σa Σb, so
agreement checks the formula and the arithmetic, not a shared implementation."""
import ctypes

import numpy as np
import pytest
import scipy.linalg  # required (pip install scipy): the reference; a missing scipy must fail, not skip

import vaegan
from vaegan import VAEGANError, _lib

WIDTH = 16
# Both sides work in float64 (measured difference ~1e-14). A looser 1e-3 would not catch
# biased covariances (÷ n instead of ÷ n − 1): that moves this pair's distance by 1.9e-3.
RELATIVE_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def features():
    """500 × 16 and 400 × 16 float32 rows from two Gaussians with different means and
    correlated, differently scaled covariances (fixed seed)."""
    rng = np.random.default_rng(20240917)
    mix_a = rng.normal(size=(WIDTH, WIDTH))
    mix_b = rng.normal(size=(WIDTH, WIDTH)) * np.linspace(0.5, 2.0, WIDTH)
    a = rng.normal(size=(500, WIDTH)) @ mix_a + 1.0
    b = rng.normal(size=(400, WIDTH)) @ mix_b + rng.normal(size=WIDTH)
    return a.astype(np.float32), b.astype(np.float32)


def scipy_frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    """‖μa − μb‖² + tr(Σa + Σb − 2 sqrtm(Σa Σb)) in float64, unbiased covariances (the usual
    FID reference, e.g. pytorch-fid's calculate_frechet_distance)."""
    a, b = a.astype(np.float64), b.astype(np.float64)
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = np.real(scipy.linalg.sqrtm(cov_a @ cov_b))
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2 * root))


def test_agrees_with_scipy(features):
    a, b = features
    expected = scipy_frechet_distance(a, b)
    for got, want in ((vaegan.frechet_distance(a, b), expected),
                      (vaegan.frechet_distance(b, a), expected)):  # symmetric, though computed differently
        relative = abs(got - want) / abs(want)
        print(f"Fréchet distance {got:.10g}, scipy {want:.10g}, relative difference {relative:.3g}")
        assert relative < RELATIVE_TOLERANCE, f"library {got}, scipy {want}: relative difference {relative:.3g}"


def test_float64_and_non_contiguous_input(features):
    a, b = features
    expected = vaegan.frechet_distance(a, b)
    assert vaegan.frechet_distance(a.astype(np.float64), np.asfortranarray(b)) == expected


def test_a_set_against_itself_is_zero(features):
    a, _ = features
    distance = vaegan.frechet_distance(a, a)
    scale = float(np.trace(np.cov(a.astype(np.float64), rowvar=False)))
    assert 0 <= distance <= 1e-9 * scale, f"distance {distance} for a trace of {scale}"


def test_shifted_set_is_the_squared_shift(features):
    """Σa = Σb, so only ‖μa − μb‖² remains: 16 × 0.5² = 4 for a shift of 0.5 in every column."""
    a, _ = features
    distance = vaegan.frechet_distance(a, a + np.float32(0.5))
    assert abs(distance - WIDTH * 0.25) < 1e-3 * WIDTH * 0.25, distance


def expect_error(status: int, words: str, call) -> VAEGANError:
    with pytest.raises(VAEGANError) as error:
        call()
    assert error.value.status == status, error.value
    assert words in error.value.message, error.value.message
    return error.value


def test_bad_input_raises_with_a_message(features):
    a, b = features
    nan = a.copy()
    nan[7, 3] = np.nan
    error = expect_error(_lib.ERROR_NON_FINITE, "features_a[7, 3] is nan", lambda: vaegan.frechet_distance(nan, b))
    assert "vg_frechet_distance_of_features" in error.message
    infinite = b.copy()
    infinite[2, 0] = -np.inf
    expect_error(_lib.ERROR_NON_FINITE, "features_b[2, 0]", lambda: vaegan.frechet_distance(a, infinite))
    expect_error(_lib.ERROR_INVALID_ARGUMENT, "rows_a must be at least 2", lambda: vaegan.frechet_distance(a[:1], b))
    expect_error(_lib.ERROR_INVALID_ARGUMENT, "rows_b must be at least 2", lambda: vaegan.frechet_distance(a, b[:0]))
    expect_error(_lib.ERROR_SHAPE_MISMATCH, "both need one width", lambda: vaegan.frechet_distance(a, b[:, :-1]))
    expect_error(_lib.ERROR_SHAPE_MISMATCH, "2-D", lambda: vaegan.frechet_distance(a[0], b))


def test_c_entry_point_checks_its_arguments(features):
    """The checks behind the binding, through ctypes: NULL pointers and a wrong width."""
    a, b = features
    c = vaegan._c
    distance = ctypes.c_double(-1.0)
    fa, fb = vaegan._floats(a), vaegan._floats(b)

    def call(*args):
        return lambda: vaegan._check(c.vg_frechet_distance_of_features(*args))

    expect_error(_lib.ERROR_INVALID_ARGUMENT, "distance is NULL", call(None, fa, 500, fb, 400, WIDTH))
    expect_error(_lib.ERROR_INVALID_ARGUMENT, "features_a is NULL", call(ctypes.byref(distance), None, 500, fb, 400, WIDTH))
    expect_error(_lib.ERROR_INVALID_ARGUMENT, "features_b is NULL", call(ctypes.byref(distance), fa, 500, None, 400, WIDTH))
    expect_error(_lib.ERROR_INVALID_ARGUMENT, "width must be positive", call(ctypes.byref(distance), fa, 500, fb, 400, 0))
    expect_error(_lib.ERROR_INVALID_ARGUMENT, "width must be positive", call(ctypes.byref(distance), fa, 500, fb, 400, -WIDTH))
    expect_error(_lib.ERROR_INVALID_ARGUMENT, "too large", call(ctypes.byref(distance), fa, 2**62, fb, 400, WIDTH))
    assert distance.value == -1.0  # failed calls write nothing
