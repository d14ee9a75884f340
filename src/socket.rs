//! Unix sockets: `socketpair`, and `socket`, `bind`, `listen`, `accept4`,
//! `connect`, `shutdown`, `getsockname`, `getpeername` for sockets that talk
//! to processes this one did not fork; and the socket options around
//! credential, descriptor and pidfd passing.

use crate::addr::UnixAddr;
use crate::cmsg::Ucred;
use crate::errno::Errno;
use crate::error::Result;
use crate::fd::{AsFd, OwnedFd};
use crate::sys;
use linux_raw_sys::general::{__NR_bind, __NR_connect, __NR_getpeername, __NR_getsockname};
use linux_raw_sys::general::{O_CLOEXEC, O_NONBLOCK};
use linux_raw_sys::net as n;

/// The kind of Unix socket.
///
/// # Examples
/// ```
/// use rawscm::SocketType;
/// let (a, _b) = rawscm::socketpair(SocketType::SeqPacket, Default::default())?;
/// assert_eq!(rawscm::socket_type(&a)?, SocketType::SeqPacket);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SocketType {
    /// `SOCK_STREAM`: a byte stream; message boundaries are not kept.
    Stream,
    /// `SOCK_DGRAM`: datagrams; a closed peer is not reported to a reader.
    Datagram,
    /// `SOCK_SEQPACKET`: datagrams on a connection; end of stream is seen.
    SeqPacket,
}

impl SocketType {
    fn raw(self) -> u32 {
        // Values differ per architecture (mips swaps STREAM and DGRAM).
        match self {
            SocketType::Stream => n::SOCK_STREAM,
            SocketType::Datagram => n::SOCK_DGRAM,
            SocketType::SeqPacket => n::SOCK_SEQPACKET,
        }
    }
}

crate::flags::flag_set! {
    /// Creation flags for [`socketpair`]. The default is close-on-exec; use
    /// [`SocketFlags::empty`] to opt out.
    ///
    /// # Examples
    /// ```
    /// use rawscm::SocketFlags;
    /// let f = SocketFlags::default() | SocketFlags::NONBLOCK;
    /// assert!(f.contains(SocketFlags::CLOEXEC) && f.contains(SocketFlags::NONBLOCK));
    /// ```
    SocketFlags, default: CLOEXEC, empty: "the descriptors survive `execve`",
    {
        /// `SOCK_CLOEXEC` (the kernel defines it as `O_CLOEXEC`).
        CLOEXEC = O_CLOEXEC;
        /// `SOCK_NONBLOCK` (the kernel defines it as `O_NONBLOCK`, whose value
        /// differs on mips and sparc).
        NONBLOCK = O_NONBLOCK;
    }
}

/// Creates a connected pair of Unix sockets.
///
/// `int socketpair(AF_UNIX, type | flags, 0, int sv[2]);`
///
/// # Errors
/// `EMFILE`/`ENFILE` when out of descriptors.
///
/// # Examples
/// ```
/// use rawscm::{socketpair, SocketFlags, SocketType};
/// let (a, b) = socketpair(SocketType::Datagram, SocketFlags::default())?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [socketpair(2)](https://man7.org/linux/man-pages/man2/socketpair.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn socketpair(ty: SocketType, flags: SocketFlags) -> Result<(OwnedFd, OwnedFd)> {
    Ok(sys::socketpair(ty.raw() | flags.0)?)
}

/// Creates an unconnected Unix socket (close-on-exec unless opted out).
///
/// `int socket(AF_UNIX, type | flags, 0);`
///
/// # Errors
/// `EMFILE`/`ENFILE` when out of descriptors.
///
/// # Examples
/// ```
/// use rawscm::{socket, SocketFlags, SocketType};
/// let s = socket(SocketType::SeqPacket, SocketFlags::default() | SocketFlags::NONBLOCK)?;
/// assert_eq!(rawscm::socket_type(&s)?, SocketType::SeqPacket);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [socket(2)](https://man7.org/linux/man-pages/man2/socket.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn socket(ty: SocketType, flags: SocketFlags) -> Result<OwnedFd> {
    Ok(sys::socket(ty.raw() | flags.0)?)
}

