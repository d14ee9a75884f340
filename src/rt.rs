//! A minimal runtime for `#![no_std]` + `#![no_main]` static binaries
//! (feature `rt`): no libc, no crt objects, nothing hidden.
//!
//! It provides:
//! - `_start`, the process entry point, one per architecture (`src/arch/`),
//!   which aligns the stack, sets up what the ABI needs (riscv64 `gp`,
//!   powerpc64 TOC, s390x save area) and calls your `main` through
//!   [`entry!`];
//! - [`args`], [`env()`] and [`argc`]: the command line and environment the
//!   kernel put on the initial stack;
//! - [`panic()`]: a panic handler that writes `panicked at FILE:LINE: MSG` to
//!   stderr and exits with 101 (opt out with `entry!(main, panic_handler = none)`
//!   and write your own `#[panic_handler]`, or pass your own function);
//! - `memcpy`, `memmove`, `memset`, `memcmp` and `bcmp`, which the compiler
//!   calls for copies and comparisons, and `strlen`, which
//!   `CStr::from_ptr` calls (simple byte loops);
//! - a weak `rust_eh_personality`, which the prebuilt `core` names in its
//!   unwind tables (never called: nothing unwinds with `panic = "abort"`);
//! - [`Stdout`] and [`Stderr`] (`core::fmt::Write` over `write(2)`),
//!   [`write_all`] and [`decimal`] for printing without `core::fmt`;
//! - what a small init (PID 1) needs: [`mount`], [`waitid_any`],
//!   [`try_waitid_any`] and [`reboot`].
//!
//! # Writing a program
//! ```ignore
//! #![no_std]
//! #![no_main]
//! use core::fmt::Write;
//!
//! rawscm::rt::entry!(main);
//!
//! fn main() -> i32 {
//!     let _ = writeln!(rawscm::rt::Stdout, "hello from pid {}", rawscm::getpid());
//!     0 // the exit code
//! }
//! ```
//! Build it with `panic = "abort"` (in the profile, e.g. `[profile.release]
//! panic = "abort"`), statically and without PIE (the runtime applies no
//! relocations), linked by `rust-lld` without any C start files:
//! ```text
//! RUSTFLAGS="-C relocation-model=static -C target-feature=+crt-static \
//!   -C linker=rust-lld -C linker-flavor=ld.lld -C link-self-contained=no" \
//!   cargo build --release --target x86_64-unknown-linux-musl
//! ```
//! Any of the crate's architectures works the same way (`aarch64-unknown-linux-musl`,
//! `riscv64gc-unknown-linux-gnu`, ...). `cargo xtask tiny` builds
//! `examples/tiny_init_pid.rs` like that for each of them, with
//! `[profile.tiny]` (size-optimised, LTO) and a few more linker flags.
//!
//! The feature is meant for such binaries. A program that links `std` and
//! the C runtime (a test binary of a crate that enables `rt`) still links:
//! `_start` and `rust_eh_personality` here are weak, so the C runtime's and
//! std's win; the byte-loop memory functions above do replace libc's in
//! the program's own code (correct, not fast).

use crate::fd::{AsFd, BorrowedFd};
use crate::process::Pid;
use crate::{sys, Errno, Error, Result};
use core::ffi::{c_char, CStr};
use core::fmt;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use linux_raw_sys::general::{
    LINUX_REBOOT_CMD_HALT, LINUX_REBOOT_CMD_POWER_OFF, LINUX_REBOOT_CMD_RESTART, WEXITED, WNOHANG,
};
pub use linux_raw_sys::general::{MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY};

#[doc(inline)]
pub use crate::__rawscm_rt_entry as entry;

