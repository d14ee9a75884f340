//! sendmsg/recvmsg with descriptors and credentials, through real system
//! calls, including every bad input the helpers handle.
mod common;

use rawscm::{
    AsFd, BorrowedFd, Errno, Error, ExitStatus, Fork, IoSlice, IoSliceMut, OwnedFd, Received, RecvControl,
    RecvFlags, SCM_MAX_FD, SPACE_CREDENTIALS, SPACE_PIDFD, SendControl, SendFlags, SocketFlags, SocketType,
    Ucred, fork, recv_credentials, recv_fds, recvmsg, send_credentials, send_fds, sendmsg, set_passcred,
    socketpair, space_for_fds, waitid,
};
use std::time::{Duration, Instant};

const TYPES: [SocketType; 3] = [SocketType::Stream, SocketType::Datagram, SocketType::SeqPacket];

fn pair(ty: SocketType) -> (OwnedFd, OwnedFd) {
    socketpair(ty, SocketFlags::default()).unwrap()
}

/// A pipe as two OwnedFds (read end, write end).
fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

fn write_all(fd: &OwnedFd, data: &[u8]) {
    assert_eq!(unsafe { libc::write(fd.as_raw_fd(), data.as_ptr().cast(), data.len()) }, data.len() as isize);
}

fn read_some(fd: &OwnedFd, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    let r = unsafe { libc::read(fd.as_raw_fd(), v.as_mut_ptr().cast(), n) };
    assert!(r >= 0, "read failed");
    v.truncate(r as usize);
    v
}

fn cloexec(fd: &OwnedFd) -> bool {
    unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_GETFD) & libc::FD_CLOEXEC != 0 }
}

#[test]
fn passed_fds_work_on_every_socket_type() {
    let _g = common::serial();
    common::no_fd_leak("pass fds", || {
        for ty in TYPES {
            let (a, b) = pair(ty);
            let (r, w) = pipe();
            assert_eq!(send_fds(&a, b"fds", &[w.as_fd(), r.as_fd()]).unwrap(), 3);
            drop(w); // only the received copy keeps the write end open
            let mut buf = [0u8; 3];
            let (n, got) = recv_fds::<2>(&b, &mut buf).unwrap();
            assert_eq!((&buf[..n], got.len()), (&b"fds"[..], 2), "{ty:?}");
            assert!(got.iter().all(cloexec), "MSG_CMSG_CLOEXEC by default");
            write_all(&got[0], b"through the socket");
            assert_eq!(read_some(&r, 64), b"through the socket");
            // And the received read end reads the same pipe.
            write_all(&got[0], b"again");
            assert_eq!(read_some(&got[1], 64), b"again");
        }
    });
}

#[test]
fn credentials_round_trip_and_equal_the_senders() {
    let _g = common::serial();
    for ty in TYPES {
        let (a, b) = pair(ty);
        set_passcred(&b, true).unwrap();
        send_credentials(&a, b"c", Ucred::current()).unwrap();
        let mut byte = [0u8; 1];
        let got = recv_credentials(&b, &mut byte).unwrap();
        assert_eq!((got.bytes, byte[0], got.fds_closed), (1, b'c', 0));
        assert_eq!(got.credentials, Ucred::current(), "{ty:?}");
    }
}

#[test]
fn one_message_carries_fd_and_credentials_low_level() {
    let _g = common::serial();
    common::no_fd_leak("w1", || {
        let (a, b) = pair(SocketType::Datagram);
        set_passcred(&b, true).unwrap();
        let (r, w) = pipe();
        let mut out = SendControl::<{ space_for_fds(1) + SPACE_CREDENTIALS }>::new();
        out.push_fds(&[w.as_fd()]).unwrap();
        out.push_credentials(Ucred::current()).unwrap();
        assert_eq!(
            sendmsg(&a, &[IoSlice::new(b"w"), IoSlice::new(b"1")], &out, SendFlags::default()).unwrap(),
            2
        );
        let mut d1 = [0u8; 1];
        let mut d2 = [0u8; 1];
        let mut control = RecvControl::<{ space_for_fds(1) + SPACE_CREDENTIALS }>::new();
        let got: Received<1> = recvmsg(
            &b,
            &mut [IoSliceMut::new(&mut d1), IoSliceMut::new(&mut d2)],
            &mut control,
            RecvFlags::default(),
        )
        .unwrap();
        assert_eq!((got.bytes, d1[0], d2[0]), (2, b'w', b'1'));
        assert_eq!(got.credentials, Some(Ucred::current()));
        assert_eq!(
            (got.fds.len(), got.fds_closed, got.control_truncated, got.data_truncated),
            (1, 0, false, false)
        );
        write_all(&got.fds[0], b"ok");
        assert_eq!(read_some(&r, 8), b"ok");
    });
}

