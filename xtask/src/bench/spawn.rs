//! The spawn rows of `cargo xtask bench` (also alone: `cargo xtask
//! bench-spawn`), kept apart from W1-W3 so that the two evolve separately.
//!
//! - WS, spawn + wait of `/bin/true` (empty environment): rawscm's `spawn`
//!   (clone3 with a pidfd, the child's set-up, exec, `waitid(P_PIDFD)`)
//!   against C with glibc's and musl's `posix_spawn` (`clone(CLONE_VM |
//!   CLONE_VFORK)` on a stack of their own) and with fork + execve.
//! - WP, fork + wait: `fork_with_pidfd` + `waitid(P_PIDFD)` against W2's
//!   `fork` + `waitid(P_PID)`, both with rawscm: what holding the child by
//!   pidfd costs.
//!
//! Same harness as W1/W2 (`bench/c/harness.h`, `bench/src/lib.rs`): several
//! rounds, the programs alternating within each, one process per round and
//! program, pinned to one CPU; median and min–max of the per-iteration
//! times. The result is a Markdown section of BENCHMARKS.md of its own.

use super::{MUSL, cc, pin_cpu, stats, time_run};
use crate::util;
use std::path::PathBuf;

const BEGIN: &str = "<!-- xtask bench spawn: generated section begins -->";
const END: &str = "<!-- xtask bench spawn: generated section ends -->";

/// Iterations of one timing process (timed, warm-up): WS is about 0.5 ms
/// an iteration, WP about 50 µs.
const WS_ITERS: (u64, u64) = (300, 30);
const WP_ITERS: (u64, u64) = (1_000, 100);

/// One program of the table.
struct Row {
    workload: &'static str,
    name: &'static str,
    program: PathBuf,
    iters: (u64, u64),
    /// The row the ratio column compares with (its index), if any.
    against: Option<usize>,
}

/// Builds the programs; the rows in table order.
fn build() -> Result<Vec<Row>, String> {
    let target = crate::tiny::target_dir();
    let host = target.join("release");
    let musl = target.join(MUSL).join("release");
    let c = target.join("bench-c");
    std::fs::create_dir_all(&c).map_err(|e| format!("{}: {e}", c.display()))?;
    println!("\nxtask bench: building the spawn rows");
    util::run(util::cargo().args(["build", "--release", "-p", "rawscm-bench"]).args([
        "--bin",
        "ws_rawscm",
        "--bin",
        "wp_rawscm",
        "--bin",
        "w2_rawscm",
    ]))?;
    for bin in ["ws_rawscm_rt", "wp_rawscm_rt", "w2_rawscm_rt"] {
        super::build_rt_bin(bin)?;
    }
    let src = util::root().join("bench").join("c").join("ws_c.c");
    cc("gcc", &["-O2", "-DUSE_POSIX_SPAWN"], &src, &c.join("ws_posix_spawn_glibc"))?;
    cc("gcc", &["-O2"], &src, &c.join("ws_fork_exec_glibc"))?;
    cc("musl-gcc", &["-O2", "-static", "-DUSE_POSIX_SPAWN"], &src, &c.join("ws_posix_spawn_musl"))?;
    cc("musl-gcc", &["-O2", "-static"], &src, &c.join("ws_fork_exec_musl"))?;
    let row = |workload, name, program: PathBuf, against| {
        let iters = if workload == "WS" { WS_ITERS } else { WP_ITERS };
        Row { workload, name, program, iters, against }
    };
    Ok(vec![
        row("WS", "C, glibc posix_spawn (dynamic)", c.join("ws_posix_spawn_glibc"), None),
        row("WS", "C, glibc fork + execve (dynamic)", c.join("ws_fork_exec_glibc"), Some(0)),
        row("WS", "C, musl posix_spawn (static)", c.join("ws_posix_spawn_musl"), Some(0)),
        row("WS", "C, musl fork + execve (static)", c.join("ws_fork_exec_musl"), Some(0)),
        row("WS", "rawscm spawn, std, gnu (dynamic)", host.join("ws_rawscm"), Some(0)),
        row("WS", "rawscm spawn, no_std + rt (static, LTO)", musl.join("ws_rawscm_rt"), Some(0)),
        row("WP", "rawscm fork + waitid(P_PID), std, gnu (W2)", host.join("w2_rawscm"), None),
        row("WP", "rawscm fork_with_pidfd + waitid(P_PIDFD), std, gnu", host.join("wp_rawscm"), Some(6)),
        row("WP", "rawscm fork + waitid(P_PID), no_std + rt (W2)", musl.join("w2_rawscm_rt"), None),
        row(
            "WP",
            "rawscm fork_with_pidfd + waitid(P_PIDFD), no_std + rt",
            musl.join("wp_rawscm_rt"),
            Some(8),
        ),
    ])
}

