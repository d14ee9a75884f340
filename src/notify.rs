//! `sd_notify`, both sides: tell a service manager about readiness and
//! status ([`notify`], [`Notification`], [`barrier`]), and be one
//! ([`NotifySocket`]: receive, attribute and parse what services say).
//!
//! The protocol (systemd's `sd_notify(3)`): one datagram to the socket named
//! by `$NOTIFY_SOCKET` (a path, or `@name` for an abstract socket), holding
//! newline-separated `KEY=VALUE` assignments, sent with `MSG_NOSIGNAL`; the
//! manager turns `SO_PASSCRED` on and attributes each message by the pid the
//! kernel attaches. `FDSTORE=1` messages carry descriptors (`SCM_RIGHTS`);
//! `BARRIER=1` carries the write end of a pipe that the manager closes once
//! it has processed everything before it.
//!
//! No allocation: messages are built by the caller and parsed in place.
//!
//! # Examples
//! ```
//! use rawscm::notify::{notify, Assignment, NotifySocket};
//! use rawscm::UnixAddr;
//! // A manager's side (in one process here, for the example).
//! let manager = NotifySocket::bind(&UnixAddr::unnamed(), false)?;
//! let addr = rawscm::getsockname(&manager)?;
//! // A service's side.
//! notify(&addr, b"READY=1\nSTATUS=serving")?;
//! let mut buf = [0u8; 4096];
//! let msg = manager.recv::<0>(&mut buf)?;
//! assert_eq!(msg.sender.pid, rawscm::getpid());
//! let all: Vec<_> = msg.assignments().collect();
//! assert_eq!(all, [Assignment::Ready, Assignment::Status(b"serving")]);
//! # Ok::<(), rawscm::Error>(())
//! ```

use crate::addr::UnixAddr;
use crate::cmsg::{SCM_MAX_FD, SPACE_CREDENTIALS, SendControl, Ucred, space_for_fds};
use crate::errno::Errno;
use crate::error::{Error, Malformed, Result};
use crate::fd::{ArrayVec, AsFd, BorrowedFd, Fds, OwnedFd};
use crate::io::{IoSlice, IoSliceMut};
use crate::msg::{Received, SendFlags, recvmsg, sendmsg_to};
use crate::poll::{Deadline, poll_until};
use crate::process::Pid;
use crate::socket::{SocketFlags, SocketType, bind, set_passcred, set_passrights, socket};
use crate::sys;
use crate::text::parse_decimal;
use linux_raw_sys::general::{O_CLOEXEC, POLLHUP, POLLIN, pollfd};

/// The manager's socket from the value of `$NOTIFY_SOCKET`: an absolute
/// path, or `@name` for an abstract name (as systemd reads it).
///
/// # Errors
/// [`Malformed::Address`] for anything else, [`Malformed::Empty`] for an
/// empty value; the errors of [`UnixAddr::path`] and
/// [`UnixAddr::abstract_name`] (too long, NUL inside).
///
/// # Examples
/// ```
/// use rawscm::{notify::socket_addr, AddrKind};
/// assert_eq!(socket_addr(b"/run/systemd/notify")?.kind(), AddrKind::Path(b"/run/systemd/notify"));
/// assert_eq!(socket_addr(b"@manager")?.kind(), AddrKind::Abstract(b"manager"));
/// assert!(socket_addr(b"relative").is_err());
/// # Ok::<(), rawscm::Error>(())
/// ```
pub fn socket_addr(value: &[u8]) -> Result<UnixAddr> {
    match value.split_first() {
        None => Err(Error::Malformed(Malformed::Empty)),
        Some((b'@', name)) => UnixAddr::abstract_name(name),
        Some((b'/', _)) => UnixAddr::path(value),
        Some(_) => Err(Error::Malformed(Malformed::Address)),
    }
}

pub use crate::text::env_var;

/// The manager's socket named by `$NOTIFY_SOCKET` in `environ` (see
/// [`env_var`]); `None` when the variable is not set (no manager listens).
///
/// # Errors
/// As [`socket_addr`].
///
/// # Examples
/// ```
/// let env = [&b"NOTIFY_SOCKET=/run/n"[..]];
/// assert!(rawscm::notify::socket_addr_in(env)?.is_some());
/// assert!(rawscm::notify::socket_addr_in([])?.is_none());
/// # Ok::<(), rawscm::Error>(())
/// ```
pub fn socket_addr_in<'a>(environ: impl IntoIterator<Item = &'a [u8]>) -> Result<Option<UnixAddr>> {
    env_var(environ, b"NOTIFY_SOCKET").map(socket_addr).transpose()
}

