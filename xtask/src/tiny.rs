//! `cargo xtask tiny`: the libc-free programs of `rawscm-rt`
//! (`rt/examples/`), built and run for every architecture of the test matrix
//! (natively on x86_64, under `qemu-<arch>` elsewhere), and their sizes.
//!
//! - `tiny_init_pid` (W3 of the design notes) the default way (`cargo build
//!   --release` with `panic = "abort"` and nothing else: the toolchain's crt
//!   objects and linker) and as a static, non-PIE, stripped binary with
//!   `[profile.tiny]`; it must print a pid and exit 0. The non-PIE one is
//!   measured: x86_64 must stay within [`BUDGET_X86_64`], and the same
//!   program in C (`bench/c/tiny_init_pid.c`, musl and glibc) is printed
//!   beside it.
//! - `rt_check`, the start-up check, the default way, non-PIE, and as static
//!   PIEs linked by `rust-lld` (GNU ld on powerpc64 big-endian, whose ELFv1
//!   lld does not link: `Target::lld`) without crt objects (so its own
//!   `_start` runs and relocates the program), once with REL/RELA tables and once
//!   with RELR (`-z pack-relative-relocs`); on the host also as a glibc
//!   static PIE (`+crt-static`: glibc's `rcrt1.o`, whose libc would relocate
//!   the program, calls rawscm-rt's `__libc_start_main` instead). Each must
//!   print [`RT_CHECK_EXPECTED`] exactly and exit with main's 42, and its
//!   panic run must go through the panic handler and exit 101.
//!
//! The static build ([`build_static`]) is shared with `cargo xtask boot`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::setup::{HOST, TARGETS, Target};
use crate::util;

/// Size budget of the x86_64 non-PIE `tiny_init_pid`, in bytes (issue 5).
pub const BUDGET_X86_64: u64 = 2048;

/// The example that `cargo xtask tiny` measures.
const EXAMPLE: &str = "tiny_init_pid";

/// The start-up check.
const RT_CHECK: &str = "rt_check";

/// The arguments and environment `rt_check` runs with.
const RT_CHECK_ARGS: &[&str] = &["alpha", "beta gamma"];
const RT_CHECK_ENV: (&str, &str) = ("RAWSCM_RT_CHECK", "yes");

/// What `rt_check` must print with [`RT_CHECK_ARGS`] and [`RT_CHECK_ENV`]
/// (its exit status must be 42).
pub const RT_CHECK_EXPECTED: &str = "argc 3
arg alpha
arg beta gamma
env RAWSCM_RT_CHECK=yes
table one two three
fn 42
dyn circle 3, square 4
auxv page size ok
";

/// The C version of [`EXAMPLE`].
const C_SOURCE: &str = "bench/c/tiny_init_pid.c";

/// How long one run of the program may take (it times out after 2 s itself;
/// qemu-user adds start-up time).
const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// Flags for every crate of a static build: no PIE (nothing to relocate,
/// and rawscm-rt then leaves its relocation code out) and a static link.
const RUSTFLAGS: &[&str] = &["-Crelocation-model=static", "-Ctarget-feature=+crt-static"];

/// The linker flags of a build without the toolchain's crt objects:
/// `rust-lld` alone, so that rawscm-rt's `_start` is the entry point.
const NO_CRT: &[&str] = &["-Clinker=rust-lld", "-Clinker-flavor=ld.lld", "-Clink-self-contained=no"];

/// lld flags: no build id, no RELRO, read-only data in the one executable
/// segment (text, rodata and the ELF headers share a page; data and bss, if
/// any, get a writable one: no segment is both writable and executable),
/// code not padded to its own page, no `.eh_frame_hdr`.
const LINK_ARGS: &[&str] =
    &["--build-id=none", "-znorelro", "--no-rosegment", "-znoseparate-code", "--no-eh-frame-hdr"];

/// The same for GNU ld, given to the cross gcc (for targets that lld does
/// not link, `Target::lld`): GNU ld keeps the headers, text and read-only
/// data in one segment by itself with `-z noseparate-code`.
const GNU_LINK_ARGS: &str = "-Wl,--build-id=none,-znorelro,-znoseparate-code,--no-eh-frame-hdr";

/// How `triple` links without crt objects: `rust-lld`, or (where lld
/// cannot: `Target::lld`) GNU ld through the target's cross gcc with
/// `-nostartfiles` (rustc already passes `-nodefaultlibs`). `None` for the
/// first, else the gcc.
fn gnu_linker(triple: &str) -> Option<String> {
    Target::find(triple).filter(|t| !t.lld).map(Target::linker)
}

