//! Holding processes by pidfd: [`Pidfd`] and [`fork_with_pidfd`].
//!
//! A process id can be reused the moment its process is reaped, so `kill`
//! and `waitid(P_PID)` by number can reach a stranger. A pidfd refers to
//! one process for as long as it is open: signals sent through it after
//! that process has been reaped fail with `ESRCH`, and waiting through it
//! fails with `ECHILD`, whatever process now has the number.
//!
//! # Kernels and emulators
//! | call | Linux |
//! |---|---|
//! | `pidfd_send_signal` | 5.1 |
//! | `clone(CLONE_PIDFD)` | 5.2 |
//! | `clone3`, `pidfd_open`, poll on a pidfd | 5.3 |
//! | `waitid(P_PIDFD)` | 5.4 |
//! | `pidfd_getfd` | 5.6 |
//!
//! qemu-user 7.2 has `pidfd_open`, `pidfd_send_signal`, `pidfd_getfd` and
//! `waitid(P_PIDFD)`, but no `clone3` (`ENOSYS`) and refuses `CLONE_PIDFD`
//! (`EINVAL`); [`fork_with_pidfd`] then forks and opens the pidfd with
//! `pidfd_open` while the child waits for it (see there).
//!
//! `ioctl(PIDFD_GET_INFO)` (Linux 6.13; the exit status of a reaped child
//! from 6.15) is not offered: `linux-raw-sys` 0.12 has neither the request
//! nor `struct pidfd_info`, and this crate does not write kernel layouts by
//! hand where a generated one should exist. [`Pidfd::pid`] reads the pid
//! from `/proc/self/fdinfo` instead.

use crate::errno::{Errno, restart};
use crate::error::{Error, Result};
use crate::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::process::{ExitStatus, Pid, decode};
use crate::signal::Signal;
use crate::sys;
use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
use linux_raw_sys::general::{__WALL, O_CLOEXEC, O_RDONLY, SIGCHLD, SIGKILL, WEXITED, WNOHANG};

/// An owned pidfd: a descriptor that refers to one process (close-on-exec).
/// It becomes readable ([`wait_readable`](crate::wait_readable),
/// [`poll`](crate::poll)) when the process ends. Dropping it closes the
/// descriptor; the process is neither signalled nor reaped.
///
/// # Examples
/// ```
/// use rawscm::pidfd::{fork_with_pidfd, ForkPidfd};
/// use rawscm::{exit_group, ExitStatus};
/// // SAFETY: the child only calls exit_group.
/// match unsafe { fork_with_pidfd() }? {
///     ForkPidfd::Child => exit_group(5),
///     ForkPidfd::Parent { pidfd, .. } => assert_eq!(pidfd.wait()?, ExitStatus::Exited(5)),
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Debug)]
pub struct Pidfd {
    fd: OwnedFd,
}

impl Pidfd {
    /// A pidfd for process `pid` (a thread-group leader), which must exist
    /// now. For a child, prefer [`fork_with_pidfd`]: between a fork and
    /// `pidfd_open` the child may end, be reaped by someone else and its
    /// number reused.
    ///
    /// `int pidfd_open(pid_t pid, 0);` (Linux 5.3.)
    ///
    /// # Errors
    /// `ESRCH` (no such process), `EINVAL` (`pid` ≤ 0, or a thread that
    /// is not a leader), `ENOSYS` before Linux 5.3.
    ///
    /// # Examples
    /// ```
    /// let me = rawscm::pidfd::Pidfd::open(rawscm::getpid())?;
    /// assert!(me.exists()?);
    /// assert_eq!(rawscm::pidfd::Pidfd::open(0).unwrap_err().errno(), Some(rawscm::Errno::EINVAL));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
    pub fn open(pid: Pid) -> Result<Pidfd> {
        Ok(Pidfd { fd: sys::pidfd_open(pid)? })
    }