/// The manager's socket named by this process's `$NOTIFY_SOCKET` (with the
/// `std` feature); `None` when it is not set.
///
/// # Errors
/// As [`socket_addr`].
///
/// # Examples
/// ```
/// if let Some(manager) = rawscm::notify::socket_addr_from_env()? {
///     rawscm::notify::notify(&manager, b"READY=1")?;
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
#[cfg(feature = "std")]
pub fn socket_addr_from_env() -> Result<Option<UnixAddr>> {
    use std::os::unix::ffi::OsStrExt;
    std::env::var_os("NOTIFY_SOCKET").map(|v| socket_addr(v.as_bytes())).transpose()
}

/// A notification to send: its text, and optionally the pid it speaks for
/// (sent as the credentials, as `sd_pid_notify` does) and descriptors for
/// the manager's fd store (`FDSTORE=1`).
///
/// # Examples
/// ```
/// use rawscm::notify::{Notification, NotifySocket};
/// use rawscm::{AsFd, UnixAddr};
/// let manager = NotifySocket::bind(&UnixAddr::unnamed(), true)?;
/// let (keep, _other) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// Notification::new(b"FDSTORE=1\nFDNAME=conn")
///     .fds(&[keep.as_fd()])
///     .send(&rawscm::getsockname(&manager)?)?;
/// let mut buf = [0u8; 256];
/// assert_eq!(manager.recv::<1>(&mut buf)?.fds.len(), 1);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Notification<'a, 'fd> {
    text: &'a [u8],
    pid: Option<Pid>,
    fds: &'a [BorrowedFd<'fd>],
}

impl<'a, 'fd> Notification<'a, 'fd> {
    /// A notification with `text` (`KEY=VALUE` lines).
    ///
    /// # Examples
    /// ```
    /// let n = rawscm::notify::Notification::new(b"STATUS=starting");
    /// # let _ = n;
    /// ```
    pub fn new(text: &'a [u8]) -> Self {
        Notification { text, pid: None, fds: &[] }
    }

    /// Speak for `pid` (a main process that this one starts or supervises):
    /// its pid goes into the credentials, which needs `CAP_SYS_ADMIN`;
    /// without it the message goes with our own credentials instead, as
    /// `sd_pid_notify` does. Put `MAINPID=` in the text as well if that is
    /// what you mean.
    ///
    /// # Examples
    /// ```
    /// let n = rawscm::notify::Notification::new(b"READY=1").pid(rawscm::getpid());
    /// # let _ = n;
    /// ```
    pub fn pid(mut self, pid: Pid) -> Self {
        self.pid = Some(pid);
        self
    }

    /// Attach descriptors (at most [`SCM_MAX_FD`]), for `FDSTORE=1`.
    ///
    /// # Examples
    /// See [`Notification`].
    pub fn fds(mut self, fds: &'a [BorrowedFd<'fd>]) -> Self {
        self.fds = fds;
        self
    }

    /// Sends it to the manager's socket `to`: one datagram from a new
    /// socket, with `MSG_NOSIGNAL`.
    ///
    /// `socket(AF_UNIX, SOCK_DGRAM)`, `sendmsg` (twice when credentials for
    /// another pid are refused).
    ///
    /// # Errors
    /// [`Malformed::Empty`] for an empty text; [`Error::TooManyFds`];
    /// `ENOENT`/`ECONNREFUSED` when no manager listens there; `EPERM` for
    /// descriptors to a manager that refuses them (`SO_PASSRIGHTS` off).
    ///
    /// # Examples
    /// See [`Notification`].
    ///
    /// # References
    /// - [sd_notify(3)](https://man7.org/linux/man-pages/man3/sd_notify.3.html)
    /// - [sendmsg(2)](https://man7.org/linux/man-pages/man2/sendmsg.2.html)
    pub fn send(&self, to: &UnixAddr) -> Result<()> {
        if self.text.is_empty() {
            return Err(Error::Malformed(Malformed::Empty));
        }
        let sock = socket(SocketType::Datagram, SocketFlags::default())?;
        let mut control = SendControl::<{ space_for_fds(SCM_MAX_FD) + SPACE_CREDENTIALS }>::new();
        control.push_fds(self.fds)?;
        let plain = control.clone();
        let me = Ucred::current();
        let other = self.pid.filter(|&pid| pid != me.pid && pid > 0);
        if let Some(pid) = other {
            control.push_credentials(Ucred { pid, ..me })?;
        }
        let iov = [IoSlice::new(self.text)];
        match sendmsg_to(&sock, to, &iov, &control, SendFlags::default()) {
            // Not allowed to speak for another pid: say it as ourselves.
            Err(_) if other.is_some() => sendmsg_to(&sock, to, &iov, &plain, SendFlags::default()),
            r => r,
        }?;
        Ok(())
    }
}

