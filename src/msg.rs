//! `sendmsg` / `recvmsg`, and one-call helpers for data, descriptors and
//! credentials.

use crate::addr::UnixAddr;
use crate::cmsg::{
    RecvControl, SCM_MAX_FD, SPACE_CREDENTIALS, SPACE_PIDFD, SendControl, Ucred, space_for_fds,
};
use crate::errno::{Errno, restart};
use crate::error::{Error, Result};
use crate::fd::{AsFd, BorrowedFd, Fds, OwnedFd};
use crate::io::{IoSlice, IoSliceMut};
use crate::sys;
use linux_raw_sys::general::{POLLHUP, POLLRDHUP, pollfd};
use linux_raw_sys::net::{
    MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_TRUNC, SO_TYPE, SOCK_SEQPACKET,
    SOCK_STREAM, SOL_SOCKET,
};

crate::flags::flag_set! {
    /// Flags for [`sendmsg`]. The default is `MSG_NOSIGNAL` (a closed peer
    /// gives `EPIPE` instead of killing the process with SIGPIPE); use
    /// [`SendFlags::empty`] to opt out.
    ///
    /// # Examples
    /// ```
    /// use rawscm::SendFlags;
    /// let f = SendFlags::default() | SendFlags::DONTWAIT;
    /// assert!(f.contains(SendFlags::NOSIGNAL));
    /// ```
    SendFlags, default: NOSIGNAL, empty: "SIGPIPE is raised on a closed stream peer",
    {
        /// `MSG_NOSIGNAL`.
        NOSIGNAL = MSG_NOSIGNAL;
        /// `MSG_DONTWAIT`: fail with `EAGAIN` instead of blocking.
        DONTWAIT = MSG_DONTWAIT;
    }
}

crate::flags::flag_set! {
    /// Flags for [`recvmsg`]. The default is `MSG_CMSG_CLOEXEC` (received
    /// descriptors are close-on-exec); use [`RecvFlags::empty`] to opt out.
    ///
    /// # Examples
    /// ```
    /// use rawscm::RecvFlags;
    /// let f = RecvFlags::default() | RecvFlags::DONTWAIT;
    /// assert!(f.contains(RecvFlags::CMSG_CLOEXEC));
    /// ```
    RecvFlags, default: CMSG_CLOEXEC, empty: "received descriptors survive `execve`",
    {
        /// `MSG_CMSG_CLOEXEC`.
        CMSG_CLOEXEC = MSG_CMSG_CLOEXEC;
        /// `MSG_DONTWAIT`: fail with `EAGAIN` instead of blocking.
        DONTWAIT = MSG_DONTWAIT;
    }
}

/// A received message: data length, and everything its control data
/// carried, already owned.
///
/// Up to `FDS` `SCM_RIGHTS` descriptors are in `fds`; any surplus (and any
/// second pidfd) arrived but was closed by rawscm, and is counted in
/// `fds_closed`. With `control_truncated`, the kernel dropped control data
/// (`MSG_CTRUNC`): the descriptors that fit are still here, the rest the
/// kernel closed.
///
/// # Examples
/// ```
/// use rawscm::{recvmsg, sendmsg, AsFd, IoSlice, IoSliceMut, Received, RecvControl, SendControl};
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// let mut out = SendControl::<{ rawscm::space_for_fds(1) }>::new();
/// out.push_fds(&[a.as_fd()])?;
/// sendmsg(&a, &[IoSlice::new(b"x")], &out, Default::default())?;
/// let mut data = [0u8; 1];
/// let mut control = RecvControl::<{ rawscm::space_for_fds(1) }>::new();
/// let got: Received<1> = recvmsg(&b, &mut [IoSliceMut::new(&mut data)], &mut control, Default::default())?;
/// assert_eq!((got.bytes, got.fds.len(), got.fds_closed), (1, 1, 0));
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Received<const FDS: usize> {
    /// Data bytes received (for a truncated datagram: the bytes stored).
    pub bytes: usize,
    /// `SCM_RIGHTS` descriptors, in the order sent, at most `FDS`.
    pub fds: Fds<FDS>,
    /// Descriptors that arrived but were closed by rawscm instead of being
    /// handed over: here, those beyond `FDS` and any pidfd after the first.
    pub fds_closed: usize,
    /// `SCM_CREDENTIALS`, if present (the kernel sends one at most; of
    /// several, the last).
    pub credentials: Option<Ucred>,
    /// `SCM_PIDFD`, if present (socket with `SO_PASSPIDFD`).
    pub pidfd: Option<OwnedFd>,
    /// An `SCM_PIDFD` that held an errno instead of a descriptor: Linux 6.5
    /// to 6.16 send one when the sender has already exited.
    pub pidfd_error: Option<Errno>,
    /// `MSG_TRUNC`: the datagram was longer than the data buffers.
    pub data_truncated: bool,
    /// `MSG_CTRUNC`: the control data did not fit (buffer too small or
    /// `RLIMIT_NOFILE` reached).
    pub control_truncated: bool,
}

