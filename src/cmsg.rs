//! Control-message layout: space arithmetic, the two aligned fixed buffers
//! (one to send, one to receive), the send-side encoder and the receive-side
//! parser. No system call and no `unsafe`: it all runs under Miri and in the
//! fuzzer. Taking ownership of received descriptors is [`take_with`],
//! generic over the owner, which `sys` calls with `OwnedFd` right after the
//! `recvmsg` that installed them.
//!
//! The layout is the kernel's (`include/linux/socket.h`): a `cmsghdr` whose
//! `cmsg_len` is a `size_t`, then the payload, each message padded to a
//! multiple of `sizeof(long)`. The structs and constants come from
//! `linux-raw-sys`; the two the kernel keeps out of its uapi headers are
//! written below with their source.

use crate::errno::Errno;
use crate::error::{Error, Result};
use crate::fd::{ArrayVec, BorrowedFd};
use core::marker::PhantomData;
use core::mem::{align_of, offset_of, size_of};
use linux_raw_sys::ctypes::{c_int, c_ulong};
use linux_raw_sys::net::{SCM_CREDENTIALS, SCM_RIGHTS, SOL_SOCKET, cmsghdr, ucred};

/// Most descriptors one `SCM_RIGHTS` message may carry; 254 gives `EINVAL`.
///
/// The kernel's `SCM_MAX_FD` (`include/net/scm.h`), which is not part of the
/// uapi headers that `linux-raw-sys` is generated from.
///
/// # Examples
/// ```
/// assert_eq!(rawscm::SCM_MAX_FD, 253);
/// ```
pub const SCM_MAX_FD: usize = 253;

/// Control-message type of a pidfd received on a socket with `SO_PASSPIDFD`
/// (Linux 6.5+).
///
/// The kernel's `SCM_PIDFD` (`include/linux/socket.h`, the same value on every
/// architecture), which is not part of the uapi headers that `linux-raw-sys`
/// is generated from.
///
/// # Examples
/// ```
/// assert_eq!(rawscm::SCM_PIDFD, 4);
/// ```
pub const SCM_PIDFD: u32 = 4;

/// The alignment of control messages: `sizeof(long)`.
const ALIGN: usize = size_of::<c_ulong>();

/// `CMSG_ALIGN`: rounds up to a multiple of [`ALIGN`].
const fn align(len: usize) -> usize {
    len.saturating_add(ALIGN - 1) & !(ALIGN - 1)
}

/// Size of the aligned `cmsghdr`: 16 on 64-bit targets, 12 on 32-bit ones.
const HDR: usize = align(size_of::<cmsghdr>());

const FD_SIZE: usize = size_of::<c_int>();

/// Where the header fields are (`cmsg_len` is a `size_t` at offset 0).
const LEN_AT: usize = offset_of!(cmsghdr, cmsg_len);
const LEVEL_AT: usize = offset_of!(cmsghdr, cmsg_level);
const TYPE_AT: usize = offset_of!(cmsghdr, cmsg_type);

/// `CMSG_LEN(payload)`: the `cmsg_len` of a message with `payload` bytes.
///
/// # Examples
/// ```
/// let hdr = if cfg!(target_pointer_width = "64") { 16 } else { 12 };
/// assert_eq!(rawscm::cmsg_len(4), hdr + 4);
/// ```
pub const fn cmsg_len(payload: usize) -> usize {
    HDR.saturating_add(payload)
}

/// `CMSG_SPACE(payload)`: the buffer space a message with `payload` bytes
/// takes, padding included.
///
/// # Examples
/// ```
/// // On 64-bit targets CMSG_SPACE(4) is 24: room for *two* descriptors.
/// # #[cfg(target_pointer_width = "64")]
/// assert_eq!(rawscm::cmsg_space(4), 24);
/// ```
pub const fn cmsg_space(payload: usize) -> usize {
    HDR.saturating_add(align(payload))
}

/// The header of a `SOL_SOCKET` message of `kind` with `payload` bytes, as
/// the kernel reads it: `cmsg_len` = `CMSG_LEN(payload)`, then level and
/// type. Straight stores (or a constant), no loop.
const fn header(payload: usize, kind: u32) -> [u8; HDR] {
    let mut h = [0u8; HDR];
    if let Some((len, rest)) = h.split_first_chunk_mut::<{ size_of::<usize>() }>() {
        *len = cmsg_len(payload).to_ne_bytes();
        if let Some(level_type) = rest.first_chunk_mut::<8>() {
            *level_type = key(SOL_SOCKET, kind).to_ne_bytes();
        }
    }
    h
}

/// The header of every `SCM_CREDENTIALS` message.
const CREDENTIALS_HEADER: [u8; HDR] = header(size_of::<ucred>(), SCM_CREDENTIALS);

/// Space for one `SCM_RIGHTS` message with `n` descriptors.
///
/// # Examples
/// ```
/// use rawscm::{space_for_fds, RecvControl};
/// let buf = RecvControl::<{ space_for_fds(3) }>::new();
/// assert_eq!(buf.capacity(), rawscm::cmsg_space(12));
/// ```
pub const fn space_for_fds(n: usize) -> usize {
    cmsg_space(n.saturating_mul(FD_SIZE))
}

/// Space for one `SCM_CREDENTIALS` message.
///
/// # Examples
/// ```
/// assert_eq!(rawscm::SPACE_CREDENTIALS, rawscm::cmsg_space(12));
/// ```
pub const SPACE_CREDENTIALS: usize = cmsg_space(size_of::<ucred>());

/// Space for one `SCM_PIDFD` message.
///
/// # Examples
/// ```
/// assert_eq!(rawscm::SPACE_PIDFD, rawscm::space_for_fds(1));
/// ```
pub const SPACE_PIDFD: usize = cmsg_space(FD_SIZE);

