/*
 * gemm_timer.h — benchmark-only: the time and count of cblas_sgemm calls.
 *
 * gemm_timer.c defines cblas_sgemm in the benchmark executable; the statically linked C core
 * calls it, and it forwards to OpenBLAS's (found with dlsym RTLD_NEXT), timing each call. So a
 * benchmark can put a training step's GEMM time beside the whole step's, in the same run.
 */
#ifndef GEMM_TIMER_H
#define GEMM_TIMER_H

#include <stdint.h>

typedef struct gemm_timer_totals {
    double seconds;
    double flops;
    int64_t calls;
} gemm_timer_totals;

/* Zeroes the totals. */
void gemm_timer_reset(void);
/* The totals since the last reset. */
gemm_timer_totals gemm_timer_read(void);

#endif
