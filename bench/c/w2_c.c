/* W2 in C: fork, the child exits 0 at once, the parent waits and checks the
 * status.
 *
 * Usage: see harness.h. Built against glibc (dynamic) and musl (static) by
 * `cargo xtask bench`. */
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static void iteration(void) {
    pid_t pid = fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0)
        _exit(0);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("child status");
}

int main(int argc, char **argv) {
    return run(argc, argv, iteration);
}
