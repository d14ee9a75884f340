//! What an init program (PID 1) needs besides the socket plumbing: mounting
//! filesystems ([`mount`]), reaping every child, its own and the orphans it
//! inherits ([`waitid_any`], [`try_waitid_any`]), and stopping the machine
//! ([`reboot`]).
//!
//! `examples/boot_init.rs` of the `rawscm-rt` crate uses all of them as PID 1
//! of a real kernel (`cargo xtask boot`).

use crate::error::{Error, Result};
use crate::process::Pid;
use crate::sys;
use core::convert::Infallible;
use core::ffi::CStr;
use linux_raw_sys::general as g;

crate::flags::flag_set! {
    /// Flags for [`mount`] (`MS_*`). The default is none.
    ///
    /// # Examples
    /// ```
    /// use rawscm::init::MountFlags;
    /// let f = MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    /// assert!(f.contains(MountFlags::NODEV) && !f.contains(MountFlags::RDONLY));
    /// assert_eq!(MountFlags::default(), MountFlags::empty());
    /// ```
    MountFlags in "rawscm::init", no default,
    {
        /// `MS_RDONLY`: read-only.
        RDONLY = g::MS_RDONLY;
        /// `MS_NOSUID`: ignore set-user-id and set-group-id bits and file
        /// capabilities.
        NOSUID = g::MS_NOSUID;
        /// `MS_NODEV`: no access to device nodes.
        NODEV = g::MS_NODEV;
        /// `MS_NOEXEC`: no program may be executed from it.
        NOEXEC = g::MS_NOEXEC;
        /// `MS_SYNCHRONOUS`: writes are synchronous.
        SYNCHRONOUS = g::MS_SYNCHRONOUS;
        /// `MS_REMOUNT`: change the flags and data of an existing mount
        /// (`source` and `fstype` are ignored).
        REMOUNT = g::MS_REMOUNT;
        /// `MS_DIRSYNC`: directory changes are synchronous.
        DIRSYNC = g::MS_DIRSYNC;
        /// `MS_NOSYMFOLLOW`: do not follow symbolic links in paths (Linux 5.10).
        NOSYMFOLLOW = g::MS_NOSYMFOLLOW;
        /// `MS_NOATIME`: do not update access times.
        NOATIME = g::MS_NOATIME;
        /// `MS_NODIRATIME`: do not update directory access times.
        NODIRATIME = g::MS_NODIRATIME;
        /// `MS_RELATIME`: update access times only when older than the
        /// modification time (the kernel's default).
        RELATIME = g::MS_RELATIME;
        /// `MS_STRICTATIME`: always update access times.
        STRICTATIME = g::MS_STRICTATIME;
        /// `MS_LAZYTIME`: keep time stamp updates in memory only.
        LAZYTIME = g::MS_LAZYTIME;
        /// `MS_SILENT`: fewer kernel messages.
        SILENT = g::MS_SILENT;
        /// `MS_BIND`: make `source` (a file or directory) visible at
        /// `target` too (`fstype` and `data` are ignored).
        BIND = g::MS_BIND;
        /// `MS_MOVE`: move the mount at `source` to `target`.
        MOVE = g::MS_MOVE;
        /// `MS_REC`: with `BIND` or a propagation type, the whole subtree.
        REC = g::MS_REC;
        /// `MS_SHARED`: propagation type shared.
        SHARED = g::MS_SHARED;
        /// `MS_PRIVATE`: propagation type private.
        PRIVATE = g::MS_PRIVATE;
        /// `MS_SLAVE`: propagation type slave.
        SLAVE = g::MS_SLAVE;
        /// `MS_UNBINDABLE`: propagation type unbindable.
        UNBINDABLE = g::MS_UNBINDABLE;
    }
}

