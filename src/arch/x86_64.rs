//! x86_64 (System V, Linux).
//!
//! Syscall: `syscall`; number in rax, arguments in rdi, rsi, rdx, r10, r8, r9;
//! result in rax (-4095..=-1 is -errno); rcx and r11 are clobbered.
//! Has `fork`. `clone(flags, stack, parent_tid, child_tid, tls)`.
//! Entry (`_start`): rsp points at argc, then argv[], NULL, envp[], NULL;
//! rsp must be 16-byte aligned before a `call`.

use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;

// The process entry point of `rt` programs: clears the frame pointer (the
// end of the frame chain), passes the initial stack pointer to
// `rt::start`, and aligns the stack to 16 bytes before the call.
// (See `rt_entry_asm!` in mod.rs.)
#[cfg(all(feature = "rt", not(test)))]
rt_entry_asm! {
    type_prefix: "@",
    trap: "ud2",
    start: [
        "xor ebp, ebp",
        "mov rdi, rsp",
        "and rsp, -16",
        "call {start}",
        "ud2",
    ],
}
