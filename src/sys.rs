//! The only module that calls the raw syscall functions of `arch`.
//!
//! Each function here takes typed arguments, converts them to syscall
//! registers in one place (the `*_arg` helpers, so no bare `as usize` appears
//! elsewhere) and decodes the kernel's return value into a `Result`.
//! Syscall numbers and constants come from `linux-raw-sys`.

use crate::addr::UnixAddr;
use crate::arch::{syscall0, syscall1, syscall2, syscall3, syscall4, syscall5};
use crate::cmsg::{RecvControl, Taken, take_with};
use crate::errno::Errno;
use crate::fd::{BorrowedFd, OwnedFd};
use crate::io::{IoSlice, IoSliceMut};
use core::ffi::CStr;
use core::mem::{MaybeUninit, size_of};
use core::ptr;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use linux_raw_sys::general as g;
use linux_raw_sys::net as n;

pub(crate) type SysResult<T> = core::result::Result<T, Errno>;

/// Decodes a raw return value: -4095..=-1 is `-errno`, anything else success.
#[inline(always)]
fn ret(raw: usize) -> SysResult<usize> {
    if raw > (-4096isize) as usize {
        Err(Errno::from_raw((raw as isize).wrapping_neg() as i32))
    } else {
        Ok(raw)
    }
}

#[inline(always)]
fn fd_arg(fd: BorrowedFd<'_>) -> usize {
    int_arg(fd.as_raw_fd())
}
#[inline(always)]
fn int_arg(v: i32) -> usize {
    // Sign-extend: the kernel reads an `int` from the low bits.
    v as isize as usize
}
#[inline(always)]
fn uint_arg(v: u32) -> usize {
    v as usize
}
#[inline(always)]
fn ptr_arg<T: ?Sized>(p: *const T) -> usize {
    p as *const u8 as usize
}
#[inline(always)]
fn mut_ptr_arg<T: ?Sized>(p: *mut T) -> usize {
    p as *mut u8 as usize
}
/// A raw value that the kernel returned as a new descriptor.
#[inline(always)]
fn new_fd(raw: usize) -> OwnedFd {
    owned_from_kernel(raw as i32)
}