    /// Adopts a descriptor that is a pidfd (one received as `SCM_PIDFD` or
    /// from [`peerpidfd`](crate::peerpidfd), for example). Nothing is
    /// checked: on anything else the calls fail with `EBADF` or `EINVAL`.
    ///
    /// # Examples
    /// ```
    /// use rawscm::pidfd::Pidfd;
    /// let fd: rawscm::OwnedFd = Pidfd::open(rawscm::getpid())?.into();
    /// let back = Pidfd::from_fd(fd);
    /// assert!(back.exists()?);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn from_fd(fd: OwnedFd) -> Pidfd {
        Pidfd { fd }
    }

    /// Sends `signal` to the process, or fails with `ESRCH` once it has
    /// been reaped (never reaching another process that reused its pid).
    /// A zombie (ended, not yet reaped) still accepts signals, which do
    /// nothing.
    ///
    /// `int pidfd_send_signal(int pidfd, int sig, NULL, 0);` (Linux 5.1.)
    ///
    /// # Errors
    /// `ESRCH` (reaped), `EPERM` (not allowed to signal it), `EBADF`/`EINVAL`
    /// (not a pidfd).
    ///
    /// # Examples
    /// ```
    /// use core::time::Duration;
    /// use rawscm::pidfd::{fork_with_pidfd, ForkPidfd};
    /// use rawscm::{signal::Signal, ExitStatus};
    /// let (_keep, theirs) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
    /// // SAFETY: the child only waits in a system call, then exits.
    /// match unsafe { fork_with_pidfd() }? {
    ///     ForkPidfd::Child => {
    ///         let _ = rawscm::wait_readable_for(&theirs, Duration::from_secs(60));
    ///         rawscm::exit_group(0)
    ///     }
    ///     ForkPidfd::Parent { pidfd, .. } => {
    ///         pidfd.send_signal(Signal::KILL)?;
    ///         let killed = ExitStatus::Signaled { signal: Signal::KILL.number(), core_dumped: false };
    ///         assert_eq!(pidfd.wait()?, killed);
    ///         // Reaped: the pidfd reaches nothing any more.
    ///         assert_eq!(pidfd.send_signal(Signal::TERM).unwrap_err().errno(), Some(rawscm::Errno::ESRCH));
    ///     }
    /// }
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
    pub fn send_signal(&self, signal: Signal) -> Result<()> {
        Ok(sys::pidfd_send_signal(self.fd.as_fd(), signal.raw())?)
    }

    /// Whether the process has not been reaped yet (running, stopped or a
    /// zombie): `pidfd_send_signal` with signal 0, which checks without
    /// sending. A process we may not signal (`EPERM`) exists.
    ///
    /// # Errors
    /// `EBADF`/`EINVAL` (not a pidfd); `ENOSYS` before Linux 5.1.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::pidfd::Pidfd::open(rawscm::getpid())?.exists()?);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [pidfd_send_signal(2)](https://man7.org/linux/man-pages/man2/pidfd_send_signal.2.html)
    pub fn exists(&self) -> Result<bool> {
        match sys::pidfd_send_signal(self.fd.as_fd(), 0) {
            Ok(()) | Err(Errno::EPERM) => Ok(true),
            Err(Errno::ESRCH) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Waits for the process (a child of the caller) to end and reaps it.
    /// `EINTR` is retried.
    ///
    /// `int waitid(P_PIDFD, pidfd, &info, WEXITED | __WALL, NULL);` (Linux 5.4.)
    ///
    /// # Errors
    /// `ECHILD`: not a child of the caller, or already reaped (by this or
    /// anything else; also when `SIGCHLD` is ignored, which makes the
    /// kernel reap children itself).
    /// `EINVAL` before Linux 5.4 (no `P_PIDFD`).
    ///
    /// # Examples
    /// See [`Pidfd`].
    ///
    /// # References
    /// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
    pub fn wait(&self) -> Result<ExitStatus> {
        let s = restart(|| sys::waitid_pidfd(self.fd.as_fd(), WEXITED | __WALL))?;
        Ok(decode(s.code, s.status))
    }

    /// Reaps the process if it has ended; `None` while it runs.
    ///
    /// `int waitid(P_PIDFD, pidfd, &info, WEXITED | WNOHANG | __WALL, NULL);` (Linux 5.4.)
    ///
    /// # Errors
    /// As [`wait`](Self::wait).
    ///
    /// # Examples
    /// ```
    /// use rawscm::pidfd::{fork_with_pidfd, ForkPidfd};
    /// // SAFETY: the child only calls exit_group.
    /// if let ForkPidfd::Parent { pidfd, .. } = unsafe { fork_with_pidfd() }? {
    ///     rawscm::wait_readable_for(&pidfd, core::time::Duration::from_secs(10))?; // it ended
    ///     assert_eq!(pidfd.try_wait()?, Some(rawscm::ExitStatus::Exited(0)));
    /// } else {
    ///     rawscm::exit_group(0);
    /// }
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
    pub fn try_wait(&self) -> Result<Option<ExitStatus>> {
        let s = sys::waitid_pidfd(self.fd.as_fd(), WEXITED | WNOHANG | __WALL)?;
        Ok((s.pid != 0).then(|| decode(s.code, s.status)))
    }

    /// A duplicate, in this process, of the process's descriptor `fd`
    /// (close-on-exec). Needs ptrace access to it
    /// (`PTRACE_MODE_ATTACH_REALCREDS`: the same user and no
    /// `ptrace_scope` restriction, or `CAP_SYS_PTRACE`).
    ///
    /// `int pidfd_getfd(int pidfd, int targetfd, 0);` (Linux 5.6.)
    ///
    /// # Errors
    /// `EPERM` (no ptrace access), `EBADF` (`fd` is not open there),
    /// `ESRCH` (the process has exited), `ENOSYS` before Linux 5.6.
    ///
    /// # Examples
    /// ```
    /// use rawscm::pidfd::Pidfd;
    /// let me = Pidfd::open(rawscm::getpid())?;
    /// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
    /// let copy = me.get_fd(a.as_raw_fd())?; // the same socket, another number
    /// assert_ne!(copy.as_raw_fd(), a.as_raw_fd());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [pidfd_getfd(2)](https://man7.org/linux/man-pages/man2/pidfd_getfd.2.html)
    pub fn get_fd(&self, fd: i32) -> Result<OwnedFd> {
        Ok(sys::pidfd_getfd(self.fd.as_fd(), fd)?)
    }

    /// The process's pid, in the pid namespace of the `/proc` mount
    /// (normally the caller's), read from the `Pid:` line of
    /// `/proc/self/fdinfo/<fd>` (Linux 5.3+).
    ///
    /// The number is only a snapshot: the process may be reaped and the
    /// number reused right after. Check with [`exists`](Self::exists)
    /// *after* using the number (as
    /// [`init_pid_of_pidfd`](crate::pidns::init_pid_of_pidfd) does): if it
    /// still exists then, the number still named it.
    ///
    /// # Errors
    /// `ESRCH`: the process has been reaped, or is not visible in that pid
    /// namespace. `EINVAL`: not a pidfd. `ENOENT`: no `/proc`.
    ///
    /// # Examples
    /// ```
    /// let me = rawscm::pidfd::Pidfd::open(rawscm::getpid())?;
    /// assert_eq!(me.pid()?, rawscm::getpid());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html) (NOTES: `/proc/pid/fdinfo`)
    /// - [proc_pid_fdinfo(5)](https://man7.org/linux/man-pages/man5/proc_pid_fdinfo.5.html)
    pub fn pid(&self) -> Result<Pid> {
        let mut path = [0u8; 40];
        let mut digits = [0u8; 10];
        let mut len = 0;
        for part in
            [&b"/proc/self/fdinfo/"[..], crate::text::decimal(self.fd.as_raw_fd() as u32, &mut digits), b"\0"]
        {
            path[len..len + part.len()].copy_from_slice(part);
            len += part.len();
        }
        let path = core::ffi::CStr::from_bytes_until_nul(&path[..len]).map_err(|_| Error::Protocol)?;
        let file = sys::open(path, O_RDONLY)?;
        let mut buf = [0u8; 512];
        let mut filled = 0;
        while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
            match restart(|| sys::read(file.as_fd(), rest))? {
                0 => break,
                n => filled += n,
            }
        }
        match fdinfo_pid(buf.get(..filled).unwrap_or_default()) {
            Some(pid) if pid > 0 && pid <= i64::from(i32::MAX) => Ok(pid as Pid),
            Some(_) => Err(Errno::ESRCH.into()),
            None => Err(Errno::EINVAL.into()),
        }
    }
}

