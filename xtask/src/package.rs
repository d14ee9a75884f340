//! `cargo xtask package`: what a user of crates.io meets.
//!
//! - `cargo package` of rawscm and rawscm-rt (built from the packaged files,
//!   so a file missing from `include` fails here), with the size and file
//!   count of each `.crate`;
//! - `cargo publish --dry-run` of rawscm;
//! - `cargo doc` of both with warnings denied (broken intra-doc links);
//! - the minimum supported Rust version (`rust-version` of Cargo.toml):
//!   that toolchain is installed with rustup and checks both crates.

use std::path::PathBuf;
use std::process::Command;

use crate::util;

/// The target the runtime crate is checked and documented for.
const RT_TARGET: &str = "x86_64-unknown-linux-musl";

/// `cargo xtask package`.
pub fn run(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask package".into());
    }
    let mut failed = Vec::new();
    let mut step = |name: &str, r: Result<(), String>| {
        if let Err(e) = r {
            println!("xtask package: {name}: {e}");
            failed.push(name.to_string());
        }
    };
    step("cargo package", package());
    step("cargo publish --dry-run", publish_dry_run());
    step("cargo doc -D warnings", docs());
    step("minimum Rust version", msrv());
    if failed.is_empty() { Ok(()) } else { Err(format!("failed: {}", failed.join(", "))) }
}

/// The step `cargo xtask test` runs.
pub fn in_test() -> Result<(), String> {
    run(&[])
}

/// Cargo verifies rawscm-rt against the rawscm it just packaged, served
/// from a temporary local registry, and unpacks it under
/// `$CARGO_HOME/registry/src/-<hash>/rawscm-0.1.0`. It never unpacks the
/// same name and version again, so a second run verifies against the first
/// run's sources (seen: "cannot find `vdso` in `rawscm`"). Those unpacked
/// copies are removed first; crates.io's own directories are not touched
/// (their names do not start with `-`).
fn forget_stale_local_packages() -> Result<(), String> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .ok_or("neither CARGO_HOME nor HOME is set")?;
    let Ok(registries) = std::fs::read_dir(home.join("registry/src")) else { return Ok(()) };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        for name in ["rawscm-0.1.0", "rawscm-rt-0.1.0"] {
            let stale = registry.path().join(name);
            if stale.exists() {
                std::fs::remove_dir_all(&stale).map_err(|e| format!("{}: {e}", stale.display()))?;
            }
        }
    }
    Ok(())
}

fn package() -> Result<(), String> {
    forget_stale_local_packages()?;
    util::run(util::cargo().args(["package", "-p", "rawscm", "-p", "rawscm-rt", "--allow-dirty"]))?;
    let dir = crate::tiny::target_dir().join("package");
    for name in ["rawscm-0.1.0", "rawscm-rt-0.1.0"] {
        let file = dir.join(format!("{name}.crate"));
        let bytes = std::fs::metadata(&file).map_err(|e| format!("{}: {e}", file.display()))?.len();
        let listed = util::output(util::cargo().args([
            "package",
            "--list",
            "--allow-dirty",
            "-p",
            name.trim_end_matches("-0.1.0"),
        ]))?;
        let files = listed.lines().filter(|l| !l.trim().is_empty()).count();
        println!("xtask package: {name}.crate: {bytes} bytes, {files} files");
        if listed
            .lines()
            .any(|l| l.starts_with("tests/torture") || l.starts_with("xtask/") || l.starts_with("bench/"))
        {
            return Err(format!("{name} packages files a user does not need:\n{listed}"));
        }
    }
    Ok(())
}

fn publish_dry_run() -> Result<(), String> {
    util::run(util::cargo().args(["publish", "--dry-run", "-p", "rawscm", "--allow-dirty"]))
}

fn docs() -> Result<(), String> {
    let rustdoc = |cmd: &mut Command| {
        cmd.env("RUSTDOCFLAGS", "-D warnings");
    };
    let mut lib = util::cargo();
    lib.args(["doc", "--no-deps", "-p", "rawscm", "--features", "std"]);
    rustdoc(&mut lib);
    util::run(&mut lib)?;
    let mut rt = util::cargo();
    rt.args(["doc", "--no-deps", "-p", "rawscm-rt", "--target", RT_TARGET]);
    rustdoc(&mut rt);
    util::run(&mut rt)
}

/// `rust-version` of the workspace's Cargo.toml.
fn rust_version() -> Result<String, String> {
    let manifest = std::fs::read_to_string(util::root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version"))
        .and_then(|rest| rest.trim().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"').to_string())
        .ok_or_else(|| "no rust-version in Cargo.toml".into())
}

fn msrv() -> Result<(), String> {
    let version = rust_version()?;
    let toolchain = format!("{version}.0");
    println!("xtask package: checking with the minimum supported Rust, {toolchain}");
    let mut install = Command::new("rustup");
    install.args(["toolchain", "install", &toolchain, "--profile", "minimal", "--target", RT_TARGET]);
    util::run(&mut install)?;
    // A target directory of its own: another compiler's artifacts must not
    // mix with the pinned one's.
    let dir: PathBuf = crate::tiny::target_dir().join("msrv");
    let check = |args: &[&str]| {
        let mut cmd = Command::new("rustup");
        cmd.current_dir(util::root()).args(["run", &toolchain, "cargo", "check"]).args(args);
        cmd.env("CARGO_TARGET_DIR", &dir).env_remove("RUSTFLAGS").env_remove("CARGO");
        util::run(&mut cmd)
    };
    check(&["-p", "rawscm"])?;
    check(&["-p", "rawscm", "--features", "std"])?;
    check(&["-p", "rawscm-rt", "--target", RT_TARGET])
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_manifest_states_a_rust_version() {
        let v = super::rust_version().unwrap();
        assert!(v.split('.').count() == 2 && v.split('.').all(|p| p.parse::<u32>().is_ok()), "{v}");
    }
}
