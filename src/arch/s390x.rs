//! s390x (z/Architecture, Linux; big-endian, 64-bit).
//!
//! Syscall: `svc 0`; number in r1, arguments in r2..r7; result in r2
//! (-4095..=-1 is -errno); the kernel preserves every other register.
//! Has `fork`. `clone` takes the *stack first*: `clone(stack, flags,
//! parent_tid, child_tid, tls)`; the generic order gives EINVAL.
//!
//! The `syscalls` crate still enables `asm_experimental_arch` here, which
//! stable Rust refuses, although s390x inline asm is stable: so the
//! instruction lives here.

use core::arch::asm;
use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// `clone` takes the new stack first, then flags.
pub(crate) const CLONE_STACK_FIRST: bool = true;

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
    // SAFETY: `svc 0` enters the kernel with the ABI above; only r2 changes,
    // and the caller guarantees the arguments are valid for `nr`.
    unsafe {
        asm!(
            "svc 0",
            in("r1") nr,
            inlateout("r2") a1 => ret,
            in("r3") a2,
            in("r4") a3,
            in("r5") a4,
            in("r6") a5,
            in("r7") a6,
            options(nostack)
        );
    }
    ret
}