/// The number on the `Pid:` line of a pidfd's fdinfo text.
fn fdinfo_pid(text: &[u8]) -> Option<i64> {
    let line = text.split(|&b| b == b'\n').find_map(|l| l.strip_prefix(b"Pid:"))?;
    let digits = line.trim_ascii();
    let (negative, digits) = match digits.strip_prefix(b"-") {
        Some(d) => (true, d),
        None => (false, digits),
    };
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    let mut n: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some(if negative { -n } else { n })
}

impl AsFd for Pidfd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

impl From<Pidfd> for OwnedFd {
    fn from(p: Pidfd) -> OwnedFd {
        p.fd
    }
}

/// Which side of [`fork_with_pidfd`] this is.
///
/// # Examples
/// ```
/// use rawscm::pidfd::ForkPidfd;
/// fn is_child(f: &ForkPidfd) -> bool {
///     matches!(f, ForkPidfd::Child)
/// }
/// ```
#[derive(Debug)]
pub enum ForkPidfd {
    /// In the new child.
    Child,
    /// In the parent.
    Parent {
        /// The child's pid (in the parent's pid namespace).
        pid: Pid,
        /// A pidfd for the child.
        pidfd: Pidfd,
    },
}

/// How this process gets pidfds for its children; found on first use.
static METHOD: AtomicU8 = AtomicU8::new(UNTRIED);
const UNTRIED: u8 = 0;
const CLONE3: u8 = 1;
const CLONE: u8 = 2;
const FORK_OPEN: u8 = 3;
const NONE: u8 = 4;

