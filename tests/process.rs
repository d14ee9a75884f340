//! fork, waitid, exit_group, kill and ids, through real system calls.
mod common;

use rawscm::{
    Errno, Error, ExitStatus, Fork, SocketFlags, SocketType, exit_group, fork, fork_new_pid_namespace,
    getgid, getpid, getuid, kill, recv_fds, send_fds, socketpair, try_waitid, waitid,
};

#[test]
fn child_exit_code_is_reported() {
    let _g = common::serial();
    for code in [0, 1, 42, 255] {
        // SAFETY: the child only calls exit_group.
        match unsafe { fork() }.unwrap() {
            Fork::Child => exit_group(code),
            Fork::Parent(pid) => {
                assert!(pid > 0);
                assert_eq!(waitid(pid).unwrap(), ExitStatus::Exited(code));
            }
        }
    }
}

#[test]
fn killed_child_reports_its_signal() {
    let _g = common::serial();
    let (a, b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    // SAFETY: the child only makes system calls.
    match unsafe { fork() }.unwrap() {
        Fork::Child => {
            // Block until killed.
            let _ = recv_fds::<0>(&b, &mut [0u8; 1]);
            exit_group(3)
        }
        Fork::Parent(pid) => {
            assert_eq!(try_waitid(pid).unwrap(), None, "still running");
            kill(pid, libc::SIGKILL as u32).unwrap();
            assert_eq!(
                waitid(pid).unwrap(),
                ExitStatus::Signaled { signal: libc::SIGKILL, core_dumped: false }
            );
        }
    }
    drop(a);
}

#[test]
fn try_waitid_reaps_once_finished() {
    let _g = common::serial();
    let (a, b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    // SAFETY: the child only makes system calls.
    match unsafe { fork() }.unwrap() {
        Fork::Child => exit_group(match recv_fds::<0>(&b, &mut [0u8; 1]) {
            Ok((1, _)) => 0,
            _ => 1,
        }),
        Fork::Parent(pid) => {
            assert_eq!(try_waitid(pid).unwrap(), None);
            send_fds(&a, b"go", &[]).unwrap();
            let status = loop {
                if let Some(s) = try_waitid(pid).unwrap() {
                    break s;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            };
            assert!(status.success(), "{status:?}");
            assert_eq!(try_waitid(pid), Err(Error::Os(Errno::ECHILD)));
        }
    }
}

#[test]
fn waiting_for_a_non_child_is_echild() {
    let _g = common::serial();
    assert_eq!(waitid(1), Err(Error::Os(Errno::ECHILD)));
    assert_eq!(waitid(getpid()), Err(Error::Os(Errno::ECHILD)));
}

#[test]
fn ids_match_the_platform() {
    let _g = common::serial();
    assert_eq!(getpid() as u32, std::process::id());
    assert_eq!(getuid(), unsafe { libc::getuid() });
    assert_eq!(getgid(), unsafe { libc::getgid() });
    assert_eq!(kill(getpid(), 0), Ok(()));
    assert_eq!(kill(i32::MAX, 0), Err(Error::Os(Errno::ESRCH)));
}

#[test]
fn child_in_a_new_pid_namespace_is_pid_1() {
    let _g = common::serial();
    if !common::is_root() {
        common::skip("needs CAP_SYS_ADMIN for CLONE_NEWPID");
        return;
    }
    // SAFETY: the child only makes system calls.
    let forked = unsafe { fork_new_pid_namespace() };
    if common::under_qemu() && forked == Err(Error::Os(Errno::EINVAL)) {
        common::skip("qemu-user 7.2 rejects clone(CLONE_NEWPID) with EINVAL");
        return;
    }
    match forked.unwrap() {
        Fork::Child => exit_group(if getpid() == 1 { 0 } else { 1 }),
        Fork::Parent(pid) => {
            assert_ne!(pid, 1);
            assert_eq!(waitid(pid).unwrap(), ExitStatus::Exited(0));
        }
    }
}
