//! The cross targets of the test matrix and `cargo xtask setup`: install what
//! the tests need (toolchain components, rustup targets, Debian packages).

use crate::util;

/// The host target: the native row of the matrix (no emulator).
pub const HOST: &str = "x86_64-unknown-linux-gnu";

/// One cross target of the test matrix.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The Rust target triple.
    pub triple: &'static str,
    /// The qemu-user binary that runs it (`qemu-<arch>`).
    pub qemu: &'static str,
    /// For `-gnu` targets: the GNU triple of Debian's cross gcc (`<gnu>-gcc`,
    /// libraries under `/usr/<gnu>`) and the Debian architecture of its libc
    /// (`libc6-dev-<arch>-cross`). `None`: musl, linked by `rust-lld`.
    pub gnu: Option<(&'static str, &'static str)>,
    /// Whether the `sc` syscall backend builds here (tested as a second row).
    pub sc: bool,
    /// Whether `rust-lld` links this target's programs without crt objects
    /// (`cargo xtask tiny`). Not powerpc64 big-endian, whose ELFv1 objects
    /// lld links wrongly (it marks the output ELFv2, and its branches to a
    /// function reach the function's descriptor in `.opd`, not its code):
    /// there GNU ld does it, through the cross gcc.
    pub lld: bool,
}

/// Every cross target, in the order the matrix runs them.
pub const TARGETS: &[Target] = &[
    Target { triple: "x86_64-unknown-linux-musl", qemu: "qemu-x86_64", gnu: None, sc: true, lld: true },
    Target { triple: "i686-unknown-linux-musl", qemu: "qemu-i386", gnu: None, sc: false, lld: true },
    Target { triple: "aarch64-unknown-linux-musl", qemu: "qemu-aarch64", gnu: None, sc: true, lld: true },
    Target {
        triple: "armv7-unknown-linux-gnueabihf",
        qemu: "qemu-arm",
        gnu: Some(("arm-linux-gnueabihf", "armhf")),
        sc: false,
        lld: true,
    },
    Target {
        triple: "riscv64gc-unknown-linux-gnu",
        qemu: "qemu-riscv64",
        gnu: Some(("riscv64-linux-gnu", "riscv64")),
        sc: true,
        lld: true,
    },
    Target {
        triple: "powerpc64le-unknown-linux-gnu",
        qemu: "qemu-ppc64le",
        gnu: Some(("powerpc64le-linux-gnu", "ppc64el")),
        sc: false,
        lld: true,
    },
    Target {
        triple: "s390x-unknown-linux-gnu",
        qemu: "qemu-s390x",
        gnu: Some(("s390x-linux-gnu", "s390x")),
        sc: false,
        lld: true,
    },
    Target {
        triple: "powerpc64-unknown-linux-gnu",
        qemu: "qemu-ppc64",
        gnu: Some(("powerpc64-linux-gnu", "ppc64")),
        sc: false,
        lld: false,
    },
    Target {
        triple: "powerpc-unknown-linux-gnu",
        qemu: "qemu-ppc",
        gnu: Some(("powerpc-linux-gnu", "powerpc")),
        sc: false,
        lld: true,
    },
];

/// Debian packages every test row needs: `systemd` for the real peers of
/// the notify and activation tests (`systemd-notify`,
/// `systemd-socket-activate`, `systemd-socket-proxyd`), `python3` for the
/// CPython peers.
pub const TEST_PACKAGES: &[&str] = &["systemd", "python3"];

/// Debian packages the extra steps of `cargo xtask test` need (tiny, boot,
/// bench): installed up front so that one `apt-get update` serves all.
pub const EXTRA_PACKAGES: &[&str] =
    &["musl-tools", "cpio", "qemu-system-x86", "linux-image-amd64", "valgrind"];

impl Target {
    /// The target by triple.
    pub fn find(triple: &str) -> Option<&'static Target> {
        TARGETS.iter().find(|t| t.triple == triple)
    }

    /// The `<TRIPLE>` part of cargo's `CARGO_TARGET_<TRIPLE>_*` variables.
    pub fn env_key(&self) -> String {
        self.triple.to_uppercase().replace(['-', '.'], "_")
    }

    /// The linker: `rust-lld` for musl, Debian's `<gnu>-gcc` otherwise.
    pub fn linker(&self) -> String {
        match self.gnu {
            Some((gnu, _)) => format!("{gnu}-gcc"),
            None => "rust-lld".into(),
        }
    }

    /// The runner: `qemu-<arch>`, with `-L /usr/<gnu>` for dynamically linked gnu binaries.
    pub fn runner(&self) -> String {
        match self.gnu {
            Some((gnu, _)) => format!("{} -L /usr/{gnu}", self.qemu),
            None => self.qemu.into(),
        }
    }

    /// Sets this target's linker and runner on a cargo command.
    pub fn configure(&self, cmd: &mut std::process::Command) {
        let key = self.env_key();
        cmd.env(format!("CARGO_TARGET_{key}_LINKER"), self.linker());
        cmd.env(format!("CARGO_TARGET_{key}_RUNNER"), self.runner());
    }

    /// The Debian packages this target needs.
    pub fn packages(&self) -> Vec<String> {
        let mut pkgs = vec!["qemu-user".to_string()];
        if let Some((gnu, arch)) = self.gnu {
            pkgs.push(format!("gcc-{gnu}"));
            pkgs.push(format!("libc6-dev-{arch}-cross"));
        }
        pkgs
    }
}