/// Creates a child process and, in the parent, a pidfd for it, created by
/// the kernel with the child: no moment exists in which the child could be
/// reaped by someone else and its pid reused before the parent holds it.
/// The child's exit signal is `SIGCHLD`, as with [`fork`](crate::fork).
///
/// `clone3(&{CLONE_PIDFD, &pidfd, SIGCHLD}, 64)` (Linux 5.3+). Where that is
/// `ENOSYS` (a seccomp filter, as container runtimes install; qemu-user):
/// `clone(CLONE_PIDFD | SIGCHLD, 0, &pidfd, ...)` in the architecture's
/// argument order (5.2+). Where that is refused too (qemu-user 7.2 says
/// `EINVAL`): `fork`, then `pidfd_open` in the parent while the child waits
/// on a pipe until the parent holds its pidfd, so that the child cannot
/// have exited and been reaped in between. That last way is racy only if
/// something else both kills the waiting child and reaps it (a
/// `waitpid(-1)` in another thread) before `pidfd_open`, and the number is
/// reused in those microseconds; it costs a pipe and a wake-up more.
/// The way that works is remembered for the life of the process.
///
/// # Safety
/// As for [`fork`](crate::fork): in a multi-threaded process the child may
/// only do async-signal-safe work until it calls
/// [`exit_group`](crate::exit_group) or execs (see the
/// [`process`](crate::process) module docs), and it must not return into
/// code that assumes it is the parent.
///
/// # Errors
/// `EAGAIN` (process limit), `ENOMEM`; `ENOSYS` on kernels with neither
/// `clone3` nor `pidfd_open` (before 5.3), in which case no child was
/// created.
///
/// # Examples
/// ```
/// use rawscm::pidfd::{fork_with_pidfd, ForkPidfd};
/// use rawscm::{exit_group, ExitStatus};
/// // SAFETY: the child only calls exit_group.
/// match unsafe { fork_with_pidfd() }? {
///     ForkPidfd::Child => exit_group(3),
///     ForkPidfd::Parent { pid, pidfd } => {
///         assert!(pid > 0);
///         assert_eq!(pidfd.wait()?, ExitStatus::Exited(3));
///     }
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html) (`clone3`, `CLONE_PIDFD`)
/// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
pub unsafe fn fork_with_pidfd() -> Result<ForkPidfd> {
    // SAFETY: the caller's guarantee.
    Ok(match unsafe { fork_pidfd() }? {
        None => ForkPidfd::Child,
        Some((pid, pidfd)) => ForkPidfd::Parent { pid, pidfd },
    })
}