/// Sends `text` to the manager at `to` (see [`Notification::send`]).
///
/// # Errors
/// As [`Notification::send`].
///
/// # Examples
/// See the [module docs](self).
///
/// # References
/// - [sd_notify(3)](https://man7.org/linux/man-pages/man3/sd_notify.3.html)
pub fn notify(to: &UnixAddr, text: &[u8]) -> Result<()> {
    Notification::new(text).send(to)
}

/// Waits, at most until `deadline`, until the manager at `to` has processed
/// every notification sent before: sends `BARRIER=1` with the write end of
/// a new pipe and waits for the manager to close it.
///
/// `pipe2`, then as [`Notification::send`], then `ppoll`.
///
/// # Errors
/// As [`Notification::send`]; [`Error::Timeout`]; [`Error::Clock`].
///
/// # Examples
/// ```
/// use rawscm::notify::{barrier, NotifySocket, Assignment};
/// use rawscm::{Deadline, UnixAddr};
/// use core::time::Duration;
/// let manager = NotifySocket::bind(&UnixAddr::unnamed(), true)?;
/// let addr = rawscm::getsockname(&manager)?;
/// std::thread::scope(|s| {
///     let waiter = s.spawn(|| barrier(&addr, Deadline::after(Duration::from_secs(5))));
///     let mut buf = [0u8; 64];
///     let msg = manager.recv::<1>(&mut buf)?;
///     assert_eq!(msg.assignments().next(), Some(Assignment::Barrier));
///     drop(msg); // closes the pipe's write end: the barrier is passed
///     waiter.join().unwrap()
/// })?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [sd_notify_barrier(3)](https://man7.org/linux/man-pages/man3/sd_notify.3.html)
pub fn barrier(to: &UnixAddr, deadline: Deadline) -> Result<()> {
    let (read_end, write_end) = sys::pipe2(O_CLOEXEC)?;
    Notification::new(b"BARRIER=1").fds(&[write_end.as_fd()]).send(to)?;
    drop(write_end); // only the manager's copy is left
    let mut p = [pollfd { fd: read_end.as_raw_fd(), events: POLLIN as i16, revents: 0 }];
    loop {
        poll_until(&mut p, deadline)?;
        if p[0].revents & POLLHUP as i16 != 0 {
            return Ok(());
        }
        // Data in the pipe (someone wrote to it): not the manager's answer.
        let _ = sys::read(read_end.as_fd(), &mut [0u8; 64]);
    }
}

/// A manager's notify socket: an `AF_UNIX` datagram socket bound to an
/// address, with `SO_PASSCRED` on (each message is attributed to the pid
/// the kernel attaches) and, unless it keeps an fd store, `SO_PASSRIGHTS`
/// off (Linux 6.16+), so that services cannot push descriptors at it.
///
/// # Examples
/// See the [module docs](self).
#[derive(Debug)]
pub struct NotifySocket {
    fd: OwnedFd,
}

