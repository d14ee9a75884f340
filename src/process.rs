//! `fork`, waiting for a child, `exit_group`, and process ids.
//!
//! # After fork in a multi-threaded process
//! The child has one thread: the one that called fork. Locks held by other
//! threads at the time (the allocator's, stdio's, any `Mutex`) stay locked
//! forever in the child. Until it exits or execs, the child may only do
//! async-signal-safe work: the system calls of this crate qualify (they
//! allocate nothing and take no lock), `println!` and heap allocation do not.
//! A raw `fork` also skips libc's `pthread_atfork` handlers. In a
//! single-threaded program (a static init, a helper) none of this applies.

use crate::cmsg::Ucred;
use crate::errno::Errno;
use crate::error::Result;
use crate::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::sys;
use linux_raw_sys::general::{
    __WALL, CLD_DUMPED, CLD_EXITED, CLONE_NEWPID, O_DIRECTORY, O_RDONLY, SIGCHLD, SIGKILL, WEXITED, WNOHANG,
    WNOWAIT, linux_dirent64,
};

/// A process id. 0 and negative values have their usual special meanings
/// where a function documents them.
///
/// # Examples
/// ```
/// let me: rawscm::Pid = rawscm::getpid();
/// assert!(me > 0);
/// ```
pub type Pid = i32;

/// Which side of a fork this is.
///
/// # Examples
/// ```
/// # use rawscm::Fork;
/// let f = Fork::Parent(42);
/// assert!(matches!(f, Fork::Parent(42)));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Fork {
    /// In the new child.
    Child,
    /// In the parent; the child's pid.
    Parent(Pid),
}

/// Creates a child process.
///
/// `pid_t fork(void);` where the architecture has it, else
/// `clone(SIGCHLD, 0, ...)` (aarch64, riscv64, which have no fork syscall).
///
/// # Safety
/// In a multi-threaded process the child may only do async-signal-safe work
/// until it calls [`exit_group`] (see the [module docs](crate::process)).
/// The child must not return into code that assumes it is the parent (for
/// example, a test harness): end it with [`exit_group`].
///
/// # Errors
/// `EAGAIN` (a process limit), `ENOMEM`.
///
/// # Examples
/// ```
/// use rawscm::{fork, exit_group, waitid, ExitStatus, Fork};
/// // SAFETY: the child only calls exit_group.
/// match unsafe { fork() }? {
///     Fork::Child => exit_group(7),
///     Fork::Parent(pid) => assert_eq!(waitid(pid)?, ExitStatus::Exited(7)),
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [fork(2)](https://man7.org/linux/man-pages/man2/fork.2.html)
/// - [clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html)
/// - [signal-safety(7)](https://man7.org/linux/man-pages/man7/signal-safety.7.html)
pub unsafe fn fork() -> Result<Fork> {
    // SAFETY: the caller keeps the child's contract (this function's).
    Ok(match unsafe { sys::fork() }? {
        0 => Fork::Child,
        pid => Fork::Parent(pid as Pid),
    })
}

/// Creates a child process that is pid 1 of a new pid namespace (it sees
/// itself as pid 1; the parent sees its pid in the parent's namespace).
/// Needs `CAP_SYS_ADMIN` (`EPERM` otherwise).
///
/// `clone(CLONE_NEWPID | SIGCHLD, 0, ...)`, in the architecture's argument
/// order (s390x takes the stack first).
///
/// # Safety
/// As for [`fork`].
///
/// # Errors
/// `EPERM` without `CAP_SYS_ADMIN`; `EAGAIN`, `ENOMEM`; `EINVAL` under qemu-user.
///
/// # Examples
/// ```no_run
/// use rawscm::{fork_new_pid_namespace, exit_group, getpid, waitid, ExitStatus, Fork};
/// // SAFETY: the child only makes syscalls and exits.
/// match unsafe { fork_new_pid_namespace() }? {
///     Fork::Child => exit_group(if getpid() == 1 { 0 } else { 1 }),
///     Fork::Parent(pid) => assert_eq!(waitid(pid)?, ExitStatus::Exited(0)),
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html)
/// - [pid_namespaces(7)](https://man7.org/linux/man-pages/man7/pid_namespaces.7.html)
pub unsafe fn fork_new_pid_namespace() -> Result<Fork> {
    // SAFETY: fork-like flags; the caller keeps the child's contract.
    Ok(match unsafe { sys::clone(CLONE_NEWPID, SIGCHLD, false) }? {
        (0, _) => Fork::Child,
        (pid, _) => Fork::Parent(pid as Pid),
    })
}

