/*
 * bench/daemon-scale/responder.c - the real servers of the daemon scale benchmark, and the
 * analysis of what they saw.
 *
 *   responder serve ADDRESSES_FILE PORT LOG
 *       One process, one thread, one epoll set: a listening socket per address of
 *       ADDRESSES_FILE (one IPv4 address per line; they need not be configured on an interface
 *       when a `local` route covers them), each answering every request with
 *       "HTTP/1.1 200 OK", a 3-byte body and Connection: close. TCP_DEFER_ACCEPT makes accept
 *       return once the request is there, so the usual request costs accept4 + read + write +
 *       close (plus a share of one epoll_wait and one clock read per batch of events): every
 *       syscall costs tens of microseconds in user-mode Linux. Each request is logged as a
 *       binary record (CLOCK_REALTIME nanoseconds at accept, address index) into LOG through a
 *       1 MiB stdio buffer. SIGUSR1 flushes the log; SIGTERM/SIGINT flush it and exit, printing
 *       key=value totals on stdout.
 *
 *   responder analyze ADDRESSES_COUNT LOG T0 T1 INTERVAL
 *       Reads LOG and prints key=value figures for the window [T0, T1] (seconds since the epoch,
 *       decimals allowed): requests and their rate, and per address the gaps between successive
 *       requests with both ends in the window (a check's period as the server saw it), as
 *       percentiles of the gap and of the lateness (gap - INTERVAL), the share of gaps above
 *       INTERVAL x 1.1, the addresses never asked in the window, and the distribution of
 *       requests per address.
 *
 * Build: cc -O2 -o responder responder.c -lm
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct record {
    int64_t t_ns;  /* CLOCK_REALTIME at accept (one clock read per few events, see serve) */
    uint32_t idx;  /* the address's line number in ADDRESSES_FILE, 0-based */
    uint32_t kind; /* 0: answered at once; 1: answered after waiting for the request */
};

static const char RESPONSE[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";

static volatile sig_atomic_t stop_flag, flush_flag;
static void on_stop(int sig) { (void)sig; stop_flag = 1; }
static void on_flush(int sig) { (void)sig; flush_flag = 1; }

static void die(const char *what) {
    perror(what);
    exit(1);
}

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Reads ADDRESSES_FILE; returns the count, addresses in *out (network order). */
static size_t read_addresses(const char *path, uint32_t **out) {
    FILE *f = fopen(path, "r");
    if (!f) die(path);
    size_t n = 0, cap = 1024;
    uint32_t *a = malloc(cap * sizeof *a);
    char line[128];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n \t")] = 0;
        if (!line[0]) continue;
        struct in_addr in;
        if (inet_pton(AF_INET, line, &in) != 1) {
            fprintf(stderr, "responder: %s: not an IPv4 address: %s\n", path, line);
            exit(2);
        }
        if (n == cap) a = realloc(a, (cap *= 2) * sizeof *a);
        a[n++] = in.s_addr;
    }
    fclose(f);
    *out = a;
    return n;
}

/* epoll data: a listener is the top bit, its fd (bits 32-62) and its address index (bits 0-31);
 * a connection waiting for its request is a pointer to its struct pending. */
#define LISTENER (1ULL << 63)

/* A connection whose request had not arrived at accept time (rare with TCP_DEFER_ACCEPT). */
struct pending {
    int fd;
    uint32_t idx;
    uint32_t got;
    char buf[2048];
};

static int complete(const char *buf, size_t len) {
    return len >= 4 && memmem(buf, len, "\r\n\r\n", 4) != NULL;
}

static unsigned long long served, slow_path, errors, dropped;