/// Declares `main` as the program's entry point and installs [`panic()`] as
/// the panic handler.
///
/// `main` is a plain `fn() -> i32`; its return value is the exit status.
/// Forms:
/// - `entry!(main)`: with the [`panic()`] handler;
/// - `entry!(main, panic_handler = my_handler)`: with your own
///   `fn(&core::panic::PanicInfo<'_>) -> !`;
/// - `entry!(main, panic_handler = none)`: no handler; write your own
///   `#[panic_handler]` function.
///
/// ```ignore
/// #![no_std]
/// #![no_main]
/// rawscm::rt::entry!(main);
/// fn main() -> i32 {
///     if rawscm::rt::argc() > 1 { 0 } else { 1 }
/// }
/// ```
#[doc(hidden)]
#[macro_export]
macro_rules! __rawscm_rt_entry {
    ($main:path) => {
        $crate::rt::entry!($main, panic_handler = $crate::rt::panic);
    };
    ($main:path, panic_handler = none) => {
        /// Called by `rawscm::rt`'s `_start`.
        #[unsafe(no_mangle)]
        fn __rawscm_rt_main() -> i32 {
            let main: fn() -> i32 = $main;
            main()
        }
    };
    ($main:path, panic_handler = $handler:path) => {
        $crate::rt::entry!($main, panic_handler = none);
        #[panic_handler]
        fn __rawscm_rt_panic(info: &::core::panic::PanicInfo<'_>) -> ! {
            $handler(info)
        }
    };
}

unsafe extern "Rust" {
    /// The program's `main`, defined by [`entry!`].
    safe fn __rawscm_rt_main() -> i32;
}

/// The initial stack pointer, recorded by [`start`]; 0 before. An integer,
/// not an `AtomicPtr`: LLVM keeps a stored-only global of pointer type (a
/// "leak checker root") but drops an integer one from programs that never
/// read it.
static STACK: AtomicUsize = AtomicUsize::new(0);

/// Called by `_start` (src/arch/) with the initial stack pointer, which
/// points at `argc`, then `argv[0..argc]`, NULL, `envp[]`, NULL (the System V
/// process entry layout, the same on every Linux architecture).
///
/// # Safety
/// `sp` must be the stack pointer the kernel passed to `_start`.
#[cfg_attr(test, allow(dead_code))]
pub(crate) unsafe extern "C" fn start(sp: *const usize) -> ! {
    STACK.store(sp.expose_provenance(), Relaxed);
    sys::exit_group(__rawscm_rt_main())
}

/// `argc` and `argv` from the initial stack; `(0, null)` before [`start`].
fn initial_args() -> (usize, *const *const c_char) {
    let sp = core::ptr::with_exposed_provenance::<usize>(STACK.load(Relaxed));
    if sp.is_null() {
        return (0, core::ptr::null());
    }
    // SAFETY: `sp` is the kernel's initial stack pointer (see `start`): it
    // points at argc, followed by the argv array; the initial stack stays
    // mapped, and these words unchanged, for the life of the process.
    unsafe { (*sp, sp.add(1).cast()) }
}

/// The number of command-line arguments (`argc`), program name included.
///
/// ```
/// // 0 outside an `rt` program: nothing was recorded.
/// let _n = rawscm::rt::argc();
/// ```
pub fn argc() -> usize {
    initial_args().0
}

/// The command-line arguments (`argv`), program name first.
///
/// Empty outside an `rt` program.
///
/// ```
/// for arg in rawscm::rt::args() {
///     let _bytes: &[u8] = arg.to_bytes();
/// }
/// ```
pub fn args() -> CStrs {
    CStrs { next: initial_args().1 }
}

/// The environment (`envp`), as `NAME=value` strings.
///
/// Empty outside an `rt` program.
///
/// ```
/// let path = rawscm::rt::env().find(|v| v.to_bytes().starts_with(b"PATH="));
/// # let _ = path;
/// ```
pub fn env() -> CStrs {
    let (argc, argv) = initial_args();
    if argv.is_null() {
        return CStrs { next: argv };
    }
    // SAFETY: envp starts right after argv's argc entries and its NULL.
    CStrs { next: unsafe { argv.add(argc + 1) } }
}

/// An iterator over a NULL-terminated array of C strings that live for the
/// whole program ([`args`], [`env()`]).
///
/// ```
/// let mut none = rawscm::rt::args();
/// # if rawscm::rt::argc() == 0 {
/// assert!(none.next().is_none());
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct CStrs {
    /// The next entry, or null when there is no array.
    next: *const *const c_char,
}

impl Iterator for CStrs {
    type Item = &'static CStr;
    fn next(&mut self) -> Option<&'static CStr> {
        if self.next.is_null() {
            return None;
        }
        // SAFETY: `next` points into argv or envp as recorded by `start`,
        // at or before the terminating NULL, which is never passed.
        let s = unsafe { *self.next };
        if s.is_null() {
            return None;
        }
        // SAFETY: as above; the strings are NUL-terminated and stay on the
        // initial stack, unchanged, for the life of the process.
        unsafe {
            self.next = self.next.add(1);
            Some(CStr::from_ptr(s))
        }
    }
}

