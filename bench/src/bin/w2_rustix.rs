//! W2 with rustix (linux_raw backend): fork, the child exits 0 at once, the
//! parent waits and checks the status.
//!
//! rustix has no public `fork`; its experimental runtime module (feature
//! `runtime`, a hidden module meant for libc replacements) has the raw
//! `kernel_fork`, which is what a libc-free rustix program would use.

#[path = "../main_std.rs"]
mod main_std;

use rawscm_bench::Check;
use rustix::process::{WaitOptions, waitpid};
use rustix::runtime_448b8ad740e2a26f::{Fork, exit_group, kernel_fork};

fn iteration() -> Check {
    // SAFETY: single-threaded program; the child only calls exit_group.
    match unsafe { kernel_fork() } {
        Ok(Fork::Child(_)) => exit_group(0),
        Ok(Fork::ParentOf(pid)) => match waitpid(Some(pid), WaitOptions::empty()) {
            Ok(Some((_, status))) if status.exit_status() == Some(0) => Ok(()),
            _ => Err("child status"),
        },
        Err(_) => Err("fork"),
    }
}

fn main() {
    main_std::main(Ok(iteration))
}
