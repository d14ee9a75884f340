//! `/init` (PID 1) of the real-kernel test rows (`cargo xtask kernels`): a
//! libc-free static program that runs the crate's test binaries on a real
//! Linux kernel booted under qemu-system, and reports on the console.
//!
//! It mounts `/proc`, `/sys`, `/dev` (devtmpfs) and `/tmp` (tmpfs), reads
//! `/rawscm/list` (one test binary a line: its path, then optional
//! arguments, separated by spaces), and runs each binary in turn with the
//! environment of the qemu-user rows minus the qemu marker:
//! `RUST_TEST_THREADS=1`, `RAWSCM_SKIP_LOG=/tmp/skips-<i>.log`, plus
//! `RAWSCM_KERNEL_ROW=1`, `RAWSCM_SUPERVISOR` (the mini supervisor the
//! xtask adds), `PATH=/bin`, `HOME=/`. The binary's stdout (where
//! libtest prints `test <name> ... ok`) goes through a socket to this
//! program, which re-prints it a line at a time, each line with a single
//! `write(2)`; its stderr goes straight to the console.
//!
//! Each binary runs under a supervisor: a forked copy of this program that
//! forks and execs the binary, waits for it and sends its exit status here
//! over a socket. So this program can reap every orphan at once, as an
//! init must (a test's pid-namespace init cannot finish exiting while its
//! reparented children stay unreaped), without losing the binary's status.
//! After each binary, everything left over is killed (`kill(-1, SIGKILL)`)
//! and reaped.
//!
//! Console lines, each starting with `rawscm-kernel: ` (the host ignores
//! anything else):
//! - `begin`, `kernel <release>`, and `mount <target> FAIL <error>` if any;
//! - per binary `i`: `run <i> <path>`; `out <i> <line>` for each line of its
//!   stdout (`more <i> <rest>` continues a line longer than the buffer);
//!   `exit <i> code <n>` / `exit <i> signal <n>` / `exit <i> timeout` /
//!   `exit <i> lost <why>`; `leftover <i>` when descendants kept the output
//!   open after it exited; `skip <i> <test>\t<reason>` per line of its skip
//!   log;
//! - `end`, then `poweroff` just before `reboot(POWER_OFF)`; `panic <message>`
//!   from the panic handler.
//!
//! The first argument (the kernel command line after `--`) is the time
//! limit of one binary, in seconds (default 600).
//!
//! It refuses to run unless it is PID 1: it powers the machine off.

#![no_std]
#![no_main]

use core::ffi::CStr;
use core::fmt::{self, Write};
use core::time::Duration;
use rawscm::fs::{OpenFlags, Stdio, dup_to_stdio, open, read};
use rawscm::{
    CStrArray, Deadline, Errno, Error, ExitStatus, Fork, OwnedFd, Pid, SocketFlags, SocketType, execve,
    exit_group, fork, getpid, kill, recv_fds, send_fds, socketpair, wait_readable, waitid,
};

/// Everything this program takes from the runtime (`rawscm-rt`) and from
/// `rawscm::init`, in one place.
mod rt {
    use rawscm::init::{MountFlags, Reboot};
    pub use rawscm::init::{try_waitid_any, waitid_any};
    pub use rawscm_rt::args;

    /// Writes all of `bytes` to stdout (the console).
    pub fn console(bytes: &[u8]) {
        let _ = rawscm_rt::write_all(rawscm_rt::Stdout, bytes);
    }

    /// Mounts a filesystem with `nosuid` (and `nodev,noexec` if `plain`).
    pub fn mount(
        source: &core::ffi::CStr,
        target: &core::ffi::CStr,
        fstype: &core::ffi::CStr,
        plain: bool,
    ) -> rawscm::Result<()> {
        let flags = if plain {
            MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC
        } else {
            MountFlags::NOSUID
        };
        rawscm::init::mount(source, target, fstype, flags, None)
    }

    /// Powers the machine off; returns only the error.
    pub fn power_off() -> rawscm::Error {
        let Err(e) = rawscm::init::reboot(Reboot::PowerOff);
        e
    }
}

rawscm_rt::entry!(main, panic_handler = on_panic);

