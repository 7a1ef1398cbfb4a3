/*
 * allocation_counter.c — malloc interposition for the allocation tests (see the header).
 */
#include <stdbool.h>
#include <stddef.h>

#include "allocation_counter.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void __libc_free(void *pointer);

/* Per thread, so tests running in parallel on other threads do not pollute the count. */
static _Thread_local bool counting;
static _Thread_local int64_t count;

static inline void note(void) {
    if (counting) count++;
}

void allocation_counter_start(void) {
    count = 0;
    counting = true;
}

int64_t allocation_counter_stop(void) {
    counting = false;
    return count;
}

void *malloc(size_t size) { note(); return __libc_malloc(size); }
void *calloc(size_t count_, size_t size) { note(); return __libc_calloc(count_, size); }
void *realloc(void *pointer, size_t size) { note(); return __libc_realloc(pointer, size); }
void free(void *pointer) { __libc_free(pointer); }
void *memalign(size_t alignment, size_t size) { note(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { note(); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    note();
    void *p = __libc_memalign(alignment, size);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}
