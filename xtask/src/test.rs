//! `cargo xtask test`: formatting, clippy, the native test suite, the full test
//! suite of every cross target under qemu-user (with both syscall backends where
//! `sc` builds), the same test binaries on real Linux kernels under qemu-system
//! (`crate::kernels`), then the extra steps of the other subcommands, and a
//! summary.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use crate::setup::{self, HOST, TARGETS, Target};
use crate::util::{self, Row};

const USAGE: &str = "\
usage: cargo xtask test [options]

  --target <triple>  only this target (repeatable); the host triple selects the native row
  --native-only      fmt, clippy and the native tests only
  --no-extras        skip the additive, package, tiny, boot, miri and bench steps
  --no-lint          skip cargo fmt and cargo clippy
  --no-sc            skip the rows of the `sc` backend
  --no-setup         do not check for missing toolchain parts and packages
  --timeout <min>    kill a test row after this many minutes (default 10)
  --kernels <which>  real-kernel rows: none, 6.12, 6.1 or all (default all)

Cross rows run under qemu-<arch> with RAWSCM_QEMU=1 and RAWSCM_SKIP_LOG set
(see tests/common/mod.rs). Real-kernel rows (cargo xtask kernels) run the
same test binaries as PID 1's children on Debian's kernels under
qemu-system, with RAWSCM_KERNEL_ROW=1. Exit status non-zero if anything
failed.";

/// An extra step of another subcommand.
type Step = fn() -> Result<(), String>;

/// Features every test row enables (the `sc` rows add `sc`).
const FEATURES: &str = "rawscm/std";

/// The features of rawscm's tests in a row, with the `sc` backend or not.
pub(crate) fn features(sc: bool) -> String {
    if sc { format!("{FEATURES},rawscm/sc") } else { FEATURES.to_string() }
}

/// The features of rawscm-rt's tests in a row (not `std`, which it refuses).
pub(crate) fn rt_features(sc: bool) -> &'static str {
    if sc { "rawscm/sc" } else { "" }
}

#[derive(Default)]
struct Opts {
    targets: Vec<String>,
    native_only: bool,
    no_extras: bool,
    no_lint: bool,
    no_sc: bool,
    no_setup: bool,
    timeout_min: u32,
    kernels: Vec<crate::kernels::Series>,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts { timeout_min: 10, kernels: crate::kernels::Series::parse("all")?, ..Opts::default() };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--target" => o.targets.push(it.next().ok_or("--target needs a triple")?.clone()),
            "--native-only" => o.native_only = true,
            "--no-extras" => o.no_extras = true,
            "--no-lint" => o.no_lint = true,
            "--no-sc" => o.no_sc = true,
            "--no-setup" => o.no_setup = true,
            "--kernels" => {
                o.kernels = crate::kernels::Series::parse(it.next().ok_or("--kernels needs a value")?)?;
            }
            "--timeout" => {
                let v = it.next().ok_or("--timeout needs minutes")?;
                o.timeout_min = v.parse().map_err(|_| format!("bad --timeout {v}"))?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    for t in &o.targets {
        if t != HOST && Target::find(t).is_none() {
            let known: Vec<&str> = TARGETS.iter().map(|t| t.triple).collect();
            return Err(format!("unknown target {t}; known: {HOST} {}", known.join(" ")));
        }
    }
    Ok(o)
}

/// `cargo xtask test [options]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    let started = Instant::now();
    let selected = |triple: &str| opts.targets.is_empty() || opts.targets.iter().any(|t| t == triple);
    let native = selected(HOST);
    let cross: Vec<&Target> =
        if opts.native_only { Vec::new() } else { TARGETS.iter().filter(|t| selected(t.triple)).collect() };
    let extras = !opts.no_extras && !opts.native_only && opts.targets.is_empty();
    let kernel_rows =
        if opts.native_only { Vec::new() } else { crate::kernels::select(&opts.targets, &opts.kernels) };

    if !opts.no_setup {
        heading("set-up");
        setup::ensure(&cross, extras, !kernel_rows.is_empty())?;
    }

