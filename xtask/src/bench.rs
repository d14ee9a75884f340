//! `cargo xtask bench`: the workloads W1 (credential + fd round trip), W2
//! (fork + wait) and W3 (size of the static init-pid helper) of the design
//! notes, for rawscm beside rustix, nix and C (glibc and musl), and W4 (the
//! init-pid lookup itself, rawscm's three methods beside C in lxcfs's style
//! and C with the plain ioctl, on a pid namespace the run creates), in one
//! run.
//!
//! Every W1/W2 implementation is its own small program (`bench/src/bin/`,
//! `bench/c/`) that prints the nanoseconds of its timed iterations. Timing:
//! several rounds, the implementations alternating within each round, one
//! process per round and implementation, pinned to one CPU with `taskset`
//! when it is there; the median and min–max of the per-iteration times, and
//! the ratio to C glibc measured in the same run. User-space instructions per
//! W1 iteration come from callgrind, as the difference of two iteration
//! counts so that start-up cost cancels out. The result is a Markdown table,
//! printed and written into BENCHMARKS.md between its generated-section
//! markers (the text around them is kept).

use crate::util;

/// The spawn rows (WS, WP), in a file of their own.
pub mod spawn;
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "\
usage: cargo xtask bench [options]

  --rounds <n>   timing rounds per implementation (default 15)
  --quick        3 rounds, fewer iterations, no callgrind or strace: a
                 smoke run
  --no-write     print the table only; leave BENCHMARKS.md alone

x86_64 Linux only. Installs what it needs (musl-tools, valgrind, strace,
gcc, the x86_64-unknown-linux-musl rustup target). W4 needs root (to create
a pid namespace and for the lookups); without it its rows say so. Takes a
few minutes, most of it building the first time.";

const MUSL: &str = "x86_64-unknown-linux-musl";

/// Link flags of a libc-free static binary on rawscm-rt (as its crate docs
/// give them): no PIE, no libc, no crt objects, linked by rust-lld.
const RT_LINK: &[&str] = &[
    "-C",
    "relocation-model=static",
    "-C",
    "target-feature=+crt-static",
    "-C",
    "linker=rust-lld",
    "-C",
    "linker-flavor=ld.lld",
    "-C",
    "link-self-contained=no",
];

/// Builds the `#![no_std]` benchmark program `bin` on rawscm's runtime:
/// static musl without libc, panic=abort and LTO. (Without LTO, core's
/// unwinding glue would want rust_eh_personality.)
fn build_rt_bin(bin: &str) -> Result<(), String> {
    util::run(
        util::cargo()
            .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
            .env("CARGO_PROFILE_RELEASE_LTO", "true")
            .args(["rustc", "--release", "-p", "rawscm-bench", "--bin", bin, "--target", MUSL])
            .args(["--no-default-features", "--features", "rt", "--"])
            .args(RT_LINK),
    )
}

/// Iterations of a W1 run (about 1.2 µs each) and of a W2 run (25-60 µs each),
/// with the warm-up iterations run before the timed ones.
const W1_ITERS: (u64, u64) = (20_000, 2_000);
const W2_ITERS: (u64, u64) = (1_000, 100);
/// Lookups of a W4 run by the fork path (70-150 µs each) and by the ioctl
/// (about 2 µs each), with warm-up.
const W4_FORK_ITERS: (u64, u64) = (300, 30);
const W4_IOCTL_ITERS: (u64, u64) = (20_000, 2_000);
/// The two W4 lookup counts of the strace runs.
const STRACE_ITERS: (u64, u64) = (20, 120);
/// The two W1 iteration counts of the callgrind runs.
const CALLGRIND_ITERS: (u64, u64) = (1_000, 3_000);

const BEGIN: &str = "<!-- xtask bench: generated section begins -->";
const END: &str = "<!-- xtask bench: generated section ends -->";

struct Opts {
    rounds: usize,
    quick: bool,
    write: bool,
    /// (timed, warm-up) iterations of one W1, W2 and W4 process.
    w1_iters: (u64, u64),
    w2_iters: (u64, u64),
    w4_fork_iters: (u64, u64),
    w4_ioctl_iters: (u64, u64),
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        rounds: 15,
        quick: false,
        write: true,
        w1_iters: W1_ITERS,
        w2_iters: W2_ITERS,
        w4_fork_iters: W4_FORK_ITERS,
        w4_ioctl_iters: W4_IOCTL_ITERS,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rounds" => {
                let v = it.next().ok_or("--rounds needs a number")?;
                o.rounds = v.parse().ok().filter(|n| *n > 0).ok_or(format!("bad --rounds {v}"))?;
            }
            "--quick" => {
                o.quick = true;
                o.rounds = 3;
                o.w1_iters = (2_000, 200);
                o.w2_iters = (200, 20);
                o.w4_fork_iters = (30, 3);
                o.w4_ioctl_iters = (300, 30);
            }
            "--no-write" => o.write = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(o)
}

