//! s390x (z/Architecture, Linux; big-endian, 64-bit).
//!
//! Entry (`_start`): r15 points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`). The first
//! argument goes in r2; a caller provides 160 bytes of register save area
//! below r15, whose first word is the back chain (0 ends the chain).

// Passes the initial stack pointer to `entry`, aligns r15 to 8 bytes and
// reserves the 160-byte register save area a callee may use, with a back
// chain of 0.
entry_asm! {
    type_prefix: "@",
    trap: ".word 0",
    start: [
        "lgr %r2, %r15",
        "nill %r15, 0xfff8",
        "aghi %r15, -160",
        "lghi %r0, 0",
        "stg %r0, 0(%r15)",
        "brasl %r14, {start}",
        ".word 0",
    ],
}