#[test]
fn recv_flags_can_opt_out_of_cloexec() {
    let _g = common::serial();
    common::no_fd_leak("no cloexec", || {
        let (a, b) = pair(SocketType::Datagram);
        send_fds(&a, b"x", &[a.as_fd()]).unwrap();
        let mut d = [0u8; 1];
        let mut control = RecvControl::<{ space_for_fds(1) }>::new();
        let got: Received<1> =
            recvmsg(&b, &mut [IoSliceMut::new(&mut d)], &mut control, RecvFlags::empty()).unwrap();
        assert!(!cloexec(&got.fds[0]));
    });
}

#[test]
fn more_than_253_fds_is_refused_before_the_kernel_and_nothing_is_sent() {
    let _g = common::serial();
    common::no_fd_leak("254 fds", || {
        let (a, b) = pair(SocketType::Datagram);
        let fds: Vec<BorrowedFd<'_>> = (0..=SCM_MAX_FD).map(|_| a.as_fd()).collect();
        assert_eq!(send_fds(&a, b"x", &fds), Err(Error::TooManyFds { count: 254 }));
        let mut byte = [0u8; 1];
        let mut none = RecvControl::<0>::new();
        let nothing = recvmsg::<0, 0>(&b, &mut [IoSliceMut::new(&mut byte)], &mut none, RecvFlags::DONTWAIT);
        assert_eq!(nothing.unwrap_err(), Error::Os(Errno::EAGAIN));
        // 253 is the kernel's limit and goes through.
        send_fds(&a, b"x", &fds[..SCM_MAX_FD]).unwrap();
        let (_, got) = recv_fds::<SCM_MAX_FD>(&b, &mut [0u8; 1]).unwrap();
        assert_eq!(got.len(), SCM_MAX_FD);
    });
}

#[test]
fn control_data_without_a_data_byte_is_refused() {
    let _g = common::serial();
    let (a, _b) = pair(SocketType::Stream);
    assert_eq!(send_fds(&a, b"", &[a.as_fd()]), Err(Error::NoDataByte));
    let mut c = SendControl::<SPACE_CREDENTIALS>::new();
    c.push_credentials(Ucred::current()).unwrap();
    assert_eq!(sendmsg(&a, &[IoSlice::new(b"")], &c, SendFlags::default()), Err(Error::NoDataByte));
    assert_eq!(send_credentials(&a, b"", Ucred::current()), Err(Error::NoDataByte));
}

#[test]
fn cmsg_space_of_one_fd_receives_two_on_64_bit_and_both_are_owned() {
    let _g = common::serial();
    if cfg!(target_pointer_width = "32") && common::under_qemu() {
        common::skip("32-bit under qemu-user: the second fd is truncated and qemu leaks it inside itself");
        return;
    }
    common::no_fd_leak("two in one", || {
        let (a, b) = pair(SocketType::Datagram);
        send_fds(&a, b"x", &[a.as_fd(), b.as_fd()]).unwrap();
        let mut d = [0u8; 1];
        let mut control = RecvControl::<{ space_for_fds(1) }>::new();
        let got: Received<1> =
            recvmsg(&b, &mut [IoSliceMut::new(&mut d)], &mut control, RecvFlags::default()).unwrap();
        if cfg!(target_pointer_width = "64") {
            // Both fit in CMSG_SPACE(4) = 24 bytes: one kept, the other closed.
            assert_eq!((got.fds.len(), got.fds_closed, got.control_truncated), (1, 1, false));
        } else {
            assert_eq!((got.fds.len(), got.fds_closed, got.control_truncated), (1, 0, true));
        }
    });
}

