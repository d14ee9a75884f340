//! x86_64 (System V, Linux).
//!
//! Entry (`_start`): rsp points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`); rsp is
//! 16-byte aligned, and must be 16-byte aligned before a `call`. rdx holds
//! a function to register with `atexit` (0 from the kernel; ignored here).
//! The end of the frame chain is rbp = 0.

// Clears the frame pointer, passes the initial stack pointer to `entry`
// and aligns the stack to 16 bytes before the call.
entry_asm! {
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
