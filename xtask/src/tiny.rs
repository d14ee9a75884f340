//! `cargo xtask tiny`: builds `examples/tiny_init_pid.rs` (W3 of the design
//! notes as a libc-free static binary on the crate's `rt` feature) for every
//! architecture of the test matrix with `[profile.tiny]`, runs each (natively
//! on x86_64, under `qemu-<arch>` elsewhere) and prints `<arch> <bytes>
//! ok|FAIL`; then builds the same program in C (`bench/c/tiny_init_pid.c`)
//! against musl and glibc, static and stripped, and prints their sizes
//! beside ours. Fails on any FAIL or when x86_64 exceeds [`BUDGET_X86_64`].
//!
//! The static build ([`build_static`]) is shared with `cargo xtask boot`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::setup::{Target, TARGETS};
use crate::util;

/// Size budget of the x86_64 binary, in bytes (issue 5).
pub const BUDGET_X86_64: u64 = 2048;

/// The example that `cargo xtask tiny` measures.
const EXAMPLE: &str = "tiny_init_pid";

/// The C version of [`EXAMPLE`].
const C_SOURCE: &str = "bench/c/tiny_init_pid.c";

/// How long one run of the program may take (it times out after 2 s itself;
/// qemu-user adds start-up time).
const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// Flags for every crate of a static build: no PIE (`rt` applies no
/// relocations) and a static link.
const RUSTFLAGS: &[&str] = &["-Crelocation-model=static", "-Ctarget-feature=+crt-static"];

/// lld flags: no build id, no RELRO, read-only data in the one executable
/// segment (text, rodata and the ELF headers share a page; data and bss, if
/// any, get a writable one: no segment is both writable and executable),
/// code not padded to its own page, no `.eh_frame_hdr`.
const LINK_ARGS: &[&str] =
    &["--build-id=none", "-znorelro", "--no-rosegment", "-znoseparate-code", "--no-eh-frame-hdr"];

/// A linker script that only adds discards to lld's default layout: the
/// unwind tables (nothing unwinds with panic=abort) and the version strings
/// of rustc and lld.
const DISCARD_SCRIPT: &str = "SECTIONS {\n  /DISCARD/ : { *(.eh_frame) *(.eh_frame_hdr) *(.ARM.exidx*) \
                              *(.ARM.extab*) *(.comment) }\n} INSERT AFTER .text;\n";

/// `cargo xtask tiny`.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask tiny".into());
    }
    ensure_tools()?;
    let ours = rust_rows();
    let theirs = c_rows();
    report(&ours, &theirs)
}

/// The step `cargo xtask test` runs: the unit and doc tests of `rt` (the
/// test matrix runs without the feature), clippy on the `rt` examples, then
/// [`run`].
pub fn in_test() -> Result<(), String> {
    ensure_tools()?;
    let mut failed = Vec::new();
    let checks: [&[&str]; 3] = [
        &["test", "-p", "rawscm", "--features", "rt", "--lib", "rt::"],
        &["test", "-p", "rawscm", "--features", "rt", "--doc", "rt"],
        &[
            "clippy",
            "-p",
            "rawscm",
            "--features",
            "rt",
            "--examples",
            "--profile",
            "tiny",
            "--target",
            "x86_64-unknown-linux-musl",
            "--",
            "-D",
            "warnings",
        ],
    ];
    for args in checks {
        let mut cmd = util::cargo();
        cmd.args(args);
        if args[0] == "clippy" {
            static_env(&mut cmd);
        }
        if !util::run_ok(&mut cmd)? {
            failed.push(format!("cargo {}", args.join(" ")));
        }
    }
    let sizes = run(&[]);
    if !failed.is_empty() {
        return Err(format!("failed: {}", failed.join("; ")));
    }
    sizes
}

/// Installs what the step needs: the rustup targets, qemu-user, musl-gcc
/// and a static glibc.
fn ensure_tools() -> Result<(), String> {
    let triples: Vec<&str> = TARGETS.iter().map(|t| t.triple).collect();
    util::ensure_targets(&triples)?;
    util::ensure_apt(&["qemu-user", "musl-tools", "gcc", "libc6-dev"])
}

/// `CARGO_TARGET_DIR`, or `target/` in the workspace root.
pub fn target_dir() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| "target".into());
    if dir.is_absolute() {
        dir
    } else {
        util::root().join(dir)
    }
}

