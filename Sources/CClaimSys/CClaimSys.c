// Most helpers are static inline in the header. accept4, the CPU affinity macros and
// SCHED_BATCH need _GNU_SOURCE, which the shared Glibc module is not built with, so they live
// here in their own translation unit.
#define _GNU_SOURCE
#include <sched.h>
#include <sys/socket.h>
#include "CClaimSys.h"

int cg_accept_nonblock(int listener) {
    return accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int cg_allowed_cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    return CPU_COUNT(&set);
}

int cg_pin_current_thread(int nth) {
    cpu_set_t allowed;
    if (nth < 0 || sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    int count = CPU_COUNT(&allowed);
    if (count == 0) return -1;
    int wanted = nth % count;
    for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
        if (!CPU_ISSET(cpu, &allowed)) continue;
        if (wanted-- > 0) continue;
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        // pid 0: the calling thread alone (Linux affinity is per thread).
        return sched_setaffinity(0, sizeof one, &one) == 0 ? cpu : -1;
    }
    return -1;
}

int cg_use_batch_scheduling(void) {
    struct sched_param param = { .sched_priority = 0 };
    // pid 0: the calling thread alone (Linux scheduling policy is per thread).
    return sched_setscheduler(0, SCHED_BATCH, &param);
}

int cg_is_batch_scheduled(void) { return sched_getscheduler(0) == SCHED_BATCH; }

int cg_use_idle_scheduling(void) {
    struct sched_param param = { .sched_priority = 0 };
    return sched_setscheduler(0, SCHED_IDLE, &param);
}

int cg_is_idle_scheduled(void) { return sched_getscheduler(0) == SCHED_IDLE; }
