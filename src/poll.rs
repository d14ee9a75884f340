//! Waiting for readability with a deadline that stays honest across `EINTR`
//! and refuses to wait when the clock fails.

use crate::errno::Errno;
use crate::error::{Error, Result};
use crate::fd::{AsFd, BorrowedFd};
use crate::sys;
use core::time::Duration;
use linux_raw_sys::general::{POLLERR, POLLHUP, POLLIN, POLLNVAL, pollfd};

/// A point in time on the monotonic clock (`CLOCK_MONOTONIC`), so that
/// waits survive wall-clock changes and retries do not extend them.
///
/// If the clock fails (it cannot, unless a seccomp filter or an emulator
/// makes `clock_gettime` fail), the deadline remembers the error, and every
/// wait with it fails at once with [`Error::Clock`]: a deadline is never
/// silently turned into "wait forever".
///
/// # Examples
/// ```
/// use core::time::Duration;
/// let d = rawscm::Deadline::after(Duration::from_secs(2));
/// assert!(d.remaining()? <= Duration::from_secs(2));
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    /// Nanoseconds on the monotonic clock, or the clock's error.
    at: core::result::Result<u64, Errno>,
}

impl Deadline {
    /// `timeout` from now (a timeout too large to represent is the far
    /// future, about 584 years).
    ///
    /// `clock_gettime(CLOCK_MONOTONIC)` (`clock_gettime64` on 32-bit
    /// targets, falling back to `clock_gettime` on kernels before 5.1).
    ///
    /// # Examples
    /// ```
    /// let d = rawscm::Deadline::after(core::time::Duration::ZERO);
    /// assert_eq!(d.remaining()?, core::time::Duration::ZERO);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [clock_gettime(2)](https://man7.org/linux/man-pages/man2/clock_gettime.2.html)
    pub fn after(timeout: Duration) -> Deadline {
        let t = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
        Deadline { at: sys::monotonic_ns().map(|now| now.saturating_add(t)) }
    }

    /// Time left; zero once passed.
    ///
    /// # Errors
    /// [`Error::Clock`] if the clock failed, now or when the deadline was
    /// made.
    ///
    /// # Examples
    /// ```
    /// let d = rawscm::Deadline::after(core::time::Duration::from_secs(60));
    /// assert!(d.remaining()?.as_secs() <= 60);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn remaining(self) -> Result<Duration> {
        self.remaining_ns().map(Duration::from_nanos)
    }

    /// The earlier of two deadlines (a clock failure in either is kept).
    pub(crate) fn earlier(self, other: Deadline) -> Deadline {
        let at = match (self.at, other.at) {
            (Ok(a), Ok(b)) => Ok(a.min(b)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        Deadline { at }
    }

    /// [`remaining`](Self::remaining) in nanoseconds.
    pub(crate) fn remaining_ns(self) -> Result<u64> {
        let at = self.at.map_err(Error::Clock)?;
        let now = sys::monotonic_ns().map_err(Error::Clock)?;
        Ok(at.saturating_sub(now))
    }

    /// Whether the deadline has passed.
    ///
    /// # Errors
    /// [`Error::Clock`] if the clock failed.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::Deadline::after(core::time::Duration::ZERO).passed()?);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn passed(self) -> Result<bool> {
        Ok(self.remaining_ns()? == 0)
    }
}