/// Writes all of `buf` to `fd`, retrying on `EINTR` and after short writes.
///
/// `ssize_t write(int fd, const void *buf, size_t count);`
///
/// ```
/// rawscm::rt::write_all(rawscm::rt::Stdout, b"")?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
pub fn write_all(fd: impl AsFd, mut buf: &[u8]) -> Result<()> {
    let fd = fd.as_fd();
    while !buf.is_empty() {
        match sys::write(fd, buf) {
            Ok(0) => return Err(Errno::EIO.into()),
            Ok(n) => buf = buf.get(n..).unwrap_or_default(),
            Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Standard output (fd 1) as a [`core::fmt::Write`] over `write(2)`, and
/// as a descriptor for [`write_all`].
///
/// Unbuffered: each `write_str` is one or more `write` calls.
///
/// ```
/// use core::fmt::Write;
/// let _ = writeln!(rawscm::rt::Stdout, "{} + {} = {}", 1, 2, 1 + 2);
/// let _ = rawscm::rt::write_all(rawscm::rt::Stdout, b"no core::fmt here\n");
/// ```
///
/// # References
/// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
#[derive(Copy, Clone, Debug, Default)]
pub struct Stdout;

/// Standard error (fd 2) as a [`core::fmt::Write`] over `write(2)`, and as
/// a descriptor for [`write_all`].
///
/// ```
/// use core::fmt::Write;
/// let _ = rawscm::rt::Stderr.write_str("");
/// ```
///
/// # References
/// - [write(2)](https://man7.org/linux/man-pages/man2/write.2.html)
#[derive(Copy, Clone, Debug, Default)]
pub struct Stderr;

/// fd 0, 1 or 2: open for the life of the process, or the write fails with
/// `EBADF`, which is reported, not undefined.
fn stdio(fd: i32) -> BorrowedFd<'static> {
    // SAFETY: the standard descriptors are never closed by this crate; if
    // the program closed one, `write` reports EBADF (or writes to whatever
    // the program opened in its place, as C's stdio would).
    unsafe { BorrowedFd::borrow_raw(fd) }
}

impl AsFd for Stdout {
    fn as_fd(&self) -> BorrowedFd<'_> {
        stdio(1)
    }
}

impl AsFd for Stderr {
    fn as_fd(&self) -> BorrowedFd<'_> {
        stdio(2)
    }
}

impl fmt::Write for Stdout {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(stdio(1), s.as_bytes()).map_err(|_| fmt::Error)
    }
}

impl fmt::Write for Stderr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        write_all(stdio(2), s.as_bytes()).map_err(|_| fmt::Error)
    }
}

/// Formats `n` in decimal into the end of `buf`, without `core::fmt` (which
/// costs kilobytes in a small binary), and returns the digits.
///
/// ```
/// let mut buf = [0u8; 10];
/// assert_eq!(rawscm::rt::decimal(4096, &mut buf), "4096");
/// assert_eq!(rawscm::rt::decimal(0, &mut buf), "0");
/// ```
pub fn decimal(n: u32, buf: &mut [u8; 10]) -> &str {
    let digits = crate::decimal(n, buf);
    // SAFETY: `crate::decimal` writes ASCII digits only.
    unsafe { core::str::from_utf8_unchecked(digits) }
}

/// The panic handler that [`entry!`] installs: writes
/// `panicked at FILE:LINE: MESSAGE` to stderr (the message only when it is
/// a plain string, so that `core::fmt` is not linked in) and exits with 101.
///
/// ```ignore
/// // With a handler of your own that also uses it:
/// rawscm::rt::entry!(main, panic_handler = my_panic);
/// fn my_panic(info: &core::panic::PanicInfo<'_>) -> ! {
///     let _ = rawscm::rt::write_all(rawscm::rt::Stderr, b"my program: ");
///     rawscm::rt::panic(info)
/// }
/// ```
pub fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let err = Stderr;
    let mut line = [0u8; 10];
    let _ = write_all(err, b"panicked");
    if let Some(at) = info.location() {
        let _ = write_all(err, b" at ");
        let _ = write_all(err, at.file().as_bytes());
        let _ = write_all(err, b":");
        let _ = write_all(err, decimal(at.line(), &mut line).as_bytes());
    }
    if let Some(msg) = info.message().as_str() {
        let _ = write_all(err, b": ");
        let _ = write_all(err, msg.as_bytes());
    }
    let _ = write_all(err, b"\n");
    sys::exit_group(101)
}

