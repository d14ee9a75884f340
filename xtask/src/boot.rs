//! `cargo xtask boot`: boots `rt/examples/boot_init.rs` (a rawscm-rt
//! program, built static and non-PIE) as `/init` (PID 1) of an
//! initramfs under qemu-system with Debian's kernel, in software emulation
//! (TCG), reads its result lines from the serial console and fails on any
//! failed, missing or extra line, on a timeout, or when the machine does not
//! power off by itself. x86_64 always; then aarch64 (`qemu-system-aarch64 -M
//! virt`) with Debian's arm64 kernel, fetched with `apt-get download` (that
//! needs root: otherwise the step says why and does x86_64 only).
//!
//! The initramfs is a newc cpio written here: `/dev`, `/dev/console`
//! (5:1, so that init gets its stdin/stdout/stderr), `/proc`, `/init`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::tiny::{Ran, build_static, run_timeout, work_dir};
use crate::util;

/// The checks `boot_init` reports, in order.
const CHECKS: &[&str] = &[
    "pid1",
    "args",
    "auxv",
    "mount-proc",
    "socketpair",
    "fork-wait",
    "fd-passing",
    "credentials",
    "credentials-pid1",
    "orphan-reaped",
    "pidns-new",
    "pidns-fork",
    "pidns-auto",
    "pidns-ioctl",
    "pidns-translate",
    "pidns-exit",
    "no-children",
];

/// The prefix of every line of `boot_init`.
const PREFIX: &str = "rawscm-boot: ";

/// One machine to boot.
struct Machine {
    /// Short name (`x86_64`, `aarch64`).
    name: &'static str,
    /// The Rust target of `/init`.
    triple: &'static str,
    /// The emulator and its machine options.
    qemu: &'static [&'static str],
    /// The serial console's name in the kernel.
    console: &'static str,
    /// How long the whole boot may take.
    timeout: Duration,
}

const X86_64: Machine = Machine {
    name: "x86_64",
    triple: "x86_64-unknown-linux-musl",
    qemu: &["qemu-system-x86_64", "-accel", "tcg", "-m", "256"],
    console: "ttyS0",
    timeout: Duration::from_secs(90),
};

const AARCH64: Machine = Machine {
    name: "aarch64",
    triple: "aarch64-unknown-linux-musl",
    qemu: &["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-accel", "tcg", "-m", "512"],
    console: "ttyAMA0",
    timeout: Duration::from_secs(180),
};

/// `cargo xtask boot [--x86_64-only]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let x86_only = match args {
        [] => false,
        [a] if a == "--x86_64-only" => true,
        _ => return Err("usage: cargo xtask boot [--x86_64-only]".into()),
    };
    util::ensure_targets(&[X86_64.triple, AARCH64.triple])?;
    util::ensure_apt(&["qemu-system-x86", "linux-image-amd64"])?;
    let started = Instant::now();
    let host = host_kernel()?;
    let mut results = vec![(X86_64.name, boot(&X86_64, &host))];
    results.push(("x86_64, mini_supervisor as PID 1", boot_supervisor(&X86_64, &host)));
    if !x86_only {
        match arm64_kernel() {
            Ok(kernel) => {
                results.push((AARCH64.name, boot(&AARCH64, &kernel)));
                results.push(("aarch64, mini_supervisor as PID 1", boot_supervisor(&AARCH64, &kernel)));
            }
            Err(why) => println!("xtask boot: aarch64 not booted: {why}"),
        }
    }
    println!("\nboot test ({:.0?} in all):", started.elapsed());
    for (name, result) in &results {
        match result {
            Ok(secs) => println!("{name:<34} ok ({secs:.1} s)"),
            Err(e) => println!("{name:<34} FAIL: {e}"),
        }
    }
    let failed: Vec<&str> = results.iter().filter(|(_, r)| r.is_err()).map(|(n, _)| *n).collect();
    if failed.is_empty() { Ok(()) } else { Err(format!("boot failed on {}", failed.join(", "))) }
}

/// The step `cargo xtask test` runs.
pub fn in_test() -> Result<(), String> {
    run(&[])
}

/// Boots `machine` with `kernel` and `boot_init` as `/init`, and checks the
/// console; returns the seconds the boot took.
fn boot(machine: &Machine, kernel: &Path) -> Result<f64, String> {
    // Words after "--" go to init's argv.
    boot_with_init(machine, kernel, "boot_init", " -- rawscm", check_console)
}

/// Boots `rt/examples/mini_supervisor.rs` as `/init`: as PID 1 it
/// supervises itself in child mode (socket activation, `READY=1`,
/// `STATUS=`, a `SIGTERM` the child sends to PID 1 and PID 1 forwards back
/// through the pidfd), reaps, and powers off. Returns the seconds it took.
fn boot_supervisor(machine: &Machine, kernel: &Path) -> Result<f64, String> {
    boot_with_init(machine, kernel, "mini_supervisor", "", check_supervisor_console)
}

