//! Printing without std: [`Stdout`], [`Stderr`], [`write_all`], [`Line`],
//! [`decimal`], and the default panic handler [`panic()`](crate::panic)
//! built on them.

use core::fmt;
use rawscm::{AsFd, BorrowedFd, Errno, Error, Result};

/// Writes all of `buf` to `fd` with [`rawscm::write`], retrying on `EINTR`
/// and after short writes.
///
/// `ssize_t write(int fd, const void *buf, size_t count);`, as often as
/// needed.
///
/// # Errors
/// The first error of `write(2)` other than `EINTR`; `EIO` if it wrote
/// nothing without an error.
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// rawscm_rt::write_all(rawscm_rt::Stdout, b"ready\n")?;
/// ```
///
/// # References
/// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
pub fn write_all(fd: impl AsFd, mut buf: &[u8]) -> Result<()> {
    let fd = fd.as_fd();
    while !buf.is_empty() {
        let errno = match rawscm::write(fd, buf) {
            Ok(0) => Errno::EIO,
            Ok(n) => {
                buf = buf.get(n..).unwrap_or_default();
                continue;
            }
            Err(Error::Os(Errno::EINTR)) => continue,
            // `write` fails with an errno only; passing that on, rather
            // than the whole `Error`, keeps this loop as small as a C one.
            Err(Error::Os(errno)) => errno,
            Err(e) => return Err(e),
        };
        return Err(errno.into());
    }
    Ok(())
}

/// Standard output (fd 1) as a [`core::fmt::Write`] over `write(2)`, and
/// as a descriptor for [`write_all`] and the rest of rawscm.
///
/// Unbuffered: each `write_str` is one or more `write` calls.
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// use core::fmt::Write;
/// let _ = writeln!(rawscm_rt::Stdout, "{} + {} = {}", 1, 2, 1 + 2);
/// let _ = rawscm_rt::write_all(rawscm_rt::Stdout, b"no core::fmt here\n");
/// ```
///
/// # References
/// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
/// - [stdout(3)](https://man7.org/linux/man-pages/man3/stdout.3.html)
#[derive(Copy, Clone, Debug, Default)]
pub struct Stdout;

/// Standard error (fd 2) as a [`core::fmt::Write`] over `write(2)`, and as
/// a descriptor for [`write_all`] and the rest of rawscm.
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// use core::fmt::Write;
/// let _ = writeln!(rawscm_rt::Stderr, "warning: {} retries", 3);
/// ```
///
/// # References
/// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
/// - [stdout(3)](https://man7.org/linux/man-pages/man3/stdout.3.html)
#[derive(Copy, Clone, Debug, Default)]
pub struct Stderr;

/// fd 0, 1 or 2: open for the life of the process, or the write fails with
/// `EBADF`, which is reported, not undefined.
fn stdio(fd: i32) -> BorrowedFd<'static> {
    // SAFETY: the standard descriptors are never closed by this crate; if
    // the program closed one, `write` reports EBADF (or writes to whatever
    // the program opened in its place, as C's stdio would).
    unsafe { BorrowedFd::borrow_raw(fd) }
}

impl AsFd for Stdout {
    fn as_fd(&self) -> BorrowedFd<'_> {
        stdio(1)
    }
}

impl AsFd for Stderr {
    fn as_fd(&self) -> BorrowedFd<'_> {
        stdio(2)
    }
}

impl fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(stdio(1), s.as_bytes()).map_err(|_| fmt::Error)
    }
}

impl fmt::Write for Stderr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(stdio(2), s.as_bytes()).map_err(|_| fmt::Error)
    }
}

/// One line of text built in a fixed buffer of `N` bytes and written with
/// a single `write(2)`, so that no other writer (kernel messages on a
/// console, another process on a shared pipe) lands in its middle: what an
/// init or a supervisor prints. Text beyond `N - 1` bytes is cut (the last
/// byte is kept for the newline); formatting into it never fails.
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// use core::fmt::Write;
/// let mut line = rawscm_rt::Line::<128>::new();
/// let _ = write!(line, "child {} exited with status {}", 42, 0);
/// line.push(b" (raw bytes too)");
/// let _ = line.print(rawscm_rt::Stdout);
/// ```
#[derive(Clone, Debug)]
pub struct Line<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Line<N> {
    /// An empty line.
    pub const fn new() -> Self {
        Line { buf: [0; N], len: 0 }
    }

    /// Appends `bytes`, as far as they fit in `N - 1` bytes.
    pub fn push(&mut self, bytes: &[u8]) {
        let room = N.saturating_sub(1).saturating_sub(self.len);
        let take = bytes.get(..room).unwrap_or(bytes);
        if let Some(to) = self.buf.get_mut(self.len..self.len + take.len()) {
            to.copy_from_slice(take);
            self.len += take.len();
        }
    }

