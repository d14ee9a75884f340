//! Plain `read(2)` and `write(2)` on any descriptor: the data path of a
//! pipe, a socket or a terminal when no ancillary data is involved.

use crate::fd::AsFd;
use crate::{sys, Result};

/// Reads up to `buf.len()` bytes from `fd` into `buf`; returns how many
/// were read (0: end of file, or the peer of a stream socket closed it).
///
/// `ssize_t read(int fd, void *buf, size_t count);`
///
/// One system call: a signal that interrupts it before any data arrived
/// gives `EINTR`, which is returned, not retried; a non-blocking descriptor
/// with nothing to read gives `EAGAIN`.
///
/// # Errors
/// The kernel's errno: `EBADF`, `EAGAIN`, `EINTR`, `EISDIR`, ...
///
/// # Examples
/// ```
/// use rawscm::{read, socketpair, write, SocketFlags, SocketType};
/// let (a, b) = socketpair(SocketType::Stream, SocketFlags::default())?;
/// assert_eq!(write(&a, b"hi")?, 2);
/// let mut buf = [0u8; 8];
/// let n = read(&b, &mut buf)?;
/// assert_eq!(&buf[..n], b"hi");
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
#[inline]
pub fn read(fd: impl AsFd, buf: &mut [u8]) -> Result<usize> {
    Ok(sys::read(fd.as_fd(), buf)?)
}

/// Writes up to `buf.len()` bytes of `buf` to `fd`; returns how many were
/// written, which may be fewer (a pipe or socket that is nearly full, a
/// signal after part of the data was written).
///
/// `ssize_t write(int fd, const void *buf, size_t count);`
///
/// One system call: `EINTR` (a signal before anything was written) is
/// returned, not retried. Writing to a pipe or stream socket whose reader
/// is gone raises `SIGPIPE` (fatal unless handled or ignored) and gives
/// `EPIPE`; [`send_fds`](crate::send_fds) and [`sendmsg`](crate::sendmsg)
/// use `MSG_NOSIGNAL` instead.
///
/// # Errors
/// The kernel's errno: `EBADF`, `EAGAIN`, `EINTR`, `EPIPE`, `ENOSPC`, ...
///
/// # Examples
/// ```
/// use rawscm::{read, socketpair, write, SocketFlags, SocketType};
/// let (a, b) = socketpair(SocketType::Datagram, SocketFlags::default())?;
/// write(&a, b"one datagram")?;
/// let mut buf = [0u8; 32];
/// assert_eq!(read(&b, &mut buf)?, 12);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
#[inline]
pub fn write(fd: impl AsFd, buf: &[u8]) -> Result<usize> {
    Ok(sys::write(fd.as_fd(), buf)?)
}
