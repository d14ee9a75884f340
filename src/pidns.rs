//! The pid, in the caller's pid namespace, of a process in another task's
//! pid namespace: lxcfs's "init pid of a container" lookup, done carefully.
//!
//! Two ways to get the answer:
//! - [`Method::Ioctl`]: `ioctl(pidns_fd, NS_GET_PID_FROM_PIDNS, pid)` on the
//!   task's `/proc/<task>/ns/pid` (Linux 6.11+): one system call, no fork.
//! - [`Method::Fork`]: the `SCM_CREDENTIALS` trick. A child joins the task's
//!   pid namespace (`setns`), forks a grandchild that lives in it, and the
//!   grandchild sends credentials naming `pid` *as seen in that namespace*;
//!   the kernel translates the pid into the receiver's namespace. Works on
//!   any kernel with `setns` (3.8+).
//!
//! Both need ptrace-read access to `/proc/<task>/ns/pid`; the fork path
//! also needs `CAP_SYS_ADMIN` (for `setns`, and to send a pid that is not
//! the sender's own).
//!
//! The handshake of the fork path is public too: [`ask_for_credentials`]
//! and [`answer_with_credentials`].
//!
//! # Compared with lxcfs
//! [`init_pid_of`]`(task, Method::Auto)` answers lxcfs's question (the pid,
//! in our namespace, of the init of `task`'s pid namespace);
//! [`translate_pid`] generalises it to any pid. `Method::Ioctl` and
//! `Method::Fork` force one path. What this does beyond lxcfs's
//! `scm_init_pid`/`send_creds`/`recv_creds`:
//!
//! | lxcfs | rawscm |
//! |---|---|
//! | always forks twice | `ioctl(NS_GET_PID_FROM_PIDNS)` first (Linux 6.11+), refusing a namespace whose init has exited but is not reaped yet (the ioctl still reports the zombie); forks only where the kernel or emulator lacks it |
//! | `SOCK_DGRAM`, and a ping so that `SO_PASSCRED` is armed in time | `SOCK_SEQPACKET`, `SO_PASSCRED` armed before the fork: no ping; every wait has one deadline (2 s); the helpers' failures come over the socket as errnos (`ESRCH`, `EPERM`, ...) |
//! | children with `SIGCHLD`: a caller with `SIGCHLD` ignored, or a reaping handler, loses them (`ECHILD`) | children with no exit signal, which nothing else can reap; the answer does not depend on their exit status |
//! | the helper's death is seen only through the socket, which another thread's fork may hold open | the intermediate child is watched by pidfd in the same `ppoll` as the socket |
//! | the helpers keep every descriptor of the caller (a FUSE descriptor) inside the target namespace, and its signal handlers | they block every signal and close every descriptor but their socket (`close_range`, or `/proc/self/fd`) |
//! | a missing `SCM_CREDENTIALS` goes unnoticed (the ucred stays -1) | `NoCredentials`, `ControlTruncated`, `Protocol` as typed errors |
//! | errors are log lines and -1 | `ESRCH` (no task, no such pid, dead namespace), `EACCES`/`EPERM`, `Timeout`, `Clock` |
//! | — | the fork path never reports its own grandchild when the asked-for pid did not exist (the grandchild could have become that pid) |
//!
//! Tests: `tests/pidns.rs` checks both paths against `/proc/<pid>/status`
//! (`NSpid`) for our own namespace, a child namespace and one two levels
//! deep; a missing task, an absent pid, a dead namespace and an
//! unprivileged caller each give their typed error promptly with no zombie
//! and no extra descriptor; lookups under `SIG_IGN`, under a reaping
//! handler, from eight threads beside a forking one, under a `hidepid`
//! `/proc`; and the handshake alone.

use crate::cmsg::{RecvControl, SendControl, Ucred, SPACE_CREDENTIALS};
use crate::errno::Errno;
use crate::error::{Error, Result};
use crate::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::io::{IoSlice, IoSliceMut};
use crate::msg::{recvmsg, sendmsg, Received, RecvFlags, SendFlags};
use crate::poll::{wait_readable, Deadline};
use crate::process::{isolate_child, OwnChild, Pid};
use crate::socket::{set_passcred, socketpair, SocketFlags, SocketType};
use crate::sys;
use core::time::Duration;
use linux_raw_sys::general::{
    pollfd, _IOC_DIRSHIFT, _IOC_NRSHIFT, _IOC_READ, _IOC_SIZESHIFT, _IOC_TYPEBITS, _IOC_TYPESHIFT,
    CLONE_NEWPID, O_RDONLY, POLLIN, SIGKILL,
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

/// How to look a pid up, and in [`Translated::via`], how it was found
/// (never `Auto` there).
///
/// # Examples
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

/// A translated pid and the path that found it.
///
/// # Examples
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
    /// How it was found: [`Method::Ioctl`] or [`Method::Fork`].
    pub via: Method,
}