impl Ucred {
    /// The calling process's credentials (`getpid`, `getuid`, `getgid`).
    ///
    /// # Examples
    /// ```
    /// let me = rawscm::Ucred::current();
    /// assert_eq!(me.uid, rawscm::getuid());
    /// ```
    ///
    /// # References
    /// - [getpid(2)](https://man7.org/linux/man-pages/man2/getpid.2.html),
    ///   [getuid(2)](https://man7.org/linux/man-pages/man2/getuid.2.html),
    ///   [getgid(2)](https://man7.org/linux/man-pages/man2/getgid.2.html)
    pub fn current() -> Ucred {
        Ucred { pid: sys::getpid(), uid: sys::getuid(), gid: sys::getgid() }
    }
}

/// A child process of the crate's own (the init-pid lookup's helpers): made
/// so that nothing else in the program can reap it, watched through a pidfd
/// when asked to ([`watch`](Self::watch)), and killed and reaped when
/// dropped, so that no error path leaves a zombie or a runaway child.
///
/// Natively it is created with no exit signal (`clone` with exit signal 0):
/// `SIGCHLD` set to `SIG_IGN` does not auto-reap it, and a `waitpid(-1, ..)`
/// in a `SIGCHLD` handler does not see it (only `__WALL` waits do), so its
/// pid cannot be reused while this value lives. Under an emulator that
/// refuses such a clone (qemu-user), it falls back to `SIGCHLD`, and then a
/// child reaped by someone else is reported as such, never waited for twice.
pub(crate) struct OwnChild {
    pid: Pid,
    /// 0, or `SIGCHLD` in the emulator fallback.
    exit_signal: u32,
    /// Made by [`watch`](Self::watch).
    pidfd: Option<OwnedFd>,
    /// Whether it has been reaped (by us, or found reaped).
    reaped: bool,
}

impl OwnChild {
    /// Runs `child` in a new process, which then exits with its return
    /// value (`exit_group`; no destructor runs there).
    ///
    /// # Safety
    /// `child` must be async-signal-safe (no allocation, no lock: the caller
    /// may be multi-threaded), as for [`fork`].
    pub(crate) unsafe fn spawn(child: impl FnOnce() -> i32) -> Result<OwnChild> {
        // SAFETY: fork-like flags; the child runs `child` (the caller's
        // guarantee) and exits.
        let (pid, exit_signal) = match unsafe { sys::clone(0, 0, false) } {
            Ok((pid, _)) => (pid, 0),
            // qemu-user only forks with SIGCHLD.
            // SAFETY: as above.
            Err(Errno::EINVAL) => (unsafe { sys::clone(0, SIGCHLD, false) }?.0, SIGCHLD),
            Err(e) => return Err(e.into()),
        };
        if pid == 0 {
            exit_group(child());
        }
        Ok(OwnChild { pid: pid as Pid, exit_signal, pidfd: None, reaped: false })
    }

