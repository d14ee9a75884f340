//! Children held by pidfd: fork_with_pidfd (and its fallbacks), signals and
//! waits through the pidfd, pid reuse, pidfd_getfd, the fdinfo pid and the
//! race-free init-pid lookup.
mod common;

use core::time::Duration;
use rawscm::pidfd::{ForkPidfd, Pidfd, fork_with_pidfd};
use rawscm::pidns::{Method, init_pid_of_pidfd};
use rawscm::signal::{MaskHow, SigSet, Signal, SignalFd, sigprocmask};
use rawscm::{
    AsFd, Deadline, Errno, Error, ExitStatus, OwnedFd, Pid, SocketFlags, SocketType, exit_group, getpid,
    kill, poll, recv_fds, send_fds, socketpair, wait_readable_for,
};

const LONG: Duration = Duration::from_secs(20);

/// Forks a child (by pidfd) that runs `child` and exits with its result.
fn spawn_child(child: impl FnOnce() -> i32) -> (Pid, Pidfd) {
    // SAFETY: the callers' closures only make raw system calls.
    match unsafe { fork_with_pidfd() }.expect("fork_with_pidfd") {
        ForkPidfd::Child => exit_group(child()),
        ForkPidfd::Parent { pid, pidfd } => (pid, pidfd),
    }
}

/// In a child: closes its copy of the parent's end `keep` (fork copied
/// it), then blocks until the parent sends on `keep` or closes it.
fn hold(keep: &OwnedFd, theirs: &OwnedFd) {
    unsafe { libc::close(keep.as_raw_fd()) };
    let _ = recv_fds::<0>(theirs, &mut [0u8; 1]);
}

#[test]
fn waitid_by_pidfd_decodes_exit_codes_and_signals() {
    let _g = common::serial();
    for code in [0, 1, 77, 255] {
        let (pid, pidfd) = spawn_child(|| code);
        assert!(pid > 0);
        assert_eq!(pidfd.wait(), Ok(ExitStatus::Exited(code)));
        // Reaped: a second wait finds no child.
        assert_eq!(pidfd.wait(), Err(Error::Os(Errno::ECHILD)));
    }
    for sig in [Signal::TERM, Signal::KILL, Signal::USR1] {
        let (keep, theirs) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
        let (_, pidfd) = spawn_child(|| {
            hold(&keep, &theirs);
            0
        });
        assert_eq!(pidfd.try_wait(), Ok(None), "still running");
        pidfd.send_signal(sig).unwrap();
        assert_eq!(pidfd.wait(), Ok(ExitStatus::Signaled { signal: sig.number(), core_dumped: false }));
        drop(keep);
    }
}

#[test]
fn a_signal_sent_by_pidfd_reaches_that_process_only() {
    let _g = common::serial();
    // Two children that each read SIGUSR1 from a signalfd and report who
    // sent it; only the one whose pidfd is used may answer.
    let (a_report, a_theirs) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
    let (b_report, b_theirs) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
    let usr1 = SigSet::empty().with(Signal::USR1);
    let old = sigprocmask(MaskHow::Block, &usr1).unwrap(); // inherited by the children
    let child = |report: &OwnedFd| {
        let Ok(sfd) = SignalFd::new(&usr1) else { return 10 };
        let _ = send_fds(report, b"r", &[]); // ready: blocked and listening
        if wait_readable_for(&sfd, LONG).is_err() {
            return 11;
        }
        match sfd.read() {
            Ok(Some(info)) if info.signal == Signal::USR1 => {
                let _ = send_fds(report, &info.pid.to_ne_bytes(), &[]);
                0
            }
            _ => 12,
        }
    };
    let (_, a) = spawn_child(|| child(&a_theirs));
    let (_, b) = spawn_child(|| child(&b_theirs));
    sigprocmask(MaskHow::Set, &old).unwrap();
    let mut buf = [0u8; 4];
    for report in [&a_report, &b_report] {
        wait_readable_for(report, LONG).unwrap();
        assert_eq!(recv_fds::<0>(report, &mut buf).unwrap().0, 1, "ready byte");
    }
    b.send_signal(Signal::USR1).unwrap();
    assert_eq!(b.wait(), Ok(ExitStatus::Exited(0)));
    wait_readable_for(&b_report, LONG).unwrap();
    assert_eq!(recv_fds::<0>(&b_report, &mut buf).unwrap().0, 4);
    assert_eq!(Pid::from_ne_bytes(buf), getpid(), "the sender the child saw");
    // The other child heard nothing and still waits.
    assert_eq!(a.try_wait(), Ok(None));
    assert!(wait_readable_for(&a_report, Duration::from_millis(50)).is_err());
    a.send_signal(Signal::KILL).unwrap();
    assert_eq!(a.wait(), Ok(ExitStatus::Signaled { signal: Signal::KILL.number(), core_dumped: false }));
}

