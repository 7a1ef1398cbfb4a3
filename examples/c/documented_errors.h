/*
 * documented_errors.h — the status codes include/vaegan.h documents for each function, read
 * from the header itself when a test starts, so a test that checks calls against them cannot
 * drift from the doc. For the boundary test; header-only.
 *
 * A function's codes are every VG_ERROR_* and VG_CANCELLED named in the comment right above
 * its declaration, those of each function that comment defers to ("Errors as vg_model_encode"),
 * and the header's general rules ("Errors" above vg_model): any function may return
 * VG_ERROR_INVALID_ARGUMENT (NULL pointers, a dead handle) and VG_ERROR_STATE (a handle busy
 * in another call, a bug caught). vg_error_set returns the status it is given and is not
 * checked.
 */
#ifndef VG_DOCUMENTED_ERRORS_H
#define VG_DOCUMENTED_ERRORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vaegan.h"

enum { DOCUMENTED_MAX = 64, DOCUMENTED_NAME = 64 };

typedef struct {
    char name[DOCUMENTED_NAME];
    unsigned codes;             /* bit -s for each status s allowed (bit 0: VG_OK) */
    char defers[4][DOCUMENTED_NAME]; /* "Errors as vg_x": the functions whose codes it adds */
    int failed;                 /* calls seen returning an error, for the coverage report */
} documented_function;

static documented_function documented[DOCUMENTED_MAX];
static int documented_count = 0;

static const struct { const char *token; vg_status status; } documented_tokens[] = {
    {"VG_ERROR_INVALID_ARGUMENT", VG_ERROR_INVALID_ARGUMENT}, {"VG_ERROR_SHAPE_MISMATCH", VG_ERROR_SHAPE_MISMATCH},
    {"VG_ERROR_NON_FINITE", VG_ERROR_NON_FINITE},             {"VG_ERROR_OUT_OF_MEMORY", VG_ERROR_OUT_OF_MEMORY},
    {"VG_ERROR_IO", VG_ERROR_IO},                             {"VG_ERROR_FORMAT", VG_ERROR_FORMAT},
    {"VG_ERROR_WRONG_MODEL", VG_ERROR_WRONG_MODEL},           {"VG_ERROR_STATE", VG_ERROR_STATE},
    {"VG_ERROR_INTERNAL", VG_ERROR_INTERNAL},                 {"VG_CANCELLED", VG_CANCELLED},
};

static documented_function *documented_find(const char *name, size_t length) {
    for (int i = 0; i < documented_count; i++)
        if (strlen(documented[i].name) == length && strncmp(documented[i].name, name, length) == 0) return &documented[i];
    return NULL;
}

/* The codes named in text[0 ..< n] and the functions it defers to, into f. */
static void documented_scan(documented_function *f, const char *text, size_t n) {
    int defers = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < sizeof documented_tokens / sizeof documented_tokens[0]; t++) {
            size_t k = strlen(documented_tokens[t].token);
            char next = i + k < n ? text[i + k] : ' ';
            if (i + k <= n && strncmp(text + i, documented_tokens[t].token, k) == 0 && next != '_' &&
                !(next >= 'A' && next <= 'Z'))
                f->codes |= 1u << -documented_tokens[t].status;
        }
        if (defers < 4 && strncmp(text + i, "Errors as vg_", 13) == 0) {
            size_t s = i + 10, e = s;
            while (e < n && (text[e] == '_' || (text[e] >= 'a' && text[e] <= 'z'))) e++;
            snprintf(f->defers[defers++], DOCUMENTED_NAME, "%.*s", (int)(e - s), text + s);
        }
    }
}

/* Reads `path` (include/vaegan.h); 0 on success. */
static int documented_load(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) return -1;
    static char text[1 << 17];
    size_t n = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[n] = '\0';
    const char *marker = "VG_API vg_status ";
    for (char *at = strstr(text, marker); at && documented_count < DOCUMENTED_MAX; at = strstr(at + 1, marker)) {
        char *name = at + strlen(marker), *paren = strchr(name, '(');
        if (!paren || paren - name >= DOCUMENTED_NAME) return -1;
        documented_function *f = &documented[documented_count++];
        snprintf(f->name, sizeof f->name, "%.*s", (int)(paren - name), name);
        f->codes = 1u | 1u << -VG_ERROR_INVALID_ARGUMENT | 1u << -VG_ERROR_STATE; /* VG_OK, the general rules */
        /* The comment that ends right above the declaration. */
        char *end = at;
        while (end > text && (end[-1] == ' ' || end[-1] == '\n')) end--;
        if (end - text >= 2 && end[-1] == '/' && end[-2] == '*') {
            char *start = end - 2;
            while (start > text && !(start[0] == '/' && start[1] == '*')) start--;
            documented_scan(f, start, (size_t)(end - start));
        }
    }
    /* Deferred lists, to a fixed point (a function may defer to one declared later). */
    for (int pass = 0; pass < 4; pass++)
        for (int i = 0; i < documented_count; i++)
            for (int d = 0; d < 4 && documented[i].defers[d][0]; d++) {
                documented_function *other = documented_find(documented[i].defers[d], strlen(documented[i].defers[d]));
                if (!other) return -1;
                documented[i].codes |= other->codes;
            }
    return documented_count > 0 ? 0 : -1;
}

/* 1 when `status` is documented for the function `call` (source text "vg_x(...)") calls, or
 * the call is not one of them (vg_error_set, a helper); prints why not otherwise. */
static int documented_allows(const char *call, vg_status status) {
    const char *paren = strchr(call, '(');
    documented_function *f = paren ? documented_find(call, (size_t)(paren - call)) : NULL;
    if (!f || strcmp(f->name, "vg_error_set") == 0) return 1;
    if (status != VG_OK) f->failed++;
    if (status <= 0 && status > -32 && (f->codes & (1u << -status))) return 1;
    printf("UNDOCUMENTED %s returned %s (%d), which its comment in vaegan.h does not list\n", f->name,
           vg_status_string(status), (int)status);
    return 0;
}

#endif
