//! riscv64 (LP64D, Linux).
//!
//! Syscall: `ecall`; number in a7, arguments in a0..a5; result in a0
//! (-4095..=-1 is -errno).
//! No `fork` syscall (asm-generic table): fork is `clone(SIGCHLD, 0, ...)`.
//! `clone(flags, stack, parent_tid, tls, child_tid)`.
//! Entry (`_start`): sp points at argc, then argv[], NULL, envp[], NULL;
//! gp must be set up from `__global_pointer$` before any Rust code runs.

pub(crate) const FORK_NR: Option<u32> = None;

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;

// The process entry point of `rt` programs: loads `gp` from
// `__global_pointer$` (with relaxation off, or the linker would turn the
// load into a gp-relative no-op), clears the return address and frame
// pointer, passes the initial stack pointer to `rt::start`, and aligns the
// stack to 16 bytes.
// (See `rt_entry_asm!` in mod.rs.)
#[cfg(all(feature = "rt", not(test)))]
rt_entry_asm! {
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
