/*
 * rng.c — xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it/) with explicit state.
 *
 * Reproducible across machines: the generator is integer arithmetic; floats are built from
 * bits; normals use Marsaglia's polar method with a logarithm computed here from IEEE basic
 * operations only (no platform libm, no fused multiply-add), so every machine gets the same
 * stream for the same seed.
 */
#pragma STDC FP_CONTRACT OFF
#include <math.h>

#include "vg_core.h"

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* splitmix64 spreads one seed over the 256-bit state (the seeding its authors recommend). */
static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void vg_rng_seed(vg_rng *rng, uint64_t seed) {
    for (int i = 0; i < 4; i++) rng->s[i] = splitmix64(&seed);
}

uint64_t vg_rng_next(vg_rng *rng) {
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t vg_rng_below(vg_rng *rng, uint64_t bound) {
    if (bound == 0) return 0;
    /* Rejection: drop the top sliver of 2^64 that bound does not divide evenly. */
    uint64_t threshold = -bound % bound;
    for (;;) {
        uint64_t r = vg_rng_next(rng);
        if (r >= threshold) return r % bound;
    }
}

void vg_rng_uniform_fill(vg_rng *rng, float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = (float)(vg_rng_next(rng) >> 40) * 0x1.0p-24f;
}

/* Natural log of a positive, finite double from basic operations only: x = m·2^k with m in
 * [√½, √2), then log m = 2·atanh(t), t = (m−1)/(m+1), |t| < 0.172, by its odd series to t²³
 * (remainder below 1e-18). Accurate to a few ulp, and the same bits everywhere. */
static double portable_log(double x) {
    int k;
    double m = frexp(x, &k); /* exact: m in [½, 1) */
    if (m < 0.70710678118654752440) { m *= 2.0; k -= 1; }
    double t = (m - 1.0) / (m + 1.0), t2 = t * t;
    double series = 1.0 / 23.0;
    for (int j = 21; j >= 1; j -= 2) series = series * t2 + 1.0 / j;
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    return (double)k * ln2_hi + (2.0 * t * series + (double)k * ln2_lo);
}

/* A uniform double in (−1, 1) from 53 random bits. */
static inline double uniform_symmetric(vg_rng *rng) {
    return (double)(vg_rng_next(rng) >> 11) * 0x1.0p-52 - 1.0;
}

void vg_rng_normal_fill(vg_rng *rng, float *x, int64_t n) {
    for (int64_t i = 0; i < n; i += 2) {
        double u, v, s;
        do {
            u = uniform_symmetric(rng);
            v = uniform_symmetric(rng);
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        double f = sqrt(-2.0 * portable_log(s) / s); /* sqrt is correctly rounded by IEEE 754 */
        x[i] = (float)(u * f);
        if (i + 1 < n) x[i + 1] = (float)(v * f);
    }
}
