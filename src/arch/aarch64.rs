//! aarch64 (Linux).
//!
//! Syscall: `svc #0`; number in x8, arguments in x0..x5; result in x0
//! (-4095..=-1 is -errno); nothing else is clobbered.
//! No `fork` syscall (asm-generic table): fork is `clone(SIGCHLD, 0, ...)`.
//! `clone(flags, stack, parent_tid, tls, child_tid)`.
//! Entry (`_start`): sp points at argc, then argv[], NULL, envp[], NULL;
//! sp is 16-byte aligned.

pub(crate) const FORK_NR: Option<u32> = None;

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;

// The process entry point of `rt` programs: clears the frame pointer and
// link register (the end of the frame chain), passes the initial stack
// pointer (16-byte aligned by the kernel) to `rt::start`.
// (See `rt_entry_asm!` in mod.rs.)
#[cfg(all(feature = "rt", not(test)))]
rt_entry_asm! {
    type_prefix: "@",
    trap: "brk #1",
    start: [
        "mov x29, #0",
        "mov x30, #0",
        "mov x0, sp",
        "bl {start}",
        "brk #1",
    ],
}
