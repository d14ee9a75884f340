//! riscv64 (LP64D, Linux).
//!
//! Syscall: `ecall`; number in a7, arguments in a0..a5; result in a0
//! (-4095..=-1 is -errno).
//! No `fork` syscall (asm-generic table): fork is `clone(SIGCHLD, 0, ...)`.
//! `clone(flags, stack, parent_tid, tls, child_tid)`.

pub(crate) const FORK_NR: Option<u32> = None;

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;
