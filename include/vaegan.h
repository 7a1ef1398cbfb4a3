/*
 * vaegan.h — the public C interface of VAEGAN.
 *
 * Conventions
 *   - Every fallible function returns a vg_status: VG_OK (0) on success, a negative code
 *     otherwise. Results come back through out-parameters, which come first.
 *   - vg_last_error_message() describes the most recent failure on the calling thread. It is
 *     never NULL, is meaningful only right after a call returned an error, and the string is
 *     owned by the library: the next failing call on the same thread replaces it.
 *   - Library code never exits or aborts on bad input.
 *
 * Threads
 *   - Error state is thread-local.
 *   - The OpenBLAS thread count (vg_set_thread_count) is process-wide.
 *
 * New status codes are appended at the end only: their values are part of the ABI.
 */
#ifndef VAEGAN_H
#define VAEGAN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define VG_API __declspec(dllexport)
#else
#define VG_API __attribute__((visibility("default")))
#endif

#define VG_VERSION_MAJOR 0
#define VG_VERSION_MINOR 1
#define VG_VERSION_PATCH 0

typedef enum vg_status {
    VG_OK = 0,
    VG_ERROR_INVALID_ARGUMENT = -1, /* a NULL pointer, a size <= 0, a bad hyperparameter */
    VG_ERROR_SHAPE_MISMATCH = -2,   /* sizes that do not fit each other or the model */
    VG_ERROR_NON_FINITE = -3,       /* NaN or infinity in an input or a loss */
    VG_ERROR_OUT_OF_MEMORY = -4,
    VG_ERROR_IO = -5,               /* a file could not be opened, read or written */
    VG_ERROR_FORMAT = -6,           /* a file's contents are not what they claim */
    VG_ERROR_WRONG_MODEL = -7,      /* a handle of another model kind */
    VG_ERROR_STATE = -8,            /* a call out of order */
    VG_ERROR_INTERNAL = -9,         /* a bug in VAEGAN: please report it */
} vg_status;

/* Fixed text for a status code; never NULL. */
VG_API const char *vg_status_string(vg_status status);

/* Text of the last failure on the calling thread; never NULL ("" if none). */
VG_API const char *vg_last_error_message(void);

/* Records `message` as the calling thread's last error and returns `status`. For language
 * bindings that report their own failures through the same channel. */
VG_API vg_status vg_error_set(vg_status status, const char *message);

/* Clears the calling thread's last error. */
VG_API void vg_error_clear(void);

/* The library version as "MAJOR.MINOR.PATCH". */
VG_API const char *vg_version(void);

/* Sets the number of threads for the whole process (OpenBLAS and VAEGAN's own); count <= 0
 * means all cores. Not safe to call while another thread is inside the library. */
VG_API vg_status vg_set_thread_count(int count);

/* The thread count in force. */
VG_API int vg_thread_count(void);

#ifdef __cplusplus
}
#endif

#endif /* VAEGAN_H */
