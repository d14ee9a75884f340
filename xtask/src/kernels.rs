//! `cargo xtask kernels`: the unit and integration test binaries of each
//! target, run as ordinary processes on real Linux kernels of that
//! architecture (Debian 12's), booted under qemu-system in software
//! emulation (TCG). Also the real-kernel rows of `cargo xtask test`.
//!
//! Per target: `cargo test --no-run` builds the same binaries as the
//! qemu-user row (rawscm's and rawscm-rt's); each binary's expected tests
//! come from `--list` (run under qemu-user); the binaries and the examples
//! tests start (debug info stripped), their ELF loader and shared libraries
//! (gnu targets, from `/usr/<gnu>/lib`), busybox in `/bin` and
//! `rt/examples/kernel_init.rs` as `/init` go into a newc cpio.
//! The init runs every binary and reports on the console (see its docs); the
//! host compares each binary's result lines with its test list. A missing,
//! extra or garbled result, a failed test, a binary's non-zero exit, a
//! panic of the init, a missing marker or the time limit fails the row.
//! qemu's exit status means nothing (it is 0 after a kernel panic too).
//!
//! Kernels, busybox: `apt-get download` of Debian's packages (the newest
//! the archive has: the kernel package is the dependency of the flavour's
//! metapackage), foreign architectures added with `dpkg --add-architecture`
//! when missing; only the kernel image and config (and busybox's binary)
//! are extracted, into `target/xtask/kernels/`, and kept for the next run.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::setup::{TARGETS, Target};
use crate::tiny::{build_static, run_timeout, work_dir};
use crate::util::{self, Row};

const USAGE: &str = "\
usage: cargo xtask kernels [options]

  --target <triple>   only this target (repeatable)
  --kernel <series>   6.12, 6.1 or all (default all)
  --timeout <min>     time limit of one boot (default 10)
  --smp <n>           virtual CPUs (default 1)
  --no-sc             skip the rows of the `sc` backend
  --no-setup          do not install packages or add architectures
  --fetch-only        only download (or find cached) the kernels and busybox

Rows: x86_64, aarch64, armv7, powerpc64le on 6.12 and 6.1; i686 on 6.1 (686)
and on the x86_64 6.12 kernel (compat syscalls); s390x on 6.1; where `sc`
builds (x86_64, aarch64), also with the `sc` backend. riscv64, powerpc64
(big-endian) and powerpc: none (Debian 12 ships no kernel for them).";

/// The prefix of the init's console lines.
const PREFIX: &str = "rawscm-kernel: ";

/// The init program (an example of rawscm-rt).
const INIT: &str = "kernel_init";

/// Programs of busybox in `/bin` (symbolic links to it): `/bin/sh` for
/// tests/exec.rs, `sleep` for tests/notify.rs, a few more for a person
/// reading the code.
const BUSYBOX_APPLETS: &[&str] = &["sh", "sleep", "true", "false", "cat", "echo", "ls"];

/// A Debian kernel series.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Series {
    /// `linux-image-6.12-<flavour>` (bookworm-security).
    V6_12,
    /// `linux-image-<flavour>`: 6.1, bookworm's own.
    V6_1,
}

impl Series {
    pub fn name(self) -> &'static str {
        match self {
            Series::V6_12 => "6.12",
            Series::V6_1 => "6.1",
        }
    }

    /// `6.12`, `6.1` or `all`.
    pub fn parse(s: &str) -> Result<Vec<Series>, String> {
        match s {
            "6.12" => Ok(vec![Series::V6_12]),
            "6.1" => Ok(vec![Series::V6_1]),
            "all" => Ok(vec![Series::V6_12, Series::V6_1]),
            "none" => Ok(vec![]),
            other => Err(format!("unknown kernel series {other} (6.12, 6.1, all or none)")),
        }
    }
}

/// A Debian kernel flavour and how qemu-system boots it.
pub struct Machine {
    /// The Debian architecture of the kernel package.
    deb_arch: &'static str,
    /// The flavour: the last part of the package name.
    flavour: &'static str,
    /// The emulator and its machine options.
    qemu: &'static [&'static str],
    /// The kernel's name of the console.
    console: &'static str,
}

const AMD64: Machine = Machine {
    deb_arch: "amd64",
    flavour: "amd64",
    qemu: &["qemu-system-x86_64", "-accel", "tcg"],
    console: "ttyS0",
};

const I386: Machine = Machine {
    deb_arch: "i386",
    flavour: "686",
    qemu: &["qemu-system-i386", "-accel", "tcg"],
    console: "ttyS0",
};

const ARM64: Machine = Machine {
    deb_arch: "arm64",
    flavour: "arm64",
    // Without pauth-impdef, emulated pointer authentication is ~3x slower.
    qemu: &["qemu-system-aarch64", "-M", "virt", "-cpu", "max,pauth-impdef=on"],
    console: "ttyAMA0",
};

const ARMHF: Machine = Machine {
    deb_arch: "armhf",
    flavour: "armmp",
    // highmem=off: the non-LPAE kernel cannot reach PCI's ECAM above 4 GiB.
    qemu: &["qemu-system-arm", "-M", "virt,highmem=off", "-cpu", "cortex-a15"],
    console: "ttyAMA0",
};

const PPC64EL: Machine = Machine {
    deb_arch: "ppc64el",
    flavour: "powerpc64le",
    // x-vof: no SLOF firmware (~9 s); the cap-* options only silence TCG's
    // warnings about spectre mitigations it cannot emulate.
    qemu: &[
        "qemu-system-ppc64",
        "-M",
        "pseries,x-vof=on,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off",
    ],
    console: "hvc0",
};

const S390X: Machine =
    Machine { deb_arch: "s390x", flavour: "s390x", qemu: &["qemu-system-s390x"], console: "ttysclp0" };

/// One real-kernel row: a target's test binaries on a kernel.
pub struct KernelRow {
    pub triple: &'static str,
    machine: &'static Machine,
    pub series: Series,
}

