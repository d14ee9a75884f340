//! W3 with rustix (linux_raw backend), the program of `examples/tiny_init_pid.rs`:
//! socketpair, fork, the child waits for a ping and sends its credentials,
//! the parent (with SO_PASSCRED armed) pings, waits at most 2 s, receives,
//! reaps the child and prints the child's pid as the kernel reported it in
//! SCM_CREDENTIALS. Exit status 0 only if that pid is the one fork returned
//! and the child exited 0. Built static (musl) and stripped with
//! `[profile.tiny]` by `cargo xtask bench`, for its size.

use rustix::event::{PollFd, PollFlags, Timespec, poll};
use rustix::fd::{AsFd, BorrowedFd};
use rustix::io::{Errno, IoSlice, IoSliceMut};
use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, SocketFlags, SocketType, UCred, recv, recvmsg, send, sendmsg,
    socketpair, sockopt,
};
use rustix::process::{WaitOptions, getgid, getpid, getuid, waitpid};
use rustix::runtime_448b8ad740e2a26f::{Fork, exit_group, kernel_fork};
use std::mem::MaybeUninit;
use std::time::{Duration, Instant};

const PING: u8 = b'p';
const CREDS: u8 = b'c';

/// Waits until `fd` is readable, at most until `deadline`; EINTR is retried.
fn wait_readable(fd: BorrowedFd<'_>, deadline: Instant) -> bool {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let timeout = Timespec { tv_sec: left.as_secs() as _, tv_nsec: left.subsec_nanos() as _ };
        match poll(&mut [PollFd::new(&fd, PollFlags::IN)], Some(&timeout)) {
            Ok(ready) => return ready > 0,
            Err(Errno::INTR) => continue,
            Err(_) => return false,
        }
    }
}

/// The child: waits for the ping, then sends its credentials.
fn send_credentials_on_ping(sock: BorrowedFd<'_>, deadline: Instant) -> bool {
    if !wait_readable(sock, deadline) {
        return false;
    }
    let mut ping = [0u8; 1];
    if recv(sock, &mut ping, RecvFlags::empty()).map(|(n, _)| n) != Ok(1) || ping[0] != PING {
        return false;
    }
    let me = UCred { pid: getpid(), uid: getuid(), gid: getgid() };
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmCredentials(1))];
    let mut control = SendAncillaryBuffer::new(&mut space);
    control.push(SendAncillaryMessage::ScmCredentials(me));
    sendmsg(sock, &[IoSlice::new(&[CREDS])], &mut control, SendFlags::NOSIGNAL).is_ok()
}

/// The parent: arms SO_PASSCRED, pings, waits, receives the credentials.
fn ping_and_recv_credentials(sock: BorrowedFd<'_>, deadline: Instant) -> Option<UCred> {
    sockopt::set_socket_passcred(sock, true).ok()?;
    send(sock, &[PING], SendFlags::NOSIGNAL).ok()?;
    if !wait_readable(sock, deadline) {
        return None;
    }
    let mut byte = [0u8; 1];
    let mut space = [MaybeUninit::<u8>::uninit(); rustix::cmsg_space!(ScmCredentials(1))];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let got = recvmsg(sock, &mut [IoSliceMut::new(&mut byte)], &mut control, RecvFlags::CMSG_CLOEXEC).ok()?;
    if got.bytes != 1 || byte[0] != CREDS {
        return None;
    }
    control.drain().find_map(|m| match m {
        RecvAncillaryMessage::ScmCredentials(c) => Some(c),
        _ => None,
    })
}

fn main() {
    let Ok((parent, child)) = socketpair(AddressFamily::UNIX, SocketType::DGRAM, SocketFlags::CLOEXEC, None)
    else {
        std::process::exit(2);
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    // SAFETY: single-threaded program; the child only makes system calls and
    // ends with exit_group.
    let pid = match unsafe { kernel_fork() } {
        Ok(Fork::Child(_)) => exit_group(!send_credentials_on_ping(child.as_fd(), deadline) as i32),
        Ok(Fork::ParentOf(pid)) => pid,
        Err(_) => std::process::exit(3),
    };
    let creds = ping_and_recv_credentials(parent.as_fd(), deadline);
    let reaped =
        matches!(waitpid(Some(pid), WaitOptions::empty()), Ok(Some((_, s))) if s.exit_status() == Some(0));
    let Some(creds) = creds else { std::process::exit(4) };
    println!("{}", creds.pid.as_raw_pid());
    std::process::exit(if creds.pid == pid && reaped { 0 } else { 1 });
}
