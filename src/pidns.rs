//! The pid, in the caller's pid namespace, of a process in another task's
//! pid namespace: lxcfs's "init pid of a container" lookup, done carefully.
//!
//! Two ways to get the answer:
//! - [`Via::Ioctl`]: `ioctl(pidns_fd, NS_GET_PID_FROM_PIDNS, pid)` on the
//!   task's `/proc/<task>/ns/pid` (Linux 6.11+): one system call, no fork.
//! - [`Via::Fork`]: the `SCM_CREDENTIALS` trick. A child joins the task's
//!   pid namespace (`setns`), forks a grandchild that lives in it, and the
//!   grandchild sends credentials naming `pid` *as seen in that namespace*;
//!   the kernel translates the pid into the receiver's namespace. Works on
//!   any kernel with `setns` (3.8+).
//!
//! Both need ptrace-read access to `/proc/<task>/ns/pid`; the fork path
//! also needs `CAP_SYS_ADMIN` (for `setns`, and to send a pid that is not
//! the sender's own).
//!
//! The handshake of the fork path is public too: [`ping_and_recv_credentials`]
//! and [`send_credentials_on_ping`].

use crate::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::process::{fork_child, waitid, ExitStatus, Pid};
use crate::{recv_credentials, recv_fds, send_credentials, send_fds, socketpair, sys, wait_readable};
use crate::{Deadline, Errno, Error, Result, SocketFlags, SocketType, Ucred};
use core::time::Duration;
use linux_raw_sys::general::{
    _IOC_DIRSHIFT, _IOC_NRSHIFT, _IOC_READ, _IOC_SIZESHIFT, _IOC_TYPEBITS, _IOC_TYPESHIFT, CLONE_NEWPID,
    O_RDONLY, SIGKILL,
};
use linux_raw_sys::ioctl::NS_GET_USERNS;

/// `NS_GET_PID_FROM_PIDNS` = `_IOR(NSIO, 0x6, int)` (`include/uapi/linux/nsfs.h`,
/// Linux 6.11), built from linux-raw-sys's per-architecture `_IOC_*` layout
/// (powerpc differs); `NSIO` is read back from `NS_GET_USERNS` = `_IO(NSIO, 0x1)`.
const NS_GET_PID_FROM_PIDNS: u32 = {
    let nsio = (NS_GET_USERNS >> _IOC_TYPESHIFT) & ((1 << _IOC_TYPEBITS) - 1);
    (_IOC_READ << _IOC_DIRSHIFT)
        | (nsio << _IOC_TYPESHIFT)
        | (0x6 << _IOC_NRSHIFT)
        | ((core::mem::size_of::<i32>() as u32) << _IOC_SIZESHIFT)
};

/// How to look a pid up.
///
/// ```
/// let m = rawscm::pidns::Method::default();
/// assert_eq!(m, rawscm::pidns::Method::Auto);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Method {
    /// The ioctl where the kernel has it, else the fork path.
    #[default]
    Auto,
    /// Only the ioctl (Linux 6.11+; `ENOTTY` or `EINVAL` before).
    Ioctl,
    /// Only the fork and `SCM_CREDENTIALS` path.
    Fork,
}

/// Which path found the answer.
///
/// ```
/// assert_ne!(rawscm::pidns::Via::Ioctl, rawscm::pidns::Via::Fork);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Via {
    /// `ioctl(NS_GET_PID_FROM_PIDNS)`.
    Ioctl,
    /// fork, `setns`, `SCM_CREDENTIALS`.
    Fork,
}

/// A translated pid and the path that found it.
///
/// ```
/// use rawscm::pidns::{init_pid_of, Method};
/// # if rawscm::getuid() != 0 { return Ok(()); }
/// let found = init_pid_of(rawscm::getpid(), Method::Auto)?;
/// println!("init of my pid namespace is pid {} here (via {:?})", found.pid, found.via);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Translated {
    /// The pid in the caller's pid namespace. 0: the process exists but is
    /// not visible from the caller's namespace (fork path only).
    pub pid: Pid,
    /// How it was found.
    pub via: Via,
}

/// How long the fork path waits for the grandchild's credentials (lxcfs
/// waits 2 s as well).
///
/// ```
/// assert_eq!(rawscm::pidns::FORK_TIMEOUT.as_secs(), 2);
/// ```
pub const FORK_TIMEOUT: Duration = Duration::from_secs(2);

