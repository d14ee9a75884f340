//! A service that tells its manager it is ready and hands it a descriptor
//! to keep (`FDSTORE=1`), as `sd_notify(3)` describes.
//!
//! ```sh
//! cargo build --features std --example notify
//! # Under systemd: Type=notify, FileDescriptorStoreMax=1. By hand, with
//! # CPython as the manager:
//! python3 -c 'import socket; s=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("\0demo-manager"); print(s.recvmsg(4096, 64))' &
//! NOTIFY_SOCKET=@demo-manager target/debug/examples/notify
//! ```
//!
//! It sends `STATUS=`, then `READY=1` with `FDSTORE=1` and one end of a
//! socketpair, and waits (at most 5 s) for the manager to have read both
//! (`BARRIER=1`) when the manager keeps an fd store.

use core::time::Duration;
use rawscm::notify::{Notification, barrier, notify};
use rawscm::{AsFd, Deadline, SocketType};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(manager) = rawscm::notify::socket_addr_from_env()? else {
        return Err("NOTIFY_SOCKET is not set: no manager to notify".into());
    };
    notify(&manager, b"STATUS=starting")?;
    let (kept, _ours) = rawscm::socketpair(SocketType::Stream, Default::default())?;
    Notification::new(b"READY=1\nSTATUS=ready\nFDSTORE=1\nFDNAME=example")
        .fds(&[kept.as_fd()])
        .send(&manager)?;
    if std::env::args().any(|a| a == "--barrier") {
        barrier(&manager, Deadline::after(Duration::from_secs(5)))?;
    }
    println!("notified {manager}");
    Ok(())
}
