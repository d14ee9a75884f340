//! W4 with rawscm as a `#![no_std]` program on rawscm-rt (the bench feature
//! `rt`): see `rawscm_workloads::w4`.

#![no_std]
#![no_main]

#[path = "../main_rt.rs"]
mod main_rt;
#[path = "../rawscm_workloads.rs"]
#[allow(dead_code)]
mod rawscm_workloads;

rawscm_rt::entry!(main);

fn main() -> i32 {
    main_rt::main(rawscm_workloads::w4(rawscm_rt::args().skip(1).map(|a| a.to_bytes())))
}
