//! Socket activation, the activated side: `examples/activated.rs` started
//! by Debian's `systemd-socket-activate` in each of its modes, while the
//! test is the client; and every bad input of `listen_fds` a typed error
//! that takes, closes and changes nothing.
mod common;

use rawscm::activation::{Vars, listen_fds};
use rawscm::{Errno, Error, ExitStatus, Malformed, SocketFlags, SocketType, UnixAddr};
use std::os::unix::ffi::OsStrExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `systemd-socket-activate -l <path> <options> <activated example>`.
fn activate(path: &std::path::Path, options: &[&str]) -> Child {
    let mut cmd = Command::new("systemd-socket-activate");
    cmd.arg("-l").arg(path).args(options);
    cmd.args(common::runner()).arg(common::example("activated"));
    cmd.stderr(Stdio::null()).spawn().expect("systemd-socket-activate")
}

/// Waits until the activator's socket file exists.
fn wait_for(path: &std::path::Path) {
    let start = Instant::now();
    while !path.exists() {
        assert!(start.elapsed() < Duration::from_secs(20), "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn ready() -> bool {
    if !common::have_program("systemd-socket-activate") {
        return false;
    }
    if !common::example("activated").exists() {
        common::skip("examples/activated was not built (cargo test builds it with --features std)");
        return false;
    }
    true
}

/// One request over a connected socket of `ty`; returns the reply.
fn ask(path: &std::path::Path, ty: SocketType, request: &[u8]) -> String {
    let c = rawscm::socket(ty, SocketFlags::default()).unwrap();
    rawscm::connect(&c, &UnixAddr::path(path.as_os_str().as_bytes()).unwrap()).unwrap();
    rawscm::send(&c, request).unwrap();
    rawscm::wait_readable_for(&c, Duration::from_secs(30)).unwrap();
    let mut buf = [0u8; 256];
    let n = rawscm::recv(&c, &mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

#[test]
fn activated_by_systemd_socket_activate_on_a_listening_stream_socket() {
    let _g = common::serial();
    if !ready() {
        return;
    }
    let dir = common::TempDir::new("act-stream");
    let at = dir.join("s.sock");
    let mut act = activate(&at, &["--fdname=web"]);
    wait_for(&at);
    assert_eq!(ask(&at, SocketType::Stream, b"hello"), "web Stream got hello");
    assert!(act.wait().unwrap().success(), "the service served one request and exited 0");
}

#[test]
fn activated_per_connection_with_accept() {
    let _g = common::serial();
    if !ready() {
        return;
    }
    let dir = common::TempDir::new("act-accept");
    let at = dir.join("a.sock");
    let mut act = activate(&at, &["--accept", "--fdname=conn"]);
    wait_for(&at);
    // Each connection gets its own instance, handed the connection itself.
    assert_eq!(ask(&at, SocketType::Stream, b"one"), "conn Stream got one");
    assert_eq!(ask(&at, SocketType::Stream, b"two"), "conn Stream got two");
    let _ = act.kill();
    let _ = act.wait();
}

#[test]
fn activated_on_seqpacket_and_datagram_sockets() {
    let _g = common::serial();
    if !ready() {
        return;
    }
    let dir = common::TempDir::new("act-other");
    let at = dir.join("q.sock");
    let mut act = activate(&at, &["--seqpacket", "--fdname=packets"]);
    wait_for(&at);
    assert_eq!(ask(&at, SocketType::SeqPacket, b"pkt"), "packets SeqPacket got pkt");
    assert!(act.wait().unwrap().success());

    let at = dir.join("d.sock");
    let mut act = activate(&at, &["--datagram"]);
    wait_for(&at);
    // The service answers the sender's address: the client binds one.
    let c = rawscm::socket(SocketType::Datagram, SocketFlags::default()).unwrap();
    rawscm::bind(&c, &UnixAddr::unnamed()).unwrap();
    let to = UnixAddr::path(at.as_os_str().as_bytes()).unwrap();
    let none = rawscm::SendControl::<0>::new();
    rawscm::sendmsg_to(&c, &to, &[rawscm::IoSlice::new(b"dg")], &none, Default::default()).unwrap();
    rawscm::wait_readable_for(&c, Duration::from_secs(30)).unwrap();
    let mut buf = [0u8; 64];
    let n = rawscm::recv(&c, &mut buf).unwrap();
    assert_eq!(&buf[..n], b"unknown datagram got dg", "no --fdname: systemd's \"unknown\"");
    assert!(act.wait().unwrap().success());
}

/// Runs `check` in a child where descriptors 3 and 4 are the two ends of a
/// socketpair and nothing else above 2 is open; `check` gets our pid.
fn with_fds_3_and_4(check: fn(i32) -> i32) -> ExitStatus {
    let (status, _) = common::run_in_child(Duration::from_secs(10), move || {
        let (a, b) = rawscm::socketpair(SocketType::Stream, SocketFlags::default()).unwrap();
        unsafe {
            if libc::dup2(a.as_raw_fd(), 3) != 3 || libc::dup2(b.as_raw_fd(), 4) != 4 {
                return 2;
            }
            // As an activator passes them: not close-on-exec (dup2 onto
            // the same number keeps the flag, so clear it).
            if libc::fcntl(3, libc::F_SETFD, 0) != 0 || libc::fcntl(4, libc::F_SETFD, 0) != 0 {
                return 3;
            }
            libc::syscall(libc::SYS_close_range, 5u32, u32::MAX, 0u32);
        }
        std::mem::forget((a, b)); // closed by close_range above (or are 3 and 4)
        check(rawscm::getpid())
    });
    status
}

#[test]
fn listen_fds_takes_named_descriptors_and_marks_them_close_on_exec() {
    let _g = common::serial();
    let status = with_fds_3_and_4(|pid| {
        let pid = pid.to_string();
        let vars = Vars {
            listen_pid: Some(pid.as_bytes()),
            listen_fds: Some(b"2"),
            listen_fdnames: Some(b"first:second"),
        };
        // SAFETY: in this child nothing else owns 3 and 4.
        let Ok(fds) = (unsafe { listen_fds::<2>(vars) }) else { return 10 };
        let names: Vec<&[u8]> = fds.iter().map(|l| &l.name[..]).collect();
        if names != [&b"first"[..], b"second"] || fds[0].fd.as_raw_fd() != 3 || fds[1].fd.as_raw_fd() != 4 {
            return 11;
        }
        if fds.iter().any(|l| unsafe { libc::fcntl(l.fd.as_raw_fd(), libc::F_GETFD) } & libc::FD_CLOEXEC == 0)
        {
            return 12;
        }
        // They work: 3 and 4 are a connected pair.
        if rawscm::send(&fds[0].fd, b"x") != Ok(1) || rawscm::recv(&fds[1].fd, &mut [0u8; 1]) != Ok(1) {
            return 13;
        }
        // Without names: systemd's "unknown".
        drop(fds);
        0
    });
    assert_eq!(status, ExitStatus::Exited(0));
}

#[test]
fn bad_activation_variables_are_typed_errors_that_touch_nothing() {
    let _g = common::serial();
    let status = with_fds_3_and_4(|pid| {
        let me = pid.to_string();
        let other = (pid + 1).to_string();
        let cases: [(Vars<'_>, Error); 7] = [
            (
                Vars { listen_pid: Some(other.as_bytes()), listen_fds: Some(b"2"), listen_fdnames: None },
                Error::NotForThisProcess { listen_pid: pid + 1 },
            ),
            (
                Vars { listen_pid: Some(me.as_bytes()), listen_fds: Some(b"two"), listen_fdnames: None },
                Error::Malformed(Malformed::Number),
            ),
            (
                Vars { listen_pid: Some(b"-1"), listen_fds: Some(b"2"), listen_fdnames: None },
                Error::Malformed(Malformed::Number),
            ),
            (
                Vars {
                    listen_pid: Some(me.as_bytes()),
                    listen_fds: Some(b"2147483647"),
                    listen_fdnames: None,
                },
                Error::Malformed(Malformed::Number),
            ),
            (
                Vars {
                    listen_pid: Some(me.as_bytes()),
                    listen_fds: Some(b"2"),
                    listen_fdnames: Some(b"only-one"),
                },
                Error::Malformed(Malformed::Count),
            ),
            (
                Vars { listen_pid: Some(me.as_bytes()), listen_fds: Some(b"2"), listen_fdnames: None },
                Error::TooManyFdsReceived { received: 2, capacity: 1 },
            ),
            (
                Vars { listen_pid: Some(me.as_bytes()), listen_fds: Some(b"3"), listen_fdnames: None },
                Error::TooManyFdsReceived { received: 3, capacity: 1 },
            ),
        ];
        for (i, (vars, want)) in cases.into_iter().enumerate() {
            // SAFETY: nothing is taken on these error paths (checked below).
            if unsafe { listen_fds::<1>(vars) }.map(drop) != Err(want) {
                return 10 + i as i32;
            }
        }
        // 5 is not open: EBADF, and 3 and 4 are left as they were.
        let vars = Vars { listen_pid: Some(me.as_bytes()), listen_fds: Some(b"3"), listen_fdnames: None };
        // SAFETY: as above.
        if unsafe { listen_fds::<3>(vars) }.map(drop) != Err(Error::Os(Errno::EBADF)) {
            return 20;
        }
        for fd in [3, 4] {
            if unsafe { libc::fcntl(fd, libc::F_GETFD) } != 0 {
                return 21; // still open, still without close-on-exec
            }
        }
        // No variables at all: no activation, nothing taken.
        // SAFETY: nothing is taken.
        match unsafe { listen_fds::<1>(Vars::default()) } {
            Ok(v) if v.is_empty() => 0,
            _ => 22,
        }
    });
    assert_eq!(status, ExitStatus::Exited(0));
}

#[test]
fn the_variables_are_found_in_an_environment_list() {
    let env = [&b"LISTEN_FDNAMES=a:b"[..], b"LISTEN_PID=7", b"HOME=/", b"LISTEN_FDS=2"];
    assert_eq!(
        Vars::from_environ(env),
        Vars { listen_pid: Some(b"7"), listen_fds: Some(b"2"), listen_fdnames: Some(b"a:b") }
    );
}