/// Gives the socket a name: a path (a socket file appears there), an
/// abstract name, or, for [`UnixAddr::unnamed`], one the kernel chooses
/// (autobind: an abstract name of five hex digits).
///
/// `int bind(int fd, const struct sockaddr *addr, socklen_t len);`
///
/// # Errors
/// `EADDRINUSE`: the path exists (even a stale socket file: remove it
/// first) or the abstract name is taken; `ENOENT`/`EACCES` for the path's
/// directory; `EINVAL`: the socket already has a name.
///
/// # Examples
/// ```
/// use rawscm::{bind, getsockname, socket, AddrKind, UnixAddr};
/// let s = socket(rawscm::SocketType::Datagram, Default::default())?;
/// bind(&s, &UnixAddr::unnamed())?;
/// assert!(matches!(getsockname(&s)?.kind(), AddrKind::Abstract(name) if name.len() == 5));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [bind(2)](https://man7.org/linux/man-pages/man2/bind.2.html)
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn bind(socket: impl AsFd, addr: &UnixAddr) -> Result<()> {
    Ok(sys::bind_or_connect(__NR_bind, socket.as_fd(), *addr)?)
}

/// Marks a stream or seqpacket socket as accepting connections, with at
/// most `backlog` pending (the kernel caps it at `net.core.somaxconn`).
///
/// `int listen(int fd, int backlog);`
///
/// # Errors
/// `EOPNOTSUPP` on a datagram socket; `EINVAL` if not bound (Linux
/// autobinds instead; then it works).
///
/// # Examples
/// ```
/// use rawscm::{bind, listen, socket, SocketType, UnixAddr};
/// let s = socket(SocketType::Stream, Default::default())?;
/// bind(&s, &UnixAddr::unnamed())?;
/// listen(&s, 16)?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [listen(2)](https://man7.org/linux/man-pages/man2/listen.2.html)
pub fn listen(socket: impl AsFd, backlog: i32) -> Result<()> {
    Ok(sys::listen(socket.as_fd(), backlog)?)
}

/// Takes the next connection of a listening socket; returns it
/// (close-on-exec unless opted out) and the peer's address (unnamed for a
/// peer that did not bind, which is usual). `EINTR` is returned, not
/// retried.
///
/// `int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);`
///
/// # Errors
/// `EAGAIN` on a non-blocking socket with nothing pending; `EINVAL` if the
/// socket does not listen.
///
/// # Examples
/// ```
/// use rawscm::{accept, bind, connect, getsockname, listen, socket, SocketType, UnixAddr};
/// let server = socket(SocketType::Stream, Default::default())?;
/// bind(&server, &UnixAddr::unnamed())?;
/// listen(&server, 1)?;
/// let client = socket(SocketType::Stream, Default::default())?;
/// connect(&client, &getsockname(&server)?)?;
/// let (conn, peer) = accept(&server, Default::default())?;
/// assert_eq!(peer, UnixAddr::unnamed());
/// rawscm::send(&client, b"hi")?;
/// assert_eq!(rawscm::recv(&conn, &mut [0u8; 2])?, 2);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [accept4(2)](https://man7.org/linux/man-pages/man2/accept4.2.html)
pub fn accept(socket: impl AsFd, flags: SocketFlags) -> Result<(OwnedFd, UnixAddr)> {
    Ok(sys::accept4(socket.as_fd(), flags.0)?)
}

/// Connects to the socket at `addr` (for a datagram socket: sets the
/// default destination). `EINTR` is returned, not retried.
///
/// `int connect(int fd, const struct sockaddr *addr, socklen_t len);`
///
/// # Errors
/// `ENOENT`: no such path; `ECONNREFUSED`: nothing listens there (a stale
/// socket file, an abstract name nobody holds); `EPROTOTYPE`: a socket of
/// another type; `EAGAIN`: a full backlog on a non-blocking socket.
///
/// # Examples
/// ```
/// use rawscm::{connect, socket, Errno, SocketType, UnixAddr};
/// let s = socket(SocketType::Stream, Default::default())?;
/// let nobody = UnixAddr::abstract_name(b"rawscm-doc-nobody-listens")?;
/// assert_eq!(connect(&s, &nobody).unwrap_err().errno(), Some(Errno::ECONNREFUSED));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [connect(2)](https://man7.org/linux/man-pages/man2/connect.2.html)
pub fn connect(socket: impl AsFd, addr: &UnixAddr) -> Result<()> {
    Ok(sys::bind_or_connect(__NR_connect, socket.as_fd(), *addr)?)
}

/// Which direction [`shutdown`] closes.
///
/// # Examples
/// ```
/// assert_ne!(rawscm::Shutdown::Read, rawscm::Shutdown::Both);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Shutdown {
    /// `SHUT_RD`: no more receiving.
    Read,
    /// `SHUT_WR`: no more sending; the peer sees end of stream.
    Write,
    /// `SHUT_RDWR`: both.
    Both,
}

