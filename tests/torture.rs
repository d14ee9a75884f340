//! Descriptor accounting under torture: many seeded, random steps that mix
//! normal traffic with everything that can go wrong on a receive, and after
//! every step the invariant
//!
//! > the descriptors open in /proc/self/fd are exactly those the test holds,
//! > and no child is left unreaped.
//!
//! `RAWSCM_TORTURE_ITERS` sets the number of steps (default 300 natively, 120
//! under qemu), `RAWSCM_TORTURE_SEED` the seed (default: from the clock; it is
//! printed, so a failure can be replayed).
//!
//! Every step kind is also its own test below (`step_*` through
//! [`once`]), so the README can name the test that proves each case. The
//! EINTR tests install a no-op SIGUSR1 handler *without* `SA_RESTART` and
//! interrupt the blocked test thread from a helper thread with
//! `pthread_kill`.
//!
//! Under qemu-user (`RAWSCM_QEMU`), control-data truncation (a receive
//! buffer too small for what arrives) is not run: qemu 7.2 hands the host
//! kernel a bigger buffer and leaks the excess inside the emulator. Nor are
//! pidfd steps: `SO_PASSPIDFD` gives ENOPROTOOPT there. Under qemu-i386 the
//! EINTR steps are not run either: a guest segfaults after any signal
//! handler returns there (a plain libc program does too). Each says so
//! through `common::skip`. `RLIMIT_NOFILE` exhaustion does run under qemu:
//! the host kernel installs what the limit allows and qemu copies all of it.

mod common;

use rawscm::{
    AsFd, BorrowedFd, Deadline, Errno, Error, ExitStatus, Fork, IoSlice, IoSliceMut, OwnedFd, Received,
    RecvControl, RecvFlags, SCM_MAX_FD, SendControl, SendFlags, SocketFlags, SocketType, Ucred,
    recv_credentials, recv_fds, recvmsg, send_credentials, send_fds, sendmsg, set_passcred, set_passpidfd,
    socketpair, space_for_fds, wait_readable, waitid,
};
use std::collections::{BTreeMap, BTreeSet};
use std::os::fd::IntoRawFd;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

// ------------------------------------------------------------ harness --

use common::rng::Rng;

/// What the kernel and the emulator let us test here.
#[derive(Clone, Copy)]
struct Caps {
    /// Control-data truncation behaves as on a real kernel (not under qemu).
    truncation: bool,
    /// `SO_PASSPIDFD` works (Linux 6.5+, not under qemu).
    pidfd: bool,
    /// Signal handlers work (not under qemu-i386: after a handler returns,
    /// the guest crashes -- a plain libc program that raises SIGUSR1 with a
    /// no-op handler and then starts a thread does the same).
    signals: bool,
}

impl Caps {
    fn probe() -> Caps {
        let (a, _b) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
        let pidfd = match set_passpidfd(&a, true) {
            Ok(()) => true,
            Err(e) => {
                assert_eq!(e.errno(), Some(Errno::ENOPROTOOPT), "SO_PASSPIDFD");
                assert!(
                    common::under_qemu() || common::kernel_older_than((6, 5)),
                    "SO_PASSPIDFD gives ENOPROTOOPT on kernel {} (6.5+ has it)",
                    common::kernel_release()
                );
                false
            }
        };
        let qemu = common::under_qemu();
        Caps { truncation: !qemu, pidfd, signals: !(qemu && cfg!(target_arch = "x86")) }
    }

    /// Says, once per test, which of the steps it needs cannot run here.
    fn report_skips(self, truncation: bool, pidfd: bool, signals: bool) {
        let mut why = Vec::new();
        if truncation && !self.truncation {
            why.push(
                "control-data truncation not run: qemu-user 7.2 passes the host kernel a bigger control \
                 buffer, reports no MSG_CTRUNC and leaks the excess descriptors inside the emulator",
            );
        }
        let kernel_lacks;
        if pidfd && !self.pidfd {
            why.push(if common::under_qemu() {
                "SCM_PIDFD not run: qemu-user does not support SO_PASSPIDFD (ENOPROTOOPT)"
            } else {
                kernel_lacks = format!(
                    "SCM_PIDFD not run: kernel {} has no SO_PASSPIDFD (6.5+)",
                    common::kernel_release()
                );
                &kernel_lacks
            });
        }
        if signals && !self.signals {
            why.push(
                "EINTR not run: under qemu-i386 7.2 a process segfaults after any signal handler \
                 returns (reproduced without rawscm)",
            );
        }
        if !why.is_empty() {
            common::skip(&why.join("; "));
        }
    }
}