    let mut rows = Vec::new();
    if !opts.no_lint {
        if native {
            rows.push(timed("cargo fmt --check", || {
                Row::step("cargo fmt --check", util::run(cargo(None).args(["fmt", "--all", "--check"])))
            }));
        }
        rows.push(timed("cargo clippy", || {
            Row::step("cargo clippy -D warnings", clippy(native, &cross, !opts.no_sc))
        }));
    }
    if native {
        rows.push(timed(&format!("tests: {HOST} (native)"), || test_row(None, false, opts.timeout_min)));
    }
    for t in &cross {
        let what = format!("tests: {} under {} (qemu-user)", t.triple, t.qemu);
        rows.push(timed(&what, || test_row(Some(t), false, opts.timeout_min)));
        if t.sc && !opts.no_sc {
            rows.push(timed(&format!("{what}, backend sc"), || test_row(Some(t), true, opts.timeout_min)));
        }
    }
    // qemu-user 7.2 maps no vDSO for its guests: the 32-bit vDSO lookup is
    // tested by running the i686 build natively (this x86_64 kernel runs it).
    if let Some(t) = cross.iter().find(|t| t.triple == "i686-unknown-linux-musl") {
        let what = format!("tests: {} natively (vdso, deadline)", t.triple);
        rows.push(timed(&what, || native_i686_row(t, opts.timeout_min)));
    }
    if !opts.no_sc
        && let Some(t) = cross.iter().find(|t| t.triple == "s390x-unknown-linux-gnu")
    {
        rows.push(timed("sc must not build on s390x", || sc_refused(t)));
    }
    if !opts.native_only && !opts.kernels.is_empty() {
        // After the qemu-user rows, which built the same test binaries.
        let mut runner = crate::kernels::Runner::new(1, opts.timeout_min);
        if !kernel_rows.is_empty() {
            rows.push(timed("real kernels: fetch", || runner.fetch(&kernel_rows)));
        }
        for k in &kernel_rows {
            for sc in k.backends(!opts.no_sc) {
                let backend = if sc { ", backend sc" } else { "" };
                let what = format!("tests: {} on Linux {} (qemu-system){backend}", k.triple, k.series.name());
                rows.push(timed(&what, || runner.run(k, sc)));
            }
        }
        rows.extend(crate::kernels::not_run(&opts.targets));
    }
    if extras {
        let steps: [(&str, Step); 6] = [
            ("rawscm-rt refuses std; rawscm adds no memcpy", crate::additive::in_test),
            ("package, docs, minimum Rust", crate::package::in_test),
            ("tiny (rawscm-rt programs)", crate::tiny::in_test),
            ("boot (qemu-system)", crate::boot::in_test),
            ("miri", crate::miri::in_test),
            ("bench --quick", crate::bench::quick),
        ];
        for (name, step) in steps {
            rows.push(timed(name, || {
                Row::step(name, std::panic::catch_unwind(step).unwrap_or_else(|_| Err("panicked".into())))
            }));
        }
    }

    summary(&rows, started);
    if rows.iter().any(|r| !r.ok) {
        std::process::exit(1);
    }
    Ok(())
}

/// Prints a heading, runs one step and records how long it took.
fn timed(what: &str, step: impl FnOnce() -> Row) -> Row {
    heading(what);
    let started = Instant::now();
    let mut row = step();
    row.secs = started.elapsed().as_secs();
    row
}

fn heading(what: &str) {
    println!("\n==== xtask test: {what} ====");
}

/// `cargo`, for a cross target with its linker and runner set (the same on
/// every invocation for that target, so nothing is rebuilt needlessly).
fn cargo(target: Option<&Target>) -> Command {
    let mut cmd = util::cargo();
    if let Some(t) = target {
        t.configure(&mut cmd);
    }
    cmd
}

/// clippy on the libraries (rawscm, rawscm-rt) for every cross target (both
/// backends where `sc` builds), and on everything (tests, examples, xtask)
/// natively; the tiny step lints rawscm-rt's examples.
fn clippy(native: bool, cross: &[&Target], sc: bool) -> Result<(), String> {
    let mut runs: Vec<(Option<&Target>, Vec<String>)> = Vec::new();
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    if native {
        runs.push((None, strs(&["-p", "rawscm", "--all-targets", "--features", FEATURES])));
        if sc {
            let features = format!("{FEATURES},rawscm/sc");
            runs.push((None, strs(&["-p", "rawscm", "--all-targets", "--features", &features])));
        }
        runs.push((None, strs(&["-p", "rawscm-rt", "--all-targets"])));
        runs.push((None, strs(&["-p", "xtask", "--all-targets"])));
    }
    for t in cross {
        runs.push((Some(t), strs(&["-p", "rawscm", "-p", "rawscm-rt", "--lib", "--target", t.triple])));
        if t.sc && sc {
            runs.push((Some(t), strs(&["-p", "rawscm", "--lib", "--target", t.triple, "--features", "sc"])));
        }
    }
    let mut failed = Vec::new();
    for (target, args) in runs {
        let mut cmd = cargo(target);
        cmd.arg("clippy").args(&args).args(["--", "-D", "warnings"]);
        if !util::run_ok(&mut cmd)? {
            failed.push(args.join(" "));
        }
    }
    if failed.is_empty() { Ok(()) } else { Err(format!("clippy failed for: {}", failed.join("; "))) }
}

