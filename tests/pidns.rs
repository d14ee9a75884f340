//! The init-pid lookup (both paths) and its credential handshake.
mod common;

use rawscm::pidns::{Method, answer_with_credentials, ask_for_credentials, init_pid_of, translate_pid};
use rawscm::{
    AsFd, Deadline, Errno, Error, ExitStatus, Fork, OwnedFd, Pid, SocketFlags, SocketType, Ucred, exit_group,
    fork, recv_credentials, recv_fds, send_credentials, send_fds, set_passcred, socketpair, waitid,
};
use std::time::{Duration, Instant};

/// `NS_GET_PID_IN_PIDNS` = `_IOR(NSIO, 0x8, int)` (`include/uapi/linux/nsfs.h`)
/// in this architecture's ioctl encoding.
const NS_GET_PID_IN_PIDNS: u32 = {
    use linux_raw_sys::general::{_IOC_DIRSHIFT, _IOC_NRSHIFT, _IOC_READ, _IOC_SIZESHIFT, _IOC_TYPESHIFT};
    (_IOC_READ << _IOC_DIRSHIFT) | (0xb7 << _IOC_TYPESHIFT) | (0x8 << _IOC_NRSHIFT) | (4 << _IOC_SIZESHIFT)
};

/// `NSpid:` of /proc/<pid>/status: the pid in each namespace, outermost first.
fn nspid(pid: Pid) -> Vec<Pid> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("NSpid:")).expect("NSpid line");
    line.split_whitespace().skip(1).map(|p| p.parse().unwrap()).collect()
}

/// The methods to check here; the ioctl is unknown to qemu-user and to
/// kernels before 6.11.
fn methods() -> Vec<Method> {
    if common::under_qemu() {
        common::skip("qemu-user does not know ioctl(NS_GET_PID_FROM_PIDNS): ioctl path not checked");
        vec![Method::Fork, Method::Auto]
    } else if common::skip_if_kernel_lacks("ioctl(NS_GET_PID_FROM_PIDNS)", (6, 11), "ioctl path not checked")
    {
        vec![Method::Fork, Method::Auto]
    } else {
        vec![Method::Ioctl, Method::Fork, Method::Auto]
    }
}

/// A tree `depth` pid namespaces deep: each level's init reports its
/// credentials (tag b'i'), the deepest also starts a worker (tag b'w'). Everything blocks until `Tree` is dropped, which then reaps all.
struct Tree {
    inits: Vec<Pid>,
    worker: Pid,
    top: Pid,
    release: Option<OwnedFd>,
}

fn close_raw(fd: &OwnedFd) {
    unsafe { libc::close(fd.as_raw_fd()) };
}

/// Runs in a forked child: blocks until `release` reaches end of stream.
fn hold(release: &OwnedFd) {
    let _ = recv_fds::<0>(release, &mut [0u8; 1]);
}

fn level(depth: usize, qemu: bool, report: &OwnedFd, release: &OwnedFd) -> i32 {
    if send_credentials(report, b"i", Ucred::current()).is_err() {
        return 20;
    }
    let next = if depth > 1 {
        // SAFETY: the child only makes system calls.
        match unsafe { common::fork_pid1(qemu) } {
            Ok(Fork::Child) => exit_group(level(depth - 1, qemu, report, release)),
            Ok(Fork::Parent(p)) => p,
            Err(_) => return 21,
        }
    } else {
        // SAFETY: the child only makes system calls.
        match unsafe { fork() } {
            Ok(Fork::Child) => {
                let ok = send_credentials(report, b"w", Ucred::current()).is_ok();
                hold(release);
                exit_group(if ok { 0 } else { 22 })
            }
            Ok(Fork::Parent(p)) => p,
            Err(_) => return 23,
        }
    };
    hold(release);
    match waitid(next) {
        Ok(ExitStatus::Exited(0)) => 0,
        _ => 24,
    }
}

