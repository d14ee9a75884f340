//! An independent reference model of the kernel's control-message layout,
//! written from `include/linux/socket.h` (`CMSG_ALIGN`, `CMSG_LEN`,
//! `CMSG_SPACE`, `__CMSG_FIRSTHDR`, `__cmsg_nxthdr`, `CMSG_OK`), not from
//! rawscm's code, and the checks that compare rawscm against it. Shared by
//! tests/cmsg_prop.rs (property tests) and the fuzz targets in fuzz/.
//!
//! The model uses `libc` for the per-architecture constants, so that it
//! checks rawscm's `linux-raw-sys` based code against a second source. All
//! its arithmetic is done in `u128`, so hostile lengths cannot overflow here.
#![allow(dead_code)]

use core::mem::size_of;
use core::ops::Range;
use rawscm::{BorrowedFd, ControlMessage, ControlMessages, Error, RawFds, SCM_MAX_FD, SendControl, Ucred};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

/// `sizeof(long)` (= `sizeof(size_t)` on Linux): the `CMSG_ALIGN` unit.
pub const LONG: usize = size_of::<usize>();

/// `sizeof(struct cmsghdr)` of the kernel ABI: `size_t cmsg_len; int
/// cmsg_level; int cmsg_type;` -- 16 on 64-bit, 12 on 32-bit. (musl's
/// userspace struct pads `cmsg_len` to the same size.)
pub const HDR: usize = LONG + 4 + 4;

pub const SOL_SOCKET: i32 = libc::SOL_SOCKET;
pub const SCM_RIGHTS: i32 = libc::SCM_RIGHTS;
pub const SCM_CREDENTIALS: i32 = libc::SCM_CREDENTIALS;
/// `include/linux/socket.h`: `#define SCM_PIDFD 0x04`, all architectures.
pub const SCM_PIDFD: i32 = 4;

/// `CMSG_ALIGN(len)`.
pub const fn align(len: u128) -> u128 {
    (len + LONG as u128 - 1) & !(LONG as u128 - 1)
}

/// `CMSG_LEN(payload)`.
pub const fn cmsg_len(payload: usize) -> usize {
    align(HDR as u128) as usize + payload
}

/// `CMSG_SPACE(payload)`.
pub const fn cmsg_space(payload: usize) -> usize {
    align(HDR as u128) as usize + align(payload as u128) as usize
}

/// What a message is, by the kernel's meaning of level and type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `SOL_SOCKET`/`SCM_RIGHTS`: every whole `int` of the payload is a
    /// descriptor number.
    Rights(Vec<i32>),
    /// `SOL_SOCKET`/`SCM_CREDENTIALS` with a whole `struct ucred`.
    Credentials { pid: i32, uid: u32, gid: u32 },
    /// `SOL_SOCKET`/`SCM_PIDFD` with a whole `int`: one descriptor number.
    Pidfd(i32),
    /// Anything else, including a known type whose payload is too short.
    Other,
}

/// One message as the model finds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    pub level: i32,
    pub kind_raw: i32,
    /// Where the payload lies in the buffer: `[CMSG_DATA, cmsg + cmsg_len)`,
    /// cut at the end of the buffer.
    pub payload: Range<usize>,
    pub kind: Kind,
}

fn ne_i32(b: &[u8], at: usize) -> i32 {
    i32::from_ne_bytes(b[at..at + 4].try_into().unwrap())
}

fn ne_size(b: &[u8]) -> u128 {
    let mut raw = [0u8; LONG];
    raw.copy_from_slice(&b[..LONG]);
    usize::from_ne_bytes(raw) as u128
}

