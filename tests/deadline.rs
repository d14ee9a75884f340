//! Deadlines that stay honest: a failing clock is a prompt typed error, not
//! an endless wait; timeouts beyond 2^31 s work on 32-bit targets; and
//! without the time64 system calls the old ones serve.
mod common;

use rawscm::{
    Deadline, Errno, Error, ExitStatus, SocketFlags, SocketType, socketpair, wait_readable, wait_readable_for,
};
use std::time::Duration;

fn readable_pair() -> (rawscm::OwnedFd, rawscm::OwnedFd) {
    let (a, b) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
    rawscm::send(&a, b"x").unwrap();
    (a, b)
}

/// Timeouts around 2^31 and 2^32 seconds (a 32-bit `time_t` wraps there).
const LONG: [u64; 6] = [(1 << 31) - 1, 1 << 31, (1 << 31) + 5, (1 << 32) - 1, (1 << 32) + 5, 1 << 40];

#[test]
fn timeouts_beyond_2_pow_31_seconds_work_on_a_readable_socket() {
    let (_a, b) = readable_pair();
    for secs in LONG {
        assert_eq!(wait_readable(&b, Deadline::after(Duration::from_secs(secs))), Ok(()), "{secs} s");
        assert_eq!(wait_readable_for(&b, Duration::from_secs(secs)), Ok(()), "{secs} s");
    }
    assert_eq!(wait_readable_for(&b, Duration::MAX), Ok(()));
    assert!(Deadline::after(Duration::MAX).remaining().unwrap() > Duration::from_secs(1 << 33));
}

/// The clock calls of this target, as the kernel numbers them.
fn clock_calls() -> Vec<libc::c_long> {
    use linux_raw_sys::general as g;
    let v = vec![g::__NR_clock_gettime as libc::c_long];
    #[cfg(target_pointer_width = "32")]
    let v = [v, vec![g::__NR_clock_gettime64 as libc::c_long]].concat();
    v
}

#[test]
fn a_failing_clock_is_a_prompt_typed_error_not_an_endless_wait() {
    if common::under_qemu() {
        common::skip("seccomp filters see qemu-user's host system calls, not the guest's");
        return;
    }
    let (status, took) = common::run_in_child(Duration::from_secs(5), || {
        // The filter below fails the clock's system calls; through the vDSO
        // the clock makes none (tests/vdso.rs), so read it by system call.
        rawscm::vdso::use_syscall();
        let (_a, b) = socketpair(SocketType::Datagram, SocketFlags::default())
            .unwrap_or_else(|_| rawscm::exit_group(2));
        // A deadline made while the clock worked, used after it failed.
        let before = Deadline::after(Duration::from_millis(100));
        let rules: Vec<_> = clock_calls().into_iter().map(|nr| (nr, libc::EPERM)).collect();
        if !common::fail_syscalls_in_child(&rules) {
            return 3;
        }
        let clock = Error::Clock(Errno::EPERM);
        let after = Deadline::after(Duration::from_millis(100));
        let checks = [
            wait_readable(&b, after) == Err(clock),
            wait_readable(&b, before) == Err(clock),
            wait_readable_for(&b, Duration::from_millis(100)) == Err(clock),
            after.remaining() == Err(clock),
            before.passed() == Err(clock),
        ];
        checks.iter().position(|ok| !ok).map_or(0, |i| 10 + i as i32)
    });
    assert_eq!(status, ExitStatus::Exited(0));
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

#[test]
fn a_failing_clock_stops_the_init_pid_lookup_promptly_and_leaves_nothing() {
    if common::under_qemu() {
        common::skip("seccomp filters see qemu-user's host system calls, not the guest's");
        return;
    }
    if !common::is_root() {
        common::skip("needs root (CAP_SYS_ADMIN for setns)");
        return;
    }
    let (status, took) = common::run_in_child(Duration::from_secs(5), || {
        rawscm::vdso::use_syscall(); // as above: the filter bites only then
        let rules: Vec<_> = clock_calls().into_iter().map(|nr| (nr, libc::EPERM)).collect();
        if !common::fail_syscalls_in_child(&rules) {
            return 3;
        }
        let me = rawscm::getpid();
        let r = rawscm::pidns::translate_pid(me, me, rawscm::pidns::Method::Fork);
        if r != Err(Error::Clock(Errno::EPERM)) {
            return 4;
        }
        // Nothing left behind: no child, reaped or not.
        let left = unsafe {
            libc::waitid(libc::P_ALL, 0, std::ptr::null_mut(), libc::WEXITED | libc::WNOHANG | libc::__WALL)
        };
        if left != -1 {
            return 5;
        }
        0
    });
    assert_eq!(status, ExitStatus::Exited(0));
    assert!(took < Duration::from_secs(2), "took {took:?}");
}

/// Without `clock_gettime64` and `ppoll_time64` (kernels before 5.1, or
/// built without the old-time compatibility the other way round), the
/// 32-bit calls serve, with seconds clamped instead of wrapped.
#[cfg(target_pointer_width = "32")]
#[test]
fn without_time64_calls_the_old_ones_serve_with_clamped_seconds() {
    if common::under_qemu() {
        common::skip("seccomp filters see qemu-user's host system calls, not the guest's");
        return;
    }
    let (status, took) = common::run_in_child(Duration::from_secs(5), || {
        rawscm::vdso::use_syscall(); // the time64 fallback is about the system calls
        let (_a, b) = readable_pair();
        let (_c, quiet) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
        use linux_raw_sys::general as g;
        let rules = [
            (g::__NR_clock_gettime64 as libc::c_long, libc::ENOSYS),
            (g::__NR_ppoll_time64 as libc::c_long, libc::ENOSYS),
        ];
        if !common::fail_syscalls_in_child(&rules) {
            return 3;
        }
        for (i, secs) in LONG.into_iter().enumerate() {
            if wait_readable(&b, Deadline::after(Duration::from_secs(secs))) != Ok(()) {
                return 10 + i as i32;
            }
        }
        let start = Deadline::after(Duration::ZERO);
        if wait_readable_for(&quiet, Duration::from_millis(50)) != Err(Error::Timeout) {
            return 20;
        }
        // At least 50 ms went by, by the (old) clock.
        match start.remaining() {
            Ok(left) if left.is_zero() => {}
            _ => return 21,
        }
        0
    });
    assert_eq!(status, ExitStatus::Exited(0));
    assert!(took >= Duration::from_millis(50) && took < Duration::from_secs(2), "took {took:?}");
}
