//! x86 (i386/i686, Linux).
//!
//! Entry (`_start`): esp points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`). Functions
//! take their arguments on the stack (cdecl), and Linux compilers expect
//! esp to be 16-byte aligned at a `call`. The end of the frame chain is
//! ebp = 0.

// Clears the frame pointer, aligns the stack so that it is 16-byte aligned
// at the call, and passes the initial stack pointer to `entry` on the
// stack.
entry_asm! {
    type_prefix: "@",
    trap: "ud2",
    start: [
        "xor ebp, ebp",
        "mov eax, esp",
        "and esp, -16",
        "sub esp, 12",
        "push eax",
        "call {start}",
        "ud2",
    ],
}
