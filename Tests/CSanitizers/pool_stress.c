/*
 * pool_stress.c — the C core's thread pool under AddressSanitizer/UBSan and ThreadSanitizer
 * (scripts/test-sanitizers.sh builds and runs it): three threads at once each run GEMMs on the
 * process-wide pool and on a pool of their own (results must match bit for bit), Adam steps
 * and BCE passes large enough to be split over the pool, while the main thread changes the
 * thread count (which replaces the process-wide pool under their feet). Exit status 0 when
 * every pair of results matched; the sanitizers report anything else.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "vg_core.h"

/* One user of the library: returns the number of mismatched GEMM elements. */
static void *user(void *arg) {
  long id = (long)arg; int M = 96, N = 80, K = 70;
  float *A = malloc(4*M*K), *B = malloc(4*K*N), *C = malloc(4*M*N), *C2 = malloc(4*M*N);
  for (int i = 0; i < M*K; i++) A[i] = (float)((i*7+id)%11) - 5;
  for (int i = 0; i < K*N; i++) B[i] = (float)((i*3)%7) - 3;
  vg_pool *own = NULL; vg_pool_create(&own, 2, vg_gemm_scratch_floats());
  int n = 200000; float *p = malloc(4*n), *m = calloc(n,4), *v = calloc(n,4), *g = malloc(4*n);
  for (int i = 0; i < n; i++) { p[i] = 0.1f; g[i] = 0.01f * (i % 5); }
  int bad = 0;
  for (int r = 0; r < 200; r++) {
    vg_gemm(false, true, M, N, K, 1, A, K, B, K, 0, C, N);
    vg_gemm_with_pool(own, false, true, M, N, K, 1, A, K, B, K, 0, C2, N);
    for (int i = 0; i < M*N; i++) if (C[i] != C2[i]) bad++;
    vg_adam_step(p, m, v, g, n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0, false, r + 1);
    double loss; vg_bce_logits(&loss, g, p, p, n, 1.0f);
  }
  vg_pool_free(own);
  free(A); free(B); free(C); free(C2); free(p); free(m); free(v); free(g);
  return (void *)(long)bad;
}
int main(void) {
  pthread_t t[3];
  for (long i = 0; i < 3; i++) pthread_create(&t[i], NULL, user, (void *)i);
  /* and a thread-count change while they run (the pool swap waits for running jobs) */
  vg_set_thread_count(2); vg_set_thread_count(3); vg_set_thread_count(2);
  long bad = 0; for (int i = 0; i < 3; i++) { void *r; pthread_join(t[i], &r); bad += (long)r; }
  printf("mismatches %ld\n", bad);
  return bad != 0;
}
