/*
 * internal.h — helpers shared by the C core's files; never installed, not API.
 *
 * Holds the AVX-512 approximations of exp and log1p that the transcendental kernels use, with
 * their accuracy (checked against double precision by the tests), and the tail-mask helper.
 */
#ifndef VG_INTERNAL_H
#define VG_INTERNAL_H

#include <immintrin.h>
#include <stdint.h>

#define VG_AVX512 __attribute__((target("avx512f,fma")))

/* Lanes [0, n) of a 16-lane vector, for the tail of a loop. */
static inline __mmask16 vg_tail_mask(int64_t n) {
    return n >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << n) - 1u);
}

/* exp(x) for x in float range, within 2 ulp of the true value (x is clamped to
 * [-87.3, 88.7], so the result neither overflows nor goes denormal). Range reduction
 * x = n·ln2 + r with |r| <= ln2/2 (ln2 split in two for exactness), a degree-6 Taylor
 * polynomial for e^r, and scalef for 2^n. */
VG_AVX512 static inline __m512 vg_exp512(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)), _mm512_set1_ps(88.7f));
    __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
    r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
    __m512 p = _mm512_set1_ps(1.0f / 720.0f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
    return _mm512_scalef_ps(p, n);
}

/* log(1 + e) for e in [0, 1], within 1 ulp relative: log(1+e) = 2·atanh(s), s = e/(2+e) in
 * [0, 1/3], summed as the odd series 2s(1 + s²/3 + s⁴/5 + …) to s¹⁶/17, whose remainder is
 * below 2e-9 relative. Relative accuracy holds for tiny e too (no 1 + e rounding). */
VG_AVX512 static inline __m512 vg_log1p_unit512(__m512 e) {
    __m512 s = _mm512_div_ps(e, _mm512_add_ps(_mm512_set1_ps(2.0f), e));
    __m512 s2 = _mm512_mul_ps(s, s);
    __m512 p = _mm512_set1_ps(1.0f / 17.0f);
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 15.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 13.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 11.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 9.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 7.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 5.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f / 3.0f));
    p = _mm512_fmadd_ps(p, s2, _mm512_set1_ps(1.0f));
    return _mm512_mul_ps(_mm512_add_ps(s, s), p);
}

/* Adds the 16 floats of v to a pair of double accumulators (exact conversion). */
VG_AVX512 static inline void vg_accumulate_pd(__m512d *lo, __m512d *hi, __m512 v) {
    *lo = _mm512_add_pd(*lo, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
    *hi = _mm512_add_pd(*hi,
                        _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1))));
}

#endif /* VG_INTERNAL_H */
