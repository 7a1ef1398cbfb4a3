/* Nothing to compile: the driver is libFuzzer's (linked by -sanitize=fuzzer). SwiftPM needs a
 * source file in a C target. */
#include "fuzz_driver.h"
