/*
 * podrun-shim: the per-container monitor (in the containerd-shim / conmon tradition).
 *
 *   podrun-shim [-C WORKDIR] [--] PROGRAM [ARGS...]
 *
 * fd 0 is the control socket (podrun holds the other end); fd 1 and 2 are the container's output.
 * The shim forks the container process into its own process group with a clean signal state,
 * reports `started <pid>` or `failed <stage> <errno> <message>`, then waits for the process to
 * exit (reported as `exited <status> <signal>`) or for the control socket to reach EOF (podrun is
 * gone or wants the container dead at once). Either way it SIGKILLs the whole process group,
 * reaps it and exits with the container's own status. See docs/shim.md for the full contract.
 *
 * While the container runs, podrun can ask the shim to run a command beside it (exec probes and
 * hooks, as a runtime's shim runs `exec`): the command gets the container's environment and
 * working directory and a process group of its own; its output (first 4 KiB) and exit come back
 * on the control socket.
 *
 * Deliberately small: no allocation, no stdio, a handful of syscalls, so it starts fast and an
 * idle shim costs almost nothing (it sleeps in poll() until something happens).
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#ifndef NSIG
#define NSIG 65
#endif

/* Functions with big local buffers stay out of line, so their frames are only touched when they
 * run: inlined into main's loop, stack-clash probing would touch every page of them at start-up,
 * in every idle shim. */
#if defined(__GNUC__) || defined(__clang__)
#define COLD_PATH __attribute__((noinline))
#else
#define COLD_PATH
#endif

#define CONTROL_FD 0
#define EXIT_START_ERROR 128 /* what container runtimes report for a StartError */

/* Stages of the child's set-up, reported when one fails (also the word on the `failed` line). */
enum stage { STAGE_STDIN = 1, STAGE_CHDIR, STAGE_EXEC };

struct failure {
    int stage;
    int err;
};

static int sigchld_pipe[2] = {-1, -1};

/* ---- commands run beside the container (exec) ---- */

#define MAX_EXECS 16
#define EXEC_OUTPUT_LIMIT 4096
#define MAX_EXEC_ARGS 256
#define REQUEST_LIMIT 65536

/* The slots are small and together fill part of one page, which the poll loop reads on every
 * wake-up; the output buffers sit apart and are touched only by an exec that uses them, so an
 * idle shim's memory does not grow with MAX_EXECS. */
struct exec_slot {
    int used;
    unsigned long id;
    pid_t pid;
    int out_fd; /* read end of the command's stdout+stderr; -1 once at EOF */
    size_t out_len;
    int truncated;
    char *out; /* exec_output[slot] */
};

/* The shim's small mutable state, together, so an idle shim touches one page for it. The exec
 * buffers are mapped at the first request: static, they would move the C library's own
 * variables about and make every idle shim touch more pages. */
static struct {
    const char *workdir;  /* the container's working directory, for execs too */
    size_t request_len;   /* bytes of an unfinished request in request_buf */
    char *request_buf;    /* REQUEST_LIMIT bytes: requests as they arrive on the control socket */
    char *args;           /* REQUEST_LIMIT / 2 + MAX_EXEC_ARGS bytes: one request's arguments */
    char *outputs;        /* MAX_EXECS × EXEC_OUTPUT_LIMIT bytes: each running exec's output */
    struct exec_slot execs[MAX_EXECS];
} shim;

#define ARGS_SIZE (REQUEST_LIMIT / 2 + MAX_EXEC_ARGS)

/* Maps the exec buffers on first use; 0 when there is no memory for them. */
COLD_PATH static int ensure_exec_buffers(void) {
    if (shim.request_buf)
        return 1;
    size_t size = REQUEST_LIMIT + ARGS_SIZE + (size_t)MAX_EXECS * EXEC_OUTPUT_LIMIT;
    char *area = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED)
        return 0;
    shim.request_buf = area;
    shim.args = area + REQUEST_LIMIT;
    shim.outputs = area + REQUEST_LIMIT + ARGS_SIZE;
    return 1;
}

/* ---- small output helpers: a fixed buffer, no stdio, no allocation ---- */

struct line {
    char buf[1024 + PATH_MAX];
    size_t len;
};