/// Mounts a filesystem.
///
/// `int mount(const char *source, const char *target, const char *fstype,
/// unsigned long flags, const void *data);` Flags: [`MS_NOSUID`],
/// [`MS_NODEV`], [`MS_NOEXEC`], [`MS_RDONLY`] (or any other `MS_*` of
/// linux-raw-sys). Needs `CAP_SYS_ADMIN`.
///
/// ```no_run
/// use rawscm::rt::{mount, MS_NODEV, MS_NOEXEC, MS_NOSUID};
/// mount(c"proc", c"/proc", c"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [mount(2)](https://man7.org/linux/man-pages/man2/mount.2.html)
pub fn mount(source: &CStr, target: &CStr, fstype: &CStr, flags: u32, data: Option<&CStr>) -> Result<()> {
    Ok(sys::mount(source, target, fstype, flags, data)?)
}

/// What [`reboot`] does with the machine.
///
/// ```
/// let how = rawscm::rt::Reboot::PowerOff;
/// assert_ne!(how, rawscm::rt::Reboot::Restart);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Reboot {
    /// `LINUX_REBOOT_CMD_POWER_OFF`: stop and remove power.
    PowerOff,
    /// `LINUX_REBOOT_CMD_RESTART`: restart.
    Restart,
    /// `LINUX_REBOOT_CMD_HALT`: stop, leave power on.
    Halt,
}

/// Powers off, restarts or halts the machine at once: no `sync`, no
/// process is told. Returns only on failure (`EPERM` without
/// `CAP_SYS_BOOT`; in a pid namespace other than the initial one, the
/// namespace's init is killed instead, see the man page).
///
/// `int reboot(int magic, int magic2, int cmd, void *arg);`
///
/// ```no_run
/// // The last thing a PID 1 does:
/// let err = rawscm::rt::reboot(rawscm::rt::Reboot::PowerOff);
/// # let _ = err;
/// ```
///
/// # References
/// - [reboot(2)](https://man7.org/linux/man-pages/man2/reboot.2.html)
pub fn reboot(how: Reboot) -> Error {
    let cmd = match how {
        Reboot::PowerOff => LINUX_REBOOT_CMD_POWER_OFF,
        Reboot::Restart => LINUX_REBOOT_CMD_RESTART,
        Reboot::Halt => LINUX_REBOOT_CMD_HALT,
    };
    match sys::reboot(cmd) {
        Err(e) => e.into(),
        // Not reached for these commands; say so rather than pretend.
        Ok(()) => Error::Protocol,
    }
}

/// Waits for any child to end and reaps it; returns its pid. `EINTR` is
/// retried; `ECHILD`: no children left. A PID 1 calls this to reap the
/// orphans it inherits.
///
/// `int waitid(P_ALL, 0, &info, WEXITED);`
///
/// ```
/// use rawscm::{exit_group, fork, Fork};
/// // SAFETY: the child only calls exit_group.
/// if let Fork::Parent(pid) = unsafe { fork() }? {
///     assert_eq!(rawscm::rt::waitid_any()?, pid);
/// } else {
///     exit_group(0);
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
pub fn waitid_any() -> Result<Pid> {
    Ok(crate::errno::restart(|| sys::waitid_any(WEXITED))?.pid)
}

/// Reaps one child that has ended, if any: `Ok(None)` when children exist
/// but none has ended, `ECHILD` when there are none.
///
/// `int waitid(P_ALL, 0, &info, WEXITED | WNOHANG);`
///
/// ```
/// // Reap every zombie there is, then go on.
/// while let Ok(Some(_pid)) = rawscm::rt::try_waitid_any() {}
/// ```
///
/// # References
/// - [waitid(2)](https://man7.org/linux/man-pages/man2/waitid.2.html)
pub fn try_waitid_any() -> Result<Option<Pid>> {
    let s = sys::waitid_any(WEXITED | WNOHANG)?;
    Ok((s.pid != 0).then_some(s.pid))
}

/// The memory functions the compiler emits calls to, and `strlen`. Byte loops with
/// volatile accesses, so that the optimiser cannot turn a loop back into a
/// call to the function it is in. Plain functions in tests (the test binary
/// has libc's).
mod mem {
    use core::ptr::{read_volatile, write_volatile};