static int serve(const char *addresses, int port, const char *logpath) {
    uint32_t *addr;
    size_t n = read_addresses(addresses, &addr);
    struct rlimit rl = {n + 65536, n + 65536};
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        /* not root: as many as the hard limit allows */
        if (getrlimit(RLIMIT_NOFILE, &rl) != 0) die("getrlimit");
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    FILE *log = fopen(logpath, "w");
    if (!log) die(logpath);
    static char logbuf[1 << 20];
    setvbuf(log, logbuf, _IOFBF, sizeof logbuf);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) die("epoll_create1");
    for (size_t i = 0; i < n; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) die("socket");
        int one = 1, defer = 5;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = addr[i]};
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            char text[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &addr[i], text, sizeof text);
            fprintf(stderr, "responder: bind %s:%d: %s\n", text, port, strerror(errno));
            return 1;
        }
        /* accept returns once data arrived (or after `defer` s, then without data). */
        if (setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer) != 0) die("TCP_DEFER_ACCEPT");
        if (listen(fd, 512) != 0) die("listen");
        struct epoll_event ev = {.events = EPOLLIN, .data.u64 = LISTENER | (uint64_t)fd << 32 | i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) die("epoll_ctl");
    }

    struct sigaction sa = {0};
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_flush;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("listening=%zu\n", n);
    fflush(stdout);

    enum { MAXEV = 512 };
    struct epoll_event evs[MAXEV];
    char buf[2048];
    while (!stop_flag) {
        if (flush_flag) {
            flush_flag = 0;
            fflush(log);
        }
        int k = epoll_wait(ep, evs, MAXEV, 1000);
        if (k < 0) {
            if (errno == EINTR) continue;
            die("epoll_wait");
        }
        int64_t t = 0;
        for (int e = 0; e < k; e++) {
            /* one clock read per 16 events: a syscall each in user-mode Linux */
            if ((e & 15) == 0) t = now_ns();
            uint64_t data = evs[e].data.u64;
            if (data & LISTENER) {
                uint32_t idx = (uint32_t)(data & 0xffffffffu);
                int lfd = (int)((data & ~LISTENER) >> 32);
                int c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (c < 0) {
                    if (errno != EAGAIN && errno != ECONNABORTED) errors++;
                    continue;
                }
                struct record r = {t, idx, 0};
                ssize_t got = read(c, buf, sizeof buf);
                if (got > 0 && complete(buf, (size_t)got)) {
                    if (write(c, RESPONSE, sizeof RESPONSE - 1) != (ssize_t)(sizeof RESPONSE - 1)) errors++;
                    close(c);
                    fwrite(&r, sizeof r, 1, log);
                    served++;
                    continue;
                }
                if (got == 0 || (got < 0 && errno != EAGAIN)) {
                    close(c);
                    dropped++;
                    continue;
                }
                /* the request is not (all) there yet: wait for it */
                struct pending *p = malloc(sizeof *p);
                p->fd = c;
                p->idx = idx;
                p->got = got > 0 ? (uint32_t)got : 0;
                if (got > 0) memcpy(p->buf, buf, (size_t)got);
                struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = p};
                /* the pointer's top bit is clear on x86-64 user space, so it never reads as LISTENER */
                if (epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev) != 0) die("epoll_ctl conn");
                slow_path++;
            } else {
                struct pending *p = evs[e].data.ptr;
                int c = p->fd;
                size_t room = sizeof p->buf - p->got;
                ssize_t got = room ? read(c, p->buf + p->got, room) : 0;
                if (got < 0 && errno == EAGAIN) continue;
                if (got > 0) p->got += (uint32_t)got;
                if (got > 0 && complete(p->buf, p->got)) {
                    if (write(c, RESPONSE, sizeof RESPONSE - 1) != (ssize_t)(sizeof RESPONSE - 1)) errors++;
                    struct record r = {t, p->idx, 1};
                    fwrite(&r, sizeof r, 1, log);
                    served++;
                } else if (got > 0) {
                    continue;
                } else {
                    dropped++;
                }
                close(c); /* also removes it from the epoll set */
                free(p);
            }
        }
    }
    fflush(log);
    fclose(log);
    printf("served=%llu\nslow_path=%llu\ndropped=%llu\nerrors=%llu\n", served, slow_path, dropped, errors);
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* nearest-rank percentile of a sorted array */
static double pct(const double *v, size_t n, double p) {
    if (n == 0) return NAN;
    size_t k = (size_t)ceil(p / 100.0 * (double)n);
    if (k < 1) k = 1;
    if (k > n) k = n;
    return v[k - 1];
}