/// The file the tests of one row append their skips to.
fn skip_log(triple: &str, sc: bool) -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| util::root().join("target"));
    let dir = if dir.is_absolute() { dir } else { util::root().join(dir) };
    let dir = dir.join("xtask");
    let _ = std::fs::create_dir_all(&dir);
    dir.join(format!("skips-{triple}-{}.log", backend(sc)))
}

fn backend(sc: bool) -> &'static str {
    if sc { "sc" } else { "syscalls" }
}

/// Runs the whole test suite (unit, integration, doc tests) of one row:
/// natively (`target` None) or under qemu, and counts the results.
fn test_row(target: Option<&Target>, sc: bool, timeout_min: u32) -> Row {
    let triple = target.map_or(HOST, |t| t.triple);
    let (name, short) = match target {
        None => (format!("{HOST} (native)"), "native".to_string()),
        Some(_) => (
            format!("{triple} ({}) under qemu-user", backend(sc)),
            format!("{}{} qemu", crate::tiny::arch(triple), if sc { "/sc" } else { "" }),
        ),
    };
    let log = skip_log(triple, sc);
    let _ = std::fs::remove_file(&log);

    let features = features(sc);
    // rawscm's tests, then rawscm-rt's unit tests (its doc examples are not
    // doc tests; its programs run in the tiny step). Two cargo runs: rawscm's
    // `std` feature would bring std into rawscm-rt, which refuses it.
    let rt_features = rt_features(sc);
    let mut runs = vec![vec!["-p", "rawscm", "--features", features.as_str()]];
    if target.is_none() {
        // The xtask's own unit tests run natively too.
        runs[0].extend(["-p", "xtask"]);
    }
    runs.push(vec!["-p", "rawscm-rt", "--features", rt_features]);
    let mut success = true;
    let mut stdout = String::new();
    // tests/supervisor.rs runs the libc-free supervisor of this architecture.
    let supervisor = build_supervisor(target);
    if let Err(e) = &supervisor {
        println!("xtask test: mini_supervisor did not build: {e}");
        success = false;
    }
    for packages in runs {
        // timeout(1) puts cargo in a process group of its own and kills the
        // whole group (test binaries under qemu included) when time is up.
        let mut cmd = Command::new("timeout");
        cmd.current_dir(util::root()).args(["--kill-after=30s", &format!("{timeout_min}m")]);
        cmd.arg(util::cargo().get_program());
        cmd.args(["test", "--no-fail-fast"]).args(packages);
        cmd.env_remove("RAWSCM_QEMU").env_remove("RAWSCM_RUNNER");
        if let Some(t) = target {
            t.configure(&mut cmd);
            cmd.args(["--target", t.triple]).env("RAWSCM_QEMU", "1");
            // Tests that start a program of the target's own architecture
            // (an example, through an activator) run it with this.
            cmd.env("RAWSCM_RUNNER", t.runner());
            // One test at a time in the guest: qemu-user forks a guest with
            // several busy threads less reliably (it takes its own locks
            // around fork), and many tests here fork.
            cmd.env("RUST_TEST_THREADS", "1");
        }
        cmd.env("RAWSCM_SKIP_LOG", &log);
        if let Ok(path) = &supervisor {
            cmd.env("RAWSCM_SUPERVISOR", path);
        }
        match util::run_tee(&mut cmd) {
            Ok((ok, out)) => {
                success &= ok;
                stdout += &out;
            }
            Err(e) => return Row { name, short, note: e, failed: 1, ..Row::default() },
        }
    }
    let (passed, failed, ignored, results) = count(&stdout);
    let skips = std::fs::read_to_string(&log).unwrap_or_default();
    let skips: Vec<(String, String)> = skips
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (test, reason) = l.split_once('\t').unwrap_or((l, ""));
            (test.to_string(), reason.to_string())
        })
        .collect();
    let skipped = skips.len() as u64;
    let mut notes = Vec::new();
    if ignored > 0 {
        notes.push(format!("{ignored} ignored"));
    }
    let failures: Vec<&str> =
        stdout.lines().filter_map(|l| l.strip_prefix("test ")?.strip_suffix(" ... FAILED")).collect();
    if !failures.is_empty() {
        notes.push(format!("failed: {}", failures.join(", ")));
    }
    let mut failed = failed;
    if !success && failed == 0 {
        // A build error, a crash of a test binary, or the timeout: no libtest
        // line counts it, so count it here.
        failed = 1;
        notes.push(if results == 0 {
            "did not build or run (see the log above)".into()
        } else {
            "cargo test failed without a failed test: a test binary crashed or timed out".into()
        });
    }
    Row {
        name,
        passed: passed.saturating_sub(skipped),
        failed,
        skipped,
        ok: success && failed == 0,
        note: notes.join("; "),
        skips,
        short,
        ..Row::default()
    }
}

