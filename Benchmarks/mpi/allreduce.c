/* allreduce: times an in-place MPI_Allreduce (sum of floats) for message sizes from 4 bytes to
 * 8 MB, for the α-β model in Benchmarks/README.md. mpicc -O2 -o allreduce allreduce.c;
 * mpirun -np 2 ./allreduce. Prints bytes and the median of 200 calls (after 20 warm-up calls)
 * in microseconds. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    enum { WARMUP = 20, CALLS = 200 };
    float *x = calloc(1 << 21, sizeof(float));
    double times[CALLS];
    for (int n = 1; n <= 1 << 21; n *= 4) {
        for (int i = 0; i < WARMUP + CALLS; i++) {
            MPI_Barrier(MPI_COMM_WORLD);
            double start = MPI_Wtime();
            MPI_Allreduce(MPI_IN_PLACE, x, n, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            if (i >= WARMUP) times[i - WARMUP] = MPI_Wtime() - start;
        }
        qsort(times, CALLS, sizeof(double), compare_doubles);
        if (rank == 0) printf("%zu %.2f\n", n * sizeof(float), times[CALLS / 2] * 1e6);
    }
    free(x);
    MPI_Finalize();
    return 0;
}