    /// Its pidfd, which becomes readable when it ends, opened on the first
    /// call (a pidfd costs about as much as several plain system calls, so
    /// only the callers that need one pay for it); none on kernels before
    /// 5.3 and some emulators. `pidfd_open` is race-free for a child nobody
    /// else can reap, and checked to be our unreaped child otherwise.
    pub(crate) fn watch(&mut self) -> Option<BorrowedFd<'_>> {
        if self.pidfd.is_none() && !self.reaped {
            let ours = |fd: &OwnedFd| {
                self.exit_signal == 0
                    || sys::waitid_pidfd(fd.as_fd(), WEXITED | WNOHANG | WNOWAIT | __WALL).is_ok()
            };
            self.pidfd = sys::pidfd_open(self.pid).ok().filter(ours);
        }
        self.pidfd.as_ref().map(OwnedFd::as_fd)
    }

    /// Sends `SIGKILL`, through the pidfd when there is one (in the
    /// emulator fallback without a pidfd, the pid could name another process
    /// once someone else reaped ours: a risk only there).
    pub(crate) fn kill(&self) {
        if self.reaped {
            return;
        }
        match &self.pidfd {
            Some(fd) => drop(sys::pidfd_send_signal(fd.as_fd(), SIGKILL)),
            None => drop(sys::kill(self.pid, SIGKILL)),
        }
    }

    /// Waits for it to end and reaps it; `None` if something else reaped it
    /// first (possible only in the emulator fallback).
    pub(crate) fn wait(mut self) -> Result<Option<ExitStatus>> {
        self.reap()
    }

    fn reap(&mut self) -> Result<Option<ExitStatus>> {
        if self.reaped {
            return Ok(None);
        }
        let r = crate::errno::restart(|| sys::waitid(self.pid, WEXITED | __WALL));
        self.reaped = true;
        match r {
            Ok(s) => Ok(Some(decode(s.code, s.status))),
            Err(Errno::ECHILD) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

impl Drop for OwnChild {
    fn drop(&mut self) {
        self.kill();
        let _ = self.reap();
    }
}

/// [`close_all_except`] for at most four descriptors in any order (negative
/// ones ignored): one `close_range` per gap, two for one kept descriptor.
///
/// # Safety
/// As [`close_all_except`].
pub(crate) unsafe fn close_all_but(keep: &[i32]) {
    let mut sorted = [i32::MAX; 4];
    for (slot, &fd) in sorted.iter_mut().zip(keep.iter().filter(|&&fd| fd >= 0)) {
        *slot = fd;
    }
    sorted.sort_unstable();
    let n = sorted.iter().filter(|&&fd| fd != i32::MAX).count();
    // SAFETY: the caller's guarantee.
    unsafe { close_all_except(sorted.get(..n).unwrap_or_default()) };
}

/// Closes every descriptor of the calling process but those in `keep`
/// (ascending, non-negative): `close_range` on the gaps (Linux 5.9+), else
/// the numbers listed in `/proc/self/fd`, else every number below the soft
/// `RLIMIT_NOFILE` (at most 2^20). Async-signal-safe: no allocation, no
/// lock; for a child between fork and exec.
///
/// # Safety
/// Only in a child that will use no descriptor but `keep` before it exits
/// or execs (the owners of the others, copies of the parent's, never run).
pub(crate) unsafe fn close_all_except(keep: &[i32]) {
    let mut first = 0u32;
    for &fd in keep {
        // SAFETY: the caller's guarantee: nothing outside `keep` is used.
        if (fd as u32) > first && unsafe { sys::close_range(first, fd as u32 - 1) } == Err(Errno::ENOSYS) {
            // SAFETY: as above.
            return unsafe { close_listed_except(keep) };
        }
        first = (fd as u32).saturating_add(1);
    }
    // SAFETY: as above.
    if unsafe { sys::close_range(first, u32::MAX) } == Err(Errno::ENOSYS) {
        // SAFETY: as above.
        unsafe { close_listed_except(keep) };
    }
}

/// The fallback of [`close_all_except`]: closes every descriptor listed in
/// `/proc/self/fd` but `keep` (ascending) and the directory's own; without
/// `/proc`, every number below the soft `RLIMIT_NOFILE`.
///
/// # Safety
/// As [`close_all_except`].
unsafe fn close_listed_except(keep: &[i32]) {
    let Ok(dir) = sys::open(c"/proc/self/fd", O_RDONLY | O_DIRECTORY) else {
        let limit = sys::nofile_limit().unwrap_or(1024).min(1 << 20) as i32;
        for fd in (0..limit).filter(|fd| keep.binary_search(fd).is_err()) {
            // SAFETY: the caller's guarantee: `fd` is not used again.
            unsafe { sys::close(fd) };
        }
        return;
    };
    let mut buf = [0u8; 512];
    while let Ok(n @ 1..) = sys::getdents64(dir.as_fd(), &mut buf) {
        for fd in dirent_numbers(buf.get(..n).unwrap_or_default()) {
            if fd != dir.as_raw_fd() && keep.binary_search(&fd).is_err() {
                // SAFETY: the caller's guarantee: `fd` is not used again.
                unsafe { sys::close(fd) };
            }
        }
    }
}

/// The names of `struct linux_dirent64` records that are decimal numbers.
fn dirent_numbers(mut records: &[u8]) -> impl Iterator<Item = i32> + '_ {
    const RECLEN: usize = core::mem::offset_of!(linux_dirent64, d_reclen);
    const NAME: usize = core::mem::offset_of!(linux_dirent64, d_name);
    core::iter::from_fn(move || {
        loop {
            let len = records.get(RECLEN..RECLEN + 2)?;
            let len = usize::from(u16::from_ne_bytes([len[0], len[1]]));
            let rec = records.get(..len).filter(|_| len > NAME)?;
            records = &records[len..];
            let name = rec[NAME..].split(|&b| b == 0).next().unwrap_or_default();
            let mut n: i32 = 0;
            let digits = !name.is_empty()
                && name.iter().all(|&b| {
                    n = n.saturating_mul(10).saturating_add(i32::from(b.wrapping_sub(b'0')));
                    b.is_ascii_digit()
                });
            if digits {
                return Some(n);
            }
        }
    })
}

/// How a child ended.
///
/// # Examples
/// ```
/// let s = rawscm::ExitStatus::Exited(0);
/// assert!(s.success());
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// It exited with this code (0..=255).
    Exited(i32),
    /// A signal killed it.
    Signaled {
        /// The signal number.
        signal: i32,
        /// Whether it dumped core.
        core_dumped: bool,
    },
}

