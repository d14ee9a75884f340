//! Control-message layout: space arithmetic, an aligned fixed buffer, the
//! send-side encoder and the receive-side parser. One system call: the
//! `recvmsg` of `CmsgBuffer::recv`, so that ownership of what it brings is
//! taken right after it and nowhere else. All the rest runs under Miri and
//! in the fuzzer.
//!
//! The layout is the kernel's (`include/linux/socket.h`): a `cmsghdr` whose
//! `cmsg_len` is a `size_t`, then the payload, each message padded to a
//! multiple of `sizeof(long)`. The structs and constants come from
//! `linux-raw-sys`; the two the kernel keeps out of its uapi headers are
//! written below with their source.

use crate::fd::{BorrowedFd, OwnedFd};
use crate::msg::IoSliceMut;
use crate::sys;
use crate::{Error, Result, Ucred};
use core::mem::{align_of, size_of, MaybeUninit};
use core::ptr;
use heapless::Vec;
use linux_raw_sys::ctypes::{c_int, c_ulong};
use linux_raw_sys::net::{cmsghdr, ucred, SCM_CREDENTIALS, SCM_RIGHTS, SOL_SOCKET};

/// Most descriptors one `SCM_RIGHTS` message may carry; 254 gives `EINVAL`.
///
/// The kernel's `SCM_MAX_FD` (`include/net/scm.h`), which is not part of the
/// uapi headers that `linux-raw-sys` is generated from.
///
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
/// ```
/// assert_eq!(rawscm::SCM_PIDFD, 4);
/// ```
pub const SCM_PIDFD: u32 = 4;

/// `CMSG_ALIGN`: rounds up to a multiple of `sizeof(long)`.
const fn align(len: usize) -> usize {
    let a = size_of::<c_ulong>();
    len.saturating_add(a - 1) & !(a - 1)
}

/// Size of the aligned `cmsghdr`: 16 on 64-bit targets, 12 on 32-bit ones.
const HDR: usize = align(size_of::<cmsghdr>());

const FD_SIZE: usize = size_of::<c_int>();

/// `CMSG_LEN(payload)`: the `cmsg_len` of a message with `payload` bytes.
///
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
/// ```
/// // On 64-bit targets CMSG_SPACE(4) is 24: room for *two* descriptors.
/// # #[cfg(target_pointer_width = "64")]
/// assert_eq!(rawscm::cmsg_space(4), 24);
/// ```
pub const fn cmsg_space(payload: usize) -> usize {
    HDR.saturating_add(align(payload))
}

/// Space for one `SCM_RIGHTS` message with `n` descriptors.
///
/// ```
/// use rawscm::{space_for_fds, CmsgBuffer};
/// let buf = CmsgBuffer::<{ space_for_fds(3) }>::new();
/// assert_eq!(buf.capacity(), rawscm::cmsg_space(12));
/// ```
pub const fn space_for_fds(n: usize) -> usize {
    cmsg_space(n.saturating_mul(FD_SIZE))
}

/// Space for one `SCM_CREDENTIALS` message.
///
/// ```
/// assert_eq!(rawscm::SPACE_CREDENTIALS, rawscm::cmsg_space(12));
/// ```
pub const SPACE_CREDENTIALS: usize = cmsg_space(size_of::<ucred>());

/// Space for one `SCM_PIDFD` message.
///
/// ```
/// assert_eq!(rawscm::SPACE_PIDFD, rawscm::space_for_fds(1));
/// ```
pub const SPACE_PIDFD: usize = cmsg_space(FD_SIZE);

const _: () = {
    // The kernel ABI uses size_t for cmsg_len: 16/8 on 64-bit, 12/4 on 32-bit.
    assert!(size_of::<cmsghdr>() == 2 * size_of::<usize>() + if size_of::<usize>() == 8 { 0 } else { 4 });
    assert!(align_of::<cmsghdr>() == size_of::<c_ulong>());
    assert!(HDR == size_of::<cmsghdr>());
    assert!(size_of::<ucred>() == 12);
};

