/* W1 in C: one process, a SOCK_DGRAM pair, the receiver has SO_PASSCRED;
 * each iteration sends 1 byte + SCM_RIGHTS(one fd) + SCM_CREDENTIALS(own) in
 * one message, receives it with MSG_CMSG_CLOEXEC into a fixed buffer, checks
 * both, and closes the received fd. Written as cmsg(3) teaches.
 *
 * Usage: see harness.h. Built against glibc (dynamic) and musl (static) by
 * `cargo xtask bench`. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define SPACE (CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred)))

static int tx, rx;
static struct ucred me;

static void iteration(void) {
    union {
        char buf[SPACE];
        struct cmsghdr align;
    } out, in;
    char byte = 'x';
    struct iovec iov = {.iov_base = &byte, .iov_len = 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = out.buf, .msg_controllen = SPACE};

    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &tx, sizeof(int));
    c = CMSG_NXTHDR(&msg, c);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    memcpy(CMSG_DATA(c), &me, sizeof(struct ucred));
    if (sendmsg(tx, &msg, MSG_NOSIGNAL) != 1)
        fail("sendmsg");

    msg = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = in.buf, .msg_controllen = SPACE};
    if (recvmsg(rx, &msg, MSG_CMSG_CLOEXEC) != 1 || (msg.msg_flags & MSG_CTRUNC))
        fail("received message");
    int fds = 0, got_creds = 0;
    for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET)
            continue;
        if (c->cmsg_type == SCM_RIGHTS) {
            size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < n; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                close(fd);
                fds++;
            }
        } else if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred cr;
            memcpy(&cr, CMSG_DATA(c), sizeof cr);
            if (cr.pid != me.pid || cr.uid != me.uid || cr.gid != me.gid)
                fail("credentials");
            got_creds = 1;
        }
    }
    if (fds != 1)
        fail("descriptors");
    if (!got_creds)
        fail("credentials");
}

int main(int argc, char **argv) {
    int sv[2], on = 1;
    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) != 0)
        fail("socketpair");
    tx = sv[0];
    rx = sv[1];
    if (setsockopt(rx, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0)
        fail("SO_PASSCRED");
    me = (struct ucred){.pid = getpid(), .uid = getuid(), .gid = getgid()};
    return run(argc, argv, iteration);
}