impl ExitStatus {
    /// Exited with code 0.
    ///
    /// # Examples
    /// ```
    /// assert!(!rawscm::ExitStatus::Exited(1).success());
    /// ```
    pub fn success(self) -> bool {
        self == ExitStatus::Exited(0)
    }
}

/// The `ExitStatus` of a `waitid` report (`si_code`, `si_status`).
pub(crate) fn decode(code: i32, status: i32) -> ExitStatus {
    if code == CLD_EXITED as i32 {
        ExitStatus::Exited(status)
    } else {
        ExitStatus::Signaled { signal: status, core_dumped: code == CLD_DUMPED as i32 }
    }
}

/// Waits for child `pid` to end and reaps it. `EINTR` is retried (nothing
/// is lost by waiting again). `ECHILD`: not our child, or already reaped.
///
/// `int waitid(P_PID, pid, &info, WEXITED);`
///
/// # Errors
/// `ECHILD`: not our child, or already reaped.
///
/// # Examples
/// ```
/// use rawscm::{fork, exit_group, waitid, ExitStatus, Fork};
/// // SAFETY: the child only calls exit_group.
/// if let Fork::Parent(pid) = unsafe { fork() }? {
///     assert_eq!(waitid(pid)?, ExitStatus::Exited(3));
/// } else {
///     exit_group(3);
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
pub fn waitid(pid: Pid) -> Result<ExitStatus> {
    let s = crate::errno::restart(|| sys::waitid(pid, WEXITED))?;
    Ok(decode(s.code, s.status))
}

