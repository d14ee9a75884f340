//! powerpc (32-bit, big-endian, SysV ABI, Linux).
//!
//! Entry (`_start`): r1 points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`). The first
//! argument goes in r3; r1 must be 16-byte aligned, and a caller provides
//! a frame of at least 8 bytes: the back chain (0 ends the chain) and the
//! word where the callee saves its return address (LR). r2 (the thread
//! pointer) and r13 (the small-data pointer) are left as they are: nothing
//! here uses thread-local storage, and LLVM does not address small data
//! through r13.

// Passes the initial stack pointer to `entry`, aligns the stack to 16 bytes
// and pushes a 16-byte frame whose back chain is 0.
entry_asm! {
    type_prefix: "@",
    trap: "trap",
    start: [
        "mr 3, 1",
        "clrrwi 1, 1, 4",
        "li 0, 0",
        "mtlr 0",
        "stwu 0, -16(1)",
        "bl {start}",
        "trap",
    ],
}