#[test]
fn more_fds_than_capacity_are_closed_and_reported() {
    let _g = common::serial();
    common::no_fd_leak("capacity", || {
        let (a, b) = pair(SocketType::Datagram);
        let three = [a.as_fd(), b.as_fd(), a.as_fd()];
        send_fds(&a, b"x", &three).unwrap();
        assert_eq!(
            recv_fds::<1>(&b, &mut [0u8; 1]).unwrap_err(),
            Error::TooManyFdsReceived { received: 3, capacity: 1 }
        );
        // Low level: the first N kept, the rest closed and counted.
        send_fds(&a, b"x", &three).unwrap();
        let mut control = RecvControl::<{ space_for_fds(3) }>::new();
        let got: Received<2> =
            recvmsg(&b, &mut [IoSliceMut::new(&mut [0u8; 1])], &mut control, RecvFlags::default()).unwrap();
        assert_eq!((got.fds.len(), got.fds_closed, got.fd_count()), (2, 1, 3));
    });
}

#[test]
fn receive_buffer_too_small_is_truncation_with_nothing_leaked() {
    let _g = common::serial();
    if common::under_qemu() {
        common::skip("qemu-user passes the host kernel a larger control buffer and leaks what does not fit");
        return;
    }
    common::no_fd_leak("truncation", || {
        let (a, b) = pair(SocketType::Datagram);
        let many: Vec<BorrowedFd<'_>> = (0..40).map(|_| a.as_fd()).collect();
        // Low level: what fit is handed over, the flag is set.
        send_fds(&a, b"x", &many).unwrap();
        let mut control = RecvControl::<{ space_for_fds(4) }>::new();
        let got: Received<8> =
            recvmsg(&b, &mut [IoSliceMut::new(&mut [0u8; 1])], &mut control, RecvFlags::default()).unwrap();
        assert!(got.control_truncated);
        assert_eq!(got.fds.len(), 4);
    });
}

#[test]
fn running_out_of_descriptors_truncates_and_leaks_nothing() {
    let _g = common::serial();
    if common::under_qemu() {
        common::skip("qemu-user: control truncation is not honoured like the kernel's");
        return;
    }
    common::no_fd_leak("rlimit", || {
        let (a, b) = pair(SocketType::Datagram);
        let five: Vec<BorrowedFd<'_>> = (0..5).map(|_| a.as_fd()).collect();
        send_fds(&a, b"x", &five).unwrap();
        let mut old = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) };
        // The lowest limit that leaves exactly two free descriptor slots.
        let open = common::open_fds();
        let mut free = 0;
        let limit = (0..).find(|n| {
            free += usize::from(!open.contains(n));
            free == 2
        });
        let low = libc::rlimit { rlim_cur: limit.unwrap() as libc::rlim_t + 1, rlim_max: old.rlim_max };
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &low) }, 0);
        let r = recv_fds::<5>(&b, &mut [0u8; 1]);
        unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &old) };
        match r {
            Err(Error::ControlTruncated { fds_closed }) => assert_eq!(fds_closed, 2),
            other => panic!("expected ControlTruncated, got {other:?}"),
        }
    });
}

#[test]
fn datagram_longer_than_the_buffer_is_data_truncation_and_fds_are_closed() {
    let _g = common::serial();
    common::no_fd_leak("MSG_TRUNC", || {
        let (a, b) = pair(SocketType::Datagram);
        send_fds(&a, b"0123456789", &[a.as_fd()]).unwrap();
        assert_eq!(recv_fds::<1>(&b, &mut [0u8; 4]).unwrap_err(), Error::DataTruncated { fds_closed: 1 });
        rawscm::send(&a, b"0123456789").unwrap();
        let mut d = [0u8; 4];
        let mut control = RecvControl::<0>::new();
        let got: Received<0> =
            recvmsg(&b, &mut [IoSliceMut::new(&mut d)], &mut control, RecvFlags::default()).unwrap();
        assert!(got.data_truncated);
        assert_eq!((got.bytes, &d), (4, b"0123"));
    });
}

