//! The only module that calls the raw syscall functions of `arch`.
//!
//! Each function here takes typed arguments, converts them to syscall
//! registers in one place (the `*_arg` helpers, so no bare `as usize` appears
//! elsewhere) and decodes the kernel's return value into a `Result`.
//! Syscall numbers and constants come from `linux-raw-sys`.

use crate::arch::{syscall0, syscall1, syscall2, syscall3, syscall4, syscall5};
use crate::fd::{BorrowedFd, OwnedFd};
use crate::msg::{IoSlice, IoSliceMut};
use crate::Errno;
use core::ffi::CStr;
use core::mem::{size_of, MaybeUninit};
use core::ptr;
use linux_raw_sys::general as g;
use linux_raw_sys::net as n;

pub(crate) type SysResult<T> = core::result::Result<T, Errno>;

/// Calls `f` until it does not fail with `EINTR`: for calls that lose
/// nothing by being made again (waiting for a child).
pub(crate) fn restart<T>(mut f: impl FnMut() -> SysResult<T>) -> SysResult<T> {
    loop {
        match f() {
            Err(Errno::EINTR) => continue,
            other => return other,
        }
    }
}

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
pub(crate) fn owned_from_kernel(fd: i32) -> OwnedFd {
    // SAFETY: see above: a fresh, unowned, open descriptor.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// `close(2)`. Errors are ignored: Linux releases the descriptor regardless.
pub(crate) fn close(fd: i32) {
    // SAFETY: close takes a plain integer; the caller owns `fd`.
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
    iov: &[IoSlice<'_>],
    control: &[u8],
    flags: u32,
) -> SysResult<usize> {
    let msg = n::msghdr {
        msg_name: ptr::null_mut(),
        msg_namelen: 0,
        // IoSlice is a transparent iovec; the kernel only reads through it.
        msg_iov: iov.as_ptr().cast_mut().cast(),
        msg_iovlen: iov.len() as _,
        msg_control: if control.is_empty() { ptr::null_mut() } else { control.as_ptr().cast_mut().cast() },
        msg_controllen: control.len() as _,
        msg_flags: 0,
    };
    // SAFETY: `msg` points at the borrowed iovecs (each describing a borrowed
    // byte slice) and control bytes, all valid for reads during the call.
    ret(unsafe { syscall3(g::__NR_sendmsg as usize, fd_arg(fd), ptr_arg(&msg), uint_arg(flags)) })
}

/// What `recvmsg` returned: data bytes, control bytes, `msg_flags`.
pub(crate) struct RecvResult {
    pub(crate) bytes: usize,
    pub(crate) control_len: usize,
    pub(crate) flags: u32,
}

/// `recvmsg(fd, &{iov, control}, flags)`.
pub(crate) fn recvmsg(
    fd: BorrowedFd<'_>,
    iov: &mut [IoSliceMut<'_>],
    control: &mut [u8],
    flags: u32,
) -> SysResult<RecvResult> {
    let mut msg = n::msghdr {
        msg_name: ptr::null_mut(),
        msg_namelen: 0,
        msg_iov: iov.as_mut_ptr().cast(),
        msg_iovlen: iov.len() as _,
        msg_control: if control.is_empty() { ptr::null_mut() } else { control.as_mut_ptr().cast() },
        msg_controllen: control.len() as _,
        msg_flags: 0,
    };
    // SAFETY: `msg` points at the borrowed iovecs (each describing a mutably
    // borrowed byte slice) and the mutably borrowed, initialised control
    // bytes; the kernel writes at most the lengths given.
    let bytes = ret(unsafe {
        syscall3(g::__NR_recvmsg as usize, fd_arg(fd), mut_ptr_arg(&mut msg), uint_arg(flags))
    })?;
    Ok(RecvResult { bytes, control_len: msg.msg_controllen as usize, flags: msg.msg_flags as u32 })
}

/// `read(fd, buf, len)`.
pub(crate) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> SysResult<usize> {
    // SAFETY: `buf` is writable for `buf.len()` bytes.
    ret(unsafe { syscall3(g::__NR_read as usize, fd_arg(fd), mut_ptr_arg(buf.as_mut_ptr()), buf.len()) })
}

/// `write(fd, buf, len)`.
#[allow(dead_code)] // used by the `rt` feature
pub(crate) fn write(fd: BorrowedFd<'_>, buf: &[u8]) -> SysResult<usize> {
    // SAFETY: `buf` is readable for `buf.len()` bytes.
    ret(unsafe { syscall3(g::__NR_write as usize, fd_arg(fd), ptr_arg(buf.as_ptr()), buf.len()) })
}

/// `fork()` where the architecture has it, else `clone(SIGCHLD, 0, ...)`.
/// Returns 0 in the child, the child's pid in the parent.
pub(crate) fn fork() -> SysResult<usize> {
    match crate::arch::FORK_NR {
        // SAFETY: fork takes no arguments; the child continues on a copy of
        // this stack, so returning in both processes is sound.
        Some(nr) => ret(unsafe { syscall0(nr as usize) }),
        None => clone(0),
    }
}

/// `clone(flags | SIGCHLD, 0, 0, 0, 0)` in the architecture's argument
/// order: a fork with extra namespace flags.
pub(crate) fn clone(flags: u32) -> SysResult<usize> {
    let [a1, a2] = crate::arch::clone_args(uint_arg(flags | g::SIGCHLD));
    // SAFETY: a zero stack makes the child run on a copy of this stack, like
    // fork; the tid and tls pointers are null and unused without the
    // CLONE_*TID/SETTLS flags, which callers never pass.
    ret(unsafe { syscall5(g::__NR_clone as usize, a1, a2, 0, 0, 0) })
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

/// `waitid(P_ALL, 0, &info, options, NULL)`: any child.
#[cfg(feature = "rt")]
pub(crate) fn waitid_any(options: u32) -> SysResult<ChildState> {
    waitid_idtype(g::P_ALL, 0, options)
}

/// `waitid(idtype, id, &info, options, NULL)`.
fn waitid_idtype(idtype: u32, id: i32, options: u32) -> SysResult<ChildState> {
    // All-zero is a valid siginfo (integers and pointers only); si_pid stays
    // 0 when WNOHANG finds nothing, as waitid(2) documents.
    let mut info = MaybeUninit::<g::siginfo>::zeroed();
    // SAFETY: `info` is a writable siginfo; the rusage pointer is null.
    ret(unsafe {
        syscall5(
            g::__NR_waitid as usize,
            uint_arg(idtype),
            int_arg(id),
            mut_ptr_arg(info.as_mut_ptr()),
            uint_arg(options),
            0,
        )
    })?;
    // SAFETY: zero-initialised and possibly written by the kernel; every bit
    // pattern of these integer fields is valid, and SIGCHLD information is
    // the `_sigchld` member for every child the kernel reports.
    let info = unsafe { info.assume_init().__bindgen_anon_1.__bindgen_anon_1 };
    // SAFETY: see above; the union holds plain integers.
    let chld = unsafe { info._sifields._sigchld };
    Ok(ChildState { pid: chld._pid, code: info.si_code, status: chld._status })
}

/// `exit_group(code)`.
pub(crate) fn exit_group(code: i32) -> ! {
    // SAFETY: exit_group takes an integer and never returns.
    unsafe { syscall1(g::__NR_exit_group as usize, int_arg(code)) };
    // The kernel does not return from exit_group.
    #[allow(clippy::empty_loop)]
    loop {}
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

/// `clock_gettime(CLOCK_MONOTONIC)` as nanoseconds.
pub(crate) fn monotonic_ns() -> u64 {
    let mut ts = g::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a writable timespec of the layout this syscall number
    // uses (the architecture's `long`-based timespec).
    let r = ret(unsafe {
        syscall2(g::__NR_clock_gettime as usize, uint_arg(g::CLOCK_MONOTONIC), mut_ptr_arg(&mut ts))
    });
    // CLOCK_MONOTONIC cannot fail with a valid pointer; treat a failure as
    // time zero rather than panicking.
    if r.is_err() {
        return 0;
    }
    (ts.tv_sec as u64).wrapping_mul(1_000_000_000).wrapping_add(ts.tv_nsec as u64)
}

/// `ppoll(&{fd, POLLIN}, 1, timeout, NULL)`: returns the `revents`, or 0
/// when the timeout expired.
pub(crate) fn ppoll_in(fd: BorrowedFd<'_>, timeout_ns: u64) -> SysResult<i16> {
    let mut pfd = g::pollfd { fd: fd.as_raw_fd(), events: g::POLLIN as i16, revents: 0 };
    let ts =
        g::timespec { tv_sec: (timeout_ns / 1_000_000_000) as _, tv_nsec: (timeout_ns % 1_000_000_000) as _ };
    // SAFETY: one writable pollfd, a readable timespec of the layout this
    // syscall number uses, no signal mask.
    let ready =
        ret(unsafe { syscall5(g::__NR_ppoll as usize, mut_ptr_arg(&mut pfd), 1, ptr_arg(&ts), 0, 0) })?;
    Ok(if ready == 0 { 0 } else { pfd.revents })
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

/// `mount(source, target, fstype, flags, data)`.
#[cfg(feature = "rt")]
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
#[cfg(feature = "rt")]
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
pub(crate) fn execve(
    path: &CStr,
    argv: *const *const core::ffi::c_char,
    envp: *const *const core::ffi::c_char,
) -> SysResult<()> {
    // SAFETY: `path` is NUL-terminated; `argv` and `envp` point at
    // NULL-terminated arrays of NUL-terminated strings (`CStrArray`), all
    // borrowed for the call. On success the process image is replaced and
    // nothing of this one is used again.
    ret(unsafe { syscall3(g::__NR_execve as usize, ptr_arg(path.as_ptr()), ptr_arg(argv), ptr_arg(envp)) })
        .map(drop)
}

/// `execveat(dirfd, path, argv, envp, flags)`: returns only on failure.
pub(crate) fn execveat(
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
pub(crate) fn dup3(fd: BorrowedFd<'_>, to: i32, flags: u32) -> SysResult<()> {
    // SAFETY: integer arguments only; the caller decides that replacing
    // descriptor `to` is sound (only 0, 1 and 2, which nothing owns).
    ret(unsafe { syscall3(g::__NR_dup3 as usize, fd_arg(fd), int_arg(to), uint_arg(flags)) }).map(drop)
}