/// What a row is.
#[derive(Clone, Copy, PartialEq)]
enum Role {
    Rawscm,
    /// rustix, nix, C.
    Peer,
    /// W1 without any library (`bench/src/bin/w1_floor.rs`): a reference
    /// for the instruction counts, not a peer.
    Floor,
}

/// One row of the table: an implementation and its programs.
struct Impl {
    name: &'static str,
    role: Role,
    w1: PathBuf,
    /// None for the floor row, which has no W2.
    w2: Option<PathBuf>,
    /// The W3 binary and what it is, when this row has one.
    w3: Option<(PathBuf, &'static str)>,
}

impl Impl {
    /// The row whose programs are `w1_<suffix>` and `w2_<suffix>` in `dir`.
    fn new(name: &'static str, dir: &Path, suffix: &str, w3: Option<(PathBuf, &'static str)>) -> Impl {
        let program = |w: &str| dir.join(format!("{w}_{suffix}"));
        let role = if name.starts_with("rawscm") { Role::Rawscm } else { Role::Peer };
        Impl { name, role, w1: program("w1"), w2: Some(program("w2")), w3 }
    }

    /// The floor row: `w1_floor` in `dir`.
    fn floor(name: &'static str, dir: &Path) -> Impl {
        Impl { name, role: Role::Floor, w1: dir.join("w1_floor"), w2: None, w3: None }
    }
}

/// What one row measured.
#[derive(Default)]
struct Measured {
    /// ns per iteration of each round.
    w1: Vec<f64>,
    w2: Vec<f64>,
    /// Instructions per W1 iteration.
    w1_instr: Option<f64>,
    /// Size in bytes, and whether the binary ran correctly.
    w3: Option<(u64, bool)>,
}

/// `cargo xtask bench [options]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let opts = parse(args)?;
    if std::env::consts::ARCH != "x86_64" {
        return Err("the benchmarks are written for x86_64 Linux".into());
    }
    let command =
        std::iter::once("cargo xtask bench".to_string()).chain(args.iter().cloned()).collect::<Vec<_>>();
    util::ensure_apt(&["gcc", "libc6-dev", "musl-tools", "valgrind", "util-linux", "strace"])?;
    util::ensure_targets(&[MUSL])?;

    let (impls, w4) = build_all()?;
    // W4 looks up the init of a pid namespace made for the run (root only).
    let ns = Namespace::create();
    let w4_args = |row: &W4Row| match &ns {
        Ok(ns) => {
            let mut a = vec![ns.task.to_string(), ns.init.to_string()];
            a.extend(row.method.map(str::to_string));
            Some(a)
        }
        Err(_) => None,
    };
    let load_before = uptime();
    let mut measured: Vec<Measured> = impls.iter().map(|_| Measured::default()).collect();
    let mut w4_measured: Vec<W4Measured> = w4.iter().map(|_| W4Measured::default()).collect();

    let cpu = pin_cpu();
    println!(
        "\nxtask bench: {} rounds, W1 and W2, pinned to {}",
        opts.rounds,
        cpu.as_deref().unwrap_or("no CPU")
    );
    for round in 0..opts.rounds {
        // Rotate the order each round, so that no implementation always runs
        // right after the same neighbour.
        for k in 0..impls.len() {
            let i = (k + round) % impls.len();
            measured[i].w1.push(time_run(&impls[i].w1, opts.w1_iters, cpu.as_deref())?);
        }
        for k in 0..impls.len() {
            let i = (k + round) % impls.len();
            if let Some(w2) = &impls[i].w2 {
                measured[i].w2.push(time_run(w2, opts.w2_iters, cpu.as_deref())?);
            }
        }
        for k in 0..w4.len() {
            let i = (k + round) % w4.len();
            if let Some(args) = w4_args(&w4[i]) {
                let iters = if w4[i].path == Lookup::Fork { opts.w4_fork_iters } else { opts.w4_ioctl_iters };
                w4_measured[i].us.push(time_run_with(&w4[i].program, iters, &args, cpu.as_deref())? / 1000.0);
            }
        }
        println!("  round {}/{} done", round + 1, opts.rounds);
    }
    let load_after = uptime();

    if !opts.quick {
        println!("\nxtask bench: callgrind, instructions per W1 iteration");
        for (imp, m) in impls.iter().zip(&mut measured) {
            let instr = instructions_per_iteration(&imp.w1)?;
            println!("  {:<34} {instr:>6.0}", imp.name);
            m.w1_instr = Some(instr);
        }
    }
    if !opts.quick {
        println!("\nxtask bench: strace -f -c, system calls per W4 lookup");
        for (row, m) in w4.iter().zip(&mut w4_measured) {
            if let Some(args) = w4_args(row) {
                let calls = syscalls_per_lookup(&row.program, &args)?;
                println!("  {:<44} {:>5.1}", row.name, calls.values().sum::<f64>());
                m.syscalls = Some(calls);
            }
        }
    }
    let w4_note = match &ns {
        Ok(ns) => format!(
            "a pid namespace made for the run (`unshare --pid --fork --kill-child sh -c 'sleep 1000 & wait'`): \
             init pid {}, task pid {} (the task is not the init)",
            ns.init, ns.task
        ),
        Err(e) => format!("not measured: {e}"),
    };
    drop(ns);
    for (imp, m) in impls.iter().zip(&mut measured) {
        if let Some((p, _)) = &imp.w3 {
            let size = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?.len();
            m.w3 = Some((size, w3_works(p)));
        }
    }

    let w4_report = w4_report(&w4, &w4_measured, &w4_note);
    let report =
        report(&impls, &measured, &w4_report, &opts, &command, cpu.as_deref(), &load_before, &load_after);
    println!("\n{report}");
    if opts.write {
        let path = util::root().join("BENCHMARKS.md");
        write_section(&path, &report)?;
        println!("xtask bench: wrote {}", path.display());
    }
    spawn::in_bench(opts.rounds, opts.quick, opts.write)
}