/// Where the step keeps its files: `<target dir>/xtask/<what>`.
pub fn work_dir(what: &str) -> Result<PathBuf, String> {
    let dir = target_dir().join("xtask").join(what);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

/// The short architecture name of a target triple (`riscv64gc-...` is `riscv64`).
pub fn arch(triple: &str) -> &str {
    match triple.split('-').next().unwrap_or(triple) {
        "riscv64gc" => "riscv64",
        a => a,
    }
}

/// Sets the flags every crate of a static `rt` build needs (in place of any
/// `RUSTFLAGS` of the caller, so that the build is the same everywhere).
fn static_env(cmd: &mut Command) {
    cmd.env_remove("RUSTFLAGS").env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS.join("\x1f"));
}

/// Builds example `example` with `--features rt` and `[profile.tiny]` for
/// `triple` as a static, non-PIE, stripped binary linked by `rust-lld` (no
/// libc, no crt objects), removes its section headers, and returns its path
/// (`<target dir>/xtask/tiny/<arch>/<example>`).
pub fn build_static(example: &str, triple: &str) -> Result<PathBuf, String> {
    let dir = work_dir("tiny")?;
    let script = dir.join("discard.ld");
    std::fs::write(&script, DISCARD_SCRIPT).map_err(|e| format!("cannot write {}: {e}", script.display()))?;
    let mut cmd = util::cargo();
    cmd.args(["rustc", "-p", "rawscm", "--features", "rt", "--example", example, "--profile", "tiny"]);
    cmd.args(["--target", triple, "--"]);
    cmd.args(["-Clinker=rust-lld", "-Clinker-flavor=ld.lld", "-Clink-self-contained=no"]);
    for arg in LINK_ARGS {
        cmd.arg(format!("-Clink-arg={arg}"));
    }
    cmd.arg(format!("-Clink-arg=-T{}", script.display()));
    static_env(&mut cmd);
    util::run(&mut cmd)?;
    let built = target_dir().join(triple).join("tiny").join("examples").join(example);
    let out_dir = dir.join(arch(triple));
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("cannot create {}: {e}", out_dir.display()))?;
    let out = out_dir.join(example);
    util::run(objcopy()?.arg("--strip-sections").arg(&built).arg(&out))?;
    Ok(out)
}

/// The toolchain's `rustc`: next to the `cargo` that runs us.
fn rustc() -> Command {
    let cargo = PathBuf::from(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    let beside = cargo.with_file_name("rustc");
    let mut cmd = Command::new(if beside.is_file() { beside } else { "rustc".into() });
    cmd.current_dir(util::root());
    cmd
}

/// `rust-objcopy` (LLVM's objcopy, shipped with rustc), with the library
/// path it needs.
pub(crate) fn objcopy() -> Result<Command, String> {
    let sysroot = PathBuf::from(util::output(rustc().args(["--print", "sysroot"]))?.trim());
    let host = util::output(rustc().arg("-vV"))?
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .ok_or("rustc -vV names no host")?;
    let tool = sysroot.join("lib/rustlib").join(host).join("bin/rust-objcopy");
    if !tool.is_file() {
        return Err(format!("{} is missing from the toolchain", tool.display()));
    }
    let mut cmd = Command::new(tool);
    cmd.env("LD_LIBRARY_PATH", sysroot.join("lib"));
    Ok(cmd)
}

/// What one run of a command did.
pub struct Ran {
    /// Its exit status; `None` when it was killed at the timeout.
    pub status: Option<ExitStatus>,
    /// Everything it wrote to stdout.
    pub stdout: String,
}

/// Runs `cmd` (echoed) with stdout captured, and `on_line` called for each
/// line as it arrives; kills it after `timeout`.
pub fn run_timeout(
    cmd: &mut Command,
    timeout: Duration,
    mut on_line: impl FnMut(&str),
) -> Result<Ran, String> {
    println!("+ {}", util::show(cmd));
    let _ = std::io::stdout().flush();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", util::show(cmd)))?;
    let pipe = child.stdout.take().ok_or("no stdout pipe")?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).split(b'\n') {
            let Ok(line) = line else { break };
            if tx.send(String::from_utf8_lossy(&line).into_owned()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + timeout;
    let mut stdout = String::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                on_line(&line);
                stdout += &line;
                stdout.push('\n');
            }
            // End of output: the program exited (or closed stdout).
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = wait_until(&mut child, deadline)?;
                return Ok(Ran { status, stdout });
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(Ran { status: None, stdout });
            }
        }
    }
}

