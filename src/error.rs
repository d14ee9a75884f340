//! [`Error`]: everything that can go wrong, typed.

use crate::errno::Errno;
use core::fmt;

/// The crate's error: a kernel error, or a problem the crate detected itself.
///
/// Every variant that involves received descriptors states that they were
/// closed: an `Err` never leaves a descriptor open behind the caller's back.
///
/// # Examples
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
    /// that did arrive were closed by rawscm.
    ControlTruncated {
        /// Descriptors that arrived and were closed by rawscm (as everywhere
        /// in this crate: arrived, not handed to the caller).
        fds_closed: usize,
    },
    /// The datagram was longer than the data buffer (`MSG_TRUNC`); the rest
    /// is lost. Descriptors that arrived with it were closed by rawscm.
    DataTruncated {
        /// Descriptors that arrived and were closed by rawscm.
        fds_closed: usize,
    },
    /// More `SCM_RIGHTS` descriptors arrived than the caller's capacity; all
    /// of them were closed by rawscm. The count is always right: the helpers
    /// give the kernel room for [`SCM_MAX_FD`](crate::SCM_MAX_FD).
    TooManyFdsReceived {
        /// Descriptors that arrived (all closed by rawscm).
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
    /// The monotonic clock failed (`clock_gettime` returned this errno, for
    /// example under a seccomp filter), so no deadline can be kept: the
    /// wait is refused rather than made endless.
    Clock(Errno),
    /// The message did not match the protocol (for example, a ping byte
    /// other than the expected one).
    Protocol,
    /// A Unix socket address does not fit `sun_path` (108 bytes): a path
    /// takes at most 107 bytes plus its NUL, an abstract name at most 107
    /// after its leading NUL. Never truncated.
    AddressTooLong {
        /// Bytes given.
        len: usize,
        /// Most bytes allowed.
        max: usize,
    },
    /// Bytes that rawscm was given or received are not well formed.
    Malformed(Malformed),
    /// A fixed-capacity array (a [`CStrArray`](crate::CStrArray)) is full.
    ArrayFull {
        /// How many elements it holds at most.
        capacity: usize,
    },
    /// Socket activation: `LISTEN_PID` names another process, so the
    /// descriptors were passed to it, not to us (a child that inherited the
    /// environment); they were left alone.
    NotForThisProcess {
        /// The pid `LISTEN_PID` names.
        listen_pid: i32,
    },
}

/// What is wrong in [`Error::Malformed`].
///
/// # Examples
/// ```
/// use rawscm::{Error, Malformed, UnixAddr};
/// assert_eq!(UnixAddr::path(b"a\0b").unwrap_err(), Error::Malformed(Malformed::Nul));
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Malformed {
    /// Empty where something is needed (a path, a variable).
    Empty,
    /// A NUL byte inside a path, a name or a message.
    Nul,
    /// A line of `KEY=VALUE` assignments without `=`.
    NoEquals,
    /// Not a number in range where one is needed (`MAINPID=`, `ERRNO=`,
    /// `WATCHDOG_USEC=`, `LISTEN_FDS`, `LISTEN_PID`).
    Number,
    /// Parts that do not match in number (`LISTEN_FDNAMES` names more or
    /// fewer descriptors than `LISTEN_FDS` counts).
    Count,
    /// Not a socket address of a kind rawscm knows (`$NOTIFY_SOCKET` must
    /// start with `/` or `@`; a `sockaddr` must be `AF_UNIX`).
    Address,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformed::Empty => "empty",
            Malformed::Nul => "a NUL byte inside",
            Malformed::NoEquals => "a line without '='",
            Malformed::Number => "not a number in range",
            Malformed::Count => "a number of parts that does not match",
            Malformed::Address => "not an AF_UNIX address (a path starting with '/', or '@name')",
        })
    }
}

impl Error {
    /// The errno, when this is a kernel error.
    ///
    /// # Examples
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
            Error::TooManyFds { count } => {
                write!(f, "{count} descriptors in one message; the kernel accepts at most SCM_MAX_FD")
            }
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
            Error::Clock(e) => write!(f, "the monotonic clock failed ({e}): no deadline can be kept"),
            Error::Protocol => f.write_str("unexpected message from the peer"),
            Error::AddressTooLong { len, max } => {
                write!(f, "unix socket address of {len} bytes; at most {max} fit sun_path")
            }
            Error::Malformed(m) => write!(f, "malformed input: {m}"),
            Error::ArrayFull { capacity } => write!(f, "array full: it holds at most {capacity} elements"),
            Error::NotForThisProcess { listen_pid } => {
                write!(f, "LISTEN_PID={listen_pid} names another process: the descriptors are not ours")
            }
        }
    }
}

impl core::error::Error for Error {}

/// `Result` with this crate's [`Error`].
///
/// # Examples
/// ```
/// fn pair() -> rawscm::Result<()> {
///     let _ = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
///     Ok(())
/// }
/// assert!(pair().is_ok());
/// ```
pub type Result<T, E = Error> = core::result::Result<T, E>;
