//! The PID 1 helpers of `rawscm::init` and plain `read`/`write`, through real
//! system calls. (`reboot` is not called here: it would stop the machine.
//! `cargo xtask boot` runs all of them as PID 1 of a real kernel.)
//!
//! One test forks: `waitid_any` reaps *any* child, so no other test of this
//! binary may have children meanwhile.
mod common;

use rawscm::init::{MountFlags, mount, try_waitid_any, waitid_any};
use rawscm::{Errno, Error, Fork, SocketFlags, SocketType, exit_group, fork, read, socketpair, write};

#[test]
fn any_child_is_reaped_then_echild() {
    let _g = common::serial();
    // SAFETY: the children only call exit_group.
    let first = match unsafe { fork() }.unwrap() {
        Fork::Child => exit_group(3),
        Fork::Parent(pid) => pid,
    };
    assert_eq!(waitid_any(), Ok(first));
    // SAFETY: as above.
    let second = match unsafe { fork() }.unwrap() {
        Fork::Child => exit_group(4),
        Fork::Parent(pid) => pid,
    };
    // The child may not have ended yet: poll until it is reaped.
    let reaped = loop {
        match try_waitid_any() {
            Ok(Some(pid)) => break pid,
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(5)),
            Err(e) => panic!("try_waitid_any: {e}"),
        }
    };
    assert_eq!(reaped, second);
    assert_eq!(try_waitid_any(), Err(Error::Os(Errno::ECHILD)));
    assert_eq!(waitid_any(), Err(Error::Os(Errno::ECHILD)));
}

#[test]
fn mount_reports_the_kernels_error() {
    // Unprivileged: EPERM. As root (CI, qemu-user as root): the target does
    // not exist. Either way, an error and nothing mounted.
    let got = mount(c"none", c"/rawscm-no-such-directory", c"tmpfs", MountFlags::NOSUID, Some(c"size=1m"));
    assert!(
        matches!(got, Err(Error::Os(Errno::EPERM | Errno::ENOENT))),
        "mount on a missing directory: {got:?}"
    );
}

#[test]
fn mount_flags_are_the_kernels() {
    use linux_raw_sys::general as g;
    let all = MountFlags::RDONLY | MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC;
    for (flag, bit) in [
        (MountFlags::RDONLY, g::MS_RDONLY),
        (MountFlags::BIND, g::MS_BIND),
        (MountFlags::REC, g::MS_REC),
        (MountFlags::PRIVATE, g::MS_PRIVATE),
    ] {
        assert_eq!(format!("{flag:?}"), format!("MountFlags({bit})"));
    }
    assert!(all.contains(MountFlags::NODEV) && !all.contains(MountFlags::BIND));
    assert_eq!(MountFlags::default(), MountFlags::empty());
}

#[test]
fn read_and_write_move_bytes_and_report_errors() {
    let (a, b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    assert_eq!(write(&a, b"ping"), Ok(4));
    let mut buf = [0u8; 16];
    assert_eq!(read(&b, &mut buf), Ok(4));
    assert_eq!(&buf[..4], b"ping");
    drop(a);
    assert_eq!(read(&b, &mut buf), Ok(0)); // end of stream
    let (c, _d) = socketpair(SocketType::Stream, SocketFlags::NONBLOCK).unwrap();
    assert_eq!(read(&c, &mut buf), Err(Error::Os(Errno::EAGAIN)));
}
