//! aarch64 (Linux).
//!
//! Syscall: `svc #0`; number in x8, arguments in x0..x5; result in x0
//! (-4095..=-1 is -errno); nothing else is clobbered.
//! No `fork` syscall (asm-generic table): fork is `clone(SIGCHLD, 0, ...)`.
//! `clone(flags, stack, parent_tid, tls, child_tid)`.
//! Entry (`_start`): sp points at argc, then argv[], NULL, envp[], NULL;
//! sp is 16-byte aligned.

pub(crate) const FORK_NR: Option<u32> = None;

/// First two `clone` arguments: flags, then the new stack (0: share the copy).
pub(crate) const fn clone_args(flags: usize) -> [usize; 2] {
    [flags, 0]
}
