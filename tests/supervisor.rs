//! The libc-free mini supervisor (`rt/examples/mini_supervisor.rs`, a
//! `#![no_std]` `#![no_main]` program on rawscm-rt) with real programs as
//! its child: Debian's `systemd-socket-proxyd`, socket-activated, proxying
//! to a backend this test runs; and CPython, which sends `READY=1` and
//! `STATUS=` with its `socket` module and reads the forwarded `SIGTERM`.
//!
//! The binary: `$RAWSCM_SUPERVISOR` (the xtask builds it for the row's
//! architecture; under qemu-user it runs in the emulator and its children,
//! host programs, natively), else, natively, built here once with cargo.
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

const LONG: Duration = Duration::from_secs(30);
const PREFIX: &str = "mini_supervisor: ";

/// The supervisor binary, or `None` after saying why there is none.
fn supervisor() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("RAWSCM_SUPERVISOR") {
        return Some(PathBuf::from(p));
    }
    if common::under_qemu() {
        common::skip("RAWSCM_SUPERVISOR is not set (cargo xtask test builds it for each architecture)");
        return None;
    }
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        // A target directory of its own: the outer cargo's stays untouched.
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let target = exe.ancestors().nth(3).ok_or("no target dir")?.join("supervisor-test");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "build",
                "--release",
                "-p",
                "rawscm-rt",
                "--features",
                "examples",
                "--example",
                "mini_supervisor",
            ])
            .arg("--target-dir")
            .arg(&target)
            .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(target.join("release").join("examples").join("mini_supervisor"))
    });
    Some(built.clone().expect("building mini_supervisor"))
}

/// A running supervisor and its output lines (without the prefix).
struct Supervised {
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
}

impl Supervised {
    fn start(args: &[&str]) -> Option<Supervised> {
        let exe = supervisor()?;
        let mut cmd = Command::new(common::runner().first().map_or(exe.as_os_str().to_owned(), |r| r.into()));
        cmd.args(common::runner().iter().skip(1));
        if !common::runner().is_empty() {
            cmd.arg(&exe);
        }
        let mut child = cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
        let out = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Some(Supervised { child, lines, seen: Vec::new() })
    }

    /// Waits for a line that contains `text`; returns it.
    fn expect(&mut self, text: &str) -> String {
        let until = Instant::now() + LONG;
        loop {
            if let Some(l) = self.seen.iter().find(|l| l.contains(text)) {
                return l.clone();
            }
            let left = until.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    eprintln!("  | {line}");
                    match line.strip_prefix(PREFIX) {
                        Some(rest) => self.seen.push(rest.to_string()),
                        None => self.seen.push(format!("(child) {line}")),
                    }
                }
                Err(_) => panic!("no line with {text:?}; got {:#?}", self.seen),
            }
        }
    }

    /// Its exit code, after all its output was read.
    fn exit_code(mut self) -> i32 {
        let until = Instant::now() + LONG;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    eprintln!("  | {line}");
                }
                return s.code().unwrap_or(-1);
            }
            if Instant::now() > until {
                let _ = self.child.kill();
                panic!("the supervisor did not end");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn signal(&self, sig: i32) {
        assert_eq!(unsafe { libc::kill(self.child.id() as i32, sig) }, 0);
    }
}

/// CPython: checks the hand-over (LISTEN_PID its own, LISTEN_FDS=1, fd 3
/// listening), reports by `STATUS=`, `READY=1`, then waits for SIGTERM
/// (blocked, `sigwaitinfo`) and says who sent it before exiting 7.
const PY_SERVICE: &str = r#"
import os, signal, socket, sys
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
addr = os.environ["NOTIFY_SOCKET"]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
n = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
def notify(text):
    n.sendto(text.encode(), addr)
notify("STATUS=starting")
fd3 = socket.socket(fileno=3)
ok = (os.environ.get("LISTEN_PID") == str(os.getpid()) and os.environ.get("LISTEN_FDS") == "1"
      and fd3.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1)
notify("READY=1\nSTATUS=hand-over " + ("ok" if ok else "WRONG"))
info = signal.sigwaitinfo([signal.SIGTERM])
notify("STATUS=got SIGTERM from pid %d\nSTOPPING=1" % info.si_pid)
sys.exit(7)
"#;

