//! `socketpair` and the socket options around credential and pidfd passing.

use crate::cmsg::Ucred;
use crate::errno::Errno;
use crate::error::Result;
use crate::fd::{AsFd, OwnedFd};
use crate::sys;
use linux_raw_sys::general::{O_CLOEXEC, O_NONBLOCK};
use linux_raw_sys::net as n;

/// The kind of Unix socket.
///
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

/// The socket's type.
///
/// `getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);` Other types than
/// the three Unix ones give `EPROTOTYPE`.
///
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
