//! `sendmsg` / `recvmsg`, and one-call helpers for descriptors and
//! credentials.

use crate::cmsg::{CmsgBuffer, SCM_MAX_FD, SPACE_CREDENTIALS, SPACE_PIDFD};
use crate::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::{space_for_fds, sys, Errno, Error, Result, Ucred};
use core::marker::PhantomData;
use heapless::Vec;
use linux_raw_sys::general::iovec;
use linux_raw_sys::net::{MSG_CMSG_CLOEXEC, MSG_CTRUNC, MSG_DONTWAIT, MSG_NOSIGNAL, MSG_TRUNC};

/// A data buffer to send: a `struct iovec` borrowing `&'a [u8]`.
///
/// ```
/// let part = rawscm::IoSlice::new(b"hello");
/// assert_eq!(part.len(), 5);
/// ```
#[repr(transparent)]
pub struct IoSlice<'a> {
    vec: iovec,
    _data: PhantomData<&'a [u8]>,
}

impl<'a> IoSlice<'a> {
    /// Borrows `data`.
    ///
    /// ```
    /// let _ = rawscm::IoSlice::new(b"x");
    /// ```
    pub fn new(data: &'a [u8]) -> Self {
        IoSlice {
            vec: iovec { iov_base: data.as_ptr().cast_mut().cast(), iov_len: data.len() as _ },
            _data: PhantomData,
        }
    }

    /// Length in bytes.
    ///
    /// ```
    /// assert!(rawscm::IoSlice::new(b"").is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.vec.iov_len as usize
    }

    /// Whether the slice is empty.
    ///
    /// ```
    /// assert!(!rawscm::IoSlice::new(b"x").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A data buffer to receive into: a `struct iovec` borrowing `&'a mut [u8]`.
///
/// ```
/// let mut buf = [0u8; 8];
/// let part = rawscm::IoSliceMut::new(&mut buf);
/// assert_eq!(part.len(), 8);
/// ```
#[repr(transparent)]
pub struct IoSliceMut<'a> {
    vec: iovec,
    _data: PhantomData<&'a mut [u8]>,
}

impl<'a> IoSliceMut<'a> {
    /// Borrows `data` mutably.
    ///
    /// ```
    /// let mut b = [0u8; 1];
    /// let _ = rawscm::IoSliceMut::new(&mut b);
    /// ```
    pub fn new(data: &'a mut [u8]) -> Self {
        IoSliceMut {
            vec: iovec { iov_base: data.as_mut_ptr().cast(), iov_len: data.len() as _ },
            _data: PhantomData,
        }
    }

    /// Length in bytes.
    ///
    /// ```
    /// assert_eq!(rawscm::IoSliceMut::new(&mut [0u8; 3]).len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.vec.iov_len as usize
    }

    /// Whether the slice is empty.
    ///
    /// ```
    /// assert!(rawscm::IoSliceMut::new(&mut []).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

crate::flags::flag_set! {
    /// Flags for [`sendmsg`]. The default is `MSG_NOSIGNAL` (a closed peer
    /// gives `EPIPE` instead of killing the process with SIGPIPE); use
    /// [`SendFlags::empty`] to opt out.
    ///
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
/// second pidfd) was closed and counted in `fds_closed`. With
/// `control_truncated`, the kernel dropped control data (`MSG_CTRUNC`): the
/// descriptors that fit are still here, the rest the kernel closed.
///
/// ```
/// use rawscm::{recvmsg, sendmsg, CmsgBuffer, IoSlice, IoSliceMut, Received, AsFd};
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// let mut out = CmsgBuffer::<{ rawscm::space_for_fds(1) }>::new();
/// out.push_fds(&[a.as_fd()])?;
/// sendmsg(&a, &[IoSlice::new(b"x")], &out, Default::default())?;
/// let mut data = [0u8; 1];
/// let mut control = CmsgBuffer::<{ rawscm::space_for_fds(1) }>::new();
/// let got: Received<1> = recvmsg(&b, &mut [IoSliceMut::new(&mut data)], &mut control, Default::default())?;
/// assert_eq!((got.bytes, got.fds.len(), got.fds_closed), (1, 1, 0));
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Debug)]
pub struct Received<const FDS: usize> {
    /// Data bytes received (for a truncated datagram: the bytes stored).
    pub bytes: usize,
    /// `SCM_RIGHTS` descriptors, in the order sent, at most `FDS`.
    pub fds: Vec<OwnedFd, FDS>,
    /// Descriptors that arrived beyond capacity and were closed.
    pub fds_closed: usize,
    /// `SCM_CREDENTIALS`, if present (the kernel sends one at most; of
    /// several, the last).
    pub credentials: Option<Ucred>,
    /// `SCM_PIDFD`, if present (socket with `SO_PASSPIDFD`).
    pub pidfd: Option<OwnedFd>,
    /// `MSG_TRUNC`: the datagram was longer than the data buffers.
    pub data_truncated: bool,
    /// `MSG_CTRUNC`: the control data did not fit (buffer too small or
    /// `RLIMIT_NOFILE` reached).
    pub control_truncated: bool,
}

