//! WP with rawscm as a `#![no_std]` program on rawscm-rt (the bench
//! feature `rt`): see `spawn_workloads::wp_iteration`.

#![no_std]
#![no_main]

#[path = "../main_rt.rs"]
mod main_rt;
#[path = "../spawn_workloads.rs"]
#[allow(dead_code)]
mod spawn_workloads;

rawscm_rt::entry!(main);

fn main() -> i32 {
    main_rt::main(Ok(spawn_workloads::wp_iteration))
}
