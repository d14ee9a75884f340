/* WS in C: start /bin/true (empty environment) and wait for it, checking
 * exit status 0. Built twice by `cargo xtask bench`: with -DUSE_POSIX_SPAWN
 * (glibc's and musl's posix_spawn, which clone with CLONE_VM|CLONE_VFORK on
 * a stack of their own) and without (fork, execve, _exit(127) on failure).
 *
 * Usage: see harness.h. */
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static char *const argv_[] = {"/bin/true", 0};
static char *const envp_[] = {0};

static void iteration(void) {
    pid_t pid;
#ifdef USE_POSIX_SPAWN
    if (posix_spawn(&pid, "/bin/true", 0, 0, argv_, envp_) != 0)
        fail("posix_spawn");
#else
    pid = fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0) {
        execve("/bin/true", argv_, envp_);
        _exit(127);
    }
#endif
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("child status");
}

int main(int argc, char **argv) {
    return run(argc, argv, iteration);
}
