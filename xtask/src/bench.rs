//! `cargo xtask bench`: the workloads W1 (credential + fd round trip), W2
//! (fork + wait) and W3 (size of the static init-pid helper) of the design
//! notes, for rawscm beside rustix, nix and C (glibc and musl), in one run.
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
use std::path::{Path, PathBuf};
use std::process::Command;

const USAGE: &str = "\
usage: cargo xtask bench [options]

  --rounds <n>   timing rounds per implementation (default 15)
  --quick        3 rounds, fewer iterations, no callgrind: a smoke run
  --no-write     print the table only; leave BENCHMARKS.md alone

x86_64 Linux only. Installs what it needs (musl-tools, valgrind, gcc, the
x86_64-unknown-linux-musl rustup target). Takes a few minutes, most of it
building the first time.";

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

/// Iterations of a W1 run (about 4 µs each) and of a W2 run (60-120 µs each),
/// with the warm-up iterations run before the timed ones.
const W1_ITERS: (u64, u64) = (20_000, 2_000);
const W2_ITERS: (u64, u64) = (1_000, 100);
/// The two W1 iteration counts of the callgrind runs.
const CALLGRIND_ITERS: (u64, u64) = (1_000, 3_000);

const BEGIN: &str = "<!-- xtask bench: generated section begins -->";
const END: &str = "<!-- xtask bench: generated section ends -->";

struct Opts {
    rounds: usize,
    quick: bool,
    write: bool,
    /// (timed, warm-up) iterations of one W1 and one W2 process.
    w1_iters: (u64, u64),
    w2_iters: (u64, u64),
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts { rounds: 15, quick: false, write: true, w1_iters: W1_ITERS, w2_iters: W2_ITERS };
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
    util::ensure_apt(&["gcc", "libc6-dev", "musl-tools", "valgrind", "util-linux"])?;
    util::ensure_targets(&[MUSL])?;

    let impls = build_all()?;
    let load_before = uptime();
    let mut measured: Vec<Measured> = impls.iter().map(|_| Measured::default()).collect();

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
    for (imp, m) in impls.iter().zip(&mut measured) {
        if let Some((p, _)) = &imp.w3 {
            let size = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?.len();
            m.w3 = Some((size, w3_works(p)));
        }
    }

    let report = report(&impls, &measured, &opts, &command, cpu.as_deref(), &load_before, &load_after);
    println!("\n{report}");
    if opts.write {
        let path = util::root().join("BENCHMARKS.md");
        write_section(&path, &report)?;
        println!("xtask bench: wrote {}", path.display());
    }
    Ok(())
}

/// The step `cargo xtask test` runs: builds the bench crate natively (its
/// std programs), without running anything.
pub fn build_only() -> Result<(), String> {
    util::run(util::cargo().args(["build", "--release", "-p", "rawscm-bench", "--bins"]))
}

/// Builds every program and returns the rows of the table.
fn build_all() -> Result<Vec<Impl>, String> {
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
    // The #![no_std] programs on rawscm's runtime: without the peers (which
    // need std), everything panic=abort and LTO, linked static without libc.
    // (Without LTO, core's unwinding glue would want rust_eh_personality.)
    for bin in ["w1_rawscm_rt", "w2_rawscm_rt"] {
        util::run(
            util::cargo()
                .env("CARGO_PROFILE_RELEASE_PANIC", "abort")
                .env("CARGO_PROFILE_RELEASE_LTO", "true")
                .args(["rustc", "--release", "-p", "rawscm-bench", "--bin", bin, "--target", MUSL])
                .args(["--no-default-features", "--features", "rt", "--"])
                .args(RT_LINK),
        )?;
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
    for w in ["w1", "w2"] {
        let file = src.join(format!("{w}_c.c"));
        cc("gcc", &["-O2"], &file, &c.join(format!("{w}_c_glibc")))?;
        cc("musl-gcc", &["-O2", "-static"], &file, &c.join(format!("{w}_c_musl")))?;
    }
    let tiny_c = src.join("tiny_init_pid.c");
    let have_c_w3 = tiny_c.exists();
    if have_c_w3 {
        cc("gcc", &["-Os", "-static", "-s"], &tiny_c, &c.join("tiny_init_pid_glibc"))?;
        cc("musl-gcc", &["-Os", "-static", "-s"], &tiny_c, &c.join("tiny_init_pid_musl"))?;
    } else {
        println!("xtask bench: {} is missing: no W3 for C", tiny_c.display());
    }

    let c_w3 = |file: &str, what| have_c_w3.then(|| (c.join(file), what));
    Ok(vec![
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
    ])
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
    let mut cmd = match cpu {
        Some(cpu) => {
            let mut c = Command::new("taskset");
            c.args(["-c", cpu]).arg(program);
            c
        }
        None => Command::new(program),
    };
    cmd.args([iters.to_string(), warm_up.to_string()]);
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
fn report(
    impls: &[Impl],
    m: &[Measured],
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
    r += &format!(
        "\n**Run.** `{}`: {} rounds; W1 {} + {} warm-up iterations per process, W2 {} + {}; callgrind W1 at \
         {} and {} iterations; {}.\n",
        command.join(" "),
        opts.rounds,
        opts.w1_iters.0,
        opts.w1_iters.1,
        opts.w2_iters.0,
        opts.w2_iters.1,
        CALLGRIND_ITERS.0,
        CALLGRIND_ITERS.1,
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
    if let (Some((r, rn)), Some(c)) = (best(Role::Rawscm, &|m| m.w1_instr), m[0].w1_instr) {
        s += &format!(
            "| W1 user instructions ≤ 0.8 × C glibc's | {rn}: {r:.0} vs {c:.0} = {:.2} × | {} |\n",
            r / c,
            verdict(r <= 0.8 * c)
        );
        if let Some((f, _)) = best(Role::Floor, &|m| m.w1_instr) {
            s += &format!(
                "| (reference) the floor: W1 with no library | {f:.0} = {:.2} × C glibc's; {rn} = {:.2} × the \
                 floor | {} |\n",
                f / c,
                r / f,
                if f > 0.8 * c { "the target is below the floor" } else { "the target is above the floor" }
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
            if l == format!("name = \"{krate}\"") {
                if let Some(v) = lines.next().and_then(|v| v.strip_prefix("version = ")) {
                    return v.trim_matches('"').to_string();
                }
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