#[test]
fn a_pidfd_becomes_readable_when_its_process_ends() {
    let _g = common::serial();
    let (keep, theirs) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    let (_, pidfd) = spawn_child(|| {
        hold(&keep, &theirs);
        3
    });
    let soon = Deadline::after(Duration::from_millis(30));
    assert_eq!(poll([Some(pidfd.as_fd()), Some(keep.as_fd())], soon), Err(Error::Timeout));
    send_fds(&keep, b"x", &[]).unwrap(); // let it go
    let ready = poll([Some(keep.as_fd()), None, Some(pidfd.as_fd())], Deadline::after(LONG)).unwrap();
    assert!(ready[2], "pidfd readable once the child exited: {ready:?}");
    assert_eq!(pidfd.try_wait(), Ok(Some(ExitStatus::Exited(3))));
}

#[test]
fn a_pidfd_of_an_exited_process_says_so_at_each_stage() {
    let _g = common::serial();
    let (pid, pidfd) = spawn_child(|| 0);
    wait_readable_for(&pidfd, LONG).unwrap();
    // A zombie: it exists, takes signals (which do nothing), has its pid.
    assert_eq!(pidfd.exists(), Ok(true));
    assert_eq!(pidfd.send_signal(Signal::TERM), Ok(()));
    assert_eq!(pidfd.pid(), Ok(pid));
    assert_eq!(pidfd.wait(), Ok(ExitStatus::Exited(0)));
    // Reaped: every call says so, none reaches anything else.
    assert_eq!(pidfd.exists(), Ok(false));
    assert_eq!(pidfd.send_signal(Signal::KILL), Err(Error::Os(Errno::ESRCH)));
    assert_eq!(pidfd.wait(), Err(Error::Os(Errno::ECHILD)));
    assert_eq!(pidfd.try_wait(), Err(Error::Os(Errno::ECHILD)));
    assert_eq!(pidfd.pid(), Err(Error::Os(Errno::ESRCH)));
    assert_eq!(pidfd.get_fd(0).unwrap_err(), Error::Os(Errno::ESRCH));
    // Opening a pidfd for a pid that does not exist, or for no pid.
    assert_eq!(Pidfd::open(0).unwrap_err(), Error::Os(Errno::EINVAL));
    assert_eq!(Pidfd::open(-5).unwrap_err(), Error::Os(Errno::EINVAL));
}

