//! Named and abstract Unix sockets: socket, bind, listen, accept, connect,
//! shutdown, getsockname, getpeername, sending to an address and receiving
//! with the sender's, SO_PASSRIGHTS; against our own sockets and CPython's
//! `socket` module; every bad input a typed error.
mod common;

use proptest::prelude::*;
use rawscm::{
    AddrKind, AsFd, Errno, Error, IoSlice, IoSliceMut, OwnedFd, Received, RecvControl, SendControl, Shutdown,
    SocketFlags, SocketType, Ucred, UnixAddr, accept, bind, connect, getpeername, getsockname, listen, recv,
    recvmsg_from, send, sendmsg_to, set_passcred, set_passrights, shutdown, socket,
};
use std::io::{BufRead, BufReader};
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Stdio};

fn sock(ty: SocketType) -> OwnedFd {
    socket(ty, SocketFlags::default()).unwrap()
}

fn path_addr(p: &std::path::Path) -> UnixAddr {
    UnixAddr::path(p.as_os_str().as_bytes()).unwrap()
}

/// An abstract name no other test (or run) uses.
fn unique(tag: &str) -> UnixAddr {
    UnixAddr::abstract_name(format!("rawscm-test-{tag}-{}", std::process::id()).as_bytes()).unwrap()
}

#[test]
fn path_sockets_connect_accept_and_name_both_ends() {
    let _g = common::serial();
    let dir = common::TempDir::new("path");
    common::no_fd_leak("path sockets", || {
        for ty in [SocketType::Stream, SocketType::SeqPacket] {
            let at = dir.join(&format!("{ty:?}.sock"));
            let addr = path_addr(&at);
            let server = sock(ty);
            bind(&server, &addr).unwrap();
            assert!(at.exists(), "bind made the socket file");
            listen(&server, 4).unwrap();
            assert!(rawscm::listening(&server).unwrap());
            assert_eq!(getsockname(&server).unwrap(), addr);
            let client = sock(ty);
            connect(&client, &addr).unwrap();
            let (conn, peer) = accept(&server, SocketFlags::default()).unwrap();
            assert_eq!(peer.kind(), AddrKind::Unnamed, "an unbound client has no name");
            assert_eq!(getpeername(&client).unwrap(), addr);
            assert_eq!(getsockname(&conn).unwrap(), addr);
            let flags = unsafe { libc::fcntl(conn.as_raw_fd(), libc::F_GETFD) };
            assert_eq!(flags & libc::FD_CLOEXEC, libc::FD_CLOEXEC, "accept4 is close-on-exec by default");
            send(&client, b"ping").unwrap();
            let mut buf = [0u8; 8];
            assert_eq!(recv(&conn, &mut buf), Ok(4));
            shutdown(&client, Shutdown::Write).unwrap();
            assert_eq!(recv(&conn, &mut buf), Err(Error::PeerClosed));
            // The peer can still send back after our shutdown(Write).
            send(&conn, b"pong").unwrap();
            assert_eq!(recv(&client, &mut buf), Ok(4));
        }
    });
}

#[test]
fn abstract_names_hold_any_bytes_and_autobind_picks_five_hex_digits() {
    let _g = common::serial();
    common::no_fd_leak("abstract", || {
        let name = format!("rawscm\0with\nodd\u{ff}bytes-{}", std::process::id());
        let addr = UnixAddr::abstract_name(name.as_bytes()).unwrap();
        let server = sock(SocketType::Stream);
        bind(&server, &addr).unwrap();
        listen(&server, 1).unwrap();
        assert_eq!(getsockname(&server).unwrap().kind(), AddrKind::Abstract(name.as_bytes()));
        assert!(addr.to_string().starts_with("@rawscm\\x00with\\x0aodd"));
        let client = sock(SocketType::Stream);
        bind(&client, &UnixAddr::unnamed()).unwrap();
        let auto = getsockname(&client).unwrap();
        match auto.kind() {
            AddrKind::Abstract(n) => {
                assert_eq!(n.len(), 5, "{auto}");
                assert!(n.iter().all(u8::is_ascii_hexdigit), "{auto}");
            }
            other => panic!("autobind gave {other:?}"),
        }
        connect(&client, &addr).unwrap();
        let (_conn, peer) = accept(&server, SocketFlags::default()).unwrap();
        assert_eq!(peer, auto, "accept returns the peer's autobound name");
    });
}

