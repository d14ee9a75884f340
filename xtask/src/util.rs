//! Small helpers shared by every `cargo xtask` subcommand.
//!
//! Stable interface (other modules call these): [`root`], [`is_root`], [`cargo`],
//! [`show`], [`run`], [`run_ok`], [`output`], [`run_tee`], [`ensure_apt`],
//! [`ensure_targets`], [`ensure_toolchain`], [`ensure_foreign_arches`], [`Row`].
//! Every command that is run is echoed first as `+ ENV=... program args`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};

/// The workspace root (the directory holding the top `Cargo.toml`).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// Whether the effective user is root (read from `/proc/self/status`).
pub fn is_root() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1).map(|euid| euid == "0"))
        .unwrap_or(false)
}

/// `cargo` (the one that runs us, from `$CARGO`), started in the workspace root.
pub fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

/// The command as a shell-like line, with the environment it sets in front.
pub fn show(cmd: &Command) -> String {
    let mut out = String::new();
    for (key, value) in cmd.get_envs() {
        if let Some(value) = value {
            out += &format!("{}={} ", key.to_string_lossy(), quote(&value.to_string_lossy()));
        }
    }
    out += &quote(&cmd.get_program().to_string_lossy());
    for arg in cmd.get_args() {
        out.push(' ');
        out += &quote(&arg.to_string_lossy());
    }
    out
}

fn quote(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn echo(cmd: &Command) {
    println!("+ {}", show(cmd));
    let _ = std::io::stdout().flush();
}

/// Echoes and runs `cmd` with inherited stdio; `Err` unless it exits 0.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    if run_ok(cmd)? { Ok(()) } else { Err(format!("command failed: {}", show(cmd))) }
}

/// Echoes and runs `cmd` with inherited stdio; `Ok(exited 0)`, `Err` if it could not start.
pub fn run_ok(cmd: &mut Command) -> Result<bool, String> {
    echo(cmd);
    let status = cmd.status().map_err(|e| format!("cannot run {}: {e}", show(cmd)))?;
    Ok(status.success())
}