const _: () = {
    // The kernel ABI uses size_t for cmsg_len: 16/8 on 64-bit, 12/4 on 32-bit.
    assert!(size_of::<cmsghdr>() == 2 * size_of::<usize>() + if size_of::<usize>() == 8 { 0 } else { 4 });
    assert!(align_of::<cmsghdr>() == size_of::<c_ulong>());
    assert!(HDR == size_of::<cmsghdr>());
    assert!(LEN_AT == 0 && TYPE_AT == LEVEL_AT + FD_SIZE && TYPE_AT + FD_SIZE == HDR);
    assert!(size_of::<ucred>() == 12);
};

/// Process credentials: what `SCM_CREDENTIALS` and `SO_PEERCRED` carry.
///
/// `pid` 0 is a real value: the kernel reports it when the sender is not
/// visible in the receiver's pid namespace. `uid`/`gid` 65534 (the overflow
/// ids) mean "not mappable into the receiver's user namespace", and also what
/// a receiver sees when it set `SO_PASSCRED` after the message was queued.
///
/// # Examples
/// ```
/// let me = rawscm::Ucred::current();
/// assert_eq!(me.pid as u32, std::process::id());
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ucred {
    /// Process id, in the receiver's pid namespace (0: not visible there).
    pub pid: i32,
    /// User id, in the receiver's user namespace.
    pub uid: u32,
    /// Group id, in the receiver's user namespace.
    pub gid: u32,
}

/// The aligned bytes of both buffers. Every byte is initialised (zero at
/// first), so the kernel may leave padding unwritten and the parser may read
/// anything without undefined behaviour.
#[derive(Clone)]
#[repr(C)]
struct Bytes<const N: usize> {
    _align: [cmsghdr; 0],
    bytes: [u8; N],
}

impl<const N: usize> Bytes<N> {
    const fn new() -> Self {
        Bytes { _align: [], bytes: [0; N] }
    }
}

/// Control messages to send: a fixed buffer of `N` bytes on the stack,
/// aligned for `cmsghdr`, holding the descriptors it names *borrowed* for
/// `'fd`.
///
/// Size it with the const functions: `SendControl<{ space_for_fds(2) +
/// SPACE_CREDENTIALS }>`. `push_*` appends messages and refuses what does not
/// fit; [`sendmsg`](crate::sendmsg) sends them. The borrow is what makes it
/// sound: a descriptor cannot be closed (and its number reused by another
/// file) while a buffer that names it can still be sent.
///
/// # Examples
/// ```
/// use rawscm::{space_for_fds, AsFd, SendControl, SPACE_CREDENTIALS, Ucred};
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
/// let mut out = SendControl::<{ space_for_fds(1) + SPACE_CREDENTIALS }>::new();
/// out.push_fds(&[a.as_fd()])?;
/// out.push_credentials(Ucred::current())?;
/// assert_eq!(out.len(), out.capacity());
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// The buffer borrows what it names; this does not compile:
/// ```compile_fail,E0505
/// # #![forbid(unsafe_code)]
/// use rawscm::{sendmsg, space_for_fds, AsFd, IoSlice, SendControl, SocketType};
/// let (a, _b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
/// let (x, y) = rawscm::socketpair(SocketType::Stream, Default::default())?;
/// let mut control = SendControl::<{ space_for_fds(1) }>::new();
/// control.push_fds(&[x.as_fd()])?;
/// drop(x); // error[E0505]: cannot move out of `x` because it is borrowed
/// let secret = std::fs::File::open("/etc/hostname"); // would reuse x's number
/// sendmsg(&a, &[IoSlice::new(b"x")], &control, Default::default())?;
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone)]
pub struct SendControl<'fd, const N: usize> {
    buf: Bytes<N>,
    /// Bytes `[0, len)` hold the messages.
    len: usize,
    _fds: PhantomData<BorrowedFd<'fd>>,
}