/// A control-message buffer of `N` bytes on the stack, aligned for
/// `cmsghdr` on every target (a plain `[u8; N]` is not: reading a header
/// from it is undefined behaviour).
///
/// Size it with the const functions: `CmsgBuffer<{ space_for_fds(2) +
/// SPACE_CREDENTIALS }>`. On the send side, `push_*` appends messages and
/// refuses what does not fit; on the receive side, [`recvmsg`](crate::recvmsg)
/// fills it. Creating one costs nothing: the bytes are not zeroed until a
/// receive needs them.
///
/// ```
/// use rawscm::{space_for_fds, CmsgBuffer, SPACE_CREDENTIALS, Ucred};
/// let mut buf = CmsgBuffer::<{ space_for_fds(1) + SPACE_CREDENTIALS }>::new();
/// buf.push_credentials(Ucred::current())?;
/// assert_eq!(buf.len(), SPACE_CREDENTIALS);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[repr(C)]
pub struct CmsgBuffer<const N: usize> {
    _align: [cmsghdr; 0],
    bytes: [MaybeUninit<u8>; N],
    /// Bytes `[0, len)` are initialised and hold the control data.
    len: usize,
}

impl<const N: usize> Default for CmsgBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> CmsgBuffer<N> {
    /// An empty buffer.
    ///
    /// ```
    /// let buf = rawscm::CmsgBuffer::<64>::new();
    /// assert!(buf.is_empty());
    /// ```
    pub const fn new() -> Self {
        CmsgBuffer { _align: [], bytes: [MaybeUninit::uninit(); N], len: 0 }
    }

