//! Signals without handlers: blocked signals read from a signalfd inside a
//! poll over several descriptors, the thread mask, and bad signal numbers.
mod common;

use core::time::Duration;
use rawscm::pidfd::{ForkPidfd, fork_with_pidfd};
use rawscm::signal::{MaskHow, SigSet, Signal, SignalFd, raise_in_thread, signal_mask, sigprocmask};
use rawscm::{
    AsFd, Deadline, Errno, Error, ExitStatus, SocketFlags, SocketType, exit_group, getpid, kill, poll, send,
    socketpair,
};

const LONG: Duration = Duration::from_secs(20);

/// In a single-threaded child (a signal for the process goes to any thread
/// that does not block it: the test harness's other threads would take
/// it): blocks SIGTERM and SIGCHLD, polls a socket, a signalfd and a child's
/// pidfd together, and checks what each reports. Returns 0 or the number
/// of the failed check.
fn signalfd_in_a_poll_loop() -> i32 {
    let set = SigSet::empty().with(Signal::TERM).with(Signal::CHLD);
    if sigprocmask(MaskHow::Block, &set).is_err() {
        return 10;
    }
    let Ok(sfd) = SignalFd::new(&set) else { return 11 };
    let Ok((a, b)) = socketpair(SocketType::Datagram, SocketFlags::default()) else { return 12 };
    // A child that exits with 4: SIGCHLD for us, its pidfd readable.
    // SAFETY: the child only calls exit_group.
    let (child_pid, pidfd) = match unsafe { fork_with_pidfd() } {
        Ok(ForkPidfd::Child) => exit_group(4),
        Ok(ForkPidfd::Parent { pid, pidfd }) => (pid, pidfd),
        Err(_) => return 13,
    };
    // SIGTERM to the whole process (kill, not the thread): it must wait,
    // blocked, in the signalfd.
    if kill(getpid(), Signal::TERM.number() as u32).is_err() {
        return 14;
    }
    let mut seen_term = false;
    let mut seen_chld = false;
    let mut reaped = false;
    let deadline = Deadline::after(LONG);
    while !(seen_term && seen_chld && reaped) {
        let Ok(ready) = poll([Some(b.as_fd()), Some(sfd.as_fd()), Some(pidfd.as_fd())], deadline) else {
            return 15;
        };
        if ready[0] {
            return 16; // nobody wrote to the socket
        }
        if ready[1] {
            while let Ok(Some(info)) = sfd.read() {
                if info.signal == Signal::TERM && info.pid == getpid() && info.code == 0 {
                    seen_term = true;
                } else if info.signal == Signal::CHLD && info.pid == child_pid && info.status == 4 {
                    seen_chld = true;
                } else {
                    return 17;
                }
            }
        }
        if ready[2] && !reaped {
            if pidfd.wait() != Ok(ExitStatus::Exited(4)) {
                return 18;
            }
            reaped = true;
        }
    }
    // Nothing more pending; the socket still works in the same loop.
    if !matches!(sfd.read(), Ok(None)) || send(&a, b"x").is_err() {
        return 19;
    }
    match poll([Some(b.as_fd()), Some(sfd.as_fd())], Deadline::after(LONG)) {
        Ok([true, false]) => 0,
        _ => 20,
    }
}

#[test]
fn blocked_sigterm_and_sigchld_are_read_from_a_signalfd_in_a_multi_descriptor_poll() {
    let _g = common::serial();
    let (status, _) = common::run_in_child(LONG, signalfd_in_a_poll_loop);
    assert_eq!(status, ExitStatus::Exited(0), "failed check (see signalfd_in_a_poll_loop)");
}

#[test]
fn the_mask_is_per_thread_and_restorable() {
    let _g = common::serial();
    let before = signal_mask().unwrap();
    let set = SigSet::empty().with(Signal::USR2).with(Signal::realtime(5).unwrap());
    let old = sigprocmask(MaskHow::Block, &set).unwrap();
    assert_eq!(old, before);
    let now = signal_mask().unwrap();
    assert!(now.contains(Signal::USR2) && now.contains(Signal::realtime(5).unwrap()));
    // A new thread inherits the mask; changing it there leaves ours alone.
    let other = std::thread::spawn(|| {
        let inherited = signal_mask().unwrap().contains(Signal::USR2);
        sigprocmask(MaskHow::Unblock, &SigSet::empty().with(Signal::USR2)).unwrap();
        (inherited, signal_mask().unwrap().contains(Signal::USR2))
    });
    assert_eq!(other.join().unwrap(), (true, false));
    assert!(signal_mask().unwrap().contains(Signal::USR2));
    // SIGKILL and SIGSTOP cannot be blocked: the kernel drops them.
    sigprocmask(MaskHow::Block, &SigSet::full()).unwrap();
    let all = signal_mask().unwrap();
    assert!(!all.contains(Signal::KILL) && !all.contains(Signal::STOP) && all.contains(Signal::TERM));
    sigprocmask(MaskHow::Set, &before).unwrap();
    assert_eq!(signal_mask().unwrap(), before);
    // A thread-directed signal, blocked, is read from a signalfd.
    sigprocmask(MaskHow::Block, &set).unwrap();
    let sfd = SignalFd::new(&set).unwrap();
    raise_in_thread(Signal::USR2).unwrap();
    rawscm::wait_readable_for(&sfd, LONG).unwrap();
    let info = sfd.read().unwrap().unwrap();
    assert_eq!((info.signal, info.pid, info.code), (Signal::USR2, getpid(), -6 /* SI_TKILL */));
    assert_eq!(sfd.read(), Ok(None));
    sigprocmask(MaskHow::Set, &before).unwrap();
}

#[test]
fn signal_numbers_out_of_range_are_refused() {
    for n in [0, -1, Signal::MAX + 1, 1000, i32::MIN] {
        assert_eq!(Signal::new(n), Err(Error::InvalidSignal { number: n }));
    }
    assert_eq!(
        Signal::realtime((Signal::MAX - 32 + 1) as u32).unwrap_err(),
        Error::InvalidSignal { number: Signal::MAX + 1 }
    );
    // The numbers are the architecture's (linux-raw-sys), not x86's.
    assert_eq!(Signal::CHLD.number(), libc::SIGCHLD);
    assert_eq!(Signal::new(Signal::MAX).unwrap().number(), 64);
}

#[test]
fn poll_refuses_a_closed_descriptor_and_keeps_its_deadline() {
    let _g = common::serial();
    let (a, b) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
    let stale = {
        let (x, _y) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
        x.as_raw_fd()
    };
    // SAFETY: poll only asks the kernel about the (closed) number.
    let stale = unsafe { rawscm::BorrowedFd::borrow_raw(stale) };
    assert_eq!(poll([Some(a.as_fd()), Some(stale)], Deadline::after(LONG)), Err(Error::Os(Errno::EBADF)));
    let t = std::time::Instant::now();
    assert_eq!(
        poll([Some(b.as_fd()), None], Deadline::after(Duration::from_millis(50))),
        Err(Error::Timeout)
    );
    assert!(t.elapsed() >= Duration::from_millis(50));
    assert_eq!(poll::<0>([], Deadline::after(Duration::from_millis(1))), Err(Error::Timeout));
}