/// Every real-kernel row, grouped by target.
pub const ROWS: &[KernelRow] = &[
    KernelRow { triple: "x86_64-unknown-linux-musl", machine: &AMD64, series: Series::V6_12 },
    KernelRow { triple: "x86_64-unknown-linux-musl", machine: &AMD64, series: Series::V6_1 },
    KernelRow { triple: "i686-unknown-linux-musl", machine: &I386, series: Series::V6_1 },
    // 32-bit programs on a 64-bit kernel: the compat syscalls, where the
    // kernel translates the 32-bit cmsghdr.
    KernelRow { triple: "i686-unknown-linux-musl", machine: &AMD64, series: Series::V6_12 },
    KernelRow { triple: "aarch64-unknown-linux-musl", machine: &ARM64, series: Series::V6_12 },
    KernelRow { triple: "aarch64-unknown-linux-musl", machine: &ARM64, series: Series::V6_1 },
    KernelRow { triple: "armv7-unknown-linux-gnueabihf", machine: &ARMHF, series: Series::V6_12 },
    KernelRow { triple: "armv7-unknown-linux-gnueabihf", machine: &ARMHF, series: Series::V6_1 },
    KernelRow { triple: "powerpc64le-unknown-linux-gnu", machine: &PPC64EL, series: Series::V6_12 },
    KernelRow { triple: "powerpc64le-unknown-linux-gnu", machine: &PPC64EL, series: Series::V6_1 },
    KernelRow { triple: "s390x-unknown-linux-gnu", machine: &S390X, series: Series::V6_1 },
];

/// Targets of the matrix without a real-kernel row, and why.
pub const NO_KERNEL: &[(&str, &str)] = &[
    ("riscv64gc-unknown-linux-gnu", "none: Debian 12 ships no riscv64 kernel; qemu-user rows only"),
    (
        "powerpc64-unknown-linux-gnu",
        "none: Debian 12 ships no big-endian ppc64 kernel (debian-ports only); qemu-user rows only",
    ),
    (
        "powerpc-unknown-linux-gnu",
        "none: Debian 12 ships no 32-bit powerpc kernel (debian-ports only); qemu-user rows only",
    ),
];

/// The Debian packages the rows need on the host.
pub const PACKAGES: &[&str] = &["qemu-system-x86", "qemu-system-arm", "qemu-system-ppc", "qemu-system-misc"];

/// The Debian architectures of kernels and busybox.
pub const FOREIGN_ARCHES: &[&str] = &["i386", "arm64", "armhf", "ppc64el", "s390x"];

impl KernelRow {
    /// The Debian architecture of the userland (busybox) for the target.
    fn userland_arch(&self) -> &'static str {
        deb_arch(self.triple)
    }

    /// The metapackage whose dependency is the newest kernel of the series.
    fn metapackage(&self) -> String {
        match self.series {
            Series::V6_12 => format!("linux-image-6.12-{}", self.machine.flavour),
            Series::V6_1 => format!("linux-image-{}", self.machine.flavour),
        }
    }

    /// The backends to run: `syscalls`, and `sc` (`true`) where it builds
    /// and `sc` is wanted.
    pub fn backends(&self, sc: bool) -> Vec<bool> {
        let builds = Target::find(self.triple).is_some_and(|t| t.sc);
        if sc && builds { vec![false, true] } else { vec![false] }
    }

    /// The row's name before the kernel is known.
    fn short(&self) -> String {
        format!("{} {}", crate::tiny::arch(self.triple), self.series.name())
    }
}

/// The Debian architecture of a target's userland.
fn deb_arch(triple: &str) -> &'static str {
    match crate::tiny::arch(triple) {
        "x86_64" => "amd64",
        "i686" => "i386",
        "aarch64" => "arm64",
        "armv7" => "armhf",
        "powerpc64le" => "ppc64el",
        "s390x" => "s390x",
        "riscv64" => "riscv64",
        _ => "unknown",
    }
}

/// The rows for `targets` (all when empty) and `series`.
pub fn select(targets: &[String], series: &[Series]) -> Vec<&'static KernelRow> {
    ROWS.iter()
        .filter(|r| targets.is_empty() || targets.iter().any(|t| t == r.triple))
        .filter(|r| series.contains(&r.series))
        .collect()
}

/// The rows saying that a selected target has no real kernel.
pub fn not_run(targets: &[String]) -> Vec<Row> {
    NO_KERNEL
        .iter()
        .filter(|(t, _)| targets.is_empty() || targets.iter().any(|s| s == t))
        .map(|(t, why)| Row {
            name: format!("{t} on a real kernel"),
            ok: true,
            not_run: true,
            note: why.to_string(),
            ..Row::default()
        })
        .collect()
}

struct Opts {
    targets: Vec<String>,
    series: Vec<Series>,
    timeout_min: u32,
    smp: u32,
    no_setup: bool,
    fetch_only: bool,
    no_sc: bool,
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        targets: Vec::new(),
        series: Series::parse("all")?,
        timeout_min: 10,
        smp: 1,
        no_setup: false,
        fetch_only: false,
        no_sc: false,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--target" => o.targets.push(value()?),
            "--kernel" => o.series = Series::parse(&value()?)?,
            "--timeout" => o.timeout_min = value()?.parse().map_err(|_| "bad --timeout".to_string())?,
            "--smp" => o.smp = value()?.parse().map_err(|_| "bad --smp".to_string())?,
            "--no-setup" => o.no_setup = true,
            "--fetch-only" => o.fetch_only = true,
            "--no-sc" => o.no_sc = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    for t in &o.targets {
        if Target::find(t).is_none() {
            return Err(format!("unknown target {t}"));
        }
    }
    Ok(o)
}

/// `cargo xtask kernels [options]`.
pub fn run(args: &[String]) -> Result<(), String> {
    let o = parse(args)?;
    let started = Instant::now();
    let rows = select(&o.targets, &o.series);
    if !o.no_setup {
        let targets: Vec<&Target> =
            TARGETS.iter().filter(|t| rows.iter().any(|r| r.triple == t.triple)).collect();
        crate::setup::ensure(&targets, false, true)?;
    }
    let mut results = Vec::new();
    let fetch = Instant::now();
    let mut runner = Runner::new(o.smp, o.timeout_min);
    let mut fetch_row = runner.fetch(&rows);
    fetch_row.secs = fetch.elapsed().as_secs();
    results.push(fetch_row);
    for row in rows.iter().filter(|_| !o.fetch_only) {
        for sc in row.backends(!o.no_sc) {
            let t = Instant::now();
            let mut r = runner.run(row, sc);
            r.secs = t.elapsed().as_secs();
            results.push(r);
        }
    }
    results.extend(not_run(&o.targets));
    println!("\nreal-kernel rows ({:.0?} in all):", started.elapsed());
    for r in &results {
        let result = if r.not_run {
            "none"
        } else if r.ok {
            "ok"
        } else {
            "FAIL"
        };
        println!(
            "{:64} {:>4} passed {:>3} failed {:>3} skipped {:>4} s  {result}  {}",
            r.name, r.passed, r.failed, r.skipped, r.secs, r.note
        );
        for (test, why) in &r.skips {
            println!("    skipped {test}: {why}");
        }
    }
    if results.iter().all(|r| r.ok) { Ok(()) } else { Err("a real-kernel row failed".into()) }
}