impl Tree {
    fn new(depth: usize) -> Tree {
        let (report, report_rx) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
        let (release_tx, release) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
        set_passcred(&report_rx, true).unwrap();
        let qemu = common::under_qemu(); // not in a forked child: it allocates
        // A plain child starts the namespace's init and waits for it (under
        // qemu it must join the new namespace itself, see `fork_pid1`).
        // SAFETY: the children only make system calls (and close by number).
        let top = match unsafe { fork() }.unwrap() {
            Fork::Child => {
                close_raw(&release_tx);
                close_raw(&report_rx);
                exit_group(match unsafe { common::fork_pid1(qemu) } {
                    Ok(Fork::Child) => exit_group(level(depth, qemu, &report, &release)),
                    Ok(Fork::Parent(init)) => match waitid(init) {
                        Ok(ExitStatus::Exited(code)) => code,
                        _ => 25,
                    },
                    Err(_) => 26,
                })
            }
            Fork::Parent(p) => p,
        };
        drop((report, release));
        let (mut inits, mut worker) = (Vec::new(), 0);
        let patience = Duration::from_secs(if common::under_qemu() { 60 } else { 10 });
        for _ in 0..=depth {
            let mut tag = [0u8; 1];
            let got = rawscm::wait_readable_for(&report_rx, patience)
                .and_then(|()| recv_credentials(&report_rx, &mut tag));
            match got {
                Ok(got) if tag[0] == b'i' => inits.push(got.credentials.pid),
                Ok(got) => worker = got.credentials.pid,
                Err(e) => {
                    // Leave nothing behind: the rest of the tree sees
                    // `release` close and exits by itself.
                    let _ = rawscm::kill(top, libc::SIGKILL as u32);
                    let status = waitid(top);
                    panic!("the tree did not report: {e} (its top child: {status:?})");
                }
            }
        }
        assert_eq!(inits.len(), depth);
        Tree { inits, worker, top, release: Some(release_tx) }
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        drop(self.release.take());
        let status = waitid(self.top);
        if !std::thread::panicking() {
            assert_eq!(status, Ok(ExitStatus::Exited(0)));
        }
    }
}

#[test]
fn own_namespace_init_agrees_with_proc() {
    let Some(_g) = common::serial_as_root() else { return };
    common::no_fd_leak("own ns", || {
        let init = *nspid(1).last().unwrap();
        assert_eq!(init, 1, "/proc/1 is our namespace's init");
        for m in methods() {
            let got = init_pid_of(rawscm::getpid(), m).unwrap();
            assert_eq!(got.pid, 1, "{m:?}");
            if m == Method::Fork {
                assert_eq!(got.via, Method::Fork);
            }
            let me = rawscm::getpid();
            assert_eq!(translate_pid(me, me, m).unwrap().pid, me, "{m:?}");
        }
    });
}

fn check_tree(depth: usize) {
    let tree = Tree::new(depth);
    let deepest = *tree.inits.last().unwrap();
    let ns = nspid(tree.worker);
    assert_eq!(ns.len(), nspid(rawscm::getpid()).len() + depth);
    // The worker's pid inside its namespace: 2 natively; under qemu-user an
    // emulator thread of the init may have taken 2 first.
    let inner = *ns.last().unwrap();
    assert!(inner > 1, "worker is not its namespace's init");
    assert_eq!(nspid(deepest).len(), ns.len());
    assert_eq!(*nspid(deepest).last().unwrap(), 1);
    for m in methods() {
        let got = init_pid_of(tree.worker, m).unwrap();
        assert_eq!(got.pid, deepest, "{m:?} depth {depth}");
        assert_eq!(init_pid_of(deepest, m).unwrap().pid, deepest, "{m:?}");
        assert_eq!(translate_pid(tree.worker, inner, m).unwrap().pid, tree.worker, "{m:?}");
        if depth == 2 {
            // pid 1 of the outer child namespace, from the inner init.
            assert_eq!(init_pid_of(tree.inits[0], m).unwrap().pid, tree.inits[0]);
        }
    }
}

#[test]
fn child_namespace_init_agrees_with_proc() {
    let Some(_g) = common::serial_as_root() else { return };
    common::no_fd_leak("child ns", || check_tree(1));
}

#[test]
fn two_namespaces_deep_init_agrees_with_proc() {
    let Some(_g) = common::serial_as_root() else { return };
    common::no_fd_leak("nested ns", || check_tree(2));
}