/// The state every step works on: a pool of descriptors to send (held for
/// the whole test), the descriptors open when the test started, the PRNG.
struct World {
    baseline: BTreeSet<i32>,
    pool: Vec<OwnedFd>,
    rng: Rng,
    caps: Caps,
    /// Steps run, by name.
    ran: BTreeMap<&'static str, usize>,
}

fn owned_from_std(fd: impl IntoRawFd) -> OwnedFd {
    // SAFETY: `into_raw_fd` hands over an open descriptor nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd.into_raw_fd()) }
}

impl World {
    fn new(seed: u64) -> World {
        let baseline = common::open_fds();
        let mut pool = Vec::new();
        // Descriptors of several kinds to send: files, pipe ends, sockets.
        for _ in 0..2 {
            pool.push(owned_from_std(std::fs::File::open("/dev/null").unwrap()));
        }
        let (r, w) = pipe();
        pool.extend([r, w]);
        let (a, b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
        pool.extend([a, b]);
        let w = World { baseline, pool, rng: Rng(seed), caps: Caps::probe(), ran: BTreeMap::new() };
        w.check("setup");
        w
    }

    /// The invariant.
    fn check(&self, after: &str) {
        let mut want = self.baseline.clone();
        want.extend(self.pool.iter().map(|f| f.as_raw_fd()));
        let now = common::open_fds();
        assert_eq!(now, want, "after {after}: open descriptors (left: now, right: held)");
        common::assert_no_children();
    }

    /// `k` descriptors from the pool (repeats allowed), in random order.
    fn some_fds(&mut self, k: usize) -> Vec<BorrowedFd<'static>> {
        (0..k)
            .map(|_| {
                let fd = self.pool[self.rng.below(self.pool.len())].as_raw_fd();
                // SAFETY: the pool stays open until the World is dropped,
                // after every step (and every borrow it made) has ended.
                unsafe { BorrowedFd::borrow_raw(fd) }
            })
            .collect()
    }

    fn any_type(&mut self) -> SocketType {
        self.rng.pick(&[SocketType::Stream, SocketType::Datagram, SocketType::SeqPacket])
    }

    fn message_type(&mut self) -> SocketType {
        self.rng.pick(&[SocketType::Datagram, SocketType::SeqPacket])
    }
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: pipe2 writes two descriptors into the array on success.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: both are new descriptors that we now own.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn pair(ty: SocketType) -> (OwnedFd, OwnedFd) {
    socketpair(ty, SocketFlags::default()).expect("socketpair")
}

/// `(st_dev, st_ino)`: which open file a descriptor refers to.
fn ident(fd: &impl AsFd) -> (u64, u64) {
    // SAFETY: fstat writes a struct stat for an open descriptor.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    assert_eq!(unsafe { libc::fstat(fd.as_fd().as_raw_fd(), &mut st) }, 0, "fstat");
    (st.st_dev as u64, st.st_ino as u64)
}

fn cloexec(fd: &OwnedFd) -> bool {
    // SAFETY: F_GETFD only reads the descriptor flags.
    unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) & libc::FD_CLOEXEC != 0 }
}

/// Checks that `got` are new descriptors for the same files as `sent`, in
/// order, and close-on-exec.
fn same_files(got: &[OwnedFd], sent: &[(u64, u64)]) {
    let ids: Vec<(u64, u64)> = got.iter().map(ident).collect();
    assert_eq!(ids, sent, "received descriptors refer to the files sent, in order");
    assert!(got.iter().all(cloexec), "received descriptors are close-on-exec");
}

/// `CMSG_ALIGN(sizeof(struct cmsghdr))` of this target's kernel ABI (32-bit
/// processes on a 64-bit kernel use the compat layout, which is the same).
const HDR: usize = rawscm::cmsg_len(0);

/// How many descriptors the kernel installs from an `SCM_RIGHTS` message of
/// `k` into `room` bytes of control buffer (`scm_detach_fds`).
fn fit(k: usize, room: usize) -> usize {
    k.min(room.saturating_sub(HDR) / 4)
}

/// The low-level receive: `recvmsg` into `buf` and a `RecvControl<N>`,
/// keeping up to `FDS` descriptors.
fn recv_low<const FDS: usize, const N: usize>(
    fd: &OwnedFd,
    buf: &mut [u8],
    flags: RecvFlags,
) -> rawscm::Result<Received<FDS>> {
    let mut control = RecvControl::<N>::new();
    recvmsg(fd, &mut [IoSliceMut::new(buf)], &mut control, flags)
}

fn nothing_queued(fd: &OwnedFd) {
    let r =
        recv_low::<4, { space_for_fds(4) }>(fd, &mut [0u8; 1], RecvFlags::default() | RecvFlags::DONTWAIT);
    assert_eq!(r.map(|g| g.bytes).unwrap_err(), Error::Os(Errno::EAGAIN), "nothing else is queued");
}