impl NotifySocket {
    /// Binds a notify socket at `addr` (a path that must not exist, an
    /// abstract name, or unnamed for one the kernel picks); `fd_store`:
    /// whether services may send descriptors (`FDSTORE=1`, `BARRIER=1`).
    ///
    /// `socket`, `bind`, `setsockopt(SO_PASSCRED)`,
    /// `setsockopt(SO_PASSRIGHTS)`.
    ///
    /// Without `fd_store` on a kernel before 6.16 (no `SO_PASSRIGHTS`),
    /// descriptors can still arrive; [`recv`](Self::recv) closes them.
    ///
    /// # Errors
    /// Those of [`bind`](crate::bind()) (`EADDRINUSE`, ...).
    ///
    /// # Examples
    /// ```
    /// let s = rawscm::notify::NotifySocket::bind(&rawscm::UnixAddr::unnamed(), false)?;
    /// assert!(rawscm::passcred(&s)?);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn bind(addr: &UnixAddr, fd_store: bool) -> Result<NotifySocket> {
        let fd = socket(SocketType::Datagram, SocketFlags::default())?;
        set_passcred(&fd, true)?;
        match set_passrights(&fd, fd_store) {
            Err(Error::Os(Errno::ENOPROTOOPT)) | Ok(()) => {}
            Err(e) => return Err(e),
        }
        bind(&fd, addr)?;
        Ok(NotifySocket { fd })
    }

    /// Receives one notification into `buf`, keeping up to `FDS`
    /// descriptors; waits for one (poll [`as_fd`](AsFd::as_fd) first to
    /// wait with a deadline). The text is checked here: an `Ok` message
    /// parses without error.
    ///
    /// `recvmsg` (`MSG_CMSG_CLOEXEC`); `EINTR` is retried.
    ///
    /// # Errors
    /// Every error closes what arrived:
    /// - [`Error::DataTruncated`]: the message is longer than `buf` (a
    ///   message of exactly `buf.len()` bytes fits);
    /// - [`Error::TooManyFdsReceived`]: more than `FDS` descriptors;
    /// - [`Error::NoCredentials`]: no credentials (cannot happen on this
    ///   socket, which has `SO_PASSCRED`);
    /// - [`Malformed::Empty`], [`Malformed::Nul`], [`Malformed::NoEquals`],
    ///   [`Malformed::Number`]: see [`Assignments::new`].
    ///
    /// # Examples
    /// See the [module docs](self).
    ///
    /// # References
    /// - [recvmsg(2)](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
    pub fn recv<'b, const FDS: usize>(&self, buf: &'b mut [u8]) -> Result<Message<'b, FDS>> {
        let mut control = crate::cmsg::RecvControl::<
            { space_for_fds(SCM_MAX_FD) + SPACE_CREDENTIALS + crate::SPACE_PIDFD },
        >::new();
        let got: Received<SCM_MAX_FD> = crate::errno::restart(|| {
            recvmsg(&self.fd, &mut [IoSliceMut::new(buf)], &mut control, Default::default())
        })?;
        if got.control_truncated {
            return Err(Error::ControlTruncated { fds_closed: got.fd_count() });
        }
        if got.data_truncated {
            return Err(Error::DataTruncated { fds_closed: got.fd_count() });
        }
        let received = got.fds.len() + got.fds_closed;
        if received > FDS {
            return Err(Error::TooManyFdsReceived { received, capacity: FDS });
        }
        let sender = got.credentials.ok_or(Error::NoCredentials)?;
        let text = buf.get(..got.bytes).unwrap_or_default();
        Assignments::new(text)?;
        let mut fds = ArrayVec::new();
        for fd in got.fds {
            // At most FDS, checked above; one more would be closed.
            let _ = fds.push(fd);
        }
        Ok(Message { sender, fds: Fds(fds), text })
    }
}

impl AsFd for NotifySocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// One received notification: who sent it (as the kernel says), the
/// descriptors it carried (owned: dropping them closes them, which also
/// releases a `BARRIER=1`), and its text.
///
/// # Examples
/// See the [module docs](self).
#[derive(Debug)]
#[non_exhaustive]
pub struct Message<'b, const FDS: usize> {
    /// The sender's credentials, attached by the kernel (the pid a
    /// privileged sender chose to speak for, else its own).
    pub sender: Ucred,
    /// The descriptors it carried, in order.
    pub fds: Fds<FDS>,
    /// The text, as received (checked: it parses).
    pub text: &'b [u8],
}

impl<'b, const FDS: usize> Message<'b, FDS> {
    /// Its assignments, in order.
    ///
    /// # Examples
    /// See the [module docs](self).
    pub fn assignments(&self) -> Assignments<'b> {
        Assignments { rest: self.text }
    }
}