#[test]
fn a_python_service_gets_its_socket_reports_ready_and_gets_the_forwarded_sigterm() {
    if !common::have_program("/usr/bin/python3") {
        return;
    }
    let dir = common::TempDir::new("supervisor-py");
    let sock = dir.join("service.sock");
    let sock = sock.to_str().unwrap();
    let Some(mut s) =
        Supervised::start(&["-l", sock, "-t", "20", "--", "/usr/bin/python3", "-c", PY_SERVICE])
    else {
        return;
    };
    let started = s.expect("started /usr/bin/python3 as pid ");
    let pid = started.rsplit(' ').next().unwrap().to_string();
    s.expect("status: starting");
    s.expect("ready after ");
    s.expect("status: hand-over ok");
    // The socket exists and takes connections (the backlog holds this one).
    UnixStream::connect(sock).unwrap();
    s.signal(libc::SIGTERM);
    s.expect(&format!("forwarding SIGTERM from pid {} to pid {pid}", std::process::id()));
    // The sender the service saw is the supervisor (under qemu-user: the
    // emulator's process, the same pid).
    s.expect(&format!("status: got SIGTERM from pid {}", s.child.id()));
    s.expect("stopping");
    s.expect(&format!("pid {pid} exited with status 7"));
    assert_eq!(s.exit_code(), 7);
}

#[test]
fn socket_proxyd_is_socket_activated_proxies_to_a_backend_and_stops_on_sigterm() {
    let proxyd = "/lib/systemd/systemd-socket-proxyd";
    if !common::have_program(proxyd) {
        return;
    }
    let dir = common::TempDir::new("supervisor-proxyd");
    let backend_path = dir.join("backend.sock");
    let backend = UnixListener::bind(&backend_path).unwrap();
    let server = std::thread::spawn(move || {
        for _ in 0..2 {
            let (mut c, _) = backend.accept().unwrap();
            let mut buf = [0u8; 64];
            let n = c.read(&mut buf).unwrap();
            c.write_all(b"backend got: ").unwrap();
            c.write_all(&buf[..n]).unwrap();
        }
    });
    let front = dir.join("front.sock");
    let args = ["-s", "-l", front.to_str().unwrap(), "--", proxyd, backend_path.to_str().unwrap()];
    let Some(mut s) = Supervised::start(&args) else { return };
    let started = s.expect(&format!("started {proxyd} as pid "));
    let pid = started.rsplit(' ').next().unwrap().to_string();
    for word in ["hello", "again"] {
        let mut c = UnixStream::connect(&front).unwrap();
        c.set_read_timeout(Some(LONG)).unwrap();
        c.write_all(word.as_bytes()).unwrap();
        let mut reply = [0u8; 64];
        let mut got = 0;
        while got < 13 + word.len() {
            match c.read(&mut reply[got..]).unwrap() {
                0 => break,
                n => got += n,
            }
        }
        assert_eq!(String::from_utf8_lossy(&reply[..got]), format!("backend got: {word}"));
    }
    server.join().unwrap();
    s.signal(libc::SIGTERM);
    s.expect(&format!("forwarding SIGTERM from pid {} to pid {pid}", std::process::id()));
    // systemd-socket-proxyd 252 ends by SIGTERM's default action.
    let end = s.expect(&format!("pid {pid} "));
    let code = s.exit_code();
    match code {
        143 => assert!(end.contains("killed by SIGTERM"), "{end}"),
        0 => assert!(end.contains("exited with status 0"), "{end}"),
        other => panic!("supervisor exited {other}: {end}"),
    }
}

#[test]
fn no_ready_within_the_timeout_kills_the_program() {
    let Some(mut s) = Supervised::start(&["-t", "1", "--", "/bin/sh", "-c", "exec sleep 60"]) else { return };
    let t = Instant::now();
    s.expect("started /bin/sh as pid");
    s.expect("no READY=1 within 1 s: killing pid");
    s.expect("killed by SIGKILL");
    assert_eq!(s.exit_code(), 124);
    assert!(t.elapsed() < Duration::from_secs(20), "{:?}", t.elapsed());
}

#[test]
fn bad_command_lines_and_missing_programs_are_reported() {
    let Some(s) = Supervised::start(&["-x"]) else { return };
    assert_eq!(s.exit_code(), 2, "usage");
    let Some(mut s) = Supervised::start(&["--", "/nonexistent/program"]) else { return };
    s.expect("spawn: ENOENT");
    assert_eq!(s.exit_code(), 1);
}