// --------------------------------------------------------------- steps --

type Step = fn(&mut World);

/// Ordinary traffic: 0..=8 descriptors on any socket type, by the helper or
/// by the low-level call.
fn step_normal(w: &mut World) {
    let ty = w.any_type();
    let (a, b) = pair(ty);
    let k = w.rng.range(0, 8);
    let len = w.rng.range(1, 64);
    let data: Vec<u8> = (0..len).map(|_| w.rng.next() as u8).collect();
    let fds = w.some_fds(k);
    let sent: Vec<_> = fds.iter().map(ident).collect();
    assert_eq!(send_fds(&a, &data, &fds), Ok(len));
    let mut buf = [0u8; 64];
    if w.rng.below(2) == 0 {
        let (n, got) = recv_fds::<8>(&b, &mut buf).unwrap();
        assert_eq!(&buf[..n], &data[..]);
        same_files(&got, &sent);
    } else {
        let got = recv_low::<8, { space_for_fds(8) }>(&b, &mut buf, RecvFlags::default()).unwrap();
        assert_eq!(&buf[..got.bytes], &data[..]);
        assert!(!got.control_truncated && !got.data_truncated && got.fds_closed == 0);
        same_files(&got.fds, &sent);
    }
}

/// More descriptors than the caller's capacity: the helper closes all of
/// them and says how many; the low-level call keeps `FDS` and closes the rest.
fn step_more_fds_than_capacity(w: &mut World) {
    let ty = w.any_type();
    let (a, b) = pair(ty);
    let k = w.rng.range(2, 8);
    let fds = w.some_fds(k);
    let sent: Vec<_> = fds.iter().map(ident).collect();
    send_fds(&a, b"many", &fds).unwrap();
    let mut buf = [0u8; 4];
    if w.rng.below(2) == 0 {
        let r = recv_fds::<1>(&b, &mut buf);
        assert_eq!(r.unwrap_err(), Error::TooManyFdsReceived { received: k, capacity: 1 });
    } else {
        let got = recv_low::<1, { space_for_fds(8) }>(&b, &mut buf, RecvFlags::default()).unwrap();
        assert_eq!((got.fds.len(), got.fds_closed, got.control_truncated), (1, k - 1, false));
        same_files(&got.fds, &sent[..1]);
    }
}

/// A control buffer too small for what arrives (`MSG_CTRUNC`): the kernel
/// installs the descriptors that fit and closes the rest; they must be owned
/// (low level) or closed (helper). Native only.
fn step_truncated_control(w: &mut World) {
    if !w.caps.truncation {
        return;
    }
    let ty = w.message_type();
    let (a, b) = pair(ty);
    let mut buf = [0u8; 8];
    if w.rng.below(2) == 0 {
        // Low level, buffer sized with CMSG_SPACE(4): on 64-bit that has
        // room for two descriptors, on 32-bit for one.
        let k = w.rng.range(2, 8);
        let fds = w.some_fds(k);
        let sent: Vec<_> = fds.iter().map(ident).collect();
        send_fds(&a, b"t", &fds).unwrap();
        let got = recv_low::<8, { space_for_fds(1) }>(&b, &mut buf, RecvFlags::default()).unwrap();
        let n = fit(k, space_for_fds(1));
        assert!(got.control_truncated == (n < k), "MSG_CTRUNC iff some did not fit ({n} of {k})");
        assert_eq!((got.fds.len(), got.fds_closed), (n, 0));
        same_files(&got.fds, &sent[..n]);
    } else {
        // The helper gives the kernel room for SCM_MAX_FD whatever its
        // capacity, so many more than fit are counted right, not truncated.
        let k = w.rng.range(2, SCM_MAX_FD);
        let fds = w.some_fds(k);
        send_fds(&a, b"t", &fds).unwrap();
        let r = recv_fds::<1>(&b, &mut buf);
        assert_eq!(r.unwrap_err(), Error::TooManyFdsReceived { received: k, capacity: 1 });
    }
    nothing_queued(&b);
}