    /// The text so far, without a newline.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    /// The text with its newline (none when `N` is 0), ready for one
    /// `write(2)`.
    pub fn finish(&mut self) -> &[u8] {
        match self.buf.get_mut(self.len) {
            Some(end) => {
                *end = b'\n';
                self.buf.get(..=self.len).unwrap_or_default()
            }
            None => self.as_bytes(),
        }
    }

    /// Writes the line and its newline to `fd` with [`write_all`]: one
    /// `write(2)` unless the kernel writes less.
    ///
    /// # Errors
    /// As [`write_all`].
    ///
    /// # References
    /// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
    pub fn print(mut self, fd: impl AsFd) -> Result<()> {
        write_all(fd, self.finish())
    }
}

impl<const N: usize> Default for Line<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Write for Line<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// Formats `n` in decimal into the end of `buf`, without `core::fmt` (which
/// costs kilobytes in a small binary), and returns the digits.
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// let mut buf = [0u8; 10];
/// let _ = rawscm_rt::write_all(rawscm_rt::Stdout, rawscm_rt::decimal(4096, &mut buf).as_bytes());
/// ```
pub fn decimal(n: u32, buf: &mut [u8; 10]) -> &str {
    let digits = rawscm::__decimal(n, buf);
    // SAFETY: `__decimal` writes ASCII digits only (checking UTF-8 instead
    // would link the validator into every small binary).
    unsafe { core::str::from_utf8_unchecked(digits) }
}

/// The panic handler that [`entry!`](crate::entry) installs unless given
/// another: writes `panicked at FILE:LINE: MESSAGE` to stderr (the message
/// only when it is a plain string, so that `core::fmt` is not linked in)
/// and exits with status 101.
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// // A handler of your own that also uses it:
/// rawscm_rt::entry!(main, panic_handler = my_panic);
/// fn my_panic(info: &core::panic::PanicInfo<'_>) -> ! {
///     let _ = rawscm_rt::write_all(rawscm_rt::Stderr, b"my program: ");
///     rawscm_rt::panic(info)
/// }
/// ```
pub fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let err = Stderr;
    let mut line = [0u8; 10];
    let _ = write_all(err, b"panicked");
    if let Some(at) = info.location() {
        let _ = write_all(err, b" at ");
        let _ = write_all(err, at.file().as_bytes());
        let _ = write_all(err, b":");
        let _ = write_all(err, decimal(at.line(), &mut line).as_bytes());
    }
    if let Some(msg) = info.message().as_str() {
        let _ = write_all(err, b": ");
        let _ = write_all(err, msg.as_bytes());
    }
    let _ = write_all(err, b"\n");
    rawscm::exit_group(101)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_formats_every_width() {
        let mut buf = [0u8; 10];
        assert_eq!(decimal(0, &mut buf), "0");
        assert_eq!(decimal(7, &mut buf), "7");
        assert_eq!(decimal(10, &mut buf), "10");
        assert_eq!(decimal(4_194_304, &mut buf), "4194304");
        assert_eq!(decimal(u32::MAX, &mut buf), "4294967295");
    }

    #[test]
    fn write_all_reports_bad_fd() {
        // SAFETY: a descriptor number that is not open: write reports EBADF.
        let bad = unsafe { BorrowedFd::borrow_raw(-1) };
        assert_eq!(write_all(bad, b"x"), Err(Errno::EBADF.into()));
        assert_eq!(write_all(bad, b""), Ok(()));
    }

    #[test]
    fn a_line_is_cut_to_keep_its_newline_and_printed_in_one_piece() {
        use core::fmt::Write;
        let mut line = Line::<8>::new();
        let _ = write!(line, "ab{}", 12);
        line.push(b"");
        assert_eq!(line.as_bytes(), b"ab12");
        line.push(b"345678");
        assert_eq!(line.as_bytes(), b"ab12345", "cut at N - 1");
        assert_eq!(line.finish(), b"ab12345\n");
        let (a, b) = rawscm::socketpair(rawscm::SocketType::SeqPacket, Default::default()).unwrap();
        line.print(&a).unwrap();
        let mut buf = [0u8; 16];
        let n = rawscm::read(&b, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"ab12345\n", "one message: one write");
        // The degenerate sizes neither panic nor overrun.
        let mut one = Line::<1>::new();
        one.push(b"x");
        assert_eq!(one.finish(), b"\n");
        let mut none = Line::<0>::new();
        none.push(b"x");
        assert_eq!(none.finish(), b"");
    }

    #[test]
    fn write_all_writes_everything() {
        let (a, b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default()).unwrap();
        write_all(&a, b"all of it").unwrap();
        let mut buf = [0u8; 16];
        let n = rawscm::read(&b, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"all of it");
    }
}
