//! W1 with rustix (linux_raw backend): one process, a SOCK_DGRAM pair, the
//! receiver has SO_PASSCRED; each iteration sends 1 byte, SCM_RIGHTS(one fd)
//! and SCM_CREDENTIALS(own) in one message, receives it with
//! MSG_CMSG_CLOEXEC into a fixed buffer, checks both, and closes the
//! received fd.

#[path = "../main_std.rs"]
mod main_std;

use rawscm_bench::Check;
use rustix::fd::{AsFd, OwnedFd};
use rustix::io::{IoSlice, IoSliceMut};
use rustix::net::{
    AddressFamily, RecvAncillaryBuffer, RecvAncillaryMessage, RecvFlags, ReturnFlags, SendAncillaryBuffer,
    SendAncillaryMessage, SendFlags, SocketFlags, SocketType, UCred, recvmsg, sendmsg, socketpair, sockopt,
};
use rustix::process::{getgid, getpid, getuid};
use std::mem::MaybeUninit;

const SPACE: usize = rustix::cmsg_space!(ScmRights(1), ScmCredentials(1));

fn setup() -> Result<(OwnedFd, OwnedFd, UCred), &'static str> {
    let (tx, rx) = socketpair(AddressFamily::UNIX, SocketType::DGRAM, SocketFlags::CLOEXEC, None)
        .map_err(|_| "socketpair")?;
    sockopt::set_socket_passcred(&rx, true).map_err(|_| "SO_PASSCRED")?;
    Ok((tx, rx, UCred { pid: getpid(), uid: getuid(), gid: getgid() }))
}

fn iteration(tx: &OwnedFd, rx: &OwnedFd, me: UCred) -> Check {
    let mut space = [MaybeUninit::<u8>::uninit(); SPACE];
    let mut control = SendAncillaryBuffer::new(&mut space);
    let fds = [tx.as_fd()];
    if !control.push(SendAncillaryMessage::ScmRights(&fds))
        || !control.push(SendAncillaryMessage::ScmCredentials(me))
    {
        return Err("push");
    }
    if sendmsg(tx, &[IoSlice::new(b"x")], &mut control, SendFlags::NOSIGNAL).ok() != Some(1) {
        return Err("sendmsg");
    }
    let mut byte = [0u8; 1];
    let mut space = [MaybeUninit::<u8>::uninit(); SPACE];
    let mut control = RecvAncillaryBuffer::new(&mut space);
    let got = recvmsg(rx, &mut [IoSliceMut::new(&mut byte)], &mut control, RecvFlags::CMSG_CLOEXEC)
        .map_err(|_| "recvmsg")?;
    let (mut fds, mut creds) = (0, None);
    for message in control.drain() {
        match message {
            RecvAncillaryMessage::ScmRights(received) => fds += received.count(), // each closed here
            RecvAncillaryMessage::ScmCredentials(c) => creds = Some(c),
            _ => {}
        }
    }
    if got.bytes != 1 || got.flags.contains(ReturnFlags::CTRUNC) || fds != 1 {
        return Err("received message");
    }
    if creds != Some(me) {
        return Err("credentials");
    }
    Ok(())
}

fn main() {
    main_std::main(setup().map(|(tx, rx, me)| move || iteration(&tx, &rx, me)))
}
