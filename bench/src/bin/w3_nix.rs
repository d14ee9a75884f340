//! W3 with nix, the program of `examples/tiny_init_pid.rs`: socketpair,
//! fork, the child waits for a ping and sends its credentials, the parent
//! (with SO_PASSCRED armed) pings, waits at most 2 s, receives, reaps the
//! child and prints the child's pid as the kernel reported it in
//! SCM_CREDENTIALS. Exit status 0 only if that pid is the one fork returned
//! and the child exited 0. Built static (musl) and stripped with
//! `[profile.tiny]` by `cargo xtask bench`, for its size.

use nix::errno::Errno;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::socket::{
    AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag, SockType, UnixCredentials, recv,
    recvmsg, send, sendmsg, setsockopt, socketpair, sockopt,
};
use nix::sys::wait::{WaitStatus, waitpid};
use nix::unistd::{ForkResult, fork};
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::time::{Duration, Instant};

const PING: u8 = b'p';
const CREDS: u8 = b'c';

/// Waits until `fd` is readable, at most until `deadline`; EINTR is retried.
fn wait_readable(fd: BorrowedFd<'_>, deadline: Instant) -> bool {
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let timeout = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
        match poll(&mut [PollFd::new(fd, PollFlags::POLLIN)], timeout) {
            Ok(ready) => return ready > 0,
            Err(Errno::EINTR) => continue,
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
    if recv(sock.as_raw_fd(), &mut ping, MsgFlags::empty()) != Ok(1) || ping[0] != PING {
        return false;
    }
    let me = UnixCredentials::new();
    let control = [ControlMessage::ScmCredentials(&me)];
    sendmsg::<()>(sock.as_raw_fd(), &[IoSlice::new(&[CREDS])], &control, MsgFlags::MSG_NOSIGNAL, None).is_ok()
}

/// The parent: arms SO_PASSCRED, pings, waits, receives the credentials.
fn ping_and_recv_credentials(sock: BorrowedFd<'_>, deadline: Instant) -> Option<UnixCredentials> {
    setsockopt(&sock, sockopt::PassCred, &true).ok()?;
    send(sock.as_raw_fd(), &[PING], MsgFlags::MSG_NOSIGNAL).ok()?;
    if !wait_readable(sock, deadline) {
        return None;
    }
    let mut byte = [0u8; 1];
    let mut space = nix::cmsg_space!(UnixCredentials);
    let mut iov = [IoSliceMut::new(&mut byte)];
    let got = recvmsg::<()>(sock.as_raw_fd(), &mut iov, Some(&mut space), MsgFlags::MSG_CMSG_CLOEXEC).ok()?;
    let creds = got.cmsgs().ok()?.find_map(|m| match m {
        ControlMessageOwned::ScmCredentials(c) => Some(c),
        _ => None,
    });
    if got.bytes != 1 || byte[0] != CREDS {
        return None;
    }
    creds
}

fn main() {
    let Ok((parent, child)) =
        socketpair(AddressFamily::Unix, SockType::Datagram, None, SockFlag::SOCK_CLOEXEC)
    else {
        std::process::exit(2);
    };
    let deadline = Instant::now() + Duration::from_secs(2);
    // SAFETY: single-threaded program; the child only makes system calls and
    // ends with _exit.
    let pid = match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            let code = !send_credentials_on_ping(child.as_fd(), deadline) as i32;
            // SAFETY: _exit is async-signal-safe. (nix has no _exit; its fork
            // documentation uses libc's.)
            unsafe { libc::_exit(code) }
        }
        Ok(ForkResult::Parent { child }) => child,
        Err(_) => std::process::exit(3),
    };
    let creds = ping_and_recv_credentials(parent.as_fd(), deadline);
    let reaped = matches!(waitpid(pid, None), Ok(WaitStatus::Exited(_, 0)));
    let Some(creds) = creds else { std::process::exit(4) };
    println!("{}", creds.pid());
    std::process::exit(if creds.pid() == pid.as_raw() && reaped { 0 } else { 1 });
}
