//! W4 with rawscm (std program): see `rawscm_workloads::w4`.
//!
//! Usage: `w4_rawscm <iterations> <warm-up> <task> <expected init pid>
//! <fork|ioctl|auto>`.

#[path = "../main_std.rs"]
mod main_std;
#[path = "../rawscm_workloads.rs"]
#[allow(dead_code)]
mod rawscm_workloads;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    main_std::main(rawscm_workloads::w4(args.iter().map(|a| a.as_bytes())))
}