/// Walks `buf` (`msg_control`, `msg_controllen` bytes):
/// - `__CMSG_FIRSTHDR`: a first header exists iff `len >= sizeof(cmsghdr)`;
/// - a header whose `cmsg_len < sizeof(cmsghdr)` ends the walk (the kernel's
///   `CMSG_OK` rejects it, glibc's and musl's `CMSG_NXTHDR` stop there);
/// - the payload is `[hdr + CMSG_ALIGN(sizeof(cmsghdr)), hdr + cmsg_len)`,
///   cut at the buffer's end (a truncated last message);
/// - `__cmsg_nxthdr`: the next header is at `hdr + CMSG_ALIGN(cmsg_len)` and
///   exists iff it lies, whole, inside the buffer.
pub fn walk(buf: &[u8]) -> Vec<Msg> {
    let size = buf.len() as u128;
    let mut out = Vec::new();
    let mut at: u128 = 0;
    while at + HDR as u128 <= size {
        let h = &buf[at as usize..];
        let len = ne_size(h);
        if len < HDR as u128 {
            break;
        }
        let start = at as usize + align(HDR as u128) as usize;
        let end = (at + len).min(size) as usize;
        let (level, kind_raw) = (ne_i32(h, LONG), ne_i32(h, LONG + 4));
        let data = &buf[start..end];
        let kind = if level != SOL_SOCKET {
            Kind::Other
        } else if kind_raw == SCM_RIGHTS {
            Kind::Rights((0..data.len() / 4).map(|i| ne_i32(data, 4 * i)).collect())
        } else if kind_raw == SCM_CREDENTIALS && data.len() >= 12 {
            Kind::Credentials {
                pid: ne_i32(data, 0),
                uid: ne_i32(data, 4) as u32,
                gid: ne_i32(data, 8) as u32,
            }
        } else if kind_raw == SCM_PIDFD && data.len() >= 4 {
            Kind::Pidfd(ne_i32(data, 0))
        } else {
            Kind::Other
        };
        out.push(Msg { level, kind_raw, payload: start..end, kind });
        at += align(len);
    }
    out
}

/// Every descriptor number the model says the control data carries, in
/// order: the whole `int`s of `SCM_RIGHTS` payloads and the `int` of each
/// `SCM_PIDFD`.
pub fn fd_numbers(msgs: &[Msg]) -> Vec<i32> {
    let mut v = Vec::new();
    for m in msgs {
        match &m.kind {
            Kind::Rights(fds) => v.extend_from_slice(fds),
            Kind::Pidfd(fd) => v.push(*fd),
            _ => {}
        }
    }
    v
}

/// The bytes the kernel expects for one `SOL_SOCKET` message of type `kind`
/// carrying `payload`: header, payload, zero padding up to `CMSG_SPACE`.
pub fn encode(kind: i32, payload: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(cmsg_space(payload.len()));
    v.extend_from_slice(&cmsg_len(payload.len()).to_ne_bytes());
    v.extend_from_slice(&SOL_SOCKET.to_ne_bytes());
    v.extend_from_slice(&kind.to_ne_bytes());
    v.resize(align(HDR as u128) as usize, 0);
    v.extend_from_slice(payload);
    v.resize(cmsg_space(payload.len()), 0);
    v
}

// ----------------------------------------------------- checks of rawscm --

/// `Err(message)` unless `cond`.
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Copies `bytes` into `store` at an address `misalign` bytes past an
/// 8-byte boundary (a `Vec<u8>` promises no alignment, so the offset is
/// computed) and returns where they are.
pub fn place(bytes: &[u8], misalign: usize, store: &mut Vec<u8>) -> Range<usize> {
    store.clear();
    store.resize(bytes.len() + 16, 0xee);
    let at = (misalign % 8 + 8 - store.as_ptr() as usize % 8) % 8;
    store[at..at + bytes.len()].copy_from_slice(bytes);
    at..at + bytes.len()
}

/// rawscm's parser against the model, for any bytes: the same messages,
/// the same payload bytes (the very same bytes of `buf`, for `Other`), and
/// so the same descriptor numbers -- none from outside the payload of an
/// `SCM_RIGHTS` or `SCM_PIDFD` message.
pub fn check_parser(buf: &[u8]) -> Result<(), String> {
    let model = walk(buf);
    let got: Vec<ControlMessage<'_>> = ControlMessages::new(buf).collect();
    ensure!(got.len() <= buf.len() / HDR, "{} messages from {} bytes", got.len(), buf.len());
    ensure!(got.len() == model.len(), "parser gave {got:?}, model {model:?}");
    let mut fds = Vec::new();
    for (g, m) in got.iter().zip(&model) {
        let payload = &buf[m.payload.clone()];
        match (g, &m.kind) {
            (ControlMessage::Rights(raw), Kind::Rights(want)) => {
                ensure!(*raw == RawFds::new(payload), "rights payload {raw:?}, model {m:?}");
                let have: Vec<i32> = raw.clone().collect();
                ensure!(have.len() == raw.len() && &have == want, "fds {have:?}, model {want:?}");
                fds.extend(have);
            }
            (ControlMessage::Credentials(c), &Kind::Credentials { pid, uid, gid }) => {
                ensure!(*c == Ucred { pid, uid, gid }, "credentials {c:?}, model {m:?}");
            }
            (ControlMessage::Pidfd(fd), &Kind::Pidfd(want)) => {
                ensure!(*fd == want, "pidfd {fd}, model {want}");
                fds.push(*fd);
            }
            (ControlMessage::Other { level, kind, data }, Kind::Other) => {
                ensure!((*level, *kind) == (m.level, m.kind_raw), "other {g:?}, model {m:?}");
                ensure!(
                    data.as_ptr() == payload.as_ptr() && data.len() == payload.len(),
                    "other payload at {:?}+{}, model {:?}",
                    data.as_ptr(),
                    data.len(),
                    m.payload
                );
            }
            _ => return Err(format!("parser gave {g:?}, model {m:?}")),
        }
    }
    ensure!(fds == fd_numbers(&model), "descriptor numbers {fds:?}, model {:?}", fd_numbers(&model));
    Ok(())
}

