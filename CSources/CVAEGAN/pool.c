/*
 * pool.c — VAEGAN's own thread pool: a fixed set of workers that run the tasks of one job at a
 * time (the tiles of a GEMM, the chunks of an optimizer step), the calling thread among them.
 *
 * Why not OpenBLAS's threads: they spin on sched_yield between calls, so when another process
 * keeps the cores busy they starve each other (100 β-VAE steps went from 0.98 s on one thread
 * to 33.8 s on two). Here a worker spins for a short, bounded time after each job (the next
 * GEMM of a step usually follows within microseconds), then sleeps on a condition variable.
 *
 * No allocation per job: the job lives on the caller's stack, and each worker's scratch buffer
 * (the GEMM's packed panels) is allocated once, when the pool is created. A pool runs one job
 * at a time; a caller that finds it busy (another thread's job) runs its tasks itself, in
 * order, so two threads sharing a pool never wait on each other and never deadlock.
 *
 * Tasks are claimed with an atomic counter, so which worker runs which task varies from run to
 * run; callers make each task's result independent of that (disjoint outputs, partial sums
 * kept per task and added in task order), which keeps results bitwise the same for any
 * thread count.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "vg_core.h"

/* Polls of the job counter before a worker sleeps: about 50–100 µs on the machines seen. */
#define VG_POOL_SPIN_POLLS 20000

typedef struct vg_pool_job {
    vg_task_fn fn;
    void *context;
    int64_t tasks;
    _Atomic int64_t next_task;
    _Atomic int unfinished_workers; /* workers (not the caller) still inside this job */
} vg_pool_job;

struct vg_pool {
    int threads; /* workers + the calling thread */
    pthread_t *workers;
    float **scratch; /* threads buffers of scratch_floats floats, 64-byte aligned */
    int64_t scratch_floats;
    atomic_flag busy;         /* held by the caller whose job is running */
    _Atomic uint64_t generation; /* bumped for each job; workers wait for a change */
    vg_pool_job *_Atomic job;
    _Atomic int stopping;
    _Atomic int sleepers;     /* workers asleep (or about to be) on `wake` */
    pthread_mutex_t lock;
    pthread_cond_t wake;      /* a new job or stop */
    pthread_cond_t finished;  /* the last worker left a job */
    /* Benchmarks only: GEMM wall time and multiply-adds, added up while timing is on. */
    _Atomic bool gemm_timing;
    _Atomic int64_t gemm_nanoseconds, gemm_multiply_adds;
};

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* Claims and runs tasks of `job` until none are left. */
static void run_tasks(vg_pool_job *job, int worker, float *scratch) {
    for (;;) {
        int64_t task = atomic_fetch_add_explicit(&job->next_task, 1, memory_order_relaxed);
        if (task >= job->tasks) return;
        job->fn(job->context, task, worker, scratch);
    }
}

typedef struct worker_start {
    vg_pool *pool;
    int index;
} worker_start;

/* Waits until the generation moves past `seen` (or the pool stops): spins, then sleeps. */
static uint64_t wait_for_job(vg_pool *pool, uint64_t seen) {
    for (int poll = 0; poll < VG_POOL_SPIN_POLLS; poll++) {
        uint64_t now = atomic_load_explicit(&pool->generation, memory_order_acquire);
        if (now != seen || atomic_load_explicit(&pool->stopping, memory_order_relaxed)) return now;
        cpu_relax();
    }
    pthread_mutex_lock(&pool->lock);
    atomic_fetch_add(&pool->sleepers, 1);
    uint64_t now;
    while ((now = atomic_load(&pool->generation)) == seen && !atomic_load(&pool->stopping))
        pthread_cond_wait(&pool->wake, &pool->lock);
    atomic_fetch_sub(&pool->sleepers, 1);
    pthread_mutex_unlock(&pool->lock);
    return now;
}

static void *worker_main(void *argument) {
    worker_start start = *(worker_start *)argument;
    free(argument);
    vg_pool *pool = start.pool;
    uint64_t seen = 0;
    for (;;) {
        seen = wait_for_job(pool, seen);
        if (atomic_load(&pool->stopping)) return NULL;
        vg_pool_job *job = atomic_load_explicit(&pool->job, memory_order_acquire);
        run_tasks(job, start.index, pool->scratch[start.index]);
        if (atomic_fetch_sub_explicit(&job->unfinished_workers, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&pool->lock);
            pthread_cond_signal(&pool->finished);
            pthread_mutex_unlock(&pool->lock);
        }
    }
}

static void stop_workers(vg_pool *pool, int started) {
    pthread_mutex_lock(&pool->lock);
    atomic_store(&pool->stopping, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (int i = 0; i < started; i++) pthread_join(pool->workers[i], NULL);
}

static void release(vg_pool *pool) {
    if (pool->scratch)
        for (int i = 0; i < pool->threads; i++) free(pool->scratch[i]);
    free(pool->scratch);
    free(pool->workers);
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->wake);
    pthread_cond_destroy(&pool->finished);
    free(pool);
}