/// The vDSO and deadline tests of an x86 (i686) build, run natively, not
/// under qemu: the kernel maps its 32-bit vDSO there.
fn native_i686_row(t: &Target, timeout_min: u32) -> Row {
    let name = format!("{} (native: vdso, deadline)", t.triple);
    let log = skip_log(&format!("{}-native", t.triple), false);
    let _ = std::fs::remove_file(&log);
    let mut cmd = Command::new("timeout");
    cmd.current_dir(util::root()).args(["--kill-after=30s", &format!("{timeout_min}m")]);
    cmd.arg(util::cargo().get_program());
    cmd.args(["test", "-p", "rawscm", "--no-fail-fast", "--features", FEATURES, "--target", t.triple]);
    cmd.args(["--test", "vdso", "--test", "deadline"]);
    cmd.env(format!("CARGO_TARGET_{}_LINKER", t.env_key()), t.linker());
    cmd.env_remove("RAWSCM_QEMU").env("RAWSCM_SKIP_LOG", &log);
    let (success, stdout) = match util::run_tee(&mut cmd) {
        Ok(r) => r,
        Err(e) => return Row { name, note: e, failed: 1, ..Row::default() },
    };
    let (passed, failed, _, _) = count(&stdout);
    let skips: Vec<(String, String)> = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.split_once('\t').map(|(a, b)| (a.to_string(), b.to_string())))
        .collect();
    let failed = if success { failed } else { failed.max(1) };
    Row {
        name,
        passed: passed.saturating_sub(skips.len() as u64),
        failed,
        skipped: skips.len() as u64,
        ok: success && failed == 0,
        skips,
        ..Row::default()
    }
}

/// Builds `rt/examples/mini_supervisor` for a row (natively: the host), the
/// default way (release, `panic = "abort"`, no flags), and returns its path.
pub fn build_supervisor(target: Option<&Target>) -> Result<PathBuf, String> {
    let triple = target.map_or(HOST, |t| t.triple);
    let mut cmd = cargo(target);
    cmd.args(["build", "--release", "-p", "rawscm-rt", "--features", "examples"]);
    cmd.args(["--example", "mini_supervisor", "--target", triple]);
    cmd.env("CARGO_PROFILE_RELEASE_PANIC", "abort")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS");
    util::run(&mut cmd)?;
    Ok(crate::tiny::target_dir().join(triple).join("release").join("examples").join("mini_supervisor"))
}

/// Sums libtest's `test result: ok. N passed; M failed; K ignored; ...` lines:
/// (passed, failed, ignored, number of such lines).
fn count(stdout: &str) -> (u64, u64, u64, u64) {
    let (mut passed, mut failed, mut ignored, mut lines) = (0, 0, 0, 0);
    for line in stdout.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else { continue };
        lines += 1;
        for part in rest.split([';', '.']) {
            let mut words = part.split_whitespace();
            if let (Some(n), Some(what)) = (words.next(), words.next()) {
                let Ok(n) = n.parse::<u64>() else { continue };
                match what {
                    "passed" => passed += n,
                    "failed" => failed += n,
                    "ignored" => ignored += n,
                    _ => {}
                }
            }
        }
    }
    (passed, failed, ignored, lines)
}