/// Prefix of every line the host reads.
const PREFIX: &str = "rawscm-kernel: ";
/// The list of test binaries.
const LIST: &CStr = c"/rawscm/list";
/// How long to wait for the output to close once the binary has exited
/// (descendants of a test may hold it).
const GRACE: Duration = Duration::from_secs(5);
/// How long one wait for output lasts before the other checks run.
const SLICE: Duration = Duration::from_millis(200);

/// One console line ([`rawscm_rt::Line`]: a single `write(2)`, so that no
/// other writer can land in its middle; longer text is cut).
type Line = rawscm_rt::Line<1200>;

/// Prints one line made by `f`.
fn say(f: impl FnOnce(&mut Line) -> fmt::Result) {
    let mut line = Line::new();
    line.push(PREFIX.as_bytes());
    let _ = f(&mut line);
    rt::console(line.finish());
}

fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    say(|l| write!(l, "panic {info}"));
    power_off()
}

fn power_off() -> ! {
    say(|l| l.write_str("poweroff"));
    let err = rt::power_off();
    say(|l| write!(l, "poweroff FAIL {err}"));
    exit_group(1)
}

fn main() -> i32 {
    if getpid() != 1 {
        rt::console(b"kernel_init: not PID 1, refusing to run (it powers the machine off)\n");
        return 2;
    }
    say(|l| l.write_str("begin"));
    for (target, fstype, plain) in [
        (c"/proc", c"proc", true),
        (c"/sys", c"sysfs", true),
        (c"/dev", c"devtmpfs", false),
        (c"/tmp", c"tmpfs", false),
    ] {
        if let Err(e) = rt::mount(fstype, target, fstype, plain) {
            say(|l| write!(l, "mount {} FAIL {e}", target.to_str().unwrap_or("?")));
        }
    }
    let mut release = [0u8; 128];
    let n = read_file(c"/proc/sys/kernel/osrelease", &mut release).unwrap_or(0);
    say(|l| {
        l.write_str("kernel ")?;
        l.push(trim(&release[..n]));
        Ok(())
    });
    let limit = Duration::from_secs(rt::args().nth(1).and_then(|a| decimal(a.to_bytes())).unwrap_or(600));

    let mut list = [0u8; 8192];
    match read_file(LIST, &mut list) {
        Ok(n) => {
            for (i, line) in list[..n].split(|&b| b == b'\n').filter(|l| !trim(l).is_empty()).enumerate() {
                run_one(i, trim(line), limit);
            }
        }
        Err(e) => say(|l| write!(l, "list FAIL {e}")),
    }
    say(|l| l.write_str("end"));
    power_off()
}

/// `s` without leading and trailing spaces and newlines.
fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &s[start..end]
}

fn decimal(s: &[u8]) -> Option<u64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0'))))
}

/// Reads the whole file at `path` into `buf` (what fits); returns its length.
fn read_file(path: &CStr, buf: &mut [u8]) -> rawscm::Result<usize> {
    let f = open(path, OpenFlags::empty())?;
    let mut len = 0;
    while len < buf.len() {
        match read(&f, &mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(Error::Os(Errno::EINTR)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(len)
}

/// Copies `parts` into `buf` as one NUL-terminated string.
fn c_string<'b>(buf: &'b mut [u8], parts: &[&[u8]]) -> Option<&'b CStr> {
    let mut len = 0;
    for part in parts {
        let end = len + part.len();
        buf.get_mut(len..end)?.copy_from_slice(part);
        len = end;
    }
    *buf.get_mut(len)? = 0;
    CStr::from_bytes_until_nul(&buf[..=len]).ok()
}

/// The digits of `n`.
fn digits(n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[i..];
        }
    }
}