/// How long the fork path waits for the grandchild's credentials (lxcfs
/// waits 2 s as well).
///
/// # Examples
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
/// # Errors
/// `ESRCH` when `task` does not exist or its namespace's init has
/// exited, `EACCES`/`EPERM` without the privilege, [`Error::Timeout`],
/// [`Error::Clock`]. Every child is reaped and every descriptor closed, on every outcome.
///
/// # Examples
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
/// # Errors
/// As [`init_pid_of`]; `ESRCH` also when no process is `pid` in that
/// namespace.
///
/// # Examples
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
            Ok(found) => return Ok(Translated { pid: found, via: Method::Ioctl }),
            // Not in that namespace (or not visible from ours): the fork path
            // would say the same.
            Err(e @ Error::Os(Errno::ESRCH)) => return Err(e),
            Err(e) if method == Method::Ioctl => return Err(e),
            Err(_) => {} // older kernel or emulator: fall back
        }
    }
    let found = via_fork(ns.as_fd(), pid, Deadline::after(FORK_TIMEOUT))?;
    Ok(Translated { pid: found, via: Method::Fork })
}

/// `ioctl(ns, NS_GET_PID_FROM_PIDNS, pid)`, refusing a dead namespace: once
/// its init has exited, the init stays findable as a zombie until reaped,
/// and the ioctl would still report it (the fork path fails there).
fn via_ioctl(ns: BorrowedFd<'_>, pid: Pid) -> Result<Pid> {
    let found = sys::ioctl_int(ns, NS_GET_PID_FROM_PIDNS, pid as usize)? as Pid;
    let init = if pid == 1 { found } else { sys::ioctl_int(ns, NS_GET_PID_FROM_PIDNS, 1)? as Pid };
    if has_exited(init) {
        return Err(Errno::ESRCH.into());
    }
    Ok(found)
}

/// Whether `pid` has certainly exited. Only positive evidence counts: its
/// pidfd (Linux 5.3+) is readable, or the kernel says no such process
/// (`ESRCH`); where pidfds are missing, `/proc/<pid>/stat` shows a zombie.
/// Unknown (a `/proc` mounted with `hidepid`, or none at all) is not exited.
fn has_exited(pid: Pid) -> bool {
    match sys::pidfd_open(pid) {
        Ok(fd) => {
            let mut p = [pollfd { fd: fd.as_raw_fd(), events: POLLIN as i16, revents: 0 }];
            matches!(sys::ppoll(&mut p, 0), Ok(1))
        }
        Err(Errno::ESRCH) => true,
        Err(_) => proc_says_zombie(pid),
    }
}

