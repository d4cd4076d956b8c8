// Most helpers are static inline in the header. accept4 needs _GNU_SOURCE, which the shared
// Glibc module is not built with, so it is wrapped here in its own translation unit.
#define _GNU_SOURCE
#include <sys/socket.h>
#include "CClaimSys.h"

int cg_accept_nonblock(int listener) {
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
