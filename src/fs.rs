//! Plain `read(2)` and `write(2)` on any descriptor (re-exported at the
//! crate root), opening files, and putting a descriptor in place of standard
//! input, output or error: what a program that starts others (an init, a
//! test runner) needs around [`execve`](crate::execve).
//!
//! Files are opened read-only and close-on-exec; nothing here creates
//! files.

use crate::error::Result;
use crate::fd::{AsFd, OwnedFd};
use crate::sys;
use core::ffi::CStr;
use linux_raw_sys::general::{O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_RDONLY};

/// Flags for [`open`] (`O_*`), added to `O_RDONLY | O_CLOEXEC`. The
/// default is none.
///
/// # Examples
/// ```
/// use rawscm::fs::OpenFlags;
/// let f = OpenFlags::PATH | OpenFlags::NOFOLLOW;
/// assert!(f.contains(OpenFlags::PATH) && !f.contains(OpenFlags::DIRECTORY));
/// assert_eq!(OpenFlags::default(), OpenFlags::empty());
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenFlags(u32);

impl OpenFlags {
    /// `O_PATH`: a handle on the file that can neither read nor write, for
    /// [`execveat`](crate::execveat) with [`AtFlags::EMPTY_PATH`](crate::AtFlags::EMPTY_PATH)
    /// or `fstat`; needs no read permission.
    pub const PATH: OpenFlags = OpenFlags(O_PATH);
    /// `O_NOFOLLOW`: fail with `ELOOP` if the last component is a symbolic link.
    pub const NOFOLLOW: OpenFlags = OpenFlags(O_NOFOLLOW);
    /// `O_DIRECTORY`: fail with `ENOTDIR` unless it is a directory.
    pub const DIRECTORY: OpenFlags = OpenFlags(O_DIRECTORY);
    /// `O_NONBLOCK`: reads that would block fail with `EAGAIN`.
    pub const NONBLOCK: OpenFlags = OpenFlags(O_NONBLOCK);

    /// No flags: a plain read-only open.
    ///
    /// # Examples
    /// ```
    /// assert!(!rawscm::fs::OpenFlags::empty().contains(rawscm::fs::OpenFlags::PATH));
    /// ```
    pub const fn empty() -> Self {
        OpenFlags(0)
    }

    /// Whether all of `other` is set.
    ///
    /// # Examples
    /// ```
    /// use rawscm::fs::OpenFlags;
    /// assert!((OpenFlags::PATH | OpenFlags::NONBLOCK).contains(OpenFlags::NONBLOCK));
    /// ```
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for OpenFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        OpenFlags(self.0 | rhs.0)
    }
}

/// Opens the file at `path` (relative to the current directory unless
/// absolute) for reading, close-on-exec, with `flags` added.
///
/// `int openat(AT_FDCWD, const char *path, O_RDONLY | O_CLOEXEC | flags);`
///
/// # Errors
/// The kernel's: `ENOENT`, `EACCES`, `ELOOP` (with `NOFOLLOW`), `ENOTDIR` (with `DIRECTORY`), `EMFILE`.
///
/// # Examples
/// ```
/// use rawscm::fs::{open, read, OpenFlags};
/// let f = open(c"/proc/self/stat", OpenFlags::empty())?;
/// let mut buf = [0u8; 16];
/// assert!(read(&f, &mut buf)? > 0);
/// assert_eq!(open(c"/nonexistent", OpenFlags::empty()).unwrap_err().errno(), Some(rawscm::Errno::ENOENT));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [openat(2)](https://man7.org/linux/man-pages/man2/openat.2.html)
pub fn open(path: &CStr, flags: OpenFlags) -> Result<OwnedFd> {
    Ok(sys::open(path, O_RDONLY | flags.0)?)
}

/// Reads up to `buf.len()` bytes from `fd` into `buf`; returns how many
/// were read (0: end of file, or the peer of a stream closed it).
///
/// `ssize_t read(int fd, void *buf, size_t count);`
///
/// One system call: `EINTR` (a signal before any data arrived) is returned,
/// not retried; a non-blocking descriptor with nothing to read gives
/// `EAGAIN`.
///
/// # Errors
/// The kernel's errno: `EBADF`, `EAGAIN`, `EINTR` (returned, not retried), `EISDIR`, ...
///
/// # Examples
/// ```
/// use rawscm::{send_fds, socketpair, SocketType};
/// let (a, b) = socketpair(SocketType::Stream, Default::default())?;
/// send_fds(&a, b"hi", &[])?;
/// let mut buf = [0u8; 8];
/// let n = rawscm::fs::read(&b, &mut buf)?;
/// assert_eq!(&buf[..n], b"hi");
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [read(2)](https://man7.org/linux/man-pages/man2/read.2.html)
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

/// One of the standard descriptors, for [`dup_to_stdio`].
///
/// # Examples
/// ```
/// assert_ne!(rawscm::fs::Stdio::Output, rawscm::fs::Stdio::Error);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Stdio {
    /// Descriptor 0.
    Input,
    /// Descriptor 1.
    Output,
    /// Descriptor 2.
    Error,
}

/// Makes descriptor 0, 1 or 2 (`to`) refer to what `fd` refers to, closing
/// what it referred to before, in one step; the new descriptor is *not*
/// close-on-exec, so it survives [`execve`](crate::execve). `fd` itself
/// stays open. Typically done in a forked child just before `execve`.
///
/// `int dup3(int fd, int to, 0);` It fails with `EINVAL` if `fd` already
/// is `to`.
///
/// The standard descriptors are not owned by any [`OwnedFd`] of this crate
/// (nothing here closes 0, 1 or 2), so replacing one is safe.
///
/// # Errors
/// `EBADF` when `fd` is not open.
///
/// # Examples
/// ```no_run
/// use rawscm::fs::{dup_to_stdio, Stdio};
/// let (ours, theirs) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// // In a forked child: what the next program writes to stdout reaches `ours`.
/// dup_to_stdio(&theirs, Stdio::Output)?;
/// # drop(ours);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [dup3(2)](https://man7.org/linux/man-pages/man2/dup3.2.html)
pub fn dup_to_stdio(fd: impl AsFd, to: Stdio) -> Result<()> {
    let to = match to {
        Stdio::Input => 0,
        Stdio::Output => 1,
        Stdio::Error => 2,
    };
    // SAFETY: `to` is 0, 1 or 2, which no `OwnedFd` of this crate owns (see
    // above: the standard descriptors belong to the process).
    Ok(unsafe { sys::dup3(fd.as_fd(), to, 0) }?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::Errno;

    #[test]
    fn open_read_and_errors() {
        let f = open(c"/proc/self/status", OpenFlags::empty()).unwrap();
        let mut buf = [0u8; 5];
        assert_eq!(read(&f, &mut buf), Ok(5));
        assert_eq!(&buf, b"Name:");
        assert_eq!(
            open(c"/proc/self/status", OpenFlags::DIRECTORY).unwrap_err().errno(),
            Some(Errno::ENOTDIR)
        );
        let p = open(c"/proc/self/status", OpenFlags::PATH).unwrap();
        assert_eq!(read(&p, &mut buf).unwrap_err().errno(), Some(Errno::EBADF));
    }
}
