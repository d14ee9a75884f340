//! The start-up check of `cargo xtask tiny`: it builds this program for
//! every architecture three ways (the default build, a static non-PIE one,
//! and a static PIE linked without crt objects, which relocates itself),
//! runs it as `rt_check alpha 'beta gamma'` with `RAWSCM_RT_CHECK=yes` in
//! the environment, and compares its output line for line with what it
//! expects (xtask/src/tiny.rs) and its exit status with 42, main's.
//!
//! Everything it prints comes through memory that holds addresses: a table
//! of `&str`, a function pointer, trait objects (vtables), `core::fmt`
//! (which keeps its own tables of pointers). Unrelocated, a static PIE would
//! print garbage or crash here.
//!
//! `rt_check panic` panics instead: its own panic handler prints `panic at
//! FILE:LINE: MESSAGE` on stdout (a `Location` holds the file name's
//! address), then hands over to `rawscm_rt::panic`, which exits with 101.

#![no_std]
#![no_main]

use core::fmt::Write;
use core::hint::black_box;
use rawscm_rt::{Stderr, Stdout};

rawscm_rt::entry!(main, panic_handler = on_panic);

static TABLE: [&str; 3] = ["one", "two", "three"];
static FUNCTION: fn(u32) -> u32 = times_six;
static SHAPES: [&(dyn Shape + Sync); 2] = [&Circle, &Square];

fn times_six(n: u32) -> u32 {
    n * 6
}

trait Shape {
    fn name(&self) -> &'static str;
    fn corners_or_three(&self) -> u32;
}

struct Circle;
struct Square;

impl Shape for Circle {
    fn name(&self) -> &'static str {
        "circle"
    }
    fn corners_or_three(&self) -> u32 {
        3
    }
}

impl Shape for Square {
    fn name(&self) -> &'static str {
        "square"
    }
    fn corners_or_three(&self) -> u32 {
        4
    }
}

fn main() -> i32 {
    let mut out = Stdout;
    if rawscm_rt::args().nth(1).is_some_and(|a| a.to_bytes() == b"panic") {
        let table = black_box(&TABLE);
        panic!("as asked, after {}", table[0]);
    }
    let _ = writeln!(out, "argc {}", rawscm_rt::argc());
    for arg in rawscm_rt::args().skip(1) {
        let _ = writeln!(out, "arg {}", arg.to_str().unwrap_or("(not UTF-8)"));
    }
    for var in rawscm_rt::env().filter(|v| v.to_bytes().starts_with(b"RAWSCM_RT_CHECK=")) {
        let _ = writeln!(out, "env {}", var.to_str().unwrap_or("(not UTF-8)"));
    }
    // black_box: read the statics from memory, as the program would if it
    // did not know their contents at compile time.
    let table = black_box(&TABLE);
    let _ = writeln!(out, "table {} {} {}", table[0], table[1], table[2]);
    let function = black_box(&FUNCTION);
    let _ = writeln!(out, "fn {}", function(7));
    let shapes = black_box(&SHAPES);
    let _ = writeln!(
        out,
        "dyn {} {}, {} {}",
        shapes[0].name(),
        shapes[0].corners_or_three(),
        shapes[1].name(),
        shapes[1].corners_or_three()
    );
    let page = rawscm_rt::auxv(linux_raw_sys::auxvec::AT_PAGESZ);
    let page_ok = page.is_some_and(|p| p >= 4096 && p.is_power_of_two());
    let _ = writeln!(out, "auxv page size {}", if page_ok { "ok" } else { "missing" });
    42
}

/// Reports the panic on stdout (where the xtask looks), then as
/// `rawscm_rt::panic` does on stderr, which exits with 101.
fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let _ = writeln!(Stdout, "panic {info}");
    let _ = writeln!(Stderr, "rt_check: exiting as rawscm_rt::panic does");
    rawscm_rt::panic(info)
}