#[test]
fn missing_task_is_esrch_promptly() {
    let _g = common::serial();
    common::no_fd_leak("missing", || {
        let start = Instant::now();
        for m in [Method::Ioctl, Method::Fork, Method::Auto] {
            assert_eq!(init_pid_of(i32::MAX, m), Err(Error::Os(Errno::ESRCH)), "{m:?}");
            assert_eq!(init_pid_of(0, m), Err(Error::Os(Errno::ESRCH)));
            assert_eq!(init_pid_of(-5, m), Err(Error::Os(Errno::ESRCH)));
        }
        assert!(start.elapsed() < Duration::from_millis(500));
    });
}

#[test]
fn pid_not_in_that_namespace_is_esrch() {
    let Some(_g) = common::serial_as_root() else { return };
    common::no_fd_leak("absent pid", || {
        let tree = Tree::new(1);
        for m in methods() {
            assert_eq!(translate_pid(tree.worker, 30000, m), Err(Error::Os(Errno::ESRCH)), "{m:?}");
            // Natively the namespace holds pids 1 and 2 only, and the fork
            // path's own grandchild becomes pid 3: that must not count.
            // (Under qemu-user, emulator threads take pids there too.)
            if !common::under_qemu() {
                assert_eq!(translate_pid(tree.worker, 3, m), Err(Error::Os(Errno::ESRCH)), "{m:?}");
            }
        }
    });
}

#[test]
fn namespace_whose_init_has_exited_is_esrch() {
    let Some(_g) = common::serial_as_root() else { return };
    common::no_fd_leak("dead init", || {
        let (report, report_rx) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
        let (release_tx, release) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
        let qemu = common::under_qemu(); // not in a forked child: it allocates
        // A plain child starts a namespace init that exits at once, waits
        // until it has exited without reaping it (its namespace is now dead),
        // reports its pid, and reaps it only when released.
        // SAFETY: the children only make system calls (and close by number).
        let holder = match unsafe { fork() }.unwrap() {
            Fork::Child => {
                close_raw(&release_tx);
                close_raw(&report_rx);
                let dead = match unsafe { common::fork_pid1(qemu) } {
                    Ok(Fork::Child) => exit_group(0),
                    Ok(Fork::Parent(p)) => p,
                    Err(_) => exit_group(50),
                };
                let mut info = std::mem::MaybeUninit::<libc::siginfo_t>::zeroed();
                let flags = libc::WEXITED | libc::WNOWAIT;
                let r = unsafe {
                    libc::syscall(libc::SYS_waitid, libc::P_PID, dead, info.as_mut_ptr(), flags, 0)
                };
                if r != 0 || send_fds(&report, &dead.to_ne_bytes(), &[]).is_err() {
                    exit_group(51);
                }
                hold(&release);
                exit_group(match waitid(dead) {
                    Ok(ExitStatus::Exited(0)) => 0,
                    _ => 52,
                })
            }
            Fork::Parent(p) => p,
        };
        drop((report, release));
        let mut bytes = [0u8; 4];
        rawscm::wait_readable_for(&report_rx, Duration::from_secs(10)).expect("holder reports");
        assert_eq!(recv_fds::<0>(&report_rx, &mut bytes).unwrap().0, 4);
        let dead = Pid::from_ne_bytes(bytes);
        let start = Instant::now();
        for m in methods() {
            assert_eq!(init_pid_of(dead, m), Err(Error::Os(Errno::ESRCH)), "{m:?}");
        }
        assert!(start.elapsed() < Duration::from_secs(1), "prompt: {:?}", start.elapsed());
        drop(release_tx);
        assert_eq!(waitid(holder), Ok(ExitStatus::Exited(0)));
    });
}

/// Descriptors 0..256 that are open, without allocating (for forked children).
fn open_mask() -> [bool; 256] {
    let mut m = [false; 256];
    for (fd, open) in m.iter_mut().enumerate() {
        *open = unsafe { libc::fcntl(fd as i32, libc::F_GETFD) } >= 0;
    }
    m
}

