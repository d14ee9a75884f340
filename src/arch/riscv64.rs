//! riscv64 (LP64D, Linux).
//!
//! Syscall: `ecall`; number in a7, arguments in a0..a5; result in a0
//! (-4095..=-1 is -errno).
//! No `fork` syscall (asm-generic table): fork is `clone(SIGCHLD, 0, ...)`.
//! `clone(flags, stack, parent_tid, tls, child_tid)`.
//! Entry (`_start`): sp points at argc, then argv[], NULL, envp[], NULL;
//! gp must be set up from `__global_pointer$` before any Rust code runs.

pub(crate) const FORK_NR: Option<u32> = None;

/// First two `clone` arguments: flags, then the new stack (0: share the copy).
pub(crate) const fn clone_args(flags: usize) -> [usize; 2] {
    [flags, 0]
}