/// The step `cargo xtask test` runs: `cargo xtask bench --quick --no-write`
/// (every program built, run briefly and checked; nothing timed is judged),
/// so that the benchmarks cannot rot.
pub fn quick() -> Result<(), String> {
    run(&["--quick".to_string(), "--no-write".to_string()])
}

/// Builds every program and returns the rows of the W1-W3 table and of the
/// W4 table.
fn build_all() -> Result<(Vec<Impl>, Vec<W4Row>), String> {
    let target = crate::tiny::target_dir();
    let host = target.join("release");
    let musl = target.join(MUSL).join("release");
    let tiny = target.join(MUSL).join("tiny");
    let c = target.join("bench-c");
    std::fs::create_dir_all(&c).map_err(|e| format!("{}: {e}", c.display()))?;

    println!("\nxtask bench: building");
    // The std programs, for the host (glibc, dynamic) and static musl.
    util::run(util::cargo().args(["build", "--release", "-p", "rawscm-bench", "--bins"]))?;
    util::run(util::cargo().args(["build", "--release", "-p", "rawscm-bench", "--bins", "--target", MUSL]))?;
    // The #![no_std] programs on rawscm's runtime (no peers: they need std).
    for bin in ["w1_rawscm_rt", "w2_rawscm_rt", "w4_rawscm_rt"] {
        build_rt_bin(bin)?;
    }
    // W3: rawscm's example exactly as `cargo xtask tiny` builds it, and the
    // same program with rustix and with nix, static (musl) and stripped with
    // the same size profile.
    let tiny_rawscm = crate::tiny::build_static("tiny_init_pid", MUSL)?;
    let w3_peers = ["--bin", "w3_rustix", "--bin", "w3_nix"];
    util::run(
        util::cargo()
            .args(["build", "--profile", "tiny", "-p", "rawscm-bench", "--target", MUSL])
            .args(w3_peers),
    )?;
    // C: W1 and W2 against glibc (dynamic) and musl (static), as a C
    // programmer builds them; W3 static and stripped, size-optimised.
    let src = util::root().join("bench").join("c");
    for w in ["w1", "w2", "w4"] {
        let file = src.join(format!("{w}_c.c"));
        cc("gcc", &["-O2"], &file, &c.join(format!("{w}_c_glibc")))?;
        cc("musl-gcc", &["-O2", "-static"], &file, &c.join(format!("{w}_c_musl")))?;
    }
    cc("gcc", &["-O2"], &src.join("w4_ioctl_c.c"), &c.join("w4_ioctl_c_glibc"))?;
    let tiny_c = src.join("tiny_init_pid.c");
    let have_c_w3 = tiny_c.exists();
    if have_c_w3 {
        cc("gcc", &["-Os", "-static", "-s"], &tiny_c, &c.join("tiny_init_pid_glibc"))?;
        cc("musl-gcc", &["-Os", "-static", "-s"], &tiny_c, &c.join("tiny_init_pid_musl"))?;
    } else {
        println!("xtask bench: {} is missing: no W3 for C", tiny_c.display());
    }

    let c_w3 = |file: &str, what| have_c_w3.then(|| (c.join(file), what));
    let impls = vec![
        Impl::new("C, glibc (dynamic)", &c, "c_glibc", c_w3("tiny_init_pid_glibc", "glibc static")),
        Impl::new("C, musl (static)", &c, "c_musl", c_w3("tiny_init_pid_musl", "musl static")),
        Impl::new("rawscm, std, gnu (dynamic)", &host, "rawscm", None),
        Impl::new("rawscm, std, musl (static)", &musl, "rawscm", None),
        Impl::new(
            "rawscm, no_std + rt (static, LTO)",
            &musl,
            "rawscm_rt",
            Some((tiny_rawscm, "no_std + rt")),
        ),
        Impl::new("rustix, gnu (dynamic)", &host, "rustix", None),
        Impl::new(
            "rustix, musl (static)",
            &musl,
            "rustix",
            Some((tiny.join("w3_rustix"), "std, musl static")),
        ),
        Impl::new("nix, gnu (dynamic)", &host, "nix", None),
        Impl::new("nix, musl (static)", &musl, "nix", Some((tiny.join("w3_nix"), "std, musl static"))),
        Impl::floor("floor: the C program in Rust, inline syscalls, no library (gnu)", &host),
    ];
    let c_row =
        |name, file: &str, path| W4Row { name, program: c.join(file), method: None, path, rawscm: false };
    let mut w4 = vec![
        c_row("C, lxcfs style, glibc (dynamic)", "w4_c_glibc", Lookup::Fork),
        c_row("C, lxcfs style, musl (static)", "w4_c_musl", Lookup::Fork),
        c_row("C, plain ioctl, glibc (dynamic)", "w4_ioctl_c_glibc", Lookup::Ioctl),
    ];
    for (method, name, path) in
        [("fork", "Fork", Lookup::Fork), ("ioctl", "Ioctl", Lookup::Ioctl), ("auto", "Auto", Lookup::Ioctl)]
    {
        for (build, dir, bin) in [
            ("std, gnu (dynamic)", &host, "w4_rawscm"),
            ("std, musl (static)", &musl, "w4_rawscm"),
            ("no_std + rt (static, LTO)", &musl, "w4_rawscm_rt"),
        ] {
            w4.push(W4Row {
                name: format!("rawscm Method::{name}, {build}").leak(),
                program: dir.join(bin),
                method: Some(method),
                path,
                rawscm: true,
            });
        }
    }
    Ok((impls, w4))
}

