//! A test helper, not an example of the API: the child of `tests/spawn.rs`
//! that reports its own descriptor table, where CPython (the other such
//! child) is not installed, as on the real-kernel rows, whose initramfs has
//! busybox only. Both write the same report.
//!
//! `list_fds OUT [FD...]` writes to descriptor `OUT` which descriptors
//! below 256 are open (by `fstat`, which opens nothing) and the first bytes
//! of each `FD` (by `pread`): `open=3,4,5,6;3=beta;4=gamma`. It exits 0, or
//! 2 for bad arguments, 3 when an `FD` cannot be read, 4 when the report
//! cannot be written.
//!
//! `#![no_main]`: std's start-up would open `/dev/null` on a closed 0, 1 or
//! 2, and the report must show the table exactly as `spawn` left it; the C
//! library calls this `main` directly, so std's start-up never runs.
#![no_main]

use std::ffi::{CStr, c_char, c_int};

#[unsafe(no_mangle)]
extern "C" fn main(argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: the C library passes `argc` NUL-terminated strings in `argv`.
    let args: Vec<&[u8]> =
        (0..argc as usize).map(|i| unsafe { CStr::from_ptr(*argv.add(i)) }.to_bytes()).collect();
    let number = |a: &[u8]| std::str::from_utf8(a).ok()?.parse::<c_int>().ok();
    let Some(out) = args.get(1).and_then(|a| number(a)) else { return 2 };
    let open: Vec<String> = (0..256)
        .filter(|&fd| {
            let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
            // SAFETY: `st` is a writable `struct stat`.
            unsafe { libc::fstat(fd, st.as_mut_ptr()) == 0 }
        })
        .map(|fd| fd.to_string())
        .collect();
    let mut report = format!("open={}", open.join(","));
    for arg in args.iter().skip(2) {
        let Some(fd) = number(arg) else { return 2 };
        let mut buf = [0u8; 64];
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::pread(fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
        let Ok(n) = usize::try_from(n) else { return 3 };
        report += &format!(";{fd}={}", String::from_utf8_lossy(&buf[..n]));
    }
    // SAFETY: `report` is readable for its length.
    let written = unsafe { libc::write(out, report.as_ptr().cast(), report.len()) };
    if usize::try_from(written) == Ok(report.len()) { 0 } else { 4 }
}
