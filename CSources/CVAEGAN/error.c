/*
 * error.c — status strings and the per-thread last-error message.
 *
 * The message buffer is thread-local, so concurrent callers never see each other's errors;
 * it is the only state the C core keeps, and it is documented in vaegan.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vg_core.h"

static _Thread_local char vg_last_error[1024];

const char *vg_status_string(vg_status status) {
    switch (status) {
    case VG_OK: return "success";
    case VG_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case VG_ERROR_SHAPE_MISMATCH: return "shape mismatch";
    case VG_ERROR_NON_FINITE: return "non-finite value";
    case VG_ERROR_OUT_OF_MEMORY: return "out of memory";
    case VG_ERROR_IO: return "I/O error";
    case VG_ERROR_FORMAT: return "format error";
    case VG_ERROR_WRONG_MODEL: return "wrong model kind";
    case VG_ERROR_STATE: return "invalid state";
    case VG_ERROR_INTERNAL: return "internal error";
    case VG_CANCELLED: return "cancelled";
    }
    return "unknown status";
}

const char *vg_last_error_message(void) { return vg_last_error; }

vg_status vg_error_set(vg_status status, const char *message) {
    snprintf(vg_last_error, sizeof vg_last_error, "%s", message ? message : "");
    return status;
}

vg_status vg_error_setf(vg_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(vg_last_error, sizeof vg_last_error, format, args);
    va_end(args);
    return status;
}

void vg_error_clear(void) { vg_last_error[0] = '\0'; }

#define VG_STRINGIFY_(x) #x
#define VG_STRINGIFY(x) VG_STRINGIFY_(x)

const char *vg_version(void) {
    return VG_STRINGIFY(VG_VERSION_MAJOR) "." VG_STRINGIFY(VG_VERSION_MINOR) "." VG_STRINGIFY(
        VG_VERSION_PATCH);
}