static void put_str(struct line *l, const char *s) {
    while (*s && l->len < sizeof l->buf - 2)
        l->buf[l->len++] = *s++;
}

static void put_int(struct line *l, long v) {
    char tmp[24];
    int n = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u && n < (int)sizeof tmp);
    if (v < 0 && l->len < sizeof l->buf - 2)
        l->buf[l->len++] = '-';
    while (n > 0 && l->len < sizeof l->buf - 2)
        l->buf[l->len++] = tmp[--n];
}

/* A quoted name, escaped so the protocol stays one line per message whatever the name holds. */
static void put_quoted(struct line *l, const char *s) {
    static const char hex[] = "0123456789abcdef";
    put_str(l, "\"");
    for (; *s && l->len < sizeof l->buf - 6; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            l->buf[l->len++] = '\\';
            l->buf[l->len++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            l->buf[l->len++] = '\\';
            l->buf[l->len++] = 'x';
            l->buf[l->len++] = hex[c >> 4];
            l->buf[l->len++] = hex[c & 15];
        } else {
            l->buf[l->len++] = (char)c;
        }
    }
    put_str(l, "\"");
}

/* strerror text with a lower-case first letter, the way Go-based runtimes phrase their errors. */
static void put_errno_text(struct line *l, int err) {
    const char *text = strerror(err);
    size_t start = l->len;
    put_str(l, text ? text : "unknown error");
    if (l->len > start && l->buf[start] >= 'A' && l->buf[start] <= 'Z')
        l->buf[start] = (char)(l->buf[start] - 'A' + 'a');
}

static void write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return; /* podrun is gone (EPIPE; SIGPIPE is ignored) or fd 0 is not writable: nothing to do */
        }
        p += w;
        n -= (size_t)w;
    }
}

static void send_line(struct line *l) {
    l->buf[l->len++] = '\n';
    write_all(CONTROL_FD, l->buf, l->len);
    l->len = 0;
}

/* ---- signals ---- */

static void on_sigchld(int sig) {
    int saved = errno;
    (void)sig;
    /* Self-pipe: wake poll(). Non-blocking, so a full pipe (wake-up already pending) is fine. */
    ssize_t r = write(sigchld_pipe[1], "", 1);
    (void)r;
    errno = saved;
}

static void set_disposition(int sig, void (*handler)(int)) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = handler == on_sigchld ? (SA_RESTART | SA_NOCLDSTOP) : 0;
    (void)sigaction(sig, &sa, NULL);
}

static int set_cloexec_nonblock(int fd, int nonblock) {
    int fl = fcntl(fd, F_GETFD);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
        return -1;
    if (nonblock) {
        fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
            return -1;
    }
    return 0;
}

/* ---- the child, between fork and exec ---- */

/* Restores SIG_DFL. glibc refuses (EINVAL) to touch the real-time signals it reserves for itself
 * (32 and 33), yet an inherited SIG_IGN on them survives exec like any other, and Swift processes
 * do run with them ignored; so on Linux go to the kernel directly. An all-zero kernel sigaction is
 * SIG_DFL with no flags and an empty mask whatever the architecture's field order. */
static void reset_disposition(int sig) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    if (sigaction(sig, &sa, NULL) == 0)
        return;
#if defined(__linux__) && defined(SYS_rt_sigaction)
    if (errno == EINVAL) {
        unsigned long zero[8];
        memset(zero, 0, sizeof zero);
        (void)syscall(SYS_rt_sigaction, sig, zero, NULL, (size_t)(NSIG - 1) / 8);
    }
#endif
}

/* Closes every fd >= 3 except `keep`. The container must not hold the control socket, Foundation's
 * exit-notification socket or anything else podrun had open: a descendant holding those would
 * delay podrun's view of the exit (the very problem the shim exists to solve). */
static void close_other_fds(int keep) {
#if defined(__linux__) && defined(SYS_close_range)
    /* Linux >= 5.9: two ranges around `keep`; fall back below if the kernel lacks the call. */
    int ok = 1;
    if (keep > 3 && syscall(SYS_close_range, 3U, (unsigned)keep - 1, 0U) != 0)
        ok = 0;
    if (ok && syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U) == 0)
        return;