/// Which way a W4 row finds the answer.
#[derive(Clone, Copy, PartialEq)]
enum Lookup {
    /// The SCM_CREDENTIALS double fork.
    Fork,
    /// `ioctl(NS_GET_PID_FROM_PIDNS)` (rawscm's Auto takes it on this kernel).
    Ioctl,
}

/// One row of the W4 table: `<program> <iterations> <warm-up> <task>
/// <expected init pid> [<method>]`.
struct W4Row {
    name: &'static str,
    program: PathBuf,
    /// rawscm's `fork`, `ioctl` or `auto`; none for C.
    method: Option<&'static str>,
    path: Lookup,
    rawscm: bool,
}

/// What one W4 row measured.
#[derive(Default)]
struct W4Measured {
    /// µs per lookup of each round.
    us: Vec<f64>,
    /// System calls per lookup, by name (strace).
    syscalls: Option<std::collections::BTreeMap<String, f64>>,
}

/// A pid namespace for W4, torn down when dropped: `unshare --pid --fork
/// --kill-child sh -c 'sleep 1000 & wait'`, whose `sh` is the namespace's
/// init and `sleep` a task in it (host pids). Killing `unshare` kills the
/// init (`--kill-child`), and with it the namespace.
struct Namespace {
    unshare: std::process::Child,
    init: u32,
    task: u32,
}

