//! WS (spawn + wait of /bin/true) with rawscm (std program): see
//! `spawn_workloads::ws_iteration`.

#[path = "../main_std.rs"]
mod main_std;
#[path = "../spawn_workloads.rs"]
#[allow(dead_code)]
mod spawn_workloads;

fn main() {
    main_std::main(Ok(spawn_workloads::ws_iteration))
}
