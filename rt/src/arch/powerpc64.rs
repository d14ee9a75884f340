//! powerpc64 little-endian (ELFv2, Linux).
//!
//! Entry (`_start`): r1 points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`); r12 holds
//! the (run-time) address of `_start`, from which the function's global
//! entry point code derives the TOC pointer r2. The first argument goes in
//! r3; a caller provides a stack frame whose first word is the back chain
//! (0 ends the chain), and keeps r1 16-byte aligned.

// Sets the TOC pointer r2 from r12 (PC-relative, so right before relocation
// too), passes the initial stack pointer to `entry`, aligns the stack to 16
// bytes and pushes a minimal 32-byte frame whose back chain is 0.
entry_asm! {
    type_prefix: "@",
    trap: "trap",
    start: [
        "0: addis 2, 12, .TOC.-0b@ha",
        "addi 2, 2, .TOC.-0b@l",
        "mr 3, 1",
        "clrrdi 1, 1, 4",
        "li 0, 0",
        "mtlr 0",
        "stdu 0, -32(1)",
        "bl {start}",
        "nop",
        "trap",
    ],
}