/// Boots `machine` with `kernel` and rawscm-rt's example `init` as `/init`
/// (`init_args` appended to the kernel command line), and checks the
/// console with `check`; returns the seconds the boot took.
fn boot_with_init(
    machine: &Machine,
    kernel: &Path,
    init: &str,
    init_args: &str,
    check: fn(&Ran, Duration) -> Result<(), String>,
) -> Result<f64, String> {
    let exe = build_static(init, machine.triple)?;
    let initramfs = work_dir("boot")?.join(format!("initramfs-{init}-{}.cpio", machine.name));
    write_initramfs(
        &initramfs,
        &std::fs::read(&exe).map_err(|e| format!("reading {}: {e}", exe.display()))?,
    )?;

    let (program, options) = machine.qemu.split_first().ok_or("no emulator")?;
    let mut cmd = Command::new(program);
    cmd.args(options);
    cmd.args(["-nodefaults", "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"]);
    cmd.arg("-kernel").arg(kernel).arg("-initrd").arg(&initramfs);
    // panic=-1: a kernel panic (init died) reboots at once, and -no-reboot
    // turns that into qemu exiting.
    cmd.arg("-append").arg(format!("console={} panic=-1 loglevel=1{init_args}", machine.console));

    let started = Instant::now();
    let ran = run_timeout(&mut cmd, machine.timeout, |line| println!("  | {line}"))?;
    let secs = started.elapsed().as_secs_f64();
    check(&ran, machine.timeout)?;
    Ok(secs)
}

/// The prefix of every line of `mini_supervisor`.
const SUPERVISOR_PREFIX: &str = "mini_supervisor: ";

/// `mini_supervisor`'s lines as PID 1, in order (`{pid}`: the child's), and
/// the machine powered off by itself.
fn check_supervisor_console(ran: &Ran, timeout: Duration) -> Result<(), String> {
    let lines: Vec<&str> = ran
        .stdout
        .lines()
        .filter_map(|l| l.trim_end_matches('\r').split_once(SUPERVISOR_PREFIX).map(|(_, rest)| rest))
        .collect();
    let mut problems = Vec::new();
    let pid = lines
        .iter()
        .find_map(|l| l.strip_prefix("started /init as pid "))
        .map(str::to_string)
        .unwrap_or_else(|| "?".into());
    let expected = [
        "PID 1 begin".to_string(),
        format!("started /init as pid {pid}"),
        "status: child: LISTEN_PID and LISTEN_FDS=1 are mine, fd 3 listens".into(),
        "ready after ".into(),
        format!("forwarding SIGTERM from pid {pid} to pid {pid}"),
        "stopping".into(),
        format!("pid {pid} exited with status 0"),
        "PID 1: child done, status 0".into(),
        "PID 1: ".into(),
    ];
    let mut at = 0;
    for want in &expected {
        match lines.iter().skip(at).position(|l| l.starts_with(want.as_str())) {
            Some(i) => at += i + 1,
            None => problems.push(format!("no line {want:?} (in order)")),
        }
    }
    if !lines.last().is_some_and(|l| l.ends_with("powering off")) {
        problems.push("no `powering off` line last".into());
    }
    for l in &lines {
        if l.contains("FAIL") || l.starts_with("panic") || l.starts_with("ignored") || l.starts_with("bad ") {
            problems.push(format!("unexpected: {l}"));
        }
    }
    match ran.status {
        None => problems.push(format!("no power-off within {timeout:?}")),
        Some(s) if !s.success() => problems.push(format!("qemu exited with {s}")),
        Some(_) => {}
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

/// Every check reported exactly once and ok, between `begin` and `end`, and
/// the machine powered off by itself (qemu exited 0).
fn check_console(ran: &Ran, timeout: Duration) -> Result<(), String> {
    let lines: Vec<&str> = ran
        .stdout
        .lines()
        .filter_map(|l| l.trim_end_matches('\r').split_once(PREFIX).map(|(_, rest)| rest))
        .collect();
    let mut problems = Vec::new();
    if lines.first() != Some(&"begin") {
        problems.push("no `begin` line first".to_string());
    }
    if lines.last() != Some(&"end") {
        problems.push("no `end` line last".to_string());
    }
    for line in &lines {
        let name = line.split_whitespace().next().unwrap_or("");
        match (name, line.split_whitespace().nth(1)) {
            ("begin" | "end", None) => {}
            (_, Some("ok")) if CHECKS.contains(&name) => {}
            (_, Some("FAIL")) => problems.push(format!("failed: {line}")),
            _ => problems.push(format!("unexpected line: {line}")),
        }
    }
    for check in CHECKS {
        let n = lines.iter().filter(|l| l.split_whitespace().next() == Some(check)).count();
        if n != 1 {
            problems.push(format!("{check}: reported {n} times"));
        }
    }
    match ran.status {
        None => problems.push(format!("no power-off within {timeout:?}")),
        Some(s) if !s.success() => problems.push(format!("qemu exited with {s}")),
        Some(_) => {}
    }
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

/// The newest `/boot/vmlinuz-*` of Debian's `linux-image-amd64`.
fn host_kernel() -> Result<PathBuf, String> {
    newest_vmlinuz(Path::new("/boot"))
}

fn newest_vmlinuz(boot: &Path) -> Result<PathBuf, String> {
    let entries = std::fs::read_dir(boot).map_err(|e| format!("cannot list {}: {e}", boot.display()))?;
    let mut kernels: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("vmlinuz-")))
        .collect();
    kernels.sort_by_key(|p| version_key(&p.to_string_lossy()));
    kernels.pop().ok_or_else(|| format!("no vmlinuz-* in {}", boot.display()))
}

/// Sort key for version strings: runs of digits compare as numbers.
fn version_key(s: &str) -> Vec<(u64, String)> {
    let mut key = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let (num, tail) = rest.split_at(digits);
        let text_len = tail.len() - tail.trim_start_matches(|c: char| !c.is_ascii_digit()).len();
        let (text, tail) = tail.split_at(text_len);
        key.push((num.parse().unwrap_or(0), text.to_string()));
        rest = tail;
    }
    key
}