/// The pid, in the caller's pid namespace, of the init (pid 1) of the pid
/// namespace that `task` lives in.
///
/// `open("/proc/<task>/ns/pid")`, then `ioctl(fd, NS_GET_PID_FROM_PIDNS, 1)`
/// or the fork path (see the [module docs](self)); [`FORK_TIMEOUT`] bounds the
/// fork path.
///
/// Errors: `ESRCH` when `task` does not exist or its namespace's init has
/// exited, `EACCES`/`EPERM` without the privilege, [`Error::Timeout`].
/// Every child is reaped and every descriptor closed, on every outcome.
///
/// ```
/// use rawscm::pidns::{init_pid_of, Method};
/// # if rawscm::getuid() != 0 { return Ok(()); }
/// // From the initial namespace, its init is pid 1.
/// let me = init_pid_of(rawscm::getpid(), Method::Fork)?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [ioctl_nsfs(2)](https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html)
/// - [setns(2)](https://man7.org/linux/man-pages/man2/setns.2.html)
/// - [pid_namespaces(7)](https://man7.org/linux/man-pages/man7/pid_namespaces.7.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html) (`SCM_CREDENTIALS`)
pub fn init_pid_of(task: Pid, method: Method) -> Result<Translated> {
    translate_pid(task, 1, method)
}

/// The pid, in the caller's pid namespace, of the process that is `pid` in
/// the pid namespace of `task`. [`init_pid_of`] is `translate_pid(task, 1, ..)`.
///
/// Same system calls, errors and guarantees as [`init_pid_of`].
///
/// ```
/// use rawscm::pidns::{translate_pid, Method};
/// # if rawscm::getuid() != 0 { return Ok(()); }
/// // In our own namespace, our own pid translates to itself.
/// let me = rawscm::getpid();
/// assert_eq!(translate_pid(me, me, Method::Auto)?.pid, me);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [ioctl_nsfs(2)](https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html)
/// - [setns(2)](https://man7.org/linux/man-pages/man2/setns.2.html)
pub fn translate_pid(task: Pid, pid: Pid, method: Method) -> Result<Translated> {
    if task <= 0 || pid <= 0 {
        return Err(Errno::ESRCH.into());
    }
    let ns = open_pid_ns(task)?;
    if method != Method::Fork {
        match via_ioctl(ns.as_fd(), pid) {
            Ok(found) => return Ok(Translated { pid: found, via: Via::Ioctl }),
            // Not in that namespace (or not visible from ours): the fork path
            // would say the same.
            Err(e @ Error::Os(Errno::ESRCH)) => return Err(e),
            Err(e) if method == Method::Ioctl => return Err(e),
            Err(_) => {} // older kernel or emulator: fall back
        }
    }
    let found = via_fork(ns.as_fd(), pid, Deadline::after(FORK_TIMEOUT))?;
    Ok(Translated { pid: found, via: Via::Fork })
}

/// `ioctl(ns, NS_GET_PID_FROM_PIDNS, pid)`, refusing a dead namespace: once
/// its init has exited, the init stays findable as a zombie until reaped,
/// and the ioctl would still report it (the fork path fails there).
fn via_ioctl(ns: BorrowedFd<'_>, pid: Pid) -> Result<Pid> {
    let found = sys::ioctl_int(ns, NS_GET_PID_FROM_PIDNS, pid as usize)? as Pid;
    let init = if pid == 1 { found } else { sys::ioctl_int(ns, NS_GET_PID_FROM_PIDNS, 1)? as Pid };
    if has_exited(init)? {
        return Err(Errno::ESRCH.into());
    }
    Ok(found)
}

/// `/proc/<pid>/<leaf>` as a NUL-terminated path in `buf`.
fn proc_path<'a>(buf: &'a mut [u8; 32], pid: Pid, leaf: &[u8]) -> &'a core::ffi::CStr {
    let mut digits = [0u8; 10];
    let mut len = 0;
    for part in [&b"/proc/"[..], crate::decimal(pid as u32, &mut digits), b"/", leaf, b"\0"] {
        buf[len..len + part.len()].copy_from_slice(part);
        len += part.len();
    }
    // The parts hold exactly one NUL, at the end; `leaf` is a constant.
    core::ffi::CStr::from_bytes_until_nul(&buf[..len]).unwrap_or_default()
}

/// `/proc/<task>/ns/pid`, opened read-only; a missing task is `ESRCH`.
fn open_pid_ns(task: Pid) -> Result<OwnedFd> {
    match sys::open(proc_path(&mut [0; 32], task, b"ns/pid"), O_RDONLY) {
        Err(Errno::ENOENT) => Err(Errno::ESRCH.into()),
        other => Ok(other?),
    }
}

