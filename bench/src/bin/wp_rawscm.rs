//! WP (fork with a pidfd + waitid(P_PIDFD)) with rawscm (std program): see
//! `spawn_workloads::wp_iteration`.

#[path = "../main_std.rs"]
mod main_std;
#[path = "../spawn_workloads.rs"]
#[allow(dead_code)]
mod spawn_workloads;

fn main() {
    main_std::main(Ok(spawn_workloads::wp_iteration))
}
