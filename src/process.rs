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

use crate::{sys, Result};
use linux_raw_sys::general::{CLD_DUMPED, CLD_EXITED, CLONE_NEWPID, WEXITED, WNOHANG};

/// A process id. 0 and negative values have their usual special meanings
/// where a function documents them.
///
/// ```
/// let me: rawscm::Pid = rawscm::getpid();
/// assert!(me > 0);
/// ```
pub type Pid = i32;

/// Which side of a fork this is.
///
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
    Ok(match sys::fork()? {
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
    Ok(match sys::clone(CLONE_NEWPID)? {
        0 => Fork::Child,
        pid => Fork::Parent(pid as Pid),
    })
}

/// Runs `child` in a forked child, which then exits with its return value;
/// returns the child's pid. For this crate's own children, whose code is
/// async-signal-safe.
pub(crate) fn fork_child(child: impl FnOnce() -> i32) -> Result<Pid> {
    match sys::fork()? {
        0 => exit_group(child()),
        pid => Ok(pid as Pid),
    }
}

/// How a child ended.
///
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
    /// ```
    /// assert!(!rawscm::ExitStatus::Exited(1).success());
    /// ```
    pub fn success(self) -> bool {
        self == ExitStatus::Exited(0)
    }
}

fn decode(code: i32, status: i32) -> ExitStatus {
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
    let s = sys::restart(|| sys::waitid(pid, WEXITED))?;
    Ok(decode(s.code, s.status))
}

/// Reaps child `pid` if it has ended; `None` if it is still running.
///
/// `int waitid(P_PID, pid, &info, WEXITED | WNOHANG);`
///
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
        match sys::clone(0) {
            Ok(0) => exit_group(7),
            Ok(pid) => assert_eq!(waitid(pid as Pid), Ok(ExitStatus::Exited(7))),
            Err(e) => panic!("clone(SIGCHLD): {e:?}"),
        }
    }
}
