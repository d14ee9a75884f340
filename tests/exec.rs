//! `execve`, `execveat` and their argument arrays.
//!
//! The programs run are `/bin/sh` (the host's natively and under qemu-user,
//! where qemu hands the exec to the host kernel; busybox on the real-kernel
//! rows) with a script that checks the arguments and the environment it got.
mod common;

use rawscm::fs::{OpenFlags, open};
use rawscm::{
    AtFlags, CStrArray, Errno, Error, ExitStatus, Fork, execve, execveat, exit_group, fork, waitid,
};
use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// Exits 7 only if `$0`, `$1` and the environment are exactly what
/// [`sh_argv`] and [`sh_envp`] pass (`HOME` is set in every test process, so
/// it must be unset here: the environment was replaced, not extended).
const SCRIPT: &CStr =
    c"[ \"$0\" = rawscm-argv0 ] && [ \"$1\" = 'one two' ] && [ \"$RAWSCM_EXEC\" = yes ] && [ -z \"${HOME+set}\" ] && exit 7; exit 1";

fn sh_argv() -> CStrArray<'static, 6> {
    // busybox picks its applet by argv[0]: it must be `sh`.
    CStrArray::from_slice(&[c"sh", c"-c", SCRIPT, c"rawscm-argv0", c"one two"]).unwrap()
}

fn sh_envp() -> CStrArray<'static, 2> {
    CStrArray::from_slice(&[c"RAWSCM_EXEC=yes"]).unwrap()
}

/// The exit code of a child whose exec failed with `e`.
fn failed_exec_code(e: Error) -> i32 {
    match e {
        Error::Os(Errno::ENOSYS) => 126,
        _ => 127,
    }
}

/// Forks a child that runs `exec` (which returns only on failure) and
/// returns how the child ended.
fn in_child(exec: impl FnOnce() -> Error) -> ExitStatus {
    // SAFETY: the child only makes system calls (exec, exit_group); the
    // arrays were built before the fork.
    match unsafe { fork() }.unwrap() {
        Fork::Child => exit_group(failed_exec_code(exec())),
        Fork::Parent(pid) => waitid(pid).unwrap(),
    }
}

/// A scratch directory of this test (removed first if it exists).
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("rawscm-exec-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cpath(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap()
}

#[test]
fn exec_of_a_missing_path_is_enoent() {
    let argv = CStrArray::<2>::from_slice(&[c"missing"]).unwrap();
    let envp = CStrArray::<1>::new();
    assert_eq!(execve(c"/nonexistent/rawscm/missing", &argv, &envp), Error::Os(Errno::ENOENT));
}

#[test]
fn exec_of_a_file_without_execute_permission_is_eacces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("noexec");
    let file = dir.join("not-a-program");
    std::fs::write(&file, b"#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let path = cpath(&file);
    let argv = CStrArray::<2>::from_slice(&[&path]).unwrap();
    // Even root needs an execute bit somewhere.
    assert_eq!(execve(&path, &argv, &CStrArray::<1>::new()), Error::Os(Errno::EACCES));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn exec_in_a_child_runs_the_program_with_exactly_our_argv_and_envp() {
    let _g = common::serial(); // no other test's children meanwhile
    let (argv, envp) = (sh_argv(), sh_envp());
    assert_eq!(in_child(|| execve(c"/bin/sh", &argv, &envp)), ExitStatus::Exited(7));
    // The same script, another argument: the check inside the script fails.
    let wrong = CStrArray::<6>::from_slice(&[c"sh", c"-c", SCRIPT, c"rawscm-argv0", c"one"]).unwrap();
    assert_eq!(in_child(|| execve(c"/bin/sh", &wrong, &envp)), ExitStatus::Exited(1));
}

#[test]
fn a_full_array_refuses_more_and_says_how_many_fit() {
    let mut a = CStrArray::<3>::new();
    a.push(c"1").unwrap();
    a.push(c"2").unwrap();
    let e = a.push(c"3").unwrap_err();
    assert_eq!(e, Error::ArrayFull { capacity: 2 });
    assert_eq!(e.to_string(), "array full: it holds at most 2 elements");
    assert!(a.iter().eq([c"1", c"2"]));
    assert_eq!(CStrArray::<2>::from_slice(&[c"a", c"b"]).unwrap_err(), Error::ArrayFull { capacity: 1 });
}

/// Whether `status` is the child's report that execveat is missing, which
/// is expected (and skipped) only under qemu-user 7.2.
fn execveat_missing(status: ExitStatus) -> bool {
    if status == ExitStatus::Exited(126) && common::under_qemu() {
        common::skip("qemu-user 7.2 does not implement execveat (ENOSYS)");
        return true;
    }
    false
}

#[test]
fn execveat_runs_an_o_path_descriptor_and_a_path_relative_to_a_directory() {
    let _g = common::serial(); // no other test's children meanwhile
    let (argv, envp) = (sh_argv(), sh_envp());
    let sh = open(c"/bin/sh", OpenFlags::PATH).unwrap();
    let status = in_child(|| execveat(&sh, c"", &argv, &envp, AtFlags::EMPTY_PATH));
    if execveat_missing(status) {
        return;
    }
    assert_eq!(status, ExitStatus::Exited(7));
    let bin = open(c"/bin", OpenFlags::DIRECTORY).unwrap();
    assert_eq!(in_child(|| execveat(&bin, c"sh", &argv, &envp, AtFlags::empty())), ExitStatus::Exited(7));
}

#[test]
fn execveat_refuses_a_symlink_with_symlink_nofollow() {
    let _g = common::serial(); // no other test's children meanwhile
    let dir = scratch("symlink");
    std::os::unix::fs::symlink("/bin/sh", dir.join("link")).unwrap();
    let d = open(&cpath(&dir), OpenFlags::DIRECTORY).unwrap();
    let (argv, envp) = (sh_argv(), sh_envp());
    let err = execveat(&d, c"link", &argv, &envp, AtFlags::SYMLINK_NOFOLLOW);
    if err == Error::Os(Errno::ENOSYS) && common::under_qemu() {
        common::skip("qemu-user 7.2 does not implement execveat (ENOSYS)");
    } else {
        assert_eq!(err, Error::Os(Errno::ELOOP));
        // Followed, it runs.
        assert_eq!(in_child(|| execveat(&d, c"link", &argv, &envp, AtFlags::empty())), ExitStatus::Exited(7));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