impl<const N: usize> Default for SendControl<'_, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'fd, const N: usize> SendControl<'fd, N> {
    /// An empty buffer.
    ///
    /// # Examples
    /// ```
    /// let buf = rawscm::SendControl::<64>::new();
    /// assert!(buf.is_empty());
    /// ```
    pub const fn new() -> Self {
        SendControl { buf: Bytes::new(), len: 0, _fds: PhantomData }
    }

    /// Bytes of control data held.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::SendControl::<64>::new().len(), 0);
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no control data.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::SendControl::<64>::new().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `N`.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::SendControl::<64>::new().capacity(), 64);
    /// ```
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Forgets the messages held (the borrows stay until the buffer goes).
    ///
    /// # Examples
    /// ```
    /// let mut buf = rawscm::SendControl::<{ rawscm::SPACE_CREDENTIALS }>::new();
    /// buf.push_credentials(rawscm::Ucred::current())?;
    /// buf.clear();
    /// assert!(buf.is_empty());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The control data held, as the kernel will see it.
    ///
    /// # Examples
    /// ```
    /// let mut buf = rawscm::SendControl::<{ rawscm::SPACE_CREDENTIALS }>::new();
    /// buf.push_credentials(rawscm::Ucred::current())?;
    /// let n = rawscm::ControlMessages::new(buf.as_bytes()).count();
    /// assert_eq!(n, 1);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.bytes.get(..self.len).unwrap_or_default()
    }

    /// Appends one `SCM_RIGHTS` message carrying `fds` (nothing for an empty
    /// slice). The descriptors stay owned by the caller and borrowed by the
    /// buffer; the kernel duplicates them when the message is sent.
    ///
    /// # Errors
    /// [`Error::TooManyFds`] above [`SCM_MAX_FD`], [`Error::ControlBufferFull`]
    /// when the message does not fit. On error the buffer is unchanged.
    ///
    /// # Examples
    /// ```
    /// use rawscm::{space_for_fds, AsFd, SendControl, Error};
    /// let (a, b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
    /// let mut buf = SendControl::<{ space_for_fds(1) }>::new();
    /// buf.push_fds(&[a.as_fd()])?;
    /// assert!(matches!(buf.push_fds(&[b.as_fd()]), Err(Error::ControlBufferFull { .. })));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn push_fds(&mut self, fds: &[BorrowedFd<'fd>]) -> Result<()> {
        if fds.is_empty() {
            return Ok(());
        }
        if fds.len() > SCM_MAX_FD {
            return Err(Error::TooManyFds { count: fds.len() });
        }
        let payload = self.push(header(fds.len() * FD_SIZE, SCM_RIGHTS))?;
        for (slot, fd) in payload.as_chunks_mut::<FD_SIZE>().0.iter_mut().zip(fds) {
            *slot = fd.as_raw_fd().to_ne_bytes();
        }
        Ok(())
    }

    /// Appends one `SCM_CREDENTIALS` message. Sending credentials other than
    /// your own needs privileges (`CAP_SYS_ADMIN` for the pid,
    /// `CAP_SETUID`/`CAP_SETGID` for the ids); the kernel checks at send time.
    ///
    /// # Errors
    /// [`Error::ControlBufferFull`] when the message does not fit; the buffer
    /// is unchanged.
    ///
    /// # Examples
    /// ```
    /// let mut buf = rawscm::SendControl::<{ rawscm::SPACE_CREDENTIALS }>::new();
    /// buf.push_credentials(rawscm::Ucred::current())?;
    /// assert!(buf.push_credentials(rawscm::Ucred::current()).is_err());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn push_credentials(&mut self, creds: Ucred) -> Result<()> {
        let payload = self.push(CREDENTIALS_HEADER)?;
        let words = [creds.pid as u32, creds.uid, creds.gid];
        for (slot, w) in payload.as_chunks_mut::<4>().0.iter_mut().zip(words) {
            *slot = w.to_ne_bytes();
        }
        Ok(())
    }

    /// Appends the message that `hdr` (from [`header`]) describes: writes
    /// the header and zero padding, commits it, and returns its payload to
    /// fill. Nothing changes when it does not fit.
    fn push(&mut self, hdr: [u8; HDR]) -> Result<&mut [u8]> {
        let (len, _) =
            hdr.split_first_chunk::<{ size_of::<usize>() }>().unwrap_or((&[0; size_of::<usize>()], &[]));
        let payload = usize::from_ne_bytes(*len).saturating_sub(HDR);
        let at = self.len;
        let needed = cmsg_space(payload);
        let full = Error::ControlBufferFull { needed, available: N.saturating_sub(at) };
        let msg = self.buf.bytes.get_mut(at..).and_then(|free| free.get_mut(..needed)).ok_or(full)?;
        let (head, rest) = msg.split_first_chunk_mut::<HDR>().ok_or(full)?;
        *head = hdr;
        // `needed` covers the header, the payload and the padding.
        let (data, padding) = rest.split_at_mut_checked(payload).ok_or(full)?;
        padding.fill(0);
        self.len = at + needed;
        Ok(data)
    }
}

/// A buffer to receive control messages into: `N` bytes on the stack,
/// aligned for `cmsghdr`. [`recvmsg`](crate::recvmsg) fills it and hands
/// every descriptor that arrived to its [`Received`](crate::Received); what
/// is left here afterwards are the raw bytes, for reading other messages.
///
/// It is a different type from [`SendControl`] on purpose: received numbers
/// belong to the `Received` and may be closed and reused, so a receive buffer
/// cannot be sent.
///
/// # Examples
/// ```
/// use rawscm::{recvmsg, space_for_fds, IoSliceMut, Received, RecvControl};
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// rawscm::send(&a, b"x")?;
/// let mut control = RecvControl::<{ space_for_fds(2) }>::new();
/// let mut data = [0u8; 1];
/// let got: Received<2> = recvmsg(&b, &mut [IoSliceMut::new(&mut data)], &mut control, Default::default())?;
/// assert_eq!((got.bytes, control.len()), (1, 0));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// A receive buffer cannot be sent; this does not compile:
/// ```compile_fail,E0308
/// # #![forbid(unsafe_code)]
/// use rawscm::{recvmsg, sendmsg, space_for_fds, IoSlice, IoSliceMut, Received, RecvControl};
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
/// let mut control = RecvControl::<{ space_for_fds(1) }>::new();
/// let got: Received<1> =
///     recvmsg(&b, &mut [IoSliceMut::new(&mut [0u8; 1])], &mut control, Default::default())?;
/// drop(got); // closes what arrived; the numbers may be reused
/// sendmsg(&a, &[IoSlice::new(b"x")], &control, Default::default())?; // error[E0308]
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone)]
pub struct RecvControl<const N: usize> {
    buf: Bytes<N>,
    /// Bytes `[0, len)` hold what the last receive brought.
    len: usize,
}

impl<const N: usize> Default for RecvControl<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RecvControl<N> {
    /// An empty buffer.
    ///
    /// # Examples
    /// ```
    /// let buf = rawscm::RecvControl::<64>::new();
    /// assert!(buf.is_empty());
    /// ```
    pub const fn new() -> Self {
        RecvControl { buf: Bytes::new(), len: 0 }
    }

    /// Bytes of control data the last receive brought.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::RecvControl::<64>::new().len(), 0);
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the last receive brought no control data.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::RecvControl::<64>::new().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `N`.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::RecvControl::<64>::new().capacity(), 64);
    /// ```
    pub const fn capacity(&self) -> usize {
        N
    }

    /// The raw control data of the last receive. Descriptor numbers in it
    /// belong to the [`Received`](crate::Received) that receive returned.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::RecvControl::<64>::new().as_bytes().is_empty());
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.bytes.get(..self.len).unwrap_or_default()
    }

    /// The messages of the last receive (see [`as_bytes`](Self::as_bytes)).
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::RecvControl::<64>::new().messages().count(), 0);
    /// ```
    pub fn messages(&self) -> ControlMessages<'_> {
        ControlMessages::new(self.as_bytes())
    }

    /// The first `limit` bytes (at most `N`) for the kernel to write into.
    /// The caller then records what the receive brought with
    /// [`set_len`](Self::set_len), 0 if it failed.
    pub(crate) fn area(&mut self, limit: usize) -> &mut [u8] {
        let n = if limit < N { limit } else { N };
        self.buf.bytes.get_mut(..n).unwrap_or_default()
    }

    /// Records that the kernel wrote `len` bytes (`msg_controllen`) into the
    /// area; a length beyond the buffer (impossible) is clamped.
    pub(crate) fn set_len(&mut self, len: usize) {
        self.len = if len < N { len } else { N };
    }
}

