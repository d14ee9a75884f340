//! Unix-socket plumbing for Linux with no libc: `socketpair`, `fork` and
//! `waitid`, and `sendmsg`/`recvmsg` carrying descriptors (`SCM_RIGHTS`),
//! credentials (`SCM_CREDENTIALS`) and pidfds (`SCM_PIDFD`), through
//! control-message buffers that are sized at compile time, aligned for
//! `cmsghdr`, and live on the stack.
//!
//! `#![no_std]`, no allocator, system calls issued directly. Built for static
//! binaries, init programs (PID 1) and container helpers.
//!
//! ```
//! use rawscm::{recv_fds, send_fds, socketpair, AsFd, SocketFlags, SocketType};
//!
//! let (parent, child) = socketpair(SocketType::Stream, SocketFlags::default())?;
//! let (x, y) = socketpair(SocketType::Stream, SocketFlags::default())?;
//! send_fds(&parent, b"here", &[x.as_fd()])?; // the kernel duplicates `x`
//! let mut buf = [0u8; 4];
//! let (len, fds) = recv_fds::<1>(&child, &mut buf)?;
//! assert_eq!(&buf[..len], b"here");
//! assert_eq!(fds.len(), 1); // an OwnedFd: closed when dropped
//! # Ok::<(), rawscm::Error>(())
//! ```
//!
//! # Guarantees
//! - Every descriptor that arrives is owned by the caller or closed, whatever
//!   the control data looks like (truncation, surplus, unexpected types).
//! - No panic and no out-of-bounds read on any received bytes.
//! - Sends use `MSG_NOSIGNAL`, receives `MSG_CMSG_CLOEXEC`, sockets
//!   `SOCK_CLOEXEC`, unless the caller opts out with the `empty()` flags.
//! - Constants and struct layouts come from `linux-raw-sys` for the target
//!   architecture; the kernel's internal `SCM_MAX_FD` and `SCM_PIDFD` are
//!   documented where defined.
//!
//! # Architectures and kernels
//! x86_64, x86 (i686), aarch64, arm (armv7), riscv64, powerpc64le and s390x.
//! Linux 4.3+ (x86 needs the direct socket syscalls added in 4.3);
//! `SO_PASSPIDFD`/`SO_PEERPIDFD` need 6.5+ and report `ENOPROTOOPT` before.
//!
//! # Features
//! - `std`: conversions to and from `std::os::fd` types.
//! - `sc`: take the syscall instruction from the `sc` crate instead of
//!   `syscalls` (x86_64, aarch64, riscv64 only).
//! - `rt`: a runtime for `#![no_std]` + `#![no_main]` static binaries
//!   (`_start`, arguments, panic handler, memory functions, stdout; see the
//!   `rt` module, documented when the feature is on).

#![no_std]
#![deny(missing_docs, unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

#[cfg(any(test, feature = "std"))]
extern crate std;

mod arch;
mod cmsg;
mod errno;
mod error;
pub mod exec;
mod fd;
mod flags;
pub mod fs;
#[deny(unsafe_code)]
mod msg;
#[deny(unsafe_code)]
pub mod pidns;
#[deny(unsafe_code)]
mod poll;
pub mod process;
#[cfg(feature = "rt")]
pub mod rt;
#[deny(unsafe_code)]
mod socket;
mod sys;

pub use cmsg::{
    cmsg_len, cmsg_space, space_for_fds, CmsgBuffer, ControlMessage, ControlMessages, RawFds, SCM_MAX_FD,
    SCM_PIDFD, SPACE_CREDENTIALS, SPACE_PIDFD,
};
pub use errno::Errno;
pub use error::{Error, Result};
pub use exec::{execve, execveat, AtFlags, CStrArray};
pub use fd::{AsFd, BorrowedFd, OwnedFd};
pub use msg::{
    recv_credentials, recv_fds, recvmsg, send_credentials, send_fds, sendmsg, IoSlice, IoSliceMut, Received,
    RecvFlags, SendFlags,
};
pub use poll::{wait_readable, wait_readable_for, Deadline};
pub use process::{
    exit_group, fork, fork_new_pid_namespace, getgid, getpid, getuid, kill, try_waitid, waitid, ExitStatus,
    Fork, Pid,
};
pub use socket::{
    passcred, peercred, peerpidfd, set_passcred, set_passpidfd, socket_type, socketpair, SocketFlags,
    SocketType, Ucred,
};

/// Writes `n` in decimal into the end of `buf` and returns the digits
/// (without `core::fmt`, which costs kilobytes in a small binary).
fn decimal(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        start -= 1;
        if n == 0 {
            break;
        }
    }
    buf.get(start..).unwrap_or_default()
}
