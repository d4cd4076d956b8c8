#ifndef CLAIMGATE_CCLAIMSYS_H
#define CLAIMGATE_CCLAIMSYS_H
// Linux headers that Glibc's Swift overlay does not export (epoll, signalfd, eventfd), plus
// tiny helpers for things Swift cannot express directly: `struct epoll_event` is packed on
// x86_64, and errno is a thread-local macro.
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static inline struct epoll_event cg_epoll_event(uint32_t events, uint64_t token) {
    struct epoll_event ev;
    ev.events = events;
    ev.data.u64 = token;
    return ev;
}

static inline uint64_t cg_epoll_event_token(const struct epoll_event *ev) { return ev->data.u64; }
static inline uint32_t cg_epoll_event_events(const struct epoll_event *ev) { return ev->events; }

static inline int cg_errno(void) { return errno; }

/// epoll_wait with a timeout in nanoseconds (epoll_pwait2, Linux 5.11; a negative timeout blocks).
/// Where the kernel lacks it (ENOSYS), epoll_wait with the timeout rounded up to a millisecond.
static inline int cg_epoll_wait_ns(int epfd, struct epoll_event *events, int max, int64_t ns) {
    if (ns < 0) return epoll_wait(epfd, events, max, -1);
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    int n = epoll_pwait2(epfd, events, max, &ts, NULL);
    if (n < 0 && errno == ENOSYS) return epoll_wait(epfd, events, max, (int)((ns + 999999) / 1000000));
    return n;
}

/// accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC).
int cg_accept_nonblock(int listener);

/// How many CPUs the calling thread may run on (sched_getaffinity), or -1.
int cg_allowed_cpu_count(void);

/// Pins the calling thread to the nth CPU (modulo their count) of those it may run on now;
/// returns that CPU's number, or -1 (the thread's affinity is then unchanged).
int cg_pin_current_thread(int nth);

/// Puts the calling thread under SCHED_BATCH (0), or returns -1 (its policy is then unchanged).
int cg_use_batch_scheduling(void);

/// 1 if the calling thread runs under SCHED_BATCH, else 0.
int cg_is_batch_scheduled(void);

/// Puts the calling thread under SCHED_IDLE (it runs only when no other thread wants its CPU):
/// 0, or -1 with errno set. Unprivileged.
int cg_use_idle_scheduling(void);

/// 1 if the calling thread runs under SCHED_IDLE.
int cg_is_idle_scheduled(void);

/// Milliseconds since the Unix epoch from CLOCK_REALTIME.
static inline int64_t cg_realtime_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/// Nanoseconds from CLOCK_MONOTONIC, for timeouts and latency.
static inline uint64_t cg_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/// Blocks SIGINT, SIGTERM, SIGHUP and SIGPIPE for the calling thread and returns a signalfd
/// that reads SIGINT/SIGTERM/SIGHUP (SIGPIPE stays blocked: a peer closing early must not kill
/// the process; SIGHUP asks for a reload instead of ending it).
static inline int cg_signalfd_for_shutdown(void) {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGHUP);
    sigaddset(&mask, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0) return -1;
    sigdelset(&mask, SIGPIPE);
    return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

#endif