/// One `KEY=VALUE` assignment of a notification.
///
/// # Examples
/// ```
/// use rawscm::notify::{Assignment, Assignments};
/// let got: Vec<_> = Assignments::new(b"MAINPID=42\nX_MINE=yes")?.collect();
/// assert_eq!(got, [Assignment::MainPid(42), Assignment::Other { key: b"X_MINE", value: b"yes" }]);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Assignment<'a> {
    /// `READY=1`: start-up is finished.
    Ready,
    /// `RELOADING=1`: reloading its configuration.
    Reloading,
    /// `STOPPING=1`: shutting down.
    Stopping,
    /// `STATUS=...`: free-form status text.
    Status(&'a [u8]),
    /// `ERRNO=...`: the service failed with this errno.
    Errno(i32),
    /// `MAINPID=...`: the service's main process.
    MainPid(Pid),
    /// `WATCHDOG=1`: the keep-alive ping.
    Watchdog,
    /// `WATCHDOG_USEC=...`: a new watchdog interval, in microseconds.
    WatchdogUsec(u64),
    /// `FDSTORE=1`: store the attached descriptors.
    FdStore,
    /// `FDNAME=...`: the name of the stored descriptors.
    FdName(&'a [u8]),
    /// `BARRIER=1`: close the attached pipe end once everything before is
    /// processed.
    Barrier,
    /// Any other assignment (or a known key with an unusual value, such as
    /// `WATCHDOG=trigger`).
    Other {
        /// The key.
        key: &'a [u8],
        /// The value.
        value: &'a [u8],
    },
}

/// The assignments of a notification's text, in order (empty lines are
/// skipped).
///
/// # Examples
/// ```
/// use rawscm::notify::Assignments;
/// assert_eq!(Assignments::new(b"READY=1\n\nSTOPPING=1\n")?.count(), 2);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Assignments<'a> {
    rest: &'a [u8],
}

impl<'a> Assignments<'a> {
    /// Checks `text` and returns its assignments.
    ///
    /// # Errors
    /// [`Malformed::Empty`] for no assignment at all, [`Malformed::Nul`] for
    /// a NUL byte anywhere, [`Malformed::NoEquals`] for a line without `=`
    /// (or with an empty key), [`Malformed::Number`] for an `ERRNO=`,
    /// `MAINPID=` or `WATCHDOG_USEC=` that is not a number in range.
    ///
    /// # Examples
    /// ```
    /// use rawscm::{notify::Assignments, Error, Malformed};
    /// assert_eq!(Assignments::new(b"READY").unwrap_err(), Error::Malformed(Malformed::NoEquals));
    /// assert_eq!(Assignments::new(b"MAINPID=-1").unwrap_err(), Error::Malformed(Malformed::Number));
    /// ```
    pub fn new(text: &'a [u8]) -> Result<Assignments<'a>> {
        if text.contains(&0) {
            return Err(Error::Malformed(Malformed::Nul));
        }
        let mut any = false;
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            parse_line(line)?;
            any = true;
        }
        if !any {
            return Err(Error::Malformed(Malformed::Empty));
        }
        Ok(Assignments { rest: text })
    }
}

impl<'a> Iterator for Assignments<'a> {
    type Item = Assignment<'a>;

    fn next(&mut self) -> Option<Assignment<'a>> {
        loop {
            if self.rest.is_empty() {
                return None;
            }
            let (line, rest) = match self.rest.iter().position(|&b| b == b'\n') {
                Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
                None => (self.rest, &[][..]),
            };
            self.rest = rest;
            if !line.is_empty() {
                // Checked by `new`: a line that fails here cannot occur; it
                // would be skipped, never a panic.
                if let Ok(a) = parse_line(line) {
                    return Some(a);
                }
            }
        }
    }
}