vg_status vg_pool_create(vg_pool **out, int threads, int64_t scratch_floats) {
    if (!out) return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "pool: NULL out");
    *out = NULL;
    if (threads < 1 || threads > VG_MAX_THREADS)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "pool: %d threads, needs 1 ... %d", threads,
                             VG_MAX_THREADS);
    if (scratch_floats < 0)
        return vg_error_setf(VG_ERROR_INVALID_ARGUMENT, "pool: negative scratch size");
    vg_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "pool: out of memory");
    pool->threads = threads;
    pool->scratch_floats = scratch_floats;
    atomic_flag_clear(&pool->busy);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_cond_init(&pool->finished, NULL);
    pool->workers = calloc((size_t)threads, sizeof *pool->workers);
    pool->scratch = calloc((size_t)threads, sizeof *pool->scratch);
    if (!pool->workers || !pool->scratch) goto out_of_memory;
    size_t bytes = ((size_t)scratch_floats * sizeof(float) + 63) / 64 * 64;
    for (int i = 0; i < threads && bytes > 0; i++)
        if (!(pool->scratch[i] = aligned_alloc(64, bytes))) goto out_of_memory;
    for (int i = 1; i < threads; i++) {
        worker_start *start = malloc(sizeof *start);
        if (!start) {
            stop_workers(pool, i - 1);
            goto out_of_memory;
        }
        *start = (worker_start){pool, i};
        int error = pthread_create(&pool->workers[i - 1], NULL, worker_main, start);
        if (error) {
            free(start);
            stop_workers(pool, i - 1);
            release(pool);
            return vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "pool: cannot start thread %d of %d (%s)",
                                 i + 1, threads, strerror(error));
        }
    }
    *out = pool;
    return VG_OK;
out_of_memory:
    release(pool);
    return vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "pool: out of memory for %d threads", threads);
}

void vg_pool_free(vg_pool *pool) {
    if (!pool) return;
    stop_workers(pool, pool->threads - 1);
    release(pool);
}

int vg_pool_thread_count(const vg_pool *pool) { return pool ? pool->threads : 1; }

int64_t vg_pool_scratch_floats(const vg_pool *pool) { return pool ? pool->scratch_floats : 0; }

/* A scratch buffer for a thread that runs tasks outside any pool (the pool was busy with
 * another thread's job, or there is none): allocated on first need, kept for the thread's
 * life, freed when it exits. */
static pthread_key_t thread_scratch_key;
static pthread_once_t thread_scratch_once = PTHREAD_ONCE_INIT;
static _Thread_local float *thread_scratch;
static _Thread_local int64_t thread_scratch_floats;

static void make_thread_scratch_key(void) { pthread_key_create(&thread_scratch_key, free); }

static float *scratch_of_this_thread(int64_t floats) {
    if (floats <= 0) return NULL;
    if (thread_scratch_floats >= floats) return thread_scratch;
    pthread_once(&thread_scratch_once, make_thread_scratch_key);
    size_t bytes = ((size_t)floats * sizeof(float) + 63) / 64 * 64;
    float *buffer = aligned_alloc(64, bytes);
    if (!buffer) return NULL;
    free(thread_scratch);
    thread_scratch = buffer;
    thread_scratch_floats = floats;
    pthread_setspecific(thread_scratch_key, buffer);
    return buffer;
}

vg_status vg_thread_scratch_reserve(void) {
    int64_t floats = vg_gemm_scratch_floats();
    if (!scratch_of_this_thread(floats))
        return vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "thread scratch: out of memory for %lld floats",
                             (long long)floats);
    return VG_OK;
}

vg_status vg_pool_run(vg_pool *pool, int64_t tasks, vg_task_fn fn, void *context,
                      bool needs_scratch) {
    if (tasks <= 0) return VG_OK;
    if (!pool || atomic_flag_test_and_set_explicit(&pool->busy, memory_order_acquire)) {
        /* No pool, or it runs another thread's job: run the tasks here, in order. */
        int64_t floats = !needs_scratch ? 0 : pool ? pool->scratch_floats : vg_gemm_scratch_floats();
        float *scratch = scratch_of_this_thread(floats);
        if (floats > 0 && !scratch)
            return vg_error_setf(VG_ERROR_OUT_OF_MEMORY, "thread scratch: out of memory for %lld floats",
                                 (long long)floats);
        for (int64_t task = 0; task < tasks; task++) fn(context, task, 0, scratch);
        return VG_OK;
    }
    if (pool->threads == 1 || tasks == 1) {
        for (int64_t task = 0; task < tasks; task++) fn(context, task, 0, pool->scratch[0]);
        atomic_flag_clear_explicit(&pool->busy, memory_order_release);
        return VG_OK;
    }
    vg_pool_job job = {.fn = fn, .context = context, .tasks = tasks};
    atomic_init(&job.next_task, 0);
    atomic_init(&job.unfinished_workers, pool->threads - 1);
    atomic_store_explicit(&pool->job, &job, memory_order_relaxed);
    /* seq_cst, paired with the worker's sleepers++ then generation load: no lost wake-up. */
    atomic_fetch_add(&pool->generation, 1);
    if (atomic_load(&pool->sleepers) > 0) {
        pthread_mutex_lock(&pool->lock);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->lock);
    }
    run_tasks(&job, 0, pool->scratch[0]);
    /* Every worker takes part in every job (it may find no task left), so the job, on this
     * stack, is not reused before all of them have let go of it. */
    for (int poll = 0; poll < VG_POOL_SPIN_POLLS; poll++) {
        if (atomic_load_explicit(&job.unfinished_workers, memory_order_acquire) == 0) goto done;
        cpu_relax();
    }
    pthread_mutex_lock(&pool->lock);
    while (atomic_load(&job.unfinished_workers) != 0) pthread_cond_wait(&pool->finished, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
done:
    atomic_flag_clear_explicit(&pool->busy, memory_order_release);
    return VG_OK;
}