#[test]
fn datagrams_to_an_address_carry_descriptors_credentials_and_the_senders_name() {
    let _g = common::serial();
    let dir = common::TempDir::new("dgram");
    common::no_fd_leak("sendmsg_to", || {
        let rx = sock(SocketType::Datagram);
        let rx_addr = path_addr(&dir.join("rx"));
        bind(&rx, &rx_addr).unwrap();
        set_passcred(&rx, true).unwrap();
        for from in [UnixAddr::unnamed(), unique("sender"), path_addr(&dir.join("tx"))] {
            let tx = sock(SocketType::Datagram);
            bind(&tx, &from).unwrap();
            let from = getsockname(&tx).unwrap(); // the autobound name, for unnamed
            let (x, _y) = rawscm::socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
            let mut out = SendControl::<{ rawscm::space_for_fds(1) + rawscm::SPACE_CREDENTIALS }>::new();
            out.push_fds(&[x.as_fd()]).unwrap();
            out.push_credentials(Ucred::current()).unwrap();
            assert_eq!(sendmsg_to(&tx, &rx_addr, &[IoSlice::new(b"dg")], &out, Default::default()), Ok(2));
            let mut buf = [0u8; 4];
            let mut control = RecvControl::<{ rawscm::space_for_fds(1) + rawscm::SPACE_CREDENTIALS }>::new();
            let (got, sender): (Received<1>, _) =
                recvmsg_from(&rx, &mut [IoSliceMut::new(&mut buf)], &mut control, Default::default())
                    .unwrap();
            assert_eq!((got.bytes, got.fds.len(), got.credentials), (2, 1, Some(Ucred::current())));
            assert_eq!(sender, from);
        }
    });
}

#[test]
fn bad_addresses_and_connections_are_typed_errors() {
    let _g = common::serial();
    let dir = common::TempDir::new("bad");
    common::no_fd_leak("bad input", || {
        // Too long: refused, never truncated.
        assert_eq!(UnixAddr::path(&[b'a'; 108]).unwrap_err(), Error::AddressTooLong { len: 108, max: 107 });
        assert_eq!(
            UnixAddr::abstract_name(&[0; 200]).unwrap_err(),
            Error::AddressTooLong { len: 200, max: 107 }
        );
        assert_eq!(UnixAddr::path(b"/a\0b").unwrap_err(), Error::Malformed(rawscm::Malformed::Nul));
        // The path exists: EADDRINUSE, also for a stale socket file.
        let at = dir.join("taken");
        let first = sock(SocketType::Stream);
        bind(&first, &path_addr(&at)).unwrap();
        let second = sock(SocketType::Stream);
        assert_eq!(bind(&second, &path_addr(&at)).unwrap_err().errno(), Some(Errno::EADDRINUSE));
        drop(first);
        assert_eq!(bind(&second, &path_addr(&at)).unwrap_err().errno(), Some(Errno::EADDRINUSE));
        // Connecting to nothing: no such path, a stale file, a free abstract name.
        let c = sock(SocketType::Stream);
        assert_eq!(connect(&c, &path_addr(&dir.join("none"))).unwrap_err().errno(), Some(Errno::ENOENT));
        assert_eq!(connect(&c, &path_addr(&at)).unwrap_err().errno(), Some(Errno::ECONNREFUSED));
        assert_eq!(connect(&c, &unique("nobody")).unwrap_err().errno(), Some(Errno::ECONNREFUSED));
        // A datagram to nobody.
        let d = sock(SocketType::Datagram);
        let none = SendControl::<0>::new();
        let r = sendmsg_to(&d, &unique("nobody-dgram"), &[IoSlice::new(b"x")], &none, Default::default());
        assert_eq!(r.unwrap_err().errno(), Some(Errno::ECONNREFUSED));
        // The wrong type at an address: a path says so, an abstract name
        // of another type is not found.
        let dg = sock(SocketType::Datagram);
        bind(&dg, &path_addr(&dir.join("dgram"))).unwrap();
        assert_eq!(connect(&c, &path_addr(&dir.join("dgram"))).unwrap_err().errno(), Some(Errno::EPROTOTYPE));
        let dg2 = sock(SocketType::Datagram);
        bind(&dg2, &unique("dgram-only")).unwrap();
        assert_eq!(connect(&c, &unique("dgram-only")).unwrap_err().errno(), Some(Errno::ECONNREFUSED));
        // Accepting on a socket that does not listen.
        assert_eq!(accept(&dg, SocketFlags::default()).unwrap_err().errno(), Some(Errno::EOPNOTSUPP));
    });
}

