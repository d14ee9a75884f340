//! A libc-free mini supervisor: starts one program the way systemd starts a
//! `Type=notify` socket-activated service, and watches it in one `ppoll`.
//!
//! ```text
//! mini_supervisor [-l PATH] [-t SECONDS | -s] [--] PROGRAM [ARG...]
//! ```
//!
//! - binds a notify socket (the abstract name `@rawscm-supervisor/<pid>`,
//!   `SO_PASSCRED` on) and passes it as `NOTIFY_SOCKET`;
//! - with `-l PATH`, binds and listens on a Unix stream socket at `PATH`
//!   and hands it over as descriptor 3 with `LISTEN_FDS=1` and
//!   `LISTEN_PID` set *in the child* to its own pid (only the child knows
//!   it before exec: `SpawnOptions::pid_env`);
//! - starts `PROGRAM` (used as given, no `PATH` search) in a session of its
//!   own, with the supervisor's environment minus `NOTIFY_SOCKET` and
//!   `LISTEN_*`, holding it by pidfd;
//! - waits, in one poll over a signalfd, the notify socket and the pidfd,
//!   for `READY=1` (at most `-t` seconds, default 10: then the program is
//!   killed and the supervisor exits with 124; `-s`: none expected, as for
//!   systemd's `Type=simple`, for programs that do not notify, such as
//!   Debian 12's `systemd-socket-proxyd`), prints each `STATUS=`,
//!   forwards `SIGTERM`, `SIGINT` and `SIGHUP` to the program through its
//!   pidfd (never by pid), and reaps it through the pidfd;
//! - exits with the program's exit status (128 + the signal if a signal
//!   ended it), as a shell does.
//!
//! Output lines start with `mini_supervisor: `.
//!
//! As PID 1 (`cargo xtask boot`: it is then `/init` of an initramfs) it
//! supervises itself in child mode (`/init --child`, which checks what it
//! was handed, reports `STATUS=` and `READY=1`, asks PID 1 to shut down
//! with `SIGTERM`, and exits 0 when that `SIGTERM` is forwarded to it),
//! then reaps whatever orphans are left and powers the machine off.
//! (A PID 1 that is more than a demonstration reaps orphans as they come;
//! this one leaves them until its child has ended, so that a `waitid(P_ALL)`
//! can never take the child from its pidfd.)

#![no_std]
#![no_main]

use core::ffi::CStr;
use core::fmt::{self, Write};
use core::time::Duration;
use rawscm::notify::{Assignment, NotifySocket};
use rawscm::pidfd::Pidfd;
use rawscm::signal::{MaskHow, SigSet, Signal, SignalFd, sigprocmask};
use rawscm::spawn::{Session, SpawnOptions, spawn};
use rawscm::{
    AsFd, CStrArray, Deadline, Error, ExitStatus, OwnedFd, Pid, SocketFlags, SocketType, UnixAddr, bind,
    getpid, listen, poll, socket,
};

rawscm_rt::entry!(main, panic_handler = on_panic);

/// Room for the program's arguments and for the environment.
const MAX_ARGS: usize = 64;
const MAX_ENV: usize = 128;

/// The signals forwarded to the program.
const FORWARDED: [Signal; 3] = [Signal::TERM, Signal::INT, Signal::HUP];

/// One output line ([`rawscm_rt::Line`]: one `write(2)`, longer text cut)
/// that shows control bytes as `?`, so a child's `STATUS=` text cannot
/// drive the terminal.
struct Line(rawscm_rt::Line<512>);

impl Line {
    fn new() -> Line {
        let mut line = Line(rawscm_rt::Line::new());
        line.0.push(b"mini_supervisor: ");
        line
    }

    fn bytes(&mut self, b: &[u8]) {
        for &c in b {
            self.0.push(&[if c < 0x20 || c == 0x7f { b'?' } else { c }]);
        }
    }

    fn print(self) {
        let _ = self.0.print(rawscm_rt::Stdout);
    }
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

macro_rules! say {
    ($($arg:tt)*) => {{
        let mut line = Line::new();
        let _ = write!(line, $($arg)*);
        line.print();
    }};
}

fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    say!("panic: {info}");
    if getpid() == 1 {
        power_off();
    }
    rawscm::exit_group(101)
}

