/*
 * threads.c — the process-wide thread count and the CPU feature check.
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

bool vg_cpu_has_avx512(void) { return __builtin_cpu_supports("avx512f"); }
