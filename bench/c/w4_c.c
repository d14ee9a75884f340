/* W4 in C, in lxcfs's style: the host pid of the init of a task's pid
 * namespace by the SCM_CREDENTIALS double fork (the protocol of design.md,
 * written here from it). Per lookup: socketpair(SOCK_DGRAM); fork; the child
 * opens /proc/<task>/ns/pid, setns()es into it and clones (raw clone, as
 * lxcfs does) a grandchild that lives in the namespace; the grandchild waits
 * at most 2 s for a one-byte ping and sends one byte with SCM_CREDENTIALS of
 * pid 1; the parent arms SO_PASSCRED, pings, waits at most 2 s, receives the
 * translated pid, closes both ends and reaps the child, which has reaped the
 * grandchild.
 *
 * Usage: <program> <iterations> <warm-up> <task> <expected init pid> (see
 * harness.h); every lookup must give the expected pid. Built against glibc
 * (dynamic, as lxcfs ships) and musl (static) by `cargo xtask bench`. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static pid_t task, expected;

/* Waits up to `ms` for `fd` to be readable, retrying EINTR. */
static int wait_readable(int fd, int ms) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (;;) {
        int r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        return r > 0;
    }
}

/* The grandchild, in the task's pid namespace: ping, then pid 1. */
static void send_creds(int sock) {
    char v;
    if (!wait_readable(sock, 2000) || recv(sock, &v, 1, MSG_DONTWAIT) != 1)
        _exit(1);
    struct ucred cred = {.pid = 1, .uid = 0, .gid = 0};
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } control;
    v = '1';
    struct iovec iov = {.iov_base = &v, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof cred);
    memcpy(CMSG_DATA(c), &cred, sizeof cred);
    _exit(sendmsg(sock, &msg, 0) < 0);
}

/* The child: join the namespace, clone the grandchild, wait for it. */
static void join_and_fork(int sock) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)task);
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    if (ns < 0 || setns(ns, CLONE_NEWPID) != 0)
        _exit(1);
    close(ns);
    pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0); /* x86_64 argument order */
    if (pid < 0)
        _exit(1);
    if (pid == 0)
        send_creds(sock);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    _exit(!WIFEXITED(status) || WEXITSTATUS(status) != 0);
}

/* The parent: ping, receive, reap. Returns the pid received, or -1. */
static pid_t lookup(void) {
    int sv[2], on = 1;
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0)
        return -1;
    pid_t child = fork();
    if (child == 0) {
        close(sv[1]);
        join_and_fork(sv[0]);
    }
    pid_t found = -1;
    char v = '1';
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } control;
    struct iovec iov = {.iov_base = &v, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                         .msg_controllen = sizeof control.buf};
    if (child > 0 && setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == 0 &&
        write(sv[1], &v, 1) == 1 && wait_readable(sv[1], 2000) && recvmsg(sv[1], &msg, MSG_DONTWAIT) == 1) {
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        struct ucred cred;
        if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
            c->cmsg_len == CMSG_LEN(sizeof cred)) {
            memcpy(&cred, CMSG_DATA(c), sizeof cred);
            found = cred.pid;
        }
    }
    close(sv[0]);
    close(sv[1]);
    int status;
    if (child > 0)
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
    return found;
}

static void iteration(void) {
    if (lookup() != expected)
        fail("init pid");
}

int main(int argc, char **argv) {
    if (argc < 5)
        fail("usage: <iterations> <warm-up> <task> <expected init pid>");
    task = atoi(argv[3]);
    expected = atoi(argv[4]);
    return run(argc, argv, iteration);
}
