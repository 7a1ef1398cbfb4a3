/*
 * allocation_counter.h — test-only: counts heap allocations made by the whole process.
 *
 * The target defines malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign,
 * which take precedence over the C library's in the test executable (and in every library
 * it loads), count each call while counting is on, and forward to glibc's own functions.
 * Linked into tests only; never into the library.
 */
#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

#include <stdint.h>

/* Starts counting the calling thread's allocations from zero. */
void allocation_counter_start(void);
/* Stops counting and returns the number of allocations since the start. */
int64_t allocation_counter_stop(void);

#endif