/// Credentials (`SO_PASSCRED`) and a pidfd (`SO_PASSPIDFD`) the caller did
/// not ask for: the helper drops them (the pidfd is closed); a low-level
/// buffer sized for the descriptors alone is truncated (native only).
fn step_unrequested_creds_pidfd(w: &mut World) {
    let ty = w.message_type();
    let (a, b) = pair(ty);
    set_passcred(&b, true).unwrap();
    let pidfd = w.caps.pidfd && w.rng.below(2) == 0;
    if pidfd {
        set_passpidfd(&b, true).unwrap();
    }
    let k = w.rng.range(0, 4);
    let fds = w.some_fds(k);
    let sent: Vec<_> = fds.iter().map(ident).collect();
    send_fds(&a, b"u", &fds).unwrap();
    let mut buf = [0u8; 1];
    match w.rng.below(3) {
        0 => {
            let (n, got) = recv_fds::<4>(&b, &mut buf).unwrap();
            assert_eq!(n, 1);
            same_files(&got, &sent);
        }
        1 => {
            // Room for everything: all of it owned, and checked.
            let got = recv_low::<4, { space_for_fds(4) + rawscm::SPACE_CREDENTIALS + rawscm::SPACE_PIDFD }>(
                &b,
                &mut buf,
                RecvFlags::default(),
            )
            .unwrap();
            assert!(!got.control_truncated);
            assert_eq!(got.credentials, Some(Ucred::current()));
            assert_eq!(got.pidfd.is_some(), pidfd);
            if let Some(p) = &got.pidfd {
                assert!(cloexec(p));
            }
            same_files(&got.fds, &sent);
        }
        _ if w.caps.truncation => {
            // Sized for the descriptors alone: the credentials come first
            // and take the room, so whatever else arrives is truncated.
            let got = recv_low::<4, { space_for_fds(4) }>(&b, &mut buf, RecvFlags::default()).unwrap();
            // (The kernel writes SCM_CREDENTIALS, then SCM_RIGHTS, then
            // SCM_PIDFD; after the credentials there is no room for a header.)
            assert_eq!(got.credentials, Some(Ucred::current()));
            assert_eq!(got.control_truncated, k > 0 || pidfd, "{k} fds, pidfd {pidfd}: {got:?}");
            assert_eq!((got.fds.len(), got.fds_closed, got.pidfd.is_none()), (0, 0, true));
        }
        _ => {}
    }
}

/// A datagram longer than the buffer (`MSG_TRUNC`): the helper closes the
/// descriptors and reports it. On a stream the rest stays queued for the
/// next read, without the descriptors again.
fn step_data_longer_than_buffer(w: &mut World) {
    let ty = w.any_type();
    let (a, b) = pair(ty);
    let k = w.rng.range(0, 4);
    let fds = w.some_fds(k);
    let sent: Vec<_> = fds.iter().map(ident).collect();
    let data = [0x5au8; 16];
    send_fds(&a, &data, &fds).unwrap();
    let mut small = [0u8; 5];
    let r = recv_fds::<4>(&b, &mut small);
    if ty == SocketType::Stream {
        let (n, got) = r.unwrap();
        assert_eq!(n, 5);
        same_files(&got, &sent);
        let mut rest = [0u8; 16];
        let (n, got) = recv_fds::<4>(&b, &mut rest).unwrap();
        assert_eq!((n, got.len()), (11, 0));
    } else {
        assert_eq!(r.unwrap_err(), Error::DataTruncated { fds_closed: k });
    }
    nothing_queued(&b);
}

/// A peer that goes away: a forked child sends some messages with
/// descriptors and exits; the parent reads them all, then sees the end of
/// the stream, then reaps the child. Sending to a closed peer is an error,
/// not SIGPIPE; descriptors queued to a socket that is closed unread are
/// released by the kernel, not leaked into our table.
fn step_peer_closes(w: &mut World) {
    let ty = w.rng.pick(&[SocketType::Stream, SocketType::SeqPacket]);
    let (a, b) = pair(ty);
    let m = w.rng.range(0, 4);
    let k = w.rng.range(1, 3);
    let fds = w.some_fds(k);
    let sent: Vec<_> = fds.iter().map(ident).collect();
    // SAFETY: the child only makes rawscm system calls and exits.
    let pid = match unsafe { rawscm::fork() }.unwrap() {
        Fork::Child => {
            drop(b);
            for _ in 0..m {
                if send_fds(&a, b"msg", &fds) != Ok(3) {
                    rawscm::exit_group(1);
                }
            }
            rawscm::exit_group(0);
        }
        Fork::Parent(pid) => pid,
    };
    drop(fds);
    drop(a);
    let mut buf = [0u8; 3];
    for _ in 0..m {
        let (n, got) = recv_fds::<3>(&b, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"msg");
        same_files(&got, &sent);
    }
    assert_eq!(recv_fds::<3>(&b, &mut buf).unwrap_err(), Error::PeerClosed);
    assert_eq!(waitid(pid), Ok(ExitStatus::Exited(0)));

    // Closed with descriptors queued to it, unread.
    let ty = w.any_type();
    let (a, b) = pair(ty);
    let fds = w.some_fds(2);
    send_fds(&a, b"lost", &fds).unwrap();
    drop(b);
    let r = send_fds(&a, b"x", &fds).unwrap_err().errno().unwrap();
    // A connection closed with unread data reports ECONNRESET once, then EPIPE.
    let want: &[Errno] =
        if ty == SocketType::Datagram { &[Errno::ECONNREFUSED] } else { &[Errno::ECONNRESET, Errno::EPIPE] };
    assert!(want.contains(&r), "send to a closed {ty:?} peer: {r}");
}

