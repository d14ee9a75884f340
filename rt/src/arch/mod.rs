//! The only per-architecture code of the runtime: `_start`.
//!
//! Each file carries an ABI summary at its top (what the kernel hands the
//! process at its entry point) and defines `_start` through
//! `entry_asm!`: set up what the ABI needs before any compiled code runs
//! (frame chain end, stack alignment, riscv64 `gp`, powerpc64 ELFv2 TOC,
//! s390x save area) and pass the initial stack pointer to
//! [`entry`](crate::start::entry).
//!
//! Nothing in `_start` uses an address that needs relocating: it runs before
//! the self-relocation, so every address it forms is PC-relative (or, in a
//! non-PIE executable, absolute and final).

/// Defines, in assembly, the weak `_start` (the given instructions, which
/// must pass the initial stack pointer to `crate::start::entry`, named
/// `{start}`), and a weak `rust_eh_personality` and `abort` that trap (see
/// `weak_trap!`).
///
/// `_start` is weak so that a link with the toolchain's crt objects (the
/// default build: `crt1.o`, `rcrt1.o` or `Scrt1.o` define `_start`) keeps
/// theirs; they then call this crate's `__libc_start_main`.
///
/// `$t` is the assembler's symbol-type prefix (`@`, or `%` on arm, where `@`
/// starts a comment); `$trap` an instruction that traps.
macro_rules! entry_asm {
    (type_prefix: $t:literal, trap: $trap:literal, start: [$($insn:literal),* $(,)?] $(,)?) => {
        core::arch::global_asm!(
            concat!(".pushsection .text._start,\"ax\",", $t, "progbits"),
            ".weak _start",
            concat!(".type _start, ", $t, "function"),
            "_start:",
            $($insn,)*
            ".size _start, . - _start",
            ".popsection",
            start = sym crate::start::entry,
        );
        weak_trap!("rust_eh_personality", $t, $trap);
        weak_trap!("abort", $t, $trap);
    };
    // The ELFv1 form (64-bit powerpc big-endian): there a function's symbol
    // names its descriptor in `.opd` (code address, TOC pointer,
    // environment), and the ELF entry point is `_start`'s descriptor, from
    // which the kernel loads the code address and r2 (adding the load base
    // in a position-independent executable, relocated or not).
    (type_prefix: $t:literal, trap: $trap:literal, descriptor: true, start: [$($insn:literal),* $(,)?] $(,)?) => {
        core::arch::global_asm!(
            ".pushsection .opd,\"aw\",@progbits",
            ".p2align 3",
            ".weak _start",
            ".type _start, @function",
            "_start:",
            ".quad .L._start, .TOC.@tocbase, 0",
            ".size _start, 24",
            ".popsection",
            concat!(".pushsection .text._start,\"ax\",", $t, "progbits"),
            ".L._start:",
            $($insn,)*
            ".popsection",
            start = sym crate::start::entry,
        );
        weak_trap!("rust_eh_personality", $t, $trap);
        weak_trap!("abort", $t, $trap);
    };
}

/// Defines, in assembly, a weak function `$name` that traps, for symbols
/// that something names but nothing calls:
/// - the personality routines of unwinding, which the prebuilt `core` names
///   in its unwind tables (`rust_eh_personality`; on arm also
///   `__aeabi_unwind_cpp_pr0` to `pr2`, which GNU ld insists on resolving):
///   nothing unwinds with `panic = "abort"`;
/// - C's `abort`, which the crt objects of some architectures (glibc's arm,
///   aarch64) call should `__libc_start_main` return, which this crate's
///   never does. A trap ends the process abnormally, as `abort` would.
///
/// Weak, so that a real one (should a program have it) wins.
macro_rules! weak_trap {
    ($name:literal, $t:literal, $trap:literal) => {
        core::arch::global_asm!(
            concat!(".pushsection .text.", $name, ",\"ax\",", $t, "progbits"),
            concat!(".weak ", $name),
            concat!(".type ", $name, ", ", $t, "function"),
            concat!($name, ":"),
            $trap,
            concat!(".size ", $name, ", . - ", $name),
            ".popsection",
        );
    };
}

#[cfg(target_arch = "aarch64")]
#[path = "aarch64.rs"]
mod imp;
#[cfg(target_arch = "arm")]
#[path = "arm.rs"]
mod imp;
#[cfg(target_arch = "powerpc")]
#[path = "powerpc.rs"]
mod imp;
#[cfg(target_arch = "powerpc64")]
#[path = "powerpc64.rs"]
mod imp;
#[cfg(target_arch = "riscv64")]
#[path = "riscv64.rs"]
mod imp;
#[cfg(target_arch = "s390x")]
#[path = "s390x.rs"]
mod imp;
#[cfg(target_arch = "x86")]
#[path = "x86.rs"]
mod imp;
#[cfg(target_arch = "x86_64")]
#[path = "x86_64.rs"]
mod imp;

// rawscm itself refuses other architectures with a compile error.
