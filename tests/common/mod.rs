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

pub mod rng;

use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Mutex, MutexGuard};

/// Whether the xtask runs us under qemu-user.
pub fn under_qemu() -> bool {
    std::env::var_os("RAWSCM_QEMU").is_some()
}

/// Whether the tests run on an emulated CPU: under qemu-user, or on a real
/// kernel under qemu-system's TCG (`RAWSCM_KERNEL_ROW`, set by the init of
/// `cargo xtask kernels`). Time bounds meant for hardware need a margin
/// there; the kernel's behaviour does not change.
pub fn emulated() -> bool {
    under_qemu() || std::env::var_os("RAWSCM_KERNEL_ROW").is_some()
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

/// The preamble of every test that counts descriptors or children: it
/// serialises the tests of one binary, and when it goes out of scope (at
/// the end of the test, unless the test already failed) it checks that no
/// child of this process is left, reaped or not.
pub struct Serial(MutexGuard<'static, ()>);

impl Drop for Serial {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_no_children();
        }
    }
}

/// See [`Serial`].
pub fn serial() -> Serial {
    Serial(SERIAL.lock().unwrap_or_else(|e| e.into_inner()))
}

/// [`serial`] for a test that needs root (`CAP_SYS_ADMIN` for `setns`,
/// pid namespaces, mounts): `None`, after saying why, when not root.
pub fn serial_as_root() -> Option<Serial> {
    let guard = serial();
    if !is_root() {
        skip("needs root (CAP_SYS_ADMIN for setns, pid namespaces and mounts)");
        return None;
    }
    Some(guard)
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

/// In a forked child (raw system calls only): installs a seccomp filter
/// under which each listed system call fails with its errno
/// (`PR_SET_NO_NEW_PRIVS` first, so no privilege is needed). The numbers are
/// the test binary's own architecture's. Returns false if the kernel
/// refused. Not under qemu-user: a filter there sees the emulator's host
/// system calls, not the guest's.
pub fn fail_syscalls_in_child(rules: &[(libc::c_long, i32)]) -> bool {
    use libc::{BPF_ABS, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, sock_filter, sock_fprog};
    let stmt = |code: u32, k: u32| sock_filter { code: code as u16, jt: 0, jf: 0, k };
    let mut prog = [stmt(0, 0); 34];
    // seccomp_data.nr is the first field.
    prog[0] = stmt(BPF_LD | BPF_W | BPF_ABS, 0);
    let mut n = 1;
    for &(nr, errno) in rules.iter().take(16) {
        prog[n] = sock_filter { code: (BPF_JMP | BPF_JEQ | BPF_K) as u16, jt: 0, jf: 1, k: nr as u32 };
        prog[n + 1] =
            stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_ERRNO | (errno as u32 & libc::SECCOMP_RET_DATA));
        n += 2;
    }
    prog[n] = stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_ALLOW);
    let fprog = sock_fprog { len: (n + 1) as u16, filter: prog.as_mut_ptr() };
    unsafe {
        libc::syscall(libc::SYS_prctl, libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            && libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, 0, &fprog as *const sock_fprog)
                == 0
    }
}

/// In a forked child (raw system calls only): installs a seccomp filter
/// under which `ioctl` with request `request` fails with `errno`, and every
/// other call goes through (as for [`fail_syscalls_in_child`]).
pub fn fail_ioctl_in_child(request: u32, errno: i32) -> bool {
    use libc::{BPF_ABS, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, sock_filter, sock_fprog};
    let stmt = |code: u32, k: u32| sock_filter { code: code as u16, jt: 0, jf: 0, k };
    let jeq = |k: u32, jf: u8| sock_filter { code: (BPF_JMP | BPF_JEQ | BPF_K) as u16, jt: 0, jf, k };
    // seccomp_data: nr (4 bytes), arch (4), instruction_pointer (8), args[6]
    // (8 each); the low half of args[1] is at 24, or 28 on big-endian.
    let arg1 = if cfg!(target_endian = "big") { 28 } else { 24 };
    let mut prog = [
        stmt(BPF_LD | BPF_W | BPF_ABS, 0),
        jeq(libc::SYS_ioctl as u32, 3),
        stmt(BPF_LD | BPF_W | BPF_ABS, arg1),
        jeq(request, 1),
        stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_ERRNO | (errno as u32 & libc::SECCOMP_RET_DATA)),
        stmt(BPF_RET | BPF_K, libc::SECCOMP_RET_ALLOW),
    ];
    let fprog = sock_fprog { len: prog.len() as u16, filter: prog.as_mut_ptr() };
    unsafe {
        libc::syscall(libc::SYS_prctl, libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
            && libc::syscall(libc::SYS_seccomp, libc::SECCOMP_SET_MODE_FILTER, 0, &fprog as *const sock_fprog)
                == 0
    }
}

