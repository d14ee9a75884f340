//! `cargo xtask <command>`: the project's build and test automation (std only).

mod additive;
mod bench;
mod boot;
mod kernels;
mod miri;
mod package;
mod setup;
mod test;
mod tiny;
pub mod util;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  test     fmt, clippy, native tests, the qemu test matrix, then the extra steps
           (cargo xtask test --help for options)
  setup    only install what `test` needs (rustup targets, Debian packages)
  tiny     build the libc-free static binaries
  boot     boot test under qemu-system
  kernels  the test binaries on real Linux kernels under qemu-system
           (cargo xtask kernels --help for options)
  additive check that rawscm-rt refuses std programs and that no rawscm
           feature gives a std program a memcpy of its own
  bench    benchmarks
  bench-spawn  only the spawn rows of the benchmarks
  miri     Miri checks
  package  cargo package, publish --dry-run, docs with warnings denied, minimum Rust";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let result = match command.as_str() {
        "test" => test::run(rest),
        "setup" => setup::run(rest),
        "tiny" => tiny::run(rest),
        "boot" => boot::run(rest),
        "kernels" => kernels::run(rest),
        "bench" => bench::run(rest),
        "bench-spawn" => bench::spawn::run(rest),
        "miri" => miri::run(rest),
        "additive" => additive::in_test(),
        "package" => package::run(rest),
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    if let Err(e) = result {
        eprintln!("xtask {command}: error: {e}");
        std::process::exit(1);
    }
}