    /// Bytes of control data held.
    ///
    /// ```
    /// assert_eq!(rawscm::CmsgBuffer::<64>::new().len(), 0);
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no control data.
    ///
    /// ```
    /// assert!(rawscm::CmsgBuffer::<64>::new().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `N`.
    ///
    /// ```
    /// assert_eq!(rawscm::CmsgBuffer::<64>::new().capacity(), 64);
    /// ```
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Forgets the messages held (nothing is owned by the buffer itself).
    ///
    /// ```
    /// let mut buf = rawscm::CmsgBuffer::<{ rawscm::SPACE_CREDENTIALS }>::new();
    /// buf.push_credentials(rawscm::Ucred::current())?;
    /// buf.clear();
    /// assert!(buf.is_empty());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The control data held, as the kernel sees it.
    ///
    /// ```
    /// let mut buf = rawscm::CmsgBuffer::<{ rawscm::SPACE_CREDENTIALS }>::new();
    /// buf.push_credentials(rawscm::Ucred::current())?;
    /// let n = rawscm::ControlMessages::new(buf.as_bytes()).count();
    /// assert_eq!(n, 1);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: bytes [0, len) are initialised (invariant of `len`), and
        // len <= N.
        unsafe { core::slice::from_raw_parts(self.bytes.as_ptr().cast::<u8>(), self.len) }
    }

    /// Appends one `SCM_RIGHTS` message carrying `fds` (nothing for an empty
    /// slice). The descriptors stay owned by the caller; the kernel
    /// duplicates them when the message is sent.
    ///
    /// Errors: [`Error::TooManyFds`] above [`SCM_MAX_FD`],
    /// [`Error::ControlBufferFull`] when the message does not fit. On error
    /// the buffer is unchanged.
    ///
    /// ```
    /// use rawscm::{space_for_fds, AsFd, CmsgBuffer, Error};
    /// let (a, b) = rawscm::socketpair(rawscm::SocketType::Stream, Default::default())?;
    /// let mut buf = CmsgBuffer::<{ space_for_fds(1) }>::new();
    /// buf.push_fds(&[a.as_fd()])?;
    /// assert!(matches!(buf.push_fds(&[b.as_fd()]), Err(Error::ControlBufferFull { .. })));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn push_fds(&mut self, fds: &[BorrowedFd<'_>]) -> Result<()> {
        if fds.is_empty() {
            return Ok(());
        }
        if fds.len() > SCM_MAX_FD {
            return Err(Error::TooManyFds { count: fds.len() });
        }
        let payload = fds.len() * FD_SIZE;
        let at = self.reserve(payload)?;
        self.write_header(at, payload, SCM_RIGHTS);
        for (i, fd) in fds.iter().enumerate() {
            // SAFETY: `reserve` checked that [at, at + cmsg_space(payload))
            // lies inside `bytes`; fd i is at at + HDR + 4 i < at + HDR +
            // payload. The write is unaligned-safe.
            unsafe {
                ptr::write_unaligned(
                    self.bytes.as_mut_ptr().add(at + HDR + i * FD_SIZE).cast::<c_int>(),
                    fd.as_raw_fd(),
                )
            };
        }
        self.finish(at, payload);
        Ok(())
    }

    /// Appends one `SCM_CREDENTIALS` message. Sending credentials other than
    /// your own needs privileges (`CAP_SYS_ADMIN` for the pid,
    /// `CAP_SETUID`/`CAP_SETGID` for the ids); the kernel checks at send time.
    ///
    /// ```
    /// let mut buf = rawscm::CmsgBuffer::<{ rawscm::SPACE_CREDENTIALS }>::new();
    /// buf.push_credentials(rawscm::Ucred::current())?;
    /// assert!(buf.push_credentials(rawscm::Ucred::current()).is_err());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn push_credentials(&mut self, creds: Ucred) -> Result<()> {
        let payload = size_of::<ucred>();
        let at = self.reserve(payload)?;
        self.write_header(at, payload, SCM_CREDENTIALS);
        let raw = ucred { pid: creds.pid as u32, uid: creds.uid, gid: creds.gid };
        // SAFETY: `reserve` checked [at, at + cmsg_space(payload)) is inside
        // `bytes`; the write is unaligned-safe.
        unsafe { ptr::write_unaligned(self.bytes.as_mut_ptr().add(at + HDR).cast::<ucred>(), raw) };
        self.finish(at, payload);
        Ok(())
    }

    /// Checks that a message with `payload` bytes fits; returns its offset.
    fn reserve(&mut self, payload: usize) -> Result<usize> {
        let needed = cmsg_space(payload);
        let available = N - self.len;
        if needed > available {
            return Err(Error::ControlBufferFull { needed, available });
        }
        Ok(self.len)
    }

    fn write_header(&mut self, at: usize, payload: usize, kind: u32) {
        let hdr = cmsghdr {
            cmsg_len: cmsg_len(payload) as _,
            cmsg_level: SOL_SOCKET as c_int,
            cmsg_type: kind as c_int,
        };
        // SAFETY: called after `reserve`, so [at, at + HDR) is inside
        // `bytes`; `cmsghdr` has no padding, so every byte written is
        // initialised; the write is unaligned-safe.
        unsafe { ptr::write_unaligned(self.bytes.as_mut_ptr().add(at).cast::<cmsghdr>(), hdr) };
    }

    /// Zeroes the padding after the payload and commits the message.
    fn finish(&mut self, at: usize, payload: usize) {
        let end = at + cmsg_space(payload);
        for b in &mut self.bytes[at + cmsg_len(payload)..end] {
            b.write(0);
        }
        self.len = end;
    }

    /// `recvmsg` into at most `limit` bytes of this buffer, then ownership
    /// of every descriptor it brought (see [`take_ownership`]). The one
    /// system call of this module: ownership is taken right after it, here,
    /// and nowhere else.
    pub(crate) fn recv<const FDS: usize>(
        &mut self,
        socket: BorrowedFd<'_>,
        iov: &mut [IoSliceMut<'_>],
        limit: usize,
        flags: u32,
    ) -> Result<(sys::RecvResult, Taken<FDS>)> {
        let area = self.recv_area(limit);
        let n = area.len();
        let r = sys::recvmsg(socket, iov, area, flags)?;
        // SAFETY: the recvmsg into the area just succeeded, and this is the
        // only take of what it brought.
        let taken = unsafe { self.received::<FDS>(r.control_len, n) };
        Ok((r, taken))
    }

    /// Prepares a receive of at most `limit` bytes: zeroes them (the kernel
    /// leaves the padding between messages unwritten) and returns them.
    fn recv_area(&mut self, limit: usize) -> &mut [u8] {
        let n = if limit < N { limit } else { N };
        self.len = 0;
        // SAFETY: n <= N bytes of `bytes` are zeroed, then viewed as
        // initialised `u8`.
        unsafe {
            let p = self.bytes.as_mut_ptr().cast::<u8>();
            ptr::write_bytes(p, 0, n);
            core::slice::from_raw_parts_mut(p, n)
        }
    }

    /// Records the `len` bytes (`msg_controllen`) a receive into the
    /// `area`-byte [`recv_area`](Self::recv_area) returned, and takes
    /// ownership of every descriptor in them.
    ///
    /// # Safety
    /// Every `SCM_RIGHTS`/`SCM_PIDFD` number in those bytes must be a
    /// descriptor that nothing owns (as right after the `recvmsg` that
    /// installed them), and this must be the only take of them.
    unsafe fn received<const FDS: usize>(&mut self, len: usize, area: usize) -> Taken<FDS> {
        // All `area` bytes are initialised; a kernel length beyond them is
        // impossible but clamped.
        self.len = if len < area { len } else { area };
        // SAFETY: the caller's guarantee.
        unsafe { take_ownership::<FDS>(self.as_bytes()) }
    }
}