#endif
    /* Portable fallback: list the fds that are actually open (/dev/fd is /proc/self/fd on Linux and
     * fdescfs on macOS) instead of probing up to a limit that may be in the millions. */
    DIR *d = opendir("/dev/fd");
    if (d) {
        int self = dirfd(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            const char *p = e->d_name;
            int fd = 0;
            if (*p < '0' || *p > '9')
                continue;
            for (; *p >= '0' && *p <= '9'; p++)
                fd = fd * 10 + (*p - '0');
            if (fd > 2 && fd != keep && fd != self)
                (void)close(fd);
        }
        (void)closedir(d);
        return;
    }
    int max = getdtablesize();
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        if (fd != keep)
            (void)close(fd);
}

static void child_fail(int status_fd, int stage, int err) {
    struct failure f = {stage, err};
    ssize_t r = write(status_fd, &f, sizeof f); /* < PIPE_BUF: atomic */
    (void)r;
    _exit(127);
}

/* The child side of a container or of an exec'd command (`output_fd` >= 0: its stdout and
 * stderr, else the shim's own, which podrun set up for the container). */
static void run_child(int status_fd, int output_fd, const char *workdir, char **argv) {
    /* Lead a new process group, so podrun (and the shim) can signal the container and everything
     * it spawns as one unit. The parent does the same for the child to close the race. */
    (void)setpgid(0, 0);

    /* Reset every disposition: ignored signals survive exec, and podrun or the shim may ignore
     * some (the shim ignores SIGTERM, SIGINT, ...). Caught ones are reset by exec anyway, but the
     * shim's SIGCHLD handler must not run in the child before then. SIGKILL/SIGSTOP can't change. */
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            reset_disposition(sig);

    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd < 0)
        child_fail(status_fd, STAGE_STDIN, errno);
    if (null_fd != 0) {
        if (dup2(null_fd, 0) < 0)
            child_fail(status_fd, STAGE_STDIN, errno);
        (void)close(null_fd);
    }
    if (output_fd >= 0) {
        if (dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0)
            child_fail(status_fd, STAGE_STDIN, errno);
        if (output_fd > 2)
            (void)close(output_fd);
    }

    if (workdir && chdir(workdir) != 0)
        child_fail(status_fd, STAGE_CHDIR, errno);

    close_other_fds(status_fd);

    /* All signals were blocked around fork(); give the program an empty mask, as a runtime does. */
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);

    execvp(argv[0], argv);
    child_fail(status_fd, STAGE_EXEC, errno);
}


/* ---- the shim ---- */

/* `<stage> <errno> <verb> ["name"]: <message>`, the part a start failure and an exec failure
 * share; a bare name not found says so in the words of Go's exec.LookPath, which runc uses. */
COLD_PATH static void put_failure(struct line *l, const char *stage, int err, const char *verb, const char *name) {
    put_str(l, stage);
    put_str(l, " ");
    put_int(l, err);
    put_str(l, " ");
    put_str(l, verb);
    if (name) {
        put_str(l, " ");
        put_quoted(l, name);
    }
    put_str(l, ": ");
    if (name && strcmp(stage, "exec") == 0 && err == ENOENT && strchr(name, '/') == NULL)
        put_str(l, "executable file not found in $PATH");
    else
        put_errno_text(l, err);
}

/* `failed …` for the container (`id` < 0) or `exec-failed <id> …` for an exec'd command. */
COLD_PATH static void report_failure_of(long id, const char *stage, int err, const char *verb, const char *name) {
    struct line l = {.len = 0};
    if (id < 0) {
        put_str(&l, "failed ");
    } else {
        put_str(&l, "exec-failed ");
        put_int(&l, id);
        put_str(&l, " ");
    }
    put_failure(&l, stage, err, verb, name);
    send_line(&l);
}

static void report_failure(const char *stage, int err, const char *verb, const char *name) {
    report_failure_of(-1, stage, err, verb, name);
}

COLD_PATH static void report_exec_failure(unsigned long id, const char *stage, int err, const char *verb, const char *name) {
    report_failure_of((long)id, stage, err, verb, name);
}

/* What `run_child` wrote to the status pipe, reported for the container or an exec'd command. */
COLD_PATH static void report_child_failure(long id, struct failure f, const char *workdir, const char *program) {
    if (f.stage == STAGE_STDIN)
        report_failure_of(id, "stdin", f.err, "open", "/dev/null");
    else if (f.stage == STAGE_CHDIR)
        report_failure_of(id, "chdir", f.err, "chdir", workdir);
    else
        report_failure_of(id, "exec", f.err, "exec", program);
}

