//! W1 with nix: one process, a SOCK_DGRAM pair, the receiver has
//! SO_PASSCRED; each iteration sends 1 byte + SCM_RIGHTS(one fd) +
//! SCM_CREDENTIALS(own) in one message, receives it with MSG_CMSG_CLOEXEC
//! into a fixed buffer, checks both, and closes the received fd.

#[path = "../main_std.rs"]
mod main_std;

use nix::sys::socket::{
    AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag, SockType, UnixCredentials,
    recvmsg, sendmsg, setsockopt, socketpair, sockopt,
};
use nix::unistd::close;
use rawscm_bench::Check;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};

fn setup() -> Result<(OwnedFd, OwnedFd), &'static str> {
    let (tx, rx) = socketpair(AddressFamily::Unix, SockType::Datagram, None, SockFlag::SOCK_CLOEXEC)
        .map_err(|_| "socketpair")?;
    setsockopt(&rx, sockopt::PassCred, &true).map_err(|_| "SO_PASSCRED")?;
    Ok((tx, rx))
}

/// `space` is the fixed receive buffer: nix's is a Vec, made once and reused.
fn iteration(tx: RawFd, rx: RawFd, me: &UnixCredentials, space: &mut [u8]) -> Check {
    let fds = [tx];
    let control = [ControlMessage::ScmRights(&fds), ControlMessage::ScmCredentials(me)];
    if sendmsg::<()>(tx, &[IoSlice::new(b"x")], &control, MsgFlags::MSG_NOSIGNAL, None).ok() != Some(1) {
        return Err("sendmsg");
    }
    let mut byte = [0u8; 1];
    let mut iov = [IoSliceMut::new(&mut byte)];
    let got = recvmsg::<()>(rx, &mut iov, Some(space), MsgFlags::MSG_CMSG_CLOEXEC).map_err(|_| "recvmsg")?;
    let (mut fds, mut creds) = (0, None);
    // cmsgs() fails on MSG_CTRUNC.
    for message in got.cmsgs().map_err(|_| "control truncated")? {
        match message {
            ControlMessageOwned::ScmRights(received) => {
                for fd in received {
                    fds += 1;
                    let _ = close(fd);
                }
            }
            ControlMessageOwned::ScmCredentials(c) => creds = Some(c),
            _ => {}
        }
    }
    if got.bytes != 1 || fds != 1 {
        return Err("received message");
    }
    if creds.as_ref() != Some(me) {
        return Err("credentials");
    }
    Ok(())
}

fn main() {
    main_std::main(setup().map(|(tx, rx)| {
        let me = UnixCredentials::new();
        let mut space = nix::cmsg_space!(RawFd, UnixCredentials);
        move || iteration(tx.as_raw_fd(), rx.as_raw_fd(), &me, &mut space)
    }))
}
