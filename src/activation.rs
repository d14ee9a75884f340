//! Socket activation, the activated side: take the listening sockets (or
//! other descriptors) that a service manager or an activator such as
//! `systemd-socket-activate` passed, as `sd_listen_fds_with_names(3)` does.
//!
//! The protocol: the descriptors are 3, 4, ... ([`LISTEN_FDS_START`]);
//! `LISTEN_PID` is the pid they are meant for (a child that inherited the
//! environment must not take them); `LISTEN_FDS` their count;
//! `LISTEN_FDNAMES` their names, separated by `:`.
//!
//! # Examples
//! ```no_run
//! // In a program started by `systemd-socket-activate -l /run/demo.sock ./demo`:
//! // SAFETY: first thing in main, nothing else takes descriptors 3.. here.
//! let fds = unsafe { rawscm::activation::listen_fds_from_env::<4>() }?;
//! for l in &fds {
//!     let (conn, _peer) = rawscm::accept(&l.fd, Default::default())?;
//!     rawscm::send(&conn, b"hello\n")?;
//! }
//! # Ok::<(), rawscm::Error>(())
//! ```

use crate::error::{Error, Malformed, Result};
use crate::fd::OwnedFd;
use crate::sys;
use crate::text::{env_var, parse_decimal};
use heapless::Vec;
use linux_raw_sys::general::{F_GETFD, F_SETFD, FD_CLOEXEC};

/// The first passed descriptor: systemd's `SD_LISTEN_FDS_START`
/// (`sd-daemon.h`; not a kernel constant, so not in `linux-raw-sys`).
///
/// # Examples
/// ```
/// assert_eq!(rawscm::activation::LISTEN_FDS_START, 3);
/// ```
pub const LISTEN_FDS_START: i32 = 3;

/// Most bytes of a descriptor's name (systemd's `FDNAME_MAX`, 255).
pub const NAME_MAX: usize = 255;

/// One passed descriptor and its name.
///
/// # Examples
/// See the [module docs](self).
#[derive(Debug)]
#[non_exhaustive]
pub struct ListenFd {
    /// The descriptor, now close-on-exec and owned.
    pub fd: OwnedFd,
    /// Its name from `LISTEN_FDNAMES`, or `unknown` without names (as
    /// systemd reports it).
    pub name: Vec<u8, NAME_MAX>,
}

/// The activation variables, as byte strings (`None`: not set).
///
/// # Examples
/// ```
/// let env = [&b"LISTEN_PID=1"[..], b"LISTEN_FDS=2"];
/// let vars = rawscm::activation::Vars::from_environ(env);
/// assert_eq!(vars.listen_fds, Some(&b"2"[..]));
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Vars<'a> {
    /// `LISTEN_PID`.
    pub listen_pid: Option<&'a [u8]>,
    /// `LISTEN_FDS`.
    pub listen_fds: Option<&'a [u8]>,
    /// `LISTEN_FDNAMES`.
    pub listen_fdnames: Option<&'a [u8]>,
}

impl<'a> Vars<'a> {
    /// The three variables from an environment given as `NAME=value` byte
    /// strings (the `envp` of an `rt` program, or any list).
    ///
    /// # Examples
    /// See [`Vars`].
    pub fn from_environ<I>(environ: I) -> Vars<'a>
    where
        I: IntoIterator<Item = &'a [u8]>,
        I::IntoIter: Clone,
    {
        let it = environ.into_iter();
        Vars {
            listen_pid: env_var(it.clone(), b"LISTEN_PID"),
            listen_fds: env_var(it.clone(), b"LISTEN_FDS"),
            listen_fdnames: env_var(it, b"LISTEN_FDNAMES"),
        }
    }
}

