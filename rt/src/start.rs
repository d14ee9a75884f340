//! Process start-up: the two ways in, the initial stack, and what is read
//! from it afterwards (arguments, environment, auxiliary vector).
//!
//! - No crt objects linked (`-C link-self-contained=no`, as `cargo xtask
//!   tiny` builds): the kernel jumps to this crate's `_start` (`arch/`),
//!   which calls [`entry`] with the initial stack pointer, and that
//!   [`start`] with `argv`.
//! - The toolchain's crt objects linked (the default build): their `_start`
//!   runs first (musl's `rcrt1.o` relocates the program, a dynamic linker
//!   has relocated it before that) and calls `__libc_start_main`, defined
//!   here, which passes [`start`] the `argv` it got. (Not the stack pointer:
//!   glibc's arm `_start` has already overwritten the word before `argv`.)
//!
//! [`start`] relocates the program if nothing has ([`crate::relocate`]),
//! records `argv`, runs the program's main and exits with its return value.
//! What follows `argv` on the initial stack is the same on every Linux
//! architecture (the System V process entry layout): its NULL, `envp[]`,
//! NULL, then the auxiliary vector.

#[cfg(not(test))]
use core::ffi::c_int;
use core::ffi::{CStr, c_char};
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

unsafe extern "Rust" {
    /// The program's `main`, defined by [`entry!`](crate::entry).
    safe fn __rawscm_rt_main() -> i32;
}

/// `argv` on the initial stack, recorded by [`start`]; 0 before. An
/// integer, not an `AtomicPtr`: LLVM keeps a stored-only global of pointer
/// type (a "leak checker root") but drops an integer one from programs that
/// never read it.
static ARGV: AtomicUsize = AtomicUsize::new(0);

/// Where `_start` (`arch/`) enters with the initial stack pointer `sp`,
/// which points at `argc`, followed by `argv[]`.
///
/// # Safety
/// `sp` must be the stack pointer the kernel passed to the program's entry
/// point, and nothing of the program may have run yet.
#[cfg_attr(test, allow(dead_code))]
pub(crate) unsafe extern "C" fn entry(sp: *const usize) -> ! {
    // SAFETY: the caller's contract: argv follows argc on the initial stack.
    unsafe { start(sp.add(1).cast()) }
}

/// Runs the program: relocates it if needed, records `argv` for [`args`],
/// [`env()`] and [`auxv`], calls its main and exits with the result.
///
/// # Safety
/// `argv` must be the `argv` the kernel put on the initial stack, and
/// nothing of the program may have run yet (besides a crt object's
/// start-up code and the dynamic linker).
#[cfg_attr(test, allow(dead_code))]
#[inline(always)] // into each way in: one call less before main
unsafe fn start(argv: *const *const c_char) -> ! {
    // SAFETY: the caller's contract; it is the first thing that runs, so
    // nothing has used an address that needs relocating yet.
    unsafe { crate::relocate::relocate(argv) };
    // From here on every relocated pointer holds its run-time value.
    ARGV.store(argv.expose_provenance(), Relaxed);
    #[cfg(feature = "vdso")]
    if let Some(ehdr) = auxv(linux_raw_sys::auxvec::AT_SYSINFO_EHDR) {
        // SAFETY: the kernel's AT_SYSINFO_EHDR for this process, from the
        // auxiliary vector on the initial stack.
        unsafe { rawscm::vdso::set_sysinfo_ehdr(ehdr) };
    }
    rawscm::exit_group(__rawscm_rt_main())
}

