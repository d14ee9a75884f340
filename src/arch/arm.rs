//! arm (32-bit, EABI, Linux; armv7 hard-float is what is tested).
//!
//! Syscall: `svc #0`; number in r7, arguments in r0..r5; result in r0
//! (-4095..=-1 is -errno).
//! Has `fork`. `clone(flags, stack, parent_tid, tls, child_tid)`.
//! uid/gid syscalls: the `*32` variants (the plain ones are 16-bit).
//! Entry (`_start`): sp points at argc, then argv[], NULL, envp[], NULL.

use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;

// The process entry point of `rt` programs: clears the frame pointer and
// link register, passes the initial stack pointer to `rt::start`, and
// aligns the stack to 16 bytes (AAPCS needs 8 at a public interface).
// (See `rt_entry_asm!` in mod.rs.)
#[cfg(all(feature = "rt", not(test)))]
rt_entry_asm! {
    type_prefix: "%",
    trap: "udf #0",
    start: [
        "mov fp, #0",
        "mov lr, #0",
        "mov r0, sp",
        "bic r1, r0, #15",
        "mov sp, r1",
        "bl {start}",
        "udf #0",
    ],
}