/// `/proc/<pid>/<leaf>` as a NUL-terminated path in `buf`.
fn proc_path<'a>(buf: &'a mut [u8; 32], pid: Pid, leaf: &[u8]) -> &'a core::ffi::CStr {
    let mut digits = [0u8; 10];
    let mut len = 0;
    for part in [&b"/proc/"[..], crate::text::decimal(pid as u32, &mut digits), b"/", leaf, b"\0"] {
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

/// Whether `/proc/<pid>/stat` can be read and shows the state `Z` or `X`
/// (the letter after the last `)`).
fn proc_says_zombie(pid: Pid) -> bool {
    let Ok(stat) = sys::open(proc_path(&mut [0; 32], pid, b"stat"), O_RDONLY) else { return false };
    // pid, (comm of at most 64 bytes), state: well inside 128 bytes.
    let mut buf = [0u8; 128];
    let Ok(n) = sys::read(stat.as_fd(), &mut buf) else { return false };
    let text = buf.get(..n).unwrap_or_default();
    let state = text.iter().rposition(|&b| b == b')').and_then(|close| text.get(close + 2));
    matches!(state, Some(b'Z' | b'X'))
}

/// What the fork path's helpers send us: `ANSWER` with `SCM_CREDENTIALS`,
/// or `FAILED` and a native-endian `i32`: an errno, or one of the negative
/// codes below for the crate's own errors. Over the socket, not as exit
/// codes, so that the answer survives whatever reaps children.
const ANSWER: u8 = b'c';
const FAILED: u8 = b'e';
const CODE_TIMEOUT: i32 = -1;
const CODE_PEER_CLOSED: i32 = -2;
const CODE_OTHER: i32 = -3;

fn code_of(e: Error) -> i32 {
    match e {
        Error::Os(e) => e.raw(),
        Error::Timeout => CODE_TIMEOUT,
        Error::PeerClosed => CODE_PEER_CLOSED,
        _ => CODE_OTHER,
    }
}

fn error_of(code: i32) -> Error {
    match code {
        CODE_TIMEOUT => Error::Timeout,
        CODE_PEER_CLOSED => Error::PeerClosed,
        c if c > 0 => Error::Os(Errno::from_raw(c)),
        _ => Error::Protocol,
    }
}

/// In a helper: tells the parent what went wrong (best effort: if the
/// parent is gone, nobody is left to tell).
fn report(sock: BorrowedFd<'_>, e: Error) {
    let [a, b, c, d] = code_of(e).to_ne_bytes();
    let _ =
        sendmsg(sock, &[IoSlice::new(&[FAILED, a, b, c, d])], &SendControl::<0>::new(), SendFlags::default());
}

/// The lxcfs double fork, with a deadline on every wait: a child joins the
/// namespace and forks a grandchild that lives in it, which sends
/// credentials naming `pid`; the kernel translates the pid for us.
///
/// `SO_PASSCRED` is armed before any child exists, so no ping is needed.
/// The children are the crate's own ([`OwnChild`]): they cannot be reaped
/// by anything else, block every signal, and hold no descriptor but their
/// socket; the intermediate child is watched through its pidfd, so that its
/// end is seen at once even when another thread's fork holds a copy of its
/// socket.
fn via_fork(ns: BorrowedFd<'_>, pid: Pid, deadline: Deadline) -> Result<Pid> {
    let (ours, theirs) = socketpair(SocketType::SeqPacket, SocketFlags::default())?;
    set_passcred(&ours, true)?; // armed before the child exists
    let keep = [ns.as_raw_fd(), theirs.as_raw_fd()];
    // SAFETY: the child makes system calls only (no allocation, no lock),
    // uses only `ns` and `theirs` after isolating itself, and exits.
    let child = unsafe {
        OwnChild::spawn(|| {
            isolate_child(&keep);
            intermediate(ns, theirs.as_fd(), pid, deadline);
            0
        })
    }?;
    drop(theirs); // so that the children's end shows as end of stream
    let answer = wait_for_answer(ours.as_fd(), &child, deadline);
    if answer.is_err() {
        // No word from the helpers (timeout, or our own failure): end them
        // (the grandchild dies with the intermediate: parent-death signal).
        // After an answer they end by themselves, and the intermediate
        // reaps the grandchild first: none is left to anyone else.
        child.kill();
    }
    drop(ours);
    // The helper's exit status says nothing the socket did not.
    let _ = child.wait();
    answer?
}

/// In the intermediate child: join the namespace, fork the grandchild that
/// lives in it, and wait for it (its parent-death signal needs us alive).
fn intermediate(ns: BorrowedFd<'_>, sock: BorrowedFd<'_>, pid: Pid, deadline: Deadline) {
    let r = sys::setns(ns, CLONE_NEWPID).map_err(Error::from).and_then(|()| {
        // SAFETY: in the child, whose copy of the owner never runs; the
        // number is not used again.
        unsafe { sys::close(ns.as_raw_fd()) }; // the grandchild needs no way back
                                               // A pidfd of ourselves: the grandchild checks that we still live.
        let me = sys::pidfd_open(sys::getpid()).ok();
        let me_fd = me.as_ref().map(OwnedFd::as_fd);
        // SAFETY: the grandchild makes system calls only, and exits.
        let grandchild = unsafe {
            OwnChild::spawn(|| {
                if let Err(e) = grandchild(sock, me_fd, pid, deadline) {
                    report(sock, e);
                }
                0
            })
        }
        // Forking into a namespace whose init has exited fails with ENOMEM.
        .map_err(|e| if e == Error::Os(Errno::ENOMEM) { Error::Os(Errno::ESRCH) } else { e })?;
        let _ = grandchild.wait();
        Ok(())
    });
    if let Err(e) = r {
        report(sock, e);
    }
}

/// In the grandchild, inside the target namespace: send credentials naming
/// `pid` (as seen here).
fn grandchild(
    sock: BorrowedFd<'_>,
    parent: Option<BorrowedFd<'_>>,
    pid: Pid,
    deadline: Deadline,
) -> Result<()> {
    // If the intermediate is killed, take this process down with it; if it
    // died before that took effect, stop here.
    sys::set_parent_death_signal(SIGKILL)?;
    if let Some(parent) = parent {
        let mut p = [pollfd { fd: parent.as_raw_fd(), events: POLLIN as i16, revents: 0 }];
        if matches!(sys::ppoll(&mut p, 0), Ok(1)) {
            return Err(Error::PeerClosed);
        }
    }
    // Forking may have created `pid` in that namespace: then it did not
    // exist before, and the answer would be ourselves.
    if sys::getpid() == pid {
        return Err(Errno::ESRCH.into());
    }
    if deadline.passed()? {
        return Err(Error::Timeout);
    }
    let creds = Ucred { pid, uid: sys::getuid(), gid: sys::getgid() };
    let mut control = SendControl::<SPACE_CREDENTIALS>::new();
    control.push_credentials(creds)?;
    sendmsg(sock, &[IoSlice::new(&[ANSWER])], &control, SendFlags::default())?;
    Ok(())
}

/// Waits, at most until `deadline`, for the helpers' answer on `sock`, or
/// for the intermediate child to end without one. `Err`: no answer came
/// (timeout, end of stream, a failure here); `Ok` holds the helpers' answer,
/// an error they reported included.
fn wait_for_answer(sock: BorrowedFd<'_>, child: &OwnChild, deadline: Deadline) -> Result<Result<Pid>> {
    let watch = child.pidfd().map_or(-1, |fd| fd.as_raw_fd()); // poll ignores -1
    loop {
        let mut fds = [sock.as_raw_fd(), watch].map(|fd| pollfd { fd, events: POLLIN as i16, revents: 0 });
        crate::poll::poll_until(&mut fds, deadline)?;
        if fds[0].revents != 0 {
            if let Some(answer) = read_answer(sock)? {
                return Ok(answer);
            }
        } else if fds[1].revents != 0 {
            // It ended; an answer sent just before is still queued.
            return read_answer(sock)?.ok_or(Error::PeerClosed);
        }
    }
}

/// One message of the helpers, without waiting: `None` if there is none,
/// `Err` for end of stream (both helpers ended without a word).
fn read_answer(sock: BorrowedFd<'_>) -> Result<Option<Result<Pid>>> {
    let mut data = [0u8; 5];
    let mut control = RecvControl::<{ SPACE_CREDENTIALS }>::new();
    let got: Received<0> = match recvmsg(
        sock,
        &mut [IoSliceMut::new(&mut data)],
        &mut control,
        RecvFlags::default() | RecvFlags::DONTWAIT,
    ) {
        Err(Error::Os(Errno::EAGAIN | Errno::EINTR)) => return Ok(None),
        other => other?,
    };
    Ok(Some(match (got.bytes, data[0], got.credentials) {
        (0, ..) => return Err(Error::PeerClosed),
        (1, ANSWER, Some(creds)) => Ok(creds.pid),
        (1, ANSWER, None) => Err(Error::NoCredentials),
        (5, FAILED, _) => Err(error_of(i32::from_ne_bytes([data[1], data[2], data[3], data[4]]))),
        _ => Err(Error::Protocol),
    }))
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
/// `setsockopt(SO_PASSCRED)`, `sendmsg`, `ppoll`, `recvmsg`. The ping and
/// the receive never block past the deadline, even on a socket that other
/// readers share (they do not wait; a message another reader took means
/// waiting again).
///
/// # Errors
/// [`Error::Timeout`]; [`Error::PeerClosed`] (end of stream, or
/// `ECONNREFUSED`/`EPIPE` when pinging); [`Error::NoCredentials`];
/// [`Error::Protocol`] for a data byte other than the sender's; the
/// truncation errors of [`recv_credentials`](crate::recv_credentials). Any
/// descriptor that arrives is closed.
///
/// # Examples
/// ```
/// use rawscm::pidns::{ask_for_credentials, answer_with_credentials};
/// use rawscm::{Deadline, SocketType, Ucred};
/// let (a, b) = rawscm::socketpair(SocketType::SeqPacket, Default::default())?;
/// let deadline = Deadline::after(core::time::Duration::from_secs(2));
/// std::thread::scope(|s| {
///     s.spawn(|| answer_with_credentials(&b, Ucred::current(), deadline));
///     assert_eq!(ask_for_credentials(&a, deadline), Ok(Ucred::current()));
/// });
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn ask_for_credentials(sock: impl AsFd, deadline: Deadline) -> Result<Ucred> {
    let sock = sock.as_fd();
    set_passcred(sock, true)?;
    let none = SendControl::<0>::new();
    loop {
        match sendmsg(sock, &[IoSlice::new(&[PING])], &none, SendFlags::default() | SendFlags::DONTWAIT) {
            Err(Error::Os(Errno::EAGAIN | Errno::EINTR)) => wait_writable(sock, deadline)?,
            other => break other.map(drop).map_err(peer_gone)?,
        }
    }
    loop {
        wait_readable(sock, deadline)?;
        let mut byte = [0u8; 1];
        match crate::msg::recv_credentials_flags(sock, &mut byte, RecvFlags::DONTWAIT) {
            Err(Error::Os(Errno::EAGAIN)) => continue, // another reader took it
            Err(e) => return Err(peer_gone(e)),
            Ok(got) if byte[0] != CREDS || got.bytes != 1 => return Err(Error::Protocol),
            Ok(got) => return Ok(got.credentials),
        }
    }
}

/// Sender side of the credential handshake: waits (at most until
/// `deadline`) for the receiver's one-byte ping, then sends one data byte
/// with `creds` as `SCM_CREDENTIALS`.
///
/// `ppoll`, `recvmsg`, `sendmsg`. Neither receive nor send blocks past the
/// deadline.
///
/// # Errors
/// [`Error::Timeout`]; [`Error::PeerClosed`]; [`Error::Protocol`] for a
/// wrong ping byte; `ESRCH` when `creds.pid` names no process in the
/// sender's pid namespace (for pid 1: the namespace's init is gone); `EPERM`
/// when the sender may not claim those credentials.
///
/// # Examples
/// ```
/// # use rawscm::pidns::{ask_for_credentials, answer_with_credentials};
/// # use rawscm::{Deadline, SocketType, Ucred};
/// # let (a, b) = rawscm::socketpair(SocketType::SeqPacket, Default::default())?;
/// let deadline = Deadline::after(core::time::Duration::from_millis(50));
/// // Nobody pings: the sender gives up at the deadline.
/// assert_eq!(answer_with_credentials(&b, Ucred::current(), deadline), Err(rawscm::Error::Timeout));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn answer_with_credentials(sock: impl AsFd, creds: Ucred, deadline: Deadline) -> Result<()> {
    let sock = sock.as_fd();
    loop {
        wait_readable(sock, deadline)?;
        let mut ping = [0u8; 1];
        match crate::msg::recv_flags(sock, &mut ping, RecvFlags::DONTWAIT) {
            Err(Error::Os(Errno::EAGAIN)) => continue, // another reader took it
            Err(e) => return Err(peer_gone(e)),
            Ok(1) if ping[0] == PING => break,
            Ok(_) => return Err(Error::Protocol),
        }
    }
    let mut control = SendControl::<SPACE_CREDENTIALS>::new();
    control.push_credentials(creds)?;
    loop {
        let flags = SendFlags::default() | SendFlags::DONTWAIT;
        match sendmsg(sock, &[IoSlice::new(&[CREDS])], &control, flags) {
            Err(Error::Os(Errno::EAGAIN | Errno::EINTR)) => wait_writable(sock, deadline)?,
            other => return other.map(drop).map_err(peer_gone),
        }
    }
}

/// Waits until `sock` can take a message, at most until `deadline`.
fn wait_writable(sock: BorrowedFd<'_>, deadline: Deadline) -> Result<()> {
    let mut p = [pollfd { fd: sock.as_raw_fd(), events: linux_raw_sys::general::POLLOUT as i16, revents: 0 }];
    crate::poll::poll_until(&mut p, deadline).map(drop)
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