impl<const FDS: usize> Received<FDS> {
    /// Descriptors this message brought in total: kept, closed, and the
    /// pidfd.
    ///
    /// # Examples
    /// ```
    /// # let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
    /// # rawscm::send(&a, b"x")?;
    /// # let mut d = [0u8; 1];
    /// # let mut c = rawscm::RecvControl::<32>::new();
    /// let got: rawscm::Received<0> = rawscm::recvmsg(&b, &mut [rawscm::IoSliceMut::new(&mut d)], &mut c, Default::default())?;
    /// assert_eq!(got.fd_count(), 0);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn fd_count(&self) -> usize {
        self.fds.len() + self.fds_closed + usize::from(self.pidfd.is_some())
    }
}

/// Sends data and control messages in one datagram or stream segment.
///
/// `ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);`
///
/// Returns the data bytes sent (on a stream socket possibly fewer than
/// given: the control data went with the first byte; send the rest with
/// plain sends, never with the descriptors again). `EINTR` is returned, not
/// retried (nothing was sent).
///
/// # Errors
/// [`Error::NoDataByte`] for control data with no data byte (the kernel
/// drops it silently on stream sockets); the kernel's errors, for example
/// `EPERM` for descriptors sent to a socket that refuses them or for
/// credentials one may not claim, `EPIPE` for a closed peer (no `SIGPIPE`
/// with the default flags).
///
/// # Examples
/// ```
/// use rawscm::{sendmsg, IoSlice, SendControl, Ucred, SPACE_CREDENTIALS};
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// let mut control = SendControl::<SPACE_CREDENTIALS>::new();
/// control.push_credentials(Ucred::current())?;
/// assert_eq!(sendmsg(&a, &[IoSlice::new(b"hi")], &control, Default::default())?, 2);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [sendmsg(2)](https://man7.org/linux/man-pages/man2/sendmsg.2.html)
/// - [cmsg(3)](https://man7.org/linux/man-pages/man3/cmsg.3.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn sendmsg<const N: usize>(
    socket: impl AsFd,
    iov: &[IoSlice<'_>],
    control: &SendControl<'_, N>,
    flags: SendFlags,
) -> Result<usize> {
    sendmsg_raw(socket.as_fd(), None, iov, control, flags)
}