/// Parses one non-empty line.
fn parse_line(line: &[u8]) -> Result<Assignment<'_>> {
    let eq = line.iter().position(|&b| b == b'=').filter(|&i| i > 0);
    let Some(eq) = eq else { return Err(Error::Malformed(Malformed::NoEquals)) };
    let (key, value) = (&line[..eq], &line[eq + 1..]);
    let number =
        |max: u64| parse_decimal(value).filter(|&n| n <= max).ok_or(Error::Malformed(Malformed::Number));
    Ok(match (key, value) {
        (b"READY", b"1") => Assignment::Ready,
        (b"RELOADING", b"1") => Assignment::Reloading,
        (b"STOPPING", b"1") => Assignment::Stopping,
        (b"WATCHDOG", b"1") => Assignment::Watchdog,
        (b"FDSTORE", b"1") => Assignment::FdStore,
        (b"BARRIER", b"1") => Assignment::Barrier,
        (b"STATUS", _) => Assignment::Status(value),
        (b"FDNAME", _) => Assignment::FdName(value),
        (b"ERRNO", _) => Assignment::Errno(number(i32::MAX as u64)? as i32),
        (b"MAINPID", _) => Assignment::MainPid(
            number(i32::MAX as u64)
                .and_then(|n| if n == 0 { Err(Error::Malformed(Malformed::Number)) } else { Ok(n as Pid) })?,
        ),
        (b"WATCHDOG_USEC", _) => Assignment::WatchdogUsec(number(u64::MAX)?),
        _ => Assignment::Other { key, value },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec as StdVec;

    #[test]
    fn every_known_key_parses_and_unknown_ones_are_kept() {
        let text = b"READY=1\nRELOADING=1\nSTOPPING=1\nSTATUS=a=b\nERRNO=2\nMAINPID=7\nWATCHDOG=1\n\
                     WATCHDOG_USEC=30000000\nFDSTORE=1\nFDNAME=db\nBARRIER=1\nWATCHDOG=trigger\nX=\n";
        let got: StdVec<_> = Assignments::new(text).unwrap().collect();
        assert_eq!(
            got,
            [
                Assignment::Ready,
                Assignment::Reloading,
                Assignment::Stopping,
                Assignment::Status(b"a=b"),
                Assignment::Errno(2),
                Assignment::MainPid(7),
                Assignment::Watchdog,
                Assignment::WatchdogUsec(30_000_000),
                Assignment::FdStore,
                Assignment::FdName(b"db"),
                Assignment::Barrier,
                Assignment::Other { key: b"WATCHDOG", value: b"trigger" },
                Assignment::Other { key: b"X", value: b"" },
            ]
        );
    }

    #[test]
    fn malformed_text_is_a_typed_error() {
        let m = |w| Err(Error::Malformed(w));
        assert_eq!(Assignments::new(b"READY=1\nnope").map(drop), m(Malformed::NoEquals));
        assert_eq!(Assignments::new(b"=1").map(drop), m(Malformed::NoEquals));
        assert_eq!(Assignments::new(b"READY=1\0").map(drop), m(Malformed::Nul));
        assert_eq!(Assignments::new(b"").map(drop), m(Malformed::Empty));
        assert_eq!(Assignments::new(b"\n\n").map(drop), m(Malformed::Empty));
        for bad in [
            &b"MAINPID=0"[..],
            b"MAINPID=x",
            b"MAINPID=2147483648",
            b"ERRNO=-1",
            b"ERRNO=",
            b"WATCHDOG_USEC=18446744073709551616",
        ] {
            assert_eq!(Assignments::new(bad).map(drop), m(Malformed::Number), "{bad:?}");
        }
        assert_eq!(
            Assignments::new(b"WATCHDOG_USEC=18446744073709551615").unwrap().next(),
            Some(Assignment::WatchdogUsec(u64::MAX))
        );
    }

    #[test]
    fn notify_socket_values_follow_systemds_rules() {
        assert_eq!(socket_addr(b"/a").unwrap(), UnixAddr::path(b"/a").unwrap());
        assert_eq!(socket_addr(b"@").unwrap(), UnixAddr::abstract_name(b"").unwrap());
        assert_eq!(socket_addr(b"a"), Err(Error::Malformed(Malformed::Address)));
        assert_eq!(socket_addr(b""), Err(Error::Malformed(Malformed::Empty)));
        assert_eq!(socket_addr(&[b'/'; 108]), Err(Error::AddressTooLong { len: 108, max: 107 }));
        assert_eq!(
            env_var([&b"NOTIFY_SOCKETX=1"[..], b"NOTIFY_SOCKET=/b"], b"NOTIFY_SOCKET"),
            Some(&b"/b"[..])
        );
    }
}
