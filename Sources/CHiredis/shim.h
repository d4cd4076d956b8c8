#ifndef CLAIMGATE_CHIREDIS_SHIM_H
#define CLAIMGATE_CHIREDIS_SHIM_H
// hiredis 0.14 (Debian libhiredis-dev). Swift uses only the *Argv calls and the reader API:
// redisCommand is variadic and not importable.
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#endif