/// Runs real-kernel rows, keeping what rows of the same target share.
pub struct Runner {
    smp: u32,
    timeout: Duration,
    /// Kernel image per (Debian architecture, series).
    kernels: Kernels,
    /// `/bin/busybox` per Debian architecture.
    busybox: HashMap<&'static str, Result<PathBuf, String>>,
    /// The prepared initramfs per target and backend (`sc`).
    prepared: HashMap<(&'static str, bool), Result<Prepared, String>>,
}

/// A target's test binaries in an initramfs.
#[derive(Clone)]
struct Prepared {
    initramfs: PathBuf,
    /// Binary name (as in the initramfs) and its expected tests.
    bins: Vec<(String, Vec<String>)>,
}

impl Runner {
    pub fn new(smp: u32, timeout_min: u32) -> Runner {
        Runner {
            smp,
            timeout: Duration::from_secs(u64::from(timeout_min) * 60),
            kernels: HashMap::new(),
            busybox: HashMap::new(),
            prepared: HashMap::new(),
        }
    }

    /// Fetches every kernel and busybox the rows need (cached on disk):
    /// three apt commands in all (each takes seconds with several
    /// architectures' package lists), however many packages.
    pub fn fetch(&mut self, rows: &[&'static KernelRow]) -> Row {
        let rows: Vec<&KernelRow> = rows
            .iter()
            .copied()
            .filter(|r| !self.kernels.contains_key(&(r.machine.deb_arch, r.series)))
            .collect();
        let mut problems = Vec::new();
        if !rows.is_empty() {
            let (kernels, busybox) = fetch_all(&rows);
            for (key, got) in kernels {
                if let Err(e) = &got {
                    problems.push(format!("{} {}: {e}", key.0, key.1.name()));
                }
                self.kernels.insert(key, got);
            }
            for (arch, got) in busybox {
                if let Err(e) = &got {
                    problems.push(format!("busybox-static:{arch}: {e}"));
                }
                self.busybox.insert(arch, got);
            }
        }
        let mut fetched: Vec<&str> =
            self.kernels.values().filter_map(|k| k.as_ref().ok()).map(|(_, r)| r.as_str()).collect();
        fetched.sort();
        let mut row = Row::step(
            "real kernels: fetch Debian's kernels and busybox",
            if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) },
        );
        if row.ok {
            row.note = fetched.join(" ");
        }
        row
    }

    /// Runs one row, with the `sc` backend if `sc`.
    pub fn run(&mut self, row: &'static KernelRow, sc: bool) -> Row {
        let key = (row.machine.deb_arch, row.series);
        if !self.kernels.contains_key(&key) || !self.busybox.contains_key(row.userland_arch()) {
            self.fetch(&[row]);
        }
        let missing = || Err("not fetched".to_string());
        let kernel = self.kernels.get(&key).cloned().unwrap_or_else(missing);
        let backend = if sc { "sc" } else { "syscalls" };
        let name = |release: &str| format!("{} ({backend}) on Linux {release}", row.triple);
        let (image, release) = match kernel {
            Ok(k) => k,
            Err(e) => return failed_row(name(row.series.name()), row.short(), e),
        };
        let arch = row.userland_arch();
        let busybox = self.busybox.get(arch).cloned().unwrap_or_else(|| Err("not fetched".to_string()));
        let prepared = match busybox {
            Ok(busybox) => self
                .prepared
                .entry((row.triple, sc))
                .or_insert_with(|| prepare(row.triple, sc, &busybox))
                .clone(),
            Err(e) => Err(e),
        };
        let sc_mark = if sc { "/sc" } else { "" };
        let short = format!("{}{sc_mark} {}", crate::tiny::arch(row.triple), short_release(&release));
        let prepared = match prepared {
            Ok(p) => p,
            Err(e) => return failed_row(name(&release), short, e),
        };
        let mut result = boot(row, &image, &prepared, self.smp, self.timeout);
        result.name = name(&release);
        result.short = short;
        result
    }
}

fn failed_row(name: String, short: String, note: String) -> Row {
    Row { name, short, failed: 1, note, ..Row::default() }
}

/// `6.1.0-57` of `6.1.0-57-amd64`, `6.12.118` of `6.12.118+deb12-arm64`.
fn short_release(release: &str) -> &str {
    let cut = release.find('+').or_else(|| release.rfind('-')).unwrap_or(release.len());
    &release[..cut]
}

// ------------------------------------------------------------ fetching --