/// One received control message, parsed but not owned.
///
/// # Examples
/// ```
/// use rawscm::{ControlMessage, ControlMessages, SendControl, Ucred, SPACE_CREDENTIALS};
/// let mut buf = SendControl::<SPACE_CREDENTIALS>::new();
/// buf.push_credentials(Ucred { pid: 7, uid: 8, gid: 9 })?;
/// let first = ControlMessages::new(buf.as_bytes()).next();
/// assert_eq!(first, Some(ControlMessage::Credentials(Ucred { pid: 7, uid: 8, gid: 9 })));
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControlMessage<'a> {
    /// `SCM_RIGHTS`: descriptor numbers (raw: nothing owns them here).
    Rights(RawFds<'a>),
    /// `SCM_CREDENTIALS`.
    Credentials(Ucred),
    /// `SCM_PIDFD`: a pidfd number (raw: nothing owns it here), or a
    /// negative errno where the kernel (6.5 to 6.16) could not make a pidfd
    /// for a sender that had already exited.
    Pidfd(i32),
    /// Any other message (or a known type with a short payload).
    Other {
        /// `cmsg_level`.
        level: i32,
        /// `cmsg_type`.
        kind: i32,
        /// The payload.
        data: &'a [u8],
    },
}

/// The descriptor numbers of an `SCM_RIGHTS` payload: `payload_len / 4` of
/// them (a partial trailing int is ignored).
///
/// # Examples
/// ```
/// let bytes = [1i32.to_ne_bytes(), 2i32.to_ne_bytes()].concat();
/// let fds: Vec<i32> = rawscm::RawFds::new(&bytes).collect();
/// assert_eq!(fds, [1, 2]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawFds<'a> {
    data: &'a [u8],
}

impl<'a> RawFds<'a> {
    /// Descriptor numbers in an `SCM_RIGHTS` payload.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::RawFds::new(&[0; 9]).len(), 2);
    /// ```
    pub const fn new(payload: &'a [u8]) -> Self {
        RawFds { data: payload }
    }
}

impl Iterator for RawFds<'_> {
    type Item = i32;
    fn next(&mut self) -> Option<i32> {
        let (head, rest) = self.data.split_first_chunk::<FD_SIZE>()?;
        self.data = rest;
        Some(c_int::from_ne_bytes(*head))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.data.len() / FD_SIZE;
        (n, Some(n))
    }
}

impl ExactSizeIterator for RawFds<'_> {}

/// Walks the control messages of a buffer as the kernel returns it
/// (`msg_control`, `msg_controllen` bytes), for any byte content: it never
/// panics and never reads outside `bytes`, which may be unaligned.
///
/// Rules (those of the kernel's `CMSG_NXTHDR`): a header that does not fit,
/// or a `cmsg_len` shorter than a header, ends the walk; a `cmsg_len` that
/// runs past the end (a truncated last message) yields the bytes that are
/// there and ends the walk.
///
/// This only reads. [`recvmsg`](crate::recvmsg) takes ownership of every
/// received descriptor.
///
/// # Examples
/// ```
/// use rawscm::{ControlMessages, SendControl, SPACE_CREDENTIALS, Ucred};
/// let mut buf = SendControl::<SPACE_CREDENTIALS>::new();
/// buf.push_credentials(Ucred::current())?;
/// assert_eq!(ControlMessages::new(buf.as_bytes()).count(), 1);
/// assert_eq!(ControlMessages::new(&[0xff; 7]).count(), 0);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ControlMessages<'a> {
    /// From the next header to the end.
    rest: &'a [u8],
}

impl<'a> ControlMessages<'a> {
    /// Parses `bytes`.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::ControlMessages::new(&[]).count(), 0);
    /// ```
    pub const fn new(bytes: &'a [u8]) -> Self {
        ControlMessages { rest: bytes }
    }
}

/// A header's `cmsg_level` and `cmsg_type` as one native-endian word, so
/// that the walk tells the messages it knows apart with one comparison each.
const fn key(level: u32, kind: u32) -> u64 {
    let (l, k) = ((level as c_int).to_ne_bytes(), (kind as c_int).to_ne_bytes());
    u64::from_ne_bytes([l[0], l[1], l[2], l[3], k[0], k[1], k[2], k[3]])
}
const RIGHTS: u64 = key(SOL_SOCKET, SCM_RIGHTS);
const CREDENTIALS: u64 = key(SOL_SOCKET, SCM_CREDENTIALS);
const PIDFD: u64 = key(SOL_SOCKET, SCM_PIDFD);

/// One message of a walk: its header, its payload, and the bytes from the
/// next header on.
struct Message<'a> {
    /// `cmsg_level` and `cmsg_type` (see [`key`]).
    key: [u8; 8],
    payload: &'a [u8],
    rest: &'a [u8],
}

/// The message at the start of `bytes` by the rules of the kernel's
/// `CMSG_NXTHDR`: `None` when no whole header is there or its `cmsg_len` is
/// shorter than a header (the walk ends); a payload cut at the end of
/// `bytes` when `cmsg_len` runs past it (the last message); the next header
/// at `CMSG_ALIGN(cmsg_len)`, nothing when that is past the end. Reads only
/// inside `bytes`, whatever they hold, and cannot panic or overflow.
#[inline]
fn split(bytes: &[u8]) -> Option<Message<'_>> {
    let (hdr, _) = bytes.split_first_chunk::<HDR>()?;
    let (len, _) = hdr.split_first_chunk::<{ size_of::<usize>() }>()?;
    let (_, key) = hdr.split_last_chunk::<8>()?;
    let len = usize::from_ne_bytes(*len);
    if len < HDR {
        return None;
    }
    let len = len.min(bytes.len());
    // No overflow: len <= bytes.len() <= isize::MAX.
    let next = (len + (ALIGN - 1)) & !(ALIGN - 1);
    Some(Message {
        key: *key,
        payload: bytes.get(HDR..len).unwrap_or_default(),
        rest: bytes.get(next.min(bytes.len())..).unwrap_or_default(),
    })
}