/// Reaps child `pid` if it has ended; `None` if it is still running.
///
/// `int waitid(P_PID, pid, &info, WEXITED | WNOHANG);`
///
/// # Errors
/// `ECHILD`: not our child, or already reaped.
///
/// # Examples
/// ```
/// use rawscm::{fork, exit_group, try_waitid, waitid, Fork};
/// // SAFETY: the child only calls exit_group.
/// if let Fork::Parent(pid) = unsafe { fork() }? {
///     let _maybe = try_waitid(pid)?; // None while it runs
///     # let _ = waitid(pid);
/// } else {
///     exit_group(0);
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
pub fn try_waitid(pid: Pid) -> Result<Option<ExitStatus>> {
    let s = sys::waitid(pid, WEXITED | WNOHANG)?;
    Ok((s.pid != 0).then(|| decode(s.code, s.status)))
}

/// Ends the process (all threads) with `code`.
///
/// `void exit_group(int status);` No destructors run, no buffers are
/// flushed.
///
/// # Examples
/// ```no_run
/// rawscm::exit_group(0);
/// ```
///
/// # References
/// - [exit_group(2)](https://man7.org/linux/man-pages/man2/exit_group.2.html)
pub fn exit_group(code: i32) -> ! {
    sys::exit_group(code)
}

/// Sends signal `signal` to process `pid`.
///
/// `int kill(pid_t pid, int sig);`
///
/// # Errors
/// `ESRCH`: no such process; `EPERM`: not allowed to signal it; `EINVAL`: no such signal.
///
/// # Examples
/// ```
/// // Signal 0 only checks that the process exists.
/// rawscm::kill(rawscm::getpid(), 0)?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [kill(2)](https://man7.org/linux/man-pages/man2/kill.2.html)
pub fn kill(pid: Pid, signal: u32) -> Result<()> {
    Ok(sys::kill(pid, signal)?)
}

/// The calling process's pid.
///
/// `pid_t getpid(void);`
///
/// # Examples
/// ```
/// assert_eq!(rawscm::getpid() as u32, std::process::id());
/// ```
///
/// # References
/// - [getpid(2)](https://man7.org/linux/man-pages/man2/getpid.2.html)
pub fn getpid() -> Pid {
    sys::getpid()
}

/// The real user id.
///
/// `uid_t getuid(void);` (`getuid32` on x86 and arm)
///
/// # Examples
/// ```
/// let _uid = rawscm::getuid();
/// ```
///
/// # References
/// - [getuid(2)](https://man7.org/linux/man-pages/man2/getuid.2.html)
pub fn getuid() -> u32 {
    sys::getuid()
}

