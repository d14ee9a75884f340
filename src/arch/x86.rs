//! x86 (i386/i686, Linux).
//!
//! Syscall: `int $0x80`; number in eax, arguments in ebx, ecx, edx, esi, edi,
//! ebp; result in eax (-4095..=-1 is -errno). The direct socket syscalls
//! (`socketpair`, `sendmsg`, `recvmsg`, `setsockopt`, ...) exist since Linux
//! 4.3; older kernels only offer `socketcall`, which this crate does not use,
//! so the minimum kernel on i386 is 4.3.
//! Has `fork`. `clone(flags, stack, parent_tid, tls, child_tid)`.
//! uid/gid syscalls: the `*32` variants (the plain ones are 16-bit).
//! Entry (`_start`): esp points at argc, then argv[], NULL, envp[], NULL.

use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;

// The process entry point of `rt` programs: clears the frame pointer,
// aligns the stack so that it is 16-byte aligned at the call (the i386
// psABI as Linux compilers use it), and passes the initial stack pointer to
// `rt::start` on the stack (cdecl).
// (See `rt_entry_asm!` in mod.rs.)
#[cfg(all(feature = "rt", not(test)))]
rt_entry_asm! {
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