/// `ppoll` on `fds` until at least one has events or `deadline` passes;
/// `EINTR` and early wake-ups are retried with the time that is left.
/// Returns the number of entries with events.
pub(crate) fn poll_until(fds: &mut [pollfd], deadline: Deadline) -> Result<usize> {
    loop {
        let ns = deadline.remaining_ns()?;
        match sys::ppoll(fds, ns) {
            Ok(0) if ns == 0 => return Err(Error::Timeout),
            Ok(0) => continue, // woke early (clock granularity): re-check
            Ok(n) => return Ok(n),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Waits until `fd` is readable (or the peer hung up, or has an error: the
/// next read reports which), at most until `deadline`.
///
/// `int ppoll(&(struct pollfd){fd, POLLIN}, 1, &remaining, NULL);`
/// (`ppoll_time64` on 32-bit targets, falling back to `ppoll` on kernels
/// before 5.1, with timeouts beyond 2^31 s clamped, never wrapped.)
///
/// `EINTR` is retried with the time that is left, so signals never extend
/// the wait.
///
/// # Errors
/// [`Error::Timeout`]; `EBADF` for a closed descriptor; [`Error::Clock`] if
/// the monotonic clock fails.
///
/// # Examples
/// ```
/// use core::time::Duration;
/// use rawscm::{wait_readable, Deadline, Error};
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// let soon = Deadline::after(Duration::from_millis(10));
/// assert_eq!(wait_readable(&b, soon), Err(Error::Timeout));
/// rawscm::send(&a, b"x")?;
/// wait_readable(&b, Deadline::after(Duration::from_secs(1)))?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [ppoll(2)](https://man7.org/linux/man-pages/man2/ppoll.2.html)
pub fn wait_readable(fd: impl AsFd, deadline: Deadline) -> Result<()> {
    let mut p = [pollfd { fd: fd.as_fd().as_raw_fd(), events: POLLIN as i16, revents: 0 }];
    poll_until(&mut p, deadline)?;
    if p[0].revents & POLLNVAL as i16 != 0 {
        return Err(Errno::EBADF.into());
    }
    Ok(())
}

/// [`wait_readable`] with a timeout from now.
///
/// # Errors
/// As [`wait_readable`].
///
/// # Examples
/// ```
/// use core::time::Duration;
/// let (_a, b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// assert_eq!(rawscm::wait_readable_for(&b, Duration::ZERO), Err(rawscm::Error::Timeout));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [ppoll(2)](https://man7.org/linux/man-pages/man2/ppoll.2.html)
pub fn wait_readable_for(fd: impl AsFd, timeout: Duration) -> Result<()> {
    wait_readable(fd, Deadline::after(timeout))
}

/// Waits until at least one of `fds` is readable (or hung up, or has an
/// error: the next read reports which), at most until `deadline`, and
/// returns which are. `None` entries are skipped (their slot is always
/// `false`), so that one array can serve a loop whose set changes.
///
/// `int ppoll(fds, N, &remaining, NULL);` with `POLLIN` for each, the same
/// honest deadline as [`wait_readable`]: `EINTR` and early wake-ups are
/// retried with the time that is left.
///
/// What "readable" means for the descriptors of this crate: a socket has
/// data, a connection to accept, or its peer closed; a
/// [`Pidfd`](crate::pidfd::Pidfd) refers to a process that has ended; a
/// [`SignalFd`](crate::signal::SignalFd) has a pending signal.
///
/// # Errors
/// [`Error::Timeout`]; `EBADF` if a descriptor is not open (`POLLNVAL`);
/// [`Error::Clock`] if the monotonic clock fails; `EINVAL` for more
/// descriptors than `RLIMIT_NOFILE`.
///
/// # Examples
/// ```
/// use core::time::Duration;
/// use rawscm::{poll, send, socketpair, AsFd, Deadline, SocketType};
/// let (a, b) = socketpair(SocketType::Datagram, Default::default())?;
/// let (c, d) = socketpair(SocketType::Datagram, Default::default())?;
/// send(&c, b"x")?;
/// let ready = poll([Some(b.as_fd()), Some(d.as_fd()), None], Deadline::after(Duration::from_secs(1)))?;
/// assert_eq!(ready, [false, true, false]);
/// # let _ = a;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [ppoll(2)](https://man7.org/linux/man-pages/man2/ppoll.2.html)
pub fn poll<const N: usize>(fds: [Option<BorrowedFd<'_>>; N], deadline: Deadline) -> Result<[bool; N]> {
    let mut p =
        fds.map(|fd| pollfd { fd: fd.map_or(-1, |fd| fd.as_raw_fd()), events: POLLIN as i16, revents: 0 });
    poll_until(&mut p, deadline)?;
    if p.iter().any(|p| p.revents & POLLNVAL as i16 != 0) {
        return Err(Errno::EBADF.into());
    }
    Ok(p.map(|p| p.revents & (POLLIN | POLLHUP | POLLERR) as i16 != 0))
}