/// Restores RLIMIT_NOFILE when dropped (also on a failed assertion).
struct NofileLimit(libc::rlimit);

impl NofileLimit {
    fn lower(soft: u64) -> NofileLimit {
        // SAFETY: getrlimit/setrlimit read/write one struct rlimit.
        let mut old = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) }, 0);
        let new = libc::rlimit { rlim_cur: soft as _, rlim_max: old.rlim_max };
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &new) }, 0);
        NofileLimit(old)
    }
}

impl Drop for NofileLimit {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &self.0) };
    }
}

/// `RLIMIT_NOFILE` lowered so that only `j` of the `k` descriptors that
/// arrive can be installed: the kernel sets `MSG_CTRUNC`; the installed ones
/// are owned (low level) or closed (helper).
fn step_rlimit_nofile(w: &mut World) {
    let ty = w.message_type();
    let (a, b) = pair(ty);
    let k = w.rng.range(1, 6);
    let j = w.rng.range(0, k - 1);
    let fds = w.some_fds(k);
    let sent: Vec<_> = fds.iter().map(ident).collect();
    send_fds(&a, b"r", &fds).unwrap();
    // The lowest soft limit that leaves exactly j free descriptor numbers.
    let open = common::open_fds();
    let (mut soft, mut free) = (0, 0);
    while free < j {
        if !open.contains(&soft) {
            free += 1;
        }
        soft += 1;
    }
    let mut buf = [0u8; 1];
    if w.rng.below(2) == 0 {
        let r = {
            let _limit = NofileLimit::lower(soft as u64);
            recv_fds::<8>(&b, &mut buf)
        };
        assert_eq!(r.unwrap_err(), Error::ControlTruncated { fds_closed: j }, "limit {soft}");
    } else {
        let got = {
            let _limit = NofileLimit::lower(soft as u64);
            recv_low::<8, { space_for_fds(8) }>(&b, &mut buf, RecvFlags::default()).unwrap()
        };
        assert!(got.control_truncated);
        assert_eq!((got.fds.len(), got.fds_closed), (j, 0));
        same_files(&got.fds, &sent[..j]);
    }
}

/// Non-blocking sockets with nothing to read, and a full one to write:
/// `EAGAIN` from every call, a zero wait times out, nothing leaks.
fn step_nonblocking(w: &mut World) {
    let ty = w.any_type();
    let (a, b) = socketpair(ty, SocketFlags::default() | SocketFlags::NONBLOCK).unwrap();
    let mut buf = [0u8; 4];
    let eagain = Error::Os(Errno::EAGAIN);
    assert_eq!(recv_fds::<2>(&b, &mut buf).unwrap_err(), eagain);
    if ty != SocketType::Stream {
        set_passcred(&b, true).unwrap();
        assert_eq!(recv_credentials(&b, &mut buf).unwrap_err(), eagain);
    }
    assert_eq!(rawscm::wait_readable_for(&b, Duration::ZERO), Err(Error::Timeout));
    // A blocking pair with DONTWAIT on the call.
    let (c, d) = pair(ty);
    let r = recv_low::<2, { space_for_fds(2) }>(&d, &mut buf, RecvFlags::default() | RecvFlags::DONTWAIT);
    assert_eq!(r.map(|g| g.bytes).unwrap_err(), eagain);
    // Fill the non-blocking one until EAGAIN (or ETOOMANYREFS: too many
    // descriptors in flight for an unprivileged user), each message with fds.
    let k = w.rng.range(1, 3);
    let fds = w.some_fds(k);
    let mut sent = 0;
    loop {
        match send_fds(&a, &[7u8; 2048], &fds) {
            Ok(_) => sent += 1,
            Err(e) => {
                assert!(e == eagain || e == Error::Os(Errno::ETOOMANYREFS), "{e}");
                break;
            }
        }
        assert!(sent < 100_000, "socket never filled");
    }
    drop((c, d));
    // Drain a few; dropping `b` with the rest queued releases them.
    for _ in 0..sent.min(3) {
        let mut big = [0u8; 2048];
        let (_, got) = recv_fds::<3>(&b, &mut big).unwrap();
        assert_eq!(got.len(), k);
    }
}

