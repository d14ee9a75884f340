//! sd_notify, both sides, against programs nobody here wrote: Debian's
//! `systemd-notify` and CPython's `socket` module; and every malformed
//! message a typed error that leaks nothing.
mod common;

use core::time::Duration;
use rawscm::notify::{Assignment, Message, Notification, NotifySocket, barrier, notify};
use rawscm::{AsFd, Deadline, Errno, Error, Malformed, SocketFlags, SocketType, UnixAddr};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// A notify socket at a fresh abstract name, and that name as
/// `$NOTIFY_SOCKET` spells it.
fn manager(tag: &str, fd_store: bool) -> (NotifySocket, String) {
    let name = format!("rawscm-test-notify-{tag}-{}", std::process::id());
    let s = NotifySocket::bind(&UnixAddr::abstract_name(name.as_bytes()).unwrap(), fd_store).unwrap();
    (s, format!("@{name}"))
}

fn wait(s: &NotifySocket) {
    rawscm::wait_readable_for(s, Duration::from_secs(30)).expect("a notification within 30 s");
}

fn texts<'b, const N: usize>(m: &Message<'b, N>) -> Vec<Assignment<'b>> {
    m.assignments().collect()
}

#[test]
fn systemd_notify_reaches_a_rawscm_manager_with_the_kernels_credentials() {
    let _g = common::serial();
    if !common::have_program("systemd-notify") {
        return;
    }
    // An fd store: systemd-notify ends with a barrier (BARRIER=1 and a pipe
    // end, waiting until we close it) unless told --no-block.
    let (mgr, env) = manager("systemd", true);
    let mut buf = [0u8; 4096];
    // systemd-notify speaks for its parent (us) unless --pid= says otherwise;
    // doing so needs privilege, else it sends its own pid.
    let mut child = Command::new("systemd-notify")
        .args(["--ready", "--status=all set"])
        .env("NOTIFY_SOCKET", &env)
        .spawn()
        .unwrap();
    wait(&mgr);
    let m = mgr.recv::<0>(&mut buf).unwrap();
    assert!(texts(&m).contains(&Assignment::Ready), "{:?}", String::from_utf8_lossy(m.text));
    assert!(texts(&m).contains(&Assignment::Status(b"all set")));
    if common::is_root() {
        assert_eq!(m.sender.pid, rawscm::getpid(), "speaks for its parent");
    } else {
        assert_eq!(m.sender.pid, child.id() as i32);
    }
    assert_eq!((m.sender.uid, m.sender.gid), (rawscm::getuid(), rawscm::getgid()));
    wait(&mgr);
    let b = mgr.recv::<1>(&mut buf).unwrap();
    assert_eq!((texts(&b), b.fds.len()), (vec![Assignment::Barrier], 1));
    drop(b); // releases systemd-notify
    assert!(child.wait().unwrap().success());

    // --pid=: MAINPID= in the text and that pid in the credentials.
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    let pid = sleeper.id() as i32;
    let status = Command::new("systemd-notify")
        .args([format!("--pid={pid}"), "--status=for a child".into(), "--no-block".into()])
        .env("NOTIFY_SOCKET", &env)
        .status()
        .unwrap();
    assert!(status.success());
    wait(&mgr);
    let m = mgr.recv::<0>(&mut buf).unwrap();
    assert!(texts(&m).contains(&Assignment::MainPid(pid)), "{:?}", String::from_utf8_lossy(m.text));
    assert!(texts(&m).contains(&Assignment::Status(b"for a child")));
    if common::is_root() {
        assert_eq!(m.sender.pid, pid);
    }
    let _ = sleeper.kill();
    let _ = sleeper.wait();
}

