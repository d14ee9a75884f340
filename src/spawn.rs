//! Starting a program with chosen descriptors in place, held by a pidfd:
//! [`spawn`].
//!
//! What the child gets, in this order, before `execve`:
//! 1. the descriptor map: each target number refers to what its source
//!    referred to *in the parent*, all at once (so a map may swap 3 and 4,
//!    or move 4 to 3 and 3 to 5), with close-on-exec cleared on the
//!    targets;
//! 2. every other descriptor closed (`close_range`, Linux 5.9+; before
//!    that, those listed in `/proc/self/fd`; without `/proc`, every number
//!    below `RLIMIT_NOFILE`), except 0, 1 and 2 when
//!    [`inherit_stdio`](SpawnOptions::inherit_stdio) is on (the default) and
//!    the map does not replace them;
//! 3. a new session or process group, if asked for;
//! 4. every signal's disposition back to the default (an ignored signal
//!    would stay ignored across exec; a handler would not survive it, but
//!    must not run in the child before it either), then the signal mask
//!    chosen ([`signal_mask`](SpawnOptions::signal_mask); empty by default);
//! 5. the environment, with `NAME=<its own pid>` added if
//!    [`pid_env`](SpawnOptions::pid_env) names a variable (socket
//!    activation's `LISTEN_PID`, which only the child can know before exec).
//!
//! The parent blocks every signal around the fork (as glibc's
//! `posix_spawn` does), so no handler of the program runs in the child
//! before step 4. It then waits until the child has exec'd or failed: a
//! failure at any step comes back as its errno through a close-on-exec
//! pipe (which exec closes, as Rust's `std::process::Command` does), the
//! child is reaped, and nothing is left open.
//!
//! Nothing is allocated: the argument and environment arrays are
//! [`CStrArray`]s the caller builds before the call; the child works on
//! the stack.

use crate::errno::{Errno, restart};
use crate::error::{Error, FdMapProblem, Malformed, Result};
use crate::exec::CStrArray;
use crate::fd::{AsFd, BorrowedFd};
use crate::pidfd::{Pidfd, fork_pidfd};
use crate::process::{Pid, close_all_except};
use crate::signal::SigSet;
use crate::sys;
use core::ffi::CStr;
use linux_raw_sys::general::{
    _NSIG, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, O_CLOEXEC, SIG_SETMASK, SIGKILL, SIGSTOP,
};

/// The most entries a descriptor map may have.
///
/// # Examples
/// ```
/// assert!(rawscm::spawn::MAX_FD_MAP >= 64);
/// ```
pub const MAX_FD_MAP: usize = 64;

/// The longest name [`SpawnOptions::pid_env`] accepts.
const MAX_PID_ENV_NAME: usize = 64;

/// Session and process group of the child.
///
/// # Examples
/// ```
/// assert_eq!(rawscm::spawn::Session::default(), rawscm::spawn::Session::Inherit);
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Session {
    /// The parent's session and process group.
    #[default]
    Inherit,
    /// A new session and process group led by the child, with no
    /// controlling terminal (`setsid()`), as a daemon or service gets.
    New,
    /// The process group `pgid` of the parent's session (`setpgid(0,
    /// pgid)`); 0 makes a new group led by the child.
    ProcessGroup(Pid),
}

/// How [`spawn`] sets up the child. The default: no descriptors mapped,
/// 0, 1 and 2 inherited, the parent's session, every signal's default
/// disposition, an empty signal mask, the environment as given.
///
/// # Examples
/// ```
/// use rawscm::spawn::{Session, SpawnOptions};
/// use rawscm::AsFd;
/// let (sock, _peer) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// let map = [(sock.as_fd(), 3)];
/// let opts = SpawnOptions::new().fds(&map).session(Session::New).pid_env(c"LISTEN_PID");
/// # let _ = opts;
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct SpawnOptions<'a> {
    fds: &'a [(BorrowedFd<'a>, i32)],
    inherit_stdio: bool,
    session: Session,
    pid_env: Option<&'a CStr>,
    signal_mask: SigSet,
}