/// The real group id.
///
/// `gid_t getgid(void);` (`getgid32` on x86 and arm)
///
/// # Examples
/// ```
/// let _gid = rawscm::getgid();
/// ```
///
/// # References
/// - [getgid(2)](https://man7.org/linux/man-pages/man2/getgid.2.html)
pub fn getgid() -> u32 {
    sys::getgid()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The raw clone path with this architecture's argument order (s390x
    /// takes the stack first), which `fork` does not use where a fork
    /// syscall exists.
    #[test]
    fn clone_in_this_architectures_argument_order_forks() {
        // SAFETY: fork-like flags; the child only exits.
        match unsafe { sys::clone(0, SIGCHLD, false) } {
            Ok((0, _)) => exit_group(7),
            Ok((pid, _)) => assert_eq!(waitid(pid as Pid), Ok(ExitStatus::Exited(7))),
            Err(e) => panic!("clone(SIGCHLD): {e:?}"),
        }
    }

    /// Descriptors 0..1024 open in this process (raw system calls only).
    fn open_fds() -> [bool; 1024] {
        let mut open = [false; 1024];
        for (fd, o) in open.iter_mut().enumerate() {
            // SAFETY: F_GETFD only reads the descriptor's flags.
            *o = unsafe { libc::fcntl(fd as i32, libc::F_GETFD) } >= 0;
        }
        open
    }

    /// Whether SIGTERM and SIGCHLD are blocked in this thread.
    fn signals_blocked() -> bool {
        // SAFETY: an all-zero sigset_t is valid (the empty set) and
        // pthread_sigmask only writes the current mask into it.
        unsafe {
            let mut set: libc::sigset_t = core::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, core::ptr::null(), &mut set) == 0
                && libc::sigismember(&set, libc::SIGTERM) == 1
                && libc::sigismember(&set, libc::SIGCHLD) == 1
        }
    }

    /// A child that ran `isolate` has exactly `keep` open and every signal
    /// that can be blocked blocked; its exit code says what was wrong.
    fn check_isolation(isolate: fn(&[i32])) {
        let (r, w) = sys::socketpair(linux_raw_sys::net::SOCK_STREAM).unwrap();
        let keep = [w.as_raw_fd(), -1, 2];
        // SAFETY: the child only makes system calls and exits.
        match unsafe { sys::fork() } {
            Ok(0) => {
                isolate(&keep);
                let wrong =
                    open_fds().iter().enumerate().any(|(fd, &o)| o != (fd as i32 == keep[0] || fd == 2));
                exit_group(if wrong {
                    1
                } else if !signals_blocked() {
                    2
                } else {
                    0
                })
            }
            Ok(pid) => {
                drop((r, w));
                assert_eq!(waitid(pid as Pid), Ok(ExitStatus::Exited(0)));
            }
            Err(e) => panic!("fork: {e:?}"),
        }
    }

    /// What the init-pid lookup's helpers do first: block every signal (no
    /// handler of the program runs in them; SIGKILL still ends them), then
    /// close every descriptor but their socket.
    #[test]
    fn an_isolated_child_holds_only_what_it_keeps() {
        check_isolation(|keep| {
            let _ = sys::block_all_signals();
            // SAFETY: runs in the test's child, which uses nothing else.
            unsafe { close_all_but(keep) };
        });
    }

    #[test]
    fn the_proc_fallback_of_isolation_closes_the_same() {
        check_isolation(|keep| {
            let _ = sys::block_all_signals();
            let mut sorted = [keep[0], keep[2]];
            sorted.sort_unstable();
            // SAFETY: runs in the test's child, which uses nothing else.
            unsafe { close_listed_except(&sorted) };
        });
    }

    #[test]
    fn dirent_numbers_reads_only_whole_decimal_records() {
        fn record(name: &[u8]) -> std::vec::Vec<u8> {
            const NAME: usize = core::mem::offset_of!(linux_dirent64, d_name);
            let len = (NAME + name.len() + 1 + 7) & !7;
            let mut r = std::vec![0u8; len];
            let at = core::mem::offset_of!(linux_dirent64, d_reclen);
            r[at..at + 2].copy_from_slice(&(len as u16).to_ne_bytes());
            r[NAME..NAME + name.len()].copy_from_slice(name);
            r
        }
        let mut all = std::vec::Vec::new();
        for name in [&b"."[..], b"..", b"0", b"17", b"x1", b"2147483647"] {
            all.extend(record(name));
        }
        let got: std::vec::Vec<i32> = dirent_numbers(&all).collect();
        assert_eq!(got, [0, 17, 2147483647]);
        // A record length past the end or shorter than a header ends it.
        let mut bad = record(b"5");
        bad[core::mem::offset_of!(linux_dirent64, d_reclen)] = 0xff;
        assert_eq!(dirent_numbers(&bad).count(), 0);
        assert_eq!(dirent_numbers(&all[..all.len() - 1]).count(), 2);
        assert_eq!(dirent_numbers(&[]).count(), 0);
    }
}
