#![no_std]
#![no_main]
use core::fmt::Write;

rawscm_rt::entry!(main);

fn main() -> i32 {
    let _ = writeln!(rawscm_rt::Stdout, "hello from pid {}", rawscm::getpid());
    0 // the exit status
}
