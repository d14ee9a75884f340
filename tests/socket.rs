//! socketpair, socket options and credentials, through real system calls.
mod common;

use rawscm::{
    AsFd, BorrowedFd, Errno, Error, SocketFlags, SocketType, Ucred, passcred, peercred, peerpidfd,
    set_passcred, set_passpidfd, socket_type, socketpair,
};

fn fd_flags(fd: i32) -> (i32, i32) {
    unsafe { (libc::fcntl(fd, libc::F_GETFD), libc::fcntl(fd, libc::F_GETFL)) }
}

fn so_type(fd: i32) -> i32 {
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let r = unsafe {
        libc::getsockopt(fd, libc::SOL_SOCKET, libc::SO_TYPE, (&mut v as *mut i32).cast(), &mut len)
    };
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
        let (c, _d) =
            socketpair(SocketType::Datagram, SocketFlags::default() | SocketFlags::NONBLOCK).unwrap();
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
        Err(Error::Os(Errno::ENOPROTOOPT)) if common::skip_if_kernel_lacks("SO_PASSPIDFD", (6, 5), "") => {
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
    // Every errno the crate names, against the C library of the target.
    let all = [
        (Errno::EPERM, libc::EPERM, "EPERM"),
        (Errno::ENOENT, libc::ENOENT, "ENOENT"),
        (Errno::ESRCH, libc::ESRCH, "ESRCH"),
        (Errno::EINTR, libc::EINTR, "EINTR"),
        (Errno::EIO, libc::EIO, "EIO"),
        (Errno::ENXIO, libc::ENXIO, "ENXIO"),
        (Errno::E2BIG, libc::E2BIG, "E2BIG"),
        (Errno::ENOEXEC, libc::ENOEXEC, "ENOEXEC"),
        (Errno::EBADF, libc::EBADF, "EBADF"),
        (Errno::ECHILD, libc::ECHILD, "ECHILD"),
        (Errno::EAGAIN, libc::EAGAIN, "EAGAIN"),
        (Errno::ENOMEM, libc::ENOMEM, "ENOMEM"),
        (Errno::EACCES, libc::EACCES, "EACCES"),
        (Errno::EFAULT, libc::EFAULT, "EFAULT"),
        (Errno::ENOTBLK, libc::ENOTBLK, "ENOTBLK"),
        (Errno::EBUSY, libc::EBUSY, "EBUSY"),
        (Errno::EEXIST, libc::EEXIST, "EEXIST"),
        (Errno::EXDEV, libc::EXDEV, "EXDEV"),
        (Errno::ENODEV, libc::ENODEV, "ENODEV"),
        (Errno::ENOTDIR, libc::ENOTDIR, "ENOTDIR"),
        (Errno::EISDIR, libc::EISDIR, "EISDIR"),
        (Errno::EINVAL, libc::EINVAL, "EINVAL"),
        (Errno::ENFILE, libc::ENFILE, "ENFILE"),
        (Errno::EMFILE, libc::EMFILE, "EMFILE"),
        (Errno::ENOTTY, libc::ENOTTY, "ENOTTY"),
        (Errno::ETXTBSY, libc::ETXTBSY, "ETXTBSY"),
        (Errno::EFBIG, libc::EFBIG, "EFBIG"),
        (Errno::ENOSPC, libc::ENOSPC, "ENOSPC"),
        (Errno::ESPIPE, libc::ESPIPE, "ESPIPE"),
        (Errno::EROFS, libc::EROFS, "EROFS"),
        (Errno::EMLINK, libc::EMLINK, "EMLINK"),
        (Errno::EPIPE, libc::EPIPE, "EPIPE"),
        (Errno::EDOM, libc::EDOM, "EDOM"),
        (Errno::ERANGE, libc::ERANGE, "ERANGE"),
        (Errno::EDEADLK, libc::EDEADLK, "EDEADLK"),
        (Errno::ENAMETOOLONG, libc::ENAMETOOLONG, "ENAMETOOLONG"),
        (Errno::ENOLCK, libc::ENOLCK, "ENOLCK"),
        (Errno::ENOSYS, libc::ENOSYS, "ENOSYS"),
        (Errno::ENOTEMPTY, libc::ENOTEMPTY, "ENOTEMPTY"),
        (Errno::ELOOP, libc::ELOOP, "ELOOP"),
        (Errno::ENOMSG, libc::ENOMSG, "ENOMSG"),
        (Errno::EIDRM, libc::EIDRM, "EIDRM"),
        (Errno::ECHRNG, libc::ECHRNG, "ECHRNG"),
        (Errno::EL2NSYNC, libc::EL2NSYNC, "EL2NSYNC"),
        (Errno::EL3HLT, libc::EL3HLT, "EL3HLT"),
        (Errno::EL3RST, libc::EL3RST, "EL3RST"),
        (Errno::ELNRNG, libc::ELNRNG, "ELNRNG"),
        (Errno::EUNATCH, libc::EUNATCH, "EUNATCH"),
        (Errno::ENOCSI, libc::ENOCSI, "ENOCSI"),
        (Errno::EL2HLT, libc::EL2HLT, "EL2HLT"),
        (Errno::EBADE, libc::EBADE, "EBADE"),
        (Errno::EBADR, libc::EBADR, "EBADR"),
        (Errno::EXFULL, libc::EXFULL, "EXFULL"),
        (Errno::ENOANO, libc::ENOANO, "ENOANO"),
        (Errno::EBADRQC, libc::EBADRQC, "EBADRQC"),
        (Errno::EBADSLT, libc::EBADSLT, "EBADSLT"),
        (Errno::EBFONT, libc::EBFONT, "EBFONT"),
        (Errno::ENOSTR, libc::ENOSTR, "ENOSTR"),
        (Errno::ENODATA, libc::ENODATA, "ENODATA"),
        (Errno::ETIME, libc::ETIME, "ETIME"),
        (Errno::ENOSR, libc::ENOSR, "ENOSR"),
        (Errno::ENONET, libc::ENONET, "ENONET"),
        (Errno::ENOPKG, libc::ENOPKG, "ENOPKG"),
        (Errno::EREMOTE, libc::EREMOTE, "EREMOTE"),
        (Errno::ENOLINK, libc::ENOLINK, "ENOLINK"),
        (Errno::EADV, libc::EADV, "EADV"),
        (Errno::ESRMNT, libc::ESRMNT, "ESRMNT"),
        (Errno::ECOMM, libc::ECOMM, "ECOMM"),
        (Errno::EPROTO, libc::EPROTO, "EPROTO"),
        (Errno::EMULTIHOP, libc::EMULTIHOP, "EMULTIHOP"),
        (Errno::EDOTDOT, libc::EDOTDOT, "EDOTDOT"),
        (Errno::EBADMSG, libc::EBADMSG, "EBADMSG"),
        (Errno::EOVERFLOW, libc::EOVERFLOW, "EOVERFLOW"),
        (Errno::ENOTUNIQ, libc::ENOTUNIQ, "ENOTUNIQ"),
        (Errno::EBADFD, libc::EBADFD, "EBADFD"),
        (Errno::EREMCHG, libc::EREMCHG, "EREMCHG"),
        (Errno::ELIBACC, libc::ELIBACC, "ELIBACC"),
        (Errno::ELIBBAD, libc::ELIBBAD, "ELIBBAD"),
        (Errno::ELIBSCN, libc::ELIBSCN, "ELIBSCN"),
        (Errno::ELIBMAX, libc::ELIBMAX, "ELIBMAX"),
        (Errno::ELIBEXEC, libc::ELIBEXEC, "ELIBEXEC"),
        (Errno::EILSEQ, libc::EILSEQ, "EILSEQ"),
        (Errno::ERESTART, libc::ERESTART, "ERESTART"),
        (Errno::ESTRPIPE, libc::ESTRPIPE, "ESTRPIPE"),
        (Errno::EUSERS, libc::EUSERS, "EUSERS"),
        (Errno::ENOTSOCK, libc::ENOTSOCK, "ENOTSOCK"),
        (Errno::EDESTADDRREQ, libc::EDESTADDRREQ, "EDESTADDRREQ"),
        (Errno::EMSGSIZE, libc::EMSGSIZE, "EMSGSIZE"),
        (Errno::EPROTOTYPE, libc::EPROTOTYPE, "EPROTOTYPE"),
        (Errno::ENOPROTOOPT, libc::ENOPROTOOPT, "ENOPROTOOPT"),
        (Errno::EPROTONOSUPPORT, libc::EPROTONOSUPPORT, "EPROTONOSUPPORT"),
        (Errno::ESOCKTNOSUPPORT, libc::ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"),
        (Errno::EOPNOTSUPP, libc::EOPNOTSUPP, "EOPNOTSUPP"),
        (Errno::EPFNOSUPPORT, libc::EPFNOSUPPORT, "EPFNOSUPPORT"),
        (Errno::EAFNOSUPPORT, libc::EAFNOSUPPORT, "EAFNOSUPPORT"),
        (Errno::EADDRINUSE, libc::EADDRINUSE, "EADDRINUSE"),
        (Errno::EADDRNOTAVAIL, libc::EADDRNOTAVAIL, "EADDRNOTAVAIL"),
        (Errno::ENETDOWN, libc::ENETDOWN, "ENETDOWN"),
        (Errno::ENETUNREACH, libc::ENETUNREACH, "ENETUNREACH"),
        (Errno::ENETRESET, libc::ENETRESET, "ENETRESET"),
        (Errno::ECONNABORTED, libc::ECONNABORTED, "ECONNABORTED"),
        (Errno::ECONNRESET, libc::ECONNRESET, "ECONNRESET"),
        (Errno::ENOBUFS, libc::ENOBUFS, "ENOBUFS"),
        (Errno::EISCONN, libc::EISCONN, "EISCONN"),
        (Errno::ENOTCONN, libc::ENOTCONN, "ENOTCONN"),
        (Errno::ESHUTDOWN, libc::ESHUTDOWN, "ESHUTDOWN"),
        (Errno::ETOOMANYREFS, libc::ETOOMANYREFS, "ETOOMANYREFS"),
        (Errno::ETIMEDOUT, libc::ETIMEDOUT, "ETIMEDOUT"),
        (Errno::ECONNREFUSED, libc::ECONNREFUSED, "ECONNREFUSED"),
        (Errno::EHOSTDOWN, libc::EHOSTDOWN, "EHOSTDOWN"),
        (Errno::EHOSTUNREACH, libc::EHOSTUNREACH, "EHOSTUNREACH"),
        (Errno::EALREADY, libc::EALREADY, "EALREADY"),
        (Errno::EINPROGRESS, libc::EINPROGRESS, "EINPROGRESS"),
        (Errno::ESTALE, libc::ESTALE, "ESTALE"),
        (Errno::EUCLEAN, libc::EUCLEAN, "EUCLEAN"),
        (Errno::ENOTNAM, libc::ENOTNAM, "ENOTNAM"),
        (Errno::ENAVAIL, libc::ENAVAIL, "ENAVAIL"),
        (Errno::EISNAM, libc::EISNAM, "EISNAM"),
        (Errno::EREMOTEIO, libc::EREMOTEIO, "EREMOTEIO"),
        (Errno::EDQUOT, libc::EDQUOT, "EDQUOT"),
        (Errno::ENOMEDIUM, libc::ENOMEDIUM, "ENOMEDIUM"),
        (Errno::EMEDIUMTYPE, libc::EMEDIUMTYPE, "EMEDIUMTYPE"),
        (Errno::ECANCELED, libc::ECANCELED, "ECANCELED"),
        (Errno::ENOKEY, libc::ENOKEY, "ENOKEY"),
        (Errno::EKEYEXPIRED, libc::EKEYEXPIRED, "EKEYEXPIRED"),
        (Errno::EKEYREVOKED, libc::EKEYREVOKED, "EKEYREVOKED"),
        (Errno::EKEYREJECTED, libc::EKEYREJECTED, "EKEYREJECTED"),
        (Errno::EOWNERDEAD, libc::EOWNERDEAD, "EOWNERDEAD"),
        (Errno::ENOTRECOVERABLE, libc::ENOTRECOVERABLE, "ENOTRECOVERABLE"),
        (Errno::ERFKILL, libc::ERFKILL, "ERFKILL"),
        (Errno::EHWPOISON, libc::EHWPOISON, "EHWPOISON"),
        (Errno::EWOULDBLOCK, libc::EWOULDBLOCK, "EWOULDBLOCK"),
        (Errno::EDEADLOCK, libc::EDEADLOCK, "EDEADLOCK"),
    ];
    for (e, raw, name) in all {
        assert_eq!(e.raw(), raw, "{name}");
        assert!(e.name().is_some() && e.description().is_some(), "{name}");
    }
    assert_eq!(Errno::ESRCH.to_string(), "ESRCH: no such process");
    assert_eq!(format!("{:?}", Errno::EBADF), "EBADF");
    let err: &dyn std::error::Error = &Error::Os(Errno::EPERM);
    assert_eq!(err.to_string(), "EPERM: operation not permitted");
    assert_eq!(
        Error::TooManyFds { count: 254 }.to_string(),
        "254 descriptors in one message; the kernel accepts at most SCM_MAX_FD"
    );
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