/* Reads what the command wrote so far, keeping the first EXEC_OUTPUT_LIMIT bytes; the rest is
 * read and dropped so a chatty command never blocks on a full pipe. Closes the pipe at EOF. */
COLD_PATH static void drain_exec_output(struct exec_slot *e) {
    char scratch[4096];
    while (e->out_fd >= 0) {
        char *into = e->out_len < EXEC_OUTPUT_LIMIT ? e->out + e->out_len : scratch;
        size_t room = e->out_len < EXEC_OUTPUT_LIMIT ? EXEC_OUTPUT_LIMIT - e->out_len : sizeof scratch;
        ssize_t n = read(e->out_fd, into, room);
        if (n > 0) {
            if (into == scratch)
                e->truncated = 1;
            else
                e->out_len += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        (void)close(e->out_fd); /* EOF (or an error: nothing more to get) */
        e->out_fd = -1;
    }
}

/* The command's main process ended with `status`: kill the rest of its group (as for the
 * container), take the output written so far, and report `exec-exited <id> <code> <signal>
 * <length> <truncated>` followed by exactly <length> bytes of output. */
COLD_PATH static void finish_exec(struct exec_slot *e, int status) {
    (void)kill(-e->pid, SIGKILL);
    drain_exec_output(e);
    if (e->out_fd >= 0) {
        (void)close(e->out_fd); /* an escaped writer may hold it: take what is there, no more */
        e->out_fd = -1;
    }
    struct line l = {.len = 0};
    put_str(&l, "exec-exited ");
    put_int(&l, (long)e->id);
    put_str(&l, " ");
    if (WIFSIGNALED(status)) {
        put_int(&l, 128 + WTERMSIG(status));
        put_str(&l, " ");
        put_int(&l, WTERMSIG(status));
    } else {
        put_int(&l, WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_START_ERROR);
        put_str(&l, " 0");
    }
    put_str(&l, " ");
    put_int(&l, (long)e->out_len);
    put_str(&l, e->truncated ? " 1\n" : " 0\n");
    write_all(CONTROL_FD, l.buf, l.len);
    write_all(CONTROL_FD, e->out, e->out_len);
    e->used = 0;
}

/* Starts `argv` beside the container for request `id`. */
COLD_PATH static void start_exec(unsigned long id, char **argv) {
    struct exec_slot *e = NULL;
    for (int i = 0; i < MAX_EXECS; i++)
        if (!shim.execs[i].used) {
            e = &shim.execs[i];
            break;
        }
    if (!e) {
        report_exec_failure(id, "exec", EAGAIN, "exec", argv[0]);
        return;
    }
    int out[2], status_pipe[2];
    if (pipe(out) != 0) {
        report_exec_failure(id, "pipe", errno, "pipe", NULL);
        return;
    }
    if (pipe(status_pipe) != 0) {
        int err = errno;
        (void)close(out[0]);
        (void)close(out[1]);
        report_exec_failure(id, "pipe", err, "pipe", NULL);
        return;
    }
    (void)set_cloexec_nonblock(out[0], 1);
    (void)set_cloexec_nonblock(status_pipe[0], 0);
    (void)set_cloexec_nonblock(status_pipe[1], 0);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &all, NULL);
    pid_t pid = fork();
    if (pid == 0) {
        (void)close(status_pipe[0]);
        (void)close(out[0]);
        run_child(status_pipe[1], out[1], shim.workdir, argv);
    }
    int fork_err = errno;
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    (void)close(out[1]);
    (void)close(status_pipe[1]);
    if (pid < 0) {
        (void)close(out[0]);
        (void)close(status_pipe[0]);
        report_exec_failure(id, "fork", fork_err, "fork", NULL);
        return;
    }
    (void)setpgid(pid, pid);
    struct failure f;
    ssize_t n;
    do
        n = read(status_pipe[0], &f, sizeof f);
    while (n < 0 && errno == EINTR);
    (void)close(status_pipe[0]);
    if (n == (ssize_t)sizeof f) {
        int st;
        (void)waitpid(pid, &st, 0);
        (void)close(out[0]);
        report_child_failure((long)id, f, shim.workdir, argv[0]);
        return;
    }
    e->used = 1;
    e->out = shim.outputs + (size_t)(e - shim.execs) * EXEC_OUTPUT_LIMIT;
    e->id = id;
    e->pid = pid;
    e->out_fd = out[0];
    e->out_len = 0;
    e->truncated = 0;
}