/// CPython as the manager: it binds a datagram socket with SO_PASSCRED,
/// receives one message with descriptors, and reports text, descriptor
/// count, what the first descriptor reads, and the sender's pid.
#[test]
fn a_cpython_manager_receives_rawscm_notifications_with_descriptors() {
    let _g = common::serial();
    if !common::have_program("python3") {
        return;
    }
    let code = r#"
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
s.bind("\0" + sys.argv[1])
print("ready", flush=True)
for _ in range(2):
    data, anc, flags, addr = s.recvmsg(4096, 4096)
    fds, pid = [], None
    for level, kind, payload in anc:
        if kind == socket.SCM_RIGHTS:
            fds += array.array("i", payload[: len(payload) - len(payload) % 4])
        if kind == socket.SCM_CREDENTIALS:
            pid = int.from_bytes(payload[:4], sys.byteorder)
    first = os.read(fds[0], 64).decode() if fds else "-"
    for fd in fds:
        os.close(fd)
    print(repr(data.decode()), len(fds), first, pid, flush=True)
"#;
    let name = format!("rawscm-test-py-manager-{}", std::process::id());
    let mut py = Command::new("python3").args(["-c", code, &name]).stdout(Stdio::piped()).spawn().unwrap();
    let mut lines = BufReader::new(py.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    let addr = UnixAddr::abstract_name(name.as_bytes()).unwrap();
    let mut p = [0i32; 2];
    assert_eq!(unsafe { libc::pipe2(p.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    let (r, w) = unsafe { (rawscm::OwnedFd::from_raw_fd(p[0]), rawscm::OwnedFd::from_raw_fd(p[1])) };
    assert_eq!(unsafe { libc::write(w.as_raw_fd(), b"kept".as_ptr().cast(), 4) }, 4);
    Notification::new(b"FDSTORE=1\nFDNAME=pipe").fds(&[r.as_fd()]).send(&addr).unwrap();
    notify(&addr, b"READY=1").unwrap();
    let me = rawscm::getpid();
    assert_eq!(lines.next().unwrap().unwrap(), format!("'FDSTORE=1\\nFDNAME=pipe' 1 kept {me}"));
    assert_eq!(lines.next().unwrap().unwrap(), format!("'READY=1' 0 - {me}"));
    assert!(py.wait().unwrap().success());
}

/// CPython as the service: it sends `FDSTORE=1` with two descriptors, and a
/// `STATUS=`; the rawscm manager gets both, attributed to CPython's pid.
#[test]
fn cpython_services_store_descriptors_with_a_rawscm_manager() {
    let _g = common::serial();
    if !common::have_program("python3") {
        return;
    }
    let (mgr, env) = manager("py-service", true);
    let code = r#"
import array, os, socket
addr = os.environ["NOTIFY_SOCKET"].replace("@", "\0", 1)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
r, w = os.pipe()
os.write(w, b"stored")
fds = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [r, w]))]
s.sendmsg([b"FDSTORE=1\nFDNAME=a-pipe\n"], fds, 0, addr)
s.sendto(b"STATUS=python here", addr)
print(os.getpid(), flush=True)
"#;
    let out = Command::new("python3").args(["-c", code]).env("NOTIFY_SOCKET", &env).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let py_pid: i32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    let mut buf = [0u8; 256];
    wait(&mgr);
    let m = mgr.recv::<2>(&mut buf).unwrap();
    assert_eq!(texts(&m), [Assignment::FdStore, Assignment::FdName(b"a-pipe")]);
    assert_eq!((m.sender.pid, m.fds.len()), (py_pid, 2));
    let mut got = [0u8; 16];
    let n = unsafe { libc::read(m.fds[0].as_raw_fd(), got.as_mut_ptr().cast(), got.len()) };
    assert_eq!(&got[..n as usize], b"stored");
    drop(m);
    let m = mgr.recv::<0>(&mut buf).unwrap();
    assert_eq!(texts(&m), [Assignment::Status(b"python here")]);
}

#[test]
fn barrier_waits_for_the_manager_and_times_out_without_one() {
    let _g = common::serial();
    common::no_fd_leak("barrier", || {
        let (mgr, env) = manager("barrier", true);
        let addr = rawscm::notify::socket_addr(env.as_bytes()).unwrap();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| barrier(&addr, Deadline::after(Duration::from_secs(10))));
            wait(&mgr);
            let mut buf = [0u8; 64];
            let m = mgr.recv::<1>(&mut buf).unwrap();
            assert_eq!((texts(&m), m.fds.len()), (vec![Assignment::Barrier], 1));
            drop(m); // the manager closes the pipe end: the barrier is passed
            assert_eq!(waiter.join().unwrap(), Ok(()));
        });
        // A manager that keeps the pipe end: the deadline ends the wait.
        let start = std::time::Instant::now();
        let r = barrier(&addr, Deadline::after(Duration::from_millis(100)));
        assert_eq!(r, Err(Error::Timeout));
        assert!(start.elapsed() < Duration::from_secs(5));
        let mut buf = [0u8; 64];
        let m = mgr.recv::<1>(&mut buf).unwrap(); // and now it closes it
        assert_eq!(m.fds.len(), 1);
    });
}