/// The flags of a link without crt objects (`extra_gnu`: more arguments for
/// the gcc driver when GNU ld links).
fn no_crt(triple: &str, extra_gnu: &[&str]) -> Vec<String> {
    match gnu_linker(triple) {
        None => NO_CRT.iter().map(|f| f.to_string()).collect(),
        Some(gcc) => {
            let mut flags = vec![format!("-Clinker={gcc}"), "-Clink-self-contained=no".into()];
            flags.push("-Clink-arg=-nostartfiles".into());
            flags.extend(extra_gnu.iter().map(|a| format!("-Clink-arg={a}")));
            flags
        }
    }
}

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
    let mut ours = Vec::new();
    for t in TARGETS {
        ours.extend(target_rows(t));
    }
    ours.extend(host_rows());
    let theirs = c_rows();
    report(&ours, &theirs)
}

/// The step `cargo xtask test` runs: clippy on rawscm-rt's examples (they
/// build only with `panic = "abort"`, so the lint step skips them) as the
/// static non-PIE build sees them (no relocation code) and as the default
/// build does, then [`run`]. (rawscm-rt's unit tests run in every row of the
/// test matrix.)
pub fn in_test() -> Result<(), String> {
    ensure_tools()?;
    let mut failed = Vec::new();
    for non_pie in [true, false] {
        let mut cmd = util::cargo();
        cmd.args(["clippy", "-p", "rawscm-rt", "--features", "examples", "--examples"]);
        cmd.args(if non_pie { ["--profile", "tiny"] } else { ["--profile", "release"] });
        cmd.args(["--target", "x86_64-unknown-linux-musl", "--", "-D", "warnings"]);
        if non_pie {
            static_env(&mut cmd);
        } else {
            default_env(&mut cmd);
            cmd.env("CARGO_PROFILE_RELEASE_PANIC", "abort");
        }
        if !util::run_ok(&mut cmd)? {
            failed.push(if non_pie { "clippy (non-PIE)" } else { "clippy (default)" });
        }
    }
    let ran = run(&[]);
    if !failed.is_empty() {
        return Err(format!("failed: {} on the rawscm-rt examples", failed.join(", ")));
    }
    ran
}

/// Installs what the step needs: the rustup targets, qemu-user, the cross
/// compilers (the linkers of the default `-gnu` builds), musl-gcc and a
/// static glibc.
fn ensure_tools() -> Result<(), String> {
    let triples: Vec<&str> = TARGETS.iter().map(|t| t.triple).collect();
    util::ensure_targets(&triples)?;
    let mut pkgs: Vec<String> = TARGETS.iter().flat_map(|t| t.packages()).collect();
    pkgs.extend(["musl-tools", "gcc", "libc6-dev"].map(String::from));
    pkgs.sort();
    pkgs.dedup();
    util::ensure_apt(&pkgs.iter().map(String::as_str).collect::<Vec<_>>())
}

/// `CARGO_TARGET_DIR`, or `target/` in the workspace root.
pub fn target_dir() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| "target".into());
    if dir.is_absolute() { dir } else { util::root().join(dir) }
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

/// Sets the flags every crate of a static non-PIE build needs (in place of
/// any `RUSTFLAGS` of the caller, so that the build is the same everywhere).
fn static_env(cmd: &mut Command) {
    cmd.env_remove("RUSTFLAGS").env("CARGO_ENCODED_RUSTFLAGS", RUSTFLAGS.join("\x1f"));
}

/// No flags of the caller's: a default build.
fn default_env(cmd: &mut Command) {
    cmd.env_remove("RUSTFLAGS").env_remove("CARGO_ENCODED_RUSTFLAGS");
}

/// Copies a built program to `<target dir>/xtask/tiny/<arch>/<name>` (the
/// next build of the same example overwrites cargo's copy) and returns
/// that path.
fn keep(built: &Path, triple: &str, name: &str) -> Result<PathBuf, String> {
    let dir = work_dir("tiny")?.join(arch(triple));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let out = dir.join(name);
    std::fs::copy(built, &out).map_err(|e| format!("cannot copy {}: {e}", built.display()))?;
    Ok(out)
}