/// Runs `child` in a forked child (raw system calls only, as after any fork
/// of a threaded test) and returns its exit status and how long it took; a
/// child still running after `limit` is killed (and reported as such).
pub fn run_in_child(
    limit: std::time::Duration,
    child: impl FnOnce() -> i32,
) -> (rawscm::ExitStatus, std::time::Duration) {
    let start = std::time::Instant::now();
    // SAFETY: the child runs `child`, which the caller keeps to raw system
    // calls, then exits.
    let pid = match unsafe { rawscm::fork() }.expect("fork") {
        rawscm::Fork::Child => rawscm::exit_group(child()),
        rawscm::Fork::Parent(pid) => pid,
    };
    loop {
        if let Some(status) = rawscm::try_waitid(pid).expect("waitid") {
            return (status, start.elapsed());
        }
        if start.elapsed() > limit {
            let _ = rawscm::kill(pid, libc::SIGKILL as u32);
            let status = rawscm::waitid(pid).expect("waitid");
            return (status, start.elapsed());
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
}

/// The path of example `name` of this package, built by `cargo test` next
/// to the test binaries (`target/<triple>/debug/examples/<name>`).
pub fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let dir = exe.parent().and_then(|deps| deps.parent()).expect("target dir");
    dir.join("examples").join(name)
}

/// The command that runs a program of the test's own architecture: the
/// emulator under qemu-user (`RAWSCM_RUNNER`, set by the xtask, e.g.
/// `qemu-arm -L /usr/arm-linux-gnueabihf`), nothing natively.
pub fn runner() -> Vec<String> {
    std::env::var("RAWSCM_RUNNER")
        .map(|r| r.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

/// Whether the program `name` can be found on `PATH` (or at that path);
/// if not, the test skips, saying so.
pub fn have_program(name: &str) -> bool {
    let found = if name.contains('/') {
        std::path::Path::new(name).exists()
    } else {
        std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).any(|d| d.join(name).exists()))
            .unwrap_or(false)
    };
    if !found {
        skip(&if std::env::var_os("RAWSCM_KERNEL_ROW").is_some() {
            format!(
                "{name} is not in the real-kernel rows' initramfs (busybox only): \
                 this test runs natively and under qemu-user"
            )
        } else {
            format!("{name} is not installed (cargo xtask setup installs it)")
        });
    }
    found
}

/// Whether the architecture has a `fork` system call besides `clone`, which
/// tests that filter `clone` alone need (the fallbacks of `fork_with_pidfd`
/// and `spawn` fork with it); if not (aarch64, riscv64), the test skips,
/// saying so.
pub fn has_fork_syscall() -> bool {
    let has = cfg!(any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "arm",
        target_arch = "powerpc",
        target_arch = "powerpc64",
        target_arch = "s390x"
    ));
    if !has {
        skip("aarch64 and riscv64 have no fork system call besides clone, to filter clone alone");
    }
    has
}

/// A fresh directory under the system's temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rawscm-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn join(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs CPython (`python3 -c <code>` with `args`), returning its stdout;
/// panics with its stderr if it fails.
pub fn python(code: &str, args: &[&str]) -> String {
    let out =
        std::process::Command::new("python3").arg("-c").arg(code).args(args).output().expect("run python3");
    assert!(out.status.success(), "python3 failed: {}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