#[test]
fn unprivileged_caller_gets_a_typed_error_and_leaves_nothing() {
    let Some(_g) = common::serial_as_root() else { return };
    let parent = rawscm::getpid();
    // SAFETY: the child only makes system calls and exits.
    match unsafe { fork() }.unwrap() {
        Fork::Child => {
            if !common::drop_privileges_in_child() {
                exit_group(30);
            }
            let before = open_mask();
            let mut code = 0;
            for (i, m) in [Method::Ioctl, Method::Fork, Method::Auto].into_iter().enumerate() {
                match init_pid_of(parent, m) {
                    Err(Error::Os(Errno::EACCES | Errno::EPERM)) => {}
                    _ => code = 31 + i as i32,
                }
            }
            if open_mask() != before {
                code = 40;
            }
            let left =
                unsafe { libc::waitid(libc::P_ALL, 0, std::ptr::null_mut(), libc::WEXITED | libc::WNOHANG) };
            if left != -1 {
                code = 41;
            }
            exit_group(code)
        }
        Fork::Parent(pid) => assert_eq!(waitid(pid), Ok(ExitStatus::Exited(0))),
    }
}

fn seqpacket() -> (OwnedFd, OwnedFd) {
    socketpair(SocketType::SeqPacket, SocketFlags::default()).unwrap()
}

#[test]
fn handshake_delivers_the_senders_credentials() {
    let _g = common::serial();
    let (a, b) = seqpacket();
    let deadline = Deadline::after(Duration::from_secs(5));
    std::thread::scope(|s| {
        let sender = s.spawn(|| answer_with_credentials(&b, Ucred::current(), deadline));
        assert_eq!(ask_for_credentials(&a, deadline), Ok(Ucred::current()));
        assert_eq!(sender.join().unwrap(), Ok(()));
    });
}

#[test]
fn handshake_timeouts_are_honoured_on_both_sides() {
    let _g = common::serial();
    let (a, b) = seqpacket();
    let start = Instant::now();
    let d = Deadline::after(Duration::from_millis(150));
    assert_eq!(answer_with_credentials(&b, Ucred::current(), d), Err(Error::Timeout));
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(150) && took < Duration::from_secs(2), "{took:?}");
    // The receiver pings, nobody answers.
    let start = Instant::now();
    assert_eq!(ask_for_credentials(&a, Deadline::after(Duration::from_millis(150))), Err(Error::Timeout));
    assert!(start.elapsed() >= Duration::from_millis(150));
    drop(b);
}

#[test]
fn handshake_reports_a_peer_that_closes_early() {
    let _g = common::serial();
    common::no_fd_leak("peer closes", || {
        // Sender gone before the ping: the receiver learns at once.
        let (a, b) = seqpacket();
        drop(b);
        let start = Instant::now();
        assert_eq!(ask_for_credentials(&a, Deadline::after(Duration::from_secs(5))), Err(Error::PeerClosed));
        // Sender takes the ping and closes: end of stream, not a 5 s wait.
        let (a, b) = seqpacket();
        std::thread::scope(|s| {
            s.spawn(move || {
                let _ = recv_fds::<0>(&b, &mut [0u8; 1]);
                drop(b);
            });
            assert_eq!(
                ask_for_credentials(&a, Deadline::after(Duration::from_secs(5))),
                Err(Error::PeerClosed)
            );
        });
        // Receiver gone: the sender's wait ends too.
        let (a, b) = seqpacket();
        drop(a);
        assert_eq!(
            answer_with_credentials(&b, Ucred::current(), Deadline::after(Duration::from_secs(5))),
            Err(Error::PeerClosed)
        );
        assert!(start.elapsed() < Duration::from_secs(2), "{:?}", start.elapsed());
    });
}

#[test]
fn credentials_are_missing_when_the_receiver_does_not_arm_passcred() {
    let _g = common::serial();
    let (a, b) = seqpacket();
    let deadline = Deadline::after(Duration::from_secs(5));
    std::thread::scope(|s| {
        let sender = s.spawn(|| answer_with_credentials(&b, Ucred::current(), deadline));
        // A receiver done wrong: pings without SO_PASSCRED.
        send_fds(&a, b"p", &[]).unwrap();
        rawscm::wait_readable(&a, deadline).unwrap();
        assert_eq!(recv_credentials(&a, &mut [0u8; 1]).unwrap_err(), Error::NoCredentials);
        assert_eq!(sender.join().unwrap(), Ok(()));
    });
    assert!(!rawscm::passcred(a.as_fd()).unwrap());
}