/// Whether `pid` is a zombie (or gone): the state letter after the last `)`
/// of `/proc/<pid>/stat` is `Z` or `X`.
fn has_exited(pid: Pid) -> Result<bool> {
    let stat = match sys::open(proc_path(&mut [0; 32], pid, b"stat"), O_RDONLY) {
        Err(Errno::ENOENT) => return Ok(true),
        other => other?,
    };
    // pid, (comm of at most 64 bytes), state: well inside 128 bytes.
    let mut buf = [0u8; 128];
    let n = sys::read(stat.as_fd(), &mut buf)?;
    let text = &buf[..n];
    let state = text.iter().rposition(|&b| b == b')').and_then(|close| text.get(close + 2));
    Ok(matches!(state, Some(b'Z' | b'X') | None))
}

/// Child exit codes of the fork path: 0 success, an errno below 200, or one
/// of these for the crate's own errors.
const EXIT_TIMEOUT: i32 = 200;
const EXIT_PEER_CLOSED: i32 = 201;
const EXIT_OTHER: i32 = 202;

fn exit_code(r: Result<()>) -> i32 {
    match r {
        Ok(()) => 0,
        Err(Error::Os(e)) if e.raw() < EXIT_TIMEOUT => e.raw(),
        Err(Error::Timeout) => EXIT_TIMEOUT,
        Err(Error::PeerClosed) => EXIT_PEER_CLOSED,
        Err(_) => EXIT_OTHER,
    }
}

fn from_exit_code(status: Result<ExitStatus>) -> Error {
    match status {
        Ok(ExitStatus::Exited(EXIT_TIMEOUT)) => Error::Timeout,
        Ok(ExitStatus::Exited(EXIT_PEER_CLOSED)) => Error::PeerClosed,
        Ok(ExitStatus::Exited(c)) if c > 0 && c < EXIT_TIMEOUT => Error::Os(Errno::from_raw(c)),
        Ok(_) => Error::Protocol,
        Err(e) => e,
    }
}

/// The lxcfs double fork, with a deadline on every wait.
fn via_fork(ns: BorrowedFd<'_>, pid: Pid, deadline: Deadline) -> Result<Pid> {
    let (ours, theirs) = socketpair(SocketType::SeqPacket, SocketFlags::default())?;
    crate::set_passcred(&ours, true)?; // armed before the child exists
    let ours_raw = ours.as_raw_fd();
    let child = fork_child(|| {
        // The child never returns (no destructor runs there): close its copy
        // of our end by number, so the grandchild sees us go away.
        sys::close(ours_raw);
        exit_code(intermediate(ns, theirs.as_fd(), pid, deadline))
    })?;
    drop(theirs); // so that the child's exit shows as end of stream
    let answer = ping_and_recv_credentials(&ours, deadline);
    if answer.is_err() {
        // The intermediate child may still wait; SIGKILL also takes the
        // grandchild down (parent-death signal). ESRCH: it already exited.
        let _ = sys::kill(child, SIGKILL);
    }
    let status = waitid(child);
    match answer {
        Ok(creds) if matches!(status, Ok(ExitStatus::Exited(0))) => Ok(creds.pid),
        Ok(_) => Err(from_exit_code(status)),
        // The child's own error says more than "peer closed".
        Err(Error::PeerClosed) => Err(match from_exit_code(status) {
            Error::Protocol => Error::PeerClosed,
            e => e,
        }),
        Err(e) => Err(e),
    }
}

/// In the intermediate child: join the namespace, fork the grandchild that
/// lives in it, wait for it (its own deadline bounds that), pass on its code.
fn intermediate(ns: BorrowedFd<'_>, sock: BorrowedFd<'_>, pid: Pid, deadline: Deadline) -> Result<()> {
    sys::setns(ns, CLONE_NEWPID)?;
    let grandchild = fork_child(|| {
        // If the intermediate is killed, take this process down with it.
        let r = sys::set_parent_death_signal(SIGKILL).map_err(Error::from).and_then(|()| {
            // Forking may have created `pid` in that namespace: then it did
            // not exist before, and the answer would be ourselves.
            if sys::getpid() == pid {
                return Err(Errno::ESRCH.into());
            }
            let creds = Ucred { pid, uid: sys::getuid(), gid: sys::getgid() };
            send_credentials_on_ping(sock, creds, deadline)
        });
        exit_code(r)
    })
    // Forking into a namespace whose init has exited fails with ENOMEM.
    .map_err(|e| if e == Error::Os(Errno::ENOMEM) { Error::Os(Errno::ESRCH) } else { e })?;
    match waitid(grandchild)? {
        ExitStatus::Exited(0) => Ok(()),
        s => Err(from_exit_code(Ok(s))),
    }
}

