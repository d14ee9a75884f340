//! Waiting for readability with a deadline that stays honest across `EINTR`.

use crate::fd::AsFd;
use crate::{sys, Errno, Error, Result};
use core::time::Duration;
use linux_raw_sys::general::POLLNVAL;

/// A point in time on the monotonic clock (`CLOCK_MONOTONIC`), so that
/// waits survive wall-clock changes and retries do not extend them.
///
/// ```
/// use core::time::Duration;
/// let d = rawscm::Deadline::after(Duration::from_secs(2));
/// assert!(d.remaining() <= Duration::from_secs(2));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deadline {
    ns: u64,
}

impl Deadline {
    /// `timeout` from now.
    ///
    /// `clock_gettime(CLOCK_MONOTONIC)`
    ///
    /// ```
    /// let d = rawscm::Deadline::after(core::time::Duration::ZERO);
    /// assert_eq!(d.remaining(), core::time::Duration::ZERO);
    /// ```
    ///
    /// # References
    /// - [clock_gettime(2)](https://man7.org/linux/man-pages/man2/clock_gettime.2.html)
    pub fn after(timeout: Duration) -> Deadline {
        let t = u64::try_from(timeout.as_nanos()).unwrap_or(u64::MAX);
        Deadline { ns: sys::monotonic_ns().saturating_add(t) }
    }

    /// Time left; zero once passed.
    ///
    /// ```
    /// let d = rawscm::Deadline::after(core::time::Duration::from_secs(60));
    /// assert!(d.remaining().as_secs() <= 60);
    /// ```
    pub fn remaining(self) -> Duration {
        Duration::from_nanos(self.ns.saturating_sub(sys::monotonic_ns()))
    }

    /// Whether the deadline has passed.
    ///
    /// ```
    /// assert!(rawscm::Deadline::after(core::time::Duration::ZERO).passed());
    /// ```
    pub fn passed(self) -> bool {
        self.remaining().is_zero()
    }
}

/// Waits until `fd` is readable (or the peer hung up, or has an error: the
/// next read reports which), at most until `deadline`.
///
/// `int ppoll(&(struct pollfd){fd, POLLIN}, 1, &remaining, NULL);`
///
/// `EINTR` is retried with the time that is left, so signals never extend
/// the wait. Errors: [`Error::Timeout`], `EBADF` for a closed descriptor.
///
/// ```
/// use core::time::Duration;
/// use rawscm::{wait_readable, Deadline, Error};
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// let soon = Deadline::after(Duration::from_millis(10));
/// assert_eq!(wait_readable(&b, soon), Err(Error::Timeout));
/// rawscm::send_fds(&a, b"x", &[])?;
/// wait_readable(&b, Deadline::after(Duration::from_secs(1)))?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [ppoll(2)](https://man7.org/linux/man-pages/man2/ppoll.2.html)
pub fn wait_readable(fd: impl AsFd, deadline: Deadline) -> Result<()> {
    let fd = fd.as_fd();
    loop {
        let left = deadline.remaining();
        let ns = u64::try_from(left.as_nanos()).unwrap_or(u64::MAX);
        match sys::ppoll_in(fd, ns) {
            Ok(0) if left.is_zero() => return Err(Error::Timeout),
            Ok(0) => continue, // woke early (clock granularity): re-check
            Ok(ev) if ev & POLLNVAL as i16 != 0 => return Err(Errno::EBADF.into()),
            Ok(_) => return Ok(()),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// [`wait_readable`] with a timeout from now.
///
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