impl Default for SpawnOptions<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> SpawnOptions<'a> {
    /// The defaults (see [`SpawnOptions`]).
    ///
    /// # Examples
    /// ```
    /// let _opts = rawscm::spawn::SpawnOptions::new();
    /// ```
    pub const fn new() -> Self {
        SpawnOptions {
            fds: &[],
            inherit_stdio: true,
            session: Session::Inherit,
            pid_env: None,
            signal_mask: SigSet::empty(),
        }
    }

    /// The descriptor map: `(source, target)` pairs. In the child, each
    /// `target` refers to what `source` refers to in the parent when
    /// [`spawn`] is called, not close-on-exec. At most [`MAX_FD_MAP`]
    /// entries, each target at most once, no negative target; a source may
    /// appear more than once and may be another entry's target.
    ///
    /// # Examples
    /// ```
    /// use rawscm::AsFd;
    /// let (a, b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
    /// // a at 4 and b at 3 in the child, whatever their numbers here.
    /// let map = [(a.as_fd(), 4), (b.as_fd(), 3)];
    /// let _opts = rawscm::spawn::SpawnOptions::new().fds(&map);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    #[must_use]
    pub const fn fds(mut self, map: &'a [(BorrowedFd<'a>, i32)]) -> Self {
        self.fds = map;
        self
    }

    /// Whether descriptors 0, 1 and 2 stay as they are in the child when the
    /// map does not replace them (default: yes). Off, the child holds
    /// exactly the map's targets.
    ///
    /// # Examples
    /// ```
    /// let _opts = rawscm::spawn::SpawnOptions::new().inherit_stdio(false);
    /// ```
    #[must_use]
    pub const fn inherit_stdio(mut self, inherit: bool) -> Self {
        self.inherit_stdio = inherit;
        self
    }

    /// The child's session and process group.
    ///
    /// # Examples
    /// ```
    /// let _opts = rawscm::spawn::SpawnOptions::new().session(rawscm::spawn::Session::New);
    /// ```
    #[must_use]
    pub const fn session(mut self, session: Session) -> Self {
        self.session = session;
        self
    }

    /// Adds `NAME=<pid>` to the child's environment, with the child's own
    /// pid as it sees it, replacing any `NAME=` the environment has: for
    /// socket activation's `LISTEN_PID`, which must equal the pid of the
    /// program that finds the descriptors. The name: 1 to 64 bytes, no `=`.
    /// The environment array needs room for one more string.
    ///
    /// # Examples
    /// ```
    /// let _opts = rawscm::spawn::SpawnOptions::new().pid_env(c"LISTEN_PID");
    /// ```
    #[must_use]
    pub const fn pid_env(mut self, name: &'a CStr) -> Self {
        self.pid_env = Some(name);
        self
    }

    /// The child's signal mask (default: empty, nothing blocked).
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal};
    /// let _opts = rawscm::spawn::SpawnOptions::new().signal_mask(SigSet::empty().with(Signal::HUP));
    /// ```
    #[must_use]
    pub const fn signal_mask(mut self, mask: SigSet) -> Self {
        self.signal_mask = mask;
        self
    }
}

/// A started program: its pid and a pidfd for it. Dropping it closes the
/// pidfd and leaves the process alone (it must still be reaped, through
/// [`Pidfd::wait`] or a `waitid` on its pid, or it stays a zombie until
/// the parent exits).
///
/// # Examples
/// ```
/// use rawscm::spawn::{spawn, SpawnOptions};
/// use rawscm::{CStrArray, ExitStatus};
/// let argv = CStrArray::<4>::from_slice(&[c"sh", c"-c", c"exit 4"])?;
/// let child = spawn(c"/bin/sh", &argv, &CStrArray::<1>::new(), &SpawnOptions::new())?;
/// assert!(child.pid > 0);
/// assert_eq!(child.pidfd.wait()?, ExitStatus::Exited(4));
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Debug)]
pub struct Spawned {
    /// The child's pid (in the caller's pid namespace).
    pub pid: Pid,
    /// A pidfd for the child.
    pub pidfd: Pidfd,
}

