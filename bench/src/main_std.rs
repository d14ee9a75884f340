//! `main` of the std programs (included by `#[path]`): runs
//! `rawscm_bench::run` on the command line, prints the nanoseconds, or
//! reports the failed check and exits with status 1.

use rawscm_bench::Check;

/// Runs the timing loop and exits.
pub fn main(setup: Result<impl FnMut() -> Check, &'static str>) -> ! {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match setup.and_then(|iteration| rawscm_bench::run(args.iter().map(|a| a.as_bytes()), iteration)) {
        Ok(ns) => {
            println!("{ns}");
            std::process::exit(0)
        }
        Err(what) => {
            eprintln!("check failed: {what}");
            std::process::exit(1)
        }
    }
}
