#ifndef CLAIMGATE_CHIREDIS_SHIM_H
#define CLAIMGATE_CHIREDIS_SHIM_H
// hiredis 0.14 (Debian libhiredis-dev). Swift uses only the *Argv calls and the reader API:
// redisCommand is variadic and not importable.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <stdlib.h>

// hiredis 0.14 allocates a multi-bulk reply's element array from the count in its header
// before any element arrives: "*300000000\r\n" asks for 2.4 GB (found by claimfuzz). Readers
// get a bound: a larger count is a protocol error, not an allocation. The gateway's replies
// are small; operators' tools read whole hashes (HGETALL of a pool's vouchers), so their
// bound is larger.
#define CG_MAX_REPLY_ELEMENTS (1 << 20)
#define CG_MAX_OPERATOR_REPLY_ELEMENTS (1 << 26)

/// A reader's reply functions with createArray bounded. `functions` comes first, so the
/// reader's `fn` pointer is also this struct's address (freed by cg_reader_free).
typedef struct {
    redisReplyObjectFunctions functions;
    const redisReplyObjectFunctions *original;
    long long limit;
} cg_bounded_functions;

static void *cg_create_array_bounded(const redisReadTask *task, int elements) {
    // privdata is the reader's cg_bounded_functions (hiredis copies it into every task).
    const cg_bounded_functions *b = (const cg_bounded_functions *)task->privdata;
    if (elements < 0 || elements > b->limit) return NULL;  // the reader reports an error
    return b->original->createArray(task, elements);
}

/// Puts the element bound `limit` on `r`. Returns 0, or -1 if malloc failed (r unchanged).
static inline int cg_reader_bound_arrays(redisReader *r, long long limit) {
    cg_bounded_functions *b = (cg_bounded_functions *)malloc(sizeof *b);
    if (b == NULL || r->fn == NULL) { free(b); return -1; }
    b->functions = *r->fn;
    b->functions.createArray = cg_create_array_bounded;
    b->original = r->fn;
    b->limit = limit;
    r->privdata = b;
    r->fn = &b->functions;
    return 0;
}

/// Frees a reader bounded by cg_reader_bound_arrays (and its functions, which redisReaderFree
/// may still use to free a partial reply).
static inline void cg_reader_free(redisReader *r) {
    redisReplyObjectFunctions *bounded = r->fn;
    redisReaderFree(r);
    free(bounded);
}

/// The operators' bound on a context's reader; the functions live until cg_context_free.
static inline int cg_context_bound_arrays(redisContext *c) {
    return cg_reader_bound_arrays(c->reader, CG_MAX_OPERATOR_REPLY_ELEMENTS);
}

static inline void cg_context_free(redisContext *c) {
    redisReplyObjectFunctions *bounded = c->reader->fn;
    redisFree(c);
    free(bounded);
}
#endif
