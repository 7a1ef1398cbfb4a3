/*
 * fma_peak.h — benchmark-only: the machine's fp32 FMA peak, measured, not assumed.
 */
#ifndef FMA_PEAK_H
#define FMA_PEAK_H

/* GFLOP/s of `threads` threads each running independent chains of the widest FMA this CPU has
 * (AVX-512, else AVX2+FMA, else SSE multiply-add) for about `seconds`; 2 FLOP per lane. */
double fma_peak_gflops(int threads, double seconds);
/* The instruction set measured: "avx512", "avx2" or "sse". */
const char *fma_peak_instruction_set(void);

#endif
