//! W1 with rawscm (std program): see `rawscm_workloads::W1`.

#[path = "../main_std.rs"]
mod main_std;
#[path = "../rawscm_workloads.rs"]
#[allow(dead_code)]
mod rawscm_workloads;

fn main() {
    main_std::main(rawscm_workloads::W1::new().map(|w1| move || w1.iteration()))
}