#[test]
fn unrequested_credentials_and_pidfd_are_dropped_by_the_fd_helper() {
    let _g = common::serial();
    common::no_fd_leak("unrequested", || {
        let (a, b) = pair(SocketType::Datagram);
        set_passcred(&b, true).unwrap();
        let pidfd = match rawscm::set_passpidfd(&b, true) {
            Ok(()) => true,
            Err(Error::Os(Errno::ENOPROTOOPT)) if common::under_qemu() => {
                common::skip("qemu-user does not support SO_PASSPIDFD: SCM_PIDFD part not exercised");
                false
            }
            Err(Error::Os(Errno::ENOPROTOOPT))
                if common::skip_if_kernel_lacks("SO_PASSPIDFD", (6, 5), "SCM_PIDFD part not exercised") =>
            {
                false
            }
            Err(e) => panic!("SO_PASSPIDFD: {e}"),
        };
        send_fds(&a, b"x", &[a.as_fd()]).unwrap();
        let (_, got) = recv_fds::<1>(&b, &mut [0u8; 1]).unwrap();
        assert_eq!(got.len(), 1);
        if pidfd {
            rawscm::send(&a, b"y").unwrap();
            let mut control = RecvControl::<{ SPACE_CREDENTIALS + SPACE_PIDFD }>::new();
            let r: Received<0> =
                recvmsg(&b, &mut [IoSliceMut::new(&mut [0u8; 1])], &mut control, RecvFlags::default())
                    .unwrap();
            assert!(r.pidfd.is_some() && r.credentials.is_some() && !r.control_truncated);
        }
    });
}

#[test]
fn peer_closed_is_reported_and_sending_to_it_is_epipe_not_sigpipe() {
    let _g = common::serial();
    for ty in [SocketType::Stream, SocketType::SeqPacket] {
        let (a, b) = pair(ty);
        drop(a);
        assert_eq!(recv_fds::<1>(&b, &mut [0u8; 1]).unwrap_err(), Error::PeerClosed, "{ty:?}");
        assert_eq!(send_fds(&b, b"x", &[]), Err(Error::Os(Errno::EPIPE)), "{ty:?}");
    }
    // With MSG_NOSIGNAL opted out, the kernel raises SIGPIPE: in a child.
    let (a, b) = pair(SocketType::Stream);
    drop(a);
    // SAFETY: the child only makes system calls and exits.
    match unsafe { fork() }.unwrap() {
        Fork::Child => {
            // Rust's runtime ignores SIGPIPE; restore the default an init has.
            unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
            let _ = sendmsg(&b, &[IoSlice::new(b"x")], &SendControl::<0>::new(), SendFlags::empty());
            rawscm::exit_group(0)
        }
        Fork::Parent(pid) => {
            assert_eq!(
                waitid(pid).unwrap(),
                ExitStatus::Signaled { signal: libc::SIGPIPE, core_dumped: false }
            )
        }
    }
}

#[test]
fn a_partial_stream_send_delivers_the_fds_exactly_once() {
    let _g = common::serial();
    common::no_fd_leak("partial", || {
        let (a, b) = pair(SocketType::Stream);
        let big = vec![7u8; 1 << 20]; // far more than the socket buffer
        std::thread::scope(|s| {
            let sender = s.spawn(|| send_fds(&a, &big, &[a.as_fd()]));
            let (mut total, mut fds) = (0, 0);
            let mut buf = vec![0u8; 1 << 16];
            while total < big.len() {
                let (n, got) = recv_fds::<4>(&b, &mut buf).unwrap();
                assert!(buf[..n].iter().all(|&x| x == 7));
                total += n;
                fds += got.len();
            }
            assert_eq!(sender.join().unwrap(), Ok(big.len()));
            assert_eq!((total, fds), (big.len(), 1));
        });
    });
}

#[test]
fn no_credentials_without_passcred() {
    let _g = common::serial();
    let (a, b) = pair(SocketType::Datagram);
    send_credentials(&a, b"c", Ucred::current()).unwrap();
    assert_eq!(recv_credentials(&b, &mut [0u8; 1]).unwrap_err(), Error::NoCredentials);
}