/// [`fork_with_pidfd`]'s work: `None` in the child.
///
/// # Safety
/// As [`fork_with_pidfd`].
pub(crate) unsafe fn fork_pidfd() -> Result<Option<(Pid, Pidfd)>> {
    loop {
        match METHOD.load(Relaxed) {
            // SAFETY: the caller's guarantee (see `fork_with_pidfd`).
            UNTRIED | CLONE3 => match unsafe { sys::clone3_pidfd(SIGCHLD) } {
                Ok((0, _)) => return Ok(None),
                Ok((pid, fd)) => {
                    METHOD.store(CLONE3, Relaxed);
                    return adopt(pid as Pid, fd).map(Some);
                }
                Err(Errno::ENOSYS) => {
                    // clone(CLONE_PIDFD) is honoured from 5.2 on and
                    // silently ignored before; pidfd_open (5.3) tells the
                    // kernels apart without forking.
                    let next = match sys::pidfd_open(sys::getpid()) {
                        Err(Errno::ENOSYS) => NONE,
                        _ => CLONE,
                    };
                    METHOD.store(next, Relaxed);
                }
                Err(e) => return Err(e.into()),
            },
            // SAFETY: as above; fork-like flags.
            CLONE => match unsafe { sys::clone(0, SIGCHLD, true) } {
                Ok((0, _)) => return Ok(None),
                Ok((pid, fd)) => return adopt(pid as Pid, fd).map(Some),
                Err(Errno::EINVAL) => METHOD.store(FORK_OPEN, Relaxed),
                Err(e) => return Err(e.into()),
            },
            // SAFETY: the caller's guarantee.
            FORK_OPEN => return unsafe { fork_then_open() },
            _ => return Err(Errno::ENOSYS.into()),
        }
    }
}

/// The parent's side after a clone that was asked for a pidfd: the kernel
/// always makes one from 5.2 on (and this path is only taken where
/// `pidfd_open`, 5.3, exists); should it not have, `pidfd_open` stands in.
fn adopt(pid: Pid, fd: Option<OwnedFd>) -> Result<(Pid, Pidfd)> {
    match fd.map_or_else(|| sys::pidfd_open(pid), Ok) {
        Ok(fd) => Ok((pid, Pidfd { fd })),
        Err(e) => {
            kill_and_reap(pid);
            Err(e.into())
        }
    }
}

/// Ends and reaps child `pid`, which nothing else holds.
fn kill_and_reap(pid: Pid) {
    let _ = sys::kill(pid, SIGKILL);
    let _ = restart(|| sys::waitid(pid, WEXITED | __WALL));
}

/// `fork`, then `pidfd_open` in the parent while the child waits for a
/// byte (or end of file) on a pipe, so that it cannot exit before its
/// parent holds the pidfd.
///
/// # Safety
/// As [`fork_with_pidfd`].
unsafe fn fork_then_open() -> Result<Option<(Pid, Pidfd)>> {
    let (r, w) = sys::pipe2(O_CLOEXEC)?;
    // SAFETY: the caller's guarantee (see `fork_with_pidfd`).
    match unsafe { sys::fork() }? {
        0 => {
            drop(w);
            let mut byte = [0u8; 1];
            // A byte, end of file (the parent gone) or an error: go on.
            while sys::read(r.as_fd(), &mut byte) == Err(Errno::EINTR) {}
            drop(r);
            Ok(None)
        }
        pid => {
            let pid = pid as Pid;
            drop(r);
            let opened = sys::pidfd_open(pid);
            if opened.is_err() {
                kill_and_reap(pid);
            }
            // A byte rather than only closing: a copy of `w` that another
            // thread's concurrent fork inherited must not hold the child.
            let _ = sys::write(w.as_fd(), b"g");
            drop(w);
            Ok(Some((pid, Pidfd { fd: opened? })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdinfo_pid_lines() {
        let text = b"pos:\t0\nflags:\t02000002\nmnt_id:\t15\nino:\t1059\nPid:\t4242\nNSpid:\t4242\n";
        assert_eq!(fdinfo_pid(text), Some(4242));
        assert_eq!(fdinfo_pid(b"Pid:\t-1\nNSpid:\t-1\n"), Some(-1));
        assert_eq!(fdinfo_pid(b"pos:\t0\nflags:\t02\n"), None);
        assert_eq!(fdinfo_pid(b"Pid:\t\n"), None);
        assert_eq!(fdinfo_pid(b"Pid:\t12x\n"), None);
        assert_eq!(fdinfo_pid(b"Pid:\t99999999999\n"), None);
        assert_eq!(fdinfo_pid(b"NSpid:\t7\n"), None);
    }
}