/// Debian's arm64 kernel, matching the installed amd64 one's ABI name:
/// `dpkg --add-architecture arm64`, `apt-get update`, `apt-get download`,
/// `dpkg-deb -x` into the target directory (kept for the next run), and
/// `qemu-system-arm`, which provides `qemu-system-aarch64`.
fn arm64_kernel() -> Result<PathBuf, String> {
    let dir = work_dir("boot")?.join("arm64-kernel");
    if let Ok(kernel) = newest_vmlinuz(&dir.join("boot")) {
        util::ensure_apt(&["qemu-system-arm"])?;
        return Ok(kernel);
    }
    if !util::is_root() {
        return Err(
            "fetching Debian's arm64 kernel needs root (dpkg --add-architecture, apt-get update)".into()
        );
    }
    util::ensure_apt(&["qemu-system-arm"])?;
    let foreign = util::output(Command::new("dpkg").arg("--print-foreign-architectures"))?;
    if !foreign.lines().any(|a| a.trim() == "arm64") {
        util::run(Command::new("dpkg").args(["--add-architecture", "arm64"]))?;
    }
    util::run(Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive"))?;
    // The meta package names the current kernel package.
    let depends = util::output(Command::new("apt-cache").args(["depends", "linux-image-arm64:arm64"]))?;
    let package = depends
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Depends: "))
        .map(|p| p.trim_end_matches(":arm64"))
        .find(|p| p.starts_with("linux-image-") && p.ends_with("-arm64"))
        .ok_or("apt-cache names no linux-image-*-arm64 package")?
        .to_string();
    let download = work_dir("boot")?;
    util::run(
        Command::new("apt-get").args(["download", &format!("{package}:arm64")]).current_dir(&download),
    )?;
    let deb = std::fs::read_dir(&download)
        .map_err(|e| format!("cannot list {}: {e}", download.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&package) && n.ends_with(".deb"))
        })
        .ok_or_else(|| format!("apt-get download left no {package}*.deb"))?;
    util::run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&dir))?;
    // The modules are not needed (the initramfs has none): keep the kernel only.
    let _ = std::fs::remove_dir_all(dir.join("lib"));
    let _ = std::fs::remove_dir_all(dir.join("usr"));
    let _ = std::fs::remove_file(&deb);
    newest_vmlinuz(&dir.join("boot"))
}