/// The `struct ucred` at the start of an `SCM_CREDENTIALS` payload, if it
/// is long enough.
#[inline]
fn ucred_of(payload: &[u8]) -> Option<Ucred> {
    payload.first_chunk::<12>().map(Ucred::from_bytes)
}

impl Ucred {
    /// A native-endian `struct ucred`: pid, uid, gid.
    #[inline]
    pub(crate) fn from_bytes(c: &[u8; 12]) -> Ucred {
        let word = |i: usize| u32::from_ne_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
        Ucred { pid: word(0) as i32, uid: word(4), gid: word(8) }
    }
}

impl<'a> Iterator for ControlMessages<'a> {
    type Item = ControlMessage<'a>;

    #[inline]
    fn next(&mut self) -> Option<ControlMessage<'a>> {
        // A malformed header leaves `rest` as it is: every later call ends too.
        let Message { key: k, payload, rest } = split(self.rest)?;
        self.rest = rest;
        let known = match u64::from_ne_bytes(k) {
            RIGHTS => Some(ControlMessage::Rights(RawFds::new(payload))),
            CREDENTIALS => ucred_of(payload).map(ControlMessage::Credentials),
            PIDFD => RawFds::new(payload).next().map(ControlMessage::Pidfd),
            _ => None,
        };
        Some(known.unwrap_or_else(|| {
            let [l0, l1, l2, l3, t0, t1, t2, t3] = k;
            let (level, kind) =
                (c_int::from_ne_bytes([l0, l1, l2, l3]), c_int::from_ne_bytes([t0, t1, t2, t3]));
            ControlMessage::Other { level, kind, data: payload }
        }))
    }
}

/// What [`take_with`] found in control bytes that live for `'a`. `F` is the
/// owner of one descriptor: `OwnedFd` in `sys`, a recorder in the tests.
pub(crate) struct Taken<'a, const N: usize, F> {
    /// Up to `N` `SCM_RIGHTS` descriptors, in order.
    pub(crate) fds: ArrayVec<F, N>,
    /// `SCM_RIGHTS` descriptors beyond `N`, and pidfds after the first:
    /// their owners were dropped (closed).
    pub(crate) fds_closed: usize,
    /// The payload of the last `SCM_CREDENTIALS` (the kernel sends one at
    /// most), decoded by [`Taken::credentials`]: a reference while walking
    /// keeps the walk's state small.
    pub(crate) credentials: Option<&'a [u8; 12]>,
    /// The first `SCM_PIDFD` descriptor.
    pub(crate) pidfd: Option<F>,
    /// A negative `SCM_PIDFD` payload: the kernel's errno for a sender
    /// whose pidfd it could not make.
    pub(crate) pidfd_error: Option<Errno>,
}

/// Walks every message of `control` (the walk of [`ControlMessages`]) and
/// makes an owner for every descriptor in it with `own`, which is called
/// exactly once for each non-negative number in an `SCM_RIGHTS` or
/// `SCM_PIDFD` payload, in order, and for nothing else. Up to `N`
/// `SCM_RIGHTS` owners and the first pidfd are kept; any further owner is
/// dropped at once (closed) and counted.
///
/// Written out rather than on top of the iterator, and `#[inline]` with
/// nothing that can panic, so that a receive compiles to one tight loop in
/// its caller.
#[inline]
pub(crate) fn take_with<const N: usize, F>(control: &[u8], mut own: impl FnMut(i32) -> F) -> Taken<'_, N, F> {
    let mut t =
        Taken { fds: ArrayVec::new(), fds_closed: 0, credentials: None, pidfd: None, pidfd_error: None };
    let mut bytes = control;
    // The first pidfd, owned after the walk (a number, not an owner, keeps
    // the loop's state small); -1: none.
    let mut pidfd = -1;
    while let Some(Message { key: k, payload, rest }) = split(bytes) {
        bytes = rest;
        match u64::from_ne_bytes(k) {
            RIGHTS => {
                for fd in payload.as_chunks::<FD_SIZE>().0 {
                    let fd = c_int::from_ne_bytes(*fd);
                    if fd >= 0 && t.fds.push(own(fd)).is_err() {
                        t.fds_closed += 1; // dropped: closed
                    }
                }
            }
            CREDENTIALS => {
                if let Some(c) = payload.first_chunk::<12>() {
                    t.credentials = Some(c);
                }
            }
            PIDFD => match RawFds::new(payload).next() {
                Some(fd) if fd < 0 => t.pidfd_error = Some(Errno::from_raw(fd.saturating_neg())),
                Some(fd) if pidfd < 0 => pidfd = fd,
                Some(fd) => {
                    drop(own(fd));
                    t.fds_closed += 1;
                }
                None => {}
            },
            _ => {}
        }
    }
    if pidfd >= 0 {
        t.pidfd = Some(own(pidfd));
    }
    t
}

#[cfg(test)]
impl<const N: usize, F> Taken<'_, N, F> {
    /// The last `SCM_CREDENTIALS`, decoded.
    pub(crate) fn credentials(&self) -> Option<Ucred> {
        self.credentials.map(Ucred::from_bytes)
    }
}

#[cfg(test)]
#[allow(unsafe_code)] // fake descriptor numbers, only ever encoded
mod tests {
    use super::*;
    use std::vec::Vec as StdVec;

    /// The kernel's macros for a target whose `long` is `word` bytes and whose
    /// `cmsghdr` is `size_t` + two ints.
    fn kernel_len(word: usize, payload: usize) -> usize {
        let hdr = (word + 8 + word - 1) & !(word - 1);
        hdr + payload
    }
    fn kernel_space(word: usize, payload: usize) -> usize {
        let hdr = (word + 8 + word - 1) & !(word - 1);
        hdr + ((payload + word - 1) & !(word - 1))
    }