/// Requests refused before or by the kernel, with nothing sent and nothing
/// leaked: more than 253 descriptors, control data with no data byte, a
/// descriptor that is not a socket.
fn step_refused_sends(w: &mut World) {
    let ty = w.any_type();
    let (a, b) = pair(ty);
    let over = w.rng.range(SCM_MAX_FD + 1, SCM_MAX_FD + 20);
    let fds = w.some_fds(over);
    assert_eq!(send_fds(&a, b"x", &fds), Err(Error::TooManyFds { count: over }));
    let fds = w.some_fds(1);
    assert_eq!(send_fds(&a, b"", &fds), Err(Error::NoDataByte));
    let mut control = SendControl::<{ space_for_fds(1) }>::new();
    control.push_fds(&fds).unwrap();
    assert_eq!(sendmsg(&a, &[IoSlice::new(b"")], &control, SendFlags::default()), Err(Error::NoDataByte));
    let (r, _w) = pipe();
    assert_eq!(send_fds(&r, b"x", &[]).unwrap_err().errno(), Some(Errno::ENOTSOCK));
    assert_eq!(recv_fds::<1>(&r, &mut [0u8; 1]).unwrap_err().errno(), Some(Errno::ENOTSOCK));
    drop(fds);
    nothing_queued(&b);
}

// ---------------------------------------------------------------- EINTR --

static SIGNALS: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count_signal(_: libc::c_int) {
    SIGNALS.fetch_add(1, Ordering::SeqCst);
}

/// A no-op SIGUSR1 handler without `SA_RESTART`: a blocking call it
/// interrupts fails with EINTR instead of being restarted by the kernel.
fn install_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a zeroed sigaction is valid; the handler only touches an
        // atomic, which is async-signal-safe.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = count_signal as extern "C" fn(libc::c_int) as usize;
            sa.sa_flags = 0; // no SA_RESTART
            libc::sigemptyset(&mut sa.sa_mask);
            assert_eq!(libc::sigaction(libc::SIGUSR1, &sa, std::ptr::null_mut()), 0);
            let mut now: libc::sigaction = std::mem::zeroed();
            assert_eq!(libc::sigaction(libc::SIGUSR1, std::ptr::null(), &mut now), 0);
            assert_eq!(now.sa_flags & libc::SA_RESTART, 0);
        }
    });
}

/// Runs `blocking` on this thread while a helper thread sends it SIGUSR1
/// every `every`, at most `max` times, stopping once `blocking` returns;
/// then, if `blocking` still has not returned, the helper runs `after`
/// (which must make `blocking` return). Returns `blocking`'s result and the
/// number of signals handled meanwhile.
fn interrupted<T>(
    every: Duration,
    max: usize,
    after: impl FnOnce() + Send,
    blocking: impl FnOnce() -> T,
) -> (T, usize) {
    install_handler();
    // SAFETY: pthread_self has no preconditions. (Carried as usize: on musl
    // pthread_t is a pointer, which cannot cross threads.)
    let me = unsafe { libc::pthread_self() } as usize;
    let done = AtomicBool::new(false);
    let before = SIGNALS.load(Ordering::SeqCst);
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            for _ in 0..max {
                std::thread::sleep(every);
                if done.load(Ordering::SeqCst) {
                    return;
                }
                // SAFETY: the target thread is alive until this scope is
                // joined (it is the one that joins it).
                assert_eq!(unsafe { libc::pthread_kill(me as libc::pthread_t, libc::SIGUSR1) }, 0);
            }
            if !done.load(Ordering::SeqCst) {
                after();
            }
        });
        let out = blocking();
        done.store(true, Ordering::SeqCst);
        out
    });
    (out, SIGNALS.load(Ordering::SeqCst) - before)
}

/// Signals for a blocking call that must fail with EINTR: up to 100, then
/// `unblock` (so a call that wrongly restarts fails the test, not hangs it).
const UNTIL_RETURN: usize = 100;

const TICK: Duration = Duration::from_millis(30);

