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
//! `Method::Fork` force one path.
//!
//! What lxcfs does (read at its `main`, commit e1c5a7d, after v7.0.0; the
//! lookup is `scm_init_pid` and `write_task_init_pid_exit` in
//! `src/bindings.c`, the handshake `send_creds`, `recv_creds`, `msgrecv` and
//! `wait_for_sock` in `src/utils.c`):
//! - **Bounded, 2 s each:** the two waits for the socket. `wait_for_sock(sock,
//!   2)` is an `epoll_wait` retried on `EINTR` with the time left; the
//!   parent's `recv_creds` uses it before its `recvmsg(MSG_DONTWAIT)`, and the
//!   grandchild's `send_creds(.., pingfirst)` through `msgrecv` before it
//!   takes the ping. (Up to lxcfs 0.17, in 2016, they were `select` with a
//!   2 s `timeval`.)
//! - **Not bounded:** the reaping. After `recv_creds`, whether it succeeded
//!   or timed out, `scm_init_pid` calls `wait_for_pid` on the intermediate
//!   child with no limit and never kills it; that child does the same for
//!   the grandchild. A stopped or traced helper keeps the lxcfs thread in
//!   `waitpid`; so do the blocking sends (the ping with `write_nointr`, the
//!   credentials with `sendmsg` and flags 0).
//! - **On the wall clock, in whole seconds:** the deadline is `time(NULL) +
//!   2`; a clock step during the wait moves the retry after an `EINTR`.
//! - **Failures become timeouts:** on `SOCK_DGRAM` a closed peer gives no end
//!   of file, and the parent keeps its copy of the children's end open until
//!   it returns, so a grandchild that cannot send (`ESRCH`: the namespace's
//!   init is gone) costs the caller the full 2 s, and the answer is `-1`.
//! - **Missing credentials go unnoticed:** when the first control message is
//!   not exactly one `SCM_CREDENTIALS`, `recv_creds` still returns true and
//!   the pid stays -1.
//!
//! What rawscm does instead:
//!
//! | lxcfs | rawscm |
//! |---|---|
//! | always forks twice | `ioctl(NS_GET_PID_FROM_PIDNS)` first (Linux 6.11+), refusing a namespace whose init has exited but is not reaped yet (the ioctl still reports the zombie); forks only where the kernel or emulator lacks it |
//! | two 2 s waits, unbounded `waitpid`s and blocking sends around them; no helper is ever killed | one deadline (2 s, `CLOCK_MONOTONIC`) for every wait of the caller; on a timeout or failure the intermediate child is killed (the grandchild dies with it) and both are reaped, so reaping cannot hang; the helpers wait for nothing but each other |
//! | `SOCK_DGRAM`, a ping so that `SO_PASSCRED` is armed in time, the parent holding both ends | `SOCK_SEQPACKET`, `SO_PASSCRED` armed before the fork (no ping), the children's end closed at once; a helper that fails sends its errno (`ESRCH`, `EPERM`, ...), one that ends is end of stream |
//! | children with `SIGCHLD`: a caller with `SIGCHLD` ignored, or a reaping handler, loses them (`ECHILD`) | children with no exit signal, which nothing else can reap; the answer does not depend on their exit status |
//! | the helper's death is seen only through the socket, which another thread's fork may hold open | a late answer has the intermediate child watched by pidfd in the same `ppoll` |
//! | the helpers keep every descriptor of the caller (a FUSE descriptor) inside the target namespace, and its signal handlers | they block every signal and close every descriptor but their socket (`close_range`, or `/proc/self/fd`) |
//! | a missing `SCM_CREDENTIALS` goes unnoticed (the pid stays -1) | `NoCredentials`, `ControlTruncated`, `Protocol` as typed errors |
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

use crate::cmsg::{RecvControl, SPACE_CREDENTIALS, SendControl, Ucred};
use crate::errno::Errno;
use crate::error::{Error, Result};
use crate::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::io::{IoSlice, IoSliceMut};
use crate::msg::{Received, RecvFlags, SendFlags, recvmsg, sendmsg};
use crate::pidfd::Pidfd;
use crate::poll::{Deadline, wait_readable};
use crate::process::{OwnChild, Pid, close_all_but};
use crate::socket::{SocketFlags, SocketType, set_passcred, socketpair};
use crate::sys;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
use core::time::Duration;
use linux_raw_sys::general::{
    _IOC_DIRSHIFT, _IOC_NRSHIFT, _IOC_READ, _IOC_SIZESHIFT, _IOC_TYPEBITS, _IOC_TYPESHIFT, CLONE_NEWPID,
    O_RDONLY, POLLIN, SIGKILL, pollfd,
};
use linux_raw_sys::ioctl::NS_GET_USERNS;