    #[test]
    fn model_matches_known_values_for_both_word_sizes() {
        // 64-bit: header 16, CMSG_SPACE(4) = 24 (room for two fds).
        assert_eq!((kernel_len(8, 4), kernel_space(8, 4), kernel_space(8, 12)), (20, 24, 32));
        assert_eq!(kernel_space(8, 8), 24);
        // 32-bit: header 12, everything 4-aligned.
        assert_eq!((kernel_len(4, 4), kernel_space(4, 4), kernel_space(4, 12)), (16, 16, 24));
        assert_eq!(kernel_space(4, 8), 20);
    }

    #[test]
    fn space_arithmetic_is_the_kernels_for_this_target() {
        let word = size_of::<usize>();
        for payload in 0..=1100 {
            assert_eq!(cmsg_len(payload), kernel_len(word, payload), "CMSG_LEN({payload})");
            assert_eq!(cmsg_space(payload), kernel_space(word, payload), "CMSG_SPACE({payload})");
        }
        for n in 0..=SCM_MAX_FD {
            assert_eq!(space_for_fds(n), kernel_space(word, 4 * n));
        }
        assert_eq!(SPACE_CREDENTIALS, kernel_space(word, 12));
        assert_eq!(SPACE_PIDFD, kernel_space(word, 4));
        assert_eq!(HDR, if word == 8 { 16 } else { 12 });
        // On 64-bit, space for one fd has room for two.
        if word == 8 {
            assert_eq!(space_for_fds(1), space_for_fds(2));
        }
        // Saturating, never panicking, on absurd input.
        assert_eq!(cmsg_space(usize::MAX), usize::MAX);
        assert_eq!(space_for_fds(usize::MAX), cmsg_space(usize::MAX));
    }

    #[test]
    fn buffer_is_aligned_for_cmsghdr() {
        assert!(align_of::<SendControl<'_, 1>>() >= align_of::<cmsghdr>());
        assert!(align_of::<RecvControl<1>>() >= align_of::<cmsghdr>());
        let s = SendControl::<{ space_for_fds(1) }>::new();
        assert_eq!(s.buf.bytes.as_ptr() as usize % align_of::<cmsghdr>(), 0);
        let mut r = RecvControl::<{ space_for_fds(1) }>::new();
        assert_eq!(r.area(usize::MAX).as_ptr() as usize % align_of::<cmsghdr>(), 0);
    }

    fn header(len: usize, kind: u32) -> StdVec<u8> {
        let mut v = StdVec::new();
        v.extend_from_slice(&len.to_ne_bytes());
        v.extend_from_slice(&(SOL_SOCKET as i32).to_ne_bytes());
        v.extend_from_slice(&(kind as i32).to_ne_bytes());
        v
    }

    fn borrowed(fd: i32) -> BorrowedFd<'static> {
        // SAFETY: only encoded into bytes, never used in a system call.
        unsafe { BorrowedFd::borrow_raw(fd) }
    }

    #[test]
    fn one_fd_is_encoded_byte_exact_with_cmsg_len_not_cmsg_space() {
        let mut b = SendControl::<{ space_for_fds(1) }>::new();
        b.push_fds(&[borrowed(7)]).unwrap();
        let mut want = header(cmsg_len(4), SCM_RIGHTS);
        want.extend_from_slice(&7i32.to_ne_bytes());
        want.resize(cmsg_space(4), 0); // zeroed padding (4 bytes on 64-bit)
        assert_eq!(b.as_bytes(), &want[..]);
    }

    #[test]
    fn fds_then_credentials_are_encoded_byte_exact() {
        let mut b = SendControl::<{ space_for_fds(3) + SPACE_CREDENTIALS }>::new();
        b.push_fds(&[borrowed(3), borrowed(4), borrowed(5)]).unwrap();
        b.push_credentials(Ucred { pid: 0, uid: 65534, gid: 7 }).unwrap();
        let mut want = header(cmsg_len(12), SCM_RIGHTS);
        for fd in [3i32, 4, 5] {
            want.extend_from_slice(&fd.to_ne_bytes());
        }
        want.resize(cmsg_space(12), 0);
        want.extend_from_slice(&header(cmsg_len(12), SCM_CREDENTIALS));
        for w in [0u32, 65534, 7] {
            want.extend_from_slice(&w.to_ne_bytes());
        }
        want.resize(cmsg_space(12) + SPACE_CREDENTIALS, 0);
        assert_eq!(b.as_bytes(), &want[..]);
        assert_eq!(b.len(), b.capacity());
    }

    #[test]
    fn overflow_and_too_many_fds_are_refused_and_leave_the_buffer_unchanged() {
        let fds: StdVec<BorrowedFd<'_>> = (0..254).map(borrowed).collect();
        let mut big = SendControl::<{ space_for_fds(254) }>::new();
        assert_eq!(big.push_fds(&fds), Err(Error::TooManyFds { count: 254 }));
        assert!(big.is_empty());
        big.push_fds(&fds[..253]).unwrap();
        assert_eq!(big.len(), space_for_fds(253));

        let mut small = SendControl::<{ space_for_fds(2) }>::new();
        let needed = space_for_fds(3);
        assert_eq!(
            small.push_fds(&fds[..3]),
            Err(Error::ControlBufferFull { needed, available: space_for_fds(2) })
        );
        assert!(small.is_empty());
        small.push_fds(&fds[..2]).unwrap();
        assert_eq!(
            small.push_credentials(Ucred { pid: 1, uid: 0, gid: 0 }),
            Err(Error::ControlBufferFull { needed: SPACE_CREDENTIALS, available: 0 })
        );
        assert_eq!(small.len(), space_for_fds(2));
        small.push_fds(&[]).unwrap(); // nothing to add, nothing added
        assert_eq!(small.len(), space_for_fds(2));
    }

