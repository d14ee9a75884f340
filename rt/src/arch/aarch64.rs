//! aarch64 (Linux).
//!
//! Entry (`_start`): sp points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`); sp is
//! 16-byte aligned. The first argument goes in x0. The end of the frame
//! chain is x29 (frame pointer) = x30 (link register) = 0.

// Clears the frame pointer and link register and passes the initial stack
// pointer (already aligned) to `entry`.
entry_asm! {
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
