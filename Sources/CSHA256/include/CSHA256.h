#ifndef CLAIMGATE_CSHA256_H
#define CLAIMGATE_CSHA256_H
// SHA-256 and HMAC-SHA-256 for token verification on the claim path: the state lives in the
// caller's struct (no allocation), the key's pads are absorbed once per key, and the block
// function uses the CPU's SHA extensions when it has them (else portable C). swift-crypto's
// HMAC, used before, allocated twice per token and cost about 4% of the gateway's time around
// the same block function (loadtest/RESULTS.md).
#include <stddef.h>
#include <stdint.h>

/// A key with its pads absorbed: the SHA-256 states after (key ^ ipad) and after (key ^ opad).
typedef struct {
    uint32_t inner[8];
    uint32_t outer[8];
} cg_hmac_sha256_key;

/// SHA-256 of `len` bytes at `msg` into `out` (32 bytes).
void cg_sha256(const uint8_t *msg, size_t len, uint8_t out[32]);

/// Prepares `key` (`len` bytes; longer than a block is hashed first, as RFC 2104 says).
void cg_hmac_sha256_init(cg_hmac_sha256_key *k, const uint8_t *key, size_t len);

/// HMAC-SHA-256 of `len` bytes at `msg` under `k` into `out` (32 bytes).
void cg_hmac_sha256(const cg_hmac_sha256_key *k, const uint8_t *msg, size_t len, uint8_t out[32]);

/// Whether the SHA extensions are used: `allow` 0 forces the portable block function, 1 uses
/// the extensions if the CPU has them (the default). For tests, which check both agree.
int cg_sha256_use_hardware(int allow);

#endif
