//! W1 with rawscm as a `#![no_std]` program on rawscm-rt (the bench feature
//! `rt`): see `rawscm_workloads::W1`.

#![no_std]
#![no_main]

#[path = "../main_rt.rs"]
mod main_rt;
#[path = "../rawscm_workloads.rs"]
#[allow(dead_code)]
mod rawscm_workloads;

rawscm_rt::entry!(main);

fn main() -> i32 {
    main_rt::main(rawscm_workloads::W1::new().map(|w1| move || w1.iteration()))
}