/// Builds example `example` of rawscm-rt with `[profile.tiny]` for `triple`
/// as a static, non-PIE, stripped binary linked by `rust-lld` (GNU ld where
/// lld cannot: [`no_crt`]; no libc, no crt objects), removes its section
/// headers, and returns its path (`<target dir>/xtask/tiny/<arch>/<example>`).
pub fn build_static(example: &str, triple: &str) -> Result<PathBuf, String> {
    let dir = work_dir("tiny")?;
    let script = dir.join("discard.ld");
    std::fs::write(&script, DISCARD_SCRIPT).map_err(|e| format!("cannot write {}: {e}", script.display()))?;
    let mut cmd = util::cargo();
    cmd.args([
        "rustc",
        "-p",
        "rawscm-rt",
        // Without the `vdso` feature: a one-shot helper reads the clock a
        // few times, and the vDSO lookup would cost more code (x86_64: 4904
        // bytes with it, 1969 without) and more system calls than it saves.
        "--no-default-features",
        "--features",
        "examples",
        "--example",
        example,
        "--profile",
        "tiny",
    ]);
    cmd.args(["--target", triple, "--"]).args(no_crt(triple, &[GNU_LINK_ARGS]));
    if gnu_linker(triple).is_none() {
        for arg in LINK_ARGS {
            cmd.arg(format!("-Clink-arg={arg}"));
        }
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

/// The default build of [`EXAMPLE`] and [`RT_CHECK`]: `cargo build
/// --release --target <triple>` with `panic = "abort"` (the profile setting,
/// given as `CARGO_PROFILE_RELEASE_PANIC`), no flags, and the linker a cross
/// build needs (`target`: the matrix's, none for the host). Returns their
/// paths.
fn build_default(triple: &str, target: Option<&Target>) -> Result<(PathBuf, PathBuf), String> {
    let mut cmd = util::cargo();
    cmd.args(["build", "--release", "-p", "rawscm-rt", "--features", "examples"]);
    cmd.args(["--example", EXAMPLE, "--example", RT_CHECK, "--target", triple]);
    cmd.env("CARGO_PROFILE_RELEASE_PANIC", "abort");
    default_env(&mut cmd);
    if let Some(t) = target {
        t.configure(&mut cmd);
    }
    util::run(&mut cmd)?;
    let built = target_dir().join(triple).join("release").join("examples");
    let tiny = keep(&built.join(EXAMPLE), triple, &format!("{EXAMPLE}-default"))?;
    let check = keep(&built.join(RT_CHECK), triple, &format!("{RT_CHECK}-default"))?;
    Ok((tiny, check))
}

/// [`RT_CHECK`] built as the default one, with `extra` flags for the final
/// crate (the link), kept as `rt_check-<name>`.
fn build_check_with(triple: &str, extra: &[&str], name: &str) -> Result<PathBuf, String> {
    let mut cmd = util::cargo();
    cmd.args(["rustc", "--release", "-p", "rawscm-rt", "--features", "examples", "--example", RT_CHECK]);
    cmd.args(["--target", triple, "--"]).args(extra);
    cmd.env("CARGO_PROFILE_RELEASE_PANIC", "abort");
    default_env(&mut cmd);
    util::run(&mut cmd)?;
    let built = target_dir().join(triple).join("release").join("examples").join(RT_CHECK);
    keep(&built, triple, &format!("{RT_CHECK}-{name}"))
}

/// [`RT_CHECK`] as a static PIE linked by `rust-lld` without crt objects:
/// `+crt-static` where rustc links static PIEs itself (x86_64), elsewhere
/// `-crt-static`, which makes a PIE that names no dynamic linker (none is
/// given to lld) and no library. Where GNU ld links instead ([`no_crt`]),
/// the gcc driver's `-static-pie` names no dynamic linker. With `relr`, the
/// relative relocations are packed into a `DT_RELR` table.
fn build_static_pie(triple: &str, relr: bool) -> Result<PathBuf, String> {
    let crt_static = if triple.starts_with("x86_64-") {
        "-Ctarget-feature=+crt-static"
    } else {
        "-Ctarget-feature=-crt-static"
    };
    let gnu: &[&str] = if relr { &["-static-pie", "-Wl,-zpack-relative-relocs"] } else { &["-static-pie"] };
    let mut flags = no_crt(triple, gnu);
    flags.push(crt_static.into());
    if relr && gnu_linker(triple).is_none() {
        flags.push("-Clink-arg=-zpack-relative-relocs".into());
    }
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    build_check_with(triple, &flags, if relr { "static-pie-relr" } else { "static-pie" })
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
    if e.starts_with("command failed") { "build failed: see the log above".into() } else { e }
}

/// One line of the table.
struct Measured {
    program: &'static str,
    /// The architecture (`x86_64-gnu` for the host rows).
    arch: String,
    /// How it was built.
    build: &'static str,
    /// What the ELF file is (static, static PIE, dynamic PIE), if read.
    kind: String,
    bytes: Option<u64>,
    ok: bool,
    note: String,
}

impl Measured {
    /// The row of a program that did not build.
    fn failed(program: &'static str, arch: &str, build: &'static str, e: String) -> Measured {
        Measured {
            program,
            arch: arch.to_string(),
            build,
            kind: String::new(),
            bytes: None,
            ok: false,
            note: short(e),
        }
    }
}

/// The rows of one target of the matrix.
fn target_rows(t: &Target) -> Vec<Measured> {
    let a = arch(t.triple);
    let native = cfg!(target_arch = "x86_64") && a == "x86_64";
    let runner: Option<Vec<String>> =
        (!native).then(|| t.runner().split_whitespace().map(String::from).collect());
    let runner = runner.as_deref();
    let failed = |program, build, e| Measured::failed(program, a, build, e);
    let mut rows = Vec::new();
    rows.push(match build_static(EXAMPLE, t.triple) {
        Ok(path) => check_tiny(a, "non-PIE", &path, runner, Some("static")),
        Err(e) => failed(EXAMPLE, "non-PIE", e),
    });
    match build_default(t.triple, Some(t)) {
        Ok((tiny, check)) => {
            rows.push(check_tiny(a, "default", &tiny, runner, None));
            rows.push(check_rt(a, "default", &check, runner, None));
        }
        Err(e) => {
            rows.push(failed(EXAMPLE, "default", e.clone()));
            rows.push(failed(RT_CHECK, "default", e));
        }
    }
    rows.push(match build_static(RT_CHECK, t.triple) {
        Ok(path) => check_rt(a, "non-PIE", &path, runner, Some(("static", false))),
        Err(e) => failed(RT_CHECK, "non-PIE", e),
    });
    for (relr, build) in [(false, "static PIE, no crt"), (true, "static PIE, RELR")] {
        match build_static_pie(t.triple, relr) {
            Ok(path) => {
                rows.push(check_rt(a, build, &path, runner, Some(("static PIE", relr))));
                if !relr {
                    rows.push(check_refusal(a, &path, runner));
                }
            }
            Err(e) => rows.push(failed(RT_CHECK, build, e)),
        }
    }
    rows
}

/// The static PIE at `path` with its first relocation made one that needs a
/// dynamic linker: it must refuse to start, with rawscm-rt's message and
/// exit status 127 (and not crash, although nothing is relocated yet when
/// it says so).
fn check_refusal(arch: &str, path: &Path, runner: Option<&[String]>) -> Measured {
    let build = "static PIE, bad reloc";
    let row = |ok, note: String| Measured {
        program: RT_CHECK,
        arch: arch.into(),
        build,
        kind: "static PIE".into(),
        bytes: None,
        ok,
        note,
    };
    let mut bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return row(false, format!("cannot read {}: {e}", path.display())),
    };
    if elf::break_first_relocation(&mut bytes).is_none() {
        return row(false, "no REL or RELA relocation to break".into());
    }
    let broken = path.with_file_name(format!("{RT_CHECK}-bad-reloc"));
    let written = std::fs::write(&broken, &bytes).and_then(|()| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o755))
    });
    if let Err(e) = written {
        return row(false, format!("cannot write {}: {e}", broken.display()));
    }
    let mut cmd = Command::new("timeout");
    cmd.arg(RUN_TIMEOUT.as_secs().to_string());
    cmd.args(runner.unwrap_or_default()).arg(&broken);
    println!("+ {}", util::show(&cmd));
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => return row(false, format!("cannot run it: {e}")),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = "rawscm-rt: cannot start: a relocation other than RELATIVE";
    if out.status.code() == Some(127) && stderr.contains(message) && out.stdout.is_empty() {
        row(true, String::new())
    } else {
        row(false, format!("exit {}, stderr {stderr:?}", out.status))
    }
}