static int analyze(size_t count, const char *logpath, double t0, double t1, double interval) {
    FILE *f = fopen(logpath, "r");
    if (!f) die(logpath);
    int64_t w0 = (int64_t)llround(t0 * 1e9), w1 = (int64_t)llround(t1 * 1e9);
    int64_t *last = calloc(count, sizeof *last);
    uint32_t *per = calloc(count, sizeof *per);
    /* the longest time each address went without a request inside the window, the window's
     * edges included (a lower bound of the period that spans an edge) */
    int64_t *silence = calloc(count, sizeof *silence);
    size_t cap = 1 << 20, ng = 0;
    double *gaps = malloc(cap * sizeof *gaps);
    unsigned long long total = 0, in_window = 0, slow = 0, out_of_range = 0, backwards = 0;
    int64_t first = 0, lastt = 0;
    struct record r;
    while (fread(&r, sizeof r, 1, f) == 1) {
        total++;
        if (r.idx >= count) {
            out_of_range++;
            continue;
        }
        if (r.t_ns < w0 || r.t_ns > w1) {
            if (r.t_ns < w0) last[r.idx] = r.t_ns;
            continue;
        }
        if (!in_window) first = r.t_ns;
        in_window++;
        lastt = r.t_ns;
        per[r.idx]++;
        if (r.kind) slow++;
        int64_t since = last[r.idx] >= w0 ? r.t_ns - last[r.idx] : r.t_ns - w0;
        if (since > silence[r.idx]) silence[r.idx] = since;
        /* both ends in the window: the gap's earlier end is this address's previous request */
        if (last[r.idx] >= w0) {
            if (r.t_ns < last[r.idx]) backwards++;
            if (ng == cap) gaps = realloc(gaps, (cap *= 2) * sizeof *gaps);
            gaps[ng++] = (double)(r.t_ns - last[r.idx]) / 1e9;
        }
        last[r.idx] = r.t_ns;
    }
    fclose(f);
    qsort(gaps, ng, sizeof *gaps, cmp_double);
    unsigned long long late10 = 0, late50 = 0, late100 = 0, early10 = 0;
    double sum = 0;
    for (size_t i = 0; i < ng; i++) {
        sum += gaps[i];
        if (gaps[i] > interval * 1.1) late10++;
        if (gaps[i] > interval * 1.5) late50++;
        if (gaps[i] > interval * 2.0) late100++;
        if (gaps[i] < interval * 0.9) early10++;
    }
    size_t silent = 0, silent_late = 0;
    uint32_t pmin = UINT32_MAX, pmax = 0;
    double *sil = malloc(count * sizeof *sil);
    for (size_t i = 0; i < count; i++) {
        int64_t tail = w1 - (last[i] >= w0 ? last[i] : w0);
        if (tail > silence[i]) silence[i] = tail;
        sil[i] = (double)silence[i] / 1e9;
        if (sil[i] > interval * 1.1) silent_late++;
        if (per[i] == 0) silent++;
        if (per[i] < pmin) pmin = per[i];
        if (per[i] > pmax) pmax = per[i];
    }
    double span = t1 - t0;
    printf("window_s=%.3f\n", span);
    printf("records_total=%llu\nrequests=%llu\nrate_per_s=%.1f\n", total, in_window, in_window / span);
    printf("first_in_window=%.6f\nlast_in_window=%.6f\n", first / 1e9, lastt / 1e9);
    printf("slow_path=%llu\nout_of_range=%llu\nbackwards=%llu\n", slow, out_of_range, backwards);
    printf("addresses=%zu\naddresses_silent=%zu\nrequests_per_address_min=%u\nrequests_per_address_max=%u\n", count, silent, pmin, pmax);
    printf("gaps=%zu\n", ng);
    if (ng) {
        printf("gap_mean=%.6f\n", sum / (double)ng);
        printf("gap_min=%.6f\n", gaps[0]);
        const double ps[] = {50, 90, 99, 99.9};
        const char *names[] = {"p50", "p90", "p99", "p999"};
        for (int i = 0; i < 4; i++) printf("gap_%s=%.6f\n", names[i], pct(gaps, ng, ps[i]));
        printf("gap_max=%.6f\n", gaps[ng - 1]);
        for (int i = 0; i < 4; i++) printf("lateness_%s=%.6f\n", names[i], pct(gaps, ng, ps[i]) - interval);
        printf("lateness_max=%.6f\n", gaps[ng - 1] - interval);
    }
    if (ng) printf("late_over_10pct=%llu\nlate_over_10pct_share=%.6f\n", late10, (double)late10 / (double)ng);
    else printf("late_over_10pct=0\nlate_over_10pct_share=n/a\n");
    qsort(sil, count, sizeof *sil, cmp_double);
    printf("silence_p50=%.6f\nsilence_p99=%.6f\nsilence_max=%.6f\n", pct(sil, count, 50), pct(sil, count, 99), sil[count - 1]);
    printf("addresses_silence_over_10pct=%zu\naddresses_silence_over_10pct_share=%.6f\n", silent_late, (double)silent_late / (double)count);
    printf("late_over_50pct=%llu\nlate_over_100pct=%llu\nearly_under_90pct=%llu\n", late50, late100, early10);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "serve") == 0) return serve(argv[2], atoi(argv[3]), argv[4]);
    if (argc == 7 && strcmp(argv[1], "analyze") == 0)
        return analyze((size_t)strtoull(argv[2], NULL, 10), argv[3], atof(argv[4]), atof(argv[5]), atof(argv[6]));
    fprintf(stderr,
            "usage: responder serve ADDRESSES_FILE PORT LOG\n"
            "       responder analyze ADDRESSES_COUNT LOG T0 T1 INTERVAL\n");
    return 2;
}