/// Runs an apt query and returns its stdout, whatever its status (a
/// package apt does not know is an error for that package only).
fn apt_query(cmd: &mut Command) -> Result<String, String> {
    println!("+ {}", util::show(cmd));
    let out =
        cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run {}: {e}", util::show(cmd)))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `name` without a `:arch` suffix.
fn bare(name: &str) -> &str {
    name.split_once(':').map_or(name, |(n, _)| n)
}

/// A kernel image and its release (`uname -r`), per (Debian architecture,
/// series).
type Kernels = HashMap<(&'static str, Series), Result<(PathBuf, String), String>>;

/// Kernel images and busybox binaries (per Debian architecture).
type Fetched = (Kernels, HashMap<&'static str, Result<PathBuf, String>>);

/// Finds the newest kernel of each row (the dependency of the flavour's
/// metapackage) and busybox-static of each userland, and downloads what is
/// not cached yet with one `apt-get download`, extracting only the kernel
/// image and its config (`./boot/`) and `./bin/busybox`.
fn fetch_all(rows: &[&KernelRow]) -> Fetched {
    let fail = |e: &str| -> Fetched {
        (
            rows.iter().map(|r| ((r.machine.deb_arch, r.series), Err(e.to_string()))).collect(),
            rows.iter().map(|r| (r.userland_arch(), Err(e.to_string()))).collect(),
        )
    };
    match fetch_all_inner(rows) {
        Ok(fetched) => fetched,
        Err(e) => fail(&e),
    }
}

fn fetch_all_inner(rows: &[&KernelRow]) -> Result<Fetched, String> {
    let dir = work_dir("kernels")?;
    // Which kernel package each metapackage names now.
    let mut metas: Vec<String> =
        rows.iter().map(|r| format!("{}:{}", r.metapackage(), r.machine.deb_arch)).collect();
    metas.dedup();
    let depends = apt_query(Command::new("apt-cache").arg("depends").args(&metas))?;
    let mut kernel_of: HashMap<String, String> = HashMap::new();
    let mut current = String::new();
    for line in depends.lines() {
        match line.trim().strip_prefix("Depends: ") {
            Some(dep) if line.starts_with(' ') => {
                let dep = bare(dep.trim());
                if dep.starts_with("linux-image-") {
                    kernel_of.entry(current.clone()).or_insert_with(|| dep.to_string());
                }
            }
            _ if !line.starts_with(' ') => current = bare(line.trim()).to_string(),
            _ => {}
        }
    }
    // Their versions, and busybox-static's, as apt would download them.
    let mut packages: Vec<String> = Vec::new();
    for r in rows {
        if let Some(k) = kernel_of.get(&r.metapackage()) {
            packages.push(format!("{k}:{}", r.machine.deb_arch));
        }
        packages.push(format!("busybox-static:{}", r.userland_arch()));
    }
    packages.sort();
    packages.dedup();
    let shown = apt_query(Command::new("apt-cache").args(["show", "--no-all-versions"]).args(&packages))?;
    let mut version_of: HashMap<(String, String), String> = HashMap::new();
    for stanza in shown.split("\n\n") {
        let field = |name: &str| {
            stanza
                .lines()
                .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
                .unwrap_or_default()
        };
        version_of.insert((field("Package:"), field("Architecture:")), field("Version:"));
    }
    // Where each one is (or will be) unpacked.
    let unpacked = |name: &str, arch: &str| -> Option<PathBuf> {
        let version = version_of.get(&(name.to_string(), arch.to_string()))?;
        Some(dir.join(format!("{name}_{version}_{arch}")))
    };
    let mut kernels = HashMap::new();
    let mut busybox = HashMap::new();
    // (package:arch, directory, members to extract)
    let mut downloads: Vec<(String, PathBuf, Vec<String>)> = Vec::new();
    for r in rows {
        let arch = r.machine.deb_arch;
        let kernel = kernel_of
            .get(&r.metapackage())
            .ok_or_else(|| {
                format!(
                    "apt knows no {}:{arch} (dpkg --add-architecture {arch}; apt-get update)",
                    r.metapackage()
                )
            })
            .and_then(|name| {
                let at = unpacked(name, arch)
                    .ok_or_else(|| format!("apt-cache show gives no version of {name}:{arch}"))?;
                let release = name.trim_start_matches("linux-image-").to_string();
                // ppc64el ships an ELF vmlinux, the others a vmlinuz.
                let images = ["vmlinuz-", "vmlinux-"].map(|p| format!("./boot/{p}{release}"));
                if let Some(image) = images.iter().map(|i| at.join(i)).find(|p| p.is_file()) {
                    println!("xtask kernels: {name} ({arch}) is cached in {}", at.display());
                    return Ok((image, release));
                }
                let mut members = images.to_vec();
                members.push(format!("./boot/config-{release}"));
                downloads.push((format!("{name}:{arch}"), at.clone(), members));
                Ok((at, release))
            });
        kernels.insert((arch, r.series), kernel);
        let user = r.userland_arch();
        let bin = unpacked("busybox-static", user)
            .ok_or_else(|| format!("apt-cache show gives no version of busybox-static:{user}"))
            .map(|at| {
                if !at.join("bin/busybox").is_file() {
                    downloads.push((
                        format!("busybox-static:{user}"),
                        at.clone(),
                        vec!["./bin/busybox".into()],
                    ));
                }
                at.join("bin/busybox")
            });
        busybox.insert(user, bin);
    }
    downloads.sort_by(|a, b| a.0.cmp(&b.0));
    downloads.dedup_by(|a, b| a.0 == b.0);
    let failed = download_extract(&dir, &downloads);
    // Point each kernel at its image; report what failed.
    for ((arch, series), got) in kernels.iter_mut() {
        let Ok((at, release)) = got else { continue };
        if let Some(e) = failed.iter().find(|(d, _)| d == at).map(|(_, e)| e) {
            *got = Err(e.clone());
            continue;
        }
        if at.is_file() {
            continue; // cached: already the image
        }
        let image = ["vmlinuz-", "vmlinux-"]
            .iter()
            .map(|p| at.join(format!("boot/{p}{release}")))
            .find(|p| p.is_file());
        *got = image
            .map(|i| (i, release.clone()))
            .ok_or_else(|| format!("no boot/vmlinu[xz]-{release} in the {arch} {} package", series.name()));
    }
    for got in busybox.values_mut() {
        if let Ok(bin) = got
            && !bin.is_file()
        {
            *got = Err(format!("{} is missing after the download", bin.display()));
        }
    }
    Ok((kernels, busybox))
}

/// Downloads the packages of `todo` with one `apt-get download` and
/// extracts the given members of each into its directory; returns the
/// directories that failed, with why.
fn download_extract(dir: &Path, todo: &[(String, PathBuf, Vec<String>)]) -> Vec<(PathBuf, String)> {
    if todo.is_empty() {
        return Vec::new();
    }
    let all_failed = |e: String| todo.iter().map(|(_, at, _)| (at.clone(), e.clone())).collect();
    let scratch = dir.join("download");
    let _ = std::fs::remove_dir_all(&scratch);
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        return all_failed(format!("cannot create {}: {e}", scratch.display()));
    }
    let mut download = Command::new("apt-get");
    if util::is_root() {
        // As root, apt drops to the user _apt, which cannot write here.
        download.args(["-o", "APT::Sandbox::User=root"]);
    }
    download.args(["download", "-q"]).args(todo.iter().map(|t| &t.0)).current_dir(&scratch);
    if let Err(e) = util::run(&mut download) {
        return all_failed(e);
    }
    let debs: Vec<PathBuf> = std::fs::read_dir(&scratch)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    let mut failed = Vec::new();
    for (package, at, members) in todo {
        let (name, arch) = package.split_once(':').unwrap_or((package, ""));
        let deb = debs.iter().find(|d| {
            let file = d.file_name().and_then(|f| f.to_str()).unwrap_or("");
            file.starts_with(&format!("{name}_")) && file.ends_with(&format!("_{arch}.deb"))
        });
        let result = match deb {
            Some(deb) => extract(deb, members, at),
            None => Err(format!("apt-get download left no {name}_*_{arch}.deb")),
        };
        if let Err(e) = result {
            failed.push((at.clone(), e));
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    failed
}

/// Extracts `members` of the data of `deb` (those it has) into `at`. tar
/// stops reading at the last one (`--occurrence`): the kernel image comes
/// before the many modules, so most of the archive is never decompressed.
fn extract(deb: &Path, members: &[String], at: &Path) -> Result<(), String> {
    let partial = PathBuf::from(format!("{}.partial", at.display()));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| format!("cannot create {}: {e}", partial.display()))?;
    println!(
        "+ dpkg-deb --fsys-tarfile {} | tar -x -C {} --occurrence {}",
        deb.display(),
        partial.display(),
        members.join(" ")
    );
    let mut dpkg = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(deb)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run dpkg-deb: {e}"))?;
    // Members a package lacks (vmlinuz vs vmlinux) make tar complain and
    // fail; what it found is judged by the caller.
    let _ = Command::new("tar")
        .arg("-x")
        .arg("-C")
        .arg(&partial)
        .arg("--occurrence")
        .args(members)
        .stdin(dpkg.stdout.take().ok_or("no pipe")?)
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    // dpkg-deb dies of SIGPIPE when tar stops early: expected.
    let _ = dpkg.wait();
    let _ = std::fs::remove_dir_all(at);
    std::fs::rename(&partial, at).map_err(|e| format!("cannot rename {}: {e}", partial.display()))
}

// ------------------------------------------------------ test binaries --

/// What `cargo test --no-run` built for a target.
#[derive(Default)]
struct Built {
    /// (name, path) of each test binary.
    tests: Vec<(String, PathBuf)>,
    /// (name, path) of each example program (tests run some of them).
    examples: Vec<(String, PathBuf)>,
}

/// Builds the test binaries of `triple` exactly as the qemu-user row does
/// (same commands, features and linker; with `sc`, those of the `sc` row):
/// rawscm's, and rawscm-rt's unit tests.
fn build_tests(t: &Target, sc: bool) -> Result<Built, String> {
    let features = crate::test::features(sc);
    let mut built = Built::default();
    for (package, features) in [("rawscm", features.as_str()), ("rawscm-rt", crate::test::rt_features(sc))] {
        let mut cmd = util::cargo();
        t.configure(&mut cmd);
        cmd.args(["test", "--no-run", "--message-format=json-render-diagnostics", "-p", package]);
        cmd.args(["--features", features, "--target", t.triple]);
        println!("+ {}", util::show(&cmd));
        let out = cmd.stderr(Stdio::inherit()).output().map_err(|e| format!("cannot run cargo: {e}"))?;
        if !out.status.success() {
            return Err("building the test binaries failed (see the log above)".into());
        }
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            if msg["reason"] != "compiler-artifact" {
                continue;
            }
            let (Some(exe), Some(name)) = (msg["executable"].as_str(), msg["target"]["name"].as_str()) else {
                continue;
            };
            let entry = (name.to_string(), PathBuf::from(exe));
            if msg["profile"]["test"] == true {
                built.tests.push(entry);
            } else if msg["target"]["kind"].as_array().is_some_and(|k| k.iter().any(|k| k == "example")) {
                built.examples.push(entry);
            }
        }
    }
    if built.tests.is_empty() {
        return Err("cargo test --no-run reported no test binary".into());
    }
    // Cargo reports them in the order they finish building.
    built.tests.sort();
    built.examples.sort();
    Ok(built)
}

/// The tests a binary has: `<bin> --list` under the target's qemu-user.
fn list_tests(t: &Target, bin: &Path) -> Result<Vec<String>, String> {
    let runner = t.runner();
    let mut words = runner.split_whitespace();
    let mut cmd = Command::new(words.next().ok_or("no runner")?);
    cmd.args(words).arg(bin).arg("--list");
    let out = util::output(&mut cmd).map_err(|e| format!("listing the tests of {}: {e}", bin.display()))?;
    Ok(parse_list(&out))
}

/// The test names of libtest's `--list` output (`name: test` lines).
fn parse_list(out: &str) -> Vec<String> {
    out.lines().filter_map(|l| l.strip_suffix(": test")).map(str::to_string).collect()
}

/// Everything for the initramfs of `triple`: the test binaries, their
/// libraries, busybox, the init; writes it and returns what to expect.
fn prepare(triple: &str, sc: bool, busybox: &Path) -> Result<Prepared, String> {
    let t = Target::find(triple).ok_or("unknown target")?;
    let init = build_static(INIT, triple)?;
    let built = build_tests(t, sc)?;
    let dir = work_dir("kernels")?.join("initramfs").join(format!("{triple}{}", if sc { "-sc" } else { "" }));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;

    let mut files = Files::default();
    files.dir("dev", 0o755);
    files.device("dev/console", 0o020600, (5, 1));
    files.dir("proc", 0o555);
    files.dir("sys", 0o555);
    files.dir("tmp", 0o1777);
    files.file("init", 0o755, read(&init)?);
    // tests/supervisor.rs runs the libc-free supervisor of this target,
    // found through RAWSCM_SUPERVISOR, which the init sets.
    let supervisor = crate::test::build_supervisor(Some(t))?;
    files.file("rawscm/bin/mini_supervisor", 0o755, read(&supervisor)?);
    files.file("bin/busybox", 0o755, read(busybox)?);
    for applet in BUSYBOX_APPLETS {
        files.symlink(&format!("bin/{applet}"), "busybox");
    }
    let mut list = String::new();
    let mut expected = Vec::new();
    let mut needed = BTreeSet::new();
    // Test binaries in /rawscm/t, examples in /rawscm/examples: where
    // tests/common's example() looks (beside the directory of the test).
    let programs = built.tests.iter().map(|b| (b, "t")).chain(built.examples.iter().map(|b| (b, "examples")));
    for ((name, path), subdir) in programs {
        let stripped = dir.join(format!("{subdir}-{name}"));
        let mut strip = crate::tiny::objcopy()?;
        util::run(strip.arg("--strip-debug").arg(path).arg(&stripped))?;
        let data = read(&stripped)?;
        let deps = elf::deps(&data).map_err(|e| format!("{}: {e}", path.display()))?;
        needed.extend(deps.interp.map(|i| (i, true)));
        needed.extend(deps.needed.into_iter().map(|n| (n, false)));
        files.file(&format!("rawscm/{subdir}/{name}"), 0o755, data);
        if subdir == "t" {
            list += &format!("/rawscm/t/{name}\n");
            expected.push((name.clone(), list_tests(t, path)?));
        }
    }
    files.file("rawscm/list", 0o644, list.into_bytes());
    if let Some((gnu, _)) = t.gnu {
        add_libraries(&mut files, gnu, needed)?;
    } else if !needed.is_empty() {
        return Err(format!("static musl binaries need {needed:?}?"));
    }
    let initramfs = dir.with_extension("cpio");
    let bytes = files.cpio();
    println!(
        "xtask kernels: {} ({} binaries, {:.1} MiB)",
        initramfs.display(),
        expected.len(),
        bytes.len() as f64 / 1048576.0
    );
    std::fs::write(&initramfs, bytes).map_err(|e| format!("cannot write {}: {e}", initramfs.display()))?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(Prepared { initramfs, bins: expected })
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

/// Copies the ELF loader (to its `PT_INTERP` path) and the shared libraries
/// (`DT_NEEDED`, recursively, into `/lib/<multiarch>`, which is where
/// Debian's loader looks) from `/usr/<gnu>/lib`.
fn add_libraries(files: &mut Files, gnu: &str, needed: BTreeSet<(String, bool)>) -> Result<(), String> {
    let from = PathBuf::from(format!("/usr/{gnu}/lib"));
    let mut todo: Vec<(String, bool)> = needed.into_iter().collect();
    let mut done = BTreeSet::new();
    while let Some((name, interp)) = todo.pop() {
        if !done.insert(name.clone()) {
            continue;
        }
        let base = name.rsplit('/').next().unwrap_or(&name).to_string();
        let source = from.join(&base);
        let data = read(&source)?;
        let deps = elf::deps(&data).map_err(|e| format!("{}: {e}", source.display()))?;
        todo.extend(deps.needed.into_iter().map(|n| (n, false)));
        let dest =
            if interp { name.trim_start_matches('/').to_string() } else { format!("lib/{gnu}/{base}") };
        files.file(&dest, 0o755, data);
    }
    Ok(())
}

/// One file of a cpio archive: mode (with the type bits), device numbers,
/// contents.
type Entry = (u32, (u32, u32), Vec<u8>);

/// The files of a newc cpio: directories first (created for every file).
#[derive(Default)]
struct Files {
    entries: BTreeMap<String, Entry>,
}

impl Files {
    fn dir(&mut self, path: &str, mode: u32) {
        if let Some((parent, _)) = path.rsplit_once('/')
            && !self.entries.contains_key(parent)
        {
            self.dir(parent, 0o755);
        }
        self.entries.insert(path.to_string(), (0o040000 | mode, (0, 0), Vec::new()));
    }

    fn symlink(&mut self, path: &str, target: &str) {
        self.entries.insert(path.to_string(), (0o120777, (0, 0), target.as_bytes().to_vec()));
    }

    fn device(&mut self, path: &str, mode: u32, dev: (u32, u32)) {
        self.entries.insert(path.to_string(), (mode, dev, Vec::new()));
    }

    fn file(&mut self, path: &str, mode: u32, data: Vec<u8>) {
        if let Some((parent, _)) = path.rsplit_once('/')
            && !self.entries.contains_key(parent)
        {
            self.dir(parent, 0o755);
        }
        self.entries.insert(path.to_string(), (0o100000 | mode, (0, 0), data));
    }

    /// The archive: sorted by path, so every directory precedes its contents.
    fn cpio(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (ino, (path, (mode, dev, data))) in self.entries.iter().enumerate() {
            crate::boot::cpio_entry(&mut out, ino as u32 + 1, path, *mode, *dev, data);
        }
        crate::boot::cpio_entry(&mut out, 0, "TRAILER!!!", 0, (0, 0), &[]);
        out
    }
}

// -------------------------------------------------------------- boot --

/// Boots the row's kernel with the target's initramfs and judges the console.
fn boot(row: &KernelRow, image: &Path, prepared: &Prepared, smp: u32, timeout: Duration) -> Row {
    let (program, options) = row.machine.qemu.split_first().expect("an emulator");
    let mut cmd = Command::new(program);
    cmd.args(options);
    cmd.args(["-m", "1024", "-smp", &smp.to_string()]);
    cmd.args(["-nodefaults", "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"]);
    cmd.arg("-kernel").arg(image).arg("-initrd").arg(&prepared.initramfs);
    // panic=-1 and -no-reboot: a kernel panic ends qemu at once. loglevel=1:
    // only emergencies (a panic) on the console. After "--": the init's
    // time limit per binary, in seconds.
    let per_binary = timeout.as_secs().saturating_sub(60).max(60);
    cmd.arg("-append")
        .arg(format!("console={} panic=-1 loglevel=1 rdinit=/init -- {per_binary}", row.machine.console));
    // When each marker arrived: the log shows where the time goes.
    let started = Instant::now();
    let mut marks: Vec<(String, Duration)> = Vec::new();
    let ran = run_timeout(&mut cmd, timeout, |line| {
        println!("  | {line}");
        if let Some((_, rest)) = line.split_once(PREFIX)
            && ["begin", "run ", "exit ", "poweroff"].iter().any(|m| rest.starts_with(m))
        {
            marks.push((rest.trim_end().to_string(), started.elapsed()));
        }
    });
    let ran = match ran {
        Ok(r) => r,
        Err(e) => return Row { failed: 1, note: e, ..Row::default() },
    };
    println!("xtask kernels: {}", timings(&marks, &prepared.bins, started.elapsed()));
    let mut result = judge(&ran.stdout, &prepared.bins);
    if ran.status.is_none() {
        result.problems.push(format!("qemu killed after {timeout:?}"));
    }
    result.into_row()
}

/// `boot 3.1 s, rawscm 0.9 s, msg 4.2 s, ..., power-off 0.2 s, qemu 12.0 s`
/// from the arrival times of the markers.
fn timings(marks: &[(String, Duration)], bins: &[(String, Vec<String>)], total: Duration) -> String {
    let at = |prefix: &str| {
        marks.iter().find(|(m, _)| m == prefix || m.starts_with(&format!("{prefix} "))).map(|m| m.1)
    };
    let mut parts = Vec::new();
    let mut last = None;
    if let Some(begin) = at("begin") {
        parts.push(format!("boot {:.1} s", begin.as_secs_f64()));
        last = Some(begin);
    }
    for (i, (name, _)) in bins.iter().enumerate() {
        if let (Some(run), Some(exit)) = (at(&format!("run {i}")), at(&format!("exit {i}"))) {
            parts.push(format!("{name} {:.1} s", exit.saturating_sub(run).as_secs_f64()));
            last = Some(exit);
        }
    }
    if let (Some(last), Some(off)) = (last, at("poweroff")) {
        parts.push(format!("to power-off {:.1} s", off.saturating_sub(last).as_secs_f64()));
    }
    parts.push(format!("qemu {:.1} s", total.as_secs_f64()));
    format!("times: {}", parts.join(", "))
}

/// What the console showed.
#[derive(Debug, Default)]
struct Judged {
    passed: u64,
    failed: u64,
    ignored: u64,
    skips: Vec<(String, String)>,
    failures: Vec<String>,
    problems: Vec<String>,
}

impl Judged {
    fn into_row(self) -> Row {
        let mut notes = Vec::new();
        if self.ignored > 0 {
            notes.push(format!("{} ignored", self.ignored));
        }
        if !self.failures.is_empty() {
            notes.push(format!("failed: {}", self.failures.join(", ")));
        }
        notes.extend(self.problems.iter().cloned());
        let skipped = self.skips.len() as u64;
        Row {
            passed: self.passed.saturating_sub(skipped),
            failed: self.failed.max(u64::from(!self.problems.is_empty())),
            skipped,
            ok: self.failed == 0 && self.problems.is_empty(),
            note: notes.join("; "),
            skips: self.skips,
            ..Row::default()
        }
    }
}

/// One binary's lines.
#[derive(Default)]
struct BinLines {
    ran: bool,
    out: Vec<String>,
    exit: Option<String>,
    leftover: bool,
    skips: Vec<(String, String)>,
}

/// Compares the console with the expected tests of each binary.
fn judge(console: &str, bins: &[(String, Vec<String>)]) -> Judged {
    let mut j = Judged::default();
    let lines: Vec<&str> = console
        .lines()
        .filter_map(|l| l.trim_end_matches('\r').split_once(PREFIX).map(|(_, rest)| rest))
        .collect();
    let mut per: Vec<BinLines> = bins.iter().map(|_| BinLines::default()).collect();
    let mut markers = Vec::new();
    for line in &lines {
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        let indexed = || -> Option<(usize, &str)> {
            let (i, text) = rest.split_once(' ').unwrap_or((rest, ""));
            i.parse().ok().filter(|i| *i < bins.len()).map(|i| (i, text))
        };
        match (word, indexed()) {
            ("out", Some((i, text))) => per[i].out.push(text.to_string()),
            ("more", Some((i, text))) => match per[i].out.last_mut() {
                Some(last) => last.push_str(text),
                None => j.problems.push(format!("a continuation with no line: {line}")),
            },
            ("run", Some((i, _))) => per[i].ran = true,
            ("exit", Some((i, text))) => per[i].exit = Some(text.to_string()),
            ("leftover", Some((i, _))) => per[i].leftover = true,
            ("skip", Some((i, text))) => {
                let (test, why) = text.split_once('\t').unwrap_or((text, ""));
                per[i].skips.push((test.to_string(), why.to_string()));
            }
            ("begin" | "end" | "poweroff", _) if rest.is_empty() => markers.push(word),
            ("kernel", _) => {}
            _ => j.problems.push(format!("unexpected line: {line}")),
        }
    }
    if markers != ["begin", "end", "poweroff"] {
        j.problems
            .push(format!("markers {markers:?}, not [begin, end, poweroff] (a kernel panic or a hang?)"));
    }
    for ((name, expected), got) in bins.iter().zip(per) {
        judge_binary(&mut j, name, expected, got);
    }
    j
}

/// libtest's result of one test line `test <name> ... <result>`.
fn result_line(line: &str) -> Option<Result<(&str, &str), &str>> {
    let rest = line.strip_prefix("test ")?;
    if rest.starts_with("result: ") {
        return None;
    }
    let Some((name, result)) = rest.split_once(" ... ") else { return Some(Err(line)) };
    match result {
        "ok" | "FAILED" | "ignored" => Some(Ok((name, result))),
        r if r.starts_with("ignored, ") => Some(Ok((name, "ignored"))),
        _ => Some(Err(line)),
    }
}

fn judge_binary(j: &mut Judged, name: &str, expected: &[String], got: BinLines) {
    if !got.ran {
        j.problems.push(format!("{name}: never started"));
        return;
    }
    let mut seen: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in &got.out {
        match result_line(line) {
            None => {}
            Some(Ok((test, result))) => seen.entry(test).or_default().push(result),
            // The last line of a binary that died, or was killed at the
            // time limit, in the middle of a test.
            Some(Err(started)) if started.ends_with(" ... ") => {
                j.problems.push(format!("{name}: {} did not finish", started[5..].trim_end_matches(" ... ")));
            }
            Some(Err(garbled)) => j.problems.push(format!("{name}: garbled result line {garbled:?}")),
        }
    }
    for test in expected {
        match seen.remove(test.as_str()).as_deref() {
            Some(["ok"]) => j.passed += 1,
            Some(["ignored"]) => j.ignored += 1,
            Some(["FAILED"]) => {
                j.failed += 1;
                j.failures.push(format!("{name}::{test}"));
            }
            None => {
                j.failed += 1;
                j.failures.push(format!("{name}::{test} (no result)"));
            }
            Some(results) => {
                j.failed += 1;
                j.failures.push(format!("{name}::{test} ({} results: {results:?})", results.len()));
            }
        }
    }
    for (test, _) in seen {
        j.failed += 1;
        j.failures.push(format!("{name}::{test} (not in --list)"));
    }
    match got.exit.as_deref() {
        Some("code 0") => {}
        Some(exit) => j.problems.push(format!("{name}: exit {exit}")),
        None => j.problems.push(format!("{name}: no exit line")),
    }
    if got.leftover {
        j.problems.push(format!("{name}: descendants kept its output open after it exited"));
    }
    for (test, why) in got.skips {
        if !expected.contains(&test) {
            j.problems.push(format!("{name}: skip of an unknown test {test}"));
        }
        j.skips.push((test, why));
    }
}

// ---------------------------------------------------------------- ELF --

/// What an ELF file needs at run time.
mod elf {
    /// `PT_INTERP` and the `DT_NEEDED` names.
    pub struct Deps {
        pub interp: Option<String>,
        pub needed: Vec<String>,
    }

    struct Elf<'a> {
        data: &'a [u8],
        wide: bool,
        big: bool,
    }

    impl Elf<'_> {
        fn uint(&self, at: usize, size: usize) -> Result<u64, String> {
            let bytes = self.data.get(at..at + size).ok_or("truncated ELF file")?;
            let mut v = 0u64;
            for i in 0..size {
                let b = if self.big { bytes[i] } else { bytes[size - 1 - i] };
                v = v << 8 | u64::from(b);
            }
            Ok(v)
        }

        /// A word: 8 bytes in ELF64, 4 in ELF32.
        fn word(&self, at: usize) -> Result<u64, String> {
            self.uint(at, if self.wide { 8 } else { 4 })
        }

        fn cstr(&self, at: usize) -> Result<String, String> {
            let rest = self.data.get(at..).ok_or("string outside the file")?;
            let end = rest.iter().position(|&b| b == 0).ok_or("unterminated string")?;
            Ok(String::from_utf8_lossy(&rest[..end]).into_owned())
        }
    }

    /// Reads the program headers of `data`.
    pub fn deps(data: &[u8]) -> Result<Deps, String> {
        if data.get(..4) != Some(b"\x7fELF") {
            return Err("not an ELF file".into());
        }
        let e = Elf { data, wide: data[4] == 2, big: data[5] == 2 };
        let (phoff, phentsize, phnum) = if e.wide {
            (e.uint(0x20, 8)?, e.uint(0x36, 2)?, e.uint(0x38, 2)?)
        } else {
            (e.uint(0x1c, 4)?, e.uint(0x2a, 2)?, e.uint(0x2c, 2)?)
        };
        // (type, offset, vaddr, filesz) of each program header.
        let mut headers = Vec::new();
        for n in 0..phnum {
            let h = (phoff + n * phentsize) as usize;
            let ty = e.uint(h, 4)?;
            let (offset, vaddr, filesz) = if e.wide {
                (e.uint(h + 8, 8)?, e.uint(h + 16, 8)?, e.uint(h + 32, 8)?)
            } else {
                (e.uint(h + 4, 4)?, e.uint(h + 8, 4)?, e.uint(h + 16, 4)?)
            };
            headers.push((ty, offset, vaddr, filesz));
        }
        const PT_LOAD: u64 = 1;
        const PT_DYNAMIC: u64 = 2;
        const PT_INTERP: u64 = 3;
        let interp = match headers.iter().find(|h| h.0 == PT_INTERP) {
            Some(&(_, offset, _, _)) => Some(e.cstr(offset as usize)?),
            None => None,
        };
        let mut needed = Vec::new();
        if let Some(&(_, offset, _, size)) = headers.iter().find(|h| h.0 == PT_DYNAMIC) {
            let entry = if e.wide { 16 } else { 8 };
            let (mut strtab, mut names) = (None, Vec::new());
            for at in (offset..offset + size).step_by(entry) {
                let (tag, value) = (e.word(at as usize)?, e.word(at as usize + entry / 2)?);
                match tag {
                    0 => break,
                    1 => names.push(value),
                    5 => strtab = Some(value),
                    _ => {}
                }
            }
            if !names.is_empty() {
                let strtab = strtab.ok_or("DT_NEEDED without DT_STRTAB")?;
                // DT_STRTAB is an address: find the file offset of its segment.
                let &(_, seg_off, seg_addr, _) = headers
                    .iter()
                    .find(|h| h.0 == PT_LOAD && h.2 <= strtab && strtab < h.2 + h.3)
                    .ok_or("DT_STRTAB outside every PT_LOAD")?;
                for name in names {
                    needed.push(e.cstr((strtab - seg_addr + seg_off + name) as usize)?);
                }
            }
        }
        Ok(Deps { interp, needed })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_output_is_parsed() {
        let out = "tests::a: test\ntests::b: test\nbench_x: bench\n\n2 tests, 1 benchmark\n";
        assert_eq!(parse_list(out), ["tests::a", "tests::b"]);
    }

    #[test]
    fn elf_deps_of_the_running_xtask() {
        // The xtask itself is a dynamically linked glibc program.
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let deps = elf::deps(&me).unwrap();
        assert!(deps.interp.unwrap().contains("ld-linux"));
        assert!(deps.needed.iter().any(|n| n == "libc.so.6"), "{:?}", deps.needed);
    }

    fn console(lines: &[&str]) -> String {
        lines.iter().map(|l| format!("noise {PREFIX}{l}\r\n")).collect()
    }

    #[test]
    fn judging_finds_missing_extra_garbled_and_failed_results() {
        let bins = vec![("msg".to_string(), vec!["a".to_string(), "b".to_string()])];
        let good = [
            "begin",
            "kernel 6.1.0-57-amd64",
            "run 0 /rawscm/t/msg",
            "out 0 running 2 tests",
            "out 0 test a ... ok",
            "out 0 test b ... ok",
            "out 0 test result: ok. 2 passed",
            "exit 0 code 0",
            "skip 0 b\tkernel too old",
            "end",
            "poweroff",
        ];
        let j = judge(&console(&good), &bins);
        assert_eq!((j.passed, j.failed, &j.problems), (2, 0, &Vec::<String>::new()));
        let row = j.into_row();
        assert!(row.ok);
        assert_eq!((row.passed, row.skipped), (1, 1));

        let with = |from: &str, to: &str| -> Vec<String> {
            good.iter().map(|l| if *l == from { to.to_string() } else { l.to_string() }).collect()
        };
        let judged = |lines: Vec<String>| {
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            judge(&console(&lines), &bins).into_row()
        };
        let missing = judged(with("out 0 test b ... ok", "out 0 nothing"));
        assert!(!missing.ok && missing.note.contains("msg::b (no result)"), "{}", missing.note);
        let extra = judged(with("out 0 running 2 tests", "out 0 test c ... ok"));
        assert!(!extra.ok && extra.note.contains("msg::c (not in --list)"), "{}", extra.note);
        let garbled = judged(with("out 0 test b ... ok", "out 0 test b ... SKIP b: x"));
        assert!(!garbled.ok && garbled.note.contains("garbled"), "{}", garbled.note);
        let failed = judged(with("out 0 test b ... ok", "out 0 test b ... FAILED"));
        assert!(!failed.ok && failed.failed == 1 && failed.note.contains("failed: msg::b"));
        let crashed = judged(with("exit 0 code 0", "exit 0 signal 11"));
        assert!(!crashed.ok && crashed.note.contains("exit signal 11"), "{}", crashed.note);
        let panicked = judged(with("end", "panic at src/x.rs"));
        assert!(!panicked.ok && panicked.note.contains("markers"), "{}", panicked.note);
        let unfinished = judged(with("out 0 test b ... ok", "out 0 test b ... "));
        assert!(!unfinished.ok && unfinished.note.contains("msg: b did not finish"), "{}", unfinished.note);
        let joined = judged(with("out 0 test b ... ok", "out 0 test b .."));
        assert!(!joined.ok);
        let mut continued = with("out 0 test b ... ok", "out 0 test b ..");
        continued.insert(6, "more 0 . ok".into());
        assert!(judged(continued).ok);
    }

    #[test]
    fn releases_are_shortened() {
        assert_eq!(short_release("6.1.0-57-amd64"), "6.1.0-57");
        assert_eq!(short_release("6.12.118+deb12-powerpc64le"), "6.12.118");
    }
}
