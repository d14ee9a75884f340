//! powerpc64 (Linux): little-endian with the ELFv2 ABI (powerpc64le), and
//! big-endian with the ELFv1 ABI (what Rust's `powerpc64-unknown-linux-gnu`
//! uses).
//!
//! Entry (`_start`): r1 points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`). The first
//! argument goes in r3; a caller provides a stack frame whose first word is
//! the back chain (0 ends the chain), and keeps r1 16-byte aligned.
//!
//! - ELFv2: r12 holds the (run-time) address of `_start`, from which the
//!   function's global entry point code derives the TOC pointer r2. The
//!   smallest frame is 32 bytes.
//! - ELFv1: the entry point is `_start`'s function descriptor in `.opd`;
//!   the kernel (and qemu-user) jumps to the code address it holds and loads
//!   r2 from its second word, adding the load base to both in a
//!   position-independent executable, so r2 is right before relocation. The
//!   smallest frame is 112 bytes (48 of header, 64 of parameter save area,
//!   which a callee may write).

// Which ABI: `target_abi` ("elfv1" or "elfv2"), which every rustc that can
// build rawscm here reports (powerpc inline asm, which rawscm needs, is
// stable from Rust 1.95; rustc 1.88 reported no ABI); the endianness alone
// does not tell (powerpc64-unknown-linux-musl is ELFv2 big-endian).

// Sets the TOC pointer r2 from r12 (PC-relative, so right before relocation
// too), passes the initial stack pointer to `entry`, aligns the stack to 16
// bytes and pushes a minimal 32-byte frame whose back chain is 0.
#[cfg(not(target_abi = "elfv1"))]
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

// r2 is set already (from the descriptor); passes the initial stack pointer
// to `entry`, aligns the stack to 16 bytes and pushes a minimal 112-byte
// frame whose back chain is 0.
#[cfg(target_abi = "elfv1")]
entry_asm! {
    type_prefix: "@",
    trap: "trap",
    descriptor: true,
    start: [
        "mr 3, 1",
        "clrrdi 1, 1, 4",
        "li 0, 0",
        "mtlr 0",
        "stdu 0, -112(1)",
        "bl {start}",
        "nop",
        "trap",
    ],
}