impl<const FDS: usize> Received<FDS> {
    /// Descriptors this message brought in total (kept and closed).
    ///
    /// ```
    /// # let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
    /// # rawscm::send_fds(&a, b"x", &[])?;
    /// # let mut d = [0u8; 1];
    /// # let mut c = rawscm::CmsgBuffer::<32>::new();
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
/// plain writes, never with the descriptors again). Refuses control data
/// with no data byte ([`Error::NoDataByte`]): the kernel drops it silently
/// on stream sockets. `EINTR` is returned, not retried (nothing was sent).
///
/// ```
/// use rawscm::{sendmsg, CmsgBuffer, IoSlice, Ucred, SPACE_CREDENTIALS};
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// let mut control = CmsgBuffer::<SPACE_CREDENTIALS>::new();
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
    control: &CmsgBuffer<N>,
    flags: SendFlags,
) -> Result<usize> {
    if !control.is_empty() && iov.iter().all(IoSlice::is_empty) {
        return Err(Error::NoDataByte);
    }
    Ok(sys::sendmsg(socket.as_fd(), iov, control.as_bytes(), flags.0)?)
}

/// Receives data and control messages, taking ownership of every descriptor
/// that arrived (see [`Received`]).
///
/// `ssize_t recvmsg(int fd, struct msghdr *msg, int flags);`
///
/// Size `control` for everything the peer may send, including credentials
/// when `SO_PASSCRED` is on and a pidfd when `SO_PASSPIDFD` is on; what does
/// not fit sets `control_truncated`. `EINTR` is returned, not retried
/// (nothing was received). A return with `bytes == 0` and no control data
/// means end of stream on stream and seqpacket sockets.
///
/// ```
/// use rawscm::{recvmsg, CmsgBuffer, IoSliceMut, Received};
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// rawscm::set_passcred(&b, true)?;
/// rawscm::send_fds(&a, b"x", &[])?;
/// let mut data = [0u8; 4];
/// let mut control = CmsgBuffer::<{ rawscm::SPACE_CREDENTIALS }>::new();
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
    control: &mut CmsgBuffer<N>,
    flags: RecvFlags,
) -> Result<Received<FDS>> {
    recvmsg_limited(socket.as_fd(), iov, control, N, flags)
}

/// `recvmsg` offering the kernel only the first `limit` bytes of `control`.
#[inline]
fn recvmsg_limited<const FDS: usize, const N: usize>(
    socket: BorrowedFd<'_>,
    iov: &mut [IoSliceMut<'_>],
    control: &mut CmsgBuffer<N>,
    limit: usize,
    flags: RecvFlags,
) -> Result<Received<FDS>> {
    let (r, t) = control.recv::<FDS>(socket, iov, limit, flags.0)?;
    Ok(Received {
        bytes: r.bytes,
        fds: t.fds,
        fds_closed: t.fds_closed,
        credentials: t.credentials,
        pidfd: t.pidfd,
        data_truncated: r.flags & MSG_TRUNC != 0,
        control_truncated: r.flags & MSG_CTRUNC != 0,
    })
}

/// Calls `f` until it does not fail with `EINTR`.
fn retry<T>(mut f: impl FnMut() -> Result<T>) -> Result<T> {
    loop {
        match f() {
            Err(Error::Os(Errno::EINTR)) => continue,
            other => return other,
        }
    }
}

/// Sends `data` with `fds` attached (`SCM_RIGHTS`), with `MSG_NOSIGNAL`.
///
/// `data` must not be empty when `fds` is not ([`Error::NoDataByte`]), and
/// at most [`SCM_MAX_FD`] descriptors fit one message ([`Error::TooManyFds`]).
/// The descriptors stay owned by the caller. `EINTR` is retried. On a stream
/// socket a partial send is completed with plain sends *without* the
/// descriptors; if that fails after the first byte went out, the count sent
/// so far is returned (the descriptors were delivered).
///
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
    let mut control = CmsgBuffer::<{ space_for_fds(SCM_MAX_FD) }>::new();
    control.push_fds(fds)?;
    send_all(socket.as_fd(), data, &control)
}