/// The negative row: the `sc` feature must not build on s390x, with the
/// crate's own message.
fn sc_refused(t: &Target) -> Row {
    let mut cmd = cargo(Some(t));
    cmd.args(["check", "-p", "rawscm", "--features", "sc", "--target", t.triple]);
    println!("+ {}", util::show(&cmd));
    let name = format!("{} (sc must not build)", t.triple);
    let out = match cmd.output() {
        Ok(out) => out,
        Err(e) => return Row::step(&name, Err(format!("cannot run cargo: {e}"))),
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    let wanted = "the `sc` feature";
    let result = if out.status.success() {
        Err("cargo check --features sc succeeded on s390x".into())
    } else if let Some(line) = stderr.lines().find(|l| l.contains(wanted)) {
        println!("refused as expected: {}", line.trim());
        Ok(())
    } else {
        print!("{stderr}");
        Err(format!("failed, but without the message containing {wanted:?}"))
    };
    Row::step(&name, result)
}

fn summary(rows: &[Row], started: Instant) {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(24);
    println!("\n==== xtask test: summary ====");
    println!(
        "{:width$}  {:>6}  {:>6}  {:>7}  {:>5}  result  notes",
        "target (backend) where / step", "passed", "failed", "skipped", "time"
    );
    for r in rows {
        let note = r.note.lines().next().unwrap_or("");
        let result = match (r.not_run, r.ok) {
            (true, _) => "none",
            (false, true) => "ok",
            (false, false) => "FAIL",
        };
        let time = format!("{}:{:02}", r.secs / 60, r.secs % 60);
        println!(
            "{:width$}  {:>6}  {:>6}  {:>7}  {time:>5}  {result:6}  {note}",
            r.name, r.passed, r.failed, r.skipped
        );
    }
    // Each (test, reason) once, with the rows (short names) it was skipped on.
    let mut skips: Vec<(&str, String, Vec<String>)> = Vec::new();
    for r in rows {
        let short = if r.short.is_empty() {
            r.name.split_once('-').map_or(r.name.clone(), |(arch, rest)| {
                format!("{arch}{}", rest.rsplit_once(' ').map_or("", |(_, backend)| backend))
            })
        } else {
            r.short.clone()
        };
        for (test, reason) in &r.skips {
            let reason = grouped_reason(reason);
            match skips.iter_mut().find(|(t, why, _)| t == test && *why == reason) {
                Some((_, _, on)) => on.push(short.clone()),
                None => skips.push((test, reason, vec![short.clone()])),
            }
        }
    }
    if !skips.is_empty() {
        println!("skipped tests (test: reason [where]):");
        for (test, reason, on) in skips {
            println!("  {test}: {reason} [{}]", on.join(", "));
        }
    }
    let passed: u64 = rows.iter().map(|r| r.passed).sum();
    // A step or row that failed without a counted test failure counts as one.
    let failed: u64 = rows.iter().map(|r| if r.ok { r.failed } else { r.failed.max(1) }).sum();
    let skipped: u64 = rows.iter().map(|r| r.skipped).sum();
    let secs = started.elapsed().as_secs();
    println!(
        "time: {}m{:02}s (skipped tests are counted neither as passed nor as failed)",
        secs / 60,
        secs % 60
    );
    println!("{passed} passed, {failed} failed, {skipped} skipped");
}

/// A skip reason with the kernel release it names (`kernel 6.1.0-57-arm64
/// has no ...`) cut to the version (`kernel 6.1 has no ...`), so that the
/// skip list groups the rows of all architectures; the rows' short names
/// still say which release each ran.
fn grouped_reason(reason: &str) -> String {
    let Some((before, after)) = reason.split_once("kernel ") else { return reason.to_string() };
    let (release, rest) = after.split_once(' ').unwrap_or((after, ""));
    if !release.starts_with(|c: char| c.is_ascii_digit()) {
        return reason.to_string();
    }
    let version: Vec<&str> = release.split(|c: char| !c.is_ascii_digit()).take(2).collect();
    format!("{before}kernel {} {rest}", version.join("."))
}

#[cfg(test)]
mod tests {
    use super::{count, grouped_reason};

    #[test]
    fn kernel_releases_in_skip_reasons_are_grouped_by_version() {
        assert_eq!(
            grouped_reason("kernel 6.1.0-57-arm64 has no SO_PASSPIDFD (6.5+)"),
            "kernel 6.1 has no SO_PASSPIDFD (6.5+)"
        );
        assert_eq!(
            grouped_reason("SCM_PIDFD not run: kernel 6.1.0-50-s390x has no SO_PASSPIDFD (6.5+)"),
            "SCM_PIDFD not run: kernel 6.1 has no SO_PASSPIDFD (6.5+)"
        );
        assert_eq!(grouped_reason("qemu-user rejects it"), "qemu-user rejects it");
        assert_eq!(grouped_reason("the kernel translates it"), "the kernel translates it");
    }

    #[test]
    fn counts_libtest_and_doctest_result_lines() {
        let out = "\
running 3 tests
test result: ok. 16 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.78s
test result: FAILED. 15 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 1.0s
   Doc-tests rawscm
test result: ok. 97 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 4.79s
";
        assert_eq!(count(out), (128, 2, 1, 3));
        assert_eq!(count("error: could not compile `rawscm`\n"), (0, 0, 0, 0));
    }
}