    /// `void *memcpy(void *dest, const void *src, size_t n);`
    ///
    /// # Safety
    /// `dest` and `src` valid for `n` bytes and not overlapping.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    pub(crate) unsafe extern "C" fn memcpy(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        // SAFETY: forwarded; a forward copy is a valid memmove too.
        unsafe { copy_forward(dest, src, n) };
        dest
    }

    /// `void *memmove(void *dest, const void *src, size_t n);`
    ///
    /// # Safety
    /// `dest` and `src` valid for `n` bytes; they may overlap.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    pub(crate) unsafe extern "C" fn memmove(dest: *mut u8, src: *const u8, n: usize) -> *mut u8 {
        if (dest as usize) <= (src as usize) {
            // SAFETY: forwarded; copying forward never reads a byte it has
            // already overwritten when dest is at or below src.
            unsafe { copy_forward(dest, src, n) };
        } else {
            let mut i = n;
            while i > 0 {
                i -= 1;
                // SAFETY: i < n; backwards, so an overlap with dest above
                // src is read before it is written.
                unsafe { write_volatile(dest.add(i), read_volatile(src.add(i))) };
            }
        }
        dest
    }

    const WORD: usize = core::mem::size_of::<usize>();

    /// Copies forwards, a word at a time while both pointers are aligned
    /// (every word is read before the bytes it overlaps are written, so this
    /// is also a correct memmove when `dest <= src`).
    ///
    /// # Safety
    /// `dest` and `src` valid for `n` bytes; if they overlap, `dest <= src`.
    unsafe fn copy_forward(dest: *mut u8, src: *const u8, n: usize) {
        let mut i = 0;
        if (dest as usize | src as usize).is_multiple_of(WORD) {
            while n - i >= WORD {
                // SAFETY: i + WORD <= n, and dest + i, src + i are aligned.
                unsafe {
                    write_volatile(dest.add(i).cast::<usize>(), read_volatile(src.add(i).cast::<usize>()))
                };
                i += WORD;
            }
        }
        while i < n {
            // SAFETY: i < n, both valid for n bytes.
            unsafe { write_volatile(dest.add(i), read_volatile(src.add(i))) };
            i += 1;
        }
    }

    /// `void *memset(void *s, int c, size_t n);`: a word at a time while `s`
    /// is aligned.
    ///
    /// # Safety
    /// `s` valid for writes of `n` bytes.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    pub(crate) unsafe extern "C" fn memset(s: *mut u8, c: i32, n: usize) -> *mut u8 {
        let byte = c as u8; // memset stores the low byte of `c`
        let mut i = 0;
        if (s as usize).is_multiple_of(WORD) {
            let word = usize::from(byte) * (usize::MAX / 0xff);
            while n - i >= WORD {
                // SAFETY: i + WORD <= n, and s + i is aligned.
                unsafe { write_volatile(s.add(i).cast::<usize>(), word) };
                i += WORD;
            }
        }
        while i < n {
            // SAFETY: i < n.
            unsafe { write_volatile(s.add(i), byte) };
            i += 1;
        }
        s
    }

    /// `int memcmp(const void *a, const void *b, size_t n);`
    ///
    /// # Safety
    /// `a` and `b` valid for reads of `n` bytes.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    pub(crate) unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        let mut i = 0;
        while i < n {
            // SAFETY: i < n, both valid for n bytes.
            let (x, y) = unsafe { (read_volatile(a.add(i)), read_volatile(b.add(i))) };
            if x != y {
                return i32::from(x) - i32::from(y);
            }
            i += 1;
        }
        0
    }

    /// `size_t strlen(const char *s);` (`CStr::from_ptr` calls it).
    ///
    /// # Safety
    /// `s` points at a NUL-terminated string.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    pub(crate) unsafe extern "C" fn strlen(s: *const u8) -> usize {
        let mut n = 0;
        // SAFETY: every byte up to and including the NUL is readable.
        while unsafe { read_volatile(s.add(n)) } != 0 {
            n += 1;
        }
        n
    }

    /// `int bcmp(const void *a, const void *b, size_t n);`: zero when equal.
    ///
    /// # Safety
    /// `a` and `b` valid for reads of `n` bytes.
    #[cfg_attr(not(test), unsafe(no_mangle))]
    pub(crate) unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
        // SAFETY: forwarded.
        unsafe { memcmp(a, b, n) }
    }
}