/// Why the supervisor itself failed.
struct Fail(&'static str, Error);

type Res<T> = Result<T, Fail>;

trait Ctx<T> {
    fn ctx(self, what: &'static str) -> Res<T>;
}

impl<T> Ctx<T> for rawscm::Result<T> {
    fn ctx(self, what: &'static str) -> Res<T> {
        self.map_err(|e| Fail(what, e))
    }
}

/// The command line.
struct Options {
    listen: Option<&'static CStr>,
    timeout: Duration,
    /// `-s`: no `READY=1` expected.
    simple: bool,
    /// The program's arguments (the program first).
    argv: CStrArray<'static, MAX_ARGS>,
}

fn usage() -> i32 {
    let _ = rawscm_rt::write_all(
        rawscm_rt::Stderr,
        b"usage: mini_supervisor [-l PATH] [-t SECONDS | -s] [--] PROGRAM [ARG...]\n",
    );
    2
}

fn parse(mut args: impl Iterator<Item = &'static CStr>) -> Option<Options> {
    let mut o =
        Options { listen: None, timeout: Duration::from_secs(10), simple: false, argv: CStrArray::new() };
    let mut program = None;
    while let Some(a) = args.next() {
        match a.to_bytes() {
            b"-l" => o.listen = Some(args.next()?),
            b"-s" => o.simple = true,
            b"-t" => {
                let v = args.next()?.to_bytes();
                let secs = v.iter().try_fold(0u64, |n, &c| {
                    c.is_ascii_digit().then(|| n.saturating_mul(10).saturating_add(u64::from(c - b'0')))
                })?;
                o.timeout = Duration::from_secs(secs);
            }
            b"--" => {
                program = args.next();
                break;
            }
            [b'-', ..] => return None,
            _ => {
                program = Some(a);
                break;
            }
        }
    }
    o.argv.push(program?).ok()?;
    for a in args {
        o.argv.push(a).ok()?;
    }
    Some(o)
}

fn main() -> i32 {
    let mut args = rawscm_rt::args().skip(1);
    if getpid() == 1 {
        return pid1();
    }
    let child_mode = rawscm_rt::args().nth(1).is_some_and(|a| a.to_bytes() == b"--child");
    if child_mode {
        let _ = args.next();
        return child();
    }
    let Some(options) = parse(args) else { return usage() };
    match supervise(&options) {
        Ok(code) => code,
        Err(Fail(what, e)) => {
            say!("{what}: {e}");
            1
        }
    }
}

/// `NAME=value` in `buf`, NUL-terminated, as a C string.
fn assignment<'b>(buf: &'b mut [u8], name: &[u8], value: &[u8]) -> Option<&'b CStr> {
    let mut len = 0;
    for part in [name, b"=", value, b"\0"] {
        buf.get_mut(len..len + part.len())?.copy_from_slice(part);
        len += part.len();
    }
    CStr::from_bytes_until_nul(buf.get(..len)?).ok()
}

/// Whether the environment entry `var` is one the supervisor sets itself.
fn ours(var: &CStr) -> bool {
    let v = var.to_bytes();
    v.starts_with(b"NOTIFY_SOCKET=") || v.starts_with(b"LISTEN_")
}