/// Runs binary `i` (`line`: its path and arguments) and reports.
fn run_one(i: usize, line: &[u8], limit: Duration) {
    say(|l| {
        write!(l, "run {i} ")?;
        l.push(line);
        Ok(())
    });
    // Everything the child needs is built before the fork: the words of
    // the line as NUL-terminated strings, one after the other.
    let mut words = [0u8; 1024];
    let mut used = 0;
    for word in line.split(|&b| b == b' ').filter(|w| !w.is_empty()) {
        let Some(slot) = words.get_mut(used..used + word.len() + 1) else { break };
        slot[..word.len()].copy_from_slice(word);
        slot[word.len()] = 0;
        used += word.len() + 1;
    }
    let mut argv = CStrArray::<17>::new();
    for word in words[..used].split_inclusive(|&b| b == 0) {
        if let Ok(word) = CStr::from_bytes_with_nul(word) {
            let _ = argv.push(word);
        }
    }
    let mut idx = [0u8; 20];
    let idx = digits(i, &mut idx);
    let mut log_var = [0u8; 64];
    let mut log_path = [0u8; 48];
    let (Some(log_var), Some(log_path)) = (
        c_string(&mut log_var, &[b"RAWSCM_SKIP_LOG=/tmp/skips-", idx, b".log"]),
        c_string(&mut log_path, &[b"/tmp/skips-", idx, b".log"]),
    ) else {
        return say(|l| write!(l, "exit {i} lost names too long"));
    };
    let Some(path) = argv.iter().next() else {
        return say(|l| write!(l, "exit {i} lost empty line"));
    };
    let envp = CStrArray::<8>::from_slice(&[
        c"RUST_TEST_THREADS=1",
        log_var,
        c"RAWSCM_KERNEL_ROW=1",
        c"RAWSCM_SUPERVISOR=/rawscm/bin/mini_supervisor",
        c"PATH=/bin",
        c"HOME=/",
    ]);
    let Ok(envp) = envp else { return say(|l| write!(l, "exit {i} lost environment too big")) };

    let outcome = supervise(i, path, &argv, &envp, limit);
    match outcome {
        Ok(Outcome { status, leftover }) => {
            if leftover {
                say(|l| write!(l, "leftover {i}"));
            }
            match status {
                Some(ExitStatus::Exited(code)) => say(|l| write!(l, "exit {i} code {code}")),
                Some(ExitStatus::Signaled { signal, .. }) => say(|l| write!(l, "exit {i} signal {signal}")),
                None => say(|l| write!(l, "exit {i} timeout")),
            }
        }
        Err(e) => say(|l| write!(l, "exit {i} lost {e}")),
    }
    kill_everything();
    let mut skips = [0u8; 16384];
    if let Ok(n) = read_file(log_path, &mut skips) {
        for line in skips[..n].split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            say(|l| {
                write!(l, "skip {i} ")?;
                l.push(line);
                Ok(())
            });
        }
    }
}

struct Outcome {
    /// How the binary ended; `None`: killed at the time limit.
    status: Option<ExitStatus>,
    /// Its output stayed open after it exited (descendants held it).
    leftover: bool,
}

/// Runs the binary under a supervisor, relays its output, reaps orphans,
/// and returns how it ended.
fn supervise<const A: usize, const E: usize>(
    i: usize,
    path: &CStr,
    argv: &CStrArray<'_, A>,
    envp: &CStrArray<'_, E>,
    limit: Duration,
) -> rawscm::Result<Outcome> {
    let (out_r, out_w) = socketpair(SocketType::Stream, SocketFlags::default())?;
    let (report_r, report_w) = socketpair(SocketType::Datagram, SocketFlags::default())?;
    // SAFETY: single-threaded program.
    let supervisor = match unsafe { fork() }? {
        Fork::Child => exit_group(supervisor(path, argv, envp, out_w, &report_w)),
        Fork::Parent(pid) => pid,
    };
    drop((out_w, report_w));
    let deadline = Deadline::after(limit);
    let mut lines = Lines { i, buf: [0; 1024], len: 0, continued: false };
    let mut status = None;
    let mut eof = false;
    let mut grace: Option<Deadline> = None;
    let mut supervisor_gone = false;
    loop {
        while let Ok(Some(pid)) = rt::try_waitid_any() {
            supervisor_gone |= pid == supervisor;
        }
        if status.is_none() && rawscm::wait_readable_for(&report_r, Duration::ZERO).is_ok() {
            let mut report = [0u8; 8];
            let got = recv_fds::<0>(&report_r, &mut report);
            status = Some(match (got, report[..4].try_into().map(i32::from_ne_bytes)) {
                (Ok((8, _)), Ok(0)) => {
                    Ok(ExitStatus::Exited(i32::from_ne_bytes([report[4], report[5], report[6], report[7]])))
                }
                (Ok((8, _)), Ok(_)) => Ok(ExitStatus::Signaled {
                    signal: i32::from_ne_bytes([report[4], report[5], report[6], report[7]]),
                    core_dumped: false,
                }),
                _ => Err(Error::Protocol),
            });
            grace = Some(Deadline::after(GRACE));
        }
        let done = status.is_some();
        if eof && done {
            break;
        }
        if grace.map(Deadline::passed).transpose()?.unwrap_or(false) {
            lines.flush();
            return Ok(Outcome { status: status.transpose()?, leftover: true });
        }
        if supervisor_gone && !done {
            lines.flush();
            return Err(Error::Protocol);
        }
        if deadline.passed()? {
            lines.flush();
            return Ok(Outcome { status: None, leftover: false });
        }
        if eof {
            let _ = wait_readable(&report_r, Deadline::after(SLICE));
            continue;
        }
        match wait_readable(&out_r, Deadline::after(SLICE)) {
            Ok(()) => {
                let mut chunk = [0u8; 4096];
                match read(&out_r, &mut chunk) {
                    Ok(0) => eof = true,
                    Ok(n) => lines.feed(&chunk[..n]),
                    Err(Error::Os(Errno::EINTR)) => {}
                    Err(e) => {
                        say(|l| write!(l, "out {i} [reading the output failed: {e}]"));
                        eof = true;
                    }
                }
            }
            Err(Error::Timeout) => {}
            Err(e) => return Err(e),
        }
    }
    lines.flush();
    Ok(Outcome { status: status.transpose()?, leftover: false })
}

