//! socketpair, socket options and credentials, through real system calls.
mod common;

use rawscm::{
    passcred, peercred, peerpidfd, set_passcred, set_passpidfd, socket_type, socketpair, AsFd, BorrowedFd,
    Errno, Error, SocketFlags, SocketType, Ucred,
};

fn fd_flags(fd: i32) -> (i32, i32) {
    unsafe { (libc::fcntl(fd, libc::F_GETFD), libc::fcntl(fd, libc::F_GETFL)) }
}

fn so_type(fd: i32) -> i32 {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let r = unsafe { libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_TYPE, (&mut v as *mut i32).cast(), &mut len) };
    assert_eq!(r, 0);
    v
}

#[test]
fn socketpair_creates_each_type_close_on_exec_by_default() {
    let _g = common::serial();
    common::no_fd_leak("socketpair", || {
        for (ty, raw) in [
            (SocketType::Stream, libc::SOCK_STREAM),
            (SocketType::Datagram, libc::SOCK_DGRAM),
            (SocketType::SeqPacket, libc::SOCK_SEQPACKET),
        ] {
            let (a, b) = socketpair(ty, SocketFlags::default()).unwrap();
            for fd in [&a, &b] {
                assert_eq!(socket_type(fd).unwrap(), ty);
                assert_eq!(so_type(fd.as_raw_fd()), raw);
                let (fdf, fl) = fd_flags(fd.as_raw_fd());
                assert_eq!(fdf & libc::FD_CLOEXEC, libc::FD_CLOEXEC, "{ty:?} cloexec");
                assert_eq!(fl & libc::O_NONBLOCK, 0, "{ty:?} blocking");
            }
        }
    });
}