/// Mounts the filesystem `source` of type `fstype` at `target`, with
/// `flags` and the filesystem's own options `data` (text such as
/// `c"mode=755"`, or `None`). Needs `CAP_SYS_ADMIN` in the mount namespace's
/// user namespace.
///
/// `int mount(const char *source, const char *target, const char *filesystemtype,
/// unsigned long mountflags, const void *data);`
///
/// For [`MountFlags::REMOUNT`], [`MountFlags::BIND`], [`MountFlags::MOVE`] and
/// the propagation flags the kernel ignores some arguments (see each flag);
/// pass `c"none"` there.
///
/// # Errors
/// The kernel's errno: `EPERM` without the capability, `ENOENT` when
/// `target` does not exist, `ENODEV` for an unknown `fstype`, `EBUSY`, ...
///
/// # Examples
/// ```no_run
/// use rawscm::init::{mount, MountFlags};
/// // The first thing a PID 1 does (it needs CAP_SYS_ADMIN: not run here).
/// mount(c"proc", c"/proc", c"proc", MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC, None)?;
/// mount(c"tmpfs", c"/run", c"tmpfs", MountFlags::NOSUID | MountFlags::NODEV, Some(c"mode=755"))?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [mount(2)](https://man7.org/linux/man-pages/man2/mount.2.html)
pub fn mount(
    source: &CStr,
    target: &CStr,
    fstype: &CStr,
    flags: MountFlags,
    data: Option<&CStr>,
) -> Result<()> {
    Ok(sys::mount(source, target, fstype, flags.0, data)?)
}

/// What [`reboot`] does with the machine.
///
/// # Examples
/// ```
/// use rawscm::init::Reboot;
/// assert_ne!(Reboot::PowerOff, Reboot::Restart);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Reboot {
    /// `LINUX_REBOOT_CMD_POWER_OFF`: stop and remove power.
    PowerOff,
    /// `LINUX_REBOOT_CMD_RESTART`: restart.
    Restart,
    /// `LINUX_REBOOT_CMD_HALT`: stop, leave power on.
    Halt,
}

/// Powers off, restarts or halts the machine at once: no `sync`, no process
/// is told. Needs `CAP_SYS_BOOT`.
///
/// `int reboot(LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, int cmd, NULL);`
///
/// It returns only on failure, hence `Result<Infallible>`: `let Err(e) =
/// reboot(how);` takes the error, and `reboot(how)?;` passes it on. In a pid
/// namespace other than the initial one the kernel does not stop the
/// machine: it ends the namespace's init (and the caller) instead, see the
/// man page.
///
/// # Errors
/// The kernel's errno: `EPERM` without `CAP_SYS_BOOT`. Should the kernel
/// ever report success and return, [`Error::Protocol`].
///
/// # Examples
/// ```no_run
/// use rawscm::init::{reboot, Reboot};
/// // The last thing a PID 1 does (it stops this machine: not run here).
/// let Err(e) = reboot(Reboot::PowerOff);
/// eprintln!("poweroff failed: {e}");
/// ```
///
/// # References
/// - [reboot(2)](https://man7.org/linux/man-pages/man2/reboot.2.html)
pub fn reboot(how: Reboot) -> Result<Infallible> {
    let cmd = match how {
        Reboot::PowerOff => g::LINUX_REBOOT_CMD_POWER_OFF,
        Reboot::Restart => g::LINUX_REBOOT_CMD_RESTART,
        Reboot::Halt => g::LINUX_REBOOT_CMD_HALT,
    };
    sys::reboot(cmd)?;
    // Not reached for these commands; say so rather than pretend.
    Err(Error::Protocol)
}

/// Waits for any child to end and reaps it; returns its pid. `EINTR` is
/// retried. A PID 1 calls this to reap the orphans it inherits as well as
/// its own children.
///
/// `int waitid(P_ALL, 0, &info, WEXITED, NULL);`
///
/// # Errors
/// `ECHILD`: there is no child left to wait for.
///
/// # Examples
/// ```
/// use rawscm::init::waitid_any;
/// use rawscm::{exit_group, fork, Fork};
/// // SAFETY: the child only calls exit_group.
/// if let Fork::Parent(pid) = unsafe { fork() }? {
///     assert_eq!(waitid_any()?, pid);
/// } else {
///     exit_group(0);
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
pub fn waitid_any() -> Result<Pid> {
    Ok(crate::errno::restart(|| sys::waitid_any(g::WEXITED))?.pid)
}

/// Reaps one child that has ended, if any, without waiting: `Ok(Some(pid))`
/// for a reaped child, `Ok(None)` when children exist but none has ended.
///
/// `int waitid(P_ALL, 0, &info, WEXITED | WNOHANG, NULL);`
///
/// # Errors
/// `ECHILD`: there are no children at all.
///
/// # Examples
/// ```
/// // Reap every zombie there is, then go on.
/// while let Ok(Some(_pid)) = rawscm::init::try_waitid_any() {}
/// ```
///
/// # References
/// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
pub fn try_waitid_any() -> Result<Option<Pid>> {
    let s = sys::waitid_any(g::WEXITED | g::WNOHANG)?;
    Ok((s.pid != 0).then_some(s.pid))
}