/* Parses a decimal number from *p up to a space or newline; advances *p past one space. */
static int parse_number(char **p, char *end, unsigned long *value) {
    unsigned long v = 0;
    int digits = 0;
    while (*p < end && **p >= '0' && **p <= '9') {
        v = v * 10 + (unsigned long)(**p - '0');
        (*p)++;
        digits++;
    }
    if (!digits || digits > 18)
        return 0;
    if (*p < end && **p == ' ')
        (*p)++;
    *value = v;
    return 1;
}

/* Handles the complete requests in `shim.request_buf`, keeping an incomplete one for later:
 *   exec <id> <argc> <len1> ... <lenN>\n<arg1 bytes>...<argN bytes>
 *   kill <id>\n
 * Anything else is skipped to the end of its line (reserved). */
COLD_PATH static void handle_requests(void) {
    size_t consumed = 0;
    for (;;) {
        char *start = shim.request_buf + consumed;
        char *end = shim.request_buf + shim.request_len;
        char *newline = memchr(start, '\n', (size_t)(end - start));
        if (!newline)
            break;
        char *p = start;
        if (newline - start > 5 && memcmp(start, "exec ", 5) == 0) {
            p += 5;
            unsigned long id, argc, lengths[MAX_EXEC_ARGS], total = 0;
            int ok = parse_number(&p, newline, &id) && parse_number(&p, newline, &argc) && argc >= 1 &&
                     argc <= MAX_EXEC_ARGS;
            for (unsigned long i = 0; ok && i < argc; i++) {
                ok = parse_number(&p, newline, &lengths[i]);
                total += ok ? lengths[i] : 0;
            }
            if (!ok || total > REQUEST_LIMIT / 2) {
                consumed = (size_t)(newline + 1 - shim.request_buf);
                continue; /* malformed: podrun never sends this */
            }
            if ((size_t)(end - (newline + 1)) < total)
                break; /* the arguments are still on their way */
            /* Copy the arguments out, each NUL-terminated, then start the command. */
            char *argv[MAX_EXEC_ARGS + 1];
            char *src = newline + 1, *dst = shim.args;
            for (unsigned long i = 0; i < argc; i++) {
                memcpy(dst, src, lengths[i]);
                argv[i] = dst;
                dst[lengths[i]] = '\0';
                dst += lengths[i] + 1;
                src += lengths[i];
            }
            argv[argc] = NULL;
            consumed = (size_t)(src - shim.request_buf);
            start_exec(id, argv);
        } else if (newline - start > 5 && memcmp(start, "kill ", 5) == 0) {
            p += 5;
            unsigned long id;
            if (parse_number(&p, newline, &id))
                for (int i = 0; i < MAX_EXECS; i++)
                    if (shim.execs[i].used && shim.execs[i].id == id)
                        (void)kill(-shim.execs[i].pid, SIGKILL);
            consumed = (size_t)(newline + 1 - shim.request_buf);
        } else {
            consumed = (size_t)(newline + 1 - shim.request_buf);
        }
    }
    if (consumed > 0) {
        memmove(shim.request_buf, shim.request_buf + consumed, shim.request_len - consumed);
        shim.request_len -= consumed;
    }
    if (shim.request_len == REQUEST_LIMIT)
        shim.request_len = 0; /* an oversized request: drop it rather than stall */
}

static pid_t waitpid_eintr(pid_t pid, int *status, int options) {
    pid_t r;
    do
        r = waitpid(pid, status, options);
    while (r < 0 && errno == EINTR);
    return r;
}

/* Kills the container's process group and reaps every member that is our child (the main process
 * and, on Linux, the orphans re-parented to us as subreaper), so that when `exited` is written
 * nothing of the group is left, not even a zombie. Everything was sent SIGKILL, so this is quick;
 * processes that left the group (setsid) are outside the container's group and are not waited for. */