/// glibc's and musl's `__libc_start_main`, which the crt objects of a
/// default build call (`crt1.o` and `rcrt1.o` of musl, `Scrt1.o`, `crt1.o`
/// and `rcrt1.o` of glibc): `__libc_start_main(main, argc, argv, init,
/// fini, rtld_fini, stack_end)`, with `argv` on the initial stack.
///
/// `main` is not called through the pointer: the program's main is the one
/// [`entry!`](crate::entry) defined, and [`start`] calls it.
///
/// # Safety
/// Only the crt objects' `_start` may call it, once, with the `argv` the
/// kernel passed.
#[cfg(not(any(test, all(any(target_arch = "powerpc", target_arch = "powerpc64"), target_env = "gnu"))))]
#[unsafe(no_mangle)]
unsafe extern "C" fn __libc_start_main(_main: usize, _argc: c_int, argv: *const *const c_char) -> c_int {
    // SAFETY: the caller's contract.
    unsafe { start(argv) }
}

/// glibc's `__libc_start_main` on powerpc (32- and 64-bit, either
/// endianness: `sysdeps/unix/sysv/linux/powerpc/libc-start.c`), which has
/// its own signature: `__libc_start_main(argc, argv, envp, auxv, rtld_fini,
/// stinfo, stack_on_entry)`, the seven in r3..r9. A dynamic linker passes the first five; in a static
/// program only `stack_on_entry` (the stack pointer at `_start`) is valid,
/// and its first word is then `argc`, not the NULL back chain that a
/// dynamic linker leaves there. glibc tells the two apart the same way.
///
/// # Safety
/// Only the crt objects' `_start` may call it, once, with the registers the
/// kernel or the dynamic linker set.
#[cfg(all(not(test), any(target_arch = "powerpc", target_arch = "powerpc64"), target_env = "gnu"))]
#[unsafe(no_mangle)]
unsafe extern "C" fn __libc_start_main(
    _argc: c_int,
    argv: *const *const c_char,
    _envp: usize,
    _auxv: usize,
    _rtld_fini: usize,
    _stinfo: usize,
    stack_on_entry: *const usize,
) -> c_int {
    // SAFETY: `stack_on_entry` is the stack pointer at `_start`, so its
    // first word is readable. Static: the initial stack, argc first, which
    // is at least 1 (since Linux 5.18 the kernel turns an empty argv into
    // one empty string), and argv after it. Dynamic: the dynamic linker
    // leaves a NULL back chain there and passes argv in its register.
    unsafe { if *stack_on_entry != 0 { start(stack_on_entry.add(1).cast()) } else { start(argv) } }
}

/// The C `main` that the crt objects name (they pass its address to
/// `__libc_start_main`). [`__libc_start_main`] here does not call it.
/// Should anything else, it runs the program's main (without the start-up:
/// [`args`] and the rest are then empty).
#[cfg(not(test))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: c_int, _argv: usize, _envp: usize) -> c_int {
    __rawscm_rt_main()
}

/// `argv` on the initial stack; null before [`start`].
fn initial_argv() -> *const *const c_char {
    core::ptr::with_exposed_provenance(ARGV.load(Relaxed))
}

/// The number of command-line arguments (`argc`), program name included.
///
/// 0 outside a program started by this crate (in a unit test, say).
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// if rawscm_rt::argc() < 2 {
///     let _ = rawscm_rt::write_all(rawscm_rt::Stderr, b"usage: prog <pid>\n");
/// }
/// ```
pub fn argc() -> usize {
    args().count()
}

/// The command-line arguments (`argv`), program name first.
///
/// Empty outside a program started by this crate.
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// for arg in rawscm_rt::args().skip(1) {
///     let _ = rawscm_rt::write_all(rawscm_rt::Stdout, arg.to_bytes());
/// }
/// ```
pub fn args() -> CStrs {
    CStrs { next: initial_argv() }
}

/// The environment (`envp`), as `NAME=value` strings.
///
/// Empty outside a program started by this crate.
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// let path = rawscm_rt::env().find(|v| v.to_bytes().starts_with(b"PATH="));
/// ```
pub fn env() -> CStrs {
    let mut args = args();
    if args.next.is_null() {
        return args;
    }
    for _ in args.by_ref() {}
    // SAFETY: the iterator stopped at argv's NULL entry (it never steps past
    // it); envp follows it on the initial stack.
    CStrs { next: unsafe { args.next.add(1) } }
}