/// Closes one or both directions of a connected socket, for every process
/// that holds it (unlike `close`).
///
/// `int shutdown(int fd, int how);`
///
/// # Errors
/// `ENOTCONN` on a socket that is not connected.
///
/// # Examples
/// ```
/// use rawscm::{recv, shutdown, socketpair, Error, Shutdown, SocketType};
/// let (a, b) = socketpair(SocketType::Stream, Default::default())?;
/// shutdown(&a, Shutdown::Write)?;
/// assert_eq!(recv(&b, &mut [0u8; 1]), Err(Error::PeerClosed));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [shutdown(2)](https://man7.org/linux/man-pages/man2/shutdown.2.html)
pub fn shutdown(socket: impl AsFd, how: Shutdown) -> Result<()> {
    let how = match how {
        Shutdown::Read => n::SHUT_RD,
        Shutdown::Write => n::SHUT_WR,
        Shutdown::Both => n::SHUT_RDWR,
    };
    Ok(sys::shutdown(socket.as_fd(), how)?)
}

/// The socket's own address (unnamed if it has none).
///
/// `int getsockname(int fd, struct sockaddr *addr, socklen_t *len);`
///
/// # Errors
/// `ENOTSOCK`, `EBADF`.
///
/// # Examples
/// See [`bind`].
///
/// # References
/// - [getsockname(2)](https://man7.org/linux/man-pages/man2/getsockname.2.html)
pub fn getsockname(socket: impl AsFd) -> Result<UnixAddr> {
    Ok(sys::sock_or_peer_name(__NR_getsockname, socket.as_fd())?)
}