static void kill_and_reap_group(pid_t pgid) {
    int st;
    (void)kill(-pgid, SIGKILL);
    while (waitpid_eintr(-pgid, &st, 0) > 0) {
    }
    while (waitpid_eintr(-1, &st, WNOHANG) > 0) {
    }
}

/* Ends the shim with the container's own status, so the shim's wait status says the same thing. */
static void exit_like(int status) {
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        struct rlimit no_core = {0, 0};
        (void)setrlimit(RLIMIT_CORE, &no_core); /* the container's crash must not dump the shim's core */
        set_disposition(sig, SIG_DFL);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        (void)sigprocmask(SIG_UNBLOCK, &set, NULL);
        (void)raise(sig);
        _exit(128 + sig); /* not reached for a terminating signal */
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_START_ERROR);
}

static void usage(void) {
    static const char msg[] = "usage: podrun-shim [-C WORKDIR] [--] PROGRAM [ARGS...]";
    struct line l = {.len = 0};
    put_str(&l, "failed usage 0 ");
    put_str(&l, msg);
    send_line(&l);
    write_all(2, msg, sizeof msg - 1);
    write_all(2, "\n", 1);
    _exit(EXIT_START_ERROR);
}

int main(int argc, char **argv) {
    const char *workdir = NULL;
    int i = 1;

    /* Writes to a vanished podrun must fail with EPIPE instead of killing us. */
    set_disposition(SIGPIPE, SIG_IGN);

    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "-C") == 0 && i + 1 < argc) {
            workdir = argv[i + 1];
            i += 2;
        } else {
            usage();
        }
    }
    if (i >= argc)
        usage();
    char **program = argv + i;
    shim.workdir = workdir;

    /* The container's process group gets the signals, not the shim: ignore what podrun, a terminal
     * or a session leader might send so the monitor outlives its container. (SIGKILL still works,
     * and podrun notices: the control socket reaches EOF without an `exited` line.) */
    set_disposition(SIGTERM, SIG_IGN);
    set_disposition(SIGINT, SIG_IGN);
    set_disposition(SIGHUP, SIG_IGN);
    set_disposition(SIGQUIT, SIG_IGN);

