//! riscv64 (LP64D, Linux).
//!
//! Entry (`_start`): sp points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`). The first
//! argument goes in a0; sp must be 16-byte aligned. gp must be loaded from
//! `__global_pointer$` before any compiled code runs (the linker may relax
//! accesses to small data into gp-relative ones). The end of the frame chain
//! is ra = fp = 0.

// Loads gp from `__global_pointer$` PC-relatively (with relaxation off, or
// the linker would turn the load itself into a gp-relative no-op), clears
// the return address and frame pointer, passes the initial stack pointer to
// `entry`, and aligns the stack to 16 bytes.
entry_asm! {
    type_prefix: "@",
    trap: "unimp",
    start: [
        ".option push",
        ".option norelax",
        "lla gp, __global_pointer$",
        ".option pop",
        "li ra, 0",
        "li fp, 0",
        "mv a0, sp",
        "andi sp, sp, -16",
        "call {start}",
        "unimp",
    ],
}