/// Takes ownership of a descriptor number the kernel just installed for this
/// process and handed back (a syscall result, or a value written by
/// `socketpair` or `getsockopt(SO_PEERPIDFD)`). Callers in this crate only
/// pass such numbers, which nothing else owns yet.
fn owned_from_kernel(fd: i32) -> OwnedFd {
    // SAFETY: see above: a fresh, unowned, open descriptor.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

impl Drop for OwnedFd {
    #[inline]
    fn drop(&mut self) {
        // close(2): on Linux the descriptor is released even when close
        // reports an error (EINTR included), so there is nothing to retry.
        // SAFETY: `self` owns the descriptor and is going away.
        unsafe { close(self.as_raw_fd()) };
    }
}

/// `close(2)`. Errors are ignored: Linux releases the descriptor regardless.
///
/// # Safety
/// The caller owns `fd`, and nothing uses the number afterwards (it may be
/// reused for another file at once).
pub(crate) unsafe fn close(fd: i32) {
    // SAFETY: close takes a plain integer; the caller's guarantee covers the
    // descriptor itself.
    let _ = unsafe { syscall1(g::__NR_close as usize, int_arg(fd)) };
}

/// `socketpair(AF_UNIX, ty, 0, sv)`.
pub(crate) fn socketpair(ty: u32) -> SysResult<(OwnedFd, OwnedFd)> {
    let mut sv = [-1i32; 2];
    // SAFETY: `sv` is a writable array of two ints, as socketpair requires.
    ret(unsafe {
        syscall4(
            g::__NR_socketpair as usize,
            uint_arg(n::AF_UNIX),
            uint_arg(ty),
            0,
            mut_ptr_arg(sv.as_mut_ptr()),
        )
    })?;
    Ok((owned_from_kernel(sv[0]), owned_from_kernel(sv[1])))
}

/// `socket(AF_UNIX, ty, 0)`.
pub(crate) fn socket(ty: u32) -> SysResult<OwnedFd> {
    // SAFETY: integer arguments only.
    ret(unsafe { syscall3(g::__NR_socket as usize, uint_arg(n::AF_UNIX), uint_arg(ty), 0) }).map(new_fd)
}

/// `bind(fd, addr, len)` or `connect(fd, addr, len)` (`nr`).
pub(crate) fn bind_or_connect(nr: u32, fd: BorrowedFd<'_>, addr: UnixAddr) -> SysResult<()> {
    let (raw, len) = addr.to_raw();
    // SAFETY: `raw` is a readable sockaddr_un of at least `len` bytes.
    ret(unsafe { syscall3(nr as usize, fd_arg(fd), ptr_arg(&raw), uint_arg(len)) }).map(drop)
}

/// `listen(fd, backlog)`.
pub(crate) fn listen(fd: BorrowedFd<'_>, backlog: i32) -> SysResult<()> {
    // SAFETY: integer arguments only.
    ret(unsafe { syscall2(g::__NR_listen as usize, fd_arg(fd), int_arg(backlog)) }).map(drop)
}

/// `accept4(fd, &addr, &len, flags)`: the new connection and its peer's
/// address.
pub(crate) fn accept4(fd: BorrowedFd<'_>, flags: u32) -> SysResult<(OwnedFd, UnixAddr)> {
    let mut raw = n::sockaddr_un { sun_family: 0, sun_path: [0; 108] };
    let mut len = size_of::<n::sockaddr_un>() as u32;
    // SAFETY: `raw` is a writable sockaddr_un of `len` bytes, `len` a
    // writable socklen_t.
    let new = ret(unsafe {
        syscall4(
            g::__NR_accept4 as usize,
            fd_arg(fd),
            mut_ptr_arg(&mut raw),
            mut_ptr_arg(&mut len),
            uint_arg(flags),
        )
    })
    .map(new_fd)?;
    Ok((new, UnixAddr::from_kernel(&raw, len)))
}

/// `getsockname(fd, ..)` or `getpeername(fd, ..)` (`nr`).
pub(crate) fn sock_or_peer_name(nr: u32, fd: BorrowedFd<'_>) -> SysResult<UnixAddr> {
    let mut raw = n::sockaddr_un { sun_family: 0, sun_path: [0; 108] };
    let mut len = size_of::<n::sockaddr_un>() as u32;
    // SAFETY: `raw` is a writable sockaddr_un of `len` bytes, `len` a
    // writable socklen_t; the kernel writes at most `len` bytes and reports
    // the full length (possibly more).
    ret(unsafe { syscall3(nr as usize, fd_arg(fd), mut_ptr_arg(&mut raw), mut_ptr_arg(&mut len)) })?;
    Ok(UnixAddr::from_kernel(&raw, len))
}

/// `shutdown(fd, how)`.
pub(crate) fn shutdown(fd: BorrowedFd<'_>, how: u32) -> SysResult<()> {
    // SAFETY: integer arguments only.
    ret(unsafe { syscall2(g::__NR_shutdown as usize, fd_arg(fd), uint_arg(how)) }).map(drop)
}

/// `pipe2(fds, flags)`: (read end, write end).
pub(crate) fn pipe2(flags: u32) -> SysResult<(OwnedFd, OwnedFd)> {
    let mut fds = [-1i32; 2];
    // SAFETY: `fds` is a writable array of two ints.
    ret(unsafe { syscall2(g::__NR_pipe2 as usize, mut_ptr_arg(fds.as_mut_ptr()), uint_arg(flags)) })?;
    Ok((owned_from_kernel(fds[0]), owned_from_kernel(fds[1])))
}

/// `fcntl(fd, cmd, arg)` for commands that take and return integers
/// (`F_GETFD`, `F_SETFD`, `F_GETFL`).
pub(crate) fn fcntl_int(fd: i32, cmd: u32, arg: usize) -> SysResult<usize> {
    // SAFETY: callers only pass commands whose argument is an integer, so
    // the kernel dereferences nothing; a number that is not open is EBADF.
    ret(unsafe { syscall3(g::__NR_fcntl as usize, int_arg(fd), uint_arg(cmd), arg) })
}

/// `setsockopt(fd, level, name, &value, sizeof(int))`.
pub(crate) fn setsockopt_int(fd: BorrowedFd<'_>, level: u32, name: u32, value: i32) -> SysResult<()> {
    // SAFETY: `value` is a readable int and its size is passed.
    ret(unsafe {
        syscall5(
            g::__NR_setsockopt as usize,
            fd_arg(fd),
            uint_arg(level),
            uint_arg(name),
            ptr_arg(&value),
            size_of::<i32>(),
        )
    })
    .map(drop)
}

/// `getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len)`: the new pidfd
/// the kernel installed for the peer.
pub(crate) fn peer_pidfd(fd: BorrowedFd<'_>) -> SysResult<OwnedFd> {
    let raw = getsockopt::<i32>(fd, n::SOL_SOCKET, n::SO_PEERPIDFD)?;
    if raw < 0 {
        return Err(Errno::EBADF);
    }
    // The kernel installed a new descriptor for this call and wrote its number.
    Ok(owned_from_kernel(raw))
}

/// Plain-data types `getsockopt` may fill: every bit pattern is valid.
pub(crate) trait SockOptValue: Copy {}
impl SockOptValue for i32 {}
impl SockOptValue for n::ucred {}

/// `getsockopt(fd, level, name, &value, &len)`; fails with `EINVAL` unless
/// the kernel filled exactly `size_of::<T>()` bytes.
pub(crate) fn getsockopt<T: SockOptValue>(fd: BorrowedFd<'_>, level: u32, name: u32) -> SysResult<T> {
    let mut value = MaybeUninit::<T>::zeroed();
    let mut len = size_of::<T>() as u32;
    // SAFETY: `value` has room for `len` bytes and `len` is a writable
    // socklen_t, as getsockopt requires.
    ret(unsafe {
        syscall5(
            g::__NR_getsockopt as usize,
            fd_arg(fd),
            uint_arg(level),
            uint_arg(name),
            mut_ptr_arg(value.as_mut_ptr()),
            mut_ptr_arg(&mut len),
        )
    })?;
    if len as usize != size_of::<T>() {
        return Err(Errno::EINVAL);
    }
    // SAFETY: zero-initialised, then (fully) written by the kernel; `T` is
    // plain data for which every bit pattern is valid.
    Ok(unsafe { value.assume_init() })
}

/// `sendmsg(fd, &{iov, control}, flags)`.
pub(crate) fn sendmsg(
    fd: BorrowedFd<'_>,
    to: Option<UnixAddr>,
    iov: &[IoSlice<'_>],
    control: &[u8],
    flags: u32,
) -> SysResult<usize> {
    let name = to.map(UnixAddr::to_raw);
    let msg = n::msghdr {
        msg_name: name.as_ref().map_or(ptr::null_mut(), |(raw, _)| ptr::from_ref(raw).cast_mut().cast()),
        msg_namelen: name.as_ref().map_or(0, |&(_, len)| len as _),
        // IoSlice is a transparent iovec; the kernel only reads through it.
        msg_iov: iov.as_ptr().cast_mut().cast(),
        msg_iovlen: iov.len() as _,
        msg_control: if control.is_empty() { ptr::null_mut() } else { control.as_ptr().cast_mut().cast() },
        msg_controllen: control.len() as _,
        msg_flags: 0,
    };
    // SAFETY: `msg` points at the destination (null or a sockaddr_un of the
    // length given), the borrowed iovecs (each describing a borrowed byte
    // slice) and control bytes, all valid for reads during the call.
    ret(unsafe { syscall3(g::__NR_sendmsg as usize, fd_arg(fd), ptr_arg(&msg), uint_arg(flags)) })
}

/// What `recvmsg` returned besides the control data: data bytes,
/// `msg_flags`, and the sender's address when it was asked for.
pub(crate) struct RecvResult {
    pub(crate) bytes: usize,
    pub(crate) flags: u32,
    pub(crate) from: Option<UnixAddr>,
}

/// `recvmsg(fd, &{iov, control}, flags)` offering the kernel the first
/// `limit` bytes of `control`, then ownership of every descriptor the kernel
/// installed for it: the one place where received numbers become
/// [`OwnedFd`]s (see [`take_with`] for which are kept and which closed).
/// `control` keeps the raw bytes (none after an error).
#[inline]
pub(crate) fn recvmsg<'c, const FDS: usize, const N: usize>(
    fd: BorrowedFd<'_>,
    want_from: bool,
    iov: &mut [IoSliceMut<'_>],
    control: &'c mut RecvControl<N>,
    limit: usize,
    flags: u32,
) -> SysResult<(RecvResult, Taken<'c, FDS, OwnedFd>)> {
    let area = control.area(limit);
    let offered = area.len();
    // Written by the kernel only when asked for (a literal, so that it costs
    // nothing when it is not).
    let mut name = n::sockaddr_un { sun_family: 0, sun_path: [0; 108] };
    let mut msg = n::msghdr {
        msg_name: if want_from { ptr::from_mut(&mut name).cast() } else { ptr::null_mut() },
        msg_namelen: if want_from { size_of::<n::sockaddr_un>() as _ } else { 0 },
        msg_iov: iov.as_mut_ptr().cast(),
        msg_iovlen: iov.len() as _,
        msg_control: if area.is_empty() { ptr::null_mut() } else { area.as_mut_ptr().cast() },
        msg_controllen: area.len() as _,
        msg_flags: 0,
    };
    // SAFETY: `msg` points at the sender's address buffer (null, or a
    // writable sockaddr_un of the length given), the borrowed iovecs (each
    // describing a mutably borrowed byte slice) and the mutably borrowed,
    // initialised control bytes; the kernel writes at most the lengths given.
    let bytes = ret(unsafe {
        syscall3(g::__NR_recvmsg as usize, fd_arg(fd), mut_ptr_arg(&mut msg), uint_arg(flags))
    })
    .inspect_err(|_| control.set_len(0))?;
    // The kernel reports at most what it was offered; a larger value is
    // clamped, so that nothing beyond this receive's area is ever read.
    control.set_len((msg.msg_controllen as usize).min(offered));
    // SAFETY: the recvmsg that wrote these bytes just returned, and this is
    // their only walk: every non-negative number in an SCM_RIGHTS or
    // SCM_PIDFD payload is a descriptor the kernel installed for this call
    // and nothing owns yet. `take_with` calls this exactly once for each such
    // number and for nothing else (its contract, checked on hostile bytes
    // under Miri in cmsg's tests).
    let taken = take_with::<FDS, _>(control.as_bytes(), |fd| unsafe { OwnedFd::from_raw_fd(fd) });
    let from = want_from.then(|| UnixAddr::from_kernel(&name, msg.msg_namelen as u32));
    Ok((RecvResult { bytes, flags: msg.msg_flags as u32, from }, taken))
}

/// `read(fd, buf, len)`.
pub(crate) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> SysResult<usize> {
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    ret(unsafe { syscall3(g::__NR_read as usize, fd_arg(fd), mut_ptr_arg(buf.as_mut_ptr()), buf.len()) })
}

/// `write(fd, buf, len)`.
pub(crate) fn write(fd: BorrowedFd<'_>, buf: &[u8]) -> SysResult<usize> {
    // SAFETY: `buf` is readable for `buf.len()` bytes.
    ret(unsafe { syscall3(g::__NR_write as usize, fd_arg(fd), ptr_arg(buf.as_ptr()), buf.len()) })
}

/// `fork()` where the architecture has it, else `clone(SIGCHLD, 0, ...)`.
/// Returns 0 in the child, the child's pid in the parent.
///
/// # Safety
/// As [`crate::fork`]: in the child, only async-signal-safe work until it
/// exits or execs, and no return into code that assumes it is the parent.
pub(crate) unsafe fn fork() -> SysResult<usize> {
    match crate::arch::FORK_NR {
        // SAFETY: fork takes no arguments; the child continues on a copy of
        // this stack, so returning in both processes is sound.
        Some(nr) => ret(unsafe { syscall0(nr as usize) }),
        // SAFETY: forwarded from the caller.
        None => unsafe { clone(0, g::SIGCHLD, false) }.map(|(pid, _)| pid),
    }
}

/// `clone(flags | exit_signal, 0, NULL, NULL, 0)` in the architecture's
/// argument order: a fork (the child runs on a copy of this stack) with
/// extra flags and the signal the parent gets when the child ends
/// (`SIGCHLD`, or 0 for none); with `want_pidfd`, also `CLONE_PIDFD` (Linux
/// 5.2+). Returns 0 in the child, and in the parent the child's pid and its
/// pidfd when one was asked for and the kernel made it (older kernels
/// ignore the flag).
///
/// # Safety
/// As [`fork`]; and `flags` must be fork-like (no `CLONE_VM`, `CLONE_THREAD`
/// or `CLONE_*TID`/`CLONE_SETTLS`: the child runs on a copy of this stack).
pub(crate) unsafe fn clone(
    flags: u32,
    exit_signal: u32,
    want_pidfd: bool,
) -> SysResult<(usize, Option<OwnedFd>)> {
    let mut pidfd: i32 = -1;
    let pidfd_flag = if want_pidfd { g::CLONE_PIDFD } else { 0 };
    let [a1, a2] = crate::arch::clone_args(uint_arg(flags | pidfd_flag | exit_signal));
    // SAFETY: a zero stack makes the child run on a copy of this stack, like
    // fork (the caller passes fork-like flags only, and keeps the child's
    // contract); the third argument (parent_tid on every architecture) is a
    // writable int, which the kernel writes in the parent only with
    // CLONE_PIDFD; the tid and tls arguments are null and unused without the
    // CLONE_*TID/SETTLS flags.
    let pid = ret(unsafe { syscall5(g::__NR_clone as usize, a1, a2, mut_ptr_arg(&mut pidfd), 0, 0) })?;
    // In the parent with CLONE_PIDFD, the kernel installed a new descriptor
    // and wrote its number; -1 (our initial value) otherwise.
    let pidfd = (pid != 0 && want_pidfd && pidfd >= 0).then(|| owned_from_kernel(pidfd));
    Ok((pid, pidfd))
}

/// `pidfd_open(pid, 0)` (Linux 5.3+): a close-on-exec pidfd for `pid`.
pub(crate) fn pidfd_open(pid: i32) -> SysResult<OwnedFd> {
    // SAFETY: integer arguments only.
    ret(unsafe { syscall2(g::__NR_pidfd_open as usize, int_arg(pid), 0) }).map(new_fd)
}

/// `pidfd_send_signal(pidfd, sig, NULL, 0)` (Linux 5.1+).
pub(crate) fn pidfd_send_signal(pidfd: BorrowedFd<'_>, sig: u32) -> SysResult<()> {
    // SAFETY: integer arguments; the siginfo pointer is null.
    ret(unsafe { syscall4(g::__NR_pidfd_send_signal as usize, fd_arg(pidfd), uint_arg(sig), 0, 0) }).map(drop)
}

/// The number of words in a `kernel_sigset_t` (1 on 64-bit, 2 on 32-bit).
pub(crate) const SIGSET_WORDS: usize =
    size_of::<g::kernel_sigset_t>() / size_of::<linux_raw_sys::ctypes::c_ulong>();

/// `rt_sigprocmask(SIG_SETMASK, &all, NULL, sizeof)`: blocks every signal
/// that can be blocked (SIGKILL and SIGSTOP cannot).
pub(crate) fn block_all_signals() -> SysResult<()> {
    let all = g::kernel_sigset_t { sig: [!0; SIGSET_WORDS] };
    // SAFETY: `all` is a readable kernel sigset of the size passed; the old
    // set pointer is null.
    ret(unsafe {
        syscall4(
            g::__NR_rt_sigprocmask as usize,
            uint_arg(g::SIG_SETMASK),
            ptr_arg(&all),
            0,
            size_of::<g::kernel_sigset_t>(),
        )
    })
    .map(drop)
}

/// `close_range(first, last, 0)` (Linux 5.9+).
///
/// # Safety
/// As [`close`], for every descriptor in the range.
pub(crate) unsafe fn close_range(first: u32, last: u32) -> SysResult<()> {
    // SAFETY: integer arguments only; the caller's guarantee covers the
    // descriptors in the range.
    ret(unsafe { syscall3(g::__NR_close_range as usize, uint_arg(first), uint_arg(last), 0) }).map(drop)
}

/// `getdents64(fd, buf, len)`: directory entries (`struct linux_dirent64`)
/// into `buf`; 0 at the end.
pub(crate) fn getdents64(fd: BorrowedFd<'_>, buf: &mut [u8]) -> SysResult<usize> {
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    ret(unsafe {
        syscall3(g::__NR_getdents64 as usize, fd_arg(fd), mut_ptr_arg(buf.as_mut_ptr()), buf.len())
    })
}

/// What `waitid` reports about a child.
pub(crate) struct ChildState {
    /// 0 when `WNOHANG` found no child ready.
    pub(crate) pid: i32,
    /// `CLD_EXITED`, `CLD_KILLED`, `CLD_DUMPED`, ...
    pub(crate) code: i32,
    /// The exit status or the signal number.
    pub(crate) status: i32,
}

/// `waitid(P_PID, pid, &info, options, NULL)`.
pub(crate) fn waitid(pid: i32, options: u32) -> SysResult<ChildState> {
    waitid_idtype(g::P_PID, pid, options)
}

/// `waitid(P_PIDFD, pidfd, &info, options, NULL)` (Linux 5.4+).
pub(crate) fn waitid_pidfd(pidfd: BorrowedFd<'_>, options: u32) -> SysResult<ChildState> {
    waitid_idtype(g::P_PIDFD, pidfd.as_raw_fd(), options)
}

/// `waitid(idtype, id, &info, options, NULL)`.
fn waitid_idtype(idtype: u32, id: i32, options: u32) -> SysResult<ChildState> {
    let mut info = MaybeUninit::<g::siginfo>::uninit();
    let p = info.as_mut_ptr();
    // SAFETY: places inside `info`, which is writable; union fields of plain
    // integers, only addressed here.
    let (pid, code, status) = unsafe {
        let sig = &raw mut (*p).__bindgen_anon_1.__bindgen_anon_1;
        let chld = &raw mut (*sig)._sifields._sigchld;
        (&raw mut (*chld)._pid, &raw mut (*sig).si_code, &raw mut (*chld)._status)
    };
    // Only the three fields read below are set first, not all 128 bytes: on
    // success Linux writes them (a pid of 0 when WNOHANG finds nothing);
    // qemu-user writes nothing then, so they must hold that 0 already.
    // SAFETY: the three pointers are in bounds, aligned and writable.
    unsafe { (pid.write(0), code.write(0), status.write(0)) };
    // SAFETY: `info` is a writable siginfo; the rusage pointer is null.
    ret(unsafe {
        syscall5(g::__NR_waitid as usize, uint_arg(idtype), int_arg(id), mut_ptr_arg(p), uint_arg(options), 0)
    })?;
    // SAFETY: initialised above and possibly rewritten by the kernel; any bit
    // pattern of these integers is valid, and the SIGCHLD fields are those
    // the kernel fills for every child it reports.
    Ok(unsafe { ChildState { pid: pid.read(), code: code.read(), status: status.read() } })
}

/// `exit_group(code)`.
pub(crate) fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group takes an integer and never returns.
    unsafe { syscall1(g::__NR_exit_group as usize, int_arg(code)) };
    // The kernel does not return from exit_group.
    #[allow(clippy::empty_loop)]
    loop {}
}

/// `getppid()`; cannot fail (0: the parent is outside our pid namespace).
pub(crate) fn getppid() -> i32 {
    // SAFETY: no arguments.
    (unsafe { syscall0(g::__NR_getppid as usize) }) as i32
}

/// `getpid()`; cannot fail.
pub(crate) fn getpid() -> i32 {
    // SAFETY: no arguments.
    (unsafe { syscall0(g::__NR_getpid as usize) }) as i32
}

#[cfg(not(any(target_arch = "x86", target_arch = "arm")))]
use g::{__NR_getgid as NR_GETGID, __NR_getuid as NR_GETUID};
#[cfg(any(target_arch = "x86", target_arch = "arm"))]
use g::{__NR_getgid32 as NR_GETGID, __NR_getuid32 as NR_GETUID};

/// `getuid()` (`getuid32` where the plain one is 16-bit); cannot fail.
pub(crate) fn getuid() -> u32 {
    // SAFETY: no arguments.
    (unsafe { syscall0(NR_GETUID as usize) }) as u32
}

/// `getgid()` (`getgid32` where the plain one is 16-bit); cannot fail.
pub(crate) fn getgid() -> u32 {
    // SAFETY: no arguments.
    (unsafe { syscall0(NR_GETGID as usize) }) as u32
}

/// `kill(pid, sig)`.
pub(crate) fn kill(pid: i32, sig: u32) -> SysResult<()> {
    // SAFETY: integer arguments only.
    ret(unsafe { syscall2(g::__NR_kill as usize, int_arg(pid), uint_arg(sig)) }).map(drop)
}

/// Whether the kernel lacks the time64 system calls (`ENOSYS` seen once):
/// then the 32-bit ones are used directly. Only 32-bit targets have both.
#[cfg(target_pointer_width = "32")]
static NO_TIME64: core::sync::atomic::AtomicBool = core::sync::atomic::AtomicBool::new(false);

/// `time64()`, or `old()` on a kernel without the time64 calls (before 5.1,
/// or built without them: `ENOSYS`). 64-bit targets have only one kind.
#[cfg(target_pointer_width = "32")]
fn time64_or_old<T>(
    time64: impl FnOnce() -> SysResult<T>,
    old: impl FnOnce() -> SysResult<T>,
) -> SysResult<T> {
    use core::sync::atomic::Ordering::Relaxed;
    if !NO_TIME64.load(Relaxed) {
        match time64() {
            Err(Errno::ENOSYS) => NO_TIME64.store(true, Relaxed),
            other => return other,
        }
    }
    old()
}

/// Nanoseconds as the kernel's 64-bit `__kernel_timespec`.
fn timespec64(ns: u64) -> g::__kernel_timespec {
    g::__kernel_timespec { tv_sec: (ns / 1_000_000_000) as _, tv_nsec: (ns % 1_000_000_000) as _ }
}

#[cfg(target_pointer_width = "32")]
/// Nanoseconds as the architecture's `long`-based `timespec`, whose seconds
/// are clamped to what a `long` holds (a 32-bit one would wrap negative
/// from 2^31 s on, which the kernel refuses): a shorter wait, never an
/// error.
fn timespec_long(ns: u64) -> g::timespec {
    let max = linux_raw_sys::ctypes::c_long::MAX as u64;
    let secs = (ns / 1_000_000_000).min(max);
    g::timespec { tv_sec: secs as _, tv_nsec: (ns % 1_000_000_000) as _ }
}

/// `clock_gettime(CLOCK_MONOTONIC)` as nanoseconds: through the vDSO where
/// there is one (no system call), else the system call (`clock_gettime64`
/// on 32-bit targets, Linux 5.1+, falling back to `clock_gettime`).
pub(crate) fn monotonic_ns() -> SysResult<u64> {
    let nanos = |ts: g::__kernel_timespec| {
        (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64)
    };
    #[cfg(feature = "vdso")]
    if let Some(clock_gettime) = vdso_clock::get() {
        let mut ts = timespec64(0);
        // SAFETY: the vDSO's clock_gettime of this architecture (found by name
        // and version in the image the kernel mapped, which stays mapped):
        // `extern "C" int (clockid_t, struct __kernel_timespec *)`; `ts` is
        // writable. A non-zero result (the clock it cannot serve) leaves the
        // answer to the system call.
        if unsafe { clock_gettime(g::CLOCK_MONOTONIC as _, &mut ts) } == 0 {
            return Ok(nanos(ts));
        }
    }
    let time64 = || {
        let mut ts = timespec64(0);
        // SAFETY: `ts` is a writable __kernel_timespec, the layout of
        // clock_gettime64 (which is clock_gettime itself on 64-bit targets).
        ret(unsafe {
            syscall2(CLOCK_GETTIME64 as usize, uint_arg(g::CLOCK_MONOTONIC), mut_ptr_arg(&mut ts))
        })?;
        Ok(nanos(ts))
    };
    #[cfg(target_pointer_width = "32")]
    {
        let old = || {
            let mut ts = timespec_long(0);
            // SAFETY: `ts` is a writable timespec of the layout the
            // 32-bit clock_gettime uses.
            ret(unsafe {
                syscall2(g::__NR_clock_gettime as usize, uint_arg(g::CLOCK_MONOTONIC), mut_ptr_arg(&mut ts))
            })?;
            Ok((ts.tv_sec as u32 as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64))
        };
        time64_or_old(time64, old)
    }
    #[cfg(target_pointer_width = "64")]
    time64()
}

/// `AT_SYSINFO_EHDR` handed over by a runtime; 0 if none was.
static SYSINFO_EHDR: AtomicUsize = AtomicUsize::new(0);

/// Hands rawscm the address of the vDSO (`AT_SYSINFO_EHDR` from the
/// auxiliary vector), for programs that have the auxiliary vector at hand
/// (a `#![no_main]` runtime reads it above the environment on the initial
/// stack). Without it, rawscm reads `/proc/self/auxv` (else, without
/// `/proc`, asks `prctl(PR_GET_AUXV)`, Linux 6.4+) on the first clock read. Nothing is parsed
/// here; 0 means "no vDSO". Without the `vdso` feature it only records the
/// address.
///
/// # Safety
/// `addr` must be this process's `AT_SYSINFO_EHDR` (the start of the vDSO
/// image the kernel mapped, which stays mapped), or 0.
///
/// # Examples
/// ```
/// // What a runtime does with the value it found; here, libc's copy.
/// let ehdr = unsafe { libc::getauxval(libc::AT_SYSINFO_EHDR) } as usize;
/// // SAFETY: the kernel's AT_SYSINFO_EHDR for this process.
/// unsafe { rawscm::vdso::set_sysinfo_ehdr(ehdr) };
/// assert!(!rawscm::vdso::uses_vdso() || ehdr != 0); // a vDSO clock needs a vDSO
/// ```
///
/// # References
/// - [getauxval(3)](https://man7.org/linux/man-pages/man3/getauxval.3.html)
/// - [vdso(7)](https://man7.org/linux/man-pages/man7/vdso.7.html)
pub unsafe fn set_sysinfo_ehdr(addr: usize) {
    SYSINFO_EHDR.store(addr, Relaxed);
    #[cfg(feature = "vdso")]
    vdso_clock::forget(addr == 0);
}

/// Whether the vDSO's `clock_gettime` is used.
pub(crate) fn have_vdso_clock() -> bool {
    #[cfg(feature = "vdso")]
    return vdso_clock::get().is_some();
    #[cfg(not(feature = "vdso"))]
    false
}

/// Makes every later clock read a system call.
pub(crate) fn forget_vdso_clock() {
    #[cfg(feature = "vdso")]
    vdso_clock::forget(true);
}

/// The vDSO's `clock_gettime` (feature `vdso`): found on first use, kept in
/// an atomic.
#[cfg(feature = "vdso")]
mod vdso_clock {
    use super::{SYSINFO_EHDR, mut_ptr_arg, open, read, ret, syscall5, uint_arg};
    use crate::fd::AsFd;
    use core::ffi::c_int;
    use core::mem::size_of;
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    use linux_raw_sys::general as g;
    use linux_raw_sys::prctl::PR_GET_AUXV;

    /// The vDSO's `clock_gettime` (see [`crate::elf::CLOCK_GETTIME`]):
    /// `int (clockid_t, struct __kernel_timespec *)`.
    pub(crate) type ClockGettime = unsafe extern "C" fn(c_int, *mut g::__kernel_timespec) -> c_int;

    /// The address of the vDSO's `clock_gettime`, or one of these two.
    static ADDR: AtomicUsize = AtomicUsize::new(NOT_LOOKED_UP);
    const NOT_LOOKED_UP: usize = 0;
    const NONE: usize = 1;

    /// Forgets the answer: with `for_good`, no vDSO clock from now on;
    /// else look it up again.
    pub(crate) fn forget(for_good: bool) {
        ADDR.store(if for_good { NONE } else { NOT_LOOKED_UP }, Relaxed);
    }

    /// The vDSO's `clock_gettime`, looked up on the first call (threads
    /// racing there look it up twice and agree); `None` without one.
    pub(crate) fn get() -> Option<ClockGettime> {
        let mut addr = ADDR.load(Relaxed);
        if addr == NOT_LOOKED_UP {
            addr = find().unwrap_or(NONE);
            ADDR.store(addr, Relaxed);
        }
        // SAFETY: any other value is the address of the vDSO function that
        // `find` found, whose type is `ClockGettime`.
        (addr != NONE).then(|| unsafe { core::mem::transmute::<usize, ClockGettime>(addr) })
    }

    /// The address of the vDSO's `clock_gettime`, if the kernel mapped a
    /// vDSO and it has the symbol.
    fn find() -> Option<usize> {
        let base = match SYSINFO_EHDR.load(Relaxed) {
            0 => sysinfo_ehdr_from_kernel()?,
            addr => addr,
        };
        // The vDSO is at least one page, and pages are at least 4 KiB.
        // SAFETY: `base` is AT_SYSINFO_EHDR: the kernel mapped the vDSO image
        // there, readable, for the life of the process.
        let head = unsafe { core::slice::from_raw_parts(base as *const u8, 4096) };
        let len = crate::elf::image_len(head)?;
        if len > 1 << 20 {
            return None; // not a vDSO: they are a few pages
        }
        // SAFETY: as above; the kernel maps the whole image, which holds the
        // file contents of its loadable segment (`len`).
        let image = unsafe { core::slice::from_raw_parts(base as *const u8, len) };
        let (name, version) = crate::elf::CLOCK_GETTIME?;
        Some(base + crate::elf::find(image, name, version)?)
    }

    /// `AT_SYSINFO_EHDR` of this process: from `/proc/self/auxv`, else (no
    /// `/proc`) from `prctl(PR_GET_AUXV)` (Linux 6.4+). In this order because
    /// emulators and instrumenters show their program its own auxiliary
    /// vector in `/proc/self/auxv` (qemu-user and valgrind both do), while
    /// the prctl, which they may pass through, tells the host's: valgrind
    /// 3.19 hides the vDSO from its program but passes PR_GET_AUXV through
    /// (reading the vDSO there faults), qemu-user 7.2 refuses it.
    fn sysinfo_ehdr_from_kernel() -> Option<usize> {
        // Room for 64 entries; the kernel keeps fewer (AT_VECTOR_SIZE).
        let mut buf = [0u8; 128 * size_of::<usize>()];
        let n = match open(c"/proc/self/auxv", g::O_RDONLY) {
            Ok(file) => read(file.as_fd(), &mut buf).ok()?,
            Err(_) => {
                let (p, len) = (mut_ptr_arg(buf.as_mut_ptr()), buf.len());
                // SAFETY: PR_GET_AUXV writes at most `len` bytes to `buf`,
                // and returns the size of the whole vector.
                ret(unsafe { syscall5(g::__NR_prctl as usize, uint_arg(PR_GET_AUXV), p, len, 0, 0) }).ok()?
            }
        };
        crate::elf::sysinfo_ehdr(buf.get(..n).unwrap_or(&buf))
    }
}

#[cfg(target_pointer_width = "64")]
use g::{__NR_clock_gettime as CLOCK_GETTIME64, __NR_ppoll as PPOLL_TIME64};
#[cfg(target_pointer_width = "32")]
use g::{__NR_clock_gettime64 as CLOCK_GETTIME64, __NR_ppoll_time64 as PPOLL_TIME64};

const _: () = {
    // On 64-bit targets the plain calls take the 64-bit timespec.
    #[cfg(target_pointer_width = "64")]
    assert!(size_of::<g::timespec>() == size_of::<g::__kernel_timespec>());
};

/// `ppoll(fds, n, timeout, NULL)` (`ppoll_time64` on 32-bit targets, Linux
/// 5.1+, falling back to `ppoll` with the seconds clamped): the number of
/// entries with events, 0 when the timeout expired.
pub(crate) fn ppoll(fds: &mut [g::pollfd], timeout_ns: u64) -> SysResult<usize> {
    let (p, n) = (fds.as_mut_ptr(), fds.len());
    let time64 = || {
        let ts = timespec64(timeout_ns);
        // SAFETY: `n` writable pollfds, a readable __kernel_timespec (the
        // layout of ppoll_time64, which is ppoll on 64-bit targets), no
        // signal mask.
        ret(unsafe { syscall5(PPOLL_TIME64 as usize, mut_ptr_arg(p), n, ptr_arg(&ts), 0, 0) })
    };
    #[cfg(target_pointer_width = "32")]
    {
        let old = || {
            let ts = timespec_long(timeout_ns);
            // SAFETY: as above, with the 32-bit timespec of ppoll.
            ret(unsafe { syscall5(g::__NR_ppoll as usize, mut_ptr_arg(p), n, ptr_arg(&ts), 0, 0) })
        };
        time64_or_old(time64, old)
    }
    #[cfg(target_pointer_width = "64")]
    time64()
}

/// `openat(AT_FDCWD, path, flags | O_CLOEXEC)`.
pub(crate) fn open(path: &CStr, flags: u32) -> SysResult<OwnedFd> {
    // SAFETY: `path` is NUL-terminated; no mode is needed without O_CREAT.
    ret(unsafe {
        syscall4(
            g::__NR_openat as usize,
            int_arg(g::AT_FDCWD),
            ptr_arg(path.as_ptr()),
            uint_arg(flags | g::O_CLOEXEC),
            0,
        )
    })
    .map(new_fd)
}

/// `setns(fd, nstype)`.
pub(crate) fn setns(fd: BorrowedFd<'_>, nstype: u32) -> SysResult<()> {
    // SAFETY: integer arguments only.
    ret(unsafe { syscall2(g::__NR_setns as usize, fd_arg(fd), uint_arg(nstype)) }).map(drop)
}

/// `ioctl(fd, request, arg)` for requests whose argument is an integer.
pub(crate) fn ioctl_int(fd: BorrowedFd<'_>, request: u32, arg: usize) -> SysResult<usize> {
    // SAFETY: callers only pass requests that take an integer argument, so
    // the kernel dereferences nothing.
    ret(unsafe { syscall3(g::__NR_ioctl as usize, fd_arg(fd), uint_arg(request), arg) })
}

/// `prctl(PR_SET_PDEATHSIG, sig)`: deliver `sig` to us when our parent dies.
pub(crate) fn set_parent_death_signal(sig: u32) -> SysResult<()> {
    // SAFETY: integer arguments only.
    ret(unsafe {
        syscall2(g::__NR_prctl as usize, uint_arg(linux_raw_sys::prctl::PR_SET_PDEATHSIG), uint_arg(sig))
    })
    .map(drop)
}

// ---- init (PID 1): mount, reboot, reaping any child (src/init.rs) ----

/// `waitid(P_ALL, 0, &info, options, NULL)`: any child.
pub(crate) fn waitid_any(options: u32) -> SysResult<ChildState> {
    waitid_idtype(g::P_ALL, 0, options)
}

/// `mount(source, target, fstype, flags, data)`.
pub(crate) fn mount(
    source: &CStr,
    target: &CStr,
    fstype: &CStr,
    flags: u32,
    data: Option<&CStr>,
) -> SysResult<()> {
    let data = data.map_or(0, |d| ptr_arg(d.as_ptr()));
    // SAFETY: the three paths are NUL-terminated; `data` is null or a
    // NUL-terminated option string, which is what every filesystem that
    // takes text options expects.
    ret(unsafe {
        syscall5(
            g::__NR_mount as usize,
            ptr_arg(source.as_ptr()),
            ptr_arg(target.as_ptr()),
            ptr_arg(fstype.as_ptr()),
            uint_arg(flags),
            data,
        )
    })
    .map(drop)
}

/// `reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, cmd, NULL)`; returns
/// only on failure (or for commands that do not stop the machine).
pub(crate) fn reboot(cmd: u32) -> SysResult<()> {
    // SAFETY: integer arguments; the argument pointer is only read for
    // LINUX_REBOOT_CMD_RESTART2, which callers do not pass.
    ret(unsafe {
        syscall4(
            g::__NR_reboot as usize,
            uint_arg(g::LINUX_REBOOT_MAGIC1),
            uint_arg(g::LINUX_REBOOT_MAGIC2),
            uint_arg(cmd),
            0,
        )
    })
    .map(drop)
}

// ---- exec and file helpers (src/exec.rs, src/fs.rs) ----

/// `execve(path, argv, envp)`: returns only on failure.
///
/// # Safety
/// `argv` and `envp` point at NULL-terminated arrays of pointers to
/// NUL-terminated strings, valid for the call.
pub(crate) unsafe fn execve(
    path: &CStr,
    argv: *const *const core::ffi::c_char,
    envp: *const *const core::ffi::c_char,
) -> SysResult<()> {
    // SAFETY: `path` is NUL-terminated; `argv` and `envp` point at
    // NULL-terminated arrays of NUL-terminated strings (the caller's
    // guarantee), all borrowed for the call. On success the process image is replaced and
    // nothing of this one is used again.
    ret(unsafe { syscall3(g::__NR_execve as usize, ptr_arg(path.as_ptr()), ptr_arg(argv), ptr_arg(envp)) })
        .map(drop)
}

/// `execveat(dirfd, path, argv, envp, flags)`: returns only on failure.
///
/// # Safety
/// As [`execve`].
pub(crate) unsafe fn execveat(
    dirfd: BorrowedFd<'_>,
    path: &CStr,
    argv: *const *const core::ffi::c_char,
    envp: *const *const core::ffi::c_char,
    flags: u32,
) -> SysResult<()> {
    // SAFETY: as for `execve`; `dirfd` is a borrowed descriptor and `flags`
    // an integer.
    ret(unsafe {
        syscall5(
            g::__NR_execveat as usize,
            fd_arg(dirfd),
            ptr_arg(path.as_ptr()),
            ptr_arg(argv),
            ptr_arg(envp),
            uint_arg(flags),
        )
    })
    .map(drop)
}

/// `dup3(fd, to, flags)`: `to` now refers to what `fd` does.
///
/// # Safety
/// Nothing owns descriptor `to` (it is closed and replaced).
pub(crate) unsafe fn dup3(fd: BorrowedFd<'_>, to: i32, flags: u32) -> SysResult<()> {
    // SAFETY: integer arguments only; the caller guarantees that nothing
    // owns descriptor `to`.
    ret(unsafe { syscall3(g::__NR_dup3 as usize, fd_arg(fd), int_arg(to), uint_arg(flags)) }).map(drop)
}

// ---- pidfds, signals and spawning (src/pidfd.rs, src/signal.rs, src/spawn.rs) ----

/// `clone3(&{CLONE_PIDFD, &pidfd, exit_signal}, CLONE_ARGS_SIZE_VER0)`
/// (Linux 5.3+): a fork (no new stack: the child runs on a copy of this
/// one) that also installs a pidfd for the child in the parent. Returns 0
/// in the child; in the parent the child's pid and its pidfd.
///
/// # Safety
/// As [`fork`].
pub(crate) unsafe fn clone3_pidfd(exit_signal: u32) -> SysResult<(usize, Option<OwnedFd>)> {
    let mut pidfd: i32 = -1;
    // SAFETY: `clone_args` is plain integers; all-zero is valid (no flags,
    // no stack, no tid pointers, no set_tid, no cgroup).
    let mut args: g::clone_args = unsafe { MaybeUninit::zeroed().assume_init() };
    args.flags = u64::from(g::CLONE_PIDFD);
    args.pidfd = mut_ptr_arg(&mut pidfd) as u64;
    args.exit_signal = u64::from(exit_signal);
    // SAFETY: `args` is a readable clone_args of at least VER0's 64 bytes
    // (the kernel reads only the size passed); its only pointer is
    // `pidfd`, a writable int, which the kernel writes in the parent. With
    // a zero stack the child continues on a copy of this stack, like fork,
    // so returning in both processes is sound (the caller keeps the
    // child's contract).
    let pid =
        ret(unsafe { syscall2(g::__NR_clone3 as usize, ptr_arg(&args), g::CLONE_ARGS_SIZE_VER0 as usize) })?;
    // The kernel installed a new descriptor in the parent and wrote its
    // number; -1 (our initial value) in the child.
    let pidfd = (pid != 0 && pidfd >= 0).then(|| owned_from_kernel(pidfd));
    Ok((pid, pidfd))
}

/// `pidfd_getfd(pidfd, targetfd, 0)` (Linux 5.6+): a close-on-exec
/// duplicate, in this process, of descriptor `targetfd` of the process
/// `pidfd` refers to.
pub(crate) fn pidfd_getfd(pidfd: BorrowedFd<'_>, targetfd: i32) -> SysResult<OwnedFd> {
    // SAFETY: integer arguments only.
    ret(unsafe { syscall3(g::__NR_pidfd_getfd as usize, fd_arg(pidfd), int_arg(targetfd), 0) }).map(new_fd)
}

/// `rt_sigprocmask(how, set, &old, sizeof(kernel_sigset_t))`: changes the
/// calling thread's signal mask (`set` None: only reads it) and returns the
/// previous one.
pub(crate) fn sigprocmask(how: u32, set: Option<&g::kernel_sigset_t>) -> SysResult<g::kernel_sigset_t> {
    let mut old = g::kernel_sigset_t { sig: [0; SIGSET_WORDS] };
    // SAFETY: `set` is null or a readable kernel sigset, `old` a writable
    // one, of the size passed.
    ret(unsafe {
        syscall4(
            g::__NR_rt_sigprocmask as usize,
            uint_arg(how),
            set.map_or(0, |s| ptr_arg(s)),
            mut_ptr_arg(&mut old),
            size_of::<g::kernel_sigset_t>(),
        )
    })?;
    Ok(old)
}

/// `rt_sigaction(sig, &{SIG_DFL}, NULL, sizeof(kernel_sigset_t))`: the
/// default disposition for `sig` (`SIG_DFL` is 0 on every architecture:
/// `include/uapi/asm-generic/signal-defs.h`).
///
/// # Safety
/// Only in a child about to exec: elsewhere the handler another part of
/// the program installed (a stack-overflow guard, a runtime's) would be
/// taken from under it.
pub(crate) unsafe fn set_default_action(sig: u32) -> SysResult<()> {
    // SAFETY: the struct holds integers and optional function pointers;
    // all-zero is SIG_DFL, no flags, no restorer, an empty mask.
    let act: g::kernel_sigaction = unsafe { MaybeUninit::zeroed().assume_init() };
    // SAFETY: `act` is a readable kernel_sigaction with no handler, so the
    // kernel never jumps into this process for it; the old-action pointer
    // is null.
    ret(unsafe {
        syscall4(
            g::__NR_rt_sigaction as usize,
            uint_arg(sig),
            ptr_arg(&act),
            0,
            size_of::<g::kernel_sigset_t>(),
        )
    })
    .map(drop)
}

/// `signalfd4(fd, mask, sizeof(kernel_sigset_t), flags)`: with `fd` -1 a
/// new signalfd, else changes the mask of `fd`.
pub(crate) fn signalfd4(
    fd: Option<BorrowedFd<'_>>,
    mask: &g::kernel_sigset_t,
    flags: u32,
) -> SysResult<usize> {
    // SAFETY: `mask` is a readable kernel sigset of the size passed.
    ret(unsafe {
        syscall4(
            g::__NR_signalfd4 as usize,
            fd.map_or(int_arg(-1), fd_arg),
            ptr_arg(mask),
            size_of::<g::kernel_sigset_t>(),
            uint_arg(flags),
        )
    })
}

/// [`signalfd4`] with `fd` -1: the new signalfd.
pub(crate) fn signalfd_new(mask: &g::kernel_sigset_t, flags: u32) -> SysResult<OwnedFd> {
    signalfd4(None, mask, flags).map(new_fd)
}

/// `setsid()`: a new session and process group led by the caller.
pub(crate) fn setsid() -> SysResult<()> {
    // SAFETY: no arguments.
    ret(unsafe { syscall0(g::__NR_setsid as usize) }).map(drop)
}

/// `setpgid(pid, pgid)`.
pub(crate) fn setpgid(pid: i32, pgid: i32) -> SysResult<()> {
    // SAFETY: integer arguments only.
    ret(unsafe { syscall2(g::__NR_setpgid as usize, int_arg(pid), int_arg(pgid)) }).map(drop)
}

/// `dup3(from, to, flags)` on raw numbers, for a child arranging its
/// descriptors before exec.
///
/// # Safety
/// Nothing that will run again owns `to` (it is closed and replaced), and
/// `from` is not closed by anyone meanwhile.
pub(crate) unsafe fn dup3_raw(from: i32, to: i32, flags: u32) -> SysResult<()> {
    // SAFETY: integer arguments only; the caller guarantees that replacing
    // descriptor `to` is sound.
    ret(unsafe { syscall3(g::__NR_dup3 as usize, int_arg(from), int_arg(to), uint_arg(flags)) }).map(drop)
}

/// `write(fd, buf, len)` on a raw number, for a child reporting to its
/// parent before exec.
///
/// # Safety
/// `fd` is the descriptor the caller means (an open number it holds, not
/// one that something else may have closed and reused).
pub(crate) unsafe fn write_raw(fd: i32, buf: &[u8]) -> SysResult<usize> {
    // SAFETY: `buf` is readable for `buf.len()` bytes; the caller vouches
    // for `fd`.
    ret(unsafe { syscall3(g::__NR_write as usize, int_arg(fd), ptr_arg(buf.as_ptr()), buf.len()) })
}

/// The soft `RLIMIT_NOFILE` (`prlimit64(0, RLIMIT_NOFILE, NULL, &old)`):
/// one more than the highest descriptor number the process may use.
pub(crate) fn nofile_limit() -> SysResult<u64> {
    let mut old = g::rlimit64 { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: `old` is a writable rlimit64; the new-limit pointer is null.
    ret(unsafe {
        syscall4(g::__NR_prlimit64 as usize, 0, uint_arg(g::RLIMIT_NOFILE), 0, mut_ptr_arg(&mut old))
    })?;
    Ok(old.rlim_cur)
}

/// `tgkill(getpid(), gettid(), sig)`: `sig` to the calling thread.
pub(crate) fn tgkill_self(sig: u32) -> SysResult<()> {
    // SAFETY: no arguments.
    let tid = unsafe { syscall0(g::__NR_gettid as usize) };
    // SAFETY: integer arguments only.
    ret(unsafe { syscall3(g::__NR_tgkill as usize, int_arg(getpid()), tid, uint_arg(sig)) }).map(drop)
}