/// Runs `cmd` quietly (no echo, stderr discarded) and returns its stdout; `Err` unless it exits 0.
pub fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.stderr(Stdio::null()).output().map_err(|e| format!("cannot run {}: {e}", show(cmd)))?;
    if !out.status.success() {
        return Err(format!("command failed: {}", show(cmd)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Echoes and runs `cmd`, copying its stdout to ours line by line (stderr is
/// inherited); returns whether it exited 0 and everything it printed on stdout.
pub fn run_tee(cmd: &mut Command) -> Result<(bool, String), String> {
    echo(cmd);
    let mut child =
        cmd.stdout(Stdio::piped()).spawn().map_err(|e| format!("cannot run {}: {e}", show(cmd)))?;
    // Read on a thread: a process the command leaves behind (a test's stuck
    // child) may keep the pipe open after the command itself has exited.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let out = child.stdout.take().expect("piped stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let line = line.unwrap_or_else(|e| format!("<unreadable output: {e}>"));
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut all = String::new();
    let mut keep = |line: String| {
        let mut lock = std::io::stdout().lock();
        let _ = writeln!(lock, "{line}");
        let _ = lock.flush();
        all += &line;
        all.push('\n');
    };
    let tick = std::time::Duration::from_millis(200);
    let mut exited_at = None;
    let mut leaked = false;
    loop {
        match rx.recv_timeout(tick) {
            Ok(line) => keep(line),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
        }
        if exited_at.is_none() && child.try_wait().map_err(|e| e.to_string())?.is_some() {
            exited_at = Some(std::time::Instant::now());
        }
        if exited_at.is_some_and(|t| t.elapsed() > std::time::Duration::from_secs(10)) {
            // `timeout` leads its own process group: end what is left of it.
            let _ = Command::new("kill").args(["-KILL", &format!("-{}", child.id())]).status();
            keep("xtask: a process left behind by the command kept its output open; its process group was killed".into());
            leaked = true;
            break;
        }
    }
    let status = child.wait().map_err(|e| format!("waiting for {}: {e}", show(cmd)))?;
    Ok((status.success() && !leaked, all))
}

static APT_UPDATED: AtomicBool = AtomicBool::new(false);

/// The Debian packages of `pkgs` that are not installed (`dpkg-query -W`).
pub fn missing_apt(pkgs: &[&str]) -> Vec<String> {
    pkgs.iter()
        .filter(|p| {
            let status = output(Command::new("dpkg-query").args(["-W", "-f=${db:Status-Abbrev}", p]));
            !status.is_ok_and(|s| s.starts_with("ii"))
        })
        .map(|p| p.to_string())
        .collect()
}

/// The commands that install `missing`, one per line, indented.
pub fn apt_commands(missing: &[String]) -> String {
    format!(
        "  apt-get update\n  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {}",
        missing.join(" ")
    )
}

/// Installs the Debian packages of `pkgs` that are missing. As root: runs
/// `apt-get update` (once per xtask run) and `apt-get install -y`. Not root:
/// `Err` with the exact commands to run. Nothing missing: does nothing.
pub fn ensure_apt(pkgs: &[&str]) -> Result<(), String> {
    let missing = missing_apt(pkgs);
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "missing Debian packages: {}; as root, run:\n{}",
            missing.join(" "),
            apt_commands(&missing)
        ));
    }
    println!("xtask: installing missing Debian packages: {}", missing.join(" "));
    if !APT_UPDATED.swap(true, Ordering::SeqCst) {
        run(Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Adds the Debian architectures of `archs` that dpkg lacks
/// (`dpkg --add-architecture`), then runs `apt-get update` so that their
/// package lists exist. Needs root when one is missing: otherwise `Err` with
/// the commands to run.
pub fn ensure_foreign_arches(archs: &[&str]) -> Result<(), String> {
    let native = output(Command::new("dpkg").arg("--print-architecture"))?;
    let foreign = output(Command::new("dpkg").arg("--print-foreign-architectures"))?;
    let have: BTreeSet<&str> = foreign.lines().chain(native.lines()).map(str::trim).collect();
    let missing: Vec<&str> = archs.iter().copied().filter(|a| !have.contains(a)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        let adds: Vec<String> = missing.iter().map(|a| format!("  dpkg --add-architecture {a}")).collect();
        return Err(format!(
            "missing Debian architectures: {}; as root, run:\n{}\n  apt-get update",
            missing.join(" "),
            adds.join("\n")
        ));
    }
    for a in &missing {
        run(Command::new("dpkg").args(["--add-architecture", a]))?;
    }
    APT_UPDATED.store(true, Ordering::SeqCst);
    run(Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The toolchain pinned by `rust-toolchain.toml` (its `channel`), e.g. `1.95.0`.
pub fn toolchain() -> String {
    let text = std::fs::read_to_string(root().join("rust-toolchain.toml")).unwrap_or_default();
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("channel"))
        .filter_map(|rest| rest.trim().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"').to_string())
        .next()
        .unwrap_or_else(|| "stable".into())
}

fn rustup() -> Command {
    let mut cmd = Command::new("rustup");
    cmd.current_dir(root());
    cmd
}

/// Adds the rustup targets of `triples` that the pinned toolchain lacks
/// (`rustup target list --installed`; rustup does not add the targets of
/// `rust-toolchain.toml` to an installed toolchain). rustup lives in the user's
/// home, so this needs no root.
pub fn ensure_targets(triples: &[&str]) -> Result<(), String> {
    let tc = toolchain();
    let listed = output(rustup().args(["target", "list", "--installed", "--toolchain", &tc]))?;
    let have: BTreeSet<&str> = listed.lines().map(str::trim).collect();
    let missing: Vec<&str> = triples.iter().copied().filter(|t| !have.contains(t)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: adding missing rustup targets: {}", missing.join(" "));
    run(rustup().args(["target", "add", "--toolchain", &tc]).args(&missing))
}

/// Installs the pinned toolchain with the components `rust-toolchain.toml`
/// names (clippy, rustfmt, rust-src) if it or any of them is missing.
pub fn ensure_toolchain() -> Result<(), String> {
    let tc = toolchain();
    let components = ["clippy", "rustfmt", "rust-src"];
    let installed = output(rustup().args(["component", "list", "--installed", "--toolchain", &tc]));
    let Ok(installed) = installed else {
        println!("xtask: installing toolchain {tc}");
        let mut cmd = rustup();
        cmd.args(["toolchain", "install", &tc, "--profile", "minimal"]);
        for c in components {
            cmd.args(["--component", c]);
        }
        return run(&mut cmd);
    };
    let have: Vec<&str> = installed.lines().collect();
    let missing: Vec<&str> = components
        .into_iter()
        .filter(|c| !have.iter().any(|h| *h == *c || h.starts_with(&format!("{c}-"))))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: adding missing components: {}", missing.join(" "));
    run(rustup().args(["component", "add", "--toolchain", &tc]).args(&missing))
}

/// One row of a summary table: a target and backend of the test matrix, or a step.
#[derive(Clone, Debug, Default)]
pub struct Row {
    /// What the row is about, e.g. `aarch64-unknown-linux-musl (sc)` or `tiny`.
    pub name: String,
    /// Tests that ran and passed (skipped ones not included).
    pub passed: u64,
    /// Tests that failed.
    pub failed: u64,
    /// Tests that skipped themselves (lines of the skip log).
    pub skipped: u64,
    /// Whether the row succeeded as a whole (built, ran, nothing failed).
    pub ok: bool,
    /// Free text: the error of a step, why a row failed, ...
    pub note: String,
    /// Wall-clock seconds the row took (filled in by `cargo xtask test`).
    pub secs: u64,
    /// The tests that skipped themselves: (test, reason), from the skip log.
    pub skips: Vec<(String, String)>,
    /// A short name for the list of skipped tests (`aarch64 qemu-user`);
    /// empty: derived from `name`.
    pub short: String,
    /// The row cannot exist here (for example, no kernel of the
    /// architecture): the summary says `none`, and why in `note`.
    pub not_run: bool,
}

impl Row {
    /// A row for a step that has no test counts: `ok` or `FAIL` with the error as note.
    pub fn step(name: &str, result: Result<(), String>) -> Row {
        match result {
            Ok(()) => Row { name: name.into(), ok: true, ..Row::default() },
            Err(e) => Row { name: name.into(), ok: false, note: e, ..Row::default() },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_apt_finds_only_what_is_missing() {
        let missing = missing_apt(&["dpkg", "rawscm-no-such-package"]);
        assert_eq!(missing, ["rawscm-no-such-package"]);
    }

    #[test]
    fn apt_commands_are_the_ones_to_paste() {
        let cmds = apt_commands(&["a".into(), "b".into()]);
        assert_eq!(
            cmds,
            "  apt-get update\n  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends a b"
        );
    }

    #[test]
    fn show_quotes_what_the_shell_would_split() {
        let mut cmd = Command::new("qemu-arm");
        cmd.args(["-L", "/usr/arm linux"]).env("A", "x y");
        assert_eq!(show(&cmd), "A='x y' qemu-arm -L '/usr/arm linux'");
    }
}