#[cfg(test)]
mod tests {
    use super::mem::{bcmp, memcmp, memcpy, memmove, memset, strlen};
    use super::*;

    #[test]
    fn mem_functions() {
        let mut a = *b"0123456789";
        // SAFETY: in-bounds pointers into local arrays, every call below.
        unsafe {
            memmove(a.as_mut_ptr().add(2), a.as_ptr(), 5); // overlapping, dest above
            assert_eq!(&a, b"0101234789");
            memmove(a.as_mut_ptr(), a.as_ptr().add(3), 7); // overlapping, dest below
            assert_eq!(&a, b"1234789789");
            memset(a.as_mut_ptr().add(8), i32::from(b'x') + 0x100, 2);
            assert_eq!(&a, b"12347897xx");
            let mut b = [0u8; 10];
            assert_eq!(memcpy(b.as_mut_ptr(), a.as_ptr(), 10), b.as_mut_ptr());
            assert_eq!(b, a);
            assert_eq!(memcmp(a.as_ptr(), b.as_ptr(), 10), 0);
            b[4] = b'9';
            assert!(memcmp(a.as_ptr(), b.as_ptr(), 10) < 0);
            assert!(memcmp(b.as_ptr(), a.as_ptr(), 10) > 0);
            assert_eq!(memcmp(a.as_ptr(), b.as_ptr(), 4), 0);
            assert_ne!(bcmp(a.as_ptr(), b.as_ptr(), 10), 0);
            assert_eq!(bcmp(a.as_ptr(), b.as_ptr(), 0), 0);
            assert_eq!(strlen(c"".as_ptr().cast()), 0);
            assert_eq!(strlen(c"four".as_ptr().cast()), 4);
        }
    }

    #[test]
    fn mem_functions_word_paths() {
        // Aligned buffers longer than a few words take the word loops; odd
        // lengths and offsets take the byte loops for the rest.
        let mut a = [0usize; 8];
        let mut b = [0usize; 8];
        let (pa, pb) = (a.as_mut_ptr().cast::<u8>(), b.as_mut_ptr().cast::<u8>());
        let len = core::mem::size_of_val(&a);
        // SAFETY: in-bounds pointers into local arrays, every call below.
        unsafe {
            memset(pa, 0x5a, len - 3);
            let bytes = core::slice::from_raw_parts(pa, len);
            assert!(bytes[..len - 3].iter().all(|&x| x == 0x5a));
            assert_eq!(&bytes[len - 3..], &[0, 0, 0]);
            for i in 0..len {
                *pa.add(i) = i as u8;
            }
            memcpy(pb, pa, len - 1);
            let copied = core::slice::from_raw_parts(pb, len);
            assert!(copied[..len - 1].iter().enumerate().all(|(i, &x)| x == i as u8));
            assert_eq!(copied[len - 1], 0);
            // Overlapping, dest below src, aligned: the forward word copy.
            let w = core::mem::size_of::<usize>();
            memmove(pa, pa.add(w), len - w);
            let moved = core::slice::from_raw_parts(pa, len);
            assert!(moved[..len - w].iter().enumerate().all(|(i, &x)| x == (i + w) as u8));
            // Unaligned start: the byte loop.
            memset(pb.add(1), 0, 5);
            assert_eq!(core::slice::from_raw_parts(pb, 7), &[0, 0, 0, 0, 0, 0, 6]);
        }
    }

    #[test]
    fn decimal_formats_every_width() {
        let mut buf = [0u8; 10];
        assert_eq!(decimal(0, &mut buf), "0");
        assert_eq!(decimal(7, &mut buf), "7");
        assert_eq!(decimal(10, &mut buf), "10");
        assert_eq!(decimal(4_194_304, &mut buf), "4194304");
        assert_eq!(decimal(u32::MAX, &mut buf), "4294967295");
    }

    #[test]
    fn no_args_outside_rt_programs() {
        assert_eq!(argc(), 0);
        assert_eq!(args().count(), 0);
        assert_eq!(env().count(), 0);
    }

    #[test]
    fn write_all_reports_bad_fd() {
        // SAFETY: a descriptor number that is not open: write reports EBADF.
        let bad = unsafe { BorrowedFd::borrow_raw(-1) };
        assert_eq!(write_all(bad, b"x"), Err(Errno::EBADF.into()));
        assert_eq!(write_all(bad, b""), Ok(()));
    }
}
