/*
 * threads.c — the process-wide thread count and the choice of SIMD instruction set.
 *
 * The count lives in OpenBLAS (process-wide by its design); VAEGAN keeps no copy of it.
 */
#include <cblas.h>

#include "vg_core.h"

vg_status vg_set_thread_count(int count) {
    if (count <= 0) count = openblas_get_num_procs();
    if (count > 1024)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "thread count %d is more than 1024", count);
    openblas_set_num_threads(count);
    return VG_OK;
}

int vg_thread_count(void) { return openblas_get_num_threads(); }

vg_simd vg_simd_level(void) {
    __builtin_cpu_init(); /* idempotent; needed when called before constructors ran */
    if (__builtin_cpu_supports("avx512f")) return VG_SIMD_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return VG_SIMD_AVX2;
    return VG_SIMD_SCALAR;
}

const char *vg_simd_name(vg_simd level) {
    switch (level) {
    case VG_SIMD_AVX512: return "avx512";
    case VG_SIMD_AVX2: return "avx2";
    case VG_SIMD_SCALAR: return "scalar";
    }
    return "unknown";
}