#ifdef __linux__
    /* Orphans of the container re-parent to us, not to init: we reap them and can wait for the
     * whole group to be gone before reporting the exit. */
    (void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#endif

    if (pipe(sigchld_pipe) != 0 || set_cloexec_nonblock(sigchld_pipe[0], 1) != 0 ||
        set_cloexec_nonblock(sigchld_pipe[1], 1) != 0) {
        report_failure("pipe", errno, "pipe", NULL);
        _exit(EXIT_START_ERROR);
    }
    int status_pipe[2];
    if (pipe(status_pipe) != 0 || set_cloexec_nonblock(status_pipe[0], 0) != 0 ||
        set_cloexec_nonblock(status_pipe[1], 0) != 0) {
        report_failure("pipe", errno, "pipe", NULL);
        _exit(EXIT_START_ERROR);
    }

    /* Block everything across fork(): the child must not run our SIGCHLD handler (or be stopped by
     * a signal meant for the shim) before it has reset its dispositions. The shim itself runs with
     * an empty mask afterwards, whatever podrun's thread had blocked. */
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &all, NULL);
    set_disposition(SIGCHLD, on_sigchld);

    pid_t child = fork();
    if (child < 0) {
        int err = errno;
        report_failure("fork", err, "fork", NULL);
        _exit(EXIT_START_ERROR);
    }
    if (child == 0) {
        (void)close(status_pipe[0]);
        run_child(status_pipe[1], -1, workdir, program);
    }
    (void)setpgid(child, child); /* may fail once the child has exec'd: it did it itself then */
    (void)close(status_pipe[1]);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);

    /* EOF: exec succeeded (the pipe is close-on-exec). A record: the child says what failed. */
    struct failure f;
    ssize_t n;
    do
        n = read(status_pipe[0], &f, sizeof f);
    while (n < 0 && errno == EINTR);
    (void)close(status_pipe[0]);
    if (n == (ssize_t)sizeof f) {
        int st;
        (void)waitpid_eintr(child, &st, 0);
        report_child_failure(-1, f, workdir, program[0]);
        _exit(EXIT_START_ERROR);
    }

    struct line l = {.len = 0};
    put_str(&l, "started ");
    put_int(&l, child);
    send_line(&l);

    /* Sleep until the container exits (SIGCHLD via the self-pipe) or podrun lets go of the control
     * socket (EOF, or an error such as ECONNRESET); meanwhile serve exec requests and collect the
     * output of running execs. No timeout: an idle shim never wakes. */
    int child_status = 0, control_open = 1;
    for (;;) {
        struct pollfd p[2 + MAX_EXECS];
        int slot_of[2 + MAX_EXECS];
        nfds_t count = 0;
        p[count++] = (struct pollfd){sigchld_pipe[0], POLLIN, 0};
        if (control_open)
            p[count++] = (struct pollfd){CONTROL_FD, POLLIN, 0};
        nfds_t first_exec = count;
        for (int e = 0; e < MAX_EXECS; e++)
            if (shim.execs[e].used && shim.execs[e].out_fd >= 0) {
                slot_of[count] = e;
                p[count++] = (struct pollfd){shim.execs[e].out_fd, POLLIN, 0};
            }
        if (poll(p, count, -1) < 0) {
            if (errno == EINTR)
                continue;
            control_open = 0; /* cannot happen with valid fds; stop watching rather than spin */
            continue;
        }
        for (nfds_t k = first_exec; k < count; k++)
            if (p[k].revents)
                drain_exec_output(&shim.execs[slot_of[k]]);
        if (p[0].revents) {
            char drain[64];
            while (read(sigchld_pipe[0], drain, sizeof drain) > 0) {
            }
            int st, done = 0;
            pid_t r;
            /* Reap everything: the container, finished execs and any orphan re-parented to us. */
            while ((r = waitpid_eintr(-1, &st, WNOHANG)) > 0) {
                if (r == child) {
                    child_status = st;
                    done = 1;
                    continue;
                }
                for (int e = 0; e < MAX_EXECS; e++)
                    if (shim.execs[e].used && shim.execs[e].pid == r)
                        finish_exec(&shim.execs[e], st);
            }
            if (done)
                break;
        }
        if (control_open && p[1].revents) {
            /* Without memory for requests, read them away (and watch for EOF) all the same. */
            char discard[512];
            int serving = ensure_exec_buffers();
            char *into = serving ? shim.request_buf + shim.request_len : discard;
            size_t room = serving ? REQUEST_LIMIT - shim.request_len : sizeof discard;
            ssize_t r = read(CONTROL_FD, into, room);
            if (r > 0) {
                if (serving) {
                    shim.request_len += (size_t)r;
                    handle_requests();
                }
                continue;
            }
            if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
                continue;
            /* EOF or error: podrun is gone or wants the container dead now. The main process may
             * have left the group (setsid), so kill it by pid as well; then wait for it. */
            (void)kill(-child, SIGKILL);
            (void)kill(child, SIGKILL);
            (void)waitpid_eintr(child, &child_status, 0);
            break;
        }
    }

    /* Commands still running beside the container end with it: `exec-gone <id>`, so podrun can
     * tell "the container went away under it" (the kubelet's Unknown) from a real failure. */
    for (int e = 0; e < MAX_EXECS; e++)
        if (shim.execs[e].used) {
            int st = 0;
            (void)kill(-shim.execs[e].pid, SIGKILL);
            (void)waitpid_eintr(shim.execs[e].pid, &st, 0);
            if (shim.execs[e].out_fd >= 0)
                (void)close(shim.execs[e].out_fd);
            struct line gone = {.len = 0};
            put_str(&gone, "exec-gone ");
            put_int(&gone, (long)shim.execs[e].id);
            send_line(&gone);
            shim.execs[e].used = 0;
        }

    /* As a runtime does when PID 1 of a container exits: nothing else of the group survives. The
     * group id stays reserved while any member lives, so the leader having been reaped is fine. */
    kill_and_reap_group(child);

    put_str(&l, "exited ");
    if (WIFSIGNALED(child_status)) {
        put_int(&l, 128 + WTERMSIG(child_status));
        put_str(&l, " ");
        put_int(&l, WTERMSIG(child_status));
    } else {
        put_int(&l, WIFEXITED(child_status) ? WEXITSTATUS(child_status) : EXIT_START_ERROR);
        put_str(&l, " 0");
    }
    send_line(&l);
    exit_like(child_status);
}