/// Takes the descriptors that `vars` say were passed to this process: checks
/// that `LISTEN_PID` is us and that each descriptor is open, marks each
/// close-on-exec, and returns them as [`OwnedFd`]s with their names, at
/// most `N`. No variables (no activation): an empty list.
///
/// `getpid`, then `fcntl(F_GETFD)` and `fcntl(F_SETFD, FD_CLOEXEC)` on
/// each descriptor.
///
/// # Safety
/// Descriptors `3..3 + LISTEN_FDS` must not be owned by anything else in
/// the process, and this must be the only call that takes them: call it
/// once, early, before any other code could have adopted those numbers.
/// (They cannot have been reused for other files while they were open.)
///
/// # Errors
/// Nothing is taken, closed or changed on error:
/// - [`Error::NotForThisProcess`]: `LISTEN_PID` names another process;
/// - [`Malformed::Number`]: `LISTEN_PID` or `LISTEN_FDS` is not a number
///   in range;
/// - [`Malformed::Count`]: `LISTEN_FDNAMES` names more or fewer;
/// - [`Error::TooManyFdsReceived`]: more than `N` (call again with a larger
///   `N`);
/// - `EBADF`: one of them is not open.
///
/// # Examples
/// ```
/// use rawscm::activation::{listen_fds, Vars};
/// // Variables for another process: an error, nothing touched.
/// let vars = Vars { listen_pid: Some(b"1"), listen_fds: Some(b"1"), listen_fdnames: None };
/// # if rawscm::getpid() != 1 {
/// // SAFETY: the error path takes nothing.
/// let r = unsafe { listen_fds::<1>(vars) };
/// assert_eq!(r.unwrap_err(), rawscm::Error::NotForThisProcess { listen_pid: 1 });
/// # }
/// ```
///
/// # References
/// - [sd_listen_fds(3)](https://man7.org/linux/man-pages/man3/sd_listen_fds.3.html)
pub unsafe fn listen_fds<const N: usize>(vars: Vars<'_>) -> Result<Vec<ListenFd, N>> {
    let (Some(pid), Some(count)) = (vars.listen_pid, vars.listen_fds) else {
        return Ok(Vec::new());
    };
    let number = |v: &[u8]| {
        parse_decimal(v).filter(|&n| n <= i32::MAX as u64).ok_or(Error::Malformed(Malformed::Number))
    };
    let pid = number(pid)? as i32;
    if pid != sys::getpid() {
        return Err(Error::NotForThisProcess { listen_pid: pid });
    }
    let n = number(count)? as i32;
    if n > i32::MAX - LISTEN_FDS_START {
        return Err(Error::Malformed(Malformed::Number));
    }
    let names = vars.listen_fdnames;
    if names.is_some_and(|names| names.split(|&b| b == b':').count() != n as usize) {
        return Err(Error::Malformed(Malformed::Count));
    }
    if n as usize > N {
        return Err(Error::TooManyFdsReceived { received: n as usize, capacity: N });
    }
    let fds = LISTEN_FDS_START..LISTEN_FDS_START + n;
    for fd in fds.clone() {
        sys::fcntl_int(fd, F_GETFD, 0)?;
    }
    let mut names = names.map(|names| names.split(|&b| b == b':'));
    let mut out = Vec::new();
    for fd in fds {
        let flags = sys::fcntl_int(fd, F_GETFD, 0)?;
        sys::fcntl_int(fd, F_SETFD, flags | FD_CLOEXEC as usize)?;
        let name = names.as_mut().and_then(Iterator::next).unwrap_or(b"unknown");
        let mut owned = Vec::new();
        let _ = owned.extend_from_slice(name.get(..NAME_MAX).unwrap_or(name));
        // SAFETY: `fd` is open (checked above) and, by the caller's
        // guarantee, owned by nothing else; it is taken once, here.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let _ = out.push(ListenFd { fd, name: owned });
    }
    Ok(out)
}

/// [`listen_fds`] with this process's environment (with the `std`
/// feature). The variables are left in place: remove them with
/// `std::env::remove_var` if children must not see them (that is unsafe in
/// a multi-threaded program, which is why this does not do it).
///
/// # Safety
/// As [`listen_fds`].
///
/// # Errors
/// As [`listen_fds`].
///
/// # Examples
/// See the [module docs](self).
#[cfg(feature = "std")]
pub unsafe fn listen_fds_from_env<const N: usize>() -> Result<Vec<ListenFd, N>> {
    use std::os::unix::ffi::OsStrExt;
    let get = |name| std::env::var_os(name);
    let (pid, fds, names) = (get("LISTEN_PID"), get("LISTEN_FDS"), get("LISTEN_FDNAMES"));
    let vars = Vars {
        listen_pid: pid.as_deref().map(|v| v.as_bytes()),
        listen_fds: fds.as_deref().map(|v| v.as_bytes()),
        listen_fdnames: names.as_deref().map(|v| v.as_bytes()),
    };
    // SAFETY: the caller's guarantee.
    unsafe { listen_fds(vars) }
}