/// Low-level `recvmsg` and `sendmsg` return EINTR (nothing received, nothing
/// sent); the one-call helpers retry and complete.
fn step_eintr_msg(w: &mut World) {
    if !w.caps.signals {
        return;
    }
    let ty = w.any_type();
    let (a, b) = pair(ty);
    let mut buf = [0u8; 8];

    // recvmsg, blocked on an empty socket, signalled until it returns.
    let (r, hits) = interrupted(
        TICK,
        UNTIL_RETURN,
        || assert_eq!(send_fds(&a, b"!", &[]), Ok(1)),
        || recv_low::<2, { space_for_fds(2) }>(&b, &mut buf, RecvFlags::default()).map(|g| g.bytes),
    );
    assert_eq!(r, Err(Error::Os(Errno::EINTR)));
    assert!(hits >= 1);

    // recv_fds: three signals, then the data arrives.
    let k = w.rng.range(0, 3);
    let fds = w.some_fds(k);
    let sent: Vec<_> = fds.iter().map(ident).collect();
    let (r, hits) = interrupted(
        TICK,
        3,
        || assert_eq!(send_fds(&a, b"late", &fds), Ok(4)),
        || recv_fds::<3>(&b, &mut buf),
    );
    let (n, got) = r.expect("recv_fds retries EINTR");
    assert_eq!(&buf[..n], b"late");
    assert!((1..=3).contains(&hits), "{hits} signals");
    same_files(&got, &sent);

    // recv_credentials: the same.
    if ty != SocketType::Stream {
        set_passcred(&b, true).unwrap();
        let (r, hits) = interrupted(
            TICK,
            3,
            || assert_eq!(send_credentials(&a, b"c", Ucred::current()), Ok(1)),
            || recv_credentials(&b, &mut buf),
        );
        assert_eq!(r.map(|got| (got.bytes, got.credentials)), Ok((1, Ucred::current())));
        assert!((1..=3).contains(&hits), "{hits} signals");
    }

    // Sends block on a full stream socket.
    let (a, b) = pair(SocketType::Stream);
    let fill = fill_stream(&a);
    let fds = w.some_fds(1);
    let (r, hits) = interrupted(
        TICK,
        UNTIL_RETURN,
        || drain(&b, fill),
        || {
            let mut control = SendControl::<{ space_for_fds(1) }>::new();
            control.push_fds(&fds).unwrap();
            sendmsg(&a, &[IoSlice::new(b"blocked")], &control, SendFlags::default())
        },
    );
    assert_eq!((r, hits >= 1), (Err(Error::Os(Errno::EINTR)), true));
    // send_fds retries; the helper makes room after three signals.
    let (r, hits) = interrupted(TICK, 3, || drain(&b, fill), || send_fds(&a, b"room", &fds));
    assert_eq!(r, Ok(4));
    assert!((1..=3).contains(&hits), "{hits} signals");
    let (n, got) = recv_fds::<1>(&b, &mut buf).unwrap();
    assert_eq!((&buf[..n], got.len()), (&b"room"[..], 1));
}

/// Fills a blocking stream socket with plain data (DONTWAIT) until it would
/// block; returns the bytes queued.
fn fill_stream(a: &OwnedFd) -> usize {
    let none = SendControl::<0>::new();
    let chunk = [0u8; 4096];
    let mut total = 0;
    loop {
        match sendmsg(a, &[IoSlice::new(&chunk)], &none, SendFlags::default() | SendFlags::DONTWAIT) {
            Ok(n) => total += n,
            Err(e) => {
                assert_eq!(e, Error::Os(Errno::EAGAIN));
                return total;
            }
        }
    }
}

/// Reads exactly `n` plain bytes.
fn drain(b: &OwnedFd, mut n: usize) {
    let mut chunk = [0u8; 4096];
    while n > 0 {
        let want = n.min(chunk.len());
        let (got, fds) = recv_fds::<0>(b, &mut chunk[..want]).unwrap();
        assert!(got > 0 && fds.is_empty());
        n -= got;
    }
}

/// `waitid` retries EINTR; `wait_readable` retries with the time left, so a
/// stream of signals neither ends the wait early nor extends it.
fn step_eintr_wait(w: &mut World) {
    if !w.caps.signals {
        return;
    }
    // waitid: the child waits for a byte the helper sends after 3 signals.
    let (a, b) = pair(SocketType::Datagram);
    // SAFETY: the child only makes rawscm system calls and exits.
    let pid = match unsafe { rawscm::fork() }.unwrap() {
        Fork::Child => {
            let ok = rawscm::wait_readable_for(&b, Duration::from_secs(20)).is_ok();
            rawscm::exit_group(if ok { 0 } else { 1 });
        }
        Fork::Parent(pid) => pid,
    };
    let (r, hits) = interrupted(TICK, 3, || assert_eq!(send_fds(&a, b"go", &[]), Ok(2)), || waitid(pid));
    assert_eq!(r, Ok(ExitStatus::Exited(0)));
    assert!((1..=3).contains(&hits), "{hits} signals");
    drop((a, b));

    // wait_readable: a deadline 100..300 ms away, signals every 20 ms.
    let (_a, b) = pair(w.any_type());
    let timeout = Duration::from_millis(w.rng.range(100, 300) as u64);
    let start = Instant::now();
    let (r, hits) = interrupted(
        Duration::from_millis(20),
        UNTIL_RETURN,
        || {},
        || wait_readable(&b, Deadline::after(timeout)),
    );
    let took = start.elapsed();
    assert_eq!(r, Err(Error::Timeout));
    assert!(hits >= 2, "signals arrived during the wait: {hits}");
    assert!(took >= timeout, "woke before the deadline: {took:?} < {timeout:?}");
    assert!(took < timeout + Duration::from_secs(1), "deadline extended: {took:?} for {timeout:?}");
    // ... and when data comes after some signals, it is seen.
    let (a, b) = pair(SocketType::Datagram);
    let (r, _) = interrupted(
        TICK,
        2,
        || assert_eq!(send_fds(&a, b"d", &[]), Ok(1)),
        || wait_readable(&b, Deadline::after(Duration::from_secs(10))),
    );
    assert_eq!(r, Ok(()));
}