impl Namespace {
    fn create() -> Result<Namespace, String> {
        if !util::is_root() {
            return Err("needs root (a pid namespace, and setns for the fork path)".into());
        }
        let mut cmd = Command::new("unshare");
        cmd.args(["--pid", "--fork", "--kill-child", "--", "sh", "-c", "sleep 1000 & wait"]);
        cmd.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
        println!("+ {}", util::show(&cmd));
        let unshare = cmd.spawn().map_err(|e| format!("cannot run unshare: {e}"))?;
        let mut ns = Namespace { init: 0, task: 0, unshare };
        let first_child = |pid: u32| {
            let list = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
            list.split_whitespace().next()?.parse::<u32>().ok()
        };
        for _ in 0..500 {
            if let Some(init) = first_child(ns.unshare.id())
                && let Some(task) = first_child(init)
            {
                (ns.init, ns.task) = (init, task);
                // The task must be pid 2 of a namespace of its own.
                let status = std::fs::read_to_string(format!("/proc/{task}/status")).unwrap_or_default();
                let nspid = status.lines().find_map(|l| l.strip_prefix("NSpid:")).unwrap_or("");
                if nspid.split_whitespace().last() == Some("2") {
                    return Ok(ns);
                }
                return Err(format!("task {task} has NSpid {nspid:?}, not in a namespace of its own"));
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        Err("unshare started no namespace within 5 s".into())
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = self.unshare.kill();
        let _ = self.unshare.wait();
    }
}

/// System calls per W4 lookup, by name: `strace -f -c` of two runs of
/// [`STRACE_ITERS`] lookups, `(calls(n2) - calls(n1)) / (n2 - n1)`, so that
/// start-up and exit cancel out.
fn syscalls_per_lookup(
    program: &Path,
    args: &[String],
) -> Result<std::collections::BTreeMap<String, f64>, String> {
    let dir = crate::tiny::target_dir().join("bench-strace");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let counts = |n: u64| -> Result<std::collections::BTreeMap<String, u64>, String> {
        let out = dir.join(format!("{}-{n}.txt", program.file_name().unwrap_or_default().to_string_lossy()));
        let mut cmd = Command::new("strace");
        cmd.args(["-f", "-c", "-o"]).arg(&out).arg(program).args([n.to_string(), "0".into()]).args(args);
        util::output(&mut cmd)?;
        let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        Ok(parse_strace_summary(&text))
    };
    let (n1, n2) = STRACE_ITERS;
    let (a, b) = (counts(n1)?, counts(n2)?);
    Ok(b.iter()
        .map(|(name, &calls)| {
            let per = calls.saturating_sub(a.get(name).copied().unwrap_or(0)) as f64 / (n2 - n1) as f64;
            (name.clone(), per)
        })
        .filter(|(_, per)| *per >= 0.005)
        .collect())
}

/// The `calls` column of `strace -c` by system call name (the `total` line
/// left out).
fn parse_strace_summary(text: &str) -> std::collections::BTreeMap<String, u64> {
    text.lines()
        .filter_map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            // % time, seconds, usecs/call, calls, [errors,] name
            let (name, calls) = match cols.len() {
                5 | 6 => (*cols.last()?, cols.get(3)?.parse::<u64>().ok()?),
                _ => return None,
            };
            cols.first()?.parse::<f64>().ok()?; // a data line, not a header
            (name != "total").then(|| (name.to_string(), calls))
        })
        .collect()
}

/// The W4 tables: times and ratios, the goals, and the system calls.
fn w4_report(rows: &[W4Row], m: &[W4Measured], note: &str) -> String {
    let median_of =
        |name: &str| rows.iter().zip(m).find(|(r, _)| r.name == name).and_then(|(_, m)| median(&m.us));
    let fork_ref = ("C, lxcfs style, musl (static)", median_of("C, lxcfs style, musl (static)"));
    let ioctl_ref = ("C, plain ioctl, glibc (dynamic)", median_of("C, plain ioctl, glibc (dynamic)"));
    let reference = |row: &W4Row| if row.path == Lookup::Fork { fork_ref } else { ioctl_ref };
    let mut s = String::from(
        "| W4: init pid of a task's namespace | path | µs per lookup (min–max) | ratio | system calls per lookup |\n\
         |---|---|---:|---:|---:|\n",
    );
    for (row, m) in rows.iter().zip(m) {
        let time = match stats(&m.us) {
            Some((med, lo, hi)) => format!("{med:.1} ({lo:.1}–{hi:.1})"),
            None => "–".into(),
        };
        let (ref_name, ref_median) = reference(row);
        let ratio = match (median(&m.us), ref_median) {
            (Some(x), Some(r)) if r > 0.0 => format!("{:.2} × {}", x / r, short(ref_name)),
            _ => "–".into(),
        };
        let calls = m.syscalls.as_ref().map_or("–".into(), |c| format!("{:.0}", c.values().sum::<f64>()));
        let path = match (row.path, row.method) {
            (Lookup::Fork, _) => "fork",
            (Lookup::Ioctl, Some("auto")) => "ioctl (Auto)",
            (Lookup::Ioctl, _) => "ioctl",
        };
        s += &format!("| {} | {path} | {time} | {ratio} | {calls} |\n", row.name);
    }
    s += &format!(
        "\nW4: {note}. Every lookup is checked (the expected pid, and for rawscm the path that found it). \
         Ratios are of medians, to {} for the fork path and to {} for the ioctl path.\n",
        fork_ref.0, ioctl_ref.0
    );
    // The goals.
    let verdict = |ok: bool| if ok { "met" } else { "**missed**" };
    s += "\n| W4 target | Measured | |\n|---|---|---|\n";
    for row in rows.iter().zip(m).filter(|(r, _)| r.rawscm) {
        let (row, m) = row;
        let (ref_name, ref_median) = reference(row);
        let (Some(x), Some(r)) = (median(&m.us), ref_median) else { continue };
        let (goal, limit) = match row.path {
            Lookup::Fork => ("≤ the fastest C row", 1.0),
            Lookup::Ioctl => ("≤ 1.2 × the plain C ioctl", 1.2),
        };
        s += &format!(
            "| {} {goal} | {x:.1} µs vs {ref_name} {r:.1} µs = {:.2} × | {} |\n",
            row.name,
            x / r,
            verdict(x <= limit * r)
        );
    }
    // The system calls, C beside rawscm.
    if m.iter().any(|m| m.syscalls.is_some()) {
        s += "\n| System calls per lookup (`strace -f -c`, all processes) | total | by call |\n|---|---:|---|\n";
        let mut seen = std::collections::BTreeSet::new();
        for (row, m) in rows.iter().zip(m) {
            let Some(calls) = &m.syscalls else { continue };
            // The builds of one method make the same calls per lookup: the
            // first measured stands for all.
            let label = match row.method {
                Some(method) if row.rawscm => format!("rawscm Method::{method}"),
                _ => row.name.to_string(),
            };
            if !seen.insert(label.clone()) {
                continue;
            }
            let mut by: Vec<(&String, &f64)> = calls.iter().collect();
            by.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
            let list: Vec<String> = by.iter().map(|(n, c)| format!("{n} {}", trim(**c))).collect();
            s += &format!("| {label} | {:.0} | {} |\n", calls.values().sum::<f64>(), list.join(", "));
        }
    }
    s
}

