//! W2 with rawscm (std program): see `rawscm_workloads::w2_iteration`.

#[path = "../main_std.rs"]
mod main_std;
#[path = "../rawscm_workloads.rs"]
#[allow(dead_code)]
mod rawscm_workloads;

fn main() {
    main_std::main(Ok(rawscm_workloads::w2_iteration))
}