/// Makes sure the pinned toolchain, the rustup targets of `targets` and the
/// Debian packages they (and, with `extras`, the extra steps; with
/// `kernels`, the real-kernel rows: qemu-system and the foreign
/// architectures of Debian's kernels) need are there. Cheap when nothing is
/// missing. Not root and a package missing: `Err` with the commands to run.
pub fn ensure(targets: &[&Target], extras: bool, kernels: bool) -> Result<(), String> {
    let mut pkgs: Vec<String> = targets.iter().flat_map(|t| t.packages()).collect();
    pkgs.extend(TEST_PACKAGES.iter().map(|p| p.to_string()));
    if extras {
        pkgs.extend(EXTRA_PACKAGES.iter().map(|p| p.to_string()));
    }
    if kernels {
        // Before apt-get install: adding an architecture runs apt-get update.
        util::ensure_foreign_arches(crate::kernels::FOREIGN_ARCHES)?;
        pkgs.extend(crate::kernels::PACKAGES.iter().map(|p| p.to_string()));
    }
    pkgs.sort();
    pkgs.dedup();
    let pkgs: Vec<&str> = pkgs.iter().map(String::as_str).collect();
    util::ensure_apt(&pkgs)?;
    util::ensure_toolchain()?;
    let triples: Vec<&str> = targets.iter().map(|t| t.triple).collect();
    util::ensure_targets(&triples)?;
    println!(
        "set-up: toolchain {}, {} rustup targets, {} Debian packages present",
        util::toolchain(),
        triples.len(),
        pkgs.len()
    );
    Ok(())
}

/// `cargo xtask setup [--no-extras]`: only the installation part of `cargo xtask test`
/// (the real-kernel rows' kernels are fetched, and cached, when they run).
pub fn run(args: &[String]) -> Result<(), String> {
    let extras = match args {
        [] => true,
        [a] if a == "--no-extras" => false,
        _ => return Err("usage: cargo xtask setup [--no-extras]".into()),
    };
    let all: Vec<&Target> = TARGETS.iter().collect();
    ensure(&all, extras, true)?;
    println!("xtask setup: everything is installed");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Target;

    #[test]
    fn cargo_variables_linker_and_runner() {
        let arm = Target::find("armv7-unknown-linux-gnueabihf").unwrap();
        assert_eq!(arm.env_key(), "ARMV7_UNKNOWN_LINUX_GNUEABIHF");
        assert_eq!(arm.linker(), "arm-linux-gnueabihf-gcc");
        assert_eq!(arm.runner(), "qemu-arm -L /usr/arm-linux-gnueabihf");
        assert_eq!(arm.packages(), ["qemu-user", "gcc-arm-linux-gnueabihf", "libc6-dev-armhf-cross"]);
        let musl = Target::find("i686-unknown-linux-musl").unwrap();
        assert_eq!((musl.linker().as_str(), musl.runner().as_str()), ("rust-lld", "qemu-i386"));
    }

    #[test]
    fn the_big_endian_powerpcs() {
        let ppc64 = Target::find("powerpc64-unknown-linux-gnu").unwrap();
        assert_eq!(ppc64.runner(), "qemu-ppc64 -L /usr/powerpc64-linux-gnu");
        assert_eq!(ppc64.packages(), ["qemu-user", "gcc-powerpc64-linux-gnu", "libc6-dev-ppc64-cross"]);
        // ELFv1: GNU ld links its programs without crt objects, not lld.
        assert!(!ppc64.lld);
        let ppc = Target::find("powerpc-unknown-linux-gnu").unwrap();
        assert_eq!(ppc.runner(), "qemu-ppc -L /usr/powerpc-linux-gnu");
        assert_eq!(ppc.packages(), ["qemu-user", "gcc-powerpc-linux-gnu", "libc6-dev-powerpc-cross"]);
        assert!(ppc.lld && !ppc.sc);
        assert!(super::TARGETS.iter().filter(|t| !t.lld).all(|t| t.gnu.is_some()));
    }
}
