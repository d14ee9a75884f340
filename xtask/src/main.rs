//! `cargo xtask <command>`: the project's build and test automation (std only).

mod bench;
mod boot;
mod kernels;
mod miri;
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
  bench    benchmarks
  miri     Miri checks";

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
        "miri" => miri::run(rest),
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
