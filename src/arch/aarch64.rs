//! aarch64 (Linux).
//!
//! Syscall: `svc #0`; number in x8, arguments in x0..x5; result in x0
//! (-4095..=-1 is -errno); nothing else is clobbered.
//! No `fork` syscall (asm-generic table): fork is `clone(SIGCHLD, 0, ...)`.
//! `clone(flags, stack, parent_tid, tls, child_tid)`.

pub(crate) const FORK_NR: Option<u32> = None;

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;