/// `_IOR(NSIO, nr, int)` (`include/uapi/linux/nsfs.h`), built from
/// linux-raw-sys's per-architecture `_IOC_*` layout (powerpc differs);
/// `NSIO` is read back from `NS_GET_USERNS` = `_IO(NSIO, 0x1)`.
const fn nsio_ior_int(nr: u32) -> u32 {
    let nsio = (NS_GET_USERNS >> _IOC_TYPESHIFT) & ((1 << _IOC_TYPEBITS) - 1);
    (_IOC_READ << _IOC_DIRSHIFT)
        | (nsio << _IOC_TYPESHIFT)
        | (nr << _IOC_NRSHIFT)
        | ((core::mem::size_of::<i32>() as u32) << _IOC_SIZESHIFT)
}

/// `NS_GET_PID_FROM_PIDNS` (Linux 6.11): the pid, in our namespace, of a pid
/// of the namespace.
const NS_GET_PID_FROM_PIDNS: u32 = nsio_ior_int(0x6);
/// `NS_GET_PID_IN_PIDNS` (Linux 6.11): the pid, in the namespace, of one of
/// ours (`ESRCH` when it is not a member).
const NS_GET_PID_IN_PIDNS: u32 = nsio_ior_int(0x8);

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
/// [`Error::Clock`]. Every child is reaped and every descriptor closed, on
/// every outcome.
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
    translate_in(open_pid_ns(task)?.as_fd(), task, pid, method)
}

/// The pid, in the caller's pid namespace, of the init (pid 1) of the pid
/// namespace that the process `pidfd` refers to lives in: [`init_pid_of`]
/// without the race of naming the task by number (a task that exits and
/// is reaped while the lookup starts could have its number reused by a
/// process in another namespace).
///
/// The pid is read from the pidfd's `/proc/self/fdinfo` entry
/// ([`Pidfd::pid`]), `/proc/<pid>/ns/pid` is opened, and only then is the
/// process checked to be still there (`pidfd_send_signal(pidfd, 0)`): if
/// it is, the number still named it when the namespace was opened, so the
/// namespace is its. The rest is [`init_pid_of`]'s. (Linux 6.11 adds
/// `ioctl(PIDFD_GET_PID_NAMESPACE)`, which would skip `/proc`;
/// `linux-raw-sys` 0.12 does not have it.)
///
/// # Errors
/// As [`init_pid_of`]; `ESRCH` also when the process has been reaped (before
/// or during the lookup) or is not visible in the pid namespace of `/proc`;
/// `EINVAL` if `pidfd` is not a pidfd.
///
/// # Examples
/// ```
/// use rawscm::pidfd::Pidfd;
/// use rawscm::pidns::{init_pid_of, init_pid_of_pidfd, Method};
/// # if rawscm::getuid() != 0 { return Ok(()); }
/// let me = Pidfd::open(rawscm::getpid())?;
/// assert_eq!(init_pid_of_pidfd(&me, Method::Auto)?.pid, init_pid_of(rawscm::getpid(), Method::Auto)?.pid);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html) (`/proc/self/fdinfo`)
/// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
/// - [ioctl_nsfs(2)](https://man7.org/linux/man-pages/man2/ioctl_nsfs.2.html)
/// - [setns(2)](https://man7.org/linux/man-pages/man2/setns.2.html)
pub fn init_pid_of_pidfd(pidfd: &Pidfd, method: Method) -> Result<Translated> {
    let task = pidfd.pid()?;
    let ns = open_pid_ns(task)?;
    if !pidfd.exists()? {
        return Err(Errno::ESRCH.into());
    }
    translate_in(ns.as_fd(), task, 1, method)
}

/// `pid` of the pid namespace `ns` (the one of `task`), in the caller's.
fn translate_in(ns: BorrowedFd<'_>, task: Pid, pid: Pid, method: Method) -> Result<Translated> {
    if method != Method::Fork {
        match via_ioctl(ns, task, pid) {
            Ok(found) => return Ok(Translated { pid: found, via: Method::Ioctl }),
            // Not in that namespace (or not visible from ours): the fork path
            // would say the same.
            Err(e @ Error::Os(Errno::ESRCH)) => return Err(e),
            Err(e) if method == Method::Ioctl => return Err(e),
            Err(_) => {} // older kernel or emulator: fall back
        }
    }
    let found = via_fork(ns, pid, Deadline::after(FORK_TIMEOUT))?;
    Ok(Translated { pid: found, via: Method::Fork })
}

