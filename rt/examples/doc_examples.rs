//! The code of rawscm-rt's doc examples, which cannot run as doc tests (a
//! doc test links std, and rawscm-rt refuses std programs). A unit test of
//! the xtask checks that the code of every `ignore` example in rt/src is
//! here or in another example, line for line; `cargo xtask tiny` builds
//! every example. (The crate docs' program is `hello.rs`.)

#![no_std]
#![no_main]

rawscm_rt::entry!(main, panic_handler = my_panic);
fn my_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let _ = rawscm_rt::write_all(rawscm_rt::Stderr, b"my program: ");
    rawscm_rt::panic(info)
}

fn main() -> i32 {
    argc();
    args();
    env();
    auxv();
    cstrs();
    let _ = write_all();
    stdout();
    stderr();
    decimal();
    line();
    0
}

fn argc() {
    if rawscm_rt::argc() < 2 {
        let _ = rawscm_rt::write_all(rawscm_rt::Stderr, b"usage: prog <pid>\n");
    }
}

fn args() {
    for arg in rawscm_rt::args().skip(1) {
        let _ = rawscm_rt::write_all(rawscm_rt::Stdout, arg.to_bytes());
    }
}

fn env() {
    let path = rawscm_rt::env().find(|v| v.to_bytes().starts_with(b"PATH="));
    let _ = path;
}

fn auxv() {
    use linux_raw_sys::auxvec::{AT_PAGESZ, AT_SYSINFO_EHDR};
    let page_size = rawscm_rt::auxv(AT_PAGESZ).unwrap_or(4096);
    let vdso = rawscm_rt::auxv(AT_SYSINFO_EHDR); // None: no vDSO
    let _ = (page_size, vdso);
}

fn cstrs() {
    let names: rawscm_rt::CStrs = rawscm_rt::env();
    let count = names.filter(|v| v.to_bytes().starts_with(b"LC_")).count();
    let _ = count;
}

fn write_all() -> rawscm::Result<()> {
    rawscm_rt::write_all(rawscm_rt::Stdout, b"ready\n")?;
    Ok(())
}

fn stdout() {
    use core::fmt::Write;
    let _ = writeln!(rawscm_rt::Stdout, "{} + {} = {}", 1, 2, 1 + 2);
    let _ = rawscm_rt::write_all(rawscm_rt::Stdout, b"no core::fmt here\n");
}

fn stderr() {
    use core::fmt::Write;
    let _ = writeln!(rawscm_rt::Stderr, "warning: {} retries", 3);
}

fn decimal() {
    let mut buf = [0u8; 10];
    let _ = rawscm_rt::write_all(rawscm_rt::Stdout, rawscm_rt::decimal(4096, &mut buf).as_bytes());
}

fn line() {
    use core::fmt::Write;
    let mut line = rawscm_rt::Line::<128>::new();
    let _ = write!(line, "child {} exited with status {}", 42, 0);
    line.push(b" (raw bytes too)");
    let _ = line.print(rawscm_rt::Stdout);
}
