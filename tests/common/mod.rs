//! Shared helpers for the integration tests.
//!
//! Conventions (the xtask relies on them):
//! - `RAWSCM_QEMU=1` in the environment: the tests run under qemu-user.
//! - A test that cannot run says why with [`skip`], which prints
//!   `SKIP <test>: <reason>` to stderr and appends `<test>\t<reason>` to the
//!   file named by `RAWSCM_SKIP_LOG`, if set. The xtask counts those lines.
//! - Tests that check descriptor accounting take [`serial`] first, so that no
//!   other test of the same binary opens descriptors meanwhile.
//! - A feature the running kernel may lack is probed by the test itself; on
//!   failure it skips only under qemu-user or when the kernel is older than
//!   the version that added it ([`skip_if_kernel_lacks`]), saying which. On
//!   a kernel that should have it, the test fails. `cargo xtask kernels`
//!   runs the tests on real 6.1 and 6.12 kernels (`RAWSCM_KERNEL_ROW=1`).
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Mutex, MutexGuard};

/// Whether the xtask runs us under qemu-user.
pub fn under_qemu() -> bool {
    std::env::var_os("RAWSCM_QEMU").is_some()
}

/// Records that the current test skips, and why.
pub fn skip(reason: &str) {
    let thread = std::thread::current();
    let name = thread.name().unwrap_or("?");
    eprintln!("SKIP {name}: {reason}");
    if let Some(path) = std::env::var_os("RAWSCM_SKIP_LOG") {
        // One write(2) of the whole line, so parallel tests never interleave.
        let line = format!("{name}\t{reason}\n");
        if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// The running kernel's release, as `uname -r` prints it
/// (`/proc/sys/kernel/osrelease`), e.g. `6.1.0-57-amd64`.
pub fn kernel_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|e| format!("? ({e})"), |r| r.trim().into())
}

/// The running kernel's (major, minor) version; (0, 0) if unreadable.
pub fn kernel_version() -> (u32, u32) {
    let release = kernel_release();
    let mut parts = release.split(|c: char| !c.is_ascii_digit()).map(|p| p.parse().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// Whether the running kernel is older than `since` (major, minor).
pub fn kernel_older_than(since: (u32, u32)) -> bool {
    kernel_version() < since
}

/// The feature probe's skip: when the running kernel is older than `since`,
/// the version that added `feature`, records the skip (`kernel 6.1.0-57-amd64
/// has no SO_PASSPIDFD (6.5+)`, then `detail` if not empty) and returns true.
/// Otherwise returns false: the kernel has the feature, the test must not
/// skip. Call it after the probe failed, e.g. in a match guard.
pub fn skip_if_kernel_lacks(feature: &str, since: (u32, u32), detail: &str) -> bool {
    if !kernel_older_than(since) {
        return false;
    }
    let mut why = format!("kernel {} has no {feature} ({}.{}+)", kernel_release(), since.0, since.1);
    if !detail.is_empty() {
        why = format!("{why}: {detail}");
    }
    skip(&why);
    true
}

static SERIAL: Mutex<()> = Mutex::new(());

/// Serialises the tests of one binary that count descriptors.
pub fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// The descriptors open in this process now (from `/proc/self/fd`).
pub fn open_fds() -> BTreeSet<i32> {
    let mut set = BTreeSet::new();
    let dir = std::fs::read_dir("/proc/self/fd").expect("read /proc/self/fd");
    let mut names = Vec::new();
    for entry in dir {
        names.push(entry.expect("dir entry").file_name());
    }
    // The directory's own descriptor is closed by now; drop numbers that are
    // no longer open.
    for n in names {
        let fd: i32 = n.to_str().unwrap().parse().unwrap();
        // SAFETY-free check: F_GETFD fails on a closed descriptor.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } >= 0 {
            set.insert(fd);
        }
    }
    set
}

/// Runs `f` and asserts that it leaves exactly the same descriptors open.
pub fn no_fd_leak<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let before = open_fds();
    let out = f();
    let after = open_fds();
    assert_eq!(before, after, "{what}: descriptors before vs after");
    out
}

/// Whether we are root (with the capabilities tests may need).
pub fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

/// Asserts that no child of this process is left (reaped or not).
pub fn assert_no_children() {
    let r = unsafe {
        libc::waitid(libc::P_ALL, 0, std::ptr::null_mut(), libc::WEXITED | libc::WNOHANG | libc::WNOWAIT)
    };
    let err = std::io::Error::last_os_error().raw_os_error();
    assert!(r == -1 && err == Some(libc::ECHILD), "a child of this process is left: waitid gave {r} {err:?}");
}

/// In a forked child: drop to uid/gid 65534 with direct system calls. The
/// libc wrappers must not be used there: after a raw fork of a threaded test
/// process they wait for the parent's other threads, which the child lacks.
/// Returns false if any step failed.
pub fn drop_privileges_in_child() -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "arm"))]
    let (groups, gid, uid) = (libc::SYS_setgroups32, libc::SYS_setgid32, libc::SYS_setuid32);
    #[cfg(not(any(target_arch = "x86", target_arch = "arm")))]
    let (groups, gid, uid) = (libc::SYS_setgroups, libc::SYS_setgid, libc::SYS_setuid);
    unsafe {
        libc::syscall(groups, 0, std::ptr::null::<libc::gid_t>()) == 0
            && libc::syscall(gid, 65534) == 0
            && libc::syscall(uid, 65534) == 0
    }
}

/// Starts a child that is pid 1 of a new pid namespace. Natively with
/// `rawscm::fork_new_pid_namespace` (clone(CLONE_NEWPID)); qemu-user 7.2
/// rejects that clone with EINVAL, so there (`qemu`: pass `under_qemu()`,
/// read before any fork: reading the environment is not async-signal-safe)
/// the caller itself joins a new pid namespace for its children
/// (`unshare(CLONE_NEWPID)`) and forks: only for processes that create no
/// other children afterwards.
///
/// # Safety
/// As for `rawscm::fork`.
pub unsafe fn fork_pid1(qemu: bool) -> rawscm::Result<rawscm::Fork> {
    if qemu {
        if unsafe { libc::syscall(libc::SYS_unshare, libc::CLONE_NEWPID) } != 0 {
            return Err(
                rawscm::Errno::from_raw(std::io::Error::last_os_error().raw_os_error().unwrap_or(0)).into()
            );
        }
        unsafe { rawscm::fork() }
    } else {
        unsafe { rawscm::fork_new_pid_namespace() }
    }
}