/// One received control message, parsed but not owned.
///
/// ```
/// use rawscm::{CmsgBuffer, ControlMessage, ControlMessages, Ucred, SPACE_CREDENTIALS};
/// let mut buf = CmsgBuffer::<SPACE_CREDENTIALS>::new();
/// buf.push_credentials(Ucred { pid: 7, uid: 8, gid: 9 })?;
/// let first = ControlMessages::new(buf.as_bytes()).next();
/// assert_eq!(first, Some(ControlMessage::Credentials(Ucred { pid: 7, uid: 8, gid: 9 })));
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControlMessage<'a> {
    /// `SCM_RIGHTS`: descriptor numbers (raw: nothing owns them yet).
    Rights(RawFds<'a>),
    /// `SCM_CREDENTIALS`.
    Credentials(Ucred),
    /// `SCM_PIDFD`: a pidfd number (raw: nothing owns it yet).
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
/// This only reads. To take ownership of received descriptors use
/// [`recvmsg`](crate::recvmsg), which does it for every message.
///
/// ```
/// use rawscm::{ControlMessages, CmsgBuffer, SPACE_CREDENTIALS, Ucred};
/// let mut buf = CmsgBuffer::<SPACE_CREDENTIALS>::new();
/// buf.push_credentials(Ucred::current())?;
/// assert_eq!(ControlMessages::new(buf.as_bytes()).count(), 1);
/// assert_eq!(ControlMessages::new(&[0xff; 7]).count(), 0);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ControlMessages<'a> {
    bytes: &'a [u8],
    /// The offset of the next header: a multiple of the alignment, and
    /// past the end by at most the padding of the last message.
    at: usize,
}

impl<'a> ControlMessages<'a> {
    /// Parses `bytes`.
    ///
    /// ```
    /// assert_eq!(rawscm::ControlMessages::new(&[]).count(), 0);
    /// ```
    pub const fn new(bytes: &'a [u8]) -> Self {
        ControlMessages { bytes, at: 0 }
    }
}

impl<'a> Iterator for ControlMessages<'a> {
    type Item = ControlMessage<'a>;

    #[inline]
    fn next(&mut self) -> Option<ControlMessage<'a>> {
        let (bytes, at) = (self.bytes, self.at);
        // `at` is past the end by at most the padding of the last message.
        let left = bytes.len().saturating_sub(at);
        if left < HDR {
            return None;
        }
        // SAFETY: [at, at + HDR) is inside `bytes`; the read is
        // unaligned-safe and cmsghdr is plain integers.
        let hdr = unsafe { ptr::read_unaligned(bytes.as_ptr().add(at).cast::<cmsghdr>()) };
        let len = hdr.cmsg_len as usize;
        if len < HDR {
            return None; // and again on every later call: `at` stays
        }
        // A truncated last message yields the bytes that are there.
        let len = if len < left { len } else { left };
        // The next header is at CMSG_ALIGN(at + len): `at` is a multiple of
        // the alignment (a sum of aligned steps), and no overflow, as
        // at + len <= bytes.len() <= isize::MAX.
        let mask = size_of::<c_ulong>() - 1;
        self.at = (at + len + mask) & !mask;
        // SAFETY: HDR <= len <= left, so [at + HDR, at + len) is inside
        // `bytes`.
        let data = unsafe { core::slice::from_raw_parts(bytes.as_ptr().add(at + HDR), len - HDR) };
        let (level, kind) = (hdr.cmsg_level, hdr.cmsg_type);
        if level == SOL_SOCKET as c_int {
            if kind == SCM_RIGHTS as c_int {
                return Some(ControlMessage::Rights(RawFds::new(data)));
            }
            if kind == SCM_CREDENTIALS as c_int {
                if let Some(c) = data.first_chunk::<12>() {
                    let word = |i: usize| u32::from_ne_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
                    return Some(ControlMessage::Credentials(Ucred {
                        pid: word(0) as i32,
                        uid: word(4),
                        gid: word(8),
                    }));
                }
            }
            if kind == SCM_PIDFD as c_int {
                if let Some(fd) = RawFds::new(data).next() {
                    return Some(ControlMessage::Pidfd(fd));
                }
            }
        }
        Some(ControlMessage::Other { level, kind, data })
    }
}