/* ------------------------------------------------------------ GEMM timing (benchmarks) */

void vg_pool_set_gemm_timing(vg_pool *pool, bool on) {
    if (!pool) return;
    atomic_store(&pool->gemm_nanoseconds, 0);
    atomic_store(&pool->gemm_multiply_adds, 0);
    atomic_store(&pool->gemm_timing, on);
}

void vg_pool_gemm_totals(const vg_pool *pool, double *seconds, double *multiply_adds) {
    vg_pool *p = (vg_pool *)pool;
    *seconds = p ? (double)atomic_load(&p->gemm_nanoseconds) * 1e-9 : 0.0;
    *multiply_adds = p ? (double)atomic_load(&p->gemm_multiply_adds) : 0.0;
}

bool vg_pool_gemm_timing(const vg_pool *pool) {
    return pool && atomic_load_explicit(&((vg_pool *)pool)->gemm_timing, memory_order_relaxed);
}

void vg_pool_add_gemm_time(vg_pool *pool, int64_t nanoseconds, int64_t multiply_adds) {
    atomic_fetch_add_explicit(&pool->gemm_nanoseconds, nanoseconds, memory_order_relaxed);
    atomic_fetch_add_explicit(&pool->gemm_multiply_adds, multiply_adds, memory_order_relaxed);
}

/* ------------------------------------------------------------ the process-wide pool */

/* The pool the library's kernels use: created on first use with the thread count of
 * VAEGAN_NUM_THREADS, or else one thread per CPU this process may run on; replaced by
 * vg_set_thread_count. Process-wide by design, like the thread count it embodies. Users hold
 * the lock for reading while they run a job, so a replacement waits for them and never frees
 * a pool in use (readers are preferred, so a job that nests another does not deadlock). */
static vg_pool *default_pool;
static bool default_pool_made;
static pthread_rwlock_t default_pool_lock = PTHREAD_RWLOCK_INITIALIZER;

int vg_available_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int count = CPU_COUNT(&set);
        if (count > 0) return count;
    }
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

static int initial_thread_count(void) {
    const char *text = getenv("VAEGAN_NUM_THREADS");
    if (text && *text) {
        char *end = NULL;
        long count = strtol(text, &end, 10);
        if (end && *end == '\0' && count >= 1 && count <= VG_MAX_THREADS) return (int)count;
    }
    return vg_available_cpu_count();
}

/* Creates the first pool; the caller holds the lock for writing. If the threads or their
 * buffers cannot be had, fewer are tried: with none, the kernels run on the calling thread
 * with its own scratch, and fail with a status only if that, too, cannot be allocated. */
static void make_default_pool(void) {
    int threads = initial_thread_count();
    vg_pool *pool = NULL;
    while (threads >= 1 && vg_pool_create(&pool, threads, vg_gemm_scratch_floats()) != VG_OK) {
        pool = NULL;
        threads /= 2;
    }
    default_pool = pool;
    default_pool_made = true;
}

vg_pool *vg_default_pool_acquire(void) {
    pthread_rwlock_rdlock(&default_pool_lock);
    if (!default_pool_made) {
        pthread_rwlock_unlock(&default_pool_lock);
        pthread_rwlock_wrlock(&default_pool_lock);
        if (!default_pool_made) make_default_pool();
        pthread_rwlock_unlock(&default_pool_lock);
        pthread_rwlock_rdlock(&default_pool_lock);
    }
    return default_pool;
}

void vg_default_pool_release(void) { pthread_rwlock_unlock(&default_pool_lock); }

vg_status vg_set_default_pool_threads(int threads) {
    vg_pool *fresh = NULL;
    vg_status status = vg_pool_create(&fresh, threads, vg_gemm_scratch_floats());
    if (status != VG_OK) return status;
    pthread_rwlock_wrlock(&default_pool_lock); /* waits for every job on the old pool */
    vg_pool *old = default_pool;
    default_pool = fresh;
    default_pool_made = true;
    pthread_rwlock_unlock(&default_pool_lock);
    vg_pool_free(old);
    return VG_OK;
}