#[test]
fn unprivileged_child_claiming_pid_1_gets_eperm() {
    let Some(_g) = common::serial_as_root() else { return };
    let (a, b) = pair(SocketType::Datagram);
    set_passcred(&b, true).unwrap();
    // SAFETY: the child only makes system calls and exits.
    match unsafe { fork() }.unwrap() {
        Fork::Child => {
            if !common::drop_privileges_in_child() {
                rawscm::exit_group(10);
            }
            let r = send_credentials(&a, b"c", Ucred { pid: 1, uid: 65534, gid: 65534 });
            let own = send_credentials(&a, b"o", Ucred::current());
            rawscm::exit_group(match (r, own) {
                (Err(Error::Os(Errno::EPERM)), Ok(1)) => 0,
                (Err(_), _) => 11,
                _ => 12,
            })
        }
        Fork::Parent(pid) => {
            assert_eq!(waitid(pid).unwrap(), ExitStatus::Exited(0));
            // Only the honest message arrived.
            let mut byte = [0u8; 1];
            let creds = recv_credentials(&b, &mut byte).unwrap().credentials;
            assert_eq!((byte[0], creds.pid, creds.uid), (b'o', pid, 65534));
        }
    }
}

#[test]
fn timeout_waiting_for_a_message() {
    let _g = common::serial();
    let (_a, b) = pair(SocketType::Datagram);
    let start = Instant::now();
    assert_eq!(rawscm::wait_readable_for(&b, Duration::from_millis(100)), Err(Error::Timeout));
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(100), "returned early: {took:?}");
}

#[test]
fn more_fds_than_capacity_is_one_error_with_the_right_count() {
    let _g = common::serial();
    if common::under_qemu() {
        common::skip("qemu-user passes the host kernel a larger control buffer and leaks what does not fit");
        return;
    }
    common::no_fd_leak("counts", || {
        let (a, b) = pair(SocketType::Datagram);
        for (sent, capacity) in [(2, 1), (10, 4), (30, 1), (40, 1), (SCM_MAX_FD, 1), (SCM_MAX_FD, 0)] {
            let fds: Vec<BorrowedFd<'_>> = (0..sent).map(|_| a.as_fd()).collect();
            send_fds(&a, b"x", &fds).unwrap();
            let err = match capacity {
                0 => rawscm::recv(&b, &mut [0u8; 1]).unwrap_err(),
                1 => recv_fds::<1>(&b, &mut [0u8; 1]).unwrap_err(),
                _ => recv_fds::<4>(&b, &mut [0u8; 1]).unwrap_err(),
            };
            assert_eq!(err, Error::TooManyFdsReceived { received: sent, capacity }, "{sent} into {capacity}");
        }
    });
}

#[test]
fn an_empty_datagram_from_a_live_peer_is_not_peer_closed() {
    let _g = common::serial();
    common::no_fd_leak("empty datagram", || {
        let (a, b) = pair(SocketType::Datagram);
        set_passcred(&b, true).unwrap();
        for _ in 0..3 {
            assert_eq!(rawscm::send(&a, b"").unwrap(), 0);
        }
        assert_eq!(recv_fds::<1>(&b, &mut [0u8; 4]).map(|(n, fds)| (n, fds.len())), Ok((0, 0)));
        assert_eq!(rawscm::recv(&b, &mut [0u8; 4]), Ok(0));
        let got = recv_credentials(&b, &mut [0u8; 4]).unwrap();
        assert_eq!((got.bytes, got.credentials), (0, Ucred::current()));
    });
}

#[test]
fn an_empty_seqpacket_message_is_not_peer_closed_but_the_peers_close_is() {
    let _g = common::serial();
    common::no_fd_leak("empty seqpacket", || {
        let (a, b) = pair(SocketType::SeqPacket);
        rawscm::send(&a, b"").unwrap();
        assert_eq!(recv_fds::<1>(&b, &mut [0u8; 4]).map(|(n, _)| n), Ok(0));
        drop(a);
        assert_eq!(recv_fds::<1>(&b, &mut [0u8; 4]).unwrap_err(), Error::PeerClosed);
        assert_eq!(rawscm::recv(&b, &mut [0u8; 4]), Err(Error::PeerClosed));
    });
}

