/* W4 in C with the plain ioctl (Linux 6.11+): per lookup, open
 * /proc/<task>/ns/pid, ioctl(NS_GET_PID_FROM_PIDNS, 1), close. No check that
 * the namespace's init is alive (the ioctl still reports an exited,
 * unreaped init).
 *
 * Usage: as w4_c.c. Built against glibc (dynamic) by `cargo xtask bench`. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness.h"

#ifndef NS_GET_PID_FROM_PIDNS
#define NS_GET_PID_FROM_PIDNS _IOR(0xb7, 0x6, int) /* include/uapi/linux/nsfs.h */
#endif

static pid_t task, expected;

static void iteration(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)task);
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    if (ns < 0)
        fail("open");
    int pid = ioctl(ns, NS_GET_PID_FROM_PIDNS, 1);
    close(ns);
    if (pid != expected)
        fail("ioctl");
}

int main(int argc, char **argv) {
    if (argc < 5)
        fail("usage: <iterations> <warm-up> <task> <expected init pid>");
    task = atoi(argv[3]);
    expected = atoi(argv[4]);
    return run(argc, argv, iteration);
}