// ------------------------------------------------------------- drivers --

/// Step kinds with their weights in the random mix.
const STEPS: &[(&str, Step, usize)] = &[
    ("normal", step_normal, 20),
    ("more_fds_than_capacity", step_more_fds_than_capacity, 8),
    ("truncated_control", step_truncated_control, 8),
    ("unrequested_creds_pidfd", step_unrequested_creds_pidfd, 8),
    ("data_longer_than_buffer", step_data_longer_than_buffer, 8),
    ("peer_closes", step_peer_closes, 6),
    ("rlimit_nofile", step_rlimit_nofile, 6),
    ("nonblocking", step_nonblocking, 4),
    ("refused_sends", step_refused_sends, 4),
    // These sleep between signals (~0.3 s each): rarer.
    ("eintr_msg", step_eintr_msg, 1),
    ("eintr_wait", step_eintr_wait, 1),
];

/// The step kind at `r` in `[0, total weight)`.
fn choose(mut r: usize) -> (&'static str, Step) {
    for &(name, step, weight) in STEPS {
        if r < weight {
            return (name, step);
        }
        r -= weight;
    }
    unreachable!("r below the total weight")
}

fn env_u64(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    let v = v.trim();
    match v.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => v.parse().ok(),
    }
}

#[test]
fn torture() {
    let _g = common::serial();
    let iters = env_u64("RAWSCM_TORTURE_ITERS").unwrap_or(if common::under_qemu() { 120 } else { 300 });
    let seed = env_u64("RAWSCM_TORTURE_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    eprintln!(
        "torture: seed {seed:#x}, {iters} steps (replay: RAWSCM_TORTURE_SEED={seed:#x} RAWSCM_TORTURE_ITERS={iters})"
    );
    let mut w = World::new(seed);
    w.caps.report_skips(true, true, true);
    let total: usize = STEPS.iter().map(|s| s.2).sum();
    let start = Instant::now();
    for i in 0..iters {
        let (name, step) = choose(w.rng.below(total));
        step(&mut w);
        *w.ran.entry(name).or_default() += 1;
        w.check(&format!("step {i} ({name}), seed {seed:#x}"));
    }
    eprintln!("torture: {iters} steps in {:?}: {:?}", start.elapsed(), w.ran);
    drop(w.pool);
    assert_eq!(common::open_fds(), w.baseline, "after dropping the pool");
}

/// Runs one step kind a few times on its own, with the invariant.
fn once(name: &str, times: usize) {
    let _g = common::serial();
    let &(_, step, _) = STEPS.iter().find(|s| s.0 == name).unwrap();
    let mut w = World::new(0x5eed ^ name.len() as u64);
    if name == "truncated_control" && !w.caps.truncation {
        return w.caps.report_skips(true, false, false); // nothing else in this step
    }
    if name.starts_with("eintr") && !w.caps.signals {
        return w.caps.report_skips(false, false, true); // the same
    }
    if name == "unrequested_creds_pidfd" {
        w.caps.report_skips(true, true, false);
    }
    for i in 0..times {
        step(&mut w);
        w.check(&format!("{name} #{i}"));
    }
}

#[test]
fn step_normal_traffic() {
    once("normal", 20);
}

#[test]
fn step_more_fds_than_capacity_are_closed() {
    once("more_fds_than_capacity", 20);
}

#[test]
fn step_truncated_control_data_leaks_nothing() {
    once("truncated_control", 20);
}

#[test]
fn step_unrequested_credentials_and_pidfd_leak_nothing() {
    once("unrequested_creds_pidfd", 20);
}

#[test]
fn step_data_longer_than_buffer_leaks_nothing() {
    once("data_longer_than_buffer", 20);
}

#[test]
fn step_peer_closing_mid_stream_leaks_nothing() {
    once("peer_closes", 10);
}

#[test]
fn step_rlimit_nofile_exhausted_leaks_nothing() {
    once("rlimit_nofile", 20);
}

#[test]
fn step_nonblocking_nothing_to_read() {
    once("nonblocking", 5);
}

#[test]
fn step_refused_sends_leak_nothing() {
    once("refused_sends", 5);
}

#[test]
fn step_eintr_low_level_returns_it_helpers_retry() {
    once("eintr_msg", 2);
}

#[test]
fn step_eintr_waitid_retries_and_wait_readable_keeps_its_deadline() {
    once("eintr_wait", 2);
}