/// The address of the connected peer's socket (unnamed if it has none).
///
/// `int getpeername(int fd, struct sockaddr *addr, socklen_t *len);`
///
/// # Errors
/// `ENOTCONN` on a socket that is not connected.
///
/// # Examples
/// ```
/// use rawscm::{getpeername, socketpair, SocketType, UnixAddr};
/// let (a, _b) = socketpair(SocketType::Stream, Default::default())?;
/// assert_eq!(getpeername(&a)?, UnixAddr::unnamed());
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [getpeername(2)](https://man7.org/linux/man-pages/man2/getpeername.2.html)
pub fn getpeername(socket: impl AsFd) -> Result<UnixAddr> {
    Ok(sys::sock_or_peer_name(__NR_getpeername, socket.as_fd())?)
}

/// Allows or refuses descriptors (`SCM_RIGHTS`) sent to this socket
/// (Linux 6.16+; on by default). With it off, a sender's `sendmsg` with
/// descriptors fails with `EPERM` and nothing reaches this socket.
///
/// Turn it off on a socket that expects no descriptors (a notify socket
/// without an fd store, a control socket): otherwise any client can fill
/// the receiver's descriptor table, or pin files and mounts, by sending
/// descriptors that the receiver must at least close.
///
/// `setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &on, sizeof(int));`
///
/// # Errors
/// `ENOPROTOOPT` on kernels before 6.16 (and under qemu-user).
///
/// # Examples
/// ```
/// use rawscm::{set_passrights, Errno};
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// match set_passrights(&a, false) {
///     Ok(()) => assert!(!rawscm::passrights(&a)?),
///     Err(e) => assert_eq!(e.errno(), Some(Errno::ENOPROTOOPT)), // before 6.16
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn set_passrights(socket: impl AsFd, on: bool) -> Result<()> {
    set_bool(socket, n::SO_PASSRIGHTS, on)
}

/// Whether the socket accepts descriptors (`SO_PASSRIGHTS`, Linux 6.16+).
///
/// `getsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &val, &len);`
///
/// # Errors
/// `ENOPROTOOPT` on kernels before 6.16.
///
/// # Examples
/// See [`set_passrights`].
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn passrights(socket: impl AsFd) -> Result<bool> {
    Ok(sys::getsockopt::<i32>(socket.as_fd(), n::SOL_SOCKET, n::SO_PASSRIGHTS)? != 0)
}

fn set_bool(fd: impl AsFd, name: u32, on: bool) -> Result<()> {
    Ok(sys::setsockopt_int(fd.as_fd(), n::SOL_SOCKET, name, i32::from(on))?)
}

/// Enables or disables receiving `SCM_CREDENTIALS` with every message.
///
/// `setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof(int));`
///
/// Set it on the receiving socket *before* the peer sends: a message
/// queued earlier arrives with pid 0 and uid/gid 65534.
///
/// # Errors
/// `EBADF`, `ENOTSOCK`.
///
/// # Examples
/// ```
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// rawscm::set_passcred(&a, true)?;
/// assert!(rawscm::passcred(&a)?);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
/// - [setsockopt(2)](https://man7.org/linux/man-pages/man2/setsockopt.2.html)
pub fn set_passcred(fd: impl AsFd, on: bool) -> Result<()> {
    set_bool(fd, n::SO_PASSCRED, on)
}

/// Whether `SO_PASSCRED` is enabled.
///
/// `getsockopt(fd, SOL_SOCKET, SO_PASSCRED, &val, &len);`
///
/// # Errors
/// `EBADF`, `ENOTSOCK`.
///
/// # Examples
/// ```
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// assert!(!rawscm::passcred(&a)?);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [getsockopt(2)](https://man7.org/linux/man-pages/man2/getsockopt.2.html)
pub fn passcred(fd: impl AsFd) -> Result<bool> {
    Ok(sys::getsockopt::<i32>(fd.as_fd(), n::SOL_SOCKET, n::SO_PASSCRED)? != 0)
}

/// The credentials of the peer, taken when the connection was made (for a
/// socketpair: when it was created).
///
/// `getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &ucred, &len);`
///
/// # Errors
/// `EBADF`, `ENOTSOCK`; for an unconnected socket the kernel reports pid 0 and the overflow ids.
///
/// # Examples
/// ```
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// assert_eq!(rawscm::peercred(&a)?, rawscm::Ucred::current());
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn peercred(fd: impl AsFd) -> Result<Ucred> {
    let c = sys::getsockopt::<n::ucred>(fd.as_fd(), n::SOL_SOCKET, n::SO_PEERCRED)?;
    Ok(Ucred { pid: c.pid as i32, uid: c.uid, gid: c.gid })
}

/// Enables or disables receiving an `SCM_PIDFD` (a pidfd of the sender)
/// with every message. Linux 6.5+; older kernels (and qemu-user) give
/// `ENOPROTOOPT`.
///
/// `setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, &on, sizeof(int));`
///
/// # Errors
/// `ENOPROTOOPT` before Linux 6.5 (and under qemu-user); `EBADF`, `ENOTSOCK`.
///
/// # Examples
/// ```
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// match rawscm::set_passpidfd(&a, true) {
///     Ok(()) => {}
///     Err(e) => assert_eq!(e.errno(), Some(rawscm::Errno::ENOPROTOOPT)),
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
pub fn set_passpidfd(fd: impl AsFd, on: bool) -> Result<()> {
    set_bool(fd, n::SO_PASSPIDFD, on)
}

/// A pidfd for the peer process (close-on-exec). Linux 6.5+; older
/// kernels (and qemu-user) give `ENOPROTOOPT`.
///
/// `getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len);`
///
/// # Errors
/// `ENOPROTOOPT` before Linux 6.5 (and under qemu-user); `ENODATA` for an unconnected socket; `EBADF`, `ENOTSOCK`.
///
/// # Examples
/// ```
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// match rawscm::peerpidfd(&a) {
///     Ok(pidfd) => assert!(pidfd.as_raw_fd() >= 0),
///     Err(e) => assert_eq!(e.errno(), Some(rawscm::Errno::ENOPROTOOPT)),
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [unix(7)](https://man7.org/linux/man-pages/man7/unix.7.html)
/// - [pidfd_open(2)](https://man7.org/linux/man-pages/man2/pidfd_open.2.html)
pub fn peerpidfd(fd: impl AsFd) -> Result<OwnedFd> {
    Ok(sys::peer_pidfd(fd.as_fd())?)
}

/// Whether the socket is listening for connections (`SO_ACCEPTCONN`): true
/// for an activated listening socket, false for an accepted connection.
///
/// `getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &val, &len);`
///
/// # Errors
/// `ENOTSOCK`, `EBADF`.
///
/// # Examples
/// ```
/// use rawscm::{bind, listen, listening, socket, SocketType, UnixAddr};
/// let s = socket(SocketType::Stream, Default::default())?;
/// assert!(!listening(&s)?);
/// bind(&s, &UnixAddr::unnamed())?;
/// listen(&s, 1)?;
/// assert!(listening(&s)?);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
pub fn listening(socket: impl AsFd) -> Result<bool> {
    Ok(sys::getsockopt::<i32>(socket.as_fd(), n::SOL_SOCKET, n::SO_ACCEPTCONN)? != 0)
}

/// The socket's type.
///
/// `getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);` Other types than
/// the three Unix ones give `EPROTOTYPE`.
///
/// # Errors
/// `EPROTOTYPE` for a socket that is none of the three Unix types; `EBADF`, `ENOTSOCK`.
///
/// # Examples
/// ```
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// assert_eq!(rawscm::socket_type(&a)?, rawscm::SocketType::Stream);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [socket(7)](https://man7.org/linux/man-pages/man7/socket.7.html)
pub fn socket_type(fd: impl AsFd) -> Result<SocketType> {
    let raw = sys::getsockopt::<i32>(fd.as_fd(), n::SOL_SOCKET, n::SO_TYPE)? as u32;
    [SocketType::Stream, SocketType::Datagram, SocketType::SeqPacket]
        .into_iter()
        .find(|t| t.raw() == raw)
        .ok_or(Errno::EPROTOTYPE.into())
}
