//! powerpc64 little-endian (ELFv2, Linux).
//!
//! Syscall: `sc`; number in r0, arguments in r3..r8; result in r3. Errors are
//! signalled by the summary-overflow bit of cr0, with a *positive* errno in r3:
//! this file negates it so that every backend returns -errno alike.
//! Clobbered by the kernel: r0, r4..r12, cr0, cr1, cr5..cr7, ctr, xer
//! (Documentation/arch/powerpc/syscall64-abi.rst).
//! Has `fork`. `clone(flags, stack, parent_tid, tls, child_tid)`.
//!
//! The `syscalls` crate still enables `asm_experimental_arch` here, which
//! stable Rust refuses, although powerpc64 inline asm is stable: so the
//! instruction lives here.

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