/// Starts the program at `path` with `argv` and `envp` in a new child
/// process set up as `options` says (see the [module docs](self)), and
/// returns once it has exec'd.
///
/// `clone3(CLONE_PIDFD)` (or its fallbacks: see
/// [`fork_with_pidfd`](crate::pidfd::fork_with_pidfd)) with every signal
/// blocked in the calling thread; in the child `fcntl(F_DUPFD_CLOEXEC)`,
/// `dup3`, `close_range`, `setsid`/`setpgid`, `rt_sigaction`,
/// `rt_sigprocmask`, `execve`; in the parent a `read` of the child's
/// close-on-exec error pipe.
///
/// `path` is used as given (no `PATH` search). Safe to call from a
/// multi-threaded program: the child runs only system calls of this crate
/// until it execs.
///
/// # Errors
/// Before anything is forked: [`Error::FdMap`] for a map that is too long,
/// has a negative or duplicate target, or a source that is not open;
/// [`Error::Malformed`]`(`[`Malformed::Name`]`)` for a bad
/// [`pid_env`](SpawnOptions::pid_env) name, [`Error::ArrayFull`] if `envp`
/// has no room for it; `EMFILE` (no descriptor for the error pipe).
/// From the fork: `EAGAIN`, `ENOMEM`, `ENOSYS` (see `fork_with_pidfd`).
/// From the child, as reported through the pipe, after which it has been
/// reaped: the exec's errno (`ENOENT`: no such file, or a script's
/// interpreter or an ELF's loader is missing; `EACCES`: not executable,
/// or a directory; `ENOEXEC`: not a format the kernel runs; `E2BIG`), or
/// that of a setup step (`EBADF`: a target at or above `RLIMIT_NOFILE`;
/// `EINVAL`/`EPERM` from `setpgid`).
///
/// # Examples
/// ```
/// use rawscm::spawn::{spawn, SpawnOptions};
/// use rawscm::{AsFd, CStrArray, Errno, ExitStatus};
/// let (ours, theirs) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// // The child writes to its descriptor 3, which is `theirs`.
/// let argv = CStrArray::<4>::from_slice(&[c"sh", c"-c", c"echo hi >&3"])?;
/// let map = [(theirs.as_fd(), 3)];
/// let child = spawn(c"/bin/sh", &argv, &CStrArray::<1>::new(), &SpawnOptions::new().fds(&map))?;
/// drop(theirs);
/// assert_eq!(child.pidfd.wait()?, ExitStatus::Exited(0));
/// let mut buf = [0u8; 8];
/// let n = rawscm::fs::read(&ours, &mut buf)?;
/// assert_eq!(&buf[..n], b"hi\n");
///
/// // A failed exec is an error, with nothing left behind.
/// let err = spawn(c"/nonexistent", &argv, &CStrArray::<1>::new(), &SpawnOptions::new());
/// assert_eq!(err.unwrap_err().errno(), Some(Errno::ENOENT));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [clone(2)](https://man7.org/linux/man-pages/man2/clone.2.html) (`clone3`, `CLONE_PIDFD`)
/// - [execve(2)](https://man7.org/linux/man-pages/man2/execve.2.html)
/// - [dup(2)](https://man7.org/linux/man-pages/man2/dup.2.html), [close_range(2)](https://man7.org/linux/man-pages/man2/close_range.2.html)
/// - [setsid(2)](https://man7.org/linux/man-pages/man2/setsid.2.html), [setpgid(2)](https://man7.org/linux/man-pages/man2/setpgid.2.html)
/// - [sigaction(2)](https://man7.org/linux/man-pages/man2/sigaction.2.html), [sigprocmask(2)](https://man7.org/linux/man-pages/man2/sigprocmask.2.html)
/// - [posix_spawn(3)](https://man7.org/linux/man-pages/man3/posix_spawn.3.html) (the same job in libc)
pub fn spawn<const A: usize, const E: usize>(
    path: &CStr,
    argv: &CStrArray<'_, A>,
    envp: &CStrArray<'_, E>,
    options: &SpawnOptions<'_>,
) -> Result<Spawned> {
    let plan = Plan::new(options.fds, options.inherit_stdio)?;
    if let Some(name) = options.pid_env {
        check_pid_env(name, envp)?;
    }
    let (report_r, report_w) = sys::pipe2(O_CLOEXEC)?;
    // No handler of ours may run in the child: block everything around the
    // fork; the child resets dispositions before it sets its own mask.
    let old_mask = sys::sigprocmask(SIG_SETMASK, Some(SigSet::full().raw()))?;
    // SAFETY: the child runs `child`, which makes only system calls of this
    // crate, on its stack, until it execs or exits.
    let forked = unsafe { fork_pidfd() };
    if let Ok(None) = forked {
        child(&plan, report_w.as_raw_fd(), options, path, argv, envp);
    }
    let _ = sys::sigprocmask(SIG_SETMASK, Some(&old_mask));
    let (pid, pidfd) = forked?.ok_or(Error::Protocol)?;
    drop(report_w);
    // Until exec closes the child's end: a 4-byte errno, or nothing.
    let mut code = [0u8; 4];
    let mut got = 0;
    while let Some(rest) = code.get_mut(got..).filter(|r| !r.is_empty()) {
        match restart(|| sys::read(report_r.as_fd(), rest)) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    match got {
        0 => Ok(Spawned { pid, pidfd }),
        _ => {
            // It exits right after reporting; a short report (impossible:
            // pipe writes of 4 bytes are atomic) gets it killed first.
            if got != code.len() {
                let _ = pidfd.send_signal(crate::signal::Signal::KILL);
            }
            let _ = pidfd.wait();
            Err(match i32::from_ne_bytes(code) {
                e if got == code.len() && e > 0 => Errno::from_raw(e).into(),
                _ => Error::Protocol,
            })
        }
    }
}

/// `name` is a usable variable name and `envp` has room for `name=pid`.
fn check_pid_env<const E: usize>(name: &CStr, envp: &CStrArray<'_, E>) -> Result<()> {
    let bytes = name.to_bytes();
    if bytes.is_empty() || bytes.len() > MAX_PID_ENV_NAME || bytes.contains(&b'=') {
        return Err(Error::Malformed(Malformed::Name));
    }
    let replaced = envp.iter().filter(|v| is_var(v, bytes)).count();
    if envp.len() - replaced >= envp.capacity() {
        return Err(Error::ArrayFull { capacity: envp.capacity() });
    }
    Ok(())
}

/// Whether `var` is `name=...`.
fn is_var(var: &CStr, name: &[u8]) -> bool {
    var.to_bytes().strip_prefix(name).is_some_and(|rest| rest.first() == Some(&b'='))
}

/// The descriptor map as raw numbers, checked, and what the child keeps.
struct Plan {
    /// (source, target) pairs; the first `len` are used.
    map: [(i32, i32); MAX_FD_MAP],
    len: usize,
    /// The descriptors to keep (targets, and 0-2 when inherited),
    /// ascending; the first `keep_len` are used.
    keep: [i32; MAX_FD_MAP + 3],
    keep_len: usize,
}

impl Plan {
    fn new(fds: &[(BorrowedFd<'_>, i32)], inherit_stdio: bool) -> Result<Plan> {
        if fds.len() > MAX_FD_MAP {
            return Err(Error::FdMap { entry: MAX_FD_MAP, problem: FdMapProblem::TooMany });
        }
        let mut plan = Plan { map: [(-1, -1); MAX_FD_MAP], len: 0, keep: [-1; MAX_FD_MAP + 3], keep_len: 0 };
        for (entry, &(source, target)) in fds.iter().enumerate() {
            let problem = if target < 0 {
                Some(FdMapProblem::NegativeTarget)
            } else if fds.get(..entry).unwrap_or_default().iter().any(|&(_, t)| t == target) {
                Some(FdMapProblem::DuplicateTarget)
            } else if sys::fcntl_int(source.as_raw_fd(), F_GETFD, 0).is_err() {
                Some(FdMapProblem::SourceNotOpen)
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(Error::FdMap { entry, problem });
            }
            plan.map[entry] = (source.as_raw_fd(), target);
            plan.keep[entry] = target;
        }
        plan.len = fds.len();
        let mut keep_len = plan.len;
        if inherit_stdio {
            for fd in 0..3 {
                if !plan.keep[..keep_len].contains(&fd) {
                    plan.keep[keep_len] = fd;
                    keep_len += 1;
                }
            }
        }
        plan.keep_len = keep_len;
        plan.keep[..keep_len].sort_unstable();
        Ok(plan)
    }

    /// The descriptors the child keeps, ascending.
    fn keep(&self) -> &[i32] {
        self.keep.get(..self.keep_len).unwrap_or_default()
    }
}

/// Sends `code` (an errno) to the parent; best effort.
fn report(pipe: i32, e: Errno) {
    // SAFETY: `pipe` is the child's report pipe, which the child keeps open
    // (moved above the map's targets if need be) until exec.
    let _ = unsafe { sys::write_raw(pipe, &e.raw().to_ne_bytes()) };
}

/// In the child: set up as the plan and options say and exec; on any
/// failure, report the errno and exit 127. Raw system calls only (the
/// parent may be multi-threaded), on the stack.
fn child<const A: usize, const E: usize>(
    plan: &Plan,
    report_fd: i32,
    options: &SpawnOptions<'_>,
    path: &CStr,
    argv: &CStrArray<'_, A>,
    envp: &CStrArray<'_, E>,
) -> ! {
    let mut report_fd = report_fd;
    let e = match setup(plan, &mut report_fd, options) {
        Err(e) => e,
        Ok(()) => {
            let e = match options.pid_env {
                // SAFETY: a CStrArray is a NULL-terminated array of
                // pointers to NUL-terminated strings it borrows.
                None => unsafe { sys::execve(path, argv.as_ptr(), envp.as_ptr()) },
                Some(name) => exec_with_pid_env(path, argv, envp, name),
            };
            e.err().unwrap_or(Errno::EINVAL)
        }
    };
    report(report_fd, e);
    sys::exit_group(127)
}

/// Steps 1-4 of the module docs, in the child.
fn setup(plan: &Plan, report_fd: &mut i32, options: &SpawnOptions<'_>) -> core::result::Result<(), Errno> {
    let map = plan.map.get(..plan.len).unwrap_or_default();
    let kept = plan.keep();
    // Numbers above every target are never overwritten: move what must
    // survive there first.
    let high = map.iter().map(|&(_, t)| t).max().unwrap_or(2).max(2).saturating_add(1) as usize;
    if kept.binary_search(report_fd).is_ok() {
        *report_fd = sys::fcntl_int(*report_fd, F_DUPFD_CLOEXEC, high)? as i32;
    }
    let mut sources = [-1i32; MAX_FD_MAP];
    for (slot, &(source, target)) in sources.iter_mut().zip(map) {
        *slot = if source != target && map.iter().any(|&(_, t)| t == source) {
            sys::fcntl_int(source, F_DUPFD_CLOEXEC, high)? as i32
        } else {
            source
        };
    }
    for (&source, &(_, target)) in sources.iter().zip(map) {
        if source == target {
            sys::fcntl_int(target, F_SETFD, 0)?;
        } else {
            // SAFETY: in the child before exec: the program's owners of
            // `target` never run again, and `source` stays open.
            unsafe { sys::dup3_raw(source, target, 0) }?;
        }
    }
    // Everything else goes, but the report pipe (close-on-exec) until exec.
    let mut keep = [-1i32; MAX_FD_MAP + 4];
    let mut n = 0;
    for &fd in kept.iter().chain(core::iter::once(&*report_fd)) {
        if let Some(slot) = keep.get_mut(n) {
            *slot = fd;
            n += 1;
        }
    }
    let keep = keep.get_mut(..n).unwrap_or_default();
    keep.sort_unstable();
    // SAFETY: in the child, which uses nothing but `keep` until exec.
    unsafe { close_all_except(keep) };
    match options.session {
        Session::Inherit => {}
        Session::New => sys::setsid()?,
        Session::ProcessGroup(pgid) => sys::setpgid(0, pgid)?,
    }
    for sig in (1..=_NSIG).filter(|&s| s != SIGKILL && s != SIGSTOP) {
        // Best effort: an emulator may refuse the signals it keeps.
        // SAFETY: in the child, about to exec: no handler is needed again.
        let _ = unsafe { sys::set_default_action(sig) };
    }
    sys::sigprocmask(SIG_SETMASK, Some(options.signal_mask.raw()))?;
    Ok(())
}

/// Exec with `name=<our pid>` in place of any `name=` of `envp`.
fn exec_with_pid_env<const A: usize, const E: usize>(
    path: &CStr,
    argv: &CStrArray<'_, A>,
    envp: &CStrArray<'_, E>,
    name: &CStr,
) -> sys::SysResult<()> {
    let mut var = [0u8; MAX_PID_ENV_NAME + 1 + 10 + 1];
    let mut digits = [0u8; 10];
    let mut len = 0;
    for part in [name.to_bytes(), b"=", crate::text::decimal(sys::getpid() as u32, &mut digits), b"\0"] {
        let dst = var.get_mut(len..len + part.len()).ok_or(Errno::E2BIG)?;
        dst.copy_from_slice(part);
        len += part.len();
    }
    let var = CStr::from_bytes_until_nul(&var).map_err(|_| Errno::EINVAL)?;
    let mut env = CStrArray::<'_, E>::new();
    for v in envp.iter().filter(|v| !is_var(v, name.to_bytes())) {
        env.push(v).map_err(|_| Errno::E2BIG)?;
    }
    env.push(var).map_err(|_| Errno::E2BIG)?;
    // SAFETY: CStrArrays: NULL-terminated arrays of pointers to strings
    // that live through the call (`var` on this stack).
    unsafe { sys::execve(path, argv.as_ptr(), env.as_ptr()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_match_whole_names_only() {
        assert!(is_var(c"LISTEN_PID=1", b"LISTEN_PID"));
        assert!(is_var(c"LISTEN_PID=", b"LISTEN_PID"));
        assert!(!is_var(c"LISTEN_PIDS=1", b"LISTEN_PID"));
        assert!(!is_var(c"LISTEN_PID", b"LISTEN_PID"));
        assert!(!is_var(c"X=LISTEN_PID=1", b"LISTEN_PID"));
    }

    #[test]
    fn pid_env_needs_a_name_and_room() {
        let full = CStrArray::<2>::from_slice(&[c"A=1"]).unwrap();
        assert_eq!(check_pid_env(c"", &full), Err(Error::Malformed(Malformed::Name)));
        assert_eq!(check_pid_env(c"A=B", &full), Err(Error::Malformed(Malformed::Name)));
        assert_eq!(check_pid_env(c"B", &full), Err(Error::ArrayFull { capacity: 1 }));
        // Replacing an existing A= needs no room.
        assert_eq!(check_pid_env(c"A", &full), Ok(()));
        let long = [b'N'; MAX_PID_ENV_NAME + 1];
        let mut with_nul = [0u8; MAX_PID_ENV_NAME + 2];
        with_nul[..long.len()].copy_from_slice(&long);
        let name = CStr::from_bytes_until_nul(&with_nul).unwrap();
        assert_eq!(check_pid_env(name, &CStrArray::<4>::new()), Err(Error::Malformed(Malformed::Name)));
    }
}