#[test]
fn a_receive_into_an_empty_buffer_on_a_live_stream_is_not_peer_closed() {
    let _g = common::serial();
    common::no_fd_leak("empty buffer", || {
        let (a, b) = pair(SocketType::Stream);
        rawscm::send(&a, b"data").unwrap();
        // Nothing is read, nothing is lost: the data stays queued.
        assert_eq!(rawscm::recv(&b, &mut []), Ok(0));
        let mut buf = [0u8; 8];
        assert_eq!(rawscm::recv(&b, &mut buf), Ok(4));
        assert_eq!(&buf[..4], b"data");
        // With the peer gone, an empty buffer still reads 0 and a real one
        // reports the end of stream.
        drop(a);
        assert_eq!(rawscm::recv(&b, &mut []), Ok(0));
        assert_eq!(rawscm::recv(&b, &mut buf), Err(Error::PeerClosed));
    });
}

#[test]
fn credentials_with_descriptors_succeed_and_say_how_many_were_closed() {
    let _g = common::serial();
    common::no_fd_leak("creds + fds", || {
        for ty in TYPES {
            let (a, b) = pair(ty);
            set_passcred(&b, true).unwrap();
            for n in [1usize, 2, 3, 7] {
                let fds: Vec<BorrowedFd<'_>> = (0..n).map(|_| a.as_fd()).collect();
                let mut out = SendControl::<{ space_for_fds(7) + SPACE_CREDENTIALS }>::new();
                out.push_fds(&fds).unwrap();
                out.push_credentials(Ucred::current()).unwrap();
                sendmsg(&a, &[IoSlice::new(b"c")], &out, SendFlags::default()).unwrap();
                let got = recv_credentials(&b, &mut [0u8; 1]).unwrap();
                assert_eq!((got.credentials, got.fds_closed), (Ucred::current(), n), "{ty:?} with {n} fds");
            }
        }
    });
}

#[test]
fn received_fds_are_each_closed_once_whether_popped_iterated_or_dropped() {
    let _g = common::serial();
    common::no_fd_leak("Fds ownership", || {
        let (a, b) = pair(SocketType::Datagram);
        let (r, w) = pipe();
        let send3 = || send_fds(&a, b"x", &[r.as_fd(), w.as_fd(), a.as_fd()]).unwrap();
        let before = common::open_fds();

        // Popped from the back; the rest closed by the drop.
        send3();
        let (_, mut fds) = recv_fds::<3>(&b, &mut [0u8; 1]).unwrap();
        assert_eq!(common::open_fds().len(), before.len() + 3);
        let last = fds.pop().expect("three descriptors");
        assert_eq!(fds.len(), 2);
        drop(fds);
        assert_eq!(common::open_fds().len(), before.len() + 1, "the two left were closed");
        drop(last);
        assert_eq!(common::open_fds(), before);

        // Iterated by value, stopped after one: the iterator closes the rest.
        send3();
        let (_, fds) = recv_fds::<3>(&b, &mut [0u8; 1]).unwrap();
        let mut it = fds.into_iter();
        assert_eq!(it.len(), 3);
        let first = it.next().expect("a descriptor");
        assert_eq!(it.len(), 2);
        drop(it);
        assert_eq!(common::open_fds().len(), before.len() + 1);
        assert!(cloexec(&first), "the one taken is open (and close-on-exec)");
        drop(first);
        assert_eq!(common::open_fds(), before);

        // All taken out: nothing is closed twice (a double close would fail
        // the leak check's accounting or close a reused number).
        send3();
        let (_, fds) = recv_fds::<3>(&b, &mut [0u8; 1]).unwrap();
        let all: Vec<OwnedFd> = fds.into_iter().collect();
        assert_eq!(all.len(), 3);
        assert_eq!(common::open_fds().len(), before.len() + 3);
        drop(all);
        assert_eq!(common::open_fds(), before);
    });
}