#[test]
fn socketpair_flags_opt_out_of_cloexec_and_into_nonblock() {
    let _g = common::serial();
    common::no_fd_leak("flags", || {
        let (a, _b) = socketpair(SocketType::Stream, SocketFlags::empty()).unwrap();
        assert_eq!(fd_flags(a.as_raw_fd()).0 & libc::FD_CLOEXEC, 0);
        let (c, _d) = socketpair(SocketType::Datagram, SocketFlags::default() | SocketFlags::NONBLOCK).unwrap();
        let (fdf, fl) = fd_flags(c.as_raw_fd());
        assert_eq!(fdf & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        assert_eq!(fl & libc::O_NONBLOCK, libc::O_NONBLOCK);
        // Nothing to read on a non-blocking socket: EAGAIN, not a hang.
        let r = rawscm::recv_fds::<1>(&c, &mut [0u8; 1]);
        assert_eq!(r.unwrap_err(), Error::Os(Errno::EAGAIN));
    });
}

#[test]
fn passcred_can_be_set_read_back_and_cleared() {
    let _g = common::serial();
    let (a, _b) = socketpair(SocketType::Datagram, SocketFlags::default()).unwrap();
    assert!(!passcred(&a).unwrap());
    set_passcred(&a, true).unwrap();
    assert!(passcred(&a).unwrap());
    set_passcred(&a, false).unwrap();
    assert!(!passcred(&a).unwrap());
}

#[test]
fn peercred_of_a_socketpair_is_the_creator() {
    let _g = common::serial();
    let (a, b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    let me = Ucred::current();
    assert_eq!(peercred(&a).unwrap(), me);
    assert_eq!(peercred(&b).unwrap(), me);
    assert_eq!(me.pid as u32, std::process::id());
    assert_eq!(me.uid, unsafe { libc::getuid() });
    assert_eq!(me.gid, unsafe { libc::getgid() });
}

#[test]
fn pidfd_options_work_or_report_enoprotoopt() {
    let _g = common::serial();
    let (a, _b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    match set_passpidfd(&a, true) {
        Err(Error::Os(Errno::ENOPROTOOPT)) if common::under_qemu() => {
            common::skip("qemu-user does not support SO_PASSPIDFD (ENOPROTOOPT)");
            return;
        }
        r => r.expect("SO_PASSPIDFD (Linux 6.5+)"),
    }
    common::no_fd_leak("peerpidfd", || {
        let pidfd = peerpidfd(&a).expect("SO_PEERPIDFD");
        let (fdf, _) = fd_flags(pidfd.as_raw_fd());
        assert_eq!(fdf & libc::FD_CLOEXEC, libc::FD_CLOEXEC);
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", pidfd.as_raw_fd())).unwrap();
        let pid_line = info.lines().find(|l| l.starts_with("Pid:")).expect("pidfd fdinfo has Pid:");
        assert_eq!(pid_line.split_whitespace().nth(1).unwrap(), std::process::id().to_string());
    });
}

#[test]
fn invalid_and_non_socket_descriptors_give_ebadf_and_enotsock() {
    let _g = common::serial();
    common::no_fd_leak("bad fds", || {
        let (a, b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
        let stale = a.into_raw_fd();
        unsafe { libc::close(stale) };
        // SAFETY: deliberately a closed number; the kernel must say EBADF.
        let closed = unsafe { BorrowedFd::borrow_raw(stale) };
        assert_eq!(set_passcred(closed, true), Err(Error::Os(Errno::EBADF)));
        assert_eq!(peercred(closed), Err(Error::Os(Errno::EBADF)));
        assert_eq!(rawscm::send_fds(closed, b"x", &[b.as_fd()]), Err(Error::Os(Errno::EBADF)));
        let file = std::fs::File::open("/proc/self/status").unwrap();
        use std::os::fd::AsRawFd;
        // SAFETY: `file` outlives the borrow.
        let not_sock = unsafe { BorrowedFd::borrow_raw(file.as_raw_fd()) };
        assert_eq!(set_passcred(not_sock, true), Err(Error::Os(Errno::ENOTSOCK)));
        assert_eq!(rawscm::send_fds(not_sock, b"x", &[]), Err(Error::Os(Errno::ENOTSOCK)));
        assert_eq!(rawscm::recv_fds::<1>(not_sock, &mut [0; 1]).unwrap_err(), Error::Os(Errno::ENOTSOCK));
        assert_eq!(socket_type(not_sock), Err(Error::Os(Errno::ENOTSOCK)));
    });
}

#[test]
fn errno_values_names_and_messages_match_the_platform() {
    let _g = common::serial();
    for (e, raw) in [
        (Errno::EPERM, libc::EPERM),
        (Errno::EBADF, libc::EBADF),
        (Errno::EAGAIN, libc::EAGAIN),
        (Errno::ENOTSOCK, libc::ENOTSOCK),
        (Errno::ENOPROTOOPT, libc::ENOPROTOOPT),
        (Errno::ETOOMANYREFS, libc::ETOOMANYREFS),
        (Errno::EDEADLOCK, libc::EDEADLOCK),
    ] {
        assert_eq!(e.raw(), raw, "{e:?}");
    }
    assert_eq!(Errno::ESRCH.to_string(), "ESRCH: no such process");
    assert_eq!(format!("{:?}", Errno::EBADF), "EBADF");
    let err: &dyn std::error::Error = &Error::Os(Errno::EPERM);
    assert_eq!(err.to_string(), "EPERM: operation not permitted");
    assert_eq!(Error::TooManyFds { count: 254 }.to_string(), "254 descriptors in one message; the kernel accepts at most 253");
}

#[cfg(feature = "std")]
#[test]
fn std_conversions_move_ownership_without_closing() {
    let _g = common::serial();
    let (a, _b) = socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    let raw = a.as_raw_fd();
    let s: std::os::fd::OwnedFd = a.into();
    assert_eq!(std::os::fd::AsRawFd::as_raw_fd(&s), raw);
    let back: rawscm::OwnedFd = s.into();
    assert_eq!(back.as_raw_fd(), raw);
    assert!(passcred(&back).is_ok());
}