/// Waits for `child` until `deadline`; kills it then.
fn wait_until(child: &mut std::process::Child, deadline: Instant) -> Result<Option<ExitStatus>, String> {
    loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("waiting: {e}"))? {
            return Ok(Some(status));
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A failed build's error for the table: the command itself is in the log.
fn short(e: String) -> String {
    if e.starts_with("command failed") {
        "build failed: see the log above".into()
    } else {
        e
    }
}

/// One line of the table.
struct Measured {
    name: String,
    bytes: Option<u64>,
    ok: bool,
    note: String,
}

/// Runs the program at `path` (with `runner` in front, if any) and checks it
/// exited 0 after printing one decimal pid.
fn check_program(name: String, path: &Path, runner: Option<&str>) -> Measured {
    let bytes = std::fs::metadata(path).ok().map(|m| m.len());
    let mut cmd = match runner {
        Some(r) => {
            let mut c = Command::new(r);
            c.arg(path);
            c
        }
        None => Command::new(path),
    };
    let (ok, note) = match run_timeout(&mut cmd, RUN_TIMEOUT, |_| {}) {
        Err(e) => (false, e),
        Ok(Ran { status: None, .. }) => (false, format!("no exit within {RUN_TIMEOUT:?}")),
        Ok(Ran { status: Some(s), stdout }) => {
            let pid = stdout.trim_end_matches('\n');
            let printed_pid = !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()) && pid != "0";
            if s.success() && printed_pid {
                (true, String::new())
            } else {
                (false, format!("{s}, printed {stdout:?}"))
            }
        }
    };
    Measured { name, bytes, ok, note }
}

/// Builds and runs the Rust program on every target.
fn rust_rows() -> Vec<Measured> {
    TARGETS
        .iter()
        .map(|t: &Target| {
            let name = arch(t.triple).to_string();
            match build_static(EXAMPLE, t.triple) {
                Err(e) => Measured { name, bytes: None, ok: false, note: short(e) },
                Ok(path) => {
                    let native = cfg!(target_arch = "x86_64") && name == "x86_64";
                    check_program(name, &path, (!native).then_some(t.qemu))
                }
            }
        })
        .collect()
}

/// Builds the C program against musl and glibc (x86_64), and runs both.
fn c_rows() -> Vec<Measured> {
    let dir = match work_dir("tiny") {
        Ok(d) => d,
        Err(e) => return vec![Measured { name: "C".into(), bytes: None, ok: false, note: e }],
    };
    let source = util::root().join(C_SOURCE);
    [("musl", "musl-gcc"), ("glibc", "gcc")]
        .into_iter()
        .map(|(libc, cc)| {
            let name = format!("x86_64 C/{libc}");
            let out = dir.join(format!("{EXAMPLE}_{libc}"));
            let mut cmd = Command::new(cc);
            cmd.args(["-static", "-Os", "-s", "-o"]).arg(&out).arg(&source);
            match util::run(&mut cmd) {
                Err(e) => Measured { name, bytes: None, ok: false, note: short(e) },
                Ok(()) => check_program(name, &out, None),
            }
        })
        .collect()
}

/// Prints the table and decides.
fn report(ours: &[Measured], theirs: &[Measured]) -> Result<(), String> {
    let line = |m: &Measured| {
        let bytes = m.bytes.map_or("-".to_string(), |b| b.to_string());
        let result = if m.ok { "ok" } else { "FAIL" };
        let note = if m.note.is_empty() { String::new() } else { format!("  ({})", m.note) };
        println!("{:<12} {:>7} {result}{note}", m.name, bytes);
    };
    println!("\n{EXAMPLE}: libc-free, static, stripped, no section headers (--features rt, --profile tiny)");
    ours.iter().for_each(line);
    println!("the same program in C ({C_SOURCE}), static, -Os, stripped:");
    theirs.iter().for_each(line);

    let mut problems: Vec<String> =
        ours.iter().chain(theirs).filter(|m| !m.ok).map(|m| m.name.clone()).collect();
    if let Some(x86_64) = ours.iter().find(|m| m.name == "x86_64") {
        if let Some(bytes) = x86_64.bytes.filter(|b| *b > BUDGET_X86_64) {
            problems.push(format!("x86_64 is {bytes} bytes, over the budget of {BUDGET_X86_64}"));
        }
    }
    println!("budget: x86_64 at most {BUDGET_X86_64} bytes");
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("FAIL: {}", problems.join("; ")))
    }
}