/// `ioctl(ns, NS_GET_PID_FROM_PIDNS, pid)`, refusing a dead namespace: once
/// its init has exited, the init stays findable as a zombie until reaped,
/// and the ioctl would still report it (the fork path fails there).
///
/// The cheap evidence that the init has not exited is another member of its
/// namespace: an init's exit waits until every other process of the
/// namespace is gone (`zap_pid_ns_processes`), so while `task`, not the
/// init, is still a member (`NS_GET_PID_IN_PIDNS` gives its pid there, not
/// 1), the init has not become a zombie. One more ioctl, no descriptor,
/// nothing from `/proc`. When `task` is the init itself, or has gone, the
/// init's pidfd decides ([`has_exited`]).
fn via_ioctl(ns: BorrowedFd<'_>, task: Pid, pid: Pid) -> Result<Pid> {
    let found = sys::ioctl_int(ns, NS_GET_PID_FROM_PIDNS, pid as usize)? as Pid;
    let init = if pid == 1 { found } else { sys::ioctl_int(ns, NS_GET_PID_FROM_PIDNS, 1)? as Pid };
    let member = sys::ioctl_int(ns, NS_GET_PID_IN_PIDNS, task as usize).is_ok_and(|inside| inside > 1);
    if !member && has_exited(init) {
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
/// socket; an answer that is late has the intermediate child watched
/// through its pidfd too, so that its end is seen even when another
/// thread's fork holds a copy of its socket ([`WATCH_AFTER`]).
fn via_fork(ns: BorrowedFd<'_>, pid: Pid, deadline: Deadline) -> Result<Pid> {
    let (ours, theirs) = socketpair(SocketType::SeqPacket, SocketFlags::default())?;
    set_passcred(&ours, true)?; // armed before the child exists
    let ids = ids();
    // SAFETY: the helpers make system calls only (no allocation, no lock)
    // and exit; the intermediate uses nothing but `ns` and `theirs`.
    let mut child = unsafe { OwnChild::spawn(|| intermediate(ns, theirs.as_fd(), pid, ids)) }?;
    drop(theirs); // so that the children's end shows as end of stream
    let answer = wait_for_answer(ours.as_fd(), &mut child, deadline);
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

/// Our user and group id, as a grandchild claims them in its credentials:
/// read once per process (two system calls fewer per lookup). Should they
/// change later, the kernel refuses the stale ones (`EPERM`) and the
/// grandchild reads them again.
fn ids() -> (u32, u32) {
    // uid and gid -1 are never ids (setresuid(2) reserves them): "not read".
    // Two 32-bit atomics (32-bit powerpc has no 64-bit ones); a uid and gid
    // from two different reads can only be stale ones, which the grandchild
    // replaces when the kernel refuses them.
    static UID: AtomicU32 = AtomicU32::new(u32::MAX);
    static GID: AtomicU32 = AtomicU32::new(u32::MAX);
    let (mut uid, mut gid) = (UID.load(Relaxed), GID.load(Relaxed));
    if uid == u32::MAX || gid == u32::MAX {
        (uid, gid) = (sys::getuid(), sys::getgid());
        UID.store(uid, Relaxed);
        GID.store(gid, Relaxed);
    }
    (uid, gid)
}

/// In the intermediate child: join the namespace, fork the grandchild that
/// lives in it, and wait for it (its parent-death signal needs us alive).
/// Returns the exit code; nothing is dropped after it (`exit_group`).
///
/// Neither helper waits for anything but the other: they need no deadline.
/// The parent keeps it, and on a timeout ends them both.
fn intermediate(ns: BorrowedFd<'_>, sock: BorrowedFd<'_>, pid: Pid, ids: (u32, u32)) -> i32 {
    // No handler of the program may run here; then the namespace, and then
    // every descriptor but the socket goes (the namespace's with them: the
    // grandchild needs no way back), in two close_range calls.
    let _ = sys::block_all_signals();
    let joined = sys::setns(ns, CLONE_NEWPID);
    // SAFETY: in the child, which uses nothing but the socket from here on
    // (the owners of the rest, copies of the parent's, never run).
    unsafe { close_all_but(&[sock.as_raw_fd()]) };
    if let Err(e) = joined {
        report(sock, e.into());
        return 0;
    }
    // Our pid, for the grandchild to recognise us as its parent.
    let me = sys::getpid();
    // SAFETY: the grandchild makes system calls only, and exits.
    let spawned = unsafe {
        OwnChild::spawn(|| match grandchild(sock, me, pid, ids) {
            Ok(()) => 0,
            Err(e) => {
                report(sock, e);
                0
            }
        })
    };
    match spawned {
        Ok(grandchild) => drop(grandchild.wait()),
        // Forking into a namespace whose init has exited fails with ENOMEM.
        Err(Error::Os(Errno::ENOMEM)) => report(sock, Errno::ESRCH.into()),
        Err(e) => report(sock, e),
    }
    0
}

/// In the grandchild, inside the target namespace: send credentials naming
/// `pid` (as seen here).
fn grandchild(sock: BorrowedFd<'_>, parent: Pid, pid: Pid, ids: (u32, u32)) -> Result<()> {
    // If the intermediate is killed, take this process down with it; if it
    // died before that took effect, stop here. While it lives it is our
    // parent: invisible from inside the namespace (0) unless the namespace
    // is its own (then `parent`). An orphan's new parent is the reaper of
    // the intermediate's namespace (kernel/exit.c, find_child_reaper): seen
    // here as another pid when the namespace is the same, invisible (0 again)
    // when it is a child namespace, where this check cannot tell. No harm
    // then: this process waits for nothing and ends at once.
    sys::set_parent_death_signal(SIGKILL)?;
    let ppid = sys::getppid();
    if ppid != 0 && ppid != parent {
        return Err(Error::PeerClosed);
    }
    // Forking may have created `pid` in that namespace: then it did not
    // exist before, and the answer would be ourselves. (Never pid 1: a
    // namespace whose init has gone takes no new process.)
    if pid != 1 && sys::getpid() == pid {
        return Err(Errno::ESRCH.into());
    }
    let send = |(uid, gid)| {
        let mut control = SendControl::<SPACE_CREDENTIALS>::new();
        control.push_credentials(Ucred { pid, uid, gid })?;
        sendmsg(sock, &[IoSlice::new(&[ANSWER])], &control, SendFlags::default())
    };
    match send(ids) {
        // The ids read earlier may be stale; the fresh ones may be claimed.
        Err(Error::Os(Errno::EPERM)) => send((sys::getuid(), sys::getgid())).map(drop),
        other => other.map(drop),
    }
}

/// How long the parent waits for the helpers' answer on the socket alone;
/// after that it also watches the intermediate child through its pidfd.
/// Answers take a few hundred microseconds, and a helper that fails says so
/// or ends, which shows as end of stream. Only when another thread's fork
/// holds a copy of the socket does the end of a silent helper need the
/// pidfd; opening one for every lookup would cost as much as several of its
/// system calls.
const WATCH_AFTER: Duration = Duration::from_millis(20);

/// Waits, at most until `deadline`, for the helpers' answer on `sock`, or
/// for the intermediate child to end without one. `Err`: no answer came
/// (timeout, end of stream, a failure here); `Ok` holds the helpers' answer,
/// an error they reported included.
fn wait_for_answer(sock: BorrowedFd<'_>, child: &mut OwnChild, deadline: Deadline) -> Result<Result<Pid>> {
    let mut watch = -1; // poll ignores -1
    let mut until = Deadline::after(WATCH_AFTER).earlier(deadline);
    loop {
        let mut fds = [sock.as_raw_fd(), watch].map(|fd| pollfd { fd, events: POLLIN as i16, revents: 0 });
        match crate::poll::poll_until(&mut fds, until) {
            Err(Error::Timeout) if until != deadline => {
                watch = child.watch().map_or(-1, |fd| fd.as_raw_fd());
                until = deadline;
                continue;
            }
            other => other?,
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::time::Instant;

    /// A helper that ends without a word while another copy of its socket
    /// stays open (what another thread's fork leaves behind): no end of
    /// stream ever comes, and its pidfd, watched once the answer is late,
    /// shows its end long before the deadline.
    #[test]
    fn a_silent_helper_is_seen_to_end_even_when_its_socket_has_another_copy() {
        let (ours, theirs) = socketpair(SocketType::SeqPacket, SocketFlags::default()).unwrap();
        // SAFETY: the child only exits.
        let mut child = unsafe { OwnChild::spawn(|| 0) }.unwrap();
        let deadline = Deadline::after(Duration::from_secs(3));
        let start = Instant::now();
        let r = wait_for_answer(ours.as_fd(), &mut child, deadline);
        let took = start.elapsed();
        drop(theirs); // held until here: the copy that hides the end
        if child.watch().is_none() {
            // No pidfd here (qemu-user, or a kernel before 5.3): the deadline.
            assert_eq!(r, Err(Error::Timeout));
            return;
        }
        assert_eq!(r, Err(Error::PeerClosed));
        assert!(took >= WATCH_AFTER && took < Duration::from_secs(2), "{took:?}");
        assert!(child.wait().is_ok());
    }
}