/// Builds and times the rows; returns the Markdown section.
fn measure(rounds: usize, quick: bool) -> Result<String, String> {
    let rows = build()?;
    let cpu = pin_cpu();
    let load_before = super::uptime();
    let mut times: Vec<Vec<f64>> = rows.iter().map(|_| Vec::new()).collect();
    println!("\nxtask bench: spawn rows, {rounds} rounds, pinned to {}", cpu.as_deref().unwrap_or("no CPU"));
    for round in 0..rounds {
        for k in 0..rows.len() {
            let i = (k + round) % rows.len();
            let iters = if quick { (rows[i].iters.0 / 5, rows[i].iters.1 / 5) } else { rows[i].iters };
            times[i].push(time_run(&rows[i].program, iters, cpu.as_deref())?);
        }
        println!("  round {}/{rounds} done", round + 1);
    }
    let load_after = super::uptime();
    let median = |v: &[f64]| stats(v).map(|s| s.0);
    let mut t = String::from("| Workload | Implementation | µs/iter (min–max) | vs |\n|---|---|---:|---|\n");
    for (row, v) in rows.iter().zip(&times) {
        let (med, lo, hi) = stats(v).unwrap_or_default();
        let vs = match row.against.and_then(|a| Some((a, median(&times[a])?))) {
            Some((a, base)) if base > 0.0 => format!("{:.3} × {}", med / base, rows[a].name),
            _ => "–".into(),
        };
        t += &format!(
            "| {} | {} | {:.1} ({:.1}–{:.1}) | {vs} |\n",
            row.workload,
            row.name,
            med / 1e3,
            lo / 1e3,
            hi / 1e3
        );
    }
    t += &format!(
        "\nWS: spawn + wait of `/bin/true` (dynamic, from Debian's coreutils), empty environment; WP: fork, \
         the child exits 0 at once, wait. Median over {rounds} rounds of the time per iteration, min–max in \
         brackets; {} + {} (WS) and {} + {} (WP) warm-up iterations per process{}; {}.\n",
        WS_ITERS.0,
        WS_ITERS.1,
        WP_ITERS.0,
        WP_ITERS.1,
        if quick { " (quick run: a fifth of those)" } else { "" },
        match &cpu {
            Some(c) => format!("every process pinned to CPU {c} with taskset"),
            None => "not pinned (no taskset)".into(),
        }
    );
    t += &format!("\n**Load.** Before: `{load_before}`. After: `{load_after}`.\n");
    Ok(t)
}

/// The hook of `cargo xtask bench`: measures and writes the section.
pub fn in_bench(rounds: usize, quick: bool, write: bool) -> Result<(), String> {
    let section = measure(rounds, quick)?;
    println!("\n{section}");
    if write {
        let path = util::root().join("BENCHMARKS.md");
        write_section_between(&path, BEGIN, END, &section)?;
        println!("xtask bench: wrote the spawn section of {}", path.display());
    }
    Ok(())
}

/// `cargo xtask bench-spawn [--rounds <n>] [--quick] [--no-write]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let opts = super::parse(args)?;
    if std::env::consts::ARCH != "x86_64" {
        return Err("the benchmarks are written for x86_64 Linux".into());
    }
    util::ensure_apt(&["gcc", "libc6-dev", "musl-tools", "util-linux"])?;
    util::ensure_targets(&[MUSL])?;
    in_bench(opts.rounds, opts.quick, opts.write)
}

/// Replaces the text between `begin` and `end` in `path` with `body`
/// (appends the section if the markers are missing), keeping the rest.
fn write_section_between(path: &std::path::Path, begin: &str, end: &str, body: &str) -> Result<(), String> {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    let section = format!("{begin}\n{body}{end}\n");
    let new = match (old.find(begin), old.find(end)) {
        (Some(b), Some(e)) if b < e => {
            let rest = old[e + end.len()..].trim_start_matches('\n');
            format!("{}{section}{}{rest}", &old[..b], if rest.is_empty() { "" } else { "\n" })
        }
        _ => format!("{}\n\n## Spawning\n\n{section}", old.trim_end()),
    };
    std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))
}