#[test]
fn a_receiver_that_refuses_descriptors_makes_the_sender_fail_with_eperm() {
    let _g = common::serial();
    common::no_fd_leak("SO_PASSRIGHTS", || {
        for ty in [SocketType::Datagram, SocketType::Stream, SocketType::SeqPacket] {
            let (a, b) = rawscm::socketpair(ty, SocketFlags::default()).unwrap();
            match set_passrights(&b, false) {
                Ok(()) => {}
                Err(Error::Os(Errno::ENOPROTOOPT)) if common::under_qemu() => {
                    common::skip("qemu-user does not know SO_PASSRIGHTS");
                    return;
                }
                Err(Error::Os(Errno::ENOPROTOOPT))
                    if common::skip_if_kernel_lacks("SO_PASSRIGHTS", (6, 16), "") =>
                {
                    return;
                }
                Err(e) => panic!("SO_PASSRIGHTS: {e}"),
            }
            assert!(!rawscm::passrights(&b).unwrap());
            assert_eq!(
                rawscm::send_fds(&a, b"x", &[a.as_fd()]).unwrap_err().errno(),
                Some(Errno::EPERM),
                "{ty:?}"
            );
            // Nothing reached the receiver; data alone still does.
            send(&a, b"y").unwrap();
            let mut buf = [0u8; 1];
            assert_eq!(recv(&b, &mut buf), Ok(1));
            assert_eq!(&buf, b"y", "{ty:?}: the refused message never arrived");
            set_passrights(&b, true).unwrap();
            assert_eq!(rawscm::send_fds(&a, b"z", &[a.as_fd()]), Ok(1));
            assert_eq!(rawscm::recv_fds::<1>(&b, &mut buf).map(|(n, f)| (n, f.len())), Ok((1, 1)));
        }
    });
}