/// The rows of the host (x86_64 glibc): the default build (a dynamic PIE
/// that glibc's `Scrt1.o` and dynamic linker start, without glibc itself),
/// and `+crt-static` (a static PIE: glibc's `rcrt1.o`, rawscm-rt relocates).
fn host_rows() -> Vec<Measured> {
    let a = "x86_64-gnu";
    let failed = |program, build, e| Measured::failed(program, a, build, e);
    let mut rows = Vec::new();
    match build_default(HOST, None) {
        Ok((tiny, check)) => {
            rows.push(check_tiny(a, "default", &tiny, None, Some("dynamic PIE")));
            rows.push(check_rt(a, "default", &check, None, Some(("dynamic PIE", false))));
        }
        Err(e) => {
            rows.push(failed(EXAMPLE, "default", e.clone()));
            rows.push(failed(RT_CHECK, "default", e));
        }
    }
    let build = "+crt-static (rcrt1.o)";
    rows.push(match build_check_with(HOST, &["-Ctarget-feature=+crt-static"], "glibc-static-pie") {
        Ok(path) => check_rt(a, build, &path, None, Some(("static PIE", false))),
        Err(e) => failed(RT_CHECK, build, e),
    });
    rows
}

/// `path` run directly, or by `runner` (`qemu-<arch> [-L <sysroot>]`).
fn command(path: &Path, runner: Option<&[String]>) -> Command {
    match runner {
        Some([program, args @ ..]) => {
            let mut cmd = Command::new(program);
            cmd.args(args).arg(path);
            cmd
        }
        _ => Command::new(path),
    }
}

