//! The benchmark programs of `cargo xtask bench` (see BENCHMARKS.md): the
//! workloads W1, W2 and W3 of the design notes written with rawscm, rustix
//! and nix, one small program each (`src/bin/`; the C ones are in `c/`).
//!
//! Every W1/W2 program is run as `<program> <iterations> [<warm-up>]`: it
//! runs the warm-up iterations, then times `iterations` more and prints the
//! elapsed nanoseconds on one line. A failed check prints what failed and
//! exits with status 1, so a broken implementation cannot report a time.
//!
//! This library is `#![no_std]`: it holds the timing loop, shared by the std
//! programs (through `main_std.rs`) and the `#![no_std]` ones on rawscm-rt
//! (feature `rt`, through `main_rt.rs`). The rawscm workloads
//! (`rawscm_workloads.rs`) are compiled into each rawscm program, as the
//! peers' code is into theirs.

#![no_std]

use core::time::Duration;
use rawscm::Deadline;

/// What a failed check reports.
pub type Check = Result<(), &'static str>;

/// Reads `<iterations> [<warm-up>]` (by default 1000 and 0) from `args` (the
/// arguments after the program name), runs the warm-up iterations, then the
/// timed ones, and returns the nanoseconds the timed ones took.
pub fn run<'a>(
    args: impl Iterator<Item = &'a [u8]>,
    mut iteration: impl FnMut() -> Check,
) -> Result<u128, &'static str> {
    let (iterations, warm_up) = counts(args).ok_or("usage: <iterations> [<warm-up>]")?;
    // Every iteration is one call through a pointer the optimiser cannot see
    // through, as in the C harness: each row pays the same call, and none
    // has its iteration inlined into this loop (or not) by chance.
    let iteration: &mut dyn FnMut() -> Check = core::hint::black_box(&mut iteration);
    for _ in 0..warm_up {
        iteration()?;
    }
    // CLOCK_MONOTONIC, read as the time left until a deadline that never
    // comes: elapsed = left at the start - left at the end.
    let clock = Deadline::after(Duration::MAX);
    let start = clock.remaining().map_err(|_| "clock")?;
    for _ in 0..iterations {
        iteration()?;
    }
    Ok((start - clock.remaining().map_err(|_| "clock")?).as_nanos())
}

/// `(iterations, warm-up)`, by default `(1000, 0)`.
fn counts<'a>(mut args: impl Iterator<Item = &'a [u8]>) -> Option<(u64, u64)> {
    let iterations = args.next().map_or(Some(1000), count)?;
    let warm_up = args.next().map_or(Some(0), count)?;
    Some((iterations, warm_up))
}

/// Parses a decimal count.
fn count(arg: &[u8]) -> Option<u64> {
    if arg.is_empty() {
        return None;
    }
    arg.iter().try_fold(0u64, |n, &c| {
        let digit = c.checked_sub(b'0').filter(|d| *d < 10)?;
        n.checked_mul(10)?.checked_add(u64::from(digit))
    })
}