#[test]
fn a_wrong_ping_byte_is_a_protocol_error() {
    let _g = common::serial();
    let (a, b) = seqpacket();
    send_fds(&a, b"?", &[]).unwrap();
    let d = Deadline::after(Duration::from_secs(2));
    assert_eq!(answer_with_credentials(&b, Ucred::current(), d), Err(Error::Protocol));
}

/// Lookups of the fork path (and `Auto`, which is the fork path where the
/// ioctl is missing) in a child whose SIGCHLD handling is `setup`: the own
/// namespace's init, our own pid, and a pid that does not exist, five
/// times over; nothing may be left behind. Returns the child's exit code.
fn lookups_under(setup: fn() -> bool) -> ExitStatus {
    // Read before the fork (it allocates). Without the ioctl (qemu-user, or
    // a kernel before 6.11, which says so) only the other paths are checked.
    let no_ioctl = common::under_qemu()
        || common::skip_if_kernel_lacks("ioctl(NS_GET_PID_FROM_PIDNS)", (6, 11), "ioctl path not checked");
    let (status, _) = common::run_in_child(Duration::from_secs(30), move || {
        if !setup() {
            return 2;
        }
        let me = rawscm::getpid();
        let methods: &[Method] = if no_ioctl {
            &[Method::Fork, Method::Auto]
        } else {
            &[Method::Fork, Method::Auto, Method::Ioctl]
        };
        for round in 0..5 {
            for (i, &m) in methods.iter().enumerate() {
                let code = 10 * (i as i32 + 1) + round;
                if init_pid_of(me, m).map(|t| t.pid) != Ok(1) {
                    return code;
                }
                if translate_pid(me, me, m).map(|t| t.pid) != Ok(me) {
                    return code + 100;
                }
                if translate_pid(me, i32::MAX - 1, m) != Err(Error::Os(Errno::ESRCH)) {
                    return code + 150;
                }
            }
        }
        // No child of ours is left, reaped or not.
        let left = unsafe {
            libc::waitid(libc::P_ALL, 0, std::ptr::null_mut(), libc::WEXITED | libc::WNOHANG | libc::__WALL)
        };
        if left != -1 {
            return 3;
        }
        0
    });
    status
}

#[test]
fn lookups_work_with_sigchld_ignored() {
    let Some(_g) = common::serial_as_root() else { return };
    assert_eq!(*nspid(1).last().unwrap(), 1, "/proc/1 is our namespace's init");
    fn ignore() -> bool {
        unsafe { libc::signal(libc::SIGCHLD, libc::SIG_IGN) != libc::SIG_ERR }
    }
    assert_eq!(lookups_under(ignore), ExitStatus::Exited(0));
}

#[test]
fn lookups_work_with_a_sigchld_handler_that_reaps_every_child() {
    let Some(_g) = common::serial_as_root() else { return };
    extern "C" fn reap_all(_: libc::c_int) {
        // What many daemons do: reap whatever has ended.
        while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
    }
    fn install() -> bool {
        let mut sa: libc::sigaction = unsafe { std::mem::zeroed() };
        sa.sa_sigaction = reap_all as *const () as usize;
        sa.sa_flags = libc::SA_RESTART;
        unsafe { libc::sigaction(libc::SIGCHLD, &sa, std::ptr::null_mut()) == 0 }
    }
    assert_eq!(lookups_under(install), ExitStatus::Exited(0));
}