/// A count with no trailing zeros (`2`, `0.5`).
fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A reference's short name for the ratio column.
fn short(name: &str) -> &'static str {
    if name.contains("ioctl") { "C ioctl" } else { "C musl" }
}

/// Compiles one C file.
fn cc(compiler: &str, flags: &[&str], src: &Path, out: &Path) -> Result<(), String> {
    util::run(Command::new(compiler).args(flags).args(["-Wall", "-Wextra", "-o"]).arg(out).arg(src))
}

/// The CPU to pin to (the last one), if `taskset` is there.
fn pin_cpu() -> Option<String> {
    let ok = Command::new("taskset").arg("-V").output().is_ok_and(|o| o.status.success());
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    ok.then(|| (cpus - 1).to_string())
}

/// Runs one timing process and returns its ns per iteration.
fn time_run(program: &Path, (iters, warm_up): (u64, u64), cpu: Option<&str>) -> Result<f64, String> {
    time_run_with(program, (iters, warm_up), &[], cpu)
}

/// [`time_run`] with `extra` arguments after the counts.
fn time_run_with(
    program: &Path,
    (iters, warm_up): (u64, u64),
    extra: &[String],
    cpu: Option<&str>,
) -> Result<f64, String> {
    let mut cmd = match cpu {
        Some(cpu) => {
            let mut c = Command::new("taskset");
            c.args(["-c", cpu]).arg(program);
            c
        }
        None => Command::new(program),
    };
    cmd.args([iters.to_string(), warm_up.to_string()]).args(extra);
    let out = cmd.output().map_err(|e| format!("cannot run {}: {e}", util::show(&cmd)))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let ns: Option<f64> = text.trim().parse().ok();
    match ns {
        Some(ns) if out.status.success() => Ok(ns / iters as f64),
        _ => Err(format!(
            "{} failed ({}): {}{}",
            util::show(&cmd),
            out.status,
            text.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// User-space instructions per W1 iteration: callgrind's total for two
/// iteration counts, `(Ir(n2) - Ir(n1)) / (n2 - n1)`, so that start-up and
/// exit cost cancel out. Callgrind runs the program's user-space code on a
/// synthetic CPU and hands each system call to the kernel: a `syscall`
/// counts as one instruction, the kernel's work as none.
fn instructions_per_iteration(program: &Path) -> Result<f64, String> {
    let (n1, n2) = CALLGRIND_ITERS;
    let dir = crate::tiny::target_dir().join("bench-callgrind");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let name = program.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let parent = program.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
    let total = |n: u64| -> Result<u64, String> {
        let out = dir.join(format!("{}-{name}-{n}.out", parent.clone().unwrap_or_default()));
        let mut cmd = Command::new("valgrind");
        cmd.args(["--tool=callgrind", "--quiet"])
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(program)
            .args([n.to_string(), "0".into()]);
        util::output(&mut cmd)?;
        let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        text.lines()
            .find_map(|l| l.strip_prefix("summary:").or_else(|| l.strip_prefix("totals:")))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .ok_or(format!("no instruction total in {}", out.display()))
    };
    let (a, b) = (total(n1)?, total(n2)?);
    Ok(b.saturating_sub(a) as f64 / (n2 - n1) as f64)
}

/// Whether a W3 binary works: exits 0 and prints a pid.
fn w3_works(program: &Path) -> bool {
    Command::new(program).output().is_ok_and(|o| {
        o.status.success()
            && String::from_utf8_lossy(&o.stdout).trim().parse::<u32>().is_ok_and(|pid| pid > 0)
    })
}

fn uptime() -> String {
    util::output(&mut Command::new("uptime")).map(|s| s.trim().to_string()).unwrap_or_else(|e| e)
}

/// Median, min and max.
fn stats(v: &[f64]) -> Option<(f64, f64, f64)> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    let median = if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 };
    Some((median, s[0], s[n - 1]))
}

fn median(v: &[f64]) -> Option<f64> {
    stats(v).map(|s| s.0)
}

/// The Markdown report: table, targets, machine, versions, command.
#[allow(clippy::too_many_arguments)]
fn report(
    impls: &[Impl],
    m: &[Measured],
    w4: &str,
    opts: &Opts,
    command: &[String],
    cpu: Option<&str>,
    load_before: &str,
    load_after: &str,
) -> String {
    let base_w1 = median(&m[0].w1);
    let base_w2 = median(&m[0].w2);
    let timing = |v: &[f64], unit: f64| match stats(v) {
        Some((med, lo, hi)) => format!("{:.0} ({:.0}–{:.0})", med / unit, lo / unit, hi / unit),
        None => "–".into(),
    };
    let ratio = |v: &[f64], base: Option<f64>| match (median(v), base) {
        (Some(x), Some(b)) if b > 0.0 => format!("{:.2}", x / b),
        _ => "–".into(),
    };
    let mut t = String::new();
    t += "| Implementation | W1 ns/iter (min–max) | W1 vs C glibc | W1 user instr/iter | W2 µs/iter (min–max) | W2 vs C glibc | W3 bytes (static, stripped) |\n";
    t += "|---|---:|---:|---:|---:|---:|---:|\n";
    for (imp, m) in impls.iter().zip(m) {
        let instr = m.w1_instr.map_or("–".into(), |i| format!("{i:.0}"));
        let w3 = match (&imp.w3, m.w3) {
            (Some((_, what)), Some((size, ok))) => {
                format!("{size} ({what}){}", if ok { "" } else { ", FAILED its run" })
            }
            _ => "–".into(),
        };
        t += &format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            imp.name,
            timing(&m.w1, 1.0),
            ratio(&m.w1, base_w1),
            instr,
            timing(&m.w2, 1000.0),
            ratio(&m.w2, base_w2),
            w3
        );
    }
    let mut r = String::new();
    r += &t;
    r += "\nW1 and W2: median over the rounds of the time per iteration, min–max in brackets; ratios are \
          of medians, to C glibc measured in the same run. W1 instructions: callgrind, user space only, \
          `(Ir(n2) - Ir(n1)) / (n2 - n1)`.";
    if opts.quick {
        r += " Quick run: few rounds and iterations, no callgrind.";
    }
    r += "\n\n";
    r += &targets(impls, m);
    r += "\n";
    r += w4;
    r += &format!(
        "\n**Run.** `{}`: {} rounds; W1 {} + {} warm-up iterations per process, W2 {} + {}, W4 {} + {} \
         lookups by the fork path and {} + {} by the ioctl; callgrind W1 at {} and {} iterations; strace W4 at \
         {} and {} lookups; {}.\n",
        command.join(" "),
        opts.rounds,
        opts.w1_iters.0,
        opts.w1_iters.1,
        opts.w2_iters.0,
        opts.w2_iters.1,
        opts.w4_fork_iters.0,
        opts.w4_fork_iters.1,
        opts.w4_ioctl_iters.0,
        opts.w4_ioctl_iters.1,
        CALLGRIND_ITERS.0,
        CALLGRIND_ITERS.1,
        STRACE_ITERS.0,
        STRACE_ITERS.1,
        match cpu {
            Some(c) => format!("every process pinned to CPU {c} with taskset"),
            None => "not pinned (no taskset)".into(),
        }
    );
    r += &format!("\n**Load.** Before: `{load_before}`. After: `{load_after}`.\n");
    r += &machine();
    r
}

/// The targets of the issue, met or not, from the measured numbers.
fn targets(impls: &[Impl], m: &[Measured]) -> String {
    let best = |role: Role, f: &dyn Fn(&Measured) -> Option<f64>| {
        impls
            .iter()
            .zip(m)
            .filter(|(i, _)| i.role == role)
            .filter_map(|(i, m)| f(m).map(|v| (v, i.name)))
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    let verdict = |ok: bool| if ok { "met" } else { "**missed**" };
    let mut s = String::from("| Target | Measured | |\n|---|---|---|\n");
    if let Some(c) = m[0].w1_instr {
        // Every rawscm row: each is the README's program, built one way.
        for (imp, m) in impls.iter().zip(m).filter(|(i, _)| i.role == Role::Rawscm) {
            let Some(r) = m.w1_instr else { continue };
            s += &format!(
                "| W1 user instructions ≤ C glibc's | {}: {r:.0} vs {c:.0} = {:.2} × | {} |\n",
                imp.name,
                r / c,
                verdict(r <= c)
            );
        }
        if let (Some((f, _)), Some((r, rn))) =
            (best(Role::Floor, &|m| m.w1_instr), best(Role::Rawscm, &|m| m.w1_instr))
        {
            s += &format!(
                "| (reference) the floor: W1 with no library | {f:.0} = {:.2} × C glibc's; {rn} = {:.2} × the \
                 floor | |\n",
                f / c,
                r / f,
            );
        }
    }
    if let (Some((r, rn)), Some((p, pn))) =
        (best(Role::Rawscm, &|m| median(&m.w1)), best(Role::Peer, &|m| median(&m.w1)))
    {
        s += &format!(
            "| W1 time ≤ 1.02 × the fastest peer's | {rn}: {r:.0} ns vs {pn}: {p:.0} ns = {:.3} × | {} |\n",
            r / p,
            verdict(r <= 1.02 * p)
        );
    }
    if let (Some((r, rn)), Some((p, pn))) =
        (best(Role::Rawscm, &|m| median(&m.w2)), best(Role::Peer, &|m| median(&m.w2)))
    {
        s += &format!(
            "| W2 time ≤ the fastest peer's | {rn}: {:.1} µs vs {pn}: {:.1} µs = {:.3} × | {} |\n",
            r / 1000.0,
            p / 1000.0,
            r / p,
            verdict(r <= p)
        );
    }
    let size = |name: &str| {
        impls.iter().zip(m).find(|(i, _)| i.name == name).and_then(|(_, m)| m.w3).map(|(size, _)| size as f64)
    };
    if let Some((r, _)) = best(Role::Rawscm, &|m| m.w3.map(|w| w.0 as f64)) {
        s += &format!("| W3 ≤ 2048 bytes | {r:.0} bytes | {} |\n", verdict(r <= 2048.0));
        if let Some(c) = size("C, musl (static)") {
            s += &format!(
                "| W3 ≥ 10 × smaller than C musl | {c:.0} / {r:.0} = {:.1} × | {} |\n",
                c / r,
                verdict(c >= 10.0 * r)
            );
        }
    }
    s
}

/// The machine and the versions of everything measured.
fn machine() -> String {
    let sh = |cmd: &str| {
        util::output(Command::new("sh").args(["-c", cmd]))
            .map(|s| s.trim().replace('\n', "; "))
            .unwrap_or_else(|_| "?".into())
    };
    let lock = std::fs::read_to_string(util::root().join("Cargo.lock")).unwrap_or_default();
    let version = |krate: &str| {
        let mut lines = lock.lines();
        while let Some(l) = lines.next() {
            if l == format!("name = \"{krate}\"")
                && let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = "))
            {
                return v.trim_matches('"').to_string();
            }
        }
        "?".into()
    };
    let mut s = String::from("\n**Machine.** ");
    s += &sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'");
    s += &format!(
        ", {} CPUs, {}; Linux {}; {}{}.\n",
        sh("nproc"),
        sh("free -h | awk '/^Mem:/ {print $2}'"),
        sh("uname -r"),
        sh(". /etc/os-release && echo \"$PRETTY_NAME\""),
        if sh("grep -c hypervisor /proc/cpuinfo") != "0" { ", virtual machine" } else { "" }
    );
    s += &format!(
        "\n**Versions.** {}; {}; glibc {}; musl {}; {}; rawscm {}, rustix {} (linux_raw backend), nix {}, libc \
         {} (crate).\n",
        sh("rustc -V"),
        sh("gcc --version | head -1"),
        sh("dpkg-query -W -f='${Version}' libc6"),
        sh("dpkg-query -W -f='${Version}' musl"),
        sh("valgrind --version"),
        version("rawscm"),
        version("rustix"),
        version("nix"),
        version("libc"),
    );
    s
}

/// Replaces the generated section of `path` (between the markers) with
/// `body`, keeping everything else; creates the file if needed.
fn write_section(path: &Path, body: &str) -> Result<(), String> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{BEGIN}\n{body}{END}\n");
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if b < e => {
            let rest = old[e + END.len()..].trim_start_matches('\n');
            if rest.is_empty() {
                format!("{}{section}", &old[..b])
            } else {
                format!("{}{section}\n{rest}", &old[..b])
            }
        }
        _ if old.is_empty() => format!("# Benchmarks\n\n{section}"),
        _ => format!("{}\n{section}", old.trim_end()),
    };
    std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))
}
