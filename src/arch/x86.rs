//! x86 (i386/i686, Linux).
//!
//! Syscall: `int $0x80`; number in eax, arguments in ebx, ecx, edx, esi, edi,
//! ebp; result in eax (-4095..=-1 is -errno). The direct socket syscalls
//! (`socketpair`, `sendmsg`, `recvmsg`, `setsockopt`, ...) exist since Linux
//! 4.3; older kernels only offer `socketcall`, which this crate does not use,
//! so the minimum kernel on i386 is 4.3.
//! Has `fork`. `clone(flags, stack, parent_tid, tls, child_tid)`.
//! uid/gid syscalls: the `*32` variants (the plain ones are 16-bit).

use linux_raw_sys::general::__NR_fork;

pub(crate) const FORK_NR: Option<u32> = Some(__NR_fork);

/// `clone` takes flags first, then the new stack.
pub(crate) const CLONE_STACK_FIRST: bool = false;
