//! arm (32-bit, EABI, Linux; armv7 hard-float is what is tested).
//!
//! Syscall: `svc #0`; number in r7, arguments in r0..r5; result in r0
//! (-4095..=-1 is -errno).
//! Has `fork`. `clone(flags, stack, parent_tid, tls, child_tid)`.
//! uid/gid syscalls: the `*32` variants (the plain ones are 16-bit).

use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;
