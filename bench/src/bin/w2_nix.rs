//! W2 with nix: fork, the child exits 0 at once, the parent waits and checks
//! the status.

#[path = "../main_std.rs"]
mod main_std;

use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};
use rawscm_bench::Check;

fn iteration() -> Check {
    // SAFETY: single-threaded program; the child only calls _exit.
    match unsafe { fork() } {
        // SAFETY: _exit is async-signal-safe. (nix has no _exit; its fork
        // documentation uses libc's.)
        Ok(ForkResult::Child) => unsafe { libc::_exit(0) },
        Ok(ForkResult::Parent { child }) => match waitpid(child, None) {
            Ok(WaitStatus::Exited(_, 0)) => Ok(()),
            _ => Err("child status"),
        },
        Err(_) => Err("fork"),
    }
}

fn main() {
    main_std::main(Ok(iteration))
}
