/* libFuzzer's driver, called from each harness's main.swift. SwiftPM links an executable
 * target's main to the module's own top-level code, so libFuzzer's main() is never used: the
 * harness calls the driver itself with its callback (https://llvm.org/docs/LibFuzzer.html,
 * "Using libFuzzer as a library"). */
#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
