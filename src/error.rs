//! [`Error`]: everything that can go wrong, typed.

use crate::Errno;
use core::fmt;

/// The crate's error: a kernel error, or a problem the crate detected itself.
///
/// Every variant that involves received descriptors states that they were
/// closed: an `Err` never leaves a descriptor open behind the caller's back.
///
/// ```
/// use rawscm::{Error, Errno};
/// let e = Error::from(Errno::EBADF);
/// assert_eq!(e.errno(), Some(Errno::EBADF));
/// assert_eq!(e.to_string(), "EBADF: bad file descriptor");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A system call failed with this errno.
    Os(Errno),
    /// A control message does not fit in the control buffer.
    ControlBufferFull {
        /// Bytes the message needs (`CMSG_SPACE` of its payload).
        needed: usize,
        /// Bytes left in the buffer.
        available: usize,
    },
    /// More descriptors than the kernel accepts in one message
    /// ([`SCM_MAX_FD`](crate::SCM_MAX_FD), 253).
    TooManyFds {
        /// Descriptors the caller tried to attach.
        count: usize,
    },
    /// Ancillary data was given with no data byte: on a stream socket the
    /// kernel would silently drop the descriptors, so the crate refuses.
    NoDataByte,
    /// The kernel truncated the control data (`MSG_CTRUNC`): the receive
    /// buffer was too small, or `RLIMIT_NOFILE` was reached. Descriptors
    /// that did arrive were closed.
    ControlTruncated {
        /// Descriptors that arrived and were closed.
        fds_closed: usize,
    },
    /// The datagram was longer than the data buffer (`MSG_TRUNC`); the rest
    /// is lost. Descriptors that arrived with it were closed.
    DataTruncated {
        /// Descriptors that arrived and were closed.
        fds_closed: usize,
    },
    /// More descriptors arrived than the caller's capacity; all of them were
    /// closed.
    TooManyFdsReceived {
        /// Descriptors that arrived (and were closed).
        received: usize,
        /// The caller's capacity.
        capacity: usize,
    },
    /// The message carried no `SCM_CREDENTIALS` (is `SO_PASSCRED` set on
    /// the receiving socket, before the peer sent?).
    NoCredentials,
    /// The peer closed the connection (end of stream).
    PeerClosed,
    /// The deadline passed.
    Timeout,
    /// The message did not match the protocol (for example, a ping byte
    /// other than the expected one).
    Protocol,
    /// A fixed-capacity array (a [`CStrArray`](crate::CStrArray)) is full.
    ArrayFull {
        /// How many elements it holds at most.
        capacity: usize,
    },
}

impl Error {
    /// The errno, when this is a kernel error.
    ///
    /// ```
    /// assert_eq!(rawscm::Error::Timeout.errno(), None);
    /// ```
    pub const fn errno(self) -> Option<Errno> {
        match self {
            Error::Os(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Errno> for Error {
    fn from(e: Errno) -> Self {
        Error::Os(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::Os(e) => fmt::Display::fmt(&e, f),
            Error::ControlBufferFull { needed, available } => {
                write!(f, "control message needs {needed} bytes, {available} left in the buffer")
            }
            Error::TooManyFds { count } => write!(
                f,
                "{count} descriptors in one message; the kernel accepts at most {}",
                crate::SCM_MAX_FD
            ),
            Error::NoDataByte => f.write_str("ancillary data needs at least one data byte"),
            Error::ControlTruncated { fds_closed } => {
                write!(f, "control data truncated (MSG_CTRUNC); {fds_closed} received descriptors closed")
            }
            Error::DataTruncated { fds_closed } => write!(
                f,
                "message longer than the buffer (MSG_TRUNC); {fds_closed} received descriptors closed"
            ),
            Error::TooManyFdsReceived { received, capacity } => {
                write!(f, "{received} descriptors received, capacity {capacity}; all closed")
            }
            Error::NoCredentials => f.write_str("no SCM_CREDENTIALS in the message"),
            Error::PeerClosed => f.write_str("peer closed the connection"),
            Error::Timeout => f.write_str("timed out"),
            Error::Protocol => f.write_str("unexpected message from the peer"),
            Error::ArrayFull { capacity } => write!(f, "array full: it holds at most {capacity} elements"),
        }
    }
}

impl core::error::Error for Error {}

/// `Result` with this crate's [`Error`].
///
/// ```
/// fn pair() -> rawscm::Result<()> {
///     let _ = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
///     Ok(())
/// }
/// assert!(pair().is_ok());
/// ```
pub type Result<T, E = Error> = core::result::Result<T, E>;
