//! `cargo xtask miri`: the system-call-free code (control-message encoding,
//! parsing, space arithmetic, ownership-taking) under Miri, which reports
//! undefined behaviour: misaligned or out-of-bounds reads, uninitialised
//! bytes, invalid values.
//!
//! Runs, with the nightly toolchain:
//! - `cargo +nightly miri test -p rawscm --lib cmsg` on the host, on
//!   i686-unknown-linux-gnu (32-bit layout), on s390x-unknown-linux-gnu
//!   (big-endian) and on powerpc-unknown-linux-gnu (both: the 12-byte
//!   `cmsghdr` with big-endian words, the only such target); Miri
//!   interprets foreign targets, no emulator needed;
//! - `cargo +nightly miri test -p rawscm --test cmsg_prop` on the host, with
//!   `PROPTEST_CASES=8` (Miri is slow) and `-Zmiri-disable-isolation` (the
//!   test opens /dev/null for descriptors to encode).
//!
//! Needs the nightly toolchain with the `miri` and `rust-src` components.
//! Missing ones are installed with rustup when running as root; otherwise
//! `cargo xtask miri` fails, and the step of `cargo xtask test` is skipped,
//! each saying what to run.

use crate::util;
use std::process::Command;

const TOOLCHAIN: &str = "nightly";
const COMPONENTS: [&str; 2] = ["miri", "rust-src"];
/// Foreign targets the unit tests are also interpreted for.
const CROSS: [&str; 3] = ["i686-unknown-linux-gnu", "s390x-unknown-linux-gnu", "powerpc-unknown-linux-gnu"];

const USAGE: &str = "usage: cargo xtask miri

Runs the control-message unit tests under Miri on the host, i686 (32-bit),
s390x (big-endian) and powerpc (32-bit big-endian), and the property tests of tests/cmsg_prop.rs on
the host, with the nightly toolchain (miri and rust-src are installed with
rustup when missing and running as root).";

/// `cargo xtask miri`.
pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        if a == "-h" || a == "--help" {
            println!("{USAGE}");
            return Ok(());
        }
        return Err(format!("unexpected argument `{a}`\n{USAGE}"));
    }
    if let Some(why) = unavailable() {
        return Err(why);
    }
    check()
}

/// The step `cargo xtask test` runs: Miri if available (installing it as
/// root), else a printed reason and success.
pub fn in_test() -> Result<(), String> {
    match unavailable() {
        Some(why) => {
            println!("xtask miri: skipped: {why}");
            Ok(())
        }
        None => check(),
    }
}

/// Why Miri cannot run here, after trying to install what is missing.
fn unavailable() -> Option<String> {
    let missing = missing_components();
    if missing.is_empty() {
        return None;
    }
    let commands = install_commands(&missing);
    if !util::is_root() {
        let list = commands.iter().map(|c| format!("  {}", util::show(c))).collect::<Vec<_>>().join("\n");
        return Some(format!("{TOOLCHAIN} toolchain lacks {}; run:\n{list}", missing.join(", ")));
    }
    println!("xtask miri: installing {} for the {TOOLCHAIN} toolchain", missing.join(", "));
    for mut cmd in commands {
        if let Err(e) = util::run(&mut cmd) {
            return Some(e);
        }
    }
    let still = missing_components();
    (!still.is_empty()).then(|| format!("{} still missing after rustup", still.join(", ")))
}

/// The components (or, if it is not installed, the toolchain) missing.
fn missing_components() -> Vec<String> {
    let listed = util::output(rustup().args(["component", "list", "--installed", "--toolchain", TOOLCHAIN]));
    let Ok(listed) = listed else {
        return vec![format!("the {TOOLCHAIN} toolchain")];
    };
    COMPONENTS
        .iter()
        .filter(|c| !listed.lines().any(|l| l == **c || l.starts_with(&format!("{c}-"))))
        .map(|c| c.to_string())
        .collect()
}

fn install_commands(missing: &[String]) -> Vec<Command> {
    let mut cmd = rustup();
    if missing.iter().any(|m| m.contains("toolchain")) {
        cmd.args(["toolchain", "install", TOOLCHAIN, "--profile", "minimal"]);
        for c in COMPONENTS {
            cmd.args(["--component", c]);
        }
    } else {
        cmd.args(["component", "add", "--toolchain", TOOLCHAIN]).args(missing);
    }
    vec![cmd]
}

fn rustup() -> Command {
    let mut cmd = Command::new("rustup");
    cmd.current_dir(util::root());
    cmd
}

/// `cargo +nightly miri test -p rawscm ...` through the rustup proxy, free of
/// the pinned toolchain's settings that `cargo xtask` inherited.
fn miri_test(args: &[&str]) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.current_dir(util::root());
    for var in ["RUSTUP_TOOLCHAIN", "RUSTC", "RUSTDOC", "RUSTC_WRAPPER", "CARGO"] {
        cmd.env_remove(var);
    }
    cmd.arg(format!("+{TOOLCHAIN}")).args(["miri", "test", "-p", "rawscm"]).args(args);
    cmd
}

fn check() -> Result<(), String> {
    let mut runs = vec![miri_test(&["--lib", "cmsg"])];
    for t in CROSS {
        runs.push(miri_test(&["--lib", "--target", t, "cmsg"]));
    }
    let mut prop = miri_test(&["--test", "cmsg_prop"]);
    prop.env("PROPTEST_CASES", "8").env("MIRIFLAGS", "-Zmiri-disable-isolation");
    runs.push(prop);
    let mut failed = Vec::new();
    for mut cmd in runs {
        if !util::run_ok(&mut cmd)? {
            failed.push(util::show(&cmd));
        }
    }
    if failed.is_empty() {
        println!("xtask miri: no undefined behaviour found");
        Ok(())
    } else {
        Err(format!("Miri failed: {}", failed.join("; ")))
    }
}