/// What kind of ELF file `path` is; a problem if it is not `expect` (when
/// given).
fn kind_of(path: &Path, expect: Option<&str>) -> (String, Option<String>) {
    match elf::inspect(path) {
        Err(e) => (String::new(), Some(e)),
        Ok(elf) => {
            let kind = elf.kind().to_string();
            let wrong = expect.filter(|want| *want != kind).map(|want| format!("{kind}, not {want}"));
            (kind, wrong)
        }
    }
}

/// Runs [`EXAMPLE`] at `path` and checks it exited 0 after printing one
/// decimal pid.
fn check_tiny(
    arch: &str,
    build: &'static str,
    path: &Path,
    runner: Option<&[String]>,
    expect: Option<&str>,
) -> Measured {
    let bytes = std::fs::metadata(path).ok().map(|m| m.len());
    let (kind, wrong) = kind_of(path, expect);
    let (ok, note) = match run_timeout(&mut command(path, runner), RUN_TIMEOUT, |_| {}) {
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
    let (ok, note) = match wrong {
        Some(w) => (false, w),
        None => (ok, note),
    };
    Measured { program: EXAMPLE, arch: arch.into(), build, kind, bytes, ok, note }
}

/// Runs [`RT_CHECK`] at `path` twice: with [`RT_CHECK_ARGS`] and
/// [`RT_CHECK_ENV`] (it must print [`RT_CHECK_EXPECTED`] and exit 42), and
/// as `rt_check panic` (it must report the panic and exit 101). `expect`:
/// the ELF kind it must be, and whether it must have a `DT_RELR` table.
fn check_rt(
    arch: &str,
    build: &'static str,
    path: &Path,
    runner: Option<&[String]>,
    expect: Option<(&str, bool)>,
) -> Measured {
    let bytes = std::fs::metadata(path).ok().map(|m| m.len());
    let (kind, mut problems) = match elf::inspect(path) {
        Err(e) => (String::new(), vec![e]),
        Ok(elf) => {
            let kind = elf.kind().to_string();
            let mut problems = Vec::new();
            if let Some((want, relr)) = expect {
                if kind != want {
                    problems.push(format!("{kind}, not {want}"));
                }
                if relr && !elf.relr {
                    problems.push("no DT_RELR table".into());
                }
            }
            (kind, problems)
        }
    };
    let mut cmd = command(path, runner);
    cmd.args(RT_CHECK_ARGS).env(RT_CHECK_ENV.0, RT_CHECK_ENV.1);
    match run_timeout(&mut cmd, RUN_TIMEOUT, |_| {}) {
        Err(e) => problems.push(e),
        Ok(Ran { status, stdout }) => {
            if stdout != RT_CHECK_EXPECTED {
                let got = stdout.lines().zip(RT_CHECK_EXPECTED.lines()).find(|(got, want)| got != want);
                problems.push(match got {
                    Some((got, want)) => format!("printed {got:?} where {want:?} was expected"),
                    None => format!(
                        "printed {} lines, not {}",
                        stdout.lines().count(),
                        RT_CHECK_EXPECTED.lines().count()
                    ),
                });
            }
            if status.and_then(|s| s.code()) != Some(42) {
                problems.push(format!("exit {}, not main's 42", show_status(status)));
            }
        }
    }
    let mut cmd = command(path, runner);
    // Its stderr says the same as stdout (from rawscm_rt::panic).
    cmd.arg("panic").stderr(Stdio::null());
    match run_timeout(&mut cmd, RUN_TIMEOUT, |_| {}) {
        Err(e) => problems.push(e),
        Ok(Ran { status, stdout }) => {
            let reported = stdout.starts_with("panic panicked at ")
                && stdout.contains("rt_check.rs:")
                && stdout.contains("as asked, after one");
            if !reported || status.and_then(|s| s.code()) != Some(101) {
                problems.push(format!("panic run: exit {}, printed {stdout:?}", show_status(status)));
            }
        }
    }
    Measured {
        program: RT_CHECK,
        arch: arch.into(),
        build,
        kind,
        bytes,
        ok: problems.is_empty(),
        note: problems.join("; "),
    }
}

fn show_status(status: Option<ExitStatus>) -> String {
    status.map_or("none (timeout)".into(), |s| s.to_string())
}

/// Builds the C program against musl and glibc (x86_64), and runs both.
fn c_rows() -> Vec<Measured> {
    let row = |libc: &str, ok, bytes, note| Measured {
        program: "C",
        arch: format!("x86_64 {libc}"),
        build: "static, -Os, stripped",
        kind: String::new(),
        bytes,
        ok,
        note,
    };
    let dir = match work_dir("tiny") {
        Ok(d) => d,
        Err(e) => return vec![row("", false, None, e)],
    };
    let source = util::root().join(C_SOURCE);
    [("musl", "musl-gcc"), ("glibc", "gcc")]
        .into_iter()
        .map(|(libc, cc)| {
            let out = dir.join(format!("{EXAMPLE}_{libc}"));
            let mut cmd = Command::new(cc);
            cmd.args(["-static", "-Os", "-s", "-o"]).arg(&out).arg(&source);
            match util::run(&mut cmd) {
                Err(e) => row(libc, false, None, short(e)),
                Ok(()) => {
                    let m = check_tiny("x86_64", "static", &out, None, None);
                    row(libc, m.ok, m.bytes, m.note)
                }
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
        println!(
            "{:<13} {:<12} {:<22} {:<12} {:>7} {result}{note}",
            m.program, m.arch, m.build, m.kind, bytes
        );
    };
    println!(
        "\nrawscm-rt programs (rt/examples/), libc-free. non-PIE: static, --profile tiny, stripped, no section"
    );
    println!(
        "headers. default: cargo build --release, panic = \"abort\", nothing else. static PIE: no crt objects."
    );
    println!("non-PIE and static PIE are linked by rust-lld, on powerpc64 (big-endian, ELFv1) by GNU ld.");
    println!("{:<13} {:<12} {:<22} {:<12} {:>7} result", "program", "arch", "build", "ELF", "bytes");
    ours.iter().for_each(line);
    println!("the same program in C ({C_SOURCE}):");
    theirs.iter().for_each(line);

    let mut problems: Vec<String> = ours
        .iter()
        .chain(theirs)
        .filter(|m| !m.ok)
        .map(|m| format!("{} {} {}", m.program, m.arch, m.build))
        .collect();
    let budgeted = ours.iter().find(|m| m.program == EXAMPLE && m.arch == "x86_64" && m.build == "non-PIE");
    if let Some(bytes) = budgeted.and_then(|m| m.bytes).filter(|b| *b > BUDGET_X86_64) {
        problems.push(format!("x86_64 {EXAMPLE} is {bytes} bytes, over the budget of {BUDGET_X86_64}"));
    }
    println!("budget: x86_64 non-PIE {EXAMPLE} at most {BUDGET_X86_64} bytes");
    if problems.is_empty() { Ok(()) } else { Err(format!("FAIL: {}", problems.join("; "))) }
}

/// Just enough ELF reading to tell what kind of executable a file is, and
/// to break one relocation of it on purpose.
mod elf {
    use std::path::Path;

    /// What [`inspect`] found.
    pub struct Elf {
        /// `ET_DYN` (position independent) rather than `ET_EXEC`.
        pub pie: bool,
        /// Has a `PT_INTERP` (a dynamic linker starts it).
        pub interp: bool,
        /// Its dynamic section has a `DT_RELR` table.
        pub relr: bool,
    }

    impl Elf {
        pub fn kind(&self) -> &'static str {
            match (self.pie, self.interp) {
                (false, false) => "static",
                (true, false) => "static PIE",
                (true, true) => "dynamic PIE",
                (false, true) => "dynamic",
            }
        }
    }

    const ET_DYN: u64 = 3;
    const PT_LOAD: u64 = 1;
    const PT_DYNAMIC: u64 = 2;
    const PT_INTERP: u64 = 3;
    const DT_RELA: u64 = 7;
    const DT_RELASZ: u64 = 8;
    const DT_REL: u64 = 17;
    const DT_RELSZ: u64 = 18;
    const DT_RELR: u64 = 36;

    /// A parsed file: the facts above, the `PT_LOAD` segments (vaddr,
    /// file offset, file size) and the dynamic section's entries.
    struct Parsed {
        wide: bool,
        big: bool,
        elf: Elf,
        loads: Vec<(u64, u64, u64)>,
        dynamic: Vec<(u64, u64)>,
    }

    /// Reads the ELF header, the program headers and the dynamic section
    /// of the file at `path`.
    pub fn inspect(path: &Path) -> Result<Elf, String> {
        let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        parse(&bytes).ok_or_else(|| format!("{}: not an ELF file this can read", path.display()))
    }

    /// [`inspect`] on the file's bytes; `None` for anything malformed.
    pub fn parse(b: &[u8]) -> Option<Elf> {
        parse_all(b).map(|p| p.elf)
    }

    /// Reads `size` bytes at `at` as an unsigned integer.
    fn int(b: &[u8], big: bool, at: u64, size: usize) -> Option<u64> {
        let at = usize::try_from(at).ok()?;
        let field = b.get(at..at.checked_add(size)?)?;
        let mut v = 0u64;
        for i in 0..size {
            let byte = if big { field[i] } else { field[size - 1 - i] };
            v = v << 8 | u64::from(byte);
        }
        Some(v)
    }

    fn parse_all(b: &[u8]) -> Option<Parsed> {
        if b.get(..4)? != b"\x7fELF" {
            return None;
        }
        let wide = match b.get(4)? {
            1 => false,
            2 => true,
            _ => return None,
        };
        let big = *b.get(5)? == 2;
        let word = if wide { 8 } else { 4 };
        let int = |at: u64, size: usize| int(b, big, at, size);
        let e_type = int(16, 2)?;
        let phoff = int(if wide { 32 } else { 28 }, word)?;
        let phentsize = int(if wide { 54 } else { 42 }, 2)?;
        let phnum = int(if wide { 56 } else { 44 }, 2)?;
        let mut p = Parsed {
            wide,
            big,
            elf: Elf { pie: e_type == ET_DYN, interp: false, relr: false },
            loads: Vec::new(),
            dynamic: Vec::new(),
        };
        for i in 0..phnum {
            let ph = phoff.checked_add(i.checked_mul(phentsize)?)?;
            let p_type = int(ph, 4)?;
            let p_offset = int(ph + if wide { 8 } else { 4 }, word)?;
            let p_vaddr = int(ph + if wide { 16 } else { 8 }, word)?;
            let p_filesz = int(ph + if wide { 32 } else { 16 }, word)?;
            match p_type {
                PT_INTERP => p.elf.interp = true,
                PT_LOAD => p.loads.push((p_vaddr, p_offset, p_filesz)),
                PT_DYNAMIC => {
                    let mut at = p_offset;
                    while at + 2 * word as u64 <= p_offset.checked_add(p_filesz)? {
                        let (tag, value) = (int(at, word)?, int(at + word as u64, word)?);
                        if tag == 0 {
                            break;
                        }
                        p.elf.relr |= tag == DT_RELR;
                        p.dynamic.push((tag, value));
                        at += 2 * word as u64;
                    }
                }
                _ => {}
            }
        }
        Some(p)
    }

    /// Changes the type of the first `DT_RELA` (else `DT_REL`) relocation
    /// of an ELF file to 0xfe, which no architecture here uses for a
    /// relative relocation: the program must then refuse to start.
    pub fn break_first_relocation(b: &mut [u8]) -> Option<()> {
        let p = parse_all(b)?;
        let find = |tag: u64| p.dynamic.iter().find(|(t, _)| *t == tag).map(|(_, v)| *v);
        // REL and RELA entries start alike: r_offset, then r_info.
        let table = match (find(DT_RELA), find(DT_RELASZ)) {
            (Some(table), Some(size)) if size > 0 => table,
            _ => find(DT_REL).filter(|_| find(DT_RELSZ).is_some_and(|s| s > 0))?,
        };
        let (vaddr, offset, _) =
            *p.loads.iter().find(|(vaddr, _, size)| (*vaddr..vaddr + size).contains(&table))?;
        let entry = usize::try_from(table - vaddr + offset).ok()?;
        // r_info follows r_offset; its type is the low 32 bits (64-bit) or
        // the low 8 bits (32-bit): the byte at the little end.
        let word = if p.wide { 8 } else { 4 };
        let info = entry + word;
        let type_byte = if p.big { info + word - 1 } else { info };
        *b.get_mut(type_byte)? = 0xfe;
        if p.wide {
            // Clear the rest of the 32-bit type field.
            let rest = if p.big { info + 4..info + 7 } else { info + 1..info + 4 };
            b.get_mut(rest)?.fill(0);
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::elf;

    /// The code lines (not blank, not comment-only; trimmed) of `text`.
    fn code_lines(text: &str) -> Vec<&str> {
        text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("//")).collect()
    }

    /// The ```` ```ignore ```` blocks of the doc comments in `source`, as
    /// their code lines.
    fn ignored_doc_examples(source: &str) -> Vec<Vec<&str>> {
        let mut blocks = Vec::new();
        let mut current: Option<Vec<&str>> = None;
        for line in source.lines() {
            let Some(doc) =
                line.trim_start().strip_prefix("///").or_else(|| line.trim_start().strip_prefix("//!"))
            else {
                continue;
            };
            let doc = doc.strip_prefix(' ').unwrap_or(doc);
            match (&mut current, doc.trim()) {
                (None, "```ignore") => current = Some(Vec::new()),
                (Some(_), "```") => blocks.push(current.take().unwrap_or_default()),
                (Some(block), code) if !code.is_empty() && !code.starts_with("//") => block.push(code),
                _ => {}
            }
        }
        blocks
    }

    /// rawscm-rt's doc examples cannot run as doc tests (they would link
    /// std): each must appear, line for line, in one of its examples, which
    /// `cargo xtask tiny` builds.
    #[test]
    fn rt_doc_examples_are_compiled_by_an_example() {
        let rt = crate::util::root().join("rt");
        let examples: Vec<(String, String)> = std::fs::read_dir(rt.join("examples"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.display().to_string(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        let mut missing = Vec::new();
        let mut checked = 0;
        for file in
            std::fs::read_dir(rt.join("src")).unwrap().chain(std::fs::read_dir(rt.join("src/arch")).unwrap())
        {
            let path = file.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let source = std::fs::read_to_string(&path).unwrap();
            for block in ignored_doc_examples(&source) {
                checked += 1;
                let found = examples
                    .iter()
                    .any(|(_, text)| code_lines(text).windows(block.len()).any(|w| w == block.as_slice()));
                if !found {
                    missing.push(format!("{}: {}", path.display(), block.join(" / ")));
                }
            }
        }
        assert!(checked >= 10, "only {checked} ignored doc examples found");
        assert!(missing.is_empty(), "doc examples in no example file:\n{}", missing.join("\n"));
    }

    #[test]
    fn links_without_crt_objects_by_lld_or_gnu_ld() {
        let lld = super::no_crt("powerpc-unknown-linux-gnu", &["-static-pie"]);
        assert_eq!(lld, super::NO_CRT);
        let gnu = super::no_crt("powerpc64-unknown-linux-gnu", &["-static-pie"]);
        assert_eq!(
            gnu,
            [
                "-Clinker=powerpc64-linux-gnu-gcc",
                "-Clink-self-contained=no",
                "-Clink-arg=-nostartfiles",
                "-Clink-arg=-static-pie"
            ]
        );
    }

    #[test]
    fn elf_kind_of_this_test_binary() {
        // cargo builds the xtask's tests for the host: a dynamic PIE.
        let exe = std::env::current_exe().unwrap();
        let found = elf::inspect(&exe).unwrap();
        assert_eq!(found.kind(), "dynamic PIE");
        assert!(elf::parse(b"\x7fELF").is_none());
        assert!(elf::parse(b"#!/bin/sh\n").is_none());
    }

    #[test]
    fn elf_kind_of_a_static_32_bit_big_endian_header() {
        // A made-up 32-bit big-endian ET_EXEC with one PT_LOAD header.
        let mut b = vec![0u8; 52 + 32];
        b[..6].copy_from_slice(b"\x7fELF\x01\x02");
        b[17] = 2; // e_type ET_EXEC (big-endian u16 at 16)
        b[31] = 52; // e_phoff
        b[43] = 32; // e_phentsize
        b[45] = 1; // e_phnum
        b[55] = 1; // p_type PT_LOAD
        let found = elf::parse(&b).unwrap();
        assert_eq!((found.kind(), found.relr), ("static", false));
        b[55] = 3; // PT_INTERP
        assert_eq!(elf::parse(&b).unwrap().kind(), "dynamic");
    }
}