fn sendmsg_raw<const N: usize>(
    socket: BorrowedFd<'_>,
    to: Option<UnixAddr>,
    iov: &[IoSlice<'_>],
    control: &SendControl<'_, N>,
    flags: SendFlags,
) -> Result<usize> {
    if !control.is_empty() && iov.iter().all(IoSlice::is_empty) {
        return Err(Error::NoDataByte);
    }
    Ok(sys::sendmsg(socket, to, iov, control.as_bytes(), flags.0)?)
}

/// [`sendmsg`] to the address `to`: what `sendto` does, with control
/// messages. For an unconnected datagram socket (a notify socket, a
/// daemon's control socket).
///
/// `ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);` with
/// `msg_name`.
///
/// # Errors
/// As [`sendmsg`], and the kernel's for the address: `ENOENT` (no such
/// path), `ECONNREFUSED` (nothing bound there, or not a socket that
/// listens), `EPERM` (descriptors to a receiver with `SO_PASSRIGHTS` off).
///
/// # Examples
/// ```
/// use rawscm::{recvmsg_from, sendmsg_to, socket, bind, IoSlice, IoSliceMut, Received, RecvControl, SendControl, SocketType, UnixAddr};
/// let rx = socket(SocketType::Datagram, Default::default())?;
/// bind(&rx, &UnixAddr::unnamed())?; // the kernel picks an abstract name
/// let tx = socket(SocketType::Datagram, Default::default())?;
/// bind(&tx, &UnixAddr::unnamed())?;
/// sendmsg_to(&tx, &rawscm::getsockname(&rx)?, &[IoSlice::new(b"hi")], &SendControl::<0>::new(), Default::default())?;
/// let mut buf = [0u8; 2];
/// let mut control = RecvControl::<0>::new();
/// let (got, from): (Received<0>, _) = recvmsg_from(&rx, &mut [IoSliceMut::new(&mut buf)], &mut control, Default::default())?;
/// assert_eq!((got.bytes, from), (2, rawscm::getsockname(&tx)?));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [sendmsg(2)](https://man7.org/linux/man-pages/man2/sendmsg.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn sendmsg_to<const N: usize>(
    socket: impl AsFd,
    to: &UnixAddr,
    iov: &[IoSlice<'_>],
    control: &SendControl<'_, N>,
    flags: SendFlags,
) -> Result<usize> {
    sendmsg_raw(socket.as_fd(), Some(*to), iov, control, flags)
}

/// Receives data and control messages, taking ownership of every descriptor
/// that arrived (see [`Received`]).
///
/// `ssize_t recvmsg(int fd, struct msghdr *msg, int flags);`
///
/// Size `control` for everything the peer may send, including credentials
/// when `SO_PASSCRED` is on and a pidfd when `SO_PASSPIDFD` is on; what does
/// not fit sets `control_truncated`. `EINTR` is returned, not retried
/// (nothing was received). `bytes == 0` with no control data is end of
/// stream on a stream socket given a non-empty buffer, and on a seqpacket
/// socket either end of stream or an empty message (the helpers tell them
/// apart).
///
/// # Errors
/// The kernel's: `EAGAIN` (non-blocking, nothing queued), `EINTR` (returned, not retried), `EBADF`, `ENOTSOCK`. Truncation is not an error here: see [`Received`].
///
/// # Examples
/// ```
/// use rawscm::{recvmsg, IoSliceMut, Received, RecvControl};
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// rawscm::set_passcred(&b, true)?;
/// rawscm::send(&a, b"x")?;
/// let mut data = [0u8; 4];
/// let mut control = RecvControl::<{ rawscm::SPACE_CREDENTIALS }>::new();
/// let got: Received<0> = recvmsg(&b, &mut [IoSliceMut::new(&mut data)], &mut control, Default::default())?;
/// assert_eq!(got.credentials, Some(rawscm::Ucred::current()));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [recvmsg(2)](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
/// - [cmsg(3)](https://man7.org/linux/man-pages/man3/cmsg.3.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
#[inline]
pub fn recvmsg<const FDS: usize, const N: usize>(
    socket: impl AsFd,
    iov: &mut [IoSliceMut<'_>],
    control: &mut RecvControl<N>,
    flags: RecvFlags,
) -> Result<Received<FDS>> {
    recvmsg_limited(socket.as_fd(), iov, control, N, flags).map(|(got, _)| got)
}

/// [`recvmsg`] that also returns the sender's address: what `recvfrom`
/// gives, with control messages. The address is unnamed when the sender's
/// socket has no name (for a connected stream socket the kernel gives none:
/// use [`getpeername`](crate::getpeername)).
///
/// `ssize_t recvmsg(int fd, struct msghdr *msg, int flags);` with
/// `msg_name`.
///
/// # Errors
/// As [`recvmsg`].
///
/// # Examples
/// See [`sendmsg_to`].
///
/// # References
/// - [recvmsg(2)](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn recvmsg_from<const FDS: usize, const N: usize>(
    socket: impl AsFd,
    iov: &mut [IoSliceMut<'_>],
    control: &mut RecvControl<N>,
    flags: RecvFlags,
) -> Result<(Received<FDS>, UnixAddr)> {
    let (got, from) = recvmsg_limited_from(socket.as_fd(), true, iov, control, N, flags)?;
    Ok((got, from.unwrap_or(UnixAddr::unnamed())))
}

/// `recvmsg` offering the kernel only the first `limit` bytes of `control`.
#[inline]
fn recvmsg_limited<const FDS: usize, const N: usize>(
    socket: BorrowedFd<'_>,
    iov: &mut [IoSliceMut<'_>],
    control: &mut RecvControl<N>,
    limit: usize,
    flags: RecvFlags,
) -> Result<(Received<FDS>, Option<UnixAddr>)> {
    recvmsg_limited_from(socket, false, iov, control, limit, flags)
}

/// [`recvmsg_limited`], with the sender's address when `want_from`.
#[inline]
fn recvmsg_limited_from<const FDS: usize, const N: usize>(
    socket: BorrowedFd<'_>,
    want_from: bool,
    iov: &mut [IoSliceMut<'_>],
    control: &mut RecvControl<N>,
    limit: usize,
    flags: RecvFlags,
) -> Result<(Received<FDS>, Option<UnixAddr>)> {
    let (r, t) = sys::recvmsg::<FDS, N>(socket, want_from, iov, control, limit, flags.0)?;
    let got = Received {
        bytes: r.bytes,
        fds: Fds(t.fds),
        fds_closed: t.fds_closed,
        credentials: t.credentials.map(Ucred::from_bytes),
        pidfd: t.pidfd,
        pidfd_error: t.pidfd_error,
        data_truncated: r.flags & MSG_TRUNC != 0,
        control_truncated: r.flags & MSG_CTRUNC != 0,
    };
    Ok((got, r.from))
}

/// Sends `data` alone (no control data), with `MSG_NOSIGNAL`; `EINTR` is
/// retried. Returns the bytes sent: on a stream socket possibly fewer.
///
/// # Errors
/// The kernel's: `EPIPE` for a closed stream peer, `ECONNREFUSED` for a
/// datagram peer that is gone, `EAGAIN` on a full non-blocking socket.
///
/// # Examples
/// ```
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::SeqPacket, Default::default())?;
/// assert_eq!(rawscm::send(&a, b"hello")?, 5);
/// let mut buf = [0u8; 8];
/// assert_eq!(rawscm::recv(&b, &mut buf)?, 5);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [send(2)](https://man7.org/linux/man-pages/man2/send.2.html)
pub fn send(socket: impl AsFd, data: &[u8]) -> Result<usize> {
    let none = SendControl::<0>::new();
    restart(|| sendmsg(socket.as_fd(), &[IoSlice::new(data)], &none, SendFlags::default()))
}

/// Receives data alone into `buf`; `EINTR` is retried. The rules of
/// [`recv_fds`] with no room for descriptors: descriptors that arrive
/// anyway are closed and reported ([`Error::TooManyFdsReceived`]).
///
/// # Errors
/// As [`recv_fds`]: [`Error::PeerClosed`] at end of stream,
/// [`Error::DataTruncated`] for a datagram longer than `buf`.
///
/// # Examples
/// ```
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// rawscm::send(&a, b"hi")?;
/// drop(a);
/// let mut buf = [0u8; 8];
/// assert_eq!(rawscm::recv(&b, &mut buf)?, 2);
/// assert_eq!(rawscm::recv(&b, &mut buf), Err(rawscm::Error::PeerClosed));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [recv(2)](https://man7.org/linux/man-pages/man2/recv.2.html)
pub fn recv(socket: impl AsFd, buf: &mut [u8]) -> Result<usize> {
    recv_flags(socket.as_fd(), buf, RecvFlags::empty())
}

/// [`recv`] with `extra` flags (`DONTWAIT`).
pub(crate) fn recv_flags(socket: BorrowedFd<'_>, buf: &mut [u8], extra: RecvFlags) -> Result<usize> {
    let got = recv_checked::<0>(socket, buf, extra)?;
    if got.fds_closed > 0 {
        return Err(Error::TooManyFdsReceived { received: got.fds_closed, capacity: 0 });
    }
    Ok(got.bytes)
}

/// Sends `data` with `fds` attached (`SCM_RIGHTS`), with `MSG_NOSIGNAL`.
///
/// The descriptors stay owned by the caller. `EINTR` is retried. On a
/// stream socket a partial send is completed with plain sends *without*
/// the descriptors; if that fails after the first byte went out, the count
/// sent so far is returned (the descriptors were delivered).
///
/// # Errors
/// [`Error::NoDataByte`] for descriptors with empty `data`,
/// [`Error::TooManyFds`] above [`SCM_MAX_FD`], and the errors of
/// [`sendmsg`] (`EPERM` when the receiver has turned `SO_PASSRIGHTS` off).
///
/// # Examples
/// ```
/// use rawscm::{send_fds, recv_fds, AsFd, SocketType};
/// let (a, b) = rawscm::socketpair(SocketType::Stream, Default::default())?;
/// let (x, _y) = rawscm::socketpair(SocketType::Stream, Default::default())?;
/// send_fds(&a, b"fd", &[x.as_fd()])?;
/// let mut buf = [0u8; 2];
/// let (n, fds) = recv_fds::<1>(&b, &mut buf)?;
/// assert_eq!((n, fds.len()), (2, 1));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [sendmsg(2)](https://man7.org/linux/man-pages/man2/sendmsg.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn send_fds(socket: impl AsFd, data: &[u8], fds: &[BorrowedFd<'_>]) -> Result<usize> {
    let mut control = SendControl::<{ space_for_fds(SCM_MAX_FD) }>::new();
    control.push_fds(fds)?;
    send_all(socket.as_fd(), data, &control)
}

/// Sends `data` with `creds` attached (`SCM_CREDENTIALS`), with
/// `MSG_NOSIGNAL`; `EINTR` is retried.
///
/// # Errors
/// Sending anything but your own credentials needs privilege (`EPERM`
/// otherwise); a pid that does not exist gives `ESRCH`; and the errors of
/// [`sendmsg`].
///
/// # Examples
/// ```
/// use rawscm::{send_credentials, recv_credentials, Ucred, SocketType};
/// let (a, b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
/// rawscm::set_passcred(&b, true)?;
/// send_credentials(&a, b"c", Ucred::current())?;
/// let got = recv_credentials(&b, &mut [0u8; 1])?;
/// assert_eq!(got.credentials, Ucred::current());
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn send_credentials(socket: impl AsFd, data: &[u8], creds: Ucred) -> Result<usize> {
    let mut control = SendControl::<SPACE_CREDENTIALS>::new();
    control.push_credentials(creds)?;
    send_all(socket.as_fd(), data, &control)
}

fn send_all<const N: usize>(
    socket: BorrowedFd<'_>,
    data: &[u8],
    control: &SendControl<'_, N>,
) -> Result<usize> {
    let flags = SendFlags::default();
    let mut sent = restart(|| sendmsg(socket, &[IoSlice::new(data)], control, flags))?;
    let none = SendControl::<0>::new();
    while sent < data.len() {
        let rest = data.get(sent..).unwrap_or_default();
        match restart(|| sendmsg(socket, &[IoSlice::new(rest)], &none, flags)) {
            Ok(n) => sent += n,
            Err(_) if sent > 0 => break,
            Err(e) => return Err(e),
        }
    }
    Ok(sent)
}

/// Receives data and up to `N` descriptors (`SCM_RIGHTS`) into `buf`, with
/// `MSG_CMSG_CLOEXEC`; `EINTR` is retried. Returns the data length and the
/// descriptors. Credentials or a pidfd that came along are dropped.
///
/// It always offers the kernel room for [`SCM_MAX_FD`] descriptors, so that
/// more than `N` is reported with the right count.
///
/// # Errors
/// Every error closes whatever arrived:
/// - [`Error::TooManyFdsReceived`]: more than `N` descriptors;
/// - [`Error::ControlTruncated`] (`MSG_CTRUNC`: `RLIMIT_NOFILE` reached);
/// - [`Error::DataTruncated`] (`MSG_TRUNC`: a datagram longer than `buf`);
/// - [`Error::PeerClosed`]: end of stream, only on a stream or seqpacket
///   socket whose peer has closed, and only with a non-empty `buf` (a
///   datagram socket has no end of stream: an empty datagram is `Ok(0)`, as
///   is a receive into an empty buffer).
///
/// # Examples
/// ```
/// use rawscm::{send_fds, recv_fds, AsFd, Error, SocketType};
/// let (a, b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
/// send_fds(&a, b"x", &[a.as_fd(), b.as_fd()])?;
/// let r = recv_fds::<1>(&b, &mut [0u8; 1]);
/// assert_eq!(r.unwrap_err(), Error::TooManyFdsReceived { received: 2, capacity: 1 });
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [recvmsg(2)](https://man7.org/linux/man-pages/man2/recvmsg.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn recv_fds<const N: usize>(socket: impl AsFd, buf: &mut [u8]) -> Result<(usize, Fds<N>)> {
    let got = recv_checked::<N>(socket.as_fd(), buf, RecvFlags::empty())?;
    if got.fds_closed > 0 {
        return Err(Error::TooManyFdsReceived { received: got.fds.len() + got.fds_closed, capacity: N });
    }
    Ok((got.bytes, got.fds))
}

/// What [`recv_credentials`] received.
///
/// # Examples
/// ```
/// # let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// # rawscm::set_passcred(&b, true)?;
/// # rawscm::send(&a, b"x")?;
/// let got = rawscm::recv_credentials(&b, &mut [0u8; 1])?;
/// assert_eq!((got.bytes, got.fds_closed), (1, 0));
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedCredentials {
    /// Data bytes received.
    pub bytes: usize,
    /// The sender's credentials, as the kernel attached or checked them.
    pub credentials: Ucred,
    /// Descriptors that came along and were closed by rawscm.
    pub fds_closed: usize,
}

/// Receives data and the sender's credentials (`SCM_CREDENTIALS`) into
/// `buf`; `EINTR` is retried. The receiving socket needs `SO_PASSCRED`
/// ([`set_passcred`](crate::set_passcred)) set before the peer sends.
///
/// Descriptors that come along (`SCM_RIGHTS`, a pidfd) are closed and
/// counted in [`ReceivedCredentials::fds_closed`]; they are not an error.
///
/// # Errors
/// [`Error::NoCredentials`]; [`Error::ControlTruncated`],
/// [`Error::DataTruncated`] and [`Error::PeerClosed`] as for [`recv_fds`].
///
/// # Examples
/// ```
/// use rawscm::{recv_credentials, Error, SocketType};
/// let (a, b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
/// rawscm::send(&a, b"x")?; // SO_PASSCRED not set on b: no credentials
/// assert_eq!(recv_credentials(&b, &mut [0u8; 1]).unwrap_err(), Error::NoCredentials);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn recv_credentials(socket: impl AsFd, buf: &mut [u8]) -> Result<ReceivedCredentials> {
    recv_credentials_flags(socket.as_fd(), buf, RecvFlags::empty())
}

/// [`recv_credentials`] with `extra` flags (`DONTWAIT`).
pub(crate) fn recv_credentials_flags(
    socket: BorrowedFd<'_>,
    buf: &mut [u8],
    extra: RecvFlags,
) -> Result<ReceivedCredentials> {
    let got = recv_checked::<0>(socket, buf, extra)?;
    let credentials = got.credentials.ok_or(Error::NoCredentials)?;
    Ok(ReceivedCredentials { bytes: got.bytes, credentials, fds_closed: got.fd_count() })
}

/// The helpers' receive: room for [`SCM_MAX_FD`] descriptors, credentials
/// and a pidfd; every abnormal outcome but surplus descriptors (left to the
/// caller, counted in `fds_closed`) becomes an error, which closes what
/// arrived.
fn recv_checked<const N: usize>(
    socket: BorrowedFd<'_>,
    buf: &mut [u8],
    extra: RecvFlags,
) -> Result<Received<N>> {
    let mut control = RecvControl::<{ space_for_fds(SCM_MAX_FD) + SPACE_CREDENTIALS + SPACE_PIDFD }>::new();
    let flags = RecvFlags::default() | extra;
    let empty = buf.is_empty();
    let (got, _): (Received<N>, _) =
        restart(|| recvmsg_limited(socket, &mut [IoSliceMut::new(buf)], &mut control, usize::MAX, flags))?;
    let fds_closed = got.fd_count();
    if got.control_truncated {
        return Err(Error::ControlTruncated { fds_closed });
    }
    if got.data_truncated {
        return Err(Error::DataTruncated { fds_closed });
    }
    if got.bytes == 0 && control.is_empty() && !empty && at_end_of_stream(socket)? {
        return Err(Error::PeerClosed);
    }
    Ok(got)
}

/// After a receive of 0 bytes and no control data into a non-empty buffer:
/// whether that was end of stream. Always on a stream socket; on a
/// seqpacket socket only if the peer has hung up (else it was an empty
/// message); never on a datagram socket (no end of stream).
fn at_end_of_stream(socket: BorrowedFd<'_>) -> Result<bool> {
    let ty = sys::getsockopt::<i32>(socket, SOL_SOCKET, SO_TYPE)? as u32;
    if ty == SOCK_STREAM {
        return Ok(true);
    }
    if ty != SOCK_SEQPACKET {
        return Ok(false);
    }
    let mut p = [pollfd { fd: socket.as_raw_fd(), events: POLLRDHUP as i16, revents: 0 }];
    sys::ppoll(&mut p, 0)?;
    Ok(p[0].revents & (POLLHUP | POLLRDHUP) as i16 != 0)
}