#[test]
fn a_pidfd_that_is_not_ours_cannot_be_waited_for() {
    let _g = common::serial();
    let me = Pidfd::open(getpid()).unwrap();
    assert_eq!(me.try_wait(), Err(Error::Os(Errno::ECHILD)));
    assert_eq!(me.pid(), Ok(getpid()));
    // Not a pidfd at all.
    let (a, _b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    let fake = Pidfd::from_fd(a);
    assert!(matches!(fake.exists(), Err(Error::Os(Errno::EBADF | Errno::EINVAL))), "{:?}", fake.exists());
    assert_eq!(fake.pid(), Err(Error::Os(Errno::EINVAL)));
}

/// The pid namespace experiment, in a child that is pid 1 of a new pid
/// namespace: fork X (pid 2 there), reap it, set `ns_last_pid` to 1 so that
/// the next fork reuses 2, fork Y, then use X's pidfd. Returns 0 if X's
/// pidfd reached nothing, else the number of the failed check.
fn reuse_experiment() -> i32 {
    // X: exits at once. Its pidfd is kept.
    // SAFETY: the child only calls exit_group.
    let (x_pid, x) = match unsafe { fork_with_pidfd() } {
        Ok(ForkPidfd::Child) => exit_group(0),
        Ok(ForkPidfd::Parent { pid, pidfd }) => (pid, pidfd),
        Err(_) => return 20,
    };
    if x.wait() != Ok(ExitStatus::Exited(0)) {
        return 21;
    }
    // The next pid in this namespace is x_pid again. (No format!: no
    // allocation after a fork of the threaded test process.)
    let mut digits = [0u8; 12];
    let mut at = digits.len();
    let mut n = x_pid - 1;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let last = &digits[at..];
    let fd = unsafe { libc::open(c"/proc/sys/kernel/ns_last_pid".as_ptr(), libc::O_WRONLY) };
    if fd < 0 || unsafe { libc::write(fd, last.as_ptr().cast(), last.len()) } != last.len() as isize {
        return 22;
    }
    unsafe { libc::close(fd) };
    let Ok((keep, theirs)) = socketpair(SocketType::Stream, SocketFlags::default()) else { return 23 };
    // SAFETY: the child only waits in a system call, then exits.
    let (y_pid, y) = match unsafe { fork_with_pidfd() } {
        Ok(ForkPidfd::Child) => {
            hold(&keep, &theirs);
            exit_group(0)
        }
        Ok(ForkPidfd::Parent { pid, pidfd }) => (pid, pidfd),
        Err(_) => return 24,
    };
    drop(theirs);
    let mut failed = 0;
    if y_pid != x_pid {
        failed = 25; // the number was not reused: the test proves nothing
    } else if kill(x_pid, 0) != Ok(()) {
        failed = 26; // the number names a live process (Y)
    } else if x.send_signal(Signal::KILL) != Err(Error::Os(Errno::ESRCH)) {
        failed = 27; // X's pidfd must not reach Y
    } else if x.wait() != Err(Error::Os(Errno::ECHILD)) {
        failed = 28; // nor wait for it
    } else if x.try_wait() != Err(Error::Os(Errno::ECHILD)) {
        failed = 29;
    } else if x.exists() != Ok(false) {
        failed = 30;
    } else if y.try_wait() != Ok(None) {
        failed = 31; // Y untouched by all of that
    }
    drop(keep); // Y ends
    if y.wait() != Ok(ExitStatus::Exited(0)) && failed == 0 {
        failed = 32;
    }
    failed
}

#[test]
fn a_reaped_childs_pidfd_cannot_reach_a_process_that_reused_its_pid() {
    let Some(_g) = common::serial_as_root() else { return };
    let qemu = common::under_qemu();
    let (status, _) = common::run_in_child(LONG, || {
        // SAFETY: the child only makes system calls (and formats a number).
        match unsafe { common::fork_pid1(qemu) } {
            Ok(rawscm::Fork::Child) => exit_group(reuse_experiment()),
            Ok(rawscm::Fork::Parent(p)) => match rawscm::waitid(p) {
                Ok(ExitStatus::Exited(code)) => code,
                _ => 40,
            },
            Err(Error::Os(Errno::EINVAL)) => 41,
            Err(_) => 42,
        }
    });
    if status == ExitStatus::Exited(41) && qemu {
        common::skip("qemu-user refuses a new pid namespace here (EINVAL)");
        return;
    }
    assert_eq!(status, ExitStatus::Exited(0), "failed check (see reuse_experiment)");
}

#[test]
fn pidfd_getfd_copies_a_descriptor_and_needs_ptrace_access() {
    let _g = common::serial();
    let (ours, theirs) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    let (keep, held) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    let target = theirs.as_raw_fd();
    let (_, child) = spawn_child(|| {
        hold(&keep, &held);
        0
    });
    // Take the child's copy of `theirs` and talk to `ours` through it.
    let copy = child.get_fd(target).unwrap();
    drop(theirs);
    send_fds(&copy, b"via-getfd", &[]).unwrap();
    let mut buf = [0u8; 16];
    assert_eq!(recv_fds::<0>(&ours, &mut buf).unwrap().0, 9);
    assert_eq!(&buf[..9], b"via-getfd");
    // Not open in the child: EBADF; a negative number likewise.
    assert_eq!(child.get_fd(999).unwrap_err(), Error::Os(Errno::EBADF));
    assert_eq!(child.get_fd(-1).unwrap_err(), Error::Os(Errno::EBADF));
    drop(keep);
    assert_eq!(child.wait(), Ok(ExitStatus::Exited(0)));

    if !common::is_root() {
        common::skip("the EPERM half needs root, to drop to another user");
        return;
    }
    // An unprivileged process may not take a root process's descriptors.
    let parent = Pidfd::open(getpid()).unwrap();
    let (status, _) = common::run_in_child(LONG, || {
        if !common::drop_privileges_in_child() {
            return 2;
        }
        match parent.get_fd(0) {
            Err(Error::Os(Errno::EPERM)) => 0,
            Ok(_) => 3,
            Err(_) => 4,
        }
    });
    assert_eq!(status, ExitStatus::Exited(0));
}

#[test]
fn init_pid_of_a_pidfd_is_race_free_and_refuses_a_reaped_task() {
    let Some(_g) = common::serial_as_root() else { return };
    let qemu = common::under_qemu();
    let methods: &[Method] = if qemu {
        common::skip(
            "qemu-user knows neither ioctl(NS_GET_PID_FROM_PIDNS) nor clone(CLONE_NEWPID): only the fork \
             path, for a task in our own namespace",
        );
        &[Method::Fork]
    } else if common::kernel_older_than((6, 11)) {
        let skipped = common::skip_if_kernel_lacks(
            "ioctl(NS_GET_PID_FROM_PIDNS)",
            (6, 11),
            "Method::Ioctl not checked, Method::Fork and Method::Auto are",
        );
        assert!(skipped);
        &[Method::Fork, Method::Auto]
    } else {
        &[Method::Ioctl, Method::Fork, Method::Auto]
    };
    // Natively a child that is pid 1 of a new pid namespace: from here its
    // init is itself.
    let (keep, theirs) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    // SAFETY: the child only waits in a system call, then exits.
    let forked = if qemu { unsafe { fork_with_pidfd() } } else { fork_new_ns_with_pidfd() };
    let (pid, pidfd) = match forked.unwrap() {
        ForkPidfd::Child => {
            hold(&keep, &theirs);
            exit_group(0)
        }
        ForkPidfd::Parent { pid, pidfd } => (pid, pidfd),
    };
    drop(theirs);
    let expected = if qemu { rawscm::pidns::init_pid_of(getpid(), Method::Fork).unwrap().pid } else { pid };
    for &m in methods {
        assert_eq!(init_pid_of_pidfd(&pidfd, m).map(|t| t.pid), Ok(expected), "{m:?}");
    }
    drop(keep);
    assert_eq!(pidfd.wait(), Ok(ExitStatus::Exited(0)));
    for &m in methods {
        assert_eq!(init_pid_of_pidfd(&pidfd, m), Err(Error::Os(Errno::ESRCH)), "{m:?} after reaping");
    }
}

/// `clone(CLONE_NEWPID)` with a pidfd from `pidfd_open` (safe here: the
/// child waits for us to close a socket before it can exit).
fn fork_new_ns_with_pidfd() -> rawscm::Result<ForkPidfd> {
    // SAFETY: the caller's child only waits in a system call, then exits.
    match unsafe { rawscm::fork_new_pid_namespace() }? {
        rawscm::Fork::Child => Ok(ForkPidfd::Child),
        rawscm::Fork::Parent(pid) => Ok(ForkPidfd::Parent { pid, pidfd: Pidfd::open(pid)? }),
    }
}

/// The fallbacks of fork_with_pidfd, forced with a seccomp filter in a
/// child: clone3 gone (as container runtimes filter it), then clone
/// refusing CLONE_PIDFD too (as qemu-user does), then no pidfd_open either
/// (a kernel before 5.3): ENOSYS, and no child made.
#[test]
fn fork_with_pidfd_falls_back_when_clone3_or_clone_pidfd_is_refused() {
    let _g = common::serial();
    if common::under_qemu() {
        common::skip("a seccomp filter under qemu-user sees the emulator's system calls");
        return;
    }
    if !common::has_fork_syscall() {
        return;
    }
    let forked_ok = || {
        // SAFETY: the child only calls exit_group.
        match unsafe { fork_with_pidfd() } {
            Ok(ForkPidfd::Child) => exit_group(9),
            Ok(ForkPidfd::Parent { pidfd, .. }) => pidfd.wait() == Ok(ExitStatus::Exited(9)),
            Err(_) => false,
        }
    };
    let steps: [&[(libc::c_long, i32)]; 2] = [
        &[(libc::SYS_clone3, libc::ENOSYS)],
        &[(libc::SYS_clone3, libc::ENOSYS), (libc::SYS_clone, libc::EINVAL)],
    ];
    for (i, rules) in steps.into_iter().enumerate() {
        let (status, _) = common::run_in_child(LONG, || {
            if !common::fail_syscalls_in_child(rules) {
                return 2;
            }
            // Twice: the way found first is remembered and must work again.
            if forked_ok() && forked_ok() { 0 } else { 1 }
        });
        assert_eq!(status, ExitStatus::Exited(0), "step {i}");
    }
    let (status, _) = common::run_in_child(LONG, || {
        let rules = [(libc::SYS_clone3, libc::ENOSYS), (libc::SYS_pidfd_open, libc::ENOSYS)];
        if !common::fail_syscalls_in_child(&rules) {
            return 2;
        }
        // SAFETY: no child may be made; if one is, it exits at once.
        match unsafe { fork_with_pidfd() } {
            Err(Error::Os(Errno::ENOSYS)) => {}
            Ok(ForkPidfd::Child) => exit_group(50),
            _ => return 3,
        }
        // No child was made.
        let mut info = unsafe { core::mem::zeroed::<libc::siginfo_t>() };
        let r = unsafe { libc::waitid(libc::P_ALL, 0, &mut info, libc::WEXITED | libc::WNOHANG) };
        if r == -1 { 0 } else { 4 }
    });
    assert_eq!(status, ExitStatus::Exited(0));
}