/// CPython as the peer: it connects to our path and abstract listeners and
/// talks; it receives our datagram sent to its address and reports ours.
#[test]
fn cpython_peers_connect_to_and_exchange_datagrams_with_rawscm_sockets() {
    let _g = common::serial();
    if !common::have_program("python3") {
        return;
    }
    let dir = common::TempDir::new("py");
    let at = dir.join("srv.sock");
    let abs = unique("py-listener");
    let AddrKind::Abstract(abs_name) = abs.kind() else { unreachable!() };
    let servers: Vec<OwnedFd> = [path_addr(&at), abs]
        .iter()
        .map(|a| {
            let s = sock(SocketType::Stream);
            bind(&s, a).unwrap();
            listen(&s, 2).unwrap();
            s
        })
        .collect();
    let code = r#"
import socket, sys
for target in (sys.argv[1], "\0" + sys.argv[2]):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(target)
    s.sendall(b"from python")
    print(s.recv(64).decode())
"#;
    let mut py = Command::new("python3")
        .args(["-c", code, at.to_str().unwrap(), std::str::from_utf8(abs_name).unwrap()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    for (i, s) in servers.iter().enumerate() {
        let (conn, _) = accept(s, SocketFlags::default()).unwrap();
        let mut buf = [0u8; 32];
        let n = recv(&conn, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"from python");
        send(&conn, format!("rawscm {i}").as_bytes()).unwrap();
    }
    let out = BufReader::new(py.stdout.take().unwrap()).lines().map(Result::unwrap).collect::<Vec<_>>();
    assert!(py.wait().unwrap().success());
    assert_eq!(out, ["rawscm 0", "rawscm 1"]);

    // Datagrams: CPython binds, we send to it; it reports what came and from whom.
    let code = r#"
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + sys.argv[1])
print("ready", flush=True)
data, addr = s.recvfrom(64)
print(data.decode(), addr[1:].decode() if isinstance(addr, bytes) else addr, flush=True)
s.sendto(b"back at you", addr)
"#;
    let py_name = format!("rawscm-test-py-dgram-{}", std::process::id());
    let mut py = Command::new("python3").args(["-c", code, &py_name]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(py.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    let tx = sock(SocketType::Datagram);
    bind(&tx, &unique("to-python")).unwrap();
    let py_addr = UnixAddr::abstract_name(py_name.as_bytes()).unwrap();
    sendmsg_to(&tx, &py_addr, &[IoSlice::new(b"hello python")], &SendControl::<0>::new(), Default::default())
        .unwrap();
    let report = lines.next().unwrap().unwrap();
    assert_eq!(report, format!("hello python rawscm-test-to-python-{}", std::process::id()));
    let mut buf = [0u8; 32];
    let mut control = RecvControl::<0>::new();
    let (got, from): (Received<0>, _) =
        recvmsg_from(&tx, &mut [IoSliceMut::new(&mut buf)], &mut control, Default::default()).unwrap();
    assert_eq!((&buf[..got.bytes], from), (&b"back at you"[..], py_addr));
    assert!(py.wait().unwrap().success());
}

/// The kernel accepts a 108-byte path with no NUL (CPython binds one,
/// through `ctypes`: its `socket` module refuses); its address comes back
/// to us with a length past `sockaddr_un` and reads back exactly.
#[test]
fn a_108_byte_path_without_nul_from_the_kernel_reads_back_exactly() {
    let _g = common::serial();
    if !common::have_program("python3") {
        return;
    }
    let dir = common::TempDir::new("p108");
    let name = "n".repeat(108);
    let rx = sock(SocketType::Datagram);
    let rx_addr = unique("p108");
    bind(&rx, &rx_addr).unwrap();
    let AddrKind::Abstract(rx_name) = rx_addr.kind() else { unreachable!() };
    let code = r#"
import ctypes, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
raw = struct.pack("H", socket.AF_UNIX) + sys.argv[1].encode()
assert len(raw) == 110
libc = ctypes.CDLL(None, use_errno=True)
if libc.bind(s.fileno(), ctypes.c_char_p(raw), len(raw)) != 0:
    sys.exit("bind: errno %d" % ctypes.get_errno())
s.sendto(b"long", "\0" + sys.argv[2])
"#;
    let status = Command::new("python3")
        .current_dir(&dir.0)
        .args(["-c", code, &name, std::str::from_utf8(rx_name).unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut buf = [0u8; 8];
    let mut control = RecvControl::<0>::new();
    let (got, from): (Received<0>, _) =
        recvmsg_from(&rx, &mut [IoSliceMut::new(&mut buf)], &mut control, Default::default()).unwrap();
    assert_eq!(got.bytes, 4);
    assert_eq!(from.kind(), AddrKind::Path(name.as_bytes()));
    assert_eq!(from.len(), 2 + 108 + 1, "the kernel's length, past the structure");
    // Our own constructor refuses 108 bytes: it always leaves room for the NUL.
    assert!(UnixAddr::path(name.as_bytes()).is_err());
}

/// A socketpair's ends have no names and do not listen.
#[test]
fn socketpair_ends_are_unnamed_and_do_not_listen() {
    let (a, b) = rawscm::socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
    assert!(!rawscm::listening(&a).unwrap());
    assert_eq!(getsockname(&a).unwrap(), UnixAddr::unnamed());
    assert_eq!(getpeername(&b).unwrap(), UnixAddr::unnamed());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: if common::under_qemu() { 256 } else { 2048 }, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever bytes and length the kernel (or anyone) hands over, parsing
    /// never panics, and a path never has a NUL, nor a name more than 108
    /// bytes.
    #[test]
    fn parsing_any_sockaddr_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..130), len in 0usize..300) {
        if let Ok(a) = UnixAddr::from_raw(&bytes, len) {
            match a.kind() {
                AddrKind::Path(p) => prop_assert!(!p.is_empty() && !p.contains(&0) && p.len() <= 108),
                AddrKind::Abstract(n) => prop_assert!(n.len() <= 107),
                AddrKind::Unnamed => prop_assert!(len <= 2 || bytes.len() <= 2),
            }
            let _ = a.to_string();
        }
    }

    /// What the constructors make survives the trip through raw bytes.
    #[test]
    fn constructed_addresses_round_trip(name in proptest::collection::vec(any::<u8>(), 0..110), abstract_ in any::<bool>()) {
        let made = if abstract_ { UnixAddr::abstract_name(&name) } else { UnixAddr::path(&name) };
        if let Ok(a) = made {
            let mut raw = Vec::from((libc::AF_UNIX as u16).to_ne_bytes());
            raw.extend(if abstract_ { std::iter::once(0).chain(name.iter().copied()).collect::<Vec<_>>() } else { name.clone() });
            let back = UnixAddr::from_raw(&raw, a.len()).unwrap();
            prop_assert_eq!(back, a);
            prop_assert_eq!(back.kind(), if abstract_ { AddrKind::Abstract(&name) } else { AddrKind::Path(&name) });
        } else {
            prop_assert!(name.len() > 107 || (!abstract_ && (name.is_empty() || name.contains(&0))));
        }
    }
}
