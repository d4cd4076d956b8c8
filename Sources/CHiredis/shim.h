#ifndef CLAIMGATE_CHIREDIS_SHIM_H
#define CLAIMGATE_CHIREDIS_SHIM_H
// hiredis 0.14 (Debian libhiredis-dev). Swift uses only the *Argv calls and the reader API:
// redisCommand is variadic and not importable.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <stdlib.h>

// hiredis 0.14 allocates a multi-bulk reply's element array from the count in its header
// before any element arrives: "*300000000\r\n" asks for 2.4 GB (found by claimfuzz). Our
// replies have at most a few thousand elements, so readers get a bound: a larger count is a
// protocol error, not an allocation.
#define CG_MAX_REPLY_ELEMENTS (1 << 20)

static void *cg_create_array_bounded(const redisReadTask *task, int elements) {
    if (elements < 0 || elements > CG_MAX_REPLY_ELEMENTS) return NULL;  // the reader reports an error
    // privdata holds the reader's original functions (hiredis copies it into every task).
    const redisReplyObjectFunctions *original = (const redisReplyObjectFunctions *)task->privdata;
    return original->createArray(task, elements);
}

/// Puts the element bound on `r`: its functions become a copy (owned by the reader, freed by
/// cg_reader_free) with createArray checked. Returns 0, or -1 if malloc failed (r unchanged).
static inline int cg_reader_bound_arrays(redisReader *r) {
    redisReplyObjectFunctions *bounded = (redisReplyObjectFunctions *)malloc(sizeof *bounded);
    if (bounded == NULL || r->fn == NULL) { free(bounded); return -1; }
    *bounded = *r->fn;
    bounded->createArray = cg_create_array_bounded;
    r->privdata = r->fn;
    r->fn = bounded;
    return 0;
}

/// Frees a reader bounded by cg_reader_bound_arrays (and its copy of the functions, which
/// redisReaderFree may still use to free a partial reply).
static inline void cg_reader_free(redisReader *r) {
    redisReplyObjectFunctions *bounded = r->fn;
    redisReaderFree(r);
    free(bounded);
}

/// The same bound on a context's reader; the copy lives until cg_context_free.
static inline int cg_context_bound_arrays(redisContext *c) { return cg_reader_bound_arrays(c->reader); }

static inline void cg_context_free(redisContext *c) {
    redisReplyObjectFunctions *bounded = c->reader->fn;
    redisFree(c);
    free(bounded);
}
#endif
