//! `main` of the `#![no_std]` programs on rawscm-rt (included by
//! `#[path]`): runs `rawscm_bench::run` on the command line, prints the
//! nanoseconds, or reports the failed check and exits with status 1.

use core::fmt::Write;
use rawscm_bench::Check;
use rawscm_rt::{Stderr, Stdout, args};

/// Runs the timing loop; returns the exit status.
pub fn main(setup: Result<impl FnMut() -> Check, &'static str>) -> i32 {
    match setup.and_then(|iteration| rawscm_bench::run(args().skip(1).map(|a| a.to_bytes()), iteration)) {
        Ok(ns) => {
            let _ = writeln!(Stdout, "{ns}");
            0
        }
        Err(what) => {
            let _ = writeln!(Stderr, "check failed: {what}");
            1
        }
    }
}
