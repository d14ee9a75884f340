//! Control-message layout: space arithmetic, an aligned fixed buffer, the
//! send-side encoder and the receive-side parser. No system calls here, so
//! all of it runs under Miri and in the fuzzer.
//!
//! The layout is the kernel's (`include/linux/socket.h`): a `cmsghdr` whose
//! `cmsg_len` is a `size_t`, then the payload, each message padded to a
//! multiple of `sizeof(long)`. The structs and constants come from
//! `linux-raw-sys`; the two the kernel keeps out of its uapi headers are
//! written below with their source.

use crate::fd::{BorrowedFd, OwnedFd};
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
    /// Set only by `set_received`, right after a successful `recvmsg` into
    /// this buffer, and cleared when ownership of its descriptors is taken:
    /// while set, every descriptor number in `[0, len)` is one the kernel
    /// installed for that call and nothing owns yet.
    from_kernel: bool,
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
        CmsgBuffer { _align: [], bytes: [MaybeUninit::uninit(); N], len: 0, from_kernel: false }
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
        self.from_kernel = false;
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
        self.from_kernel = false;
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

    /// Prepares the buffer for a receive of at most `limit` bytes: zeroes
    /// them (the kernel leaves padding unwritten) and returns them.
    pub(crate) fn recv_area(&mut self, limit: usize) -> &mut [u8] {
        let n = if limit < N { limit } else { N };
        self.len = 0;
        self.from_kernel = false;
        // SAFETY: n <= N bytes of `bytes` are zeroed, then viewed as
        // initialised `u8`.
        unsafe {
            let p = self.bytes.as_mut_ptr().cast::<u8>();
            ptr::write_bytes(p, 0, n);
            core::slice::from_raw_parts_mut(p, n)
        }
    }

    /// Records how many bytes a `recvmsg` into `recv_area(..)` (of `area`
    /// bytes) just returned (`msg_controllen`). Call it only then.
    pub(crate) fn set_received(&mut self, len: usize, area: usize) {
        // The area was zeroed up to `area`, so anything up to it is
        // initialised; a kernel value beyond it is impossible but clamped.
        self.len = if len < area { len } else { area };
        self.from_kernel = true;
    }

    /// Takes ownership of every descriptor the last receive brought (once:
    /// a second call, or a call on a buffer not filled by the kernel, finds
    /// none). See [`take_ownership`].
    pub(crate) fn take_fds<const FDS: usize>(&mut self) -> Taken<FDS> {
        let from_kernel = core::mem::replace(&mut self.from_kernel, false);
        let bytes = if from_kernel { self.as_bytes() } else { &[] };
        // SAFETY: `from_kernel` was set, so the descriptor numbers in the
        // bytes were installed by the kernel for the recvmsg that just
        // returned and nothing owns them; clearing the flag makes this the
        // only time they are taken.
        unsafe { take_ownership::<FDS>(bytes) }
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
    rest: &'a [u8],
}

impl<'a> ControlMessages<'a> {
    /// Parses `bytes`.
    ///
    /// ```
    /// assert_eq!(rawscm::ControlMessages::new(&[]).count(), 0);
    /// ```
    pub const fn new(bytes: &'a [u8]) -> Self {
        ControlMessages { rest: bytes }
    }
}

impl<'a> Iterator for ControlMessages<'a> {
    type Item = ControlMessage<'a>;

    fn next(&mut self) -> Option<ControlMessage<'a>> {
        let buf = self.rest;
        if buf.len() < HDR {
            self.rest = &[];
            return None;
        }
        // SAFETY: buf.len() >= HDR >= size_of::<cmsghdr>(); the read is
        // unaligned-safe and cmsghdr is plain integers.
        let hdr = unsafe { ptr::read_unaligned(buf.as_ptr().cast::<cmsghdr>()) };
        let len = hdr.cmsg_len as usize;
        if len < HDR {
            self.rest = &[];
            return None;
        }
        let data = &buf[HDR..len.min(buf.len())];
        let step = align(len);
        self.rest = buf.get(step..).unwrap_or(&[]);
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

/// What [`take_ownership`] found.
pub(crate) struct Taken<const N: usize> {
    pub(crate) fds: Vec<OwnedFd, N>,
    pub(crate) fds_closed: usize,
    pub(crate) credentials: Option<Ucred>,
    pub(crate) pidfd: Option<OwnedFd>,
}

/// Walks every message and takes ownership of every descriptor in it: up to
/// `N` `SCM_RIGHTS` descriptors are kept (in order), the first `SCM_PIDFD` is
/// kept, and any further descriptor is closed and counted.
///
/// # Safety
/// `control` must be the control data of a `recvmsg` that just returned, so
/// that every `SCM_RIGHTS`/`SCM_PIDFD` number in it is a descriptor the
/// kernel installed for this call and nothing else owns.
unsafe fn take_ownership<const N: usize>(control: &[u8]) -> Taken<N> {
    let mut t = Taken { fds: Vec::new(), fds_closed: 0, credentials: None, pidfd: None };
    // SAFETY (for each from_raw_fd below): guaranteed by the caller; negative
    // numbers cannot be installed descriptors and are skipped.
    let own = |fd: i32| (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) });
    for msg in ControlMessages::new(control) {
        match msg {
            ControlMessage::Rights(fds) => {
                for fd in fds.filter_map(own) {
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
                t.credentials.get_or_insert(c);
            }
            ControlMessage::Other { .. } => {}
        }
    }
    t
}
