//! The only per-architecture code in the crate.
//!
//! Each file carries an ABI summary at its top and provides:
//! - `FORK_NR`: the number of the `fork` system call, or `None` where the
//!   architecture has none (then `clone(SIGCHLD)` is used),
//! - `CLONE_STACK_FIRST`: whether `clone` takes the stack before the flags
//!   (s390x does),
//! - on powerpc, powerpc64 and s390x, the syscall instruction itself,
//!   because the `syscalls` crate needs a nightly feature there.
//!
//! Everywhere else the syscall instruction comes from the `syscalls` crate, or
//! from `sc` with the `sc` feature.

#[cfg(target_arch = "aarch64")]
#[path = "aarch64.rs"]
mod imp;
#[cfg(target_arch = "arm")]
#[path = "arm.rs"]
mod imp;
#[cfg(any(target_arch = "powerpc", target_arch = "powerpc64"))]
#[path = "powerpc.rs"]
mod imp;
#[cfg(target_arch = "riscv64")]
#[path = "riscv64.rs"]
mod imp;
#[cfg(target_arch = "s390x")]
#[path = "s390x.rs"]
mod imp;
#[cfg(target_arch = "x86")]
#[path = "x86.rs"]
mod imp;
#[cfg(target_arch = "x86_64")]
#[path = "x86_64.rs"]
mod imp;

#[cfg(not(any(
    target_arch = "aarch64",
    target_arch = "arm",
    target_arch = "powerpc",
    target_arch = "powerpc64",
    target_arch = "riscv64",
    target_arch = "s390x",
    target_arch = "x86",
    target_arch = "x86_64",
)))]
compile_error!(
    "rawscm supports Linux on x86_64, x86 (i686), aarch64, arm (armv7), riscv64, \
     powerpc64 (both endiannesses), powerpc (32-bit) and s390x"
);

#[cfg(not(target_os = "linux"))]
compile_error!("rawscm issues Linux system calls and only builds for target_os = \"linux\"");

pub(crate) use imp::FORK_NR;

/// The first two `clone` arguments for a fork with `flags`: the flags and a
/// zero stack (the child runs on a copy of ours), in this architecture's
/// order.
pub(crate) const fn clone_args(flags: usize) -> [usize; 2] {
    if imp::CLONE_STACK_FIRST { [0, flags] } else { [flags, 0] }
}

#[cfg(all(
    feature = "sc",
    not(any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64"))
))]
compile_error!(
    "the `sc` feature (syscall backend from the `sc` crate) builds on stable only for \
     x86_64, aarch64 and riscv64; build without it on this architecture"
);

// The raw syscall functions: `syscallN(nr, args...) -> usize`, returning the
// kernel's raw value (-4095..=-1 is an error). Only `sys.rs` calls them.
#[cfg(all(
    feature = "sc",
    any(target_arch = "x86_64", target_arch = "aarch64", target_arch = "riscv64")
))]
pub(crate) use sc::{syscall0, syscall1, syscall2, syscall3, syscall4, syscall5};

#[cfg(all(
    not(feature = "sc"),
    not(any(target_arch = "powerpc", target_arch = "powerpc64", target_arch = "s390x"))
))]
pub(crate) use syscalls::raw::{syscall0, syscall1, syscall2, syscall3, syscall4, syscall5};

/// `syscall0`..`syscall5` on top of an architecture's own `syscall6`:
/// unused argument registers are passed as zero, which the kernel ignores.
#[cfg(any(target_arch = "powerpc", target_arch = "powerpc64", target_arch = "s390x"))]
mod fewer_args {
    #![allow(clippy::missing_safety_doc)]
    use super::imp::syscall6;
    // SAFETY (all six): forwarded from the caller's contract; extra zero
    // arguments are ignored by system calls that take fewer.
    #[inline]
    pub(crate) unsafe fn syscall0(n: usize) -> usize {
        // SAFETY: see above.
        unsafe { syscall6(n, 0, 0, 0, 0, 0, 0) }
    }
    #[inline]
    pub(crate) unsafe fn syscall1(n: usize, a: usize) -> usize {
        // SAFETY: see above.
        unsafe { syscall6(n, a, 0, 0, 0, 0, 0) }
    }
    #[inline]
    pub(crate) unsafe fn syscall2(n: usize, a: usize, b: usize) -> usize {
        // SAFETY: see above.
        unsafe { syscall6(n, a, b, 0, 0, 0, 0) }
    }
    #[inline]
    pub(crate) unsafe fn syscall3(n: usize, a: usize, b: usize, c: usize) -> usize {
        // SAFETY: see above.
        unsafe { syscall6(n, a, b, c, 0, 0, 0) }
    }
    #[inline]
    pub(crate) unsafe fn syscall4(n: usize, a: usize, b: usize, c: usize, d: usize) -> usize {
        // SAFETY: see above.
        unsafe { syscall6(n, a, b, c, d, 0, 0) }
    }
    #[inline]
    pub(crate) unsafe fn syscall5(n: usize, a: usize, b: usize, c: usize, d: usize, e: usize) -> usize {
        // SAFETY: see above.
        unsafe { syscall6(n, a, b, c, d, e, 0) }
    }
}
#[cfg(any(target_arch = "powerpc", target_arch = "powerpc64", target_arch = "s390x"))]
pub(crate) use fewer_args::{syscall0, syscall1, syscall2, syscall3, syscall4, syscall5};