    #[test]
    fn parser_round_trips_what_the_encoder_wrote() {
        let mut b = SendControl::<{ space_for_fds(2) + SPACE_CREDENTIALS }>::new();
        b.push_credentials(Ucred { pid: 0, uid: 1, gid: 2 }).unwrap();
        b.push_fds(&[borrowed(10), borrowed(11)]).unwrap();
        let msgs: StdVec<_> = ControlMessages::new(b.as_bytes()).collect();
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0], ControlMessage::Credentials(Ucred { pid: 0, uid: 1, gid: 2 }));
        match &msgs[1] {
            ControlMessage::Rights(fds) => assert_eq!(fds.clone().collect::<StdVec<_>>(), [10, 11]),
            other => panic!("expected rights, got {other:?}"),
        }
    }

    #[test]
    fn parser_reads_unaligned_buffers() {
        let mut b = SendControl::<{ space_for_fds(1) }>::new();
        b.push_fds(&[borrowed(42)]).unwrap();
        // Copy to an odd address: a [u8] view has no alignment.
        let mut raw = StdVec::from([0u8]);
        raw.extend_from_slice(b.as_bytes());
        let msgs: StdVec<_> = ControlMessages::new(&raw[1..]).collect();
        assert_eq!(msgs, [ControlMessage::Rights(RawFds::new(&42i32.to_ne_bytes()))]);
    }

    #[test]
    fn parser_counts_fds_from_cmsg_len_including_a_second_fd_in_the_padding() {
        // What a receiver sized with CMSG_SPACE(4) gets on 64-bit when the
        // peer sends two fds: cmsg_len = CMSG_LEN(8) and two numbers.
        let mut bytes = header(cmsg_len(8), SCM_RIGHTS);
        bytes.extend_from_slice(&5i32.to_ne_bytes());
        bytes.extend_from_slice(&6i32.to_ne_bytes());
        let fds: StdVec<i32> = match ControlMessages::new(&bytes).next() {
            Some(ControlMessage::Rights(r)) => r.collect(),
            other => panic!("{other:?}"),
        };
        assert_eq!(fds, [5, 6]);
    }

    #[test]
    fn parser_stops_on_malformed_lengths_without_panicking() {
        // cmsg_len shorter than a header.
        let short = header(HDR - 1, SCM_RIGHTS);
        assert_eq!(ControlMessages::new(&short).count(), 0);
        // cmsg_len of usize::MAX: clamped payload, then the walk ends.
        let mut huge = header(usize::MAX, SCM_RIGHTS);
        huge.extend_from_slice(&9i32.to_ne_bytes());
        let msgs: StdVec<_> = ControlMessages::new(&huge).collect();
        assert_eq!(msgs, [ControlMessage::Rights(RawFds::new(&9i32.to_ne_bytes()))]);
        // A truncated header.
        assert_eq!(ControlMessages::new(&huge[..HDR - 1]).count(), 0);
        // Credentials with a short payload are "other", not garbage creds.
        let mut c = header(cmsg_len(8), SCM_CREDENTIALS);
        c.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert!(matches!(ControlMessages::new(&c).next(), Some(ControlMessage::Other { .. })));
        // Unknown level: other, with its payload.
        let mut o = header(cmsg_len(3), SCM_RIGHTS);
        o[size_of::<usize>()..size_of::<usize>() + 4].copy_from_slice(&77i32.to_ne_bytes());
        o.extend_from_slice(&[1, 2, 3]);
        assert_eq!(
            ControlMessages::new(&o).next(),
            Some(ControlMessage::Other { level: 77, kind: SCM_RIGHTS as i32, data: &[1, 2, 3] })
        );
    }
}

/// Ownership-taking on hostile bytes (with a recorder standing in for
/// `OwnedFd`, so no descriptor is touched), and the receive-side bookkeeping
/// of [`RecvControl`]. No system calls: runs under Miri (`cargo xtask miri`).
#[cfg(test)]
mod take_tests {
    use super::*;
    use std::cell::RefCell;
    use std::vec::Vec as StdVec;