/// The supervisor: runs the binary with its stdout on `out`, waits for it,
/// and sends its status: 8 bytes, (0, code) or (1, signal).
fn supervisor<const A: usize, const E: usize>(
    path: &CStr,
    argv: &CStrArray<'_, A>,
    envp: &CStrArray<'_, E>,
    out: OwnedFd,
    report: &OwnedFd,
) -> i32 {
    // SAFETY: single-threaded program.
    let binary: Pid = match unsafe { fork() } {
        Ok(Fork::Child) => {
            if let Err(e) = dup_to_stdio(&out, Stdio::Output) {
                say(|l| write!(l, "exec FAIL dup3: {e}"));
                exit_group(126);
            }
            let e = execve(path, argv, envp);
            say(|l| write!(l, "exec FAIL {}: {e}", path.to_str().unwrap_or("?")));
            exit_group(127)
        }
        Ok(Fork::Parent(pid)) => pid,
        Err(_) => return 1,
    };
    drop(out);
    let (kind, value) = match waitid(binary) {
        Ok(ExitStatus::Exited(code)) => (0i32, code),
        Ok(ExitStatus::Signaled { signal, .. }) => (1, signal),
        Err(_) => return 2,
    };
    let mut msg = [0u8; 8];
    msg[..4].copy_from_slice(&kind.to_ne_bytes());
    msg[4..].copy_from_slice(&value.to_ne_bytes());
    i32::from(send_fds(report, &msg, &[]).is_err())
}

/// Kills every process but this one and reaps them all.
fn kill_everything() {
    let _ = kill(-1, linux_raw_sys::general::SIGKILL);
    while rt::waitid_any().is_ok() {}
}

/// Splits a byte stream into console lines `out <i> <line>`.
struct Lines {
    i: usize,
    buf: [u8; 1024],
    len: usize,
    /// The current line was already partly printed (it was too long).
    continued: bool,
}

impl Lines {
    fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            match b {
                b'\n' => self.emit(),
                b'\r' => {}
                _ => {
                    if self.len == self.buf.len() {
                        self.emit();
                        self.continued = true;
                    }
                    self.buf[self.len] = b;
                    self.len += 1;
                }
            }
        }
    }

    fn emit(&mut self) {
        let (i, text) = (self.i, &self.buf[..self.len]);
        let kind = if self.continued { "more" } else { "out" };
        say(|l| {
            write!(l, "{kind} {i} ")?;
            l.push(text);
            Ok(())
        });
        self.len = 0;
        self.continued = false;
    }

    /// Prints a last line that had no newline.
    fn flush(&mut self) {
        if self.len > 0 {
            self.emit();
        }
    }
}
