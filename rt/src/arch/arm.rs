//! arm (32-bit, EABI, Linux; armv7 hard-float is what is tested).
//!
//! Entry (`_start`): sp points at argc, then argv[], NULL, envp[], NULL,
//! then the auxiliary vector (pairs of words up to `AT_NULL`). The first
//! argument goes in r0; AAPCS wants sp 8-byte aligned at a public
//! interface. The end of the frame chain is fp = lr = 0.

// Clears the frame pointer and link register, passes the initial stack
// pointer to `entry`, and aligns the stack to 16 bytes.
entry_asm! {
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

// The EHABI personality routines that the `.ARM.exidx` unwind entries name:
// GNU ld (a default build on this target) wants them defined.
weak_trap!("__aeabi_unwind_cpp_pr0", "%", "udf #0");
weak_trap!("__aeabi_unwind_cpp_pr1", "%", "udf #0");
weak_trap!("__aeabi_unwind_cpp_pr2", "%", "udf #0");