/// Writes a newc cpio archive (the format the kernel unpacks as initramfs)
/// holding `/dev`, `/dev/console`, `/proc` and `/init`.
fn write_initramfs(path: &Path, init: &[u8]) -> Result<(), String> {
    let mut out = Vec::new();
    cpio_entry(&mut out, 1, "dev", 0o040755, (0, 0), &[]);
    cpio_entry(&mut out, 2, "dev/console", 0o020600, (5, 1), &[]);
    cpio_entry(&mut out, 3, "proc", 0o040755, (0, 0), &[]);
    cpio_entry(&mut out, 4, "init", 0o100755, (0, 0), init);
    cpio_entry(&mut out, 0, "TRAILER!!!", 0, (0, 0), &[]);
    std::fs::write(path, out).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One newc entry: "070701", 13 fields of 8 hex digits, the name with its
/// NUL padded to 4 bytes, the data padded to 4 bytes.
pub(crate) fn cpio_entry(
    out: &mut Vec<u8>,
    ino: u32,
    name: &str,
    mode: u32,
    (rmajor, rminor): (u32, u32),
    data: &[u8],
) {
    let nlink = if mode & 0o170000 == 0o040000 { 2 } else { 1 };
    let fields =
        [ino, mode, 0, 0, nlink, 0, data.len() as u32, 0, 0, rmajor, rminor, name.len() as u32 + 1, 0];
    out.extend_from_slice(b"070701");
    for f in fields {
        out.extend_from_slice(format!("{f:08x}").as_bytes());
    }
    out.extend_from_slice(name.as_bytes());
    out.push(0);
    pad4(out);
    out.extend_from_slice(data);
    pad4(out);
}

fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpio_entries_are_aligned_and_terminated() {
        let mut out = Vec::new();
        cpio_entry(&mut out, 1, "init", 0o100755, (0, 0), b"abc");
        // 110-byte header + "init\0" = 115, padded to 116; 3 data bytes to 120.
        assert_eq!(out.len(), 120);
        assert!(out.starts_with(b"070701"));
        assert_eq!(&out[110..115], b"init\0");
        assert_eq!(&out[116..119], b"abc");
        assert_eq!(&out[6 + 6 * 8..6 + 7 * 8], b"00000003"); // filesize
    }

    #[test]
    fn newest_kernel_sorts_numerically() {
        let mut v = ["vmlinuz-6.1.0-9-amd64", "vmlinuz-6.1.0-56-amd64", "vmlinuz-6.1.0-10-amd64"];
        v.sort_by_key(|s| version_key(s));
        assert_eq!(v[2], "vmlinuz-6.1.0-56-amd64");
    }

    #[test]
    fn supervisor_console_check_wants_every_line_in_order() {
        let good = [
            "PID 1 begin",
            "started /init as pid 2",
            "status: child: LISTEN_PID and LISTEN_FDS=1 are mine, fd 3 listens",
            "ready after 40 ms",
            "forwarding SIGTERM from pid 2 to pid 2",
            "stopping",
            "pid 2 exited with status 0",
            "PID 1: child done, status 0",
            "PID 1: 0 orphans reaped; powering off",
        ];
        let text =
            |lines: &[&str]| lines.iter().map(|l| format!("[ 1.0] {SUPERVISOR_PREFIX}{l}\r\n")).collect();
        let status = std::process::Command::new("true").status().ok();
        let t = Duration::from_secs(1);
        assert_eq!(check_supervisor_console(&Ran { status, stdout: text(&good) }, t), Ok(()));
        let mut swapped = good;
        swapped.swap(3, 4);
        assert!(check_supervisor_console(&Ran { status, stdout: text(&swapped) }, t).is_err());
        let mut wrong = good;
        wrong[6] = "pid 2 exited with status 16";
        assert!(check_supervisor_console(&Ran { status, stdout: text(&wrong) }, t).is_err());
        assert!(check_supervisor_console(&Ran { status: None, stdout: text(&good) }, t).is_err());
    }

    #[test]
    fn console_check_finds_missing_failed_and_extra_lines() {
        let ok: String = std::iter::once("begin".to_string())
            .chain(CHECKS.iter().map(|c| format!("{c} ok")))
            .chain(std::iter::once("end".to_string()))
            .map(|l| format!("noise {PREFIX}{l}\r\n"))
            .collect();
        let status = std::process::Command::new("true").status().ok();
        let t = Duration::from_secs(1);
        assert_eq!(check_console(&Ran { status, stdout: ok.clone() }, t), Ok(()));
        let failed = ok.replace("fork-wait ok", "fork-wait FAIL waitid: ECHILD");
        assert!(check_console(&Ran { status, stdout: failed }, t).unwrap_err().contains("failed: fork-wait"));
        let missing = ok.replace(&format!("{PREFIX}pidns-auto ok"), "");
        assert!(
            check_console(&Ran { status, stdout: missing }, t)
                .unwrap_err()
                .contains("pidns-auto: reported 0")
        );
        let extra = ok.replace(&format!("{PREFIX}end"), &format!("{PREFIX}bogus ok\n{PREFIX}end"));
        assert!(
            check_console(&Ran { status, stdout: extra }, t).unwrap_err().contains("unexpected line: bogus")
        );
        assert!(check_console(&Ran { status: None, stdout: ok }, t).unwrap_err().contains("no power-off"));
    }
}