/// The byte the receiver sends to say "I am ready" (`SO_PASSCRED` is armed).
const PING: u8 = b'p';
/// The data byte sent with the credentials.
const CREDS: u8 = b'c';

/// Receiver side of the credential handshake: arms `SO_PASSCRED`, sends a
/// one-byte ping, waits (at most until `deadline`) for one data byte with
/// `SCM_CREDENTIALS`, and returns the credentials, translated by the kernel
/// into our namespaces.
///
/// `setsockopt(SO_PASSCRED)`, `sendmsg`, `ppoll`, `recvmsg`.
///
/// Errors: [`Error::Timeout`]; [`Error::PeerClosed`] (end of stream, or
/// `ECONNREFUSED`/`EPIPE` when pinging); [`Error::NoCredentials`];
/// [`Error::Protocol`] for a data byte other than the sender's; the
/// truncation errors of [`recv_credentials`]. Any descriptor that arrives
/// is closed.
///
/// ```
/// use rawscm::pidns::{ping_and_recv_credentials, send_credentials_on_ping};
/// use rawscm::{Deadline, SocketType, Ucred};
/// let (a, b) = rawscm::socketpair(SocketType::SeqPacket, Default::default())?;
/// let deadline = Deadline::after(core::time::Duration::from_secs(2));
/// std::thread::scope(|s| {
///     s.spawn(|| send_credentials_on_ping(&b, Ucred::current(), deadline));
///     assert_eq!(ping_and_recv_credentials(&a, deadline), Ok(Ucred::current()));
/// });
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn ping_and_recv_credentials(sock: impl AsFd, deadline: Deadline) -> Result<Ucred> {
    let sock = sock.as_fd();
    crate::set_passcred(sock, true)?;
    send_fds(sock, &[PING], &[]).map_err(peer_gone)?;
    wait_readable(sock, deadline)?;
    let mut byte = [0u8; 1];
    let (_, creds) = recv_credentials(sock, &mut byte).map_err(peer_gone)?;
    if byte[0] != CREDS {
        return Err(Error::Protocol);
    }
    Ok(creds)
}

/// Sender side of the credential handshake: waits (at most until
/// `deadline`) for the receiver's one-byte ping, then sends one data byte
/// with `creds` as `SCM_CREDENTIALS`.
///
/// `ppoll`, `recvmsg`, `sendmsg`.
///
/// Errors: [`Error::Timeout`]; [`Error::PeerClosed`]; [`Error::Protocol`]
/// for a wrong ping byte; `ESRCH` when `creds.pid` names no process in the
/// sender's pid namespace (for pid 1: the namespace's init is gone); `EPERM`
/// when the sender may not claim those credentials.
///
/// ```
/// # use rawscm::pidns::{ping_and_recv_credentials, send_credentials_on_ping};
/// # use rawscm::{Deadline, SocketType, Ucred};
/// # let (a, b) = rawscm::socketpair(SocketType::SeqPacket, Default::default())?;
/// let deadline = Deadline::after(core::time::Duration::from_millis(50));
/// // Nobody pings: the sender gives up at the deadline.
/// assert_eq!(send_credentials_on_ping(&b, Ucred::current(), deadline), Err(rawscm::Error::Timeout));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn send_credentials_on_ping(sock: impl AsFd, creds: Ucred, deadline: Deadline) -> Result<()> {
    let sock = sock.as_fd();
    wait_readable(sock, deadline)?;
    let mut ping = [0u8; 1];
    recv_fds::<0>(sock, &mut ping).map_err(peer_gone)?;
    if ping[0] != PING {
        return Err(Error::Protocol);
    }
    send_credentials(sock, &[CREDS], creds).map_err(peer_gone)?;
    Ok(())
}

/// A closed peer is "peer closed", not a bare errno (sending gives
/// `EPIPE`/`ECONNREFUSED`; reading a seqpacket socket whose peer left our
/// ping unread gives `ECONNRESET`).
fn peer_gone(e: Error) -> Error {
    match e {
        Error::Os(Errno::ECONNREFUSED | Errno::EPIPE | Errno::ECONNRESET) => Error::PeerClosed,
        e => e,
    }
}
