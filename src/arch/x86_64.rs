//! x86_64 (System V, Linux).
//!
//! Syscall: `syscall`; number in rax, arguments in rdi, rsi, rdx, r10, r8, r9;
//! result in rax (-4095..=-1 is -errno); rcx and r11 are clobbered.
//! Has `fork`. `clone(flags, stack, parent_tid, child_tid, tls)`.

use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;