/// What [`take_ownership`] found. `F` is the owner of one descriptor:
/// [`OwnedFd`], except in the tests of [`take_with`].
pub(crate) struct Taken<const N: usize, F = OwnedFd> {
    pub(crate) fds: Vec<F, N>,
    pub(crate) fds_closed: usize,
    pub(crate) credentials: Option<Ucred>,
    pub(crate) pidfd: Option<F>,
}

/// Walks every message and takes ownership of every descriptor in it: up to
/// `N` `SCM_RIGHTS` descriptors are kept (in order), the first `SCM_PIDFD` is
/// kept, and any further descriptor is closed and counted. Of several
/// `SCM_CREDENTIALS` (the kernel sends one at most) the last is kept.
///
/// # Safety
/// `control` must be the control data of a `recvmsg` that just returned, so
/// that every `SCM_RIGHTS`/`SCM_PIDFD` number in it is a descriptor the
/// kernel installed for this call and nothing else owns.
unsafe fn take_ownership<const N: usize>(control: &[u8]) -> Taken<N> {
    // SAFETY: `take_with` calls this only for the non-negative numbers of
    // SCM_RIGHTS/SCM_PIDFD payloads, each once; the caller guarantees those
    // are installed, unowned descriptors. (Negative numbers cannot be.)
    take_with(control, |fd| unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The walk of [`take_ownership`], with `own` making the owner of one
/// descriptor number: called exactly once for each non-negative number in
/// an `SCM_RIGHTS` or `SCM_PIDFD` payload, in order, and for nothing else;
/// owners beyond what `Taken` keeps are dropped (closed) and counted.
fn take_with<const N: usize, F>(control: &[u8], mut own: impl FnMut(i32) -> F) -> Taken<N, F> {
    let mut t = Taken { fds: Vec::new(), fds_closed: 0, credentials: None, pidfd: None };
    let mut own = |fd: i32| (fd >= 0).then(|| own(fd));
    for msg in ControlMessages::new(control) {
        match msg {
            ControlMessage::Rights(fds) => {
                for fd in fds.filter_map(&mut own) {
                    if t.fds.push(fd).is_err() {
                        t.fds_closed += 1; // dropped: closed
                    }
                }
            }
            ControlMessage::Pidfd(fd) => {
                if let Some(fd) = own(fd) {
                    if t.pidfd.is_none() {
                        t.pidfd = Some(fd);
                    } else {
                        t.fds_closed += 1;
                    }
                }
            }
            ControlMessage::Credentials(c) => {
                t.credentials = Some(c);
            }
            ControlMessage::Other { .. } => {}
        }
    }
    t
}

#[cfg(test)]
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
        assert!(align_of::<CmsgBuffer<1>>() >= align_of::<cmsghdr>());
        let b = CmsgBuffer::<{ space_for_fds(1) }>::new();
        assert_eq!(b.bytes.as_ptr() as usize % align_of::<cmsghdr>(), 0);
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
        let mut b = CmsgBuffer::<{ space_for_fds(1) }>::new();
        b.push_fds(&[borrowed(7)]).unwrap();
        let mut want = header(cmsg_len(4), SCM_RIGHTS);
        want.extend_from_slice(&7i32.to_ne_bytes());
        want.resize(cmsg_space(4), 0); // zeroed padding (4 bytes on 64-bit)
        assert_eq!(b.as_bytes(), &want[..]);
    }

    #[test]
    fn fds_then_credentials_are_encoded_byte_exact() {
        let mut b = CmsgBuffer::<{ space_for_fds(3) + SPACE_CREDENTIALS }>::new();
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
        let mut big = CmsgBuffer::<{ space_for_fds(254) }>::new();
        assert_eq!(big.push_fds(&fds), Err(Error::TooManyFds { count: 254 }));
        assert!(big.is_empty());
        big.push_fds(&fds[..253]).unwrap();
        assert_eq!(big.len(), space_for_fds(253));

        let mut small = CmsgBuffer::<{ space_for_fds(2) }>::new();
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
        let mut b = CmsgBuffer::<{ space_for_fds(2) + SPACE_CREDENTIALS }>::new();
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
        let mut b = CmsgBuffer::<{ space_for_fds(1) }>::new();
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

/// Ownership-taking on hostile bytes (through the [`take_with`] seam, so no
/// descriptor is touched), and the receive-side bookkeeping of
/// [`CmsgBuffer`]. No system calls: runs under Miri (`cargo xtask miri`).
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

    /// xorshift64*: deterministic, no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

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
                    p.resize(p.len() + rng.below(4) as usize, 0xff); // a partial trailing int
                    p
                }
            };
            let len = match rng.below(8) {
                0 => rng.below(HDR as u64 + 1) as usize,
                1 => rng.next() as usize,
                2 => usize::MAX - rng.below(16) as usize,
                3 => HDR + rng.below(64) as usize,
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
            let cut = rng.below(v.len() as u64 + 1) as usize;
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
        let (mut rights, mut pidfds, mut creds) = (StdVec::new(), StdVec::new(), None);
        for m in ControlMessages::new(bytes) {
            match m {
                ControlMessage::Rights(fds) => rights.extend(fds.filter(|&fd| fd >= 0)),
                ControlMessage::Pidfd(fd) if fd >= 0 => pidfds.push(fd),
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
        let kept: StdVec<i32> = t.fds.iter().map(|o| o.fd).collect();
        let n = rights.len().min(N);
        assert_eq!(kept, rights[..n], "{bytes:?}");
        assert_eq!(t.pidfd.as_ref().map(|o| o.fd), pidfds.first().copied());
        assert_eq!(t.credentials, creds);
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
        assert_eq!(t.fds.iter().map(|o| o.fd).collect::<StdVec<_>>(), [3, 4]);
        assert_eq!(t.pidfd.as_ref().map(|o| o.fd), Some(9));
        assert_eq!(t.credentials, Some(Ucred { pid: 1, uid: 0, gid: 0 }));
        assert_eq!((t.fds_closed, closed.borrow().clone()), (4, std::vec![5, 6, 7, 10]));
        check::<2>(&b);
    }

    #[test]
    fn received_length_is_clamped_to_the_area() {
        let mut b = CmsgBuffer::<{ SPACE_CREDENTIALS * 2 }>::new();
        b.push_credentials(Ucred { pid: 1, uid: 2, gid: 3 }).unwrap();
        // A receive offered only SPACE_CREDENTIALS bytes; a kernel claiming
        // more (impossible, but checked) is clamped, and the area was zeroed.
        let area = b.recv_area(SPACE_CREDENTIALS);
        assert!(area.len() == SPACE_CREDENTIALS && area.iter().all(|&x| x == 0));
        let mut msg = StdVec::new();
        msg.extend_from_slice(&cmsg_len(12).to_ne_bytes());
        msg.extend_from_slice(&(SOL_SOCKET as c_int).to_ne_bytes());
        msg.extend_from_slice(&(SCM_CREDENTIALS as c_int).to_ne_bytes());
        for w in [7u32, 8, 9] {
            msg.extend_from_slice(&w.to_ne_bytes());
        }
        area[..msg.len()].copy_from_slice(&msg);
        // SAFETY: the bytes hold credentials only: no descriptor number to
        // own.
        let t = unsafe { b.received::<1>(usize::MAX, SPACE_CREDENTIALS) };
        assert_eq!(b.len(), SPACE_CREDENTIALS);
        assert_eq!(
            (t.credentials, t.fds.len(), t.pidfd.is_none()),
            (Some(Ucred { pid: 7, uid: 8, gid: 9 }), 0, true)
        );
        // A receive area larger than the buffer is cut to it.
        assert_eq!(b.recv_area(usize::MAX).len(), SPACE_CREDENTIALS * 2);
        assert!(b.is_empty());
    }
}
