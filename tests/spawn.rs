//! spawn: exec failures as errnos, the child's descriptor table exactly as
//! mapped (overlaps included), signal state reset, sessions, LISTEN_PID,
//! and refused maps, with nothing left behind on any path.
//!
//! The programs run are the host's `/bin/cat`, `/bin/sh` and CPython
//! (`/usr/bin/python3`): under qemu-user the exec goes to the host kernel,
//! which runs them natively, after the child's set-up ran in the emulator.
mod common;

use core::time::Duration;
use rawscm::signal::{MaskHow, SigSet, Signal, sigprocmask};
use rawscm::spawn::{MAX_FD_MAP, Session, SpawnOptions, spawn};
use rawscm::{
    BorrowedFd, CStrArray, Errno, Error, ExitStatus, FdMapProblem, Malformed, Pid, wait_readable_for,
};
use std::ffi::{CStr, CString};
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::ffi::OsStrExt;

const LONG: Duration = Duration::from_secs(30);
const PYTHON: &CStr = c"/usr/bin/python3";

/// A program that reports its own descriptor table (see [`LIST_FDS`]).
#[derive(Clone, Debug)]
enum Lister {
    /// CPython running `LIST_FDS`: natively and under qemu-user (where the
    /// child must be a host program).
    Python,
    /// The `list_fds` example of this architecture (`examples/list_fds.rs`):
    /// natively and on the real-kernel rows, which have no CPython.
    Example(CString),
}

impl Lister {
    /// The program's path and its arguments before the report's.
    fn command(&self) -> (CString, Vec<CString>) {
        match self {
            Lister::Python => (PYTHON.into(), vec![cstring("python3"), cstring("-c"), LIST_FDS.into()]),
            Lister::Example(path) => (path.clone(), vec![cstring("list_fds")]),
        }
    }
}

/// Every lister that can run here; none (after saying why) is a skip.
fn listers() -> Vec<Lister> {
    let mut all = Vec::new();
    if std::path::Path::new("/usr/bin/python3").exists() {
        all.push(Lister::Python);
    }
    let example = common::example("list_fds");
    if !common::under_qemu() && example.exists() {
        all.push(Lister::Example(CString::new(example.as_os_str().as_bytes()).unwrap()));
    }
    if all.is_empty() {
        common::skip(if common::under_qemu() {
            "/usr/bin/python3 is not installed (under qemu-user the child must be a host program)"
        } else {
            "neither /usr/bin/python3 nor the list_fds example is there"
        });
    }
    all
}

/// A pipe as (read end, write end), close-on-exec.
fn pipe() -> (std::fs::File, std::fs::File) {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    unsafe { (std::fs::File::from_raw_fd(fds[0]), std::fs::File::from_raw_fd(fds[1])) }
}

/// Everything the write ends' holders wrote, once they are all closed.
fn read_all(mut r: std::fs::File) -> String {
    let mut s = String::new();
    r.read_to_string(&mut s).unwrap();
    s
}

fn borrow(f: &impl AsRawFd) -> BorrowedFd<'_> {
    // SAFETY: `f` stays open while the borrow lives.
    unsafe { BorrowedFd::borrow_raw(f.as_raw_fd()) }
}

fn cstring(s: &str) -> CString {
    CString::new(s).unwrap()
}

/// CPython reports, on descriptor `argv[1]`, which descriptors below 256
/// are open (`os.fstat`, which opens nothing) and the first bytes of each
/// descriptor named after it: `open=3,4,5;3=beta;4=gamma`.
const LIST_FDS: &CStr = c"
import os, sys
out = int(sys.argv[1])
fds = []
for fd in range(256):
    try:
        os.fstat(fd)
        fds.append(fd)
    except OSError:
        pass
parts = ['open=' + ','.join(map(str, fds))]
for a in sys.argv[2:]:
    fd = int(a)
    parts.append('%d=%s' % (fd, os.pread(fd, 64, 0).decode()))
os.write(out, ';'.join(parts).encode())
";

/// Three files with known contents in a fresh directory.
fn files(dir: &common::TempDir) -> [std::fs::File; 3] {
    ["alpha", "beta", "gamma"].map(|name| {
        let path = dir.join(name);
        std::fs::write(&path, name).unwrap();
        std::fs::File::open(&path).unwrap()
    })
}