/// Sends `data` with `creds` attached (`SCM_CREDENTIALS`), with
/// `MSG_NOSIGNAL`; `EINTR` is retried. Sending anything but your own
/// credentials needs privilege (`EPERM` otherwise); a pid that does not
/// exist gives `ESRCH`.
///
/// ```
/// use rawscm::{send_credentials, recv_credentials, Ucred, SocketType};
/// let (a, b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
/// rawscm::set_passcred(&b, true)?;
/// send_credentials(&a, b"c", Ucred::current())?;
/// let (_, creds) = recv_credentials(&b, &mut [0u8; 1])?;
/// assert_eq!(creds, Ucred::current());
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn send_credentials(socket: impl AsFd, data: &[u8], creds: Ucred) -> Result<usize> {
    let mut control = CmsgBuffer::<SPACE_CREDENTIALS>::new();
    control.push_credentials(creds)?;
    send_all(socket.as_fd(), data, &control)
}

fn send_all<const N: usize>(socket: BorrowedFd<'_>, data: &[u8], control: &CmsgBuffer<N>) -> Result<usize> {
    let flags = SendFlags::default();
    let mut sent = retry(|| sendmsg(socket, &[IoSlice::new(data)], control, flags))?;
    let none = CmsgBuffer::<0>::new();
    while sent < data.len() {
        let rest = data.get(sent..).unwrap_or_default();
        match retry(|| sendmsg(socket, &[IoSlice::new(rest)], &none, flags)) {
            Ok(n) => sent += n,
            Err(_) if sent > 0 => break,
            Err(e) => return Err(e),
        }
    }
    Ok(sent)
}

/// Receives data and up to `N` descriptors (`SCM_RIGHTS`) into `buf`, with
/// `MSG_CMSG_CLOEXEC`; `EINTR` is retried. Returns the data length and the
/// descriptors.
///
/// Every failure closes whatever arrived:
/// [`Error::ControlTruncated`] (`MSG_CTRUNC`), [`Error::DataTruncated`]
/// (`MSG_TRUNC`, datagram longer than `buf`), [`Error::TooManyFdsReceived`]
/// (more than `N`), [`Error::PeerClosed`] (0 bytes and no control data: end
/// of stream). Credentials or a pidfd that came along are dropped.
///
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
pub fn recv_fds<const N: usize>(socket: impl AsFd, buf: &mut [u8]) -> Result<(usize, Vec<OwnedFd, N>)> {
    let got = recv_checked::<N>(socket.as_fd(), buf, space_for_fds(N))?;
    Ok((got.bytes, got.fds))
}

/// Receives data and the sender's credentials (`SCM_CREDENTIALS`) into
/// `buf`; `EINTR` is retried. The receiving socket needs `SO_PASSCRED`
/// ([`set_passcred`](crate::set_passcred)) set before the peer sends.
///
/// Errors as [`recv_fds`], plus [`Error::NoCredentials`]; descriptors that
/// came along are closed.
///
/// ```
/// use rawscm::{recv_credentials, send_fds, Error, SocketType};
/// let (a, b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
/// send_fds(&a, b"x", &[])?; // SO_PASSCRED not set on b: no credentials
/// assert_eq!(recv_credentials(&b, &mut [0u8; 1]).unwrap_err(), Error::NoCredentials);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn recv_credentials(socket: impl AsFd, buf: &mut [u8]) -> Result<(usize, Ucred)> {
    let got = recv_checked::<0>(socket.as_fd(), buf, 0)?;
    let creds = got.credentials.ok_or(Error::NoCredentials)?;
    Ok((got.bytes, creds))
}

/// The helpers' receive: room for `fd_space` bytes of descriptors plus
/// credentials and a pidfd, then every abnormal outcome as an error.
fn recv_checked<const N: usize>(
    socket: BorrowedFd<'_>,
    buf: &mut [u8],
    fd_space: usize,
) -> Result<Received<N>> {
    let mut control = CmsgBuffer::<{ space_for_fds(SCM_MAX_FD) + SPACE_CREDENTIALS + SPACE_PIDFD }>::new();
    let limit = fd_space + SPACE_CREDENTIALS + SPACE_PIDFD;
    let got = retry(|| {
        recvmsg_limited::<N, _>(
            socket,
            &mut [IoSliceMut::new(buf)],
            &mut control,
            limit,
            RecvFlags::default(),
        )
    })?;
    let fds_closed = got.fd_count();
    if got.control_truncated {
        return Err(Error::ControlTruncated { fds_closed });
    }
    if got.data_truncated {
        return Err(Error::DataTruncated { fds_closed });
    }
    if got.fds_closed > 0 {
        return Err(Error::TooManyFdsReceived { received: got.fds.len() + got.fds_closed, capacity: N });
    }
    if got.bytes == 0 && control.is_empty() {
        return Err(Error::PeerClosed);
    }
    Ok(got)
}
