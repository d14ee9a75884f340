//! The vDSO clock: found wherever the kernel maps a vDSO, the same clock as
//! the system call, making no system call, and the system call when told.
//! (The ELF parser's own tests, malformed images included, are in
//! `src/vdso.rs`.)
mod common;

use rawscm::{Deadline, Errno, Error, ExitStatus, vdso};
use std::time::Duration;

/// This process's AT_SYSINFO_EHDR, as libc saw it at start-up.
fn sysinfo_ehdr() -> usize {
    (unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) }) as usize
}

#[test]
fn the_vdso_clock_is_used_exactly_when_the_kernel_maps_a_vdso() {
    let ehdr = sysinfo_ehdr();
    // Natively on x86 the kernel always maps one (this machine's kernel has
    // CONFIG_X86_VSYSCALL_EMULATION and a vDSO on both word sizes).
    if cfg!(any(target_arch = "x86_64", target_arch = "x86")) && !common::under_qemu() {
        assert_ne!(ehdr, 0, "no AT_SYSINFO_EHDR natively on x86");
    }
    if ehdr == 0 {
        common::skip(
            "no vDSO mapped here (qemu-user 7.2 maps none for its guests): only the fallback is tested",
        );
    }
    assert_eq!(vdso::uses_vdso(), ehdr != 0, "AT_SYSINFO_EHDR {ehdr:#x}");
}

#[test]
fn the_vdso_clock_and_the_system_call_agree() {
    let (status, _) = common::run_in_child(Duration::from_secs(5), || {
        let via_vdso = vdso::uses_vdso();
        let deadline = Deadline::after(Duration::from_secs(10));
        let first = deadline.remaining();
        vdso::use_syscall();
        if vdso::uses_vdso() {
            return 2;
        }
        // Read back through the system call: the same clock, so a little
        // less than 10 s are left (never more, never much less).
        let left = match (first, deadline.remaining()) {
            (Ok(a), Ok(b)) if b <= a => b,
            _ => return 3,
        };
        if left > Duration::from_secs(10) || left < Duration::from_secs(9) {
            return 4;
        }
        i32::from(!via_vdso && sysinfo_ehdr() != 0) * 5
    });
    assert_eq!(status, ExitStatus::Exited(0));
}

#[test]
fn a_vdso_clock_makes_no_system_call_and_the_fallback_does() {
    if common::under_qemu() {
        common::skip("seccomp filters see qemu-user's host system calls, not the guest's");
        return;
    }
    if sysinfo_ehdr() == 0 {
        common::skip("no vDSO mapped here");
        return;
    }
    let (status, took) = common::run_in_child(Duration::from_secs(5), || {
        if !vdso::uses_vdso() {
            return 2;
        }
        use linux_raw_sys::general as g;
        #[allow(unused_mut)] // 64-bit targets have one clock call
        let mut rules = vec![(g::__NR_clock_gettime as libc::c_long, libc::EPERM)];
        #[cfg(target_pointer_width = "32")]
        rules.push((g::__NR_clock_gettime64 as libc::c_long, libc::EPERM));
        if !common::fail_syscalls_in_child(&rules) {
            return 3;
        }
        // Through the vDSO the filter never sees a clock call.
        let d = Deadline::after(Duration::from_secs(1));
        if !matches!(d.remaining(), Ok(left) if left > Duration::ZERO) {
            return 4;
        }
        // Through the system call it does, and says so.
        vdso::use_syscall();
        if d.remaining() != Err(Error::Clock(Errno::EPERM)) {
            return 5;
        }
        0
    });
    assert_eq!(status, ExitStatus::Exited(0));
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