    /// Stands in for `OwnedFd`: records its creation and its drop ("close").
    struct Owner<'a> {
        fd: i32,
        closed: &'a RefCell<StdVec<i32>>,
    }

    impl Drop for Owner<'_> {
        fn drop(&mut self) {
            self.closed.borrow_mut().push(self.fd);
        }
    }

    // The tests' one generator (tests/common/rng.rs).
    include!("../tests/common/rng.rs");

    /// Control data with lying lengths, odd payload sizes, unknown levels and
    /// types, possibly cut short: what no kernel sends.
    fn hostile(rng: &mut Rng) -> StdVec<u8> {
        let mut v = StdVec::new();
        for _ in 0..rng.below(5) {
            let payload: StdVec<u8> = match rng.below(3) {
                0 => (0..rng.below(40)).map(|_| rng.next() as u8).collect(),
                _ => {
                    let mut p: StdVec<u8> =
                        (0..rng.below(8)).flat_map(|_| (rng.below(40) as i32 - 4).to_ne_bytes()).collect();
                    p.resize(p.len() + rng.below(4), 0xff); // a partial trailing int
                    p
                }
            };
            let len = match rng.below(8) {
                0 => rng.below(HDR + 1),
                1 => rng.next() as usize,
                2 => usize::MAX - rng.below(16),
                3 => HDR + rng.below(64),
                _ => cmsg_len(payload.len()),
            };
            let level = if rng.below(6) == 0 { rng.next() as c_int } else { SOL_SOCKET as c_int };
            let kind = if rng.below(6) == 0 { rng.next() as c_int } else { rng.below(6) as c_int };
            v.extend_from_slice(&len.to_ne_bytes());
            v.extend_from_slice(&level.to_ne_bytes());
            v.extend_from_slice(&kind.to_ne_bytes());
            v.extend_from_slice(&payload);
            if rng.below(2) == 0 {
                v.resize(align(v.len()), 0);
            }
        }
        if rng.below(4) == 0 {
            let cut = rng.below(v.len() + 1);
            v.truncate(cut);
        }
        v
    }

    /// `take_with::<N>` on `bytes` against what the parser yields: owners are
    /// made for exactly the non-negative descriptor numbers of SCM_RIGHTS and
    /// SCM_PIDFD messages, each once, in order; the first `N` rights and the
    /// first pidfd are kept, every other owner is dropped, and all are
    /// dropped exactly once in the end.
    fn check<const N: usize>(bytes: &[u8]) {
        let (mut rights, mut pidfds, mut creds, mut pidfd_error) = (StdVec::new(), StdVec::new(), None, None);
        for m in ControlMessages::new(bytes) {
            match m {
                ControlMessage::Rights(fds) => rights.extend(fds.filter(|&fd| fd >= 0)),
                ControlMessage::Pidfd(fd) if fd >= 0 => pidfds.push(fd),
                ControlMessage::Pidfd(fd) => pidfd_error = Some(Errno::from_raw(fd.saturating_neg())),
                ControlMessage::Credentials(c) => {
                    creds = Some(c);
                }
                _ => {}
            }
        }
        let closed = RefCell::new(StdVec::new());
        let made = RefCell::new(StdVec::new());
        let t = take_with::<N, _>(bytes, |fd| {
            made.borrow_mut().push(fd);
            Owner { fd, closed: &closed }
        });
        let kept: StdVec<i32> = t.fds.as_slice().iter().map(|o| o.fd).collect();
        let n = rights.len().min(N);
        assert_eq!(kept, rights[..n], "{bytes:?}");
        assert_eq!(t.pidfd.as_ref().map(|o| o.fd), pidfds.first().copied());
        assert_eq!(t.credentials(), creds);
        assert_eq!(t.pidfd_error, pidfd_error, "a negative pidfd is an errno, never owned");
        let surplus = rights.len() - n + pidfds.len().saturating_sub(1);
        assert_eq!(t.fds_closed, surplus);
        assert_eq!(closed.borrow().len(), surplus, "surplus owners are dropped at once");
        let mut all = made.borrow().clone();
        drop(t);
        let mut dropped = closed.borrow().clone();
        let mut want: StdVec<i32> = rights.iter().chain(&pidfds).copied().collect();
        all.sort_unstable();
        dropped.sort_unstable();
        want.sort_unstable();
        assert_eq!(all, want, "an owner for exactly the fd-carrying numbers");
        assert_eq!(dropped, want, "every owner dropped exactly once");
    }

    #[test]
    fn take_with_owns_exactly_the_fd_numbers_of_hostile_bytes() {
        let cases = if cfg!(miri) { 150 } else { 20_000 };
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..cases {
            let bytes = hostile(&mut rng);
            check::<0>(&bytes);
            check::<1>(&bytes);
            check::<3>(&bytes);
            check::<SCM_MAX_FD>(&bytes);
        }
    }

    #[test]
    fn take_with_on_well_formed_surplus() {
        // 5 rights over two messages, two pidfds, creds: N = 2 keeps 2 rights
        // and 1 pidfd, closes 3 + 1.
        let fd = |n: i32| n.to_ne_bytes();
        let mut b = StdVec::new();
        for (kind, payload) in [
            (SCM_RIGHTS, [fd(3), fd(4), fd(5)].concat()),
            (SCM_PIDFD, fd(9).to_vec()),
            (SCM_CREDENTIALS, [fd(1), fd(0), fd(0)].concat()),
            (SCM_RIGHTS, [fd(6), fd(-1), fd(7)].concat()),
            (SCM_PIDFD, fd(10).to_vec()),
        ] {
            b.extend_from_slice(&cmsg_len(payload.len()).to_ne_bytes());
            b.extend_from_slice(&(SOL_SOCKET as c_int).to_ne_bytes());
            b.extend_from_slice(&(kind as c_int).to_ne_bytes());
            b.extend_from_slice(&payload);
            b.resize(align(b.len()), 0);
        }
        let closed = RefCell::new(StdVec::new());
        let t = take_with::<2, _>(&b, |fd| Owner { fd, closed: &closed });
        assert_eq!(t.fds.as_slice().iter().map(|o| o.fd).collect::<StdVec<_>>(), [3, 4]);
        assert_eq!(t.pidfd.as_ref().map(|o| o.fd), Some(9));
        assert_eq!(t.credentials(), Some(Ucred { pid: 1, uid: 0, gid: 0 }));
        assert_eq!((t.fds_closed, closed.borrow().clone()), (4, std::vec![5, 6, 7, 10]));
        check::<2>(&b);
    }

    #[test]
    fn received_length_is_clamped_to_the_buffer() {
        let mut b = RecvControl::<{ SPACE_CREDENTIALS * 2 }>::new();
        // A receive offered only SPACE_CREDENTIALS bytes gets that many.
        let area = b.area(SPACE_CREDENTIALS);
        assert_eq!(area.len(), SPACE_CREDENTIALS);
        let mut msg = StdVec::new();
        msg.extend_from_slice(&cmsg_len(12).to_ne_bytes());
        msg.extend_from_slice(&(SOL_SOCKET as c_int).to_ne_bytes());
        msg.extend_from_slice(&(SCM_CREDENTIALS as c_int).to_ne_bytes());
        for w in [7u32, 8, 9] {
            msg.extend_from_slice(&w.to_ne_bytes());
        }
        area[..msg.len()].copy_from_slice(&msg);
        b.set_len(msg.len());
        assert_eq!(
            b.messages().collect::<StdVec<_>>(),
            [ControlMessage::Credentials(Ucred { pid: 7, uid: 8, gid: 9 })]
        );
        // A kernel length beyond the buffer (impossible, but checked) is clamped.
        b.set_len(usize::MAX);
        assert_eq!(b.len(), SPACE_CREDENTIALS * 2);
        // A receive area larger than the buffer is cut to it; a failed
        // receive records nothing.
        assert_eq!(b.area(usize::MAX).len(), SPACE_CREDENTIALS * 2);
        b.set_len(0);
        assert!(b.is_empty());
    }
}
