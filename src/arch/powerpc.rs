//! powerpc, 32- and 64-bit, either endianness (Linux): powerpc (32-bit
//! big-endian, SysV ABI), powerpc64 big-endian (ELFv1) and powerpc64le
//! (ELFv2). The system call convention is the same on all three.
//!
//! Syscall: `sc`; number in r0, arguments in r3..r8; result in r3. Errors are
//! signalled by the summary-overflow bit of cr0, with a *positive* errno in r3:
//! this file negates it so that every backend returns -errno alike.
//! Clobbered by the kernel: r0, r4..r12, cr0, cr1, cr5..cr7, ctr, xer
//! (Documentation/arch/powerpc/syscall64-abi.rst for 64-bit; a 32-bit
//! process, on a 32-bit kernel or a 64-bit one, may lose no more than the
//! volatile registers of the SysV ABI, which this list covers: glibc's
//! powerpc32 `INTERNAL_SYSCALL` declares r0, r4..r12, cr0 and ctr).
//! r2 (TOC pointer on 64-bit, thread pointer on 32-bit) and r13 are kept.
//! Has `fork`. `clone(flags, stack, parent_tid, tls, child_tid)`.
//! uid/gid syscalls: the plain ones, 32-bit on powerpc from the start (there
//! are no `*32` variants).
//! 32-bit: no 64-bit time in the old calls: `ppoll_time64` and
//! `clock_gettime64` (Linux 5.1+) first (see `sys.rs`).
//!
//! The `syscalls` crate still enables `asm_experimental_arch` on powerpc and
//! powerpc64, which stable Rust refuses, although their inline asm is
//! stable: so the instruction lives here.

use core::arch::asm;
use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;

/// Issues system call `nr` with six arguments and returns the raw result
/// (-4095..=-1 is -errno).
///
/// # Safety
/// The arguments must be valid for system call `nr` (pointers, lengths, fds).
#[inline]
pub(crate) unsafe fn syscall6(
    nr: usize,
    a1: usize,
    a2: usize,
    a3: usize,
    a4: usize,
    a5: usize,
    a6: usize,
) -> usize {
    let ret;
    // SAFETY: `sc` enters the kernel with the ABI above; every register the
    // kernel may change is declared as an output or clobber, and the caller
    // guarantees the arguments are valid for `nr`.
    unsafe {
        asm!(
            "sc",
            "bns 1f",
            "neg 3, 3",
            "1:",
            inlateout("r0") nr => _,
            inlateout("r3") a1 => ret,
            inlateout("r4") a2 => _,
            inlateout("r5") a3 => _,
            inlateout("r6") a4 => _,
            inlateout("r7") a5 => _,
            inlateout("r8") a6 => _,
            lateout("r9") _,
            lateout("r10") _,
            lateout("r11") _,
            lateout("r12") _,
            lateout("cr0") _,
            lateout("cr1") _,
            lateout("cr5") _,
            lateout("cr6") _,
            lateout("cr7") _,
            lateout("ctr") _,
            lateout("xer") _,
            options(nostack)
        );
    }
    ret
}