#[test]
fn concurrent_lookups_each_get_their_own_answer_and_errors_are_prompt() {
    let Some(_g) = common::serial_as_root() else { return };
    if common::under_qemu() {
        common::skip("qemu-user forks unreliably from several threads at once (it locks around fork)");
        return;
    }
    use std::sync::atomic::{AtomicBool, Ordering};
    let me = rawscm::getpid();
    // Errors come long before FORK_TIMEOUT (2 s). Nine busy threads on one
    // emulated CPU (the real-kernel rows) take up to ~160 ms for what takes
    // a few here.
    let prompt = Duration::from_millis(if common::emulated() { 1000 } else { 100 });
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        // Another thread keeps forking children that live for a while: each
        // inherits whatever socket a lookup has open at that moment.
        let forker = s.spawn(|| {
            let mut kids = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                // SAFETY: the child only sleeps (a system call) and exits.
                match unsafe { fork() }.unwrap() {
                    Fork::Child => {
                        let ts = libc::timespec { tv_sec: 1, tv_nsec: 0 };
                        unsafe {
                            libc::syscall(libc::SYS_nanosleep, &ts, std::ptr::null_mut::<libc::timespec>())
                        };
                        exit_group(0)
                    }
                    Fork::Parent(pid) => kids.push(pid),
                }
                std::thread::sleep(Duration::from_millis(3));
            }
            for pid in kids {
                let _ = waitid(pid);
            }
        });
        let workers: Vec<_> = (0..8)
            .map(|t| {
                s.spawn(move || {
                    for round in 0..6 {
                        let start = Instant::now();
                        if (t + round) % 2 == 0 {
                            assert_eq!(translate_pid(me, me, Method::Fork).map(|t| t.pid), Ok(me));
                        } else {
                            // A pid that is not there: the helpers say so.
                            let missing = i32::MAX - 1 - t;
                            assert_eq!(
                                translate_pid(me, missing, Method::Fork),
                                Err(Error::Os(Errno::ESRCH))
                            );
                            let took = start.elapsed();
                            assert!(took < prompt, "thread {t} round {round}: error after {took:?}");
                        }
                    }
                })
            })
            .collect();
        let results: Vec<_> = workers.into_iter().map(|w| w.join()).collect();
        stop.store(true, Ordering::Relaxed);
        forker.join().unwrap();
        for r in results {
            if let Err(panic) = r {
                std::panic::resume_unwind(panic);
            }
        }
    });
}

#[test]
fn a_hidepid_proc_does_not_make_a_live_namespace_dead() {
    let Some(_g) = common::serial_as_root() else { return };
    if common::under_qemu() {
        common::skip(
            "qemu-user does not know ioctl(NS_GET_PID_FROM_PIDNS): the ioctl path's liveness check not reached",
        );
        return;
    }
    let me = rawscm::getpid();
    let expected = match init_pid_of(me, Method::Ioctl) {
        Ok(t) => t.pid,
        Err(Error::Os(Errno::ENOTTY | Errno::EINVAL))
            if common::skip_if_kernel_lacks(
                "ioctl(NS_GET_PID_FROM_PIDNS)",
                (6, 11),
                "the ioctl path's liveness check not reached",
            ) =>
        {
            return;
        }
        Err(e) => panic!("init_pid_of: {e}"),
    };
    // The liveness check three ways: a member of the namespace other than its
    // init (us) is the evidence; without NS_GET_PID_IN_PIDNS the init's
    // pidfd decides; without pidfd_open, /proc (where the init is invisible).
    for (no_member_ioctl, no_pidfd) in [(false, false), (true, false), (true, true)] {
        let (status, _) = common::run_in_child(Duration::from_secs(10), move || {
            let root = c"/";
            let proc_ = c"proc";
            let target = c"/proc";
            unsafe {
                if libc::unshare(libc::CLONE_NEWNS) != 0 {
                    return 2;
                }
                if libc::mount(
                    std::ptr::null(),
                    root.as_ptr(),
                    std::ptr::null(),
                    libc::MS_REC | libc::MS_PRIVATE,
                    std::ptr::null(),
                ) != 0
                {
                    return 3;
                }
                let opts = c"hidepid=invisible";
                if libc::mount(proc_.as_ptr(), target.as_ptr(), proc_.as_ptr(), 0, opts.as_ptr().cast()) != 0
                {
                    return 4;
                }
            }
            if !common::drop_privileges_in_child() {
                return 5;
            }
            // Our namespace's init is invisible to us now.
            if unsafe { libc::access(c"/proc/1/stat".as_ptr(), libc::F_OK) } == 0 && expected == 1 {
                return 6;
            }
            if no_member_ioctl && !common::fail_ioctl_in_child(NS_GET_PID_IN_PIDNS, libc::ENOTTY) {
                return 8;
            }
            if no_pidfd
                && !common::fail_syscalls_in_child(&[(
                    linux_raw_sys::general::__NR_pidfd_open as libc::c_long,
                    libc::ENOSYS,
                )])
            {
                return 7;
            }
            let me = rawscm::getpid(); // visible to us: our own process
            for (i, m) in [Method::Ioctl, Method::Auto].into_iter().enumerate() {
                if init_pid_of(me, m).map(|t| t.pid) != Ok(expected) {
                    return 10 + i as i32;
                }
            }
            0
        });
        assert_eq!(
            status,
            ExitStatus::Exited(0),
            "without the member ioctl: {no_member_ioctl}, pidfd_open: {no_pidfd}"
        );
    }
}