/// Runs `options.argv` under supervision; returns the exit status to give.
fn supervise(options: &Options) -> Res<i32> {
    // Blocked before anything else, so that none is lost or acted on by
    // default; the child gets an empty mask (spawn resets it).
    let mut set = SigSet::empty().with(Signal::CHLD);
    for s in FORWARDED {
        set.insert(s);
    }
    sigprocmask(MaskHow::Block, &set).ctx("sigprocmask")?;
    let signals = SignalFd::new(&set).ctx("signalfd")?;

    let mut digits = [0u8; 10];
    let me = rawscm_rt::decimal(getpid() as u32, &mut digits).as_bytes();
    let mut name = [0u8; 64];
    let name_len = b"rawscm-supervisor/".len() + me.len();
    name[..18].copy_from_slice(b"rawscm-supervisor/");
    name[18..name_len].copy_from_slice(me);
    let addr = UnixAddr::abstract_name(&name[..name_len]).ctx("notify address")?;
    let notify = NotifySocket::bind(&addr, false).ctx("notify socket")?;
    let mut at = [0u8; 64];
    at[0] = b'@';
    at[1..=name_len].copy_from_slice(&name[..name_len]);
    let mut notify_var = [0u8; 96];
    let notify_var = assignment(&mut notify_var, b"NOTIFY_SOCKET", &at[..=name_len])
        .ok_or(Fail("NOTIFY_SOCKET", Error::Protocol))?;

    let listener: Option<OwnedFd> = match options.listen {
        Some(path) => {
            let s = socket(SocketType::Stream, SocketFlags::default()).ctx("socket")?;
            bind(&s, &UnixAddr::path(path.to_bytes()).ctx("listen address")?).ctx("bind")?;
            listen(&s, 64).ctx("listen")?;
            Some(s)
        }
        None => None,
    };

    let mut envp = CStrArray::<MAX_ENV>::new();
    for var in rawscm_rt::env().filter(|v| !ours(v)) {
        envp.push(var).ctx("environment")?;
    }
    envp.push(notify_var).ctx("environment")?;
    let map_storage;
    let mut spawn_options = SpawnOptions::new().session(Session::New);
    if let Some(l) = &listener {
        envp.push(c"LISTEN_FDS=1").ctx("environment")?;
        map_storage = [(l.as_fd(), 3)];
        spawn_options = spawn_options.fds(&map_storage).pid_env(c"LISTEN_PID");
    }
    let program = options.argv.iter().next().ok_or(Fail("no program", Error::Protocol))?;
    // Elapsed time: the time left until a deadline that never comes, read
    // twice.
    let clock = Deadline::after(Duration::MAX);
    let started = clock.remaining().ctx("clock")?;
    let child = spawn(program, &options.argv, &envp, &spawn_options).ctx("spawn")?;
    drop(listener); // the child has it now
    {
        let mut line = Line::new();
        let _ = write!(line, "started ");
        line.bytes(program.to_bytes());
        let _ = write!(line, " as pid {}", child.pid);
        line.print();
    }

    let ready_by = Deadline::after(options.timeout);
    let mut ready = options.simple;
    loop {
        let deadline = if ready { Deadline::after(Duration::MAX) } else { ready_by };
        let got = poll([Some(signals.as_fd()), Some(notify.as_fd()), Some(child.pidfd.as_fd())], deadline);
        let [sig, msg, ended] = match got {
            Ok(r) => r,
            Err(Error::Timeout) => {
                say!("no READY=1 within {} s: killing pid {}", options.timeout.as_secs(), child.pid);
                let _ = child.pidfd.send_signal(Signal::KILL);
                let _ = reap(&child.pidfd, child.pid);
                return Ok(124);
            }
            Err(e) => return Err(Fail("poll", e)),
        };
        if msg || ended {
            // Whatever the program said before it ended is still queued.
            while let Ok([true]) = poll([Some(notify.as_fd())], Deadline::after(Duration::ZERO)) {
                on_notification(&notify, child.pid, &mut ready, clock, started);
            }
        }
        if sig {
            while let Ok(Some(info)) = signals.read() {
                if FORWARDED.contains(&info.signal) {
                    say!("forwarding {:?} from pid {} to pid {}", info.signal, info.pid, child.pid);
                    if let Err(e) = child.pidfd.send_signal(info.signal) {
                        say!("forwarding failed: {e}");
                    }
                }
                // SIGCHLD: the pidfd says when our child ends; as PID 1
                // the orphans are reaped at the end.
            }
        }
        if ended {
            return Ok(reap(&child.pidfd, child.pid).unwrap_or(1));
        }
    }
}

/// Handles one notification from the notify socket.
fn on_notification(notify: &NotifySocket, child: Pid, ready: &mut bool, clock: Deadline, started: Duration) {
    let mut buf = [0u8; 4096];
    let msg = match notify.recv::<0>(&mut buf) {
        Ok(m) => m,
        Err(e) => {
            say!("bad notification: {e}");
            return;
        }
    };
    if msg.sender.pid != child {
        say!("ignored a notification from pid {}", msg.sender.pid);
        return;
    }
    for a in msg.assignments() {
        match a {
            Assignment::Ready if !*ready => {
                *ready = true;
                let ms = started.saturating_sub(clock.remaining().unwrap_or(started)).as_millis();
                say!("ready after {ms} ms");
            }
            Assignment::Status(text) => {
                let mut line = Line::new();
                let _ = line.write_str("status: ");
                line.bytes(text);
                line.print();
            }
            Assignment::Stopping => say!("stopping"),
            _ => {}
        }
    }
}