/// The value of entry `key` (an `AT_*` constant, as in linux-raw-sys's
/// `auxvec` module) of the auxiliary vector the kernel passed the program,
/// or `None` when it has no such entry (or outside a program started by
/// this crate).
///
/// For example `AT_PAGESZ` (the page size), `AT_SYSINFO_EHDR` (where the
/// vDSO is mapped), `AT_HWCAP` (processor features), `AT_RANDOM` (the
/// address of 16 random bytes), `AT_SECURE` (set-user-id or similar).
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// use linux_raw_sys::auxvec::{AT_PAGESZ, AT_SYSINFO_EHDR};
/// let page_size = rawscm_rt::auxv(AT_PAGESZ).unwrap_or(4096);
/// let vdso = rawscm_rt::auxv(AT_SYSINFO_EHDR); // None: no vDSO
/// ```
///
/// # References
/// - [getauxval(3)](https://man7.org/linux/man-pages/man3/getauxval.3.html)
pub fn auxv(key: u32) -> Option<usize> {
    let vector = after_null(env())?;
    // SAFETY: `vector` is the auxiliary vector on the initial stack, which
    // stays mapped and unchanged.
    unsafe { find(vector, key) }
}

/// Looks `key` up in the auxiliary vector at `entry`.
///
/// # Safety
/// `entry` points at an array of (type, value) word pairs that ends with an
/// `AT_NULL` entry.
unsafe fn find(mut entry: *const usize, key: u32) -> Option<usize> {
    loop {
        // SAFETY: `entry` is at or before the AT_NULL entry, which ends the
        // loop (the caller's contract).
        let (ty, value) = unsafe { (*entry, *entry.add(1)) };
        if ty == linux_raw_sys::auxvec::AT_NULL as usize {
            return None;
        }
        if ty == key as usize {
            return Some(value);
        }
        // SAFETY: as above: not past AT_NULL.
        entry = unsafe { entry.add(2) };
    }
}

/// Where the auxiliary vector starts: right after the NULL that ends `envp`.
fn after_null(mut env: CStrs) -> Option<*const usize> {
    if env.next.is_null() {
        return None;
    }
    for _ in env.by_ref() {}
    // SAFETY: the iterator stopped at envp's NULL entry (it never steps
    // past it); the auxiliary vector follows it on the initial stack.
    Some(unsafe { env.next.add(1).cast() })
}

/// An iterator over a NULL-terminated array of C strings that live for the
/// whole program ([`args`], [`env()`]).
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/doc_examples.rs` compiles this code.)
/// let names: rawscm_rt::CStrs = rawscm_rt::env();
/// let count = names.filter(|v| v.to_bytes().starts_with(b"LC_")).count();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_recorded_outside_rt_programs() {
        assert_eq!(argc(), 0);
        assert_eq!(args().count(), 0);
        assert_eq!(env().count(), 0);
        assert_eq!(auxv(linux_raw_sys::auxvec::AT_PAGESZ), None);
    }

    #[test]
    fn auxv_is_found_after_the_environment() {
        use linux_raw_sys::auxvec::{AT_PAGESZ, AT_SYSINFO_EHDR};
        // A fake initial stack: argc 1, argv, NULL, one env entry, NULL,
        // then (AT_PAGESZ, 4096), (AT_NULL, 0).
        let (arg, var) = (c"prog", c"A=b");
        let stack: [usize; 9] = [
            1,
            arg.as_ptr().expose_provenance(),
            0,
            var.as_ptr().expose_provenance(),
            0,
            AT_PAGESZ as usize,
            4096,
            0,
            0,
        ];
        let env = CStrs { next: stack[3..].as_ptr().cast() };
        let vector = after_null(env).unwrap();
        assert_eq!(vector, stack[5..].as_ptr());
        // SAFETY: `vector` points into `stack`, which ends with AT_NULL.
        unsafe {
            assert_eq!(find(vector, AT_PAGESZ), Some(4096));
            assert_eq!(find(vector, AT_SYSINFO_EHDR), None);
        }
    }
}
