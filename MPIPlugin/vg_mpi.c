/* vg_mpi: the MPI plugin. The few MPI calls data-parallel training needs, behind plain C
 * functions with no MPI types in their signatures, built by scripts/build-mpi-plugin.sh with
 * mpicc into libvaegan_mpi.so. The Swift library loads it with dlopen only when it runs under
 * mpirun (Sources/VAEGAN/Distributed/MPIPlugin.swift), so neither the default build nor the
 * tests need MPI installed. MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM and MPI_IN_PLACE are macros
 * (in Open MPI, addresses of library globals), which is one more reason they stay on this side.
 *
 * Every function returns 0 or an MPI error code. The communicator keeps MPI's default handler,
 * MPI_ERRORS_ARE_FATAL: a failed collective ends the whole job, which is what we want when a
 * peer is gone (the alternative is every survivor waiting for it).
 *
 * Test-only fault injection: with VG_MPI_TEST_KILL_RANK=r and VG_MPI_TEST_KILL_AFTER=n in the
 * environment, rank r kills itself with SIGKILL at its n-th allreduce (Tests/MPI/run.sh checks
 * that the other ranks then stop instead of hanging). */
#include <mpi.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#define VG_MPI_REQUESTS 256

/* Outstanding nonblocking allreduces; a handle is an index into this table. */
static MPI_Request requests[VG_MPI_REQUESTS];
static int request_used[VG_MPI_REQUESTS];
static int world_rank = 0;
static long kill_rank = -1, kill_after = -1, allreduces = 0;

/* The test's fault injection (see the header comment). */
static void count_allreduce(void) {
    allreduces += 1;
    if (world_rank == kill_rank && allreduces == kill_after) raise(SIGKILL);
}

int vg_mpi_init(int *rank, int *size, int *local_size) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (!initialized) {
        int status = MPI_Init(NULL, NULL);
        if (status != MPI_SUCCESS) return status;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    /* Ranks on this machine, so each can take its share of the cores. */
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    MPI_Comm_size(node, local_size);
    MPI_Comm_free(&node);
    world_rank = *rank;
    const char *r = getenv("VG_MPI_TEST_KILL_RANK"), *n = getenv("VG_MPI_TEST_KILL_AFTER");
    if (r && n) {
        kill_rank = strtol(r, NULL, 10);
        kill_after = strtol(n, NULL, 10);
    }
    return MPI_SUCCESS;
}

/* MPI counts are int: longer buffers go in pieces of at most INT_MAX elements. */
static int allreduce(void *x, int64_t n, MPI_Datatype type, size_t size) {
    count_allreduce();
    char *p = x;
    for (int64_t done = 0; done < n;) {
        int piece = (int)(n - done < INT_MAX ? n - done : INT_MAX);
        int status = MPI_Allreduce(MPI_IN_PLACE, p + done * size, piece, type, MPI_SUM, MPI_COMM_WORLD);
        if (status != MPI_SUCCESS) return status;
        done += piece;
    }
    return MPI_SUCCESS;
}

/* x ← Σ over ranks of x, in place, for n floats. */
int vg_mpi_allreduce_sum_float(float *x, int64_t n) { return allreduce(x, n, MPI_FLOAT, sizeof(float)); }

/* x ← Σ over ranks of x, in place, for n doubles. */
int vg_mpi_allreduce_sum_double(double *x, int64_t n) { return allreduce(x, n, MPI_DOUBLE, sizeof(double)); }

/* Starts x ← Σ over ranks of x for n ≤ INT_MAX floats; *handle names it for test and wait. x
 * must not be read or written until the wait (or a test that says done). */
int vg_mpi_iallreduce_sum_float(int *handle, float *x, int64_t n) {
    if (n > INT_MAX) return MPI_ERR_COUNT;
    int slot = 0;
    while (slot < VG_MPI_REQUESTS && request_used[slot]) slot++;
    if (slot == VG_MPI_REQUESTS) return MPI_ERR_REQUEST;
    count_allreduce();
    int status = MPI_Iallreduce(MPI_IN_PLACE, x, (int)n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &requests[slot]);
    if (status != MPI_SUCCESS) return status;
    request_used[slot] = 1;
    *handle = slot;
    return MPI_SUCCESS;
}

/* Lets MPI progress the reduction (Open MPI has no progress thread by default: nonblocking
 * collectives move only inside MPI calls); *done is 1 once it has finished. */
int vg_mpi_test(int *done, int handle) {
    if (handle < 0 || handle >= VG_MPI_REQUESTS || !request_used[handle]) return MPI_ERR_REQUEST;
    int status = MPI_Test(&requests[handle], done, MPI_STATUS_IGNORE);
    if (*done) request_used[handle] = 0;
    return status;
}

/* Waits for the reduction `handle` to finish. */
int vg_mpi_wait(int handle) {
    if (handle < 0 || handle >= VG_MPI_REQUESTS || !request_used[handle]) return MPI_ERR_REQUEST;
    int status = MPI_Wait(&requests[handle], MPI_STATUS_IGNORE);
    request_used[handle] = 0;
    return status;
}

int vg_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/* Ends every rank of the job with `code` (a rank that failed on its own, so the others do not
 * wait for it in their next collective). */
void vg_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

int vg_mpi_finalize(void) { return MPI_Finalize(); }

/* The MPI library's own version line, for messages. */
const char *vg_mpi_library_version(void) {
    static char text[MPI_MAX_LIBRARY_VERSION_STRING];
    int length = 0;
    MPI_Get_library_version(text, &length);
    return text;
}