/// Real open descriptors at assorted numbers (a `BorrowedFd` must name an
/// open one): duplicates of one /dev/null, kept for the whole process.
pub fn fd_pool() -> &'static [OwnedFd] {
    static POOL: std::sync::OnceLock<Vec<OwnedFd>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let null = std::fs::File::open("/dev/null").expect("open /dev/null");
        let mut fds: Vec<OwnedFd> = [3, 17, 64, 255, 256, 511, 1000]
            .iter()
            .filter_map(|&min| {
                // SAFETY: fcntl on an open descriptor; a non-negative result
                // is a new descriptor that we then own.
                let fd = unsafe { libc::fcntl(null.as_raw_fd(), libc::F_DUPFD_CLOEXEC, min) };
                (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
            })
            .collect();
        fds.push(null.into());
        fds
    })
}

/// Descriptor `i` (modulo its size) of [`fd_pool`].
pub fn pool_fd(i: usize) -> BorrowedFd<'static> {
    let p = fd_pool();
    // SAFETY: the pool is open for the whole process.
    unsafe { BorrowedFd::borrow_raw(p[i % p.len()].as_raw_fd()) }
}

/// One push onto a control buffer.
#[derive(Clone, Debug)]
pub enum Op {
    /// `push_fds` of these [`pool_fd`]s.
    Fds(Vec<usize>),
    /// `push_credentials`.
    Creds(Ucred),
}

/// Pushes `ops` into a `SendControl<N>`, checking after each the result
/// (including the refusals: too many fds, buffer full, both leaving the
/// buffer unchanged) and the bytes against the model's encoding; then
/// parses the buffer back to exactly what was pushed.
pub fn check_encoder<const N: usize>(ops: &[Op]) -> Result<(), String> {
    let mut buf = SendControl::<N>::new();
    let mut want = Vec::<u8>::new();
    let mut pushed = Vec::<Kind>::new();
    for op in ops {
        let available = N - want.len();
        let (r, kind, payload) = match op {
            Op::Fds(idx) => {
                let fds: Vec<BorrowedFd<'_>> = idx.iter().map(|&i| pool_fd(i)).collect();
                let raw: Vec<i32> = fds.iter().map(|f| f.as_raw_fd()).collect();
                let r = buf.push_fds(&fds);
                if fds.is_empty() {
                    ensure!(r == Ok(()), "push_fds(&[]) gave {r:?}");
                    continue;
                }
                if fds.len() > SCM_MAX_FD {
                    ensure!(r == Err(Error::TooManyFds { count: fds.len() }), "{} fds gave {r:?}", fds.len());
                    continue;
                }
                let payload: Vec<u8> = raw.iter().flat_map(|f| f.to_ne_bytes()).collect();
                (r, Kind::Rights(raw), (SCM_RIGHTS, payload))
            }
            Op::Creds(c) => {
                let r = buf.push_credentials(*c);
                let payload = [c.pid.to_ne_bytes(), c.uid.to_ne_bytes(), c.gid.to_ne_bytes()].concat();
                (r, Kind::Credentials { pid: c.pid, uid: c.uid, gid: c.gid }, (SCM_CREDENTIALS, payload))
            }
        };
        let needed = cmsg_space(payload.1.len());
        if needed > available {
            ensure!(
                r == Err(Error::ControlBufferFull { needed, available }),
                "{op:?} into {available} gave {r:?}"
            );
        } else {
            ensure!(r == Ok(()), "{op:?} into {available} gave {r:?}");
            want.extend(encode(payload.0, &payload.1));
            pushed.push(kind);
        }
        ensure!(buf.as_bytes() == &want[..], "after {op:?}: bytes {:?}, want {want:?}", buf.as_bytes());
        ensure!(buf.len() == want.len(), "len {} want {}", buf.len(), want.len());
    }
    let back: Vec<Kind> = walk(buf.as_bytes()).into_iter().map(|m| m.kind).collect();
    ensure!(back == pushed, "model reads back {back:?}, pushed {pushed:?}");
    check_parser(buf.as_bytes())
}
