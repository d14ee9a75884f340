//! x86_64 (System V, Linux).
//!
//! Syscall: `syscall`; number in rax, arguments in rdi, rsi, rdx, r10, r8, r9;
//! result in rax (-4095..=-1 is -errno); rcx and r11 are clobbered.
//! Has `fork`. `clone(flags, stack, parent_tid, child_tid, tls)`.
//! Entry (`_start`): rsp points at argc, then argv[], NULL, envp[], NULL;
//! rsp must be 16-byte aligned before a `call`.

use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// First two `clone` arguments: flags, then the new stack (0: share the copy).
pub(crate) const fn clone_args(flags: usize) -> [usize; 2] {
    [flags, 0]
}