#[test]
fn the_environment_names_the_manager() {
    let env = [&b"PATH=/bin"[..], b"NOTIFY_SOCKET=@mgr"];
    assert_eq!(rawscm::notify::socket_addr_in(env).unwrap(), Some(UnixAddr::abstract_name(b"mgr").unwrap()));
    assert_eq!(
        rawscm::notify::socket_addr_in([&b"NOTIFY_SOCKET=run/x"[..]]),
        Err(Error::Malformed(Malformed::Address))
    );
    assert_eq!(rawscm::notify::socket_addr_in([]), Ok(None));
}

/// Sends `text` (and `fds`) as raw datagrams from a socket of our own.
fn raw_send(to: &UnixAddr, text: &[u8], fds: &[rawscm::BorrowedFd<'_>]) -> rawscm::Result<usize> {
    let s = rawscm::socket(SocketType::Datagram, SocketFlags::default()).unwrap();
    let mut control = rawscm::SendControl::<{ rawscm::space_for_fds(4) }>::new();
    control.push_fds(fds).unwrap();
    rawscm::sendmsg_to(&s, to, &[rawscm::IoSlice::new(text)], &control, Default::default())
}

#[test]
fn malformed_notifications_are_typed_errors_and_close_what_came() {
    let _g = common::serial();
    common::no_fd_leak("malformed", || {
        let (mgr, env) = manager("malformed", true);
        let to = rawscm::notify::socket_addr(env.as_bytes()).unwrap();
        let (x, _y) = rawscm::socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
        let m = |w| Err(Error::Malformed(w));
        for (text, want) in [
            (&b"READY=1\nno equals"[..], m(Malformed::NoEquals)),
            (b"READY=1\0", m(Malformed::Nul)),
            (b"MAINPID=abc", m(Malformed::Number)),
            (b"MAINPID=0", m(Malformed::Number)),
            (b"ERRNO=-5", m(Malformed::Number)),
            (b"WATCHDOG_USEC=99999999999999999999", m(Malformed::Number)),
            (b"\n\n", m(Malformed::Empty)),
        ] {
            raw_send(&to, text, &[x.as_fd(), x.as_fd()]).unwrap();
            let mut buf = [0u8; 64];
            assert_eq!(mgr.recv::<2>(&mut buf).map(drop), want, "{:?}", String::from_utf8_lossy(text));
        }
        // Exactly the buffer's size fits; one byte more is truncation.
        let mut buf = [0u8; 16];
        raw_send(&to, b"STATUS=123456789", &[]).unwrap();
        assert_eq!(mgr.recv::<0>(&mut buf).map(|m| m.text.len()), Ok(16));
        raw_send(&to, b"STATUS=1234567890", &[x.as_fd()]).unwrap();
        assert_eq!(mgr.recv::<1>(&mut buf).map(drop), Err(Error::DataTruncated { fds_closed: 1 }));
        // More descriptors than the caller takes.
        raw_send(&to, b"FDSTORE=1", &[x.as_fd(), x.as_fd(), x.as_fd()]).unwrap();
        assert_eq!(
            mgr.recv::<2>(&mut buf).map(drop),
            Err(Error::TooManyFdsReceived { received: 3, capacity: 2 })
        );
        // An empty text is refused before sending.
        assert_eq!(notify(&to, b""), m(Malformed::Empty));
    });
}

#[test]
fn a_manager_without_an_fd_store_refuses_descriptors_at_the_sender() {
    let _g = common::serial();
    common::no_fd_leak("no fd store", || {
        let (mgr, env) = manager("no-store", false);
        let to = rawscm::notify::socket_addr(env.as_bytes()).unwrap();
        let (x, _y) = rawscm::socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
        match rawscm::passrights(&mgr) {
            Ok(false) => {
                let r = Notification::new(b"FDSTORE=1").fds(&[x.as_fd()]).send(&to);
                assert_eq!(r.unwrap_err().errno(), Some(Errno::EPERM));
                notify(&to, b"READY=1").unwrap();
                let mut buf = [0u8; 64];
                let m = mgr.recv::<1>(&mut buf).unwrap();
                assert_eq!(
                    (texts(&m), m.fds.len()),
                    (vec![Assignment::Ready], 0),
                    "nothing of the refused one"
                );
            }
            // qemu-user refuses to set the option and passes the get
            // through to the host, where it is on.
            Err(Error::Os(Errno::ENOPROTOOPT)) | Ok(true)
                if common::under_qemu() || common::kernel_older_than((6, 16)) =>
            {
                // Before 6.16 they arrive, and recv closes what it does not take.
                if common::under_qemu() {
                    common::skip("qemu-user does not know SO_PASSRIGHTS");
                } else {
                    common::skip_if_kernel_lacks("SO_PASSRIGHTS", (6, 16), "");
                }
                Notification::new(b"FDSTORE=1").fds(&[x.as_fd()]).send(&to).unwrap();
                let mut buf = [0u8; 64];
                assert_eq!(
                    mgr.recv::<0>(&mut buf).map(drop),
                    Err(Error::TooManyFdsReceived { received: 1, capacity: 0 })
                );
            }
            other => panic!("passrights: {other:?}"),
        }
    });
}

/// `examples/notify.rs` against a rawscm manager: STATUS, then READY with a
/// stored descriptor, then a barrier that we release.
#[test]
fn the_notify_example_talks_to_a_rawscm_manager() {
    let _g = common::serial();
    let exe = common::example("notify");
    if !exe.exists() {
        common::skip("examples/notify was not built (cargo test builds it with --features std)");
        return;
    }
    let (mgr, env) = manager("example", true);
    let mut cmd: Vec<std::ffi::OsString> = common::runner().into_iter().map(Into::into).collect();
    cmd.push(exe.into_os_string());
    let child = Command::new(&cmd[0])
        .args(&cmd[1..])
        .arg("--barrier")
        .env("NOTIFY_SOCKET", &env)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut buf = [0u8; 256];
    wait(&mgr);
    assert_eq!(texts(&mgr.recv::<0>(&mut buf).unwrap()), [Assignment::Status(b"starting")]);
    wait(&mgr);
    let m = mgr.recv::<1>(&mut buf).unwrap();
    assert_eq!(
        texts(&m),
        [
            Assignment::Ready,
            Assignment::Status(b"ready"),
            Assignment::FdStore,
            Assignment::FdName(b"example")
        ]
    );
    assert_eq!((m.fds.len(), m.sender.pid), (1, child.id() as i32));
    drop(m);
    wait(&mgr);
    let b = mgr.recv::<1>(&mut buf).unwrap();
    assert_eq!(texts(&b), [Assignment::Barrier]);
    drop(b);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.starts_with(b"notified @rawscm-test-notify-example"));
}