#[test]
fn the_handshake_never_blocks_past_its_deadline_on_a_shared_socket() {
    let _g = common::serial();
    let (a, b) = seqpacket();
    let start = Instant::now();
    let deadline = Deadline::after(Duration::from_millis(300));
    std::thread::scope(|s| {
        // Two receivers share `a`; the sender answers one ping only: one
        // receiver gets the credentials, the other must give up at the
        // deadline instead of blocking in recvmsg after a wake-up it lost.
        let r1 = s.spawn(|| ask_for_credentials(&a, deadline));
        let r2 = s.spawn(|| ask_for_credentials(&a, deadline));
        let sent = answer_with_credentials(&b, Ucred::current(), deadline);
        let mut got = [r1.join().unwrap(), r2.join().unwrap()];
        got.sort_by_key(|r| r.is_err());
        assert_eq!(sent, Ok(()));
        assert_eq!(got, [Ok(Ucred::current()), Err(Error::Timeout)]);
    });
    let took = start.elapsed();
    assert!(took < Duration::from_secs(2), "{took:?}");
}

/// Queues messages on `from` (without waiting) until the socket is full.
fn fill(from: &OwnedFd) {
    let none = rawscm::SendControl::<0>::new();
    let flags = rawscm::SendFlags::default() | rawscm::SendFlags::DONTWAIT;
    while rawscm::sendmsg(from, &[rawscm::IoSlice::new(b"fill")], &none, flags).is_ok() {}
}

#[test]
fn the_handshake_never_blocks_past_its_deadline_on_a_full_socket() {
    let _g = common::serial();
    let (status, took) = common::run_in_child(Duration::from_secs(5), || {
        // The receiver's ping cannot be queued: it must wait, with the deadline.
        let (a, _b) = seqpacket();
        fill(&a);
        if ask_for_credentials(&a, Deadline::after(Duration::from_millis(100))) != Err(Error::Timeout) {
            return 10;
        }
        // The sender gets its ping but cannot queue the answer.
        let (a, b) = seqpacket();
        fill(&b);
        let none = rawscm::SendControl::<0>::new();
        if rawscm::sendmsg(&a, &[rawscm::IoSlice::new(b"p")], &none, Default::default()).is_err() {
            return 11;
        }
        let d = Deadline::after(Duration::from_millis(100));
        if answer_with_credentials(&b, Ucred::current(), d) != Err(Error::Timeout) {
            return 12;
        }
        0
    });
    assert_eq!(status, ExitStatus::Exited(0));
    assert!(took >= Duration::from_millis(200) && took < Duration::from_secs(2), "{took:?}");
}

/// The README's first command, `cargo run --example init_pid -- $$`: the
/// example answers for a pid of this namespace with pid 1, and, as root
/// without a pid, checks itself in a fresh namespace.
#[test]
fn the_readme_example_answers_for_our_pid_and_demonstrates_as_root() {
    let _g = common::serial();
    let exe = common::example("init_pid");
    let run = |args: &[String]| {
        let runner = common::runner();
        let mut cmd = match runner.split_first() {
            Some((first, rest)) => {
                let mut c = std::process::Command::new(first);
                c.args(rest).arg(&exe);
                c
            }
            None => std::process::Command::new(&exe),
        };
        let out = cmd.args(args).output().expect("run the init_pid example");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let me = std::process::id().to_string();
    let (ok, text) = run(std::slice::from_ref(&me));
    assert!(ok, "{text}");
    assert!(text.starts_with(&format!("init of pid {me}'s pid namespace: pid 1 (via ")), "{text}");
    if !common::is_root() || common::under_qemu() {
        common::skip(if common::under_qemu() {
            "the demonstration needs clone(CLONE_NEWPID), which qemu-user 7.2 refuses: only the lookup checked"
        } else {
            "the demonstration needs root (a pid namespace): only the lookup checked"
        });
        return;
    }
    let (ok, text) = run(&[]);
    assert!(ok && text.contains("/proc agrees: yes") && !text.contains("/proc agrees: no"), "{text}");
}