/// Reaps the program through its pidfd and says how it ended; the exit
/// status to give.
fn reap(pidfd: &Pidfd, pid: Pid) -> Option<i32> {
    match pidfd.wait() {
        Ok(ExitStatus::Exited(code)) => {
            say!("pid {pid} exited with status {code}");
            Some(code)
        }
        Ok(ExitStatus::Signaled { signal, core_dumped }) => {
            let dumped = if core_dumped { " (core dumped)" } else { "" };
            match Signal::new(signal) {
                Ok(s) => say!("pid {pid} killed by {s:?}{dumped}"),
                Err(_) => say!("pid {pid} killed by signal {signal}{dumped}"),
            }
            Some(128 + signal)
        }
        Err(e) => {
            say!("waitid: {e}");
            None
        }
    }
}

/// Child mode (`--child`), as run by [`pid1`]: checks the hand-over,
/// reports, asks PID 1 to stop, and exits 0 once the forwarded SIGTERM
/// arrives.
fn child() -> i32 {
    let term = SigSet::empty().with(Signal::TERM);
    let Ok(_) = sigprocmask(MaskHow::Block, &term) else { return 10 };
    let Ok(signals) = SignalFd::new(&term) else { return 11 };
    let env = || rawscm_rt::env().map(|v| v.to_bytes());
    let Ok(Some(manager)) = rawscm::notify::socket_addr_in(env()) else { return 12 };
    let vars = rawscm::activation::Vars {
        listen_pid: rawscm::notify::env_var(env(), b"LISTEN_PID"),
        listen_fds: rawscm::notify::env_var(env(), b"LISTEN_FDS"),
        listen_fdnames: None,
    };
    // SAFETY: first thing the program does with descriptors 3 and up.
    let listening = match unsafe { rawscm::activation::listen_fds::<1>(vars) } {
        Ok(fds) if fds.len() == 1 => rawscm::listening(&fds[0].fd).unwrap_or(false),
        _ => false,
    };
    let status: &[u8] = if listening {
        b"STATUS=child: LISTEN_PID and LISTEN_FDS=1 are mine, fd 3 listens"
    } else {
        b"STATUS=child: the hand-over is wrong"
    };
    if rawscm::notify::notify(&manager, status).is_err()
        || rawscm::notify::notify(&manager, b"READY=1").is_err()
    {
        return 13;
    }
    // Ask PID 1 to shut down; it forwards the SIGTERM back to us.
    if rawscm::kill(1, Signal::TERM.number() as u32).is_err() {
        return 14;
    }
    if rawscm::wait_readable(&signals, Deadline::after(Duration::from_secs(60))).is_err() {
        return 15;
    }
    let _ = rawscm::notify::notify(&manager, b"STOPPING=1");
    match signals.read() {
        Ok(Some(info)) if info.signal == Signal::TERM && info.pid == 1 && listening => 0,
        _ => 16,
    }
}

/// PID 1: supervises `/init --child` with a listening socket, reaps what
/// is left, powers off.
fn pid1() -> i32 {
    say!("PID 1 begin");
    let mut argv = CStrArray::new();
    let _ = argv.push(c"/init");
    let _ = argv.push(c"--child");
    let options =
        Options { listen: Some(c"/supervised.sock"), timeout: Duration::from_secs(60), simple: false, argv };
    match supervise(&options) {
        Ok(code) => say!("PID 1: child done, status {code}"),
        Err(Fail(what, e)) => say!("PID 1 FAIL {what}: {e}"),
    }
    let mut orphans = 0;
    while let Ok(Some(_)) = rawscm::init::try_waitid_any() {
        orphans += 1;
    }
    say!("PID 1: {orphans} orphans reaped; powering off");
    power_off()
}

fn power_off() -> ! {
    let Err(e) = rawscm::init::reboot(rawscm::init::Reboot::PowerOff);
    say!("PID 1 FAIL poweroff: {e}");
    rawscm::exit_group(1)
}
