//! W3 of the design notes as a libc-free static binary: socketpair, fork;
//! the child waits for a ping and sends its credentials (`SCM_CREDENTIALS`);
//! the parent arms `SO_PASSCRED`, pings, waits at most 2 s, receives, reaps
//! the child and prints the child's pid as the kernel reported it. Exit
//! status 0 only if that pid is the one fork returned and the child exited 0.
//!
//! `cargo xtask tiny` builds it for every architecture, the default way
//! (`panic = "abort"`, nothing else) and as a static non-PIE binary for
//! size, runs it, and compares its size with the same program in C
//! (bench/c/tiny_init_pid.c).
//! It is written for size: one send and one receive function serve both
//! sides, and results become `Option`s early.

#![no_std]
#![no_main]

use core::time::Duration;
use rawscm::{
    Deadline, Fork, IoSlice, IoSliceMut, OwnedFd, Received, RecvControl, SPACE_CREDENTIALS, SendControl,
    SocketFlags, SocketType, Ucred, exit_group, fork, recvmsg, sendmsg, set_passcred, socketpair,
    wait_readable, waitid,
};
use rawscm_rt::{Stdout, decimal, write_all};

rawscm_rt::entry!(main);

type Control = SendControl<'static, SPACE_CREDENTIALS>;

/// Sends the data byte `byte` with `control` (empty, or credentials).
#[inline(never)]
fn send(sock: &OwnedFd, byte: u8, control: &Control) -> Option<()> {
    sendmsg(sock, &[IoSlice::new(&[byte])], control, Default::default()).ok().map(drop)
}

/// Waits (until `deadline`) for one datagram; returns its first byte and
/// the credentials that came with it. Any descriptor that came along is
/// closed by `recvmsg`.
#[inline(never)]
fn recv(sock: &OwnedFd, deadline: Deadline) -> Option<(u8, Option<Ucred>)> {
    wait_readable(sock, deadline).ok()?;
    let mut byte = [0u8; 1];
    let got: Received<0> = recvmsg(
        sock,
        &mut [IoSliceMut::new(&mut byte)],
        &mut RecvControl::<SPACE_CREDENTIALS>::new(),
        Default::default(),
    )
    .ok()?;
    Some((byte[0], got.credentials))
}

fn main() -> i32 {
    let Ok((parent, child)) = socketpair(SocketType::Datagram, SocketFlags::default()) else {
        return 2;
    };
    let deadline = Deadline::after(Duration::from_secs(2));
    // SAFETY: a single-threaded program; the child only makes system calls
    // and ends with exit_group.
    let pid = match unsafe { fork() } {
        Ok(Fork::Parent(pid)) => pid,
        Ok(Fork::Child) => {
            let mut creds = Control::new();
            let ok = matches!(recv(&child, deadline), Some((b'p', _)))
                && creds.push_credentials(Ucred::current()).is_ok()
                && send(&child, b'c', &creds).is_some();
            exit_group(i32::from(!ok))
        }
        Err(_) => return 3,
    };
    let got = set_passcred(&parent, true).ok().and_then(|()| send(&parent, b'p', &Control::new()));
    let got = got.and_then(|()| recv(&parent, deadline));
    let reaped = waitid(pid).is_ok_and(|status| status.success());
    let Some((b'c', Some(creds))) = got else {
        return 4;
    };
    let mut digits = [0u8; 10];
    let _ = write_all(Stdout, decimal(creds.pid as u32, &mut digits).as_bytes());
    let _ = write_all(Stdout, b"\n");
    i32::from(creds.pid != pid || !reaped)
}
