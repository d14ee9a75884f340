//! The spawn workloads with rawscm, included (`#[path]`) by `ws_rawscm`,
//! `ws_rawscm_rt` and `wp_rawscm_rt` (see `xtask/src/bench_spawn.rs`).
//!
//! - WS, spawn + wait: start `/bin/true` (empty environment) and wait for
//!   it through its pidfd, checking exit status 0.
//! - WP, fork with a pidfd + wait: W2 with `fork_with_pidfd` and
//!   `waitid(P_PIDFD)` instead of `fork` and `waitid(P_PID)`.

use rawscm::pidfd::{ForkPidfd, fork_with_pidfd};
use rawscm::spawn::{SpawnOptions, spawn};
use rawscm::{CStrArray, ExitStatus, exit_group};
use rawscm_bench::Check;

/// One WS iteration.
pub fn ws_iteration() -> Check {
    let argv = CStrArray::<2>::from_slice(&[c"/bin/true"]).map_err(|_| "argv")?;
    let envp = CStrArray::<1>::new();
    let child = spawn(c"/bin/true", &argv, &envp, &SpawnOptions::new()).map_err(|_| "spawn")?;
    match child.pidfd.wait() {
        Ok(ExitStatus::Exited(0)) => Ok(()),
        _ => Err("child status"),
    }
}

/// One WP iteration.
pub fn wp_iteration() -> Check {
    // SAFETY: the benchmark programs are single-threaded, and the child only
    // calls exit_group.
    match unsafe { fork_with_pidfd() } {
        Ok(ForkPidfd::Child) => exit_group(0),
        Ok(ForkPidfd::Parent { pidfd, .. }) if pidfd.wait() == Ok(ExitStatus::Exited(0)) => Ok(()),
        Ok(ForkPidfd::Parent { .. }) => Err("child status"),
        Err(_) => Err("fork_with_pidfd"),
    }
}
