//! W1 and W2 with rawscm, included (`#[path]`) by the std programs
//! (`w1_rawscm`, `w2_rawscm`) and the `#![no_std]` ones (`w1_rawscm_rt`,
//! `w2_rawscm_rt`).

use rawscm::pidns::{Method, init_pid_of};
use rawscm::{
    AsFd, ExitStatus, Fork, IoSlice, IoSliceMut, OwnedFd, Received, RecvControl, RecvFlags,
    SPACE_CREDENTIALS, SendControl, SendFlags, SocketFlags, SocketType, Ucred, exit_group, fork, recvmsg,
    sendmsg, set_passcred, socketpair, space_for_fds, waitid,
};
use rawscm_bench::{Check, count};

/// Control space for one fd and credentials.
const SPACE: usize = space_for_fds(1) + SPACE_CREDENTIALS;

/// W1, the credential + fd round trip: one process, a SOCK_DGRAM pair whose
/// receiver has SO_PASSCRED.
pub struct W1 {
    tx: OwnedFd,
    rx: OwnedFd,
    me: Ucred,
}

impl W1 {
    /// The socket pair, SO_PASSCRED on the receiver, the own credentials.
    pub fn new() -> Result<W1, &'static str> {
        let (tx, rx) = socketpair(SocketType::Datagram, SocketFlags::default()).map_err(|_| "socketpair")?;
        set_passcred(&rx, true).map_err(|_| "SO_PASSCRED")?;
        Ok(W1 { tx, rx, me: Ucred::current() })
    }

    /// One iteration: sends 1 byte + SCM_RIGHTS(one fd) + SCM_CREDENTIALS(own)
    /// in one message with the low-level API, receives it with
    /// MSG_CMSG_CLOEXEC into a fixed buffer, checks both, and closes the
    /// received fd (when `Received` drops).
    pub fn iteration(&self) -> Check {
        let mut control = SendControl::<SPACE>::new();
        control.push_fds(&[self.tx.as_fd()]).map_err(|_| "push_fds")?;
        control.push_credentials(self.me).map_err(|_| "push_credentials")?;
        if sendmsg(&self.tx, &[IoSlice::new(b"x")], &control, SendFlags::default()) != Ok(1) {
            return Err("sendmsg");
        }
        let mut byte = [0u8; 1];
        let mut control = RecvControl::<SPACE>::new();
        let got: Received<1> =
            recvmsg(&self.rx, &mut [IoSliceMut::new(&mut byte)], &mut control, RecvFlags::default())
                .map_err(|_| "recvmsg")?;
        if got.bytes != 1 || got.control_truncated || got.fds.len() != 1 || got.fds_closed != 0 {
            return Err("received message");
        }
        if got.credentials != Some(self.me) {
            return Err("credentials");
        }
        Ok(())
    }
}

/// W2, fork + wait: fork, the child exits 0 at once, the parent waits and
/// checks the status.
pub fn w2_iteration() -> Check {
    // SAFETY: the benchmark programs are single-threaded, and the child only
    // calls exit_group.
    match unsafe { fork() } {
        Ok(Fork::Child) => exit_group(0),
        Ok(Fork::Parent(pid)) if waitid(pid) == Ok(ExitStatus::Exited(0)) => Ok(()),
        Ok(Fork::Parent(_)) => Err("child status"),
        Err(_) => Err("fork"),
    }
}

/// W4, the init-pid lookup: `init_pid_of(task, method)` must give `expected`
/// by the path `method` implies, on every lookup. `args` are the program's
/// arguments after its name: `<iterations> <warm-up> <task> <expected>
/// <fork|ioctl|auto>`.
pub fn w4<'a>(args: impl Iterator<Item = &'a [u8]>) -> Result<impl FnMut() -> Check, &'static str> {
    let usage = "usage: <iterations> <warm-up> <task> <expected init pid> <fork|ioctl|auto>";
    let mut args = args.skip(2);
    let mut pid = || args.next().and_then(count).and_then(|n| i32::try_from(n).ok()).ok_or(usage);
    let (task, expected) = (pid()?, pid()?);
    let (method, via) = match args.next() {
        Some(b"fork") => (Method::Fork, Method::Fork),
        Some(b"ioctl") => (Method::Ioctl, Method::Ioctl),
        // This machine's kernel has the ioctl (6.11+).
        Some(b"auto") => (Method::Auto, Method::Ioctl),
        _ => return Err(usage),
    };
    Ok(move || match init_pid_of(task, method) {
        Ok(found) if found.pid == expected && found.via == via => Ok(()),
        Ok(_) => Err("wrong pid or path"),
        Err(_) => Err("init_pid_of failed"),
    })
}