/// Runs `lister` with `map`, reporting on `report_target`, and returns its
/// report.
fn list_fds(
    lister: &Lister,
    map: &[(BorrowedFd<'_>, i32)],
    report_target: i32,
    show: &[i32],
    inherit_stdio: bool,
) -> String {
    let (r, w) = pipe();
    let mut full: Vec<(BorrowedFd<'_>, i32)> = map.to_vec();
    full.push((borrow(&w), report_target));
    let (path, mut args) = lister.command();
    args.extend(std::iter::once(report_target).chain(show.iter().copied()).map(|n| cstring(&n.to_string())));
    let mut argv = CStrArray::<16>::new();
    for a in &args {
        argv.push(a).unwrap();
    }
    let opts = SpawnOptions::new().fds(&full).inherit_stdio(inherit_stdio);
    let child = spawn(&path, &argv, &CStrArray::<1>::new(), &opts).unwrap();
    drop(w);
    assert_eq!(child.pidfd.wait(), Ok(ExitStatus::Exited(0)), "{lister:?}");
    read_all(r)
}

#[test]
fn exec_failures_come_back_as_the_errno_and_leave_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let _g = common::serial();
    let dir = common::TempDir::new("spawn-fail");
    let no_x = dir.join("not-executable");
    std::fs::write(&no_x, b"#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&no_x, std::fs::Permissions::from_mode(0o644)).unwrap();
    let garbage = dir.join("not-a-program");
    std::fs::write(&garbage, b"\x01\x02\x03 neither ELF nor #!\n").unwrap();
    std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o755)).unwrap();
    let bad_interp = dir.join("bad-interpreter");
    std::fs::write(&bad_interp, b"#!/nonexistent/interpreter\n").unwrap();
    std::fs::set_permissions(&bad_interp, std::fs::Permissions::from_mode(0o755)).unwrap();
    let p = |path: &std::path::Path| CString::new(path.as_os_str().as_bytes()).unwrap();
    let cases = [
        (cstring("/nonexistent/rawscm"), Errno::ENOENT),
        (p(&bad_interp), Errno::ENOENT),
        (p(&no_x), Errno::EACCES),
        (p(&dir.0), Errno::EACCES),
        (p(&garbage), Errno::ENOEXEC),
    ];
    let argv = CStrArray::<2>::from_slice(&[c"x"]).unwrap();
    let (_r, w) = pipe();
    let map = [(borrow(&w), 3)];
    for (path, errno) in &cases {
        for opts in [SpawnOptions::new(), SpawnOptions::new().fds(&map).session(Session::New)] {
            let got =
                common::no_fd_leak("failed spawn", || spawn(path, &argv, &CStrArray::<1>::new(), &opts));
            assert_eq!(got.unwrap_err(), Error::Os(*errno), "{path:?}");
            common::assert_no_children();
        }
    }
}

#[test]
fn the_childs_descriptor_table_is_exactly_the_map() {
    let _g = common::serial();
    let dir = common::TempDir::new("spawn-map");
    let [a, b, c] = files(&dir);
    let map = [(borrow(&a), 5), (borrow(&b), 3), (borrow(&c), 4)];
    // With stdio inherited, 0-2 are there too (as open here).
    let stdio: Vec<String> = (0..3)
        .filter(|fd| unsafe { libc::fcntl(*fd, libc::F_GETFD) } >= 0)
        .map(|fd| fd.to_string())
        .collect();
    for lister in listers() {
        let report = common::no_fd_leak("spawn", || list_fds(&lister, &map, 6, &[3, 4, 5], false));
        assert_eq!(report, "open=3,4,5,6;3=beta;4=gamma;5=alpha", "{lister:?}");
        let report = list_fds(&lister, &map, 6, &[], true);
        let mut expected = stdio.clone();
        expected.extend(["3", "4", "5", "6"].map(String::from));
        assert_eq!(report, format!("open={}", expected.join(",")), "{lister:?}");
        // A map may replace stdio, and put one source at several targets.
        let report = list_fds(&lister, &[(borrow(&a), 0), (borrow(&a), 2)], 1, &[0, 2], true);
        assert_eq!(report, "open=0,1,2;0=alpha;2=alpha", "{lister:?}");
    }
}

#[test]
fn overlapping_maps_move_every_source_as_it_was() {
    let _g = common::serial();
    let dir = common::TempDir::new("spawn-swap");
    let [a, b, c] = files(&dir);
    let (na, nb, nc) = (a.as_raw_fd(), b.as_raw_fd(), c.as_raw_fd());
    let high = na.max(nb).max(nc) + 1;
    for lister in listers() {
        // A swap of the sources' own numbers.
        let report = list_fds(&lister, &[(borrow(&a), nb), (borrow(&b), na)], high, &[na, nb], false);
        assert_eq!(report, expected(&[na, nb, high], &[(na, "beta"), (nb, "alpha")]), "{lister:?}");
        // A rotation of three, one of them also copied above them all.
        let map = [(borrow(&a), nb), (borrow(&b), nc), (borrow(&c), na), (borrow(&c), high + 1)];
        let report = list_fds(&lister, &map, high, &[na, nb, nc, high + 1], false);
        let shown = [(na, "gamma"), (nb, "alpha"), (nc, "beta"), (high + 1, "gamma")];
        assert_eq!(report, expected(&[na, nb, nc, high, high + 1], &shown), "{lister:?}");
    }
}

/// The report a lister gives for these open descriptors and contents.
fn expected(open: &[i32], shown: &[(i32, &str)]) -> String {
    let mut open = open.to_vec();
    open.sort();
    let mut s = format!("open={}", open.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(","));
    for (fd, text) in shown {
        s += &format!(";{fd}={text}");
    }
    s
}

#[test]
fn swapping_descriptors_3_and_4_works() {
    let _g = common::serial();
    let dir = common::TempDir::new("spawn-34");
    let [a, b, _] = files(&dir);
    let (na, nb) = (a.as_raw_fd(), b.as_raw_fd());
    let envp = CStrArray::<1>::new();
    for lister in listers() {
        let (r, w) = pipe();
        let nw = w.as_raw_fd();
        let (path, mut args) = lister.command();
        args.extend(["5", "3", "4"].map(cstring));
        let mut argv = CStrArray::<8>::new();
        for a in &args {
            argv.push(a).unwrap();
        }
        // In a child (whose descriptors 3 and 4 we may replace): alpha at 3,
        // beta at 4, then spawn with 3 and 4 swapped.
        let (status, _) = common::run_in_child(LONG, || {
            // SAFETY: the child owns nothing at 3, 4 and 10 that it uses again.
            if unsafe { libc::dup2(nw, 10) != 10 || libc::dup2(na, 3) != 3 || libc::dup2(nb, 4) != 4 } {
                return 2;
            }
            // SAFETY: 3, 4 and 10 stay open in this child during the call.
            let map = unsafe {
                [
                    (BorrowedFd::borrow_raw(3), 4),
                    (BorrowedFd::borrow_raw(4), 3),
                    (BorrowedFd::borrow_raw(10), 5),
                ]
            };
            match spawn(&path, &argv, &envp, &SpawnOptions::new().fds(&map).inherit_stdio(false)) {
                Ok(child) if child.pidfd.wait() == Ok(ExitStatus::Exited(0)) => 0,
                Ok(_) => 3,
                Err(_) => 4,
            }
        });
        assert_eq!(status, ExitStatus::Exited(0), "{lister:?}");
        drop(w);
        assert_eq!(read_all(r), "open=3,4,5;3=beta;4=alpha", "{lister:?}");
    }
}

/// `SigBlk` and `SigIgn` of a `/proc/<..>/status` text.
fn sig_masks(status: &str) -> (u64, u64) {
    let field = |name: &str| {
        let line =
            status.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{name} in {status}"));
        u64::from_str_radix(line[name.len()..].trim(), 16).unwrap()
    };
    (field("SigBlk:"), field("SigIgn:"))
}

/// The status text of a spawned `cat /proc/self/status`.
fn childs_status(opts: SpawnOptions<'_>) -> String {
    let (r, w) = pipe();
    let map = [(borrow(&w), 1)];
    let argv = CStrArray::<4>::from_slice(&[c"cat", c"/proc/self/status"]).unwrap();
    let child = spawn(c"/bin/cat", &argv, &CStrArray::<1>::new(), &opts.fds(&map)).unwrap();
    drop(w);
    assert_eq!(child.pidfd.wait(), Ok(ExitStatus::Exited(0)));
    read_all(r)
}

#[test]
fn signal_mask_and_dispositions_are_reset_in_the_child() {
    let _g = common::serial();
    let bit = |s: Signal| 1u64 << (s.number() - 1);
    // This thread blocks SIGUSR1; the process ignores SIGUSR2 (and SIGPIPE:
    // Rust's runtime ignores it).
    let old_mask = sigprocmask(MaskHow::Block, &SigSet::empty().with(Signal::USR1)).unwrap();
    let old_usr2 = unsafe { libc::signal(libc::SIGUSR2, libc::SIG_IGN) };
    let (blk, ign) = sig_masks(&std::fs::read_to_string("/proc/thread-self/status").unwrap());
    let child = childs_status(SpawnOptions::new());
    let with_mask =
        childs_status(SpawnOptions::new().signal_mask(SigSet::empty().with(Signal::HUP).with(Signal::TERM)));
    unsafe { libc::signal(libc::SIGUSR2, old_usr2) };
    sigprocmask(MaskHow::Set, &old_mask).unwrap();
    if common::under_qemu() && (blk & bit(Signal::USR1) == 0 || ign & bit(Signal::USR2) == 0) {
        common::skip(
            "qemu-user keeps the guest's signal mask and dispositions to itself: /proc shows the host's",
        );
        return;
    }
    assert_ne!(blk & bit(Signal::USR1), 0, "the test's own mask: {blk:x}");
    assert_ne!(ign & bit(Signal::USR2), 0, "the test's own ignored set: {ign:x}");
    assert_ne!(ign & bit(Signal::PIPE), 0, "Rust ignores SIGPIPE: {ign:x}");
    let (child_blk, mut child_ign) = sig_masks(&child);
    let (mask_blk, mut mask_ign) = sig_masks(&with_mask);
    if common::under_qemu() && child_ign != 0 {
        // The emulator's own: host signals that no guest signal maps to.
        let emulators = child_ign & !(bit(Signal::PIPE) | bit(Signal::USR2));
        common::skip(&format!(
            "qemu-user ignores host signals the guest cannot reach (SigIgn {emulators:x}): only SIGPIPE and \
             SIGUSR2 checked for being reset"
        ));
        child_ign &= !emulators;
        mask_ign &= !emulators;
    }
    assert_eq!((child_blk, child_ign), (0, 0), "SigBlk, SigIgn of the child");
    assert_eq!((mask_blk, mask_ign), (bit(Signal::HUP) | bit(Signal::TERM), 0));
}

/// pid, pgrp and session of a spawned `cat /proc/self/stat`.
fn childs_ids(session: Session) -> (Pid, Pid, Pid, Pid) {
    let (r, w) = pipe();
    let map = [(borrow(&w), 1)];
    let argv = CStrArray::<4>::from_slice(&[c"cat", c"/proc/self/stat"]).unwrap();
    let opts = SpawnOptions::new().fds(&map).session(session);
    let child = spawn(c"/bin/cat", &argv, &CStrArray::<1>::new(), &opts).unwrap();
    drop(w);
    assert_eq!(child.pidfd.wait(), Ok(ExitStatus::Exited(0)));
    let stat = read_all(r);
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    (
        child.pid,
        stat.split_whitespace().next().unwrap().parse().unwrap(),
        f[2].parse().unwrap(),
        f[3].parse().unwrap(),
    )
}

#[test]
fn a_new_session_or_process_group_is_the_childs_own() {
    let _g = common::serial();
    let our_sid = unsafe { libc::getsid(0) };
    let our_pgrp = unsafe { libc::getpgrp() };
    let (pid, self_pid, pgrp, sid) = childs_ids(Session::New);
    assert_eq!((self_pid, pgrp, sid), (pid, pid, pid));
    let (pid, _, pgrp, sid) = childs_ids(Session::ProcessGroup(0));
    assert_eq!((pgrp, sid), (pid, our_sid));
    let (_, _, pgrp, sid) = childs_ids(Session::Inherit);
    assert_eq!((pgrp, sid), (our_pgrp, our_sid));
}

#[test]
fn pid_env_gives_the_child_its_own_pid_and_replaces_an_old_value() {
    let _g = common::serial();
    let (r, w) = pipe();
    let map = [(borrow(&w), 3)];
    let argv = CStrArray::<4>::from_slice(&[c"sh", c"-c", c"echo \"$LISTEN_PID $$ $OTHER\" >&3"]).unwrap();
    let envp = CStrArray::<4>::from_slice(&[c"LISTEN_PID=999", c"OTHER=kept"]).unwrap();
    let opts = SpawnOptions::new().fds(&map).pid_env(c"LISTEN_PID");
    let child = spawn(c"/bin/sh", &argv, &envp, &opts).unwrap();
    drop(w);
    assert_eq!(child.pidfd.wait(), Ok(ExitStatus::Exited(0)));
    assert_eq!(read_all(r), format!("{0} {0} kept\n", child.pid));
}

#[test]
fn refused_maps_and_options_are_typed_errors_before_any_fork() {
    let _g = common::serial();
    let (_r, w) = pipe();
    let argv = CStrArray::<2>::from_slice(&[c"true"]).unwrap();
    let env = CStrArray::<1>::new();
    let go = |opts: &SpawnOptions<'_>| {
        common::no_fd_leak("refused spawn", || {
            spawn(c"/bin/true", &argv, &env, opts)
                .map(|child| assert_eq!(child.pidfd.wait(), Ok(ExitStatus::Exited(0))))
        })
    };
    let fd = borrow(&w);
    let fdmap = |entry, problem| Err(Error::FdMap { entry, problem });
    assert_eq!(go(&SpawnOptions::new().fds(&[(fd, 3), (fd, -1)])), fdmap(1, FdMapProblem::NegativeTarget));
    assert_eq!(
        go(&SpawnOptions::new().fds(&[(fd, 3), (fd, 4), (fd, 3)])),
        fdmap(2, FdMapProblem::DuplicateTarget)
    );
    let many: Vec<(BorrowedFd<'_>, i32)> = (0..=MAX_FD_MAP as i32).map(|t| (fd, t + 3)).collect();
    assert_eq!(go(&SpawnOptions::new().fds(&many)), fdmap(MAX_FD_MAP, FdMapProblem::TooMany));
    assert!(go(&SpawnOptions::new().fds(&many[..MAX_FD_MAP])).is_ok(), "exactly MAX_FD_MAP entries are fine");
    let closed = {
        let f = std::fs::File::open("/proc/self/status").unwrap();
        f.as_raw_fd()
    };
    // SAFETY: a number that is closed (nothing else opens files meanwhile:
    // serial); spawn only asks the kernel about it.
    let stale = unsafe { BorrowedFd::borrow_raw(closed) };
    assert_eq!(go(&SpawnOptions::new().fds(&[(fd, 3), (stale, 4)])), fdmap(1, FdMapProblem::SourceNotOpen));
    assert_eq!(go(&SpawnOptions::new().pid_env(c"")), Err(Error::Malformed(Malformed::Name)));
    assert_eq!(go(&SpawnOptions::new().pid_env(c"A=B")), Err(Error::Malformed(Malformed::Name)));
    assert_eq!(go(&SpawnOptions::new().pid_env(c"LISTEN_PID")), Err(Error::ArrayFull { capacity: 0 }));
    // A target the kernel refuses (at or above RLIMIT_NOFILE) comes back
    // from the child as EBADF.
    assert_eq!(go(&SpawnOptions::new().fds(&[(fd, i32::MAX)])), Err(Error::Os(Errno::EBADF)));
    assert_eq!(go(&SpawnOptions::new().session(Session::ProcessGroup(-1))), Err(Error::Os(Errno::EINVAL)));
}

#[test]
fn many_spawns_leave_no_descriptor_and_no_zombie() {
    let _g = common::serial();
    let argv = CStrArray::<4>::from_slice(&[c"sh", c"-c", c"exit 3"]).unwrap();
    let env = CStrArray::<1>::new();
    let (_r, w) = pipe();
    let map = [(borrow(&w), 7), (borrow(&w), 8)];
    common::no_fd_leak("100 spawns", || {
        for i in 0..100 {
            let opts = SpawnOptions::new().fds(&map);
            if i % 3 == 0 {
                assert_eq!(spawn(c"/nonexistent", &argv, &env, &opts).unwrap_err(), Error::Os(Errno::ENOENT));
            } else {
                let child = spawn(c"/bin/sh", &argv, &env, &opts).unwrap();
                wait_readable_for(&child.pidfd, LONG).unwrap();
                assert_eq!(child.pidfd.try_wait(), Ok(Some(ExitStatus::Exited(3))));
            }
        }
    });
}

/// spawn on the fork + pidfd_open fallback (as under qemu-user), forced
/// natively with a seccomp filter.
#[test]
fn spawn_works_on_the_fallback_without_clone_pidfd() {
    let _g = common::serial();
    if common::under_qemu() {
        common::skip(
            "a seccomp filter under qemu-user sees the emulator's system calls (and qemu uses this fallback anyway)",
        );
        return;
    }
    if !common::has_fork_syscall() {
        return;
    }
    let argv = CStrArray::<4>::from_slice(&[c"sh", c"-c", c"exit 6"]).unwrap();
    let env = CStrArray::<1>::new();
    let (status, _) = common::run_in_child(LONG, || {
        if !common::fail_syscalls_in_child(&[
            (libc::SYS_clone3, libc::ENOSYS),
            (libc::SYS_clone, libc::EINVAL),
        ]) {
            return 2;
        }
        let ok = matches!(spawn(c"/bin/sh", &argv, &env, &SpawnOptions::new()), Ok(c) if c.pidfd.wait() == Ok(ExitStatus::Exited(6)));
        let failed = spawn(c"/nonexistent", &argv, &env, &SpawnOptions::new()).map(drop)
            == Err(Error::Os(Errno::ENOENT));
        if ok && failed { 0 } else { 1 }
    });
    assert_eq!(status, ExitStatus::Exited(0));
}
