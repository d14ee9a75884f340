//! The runtime of `#![no_std]` + `#![no_main]` static Linux binaries built on
//! [rawscm]: no libc, nothing hidden.
//!
//! It provides:
//! - the process entry: a weak `_start` per architecture, and the
//!   `__libc_start_main` and `main` that the toolchain's crt objects call
//!   when they are linked (the default build);
//! - self-relocation of a static position-independent executable (static
//!   PIE), so that a default `cargo build` just runs (see below);
//! - [`args`], [`env()`], [`argc`] and [`auxv`]: the command line, the
//!   environment and the auxiliary vector the kernel put on the initial
//!   stack;
//! - the `#[panic_handler]`, which calls the function [`entry!`] names:
//!   [`panic()`] (writes `panicked at FILE:LINE: MSG` to stderr, exits 101)
//!   or your own;
//! - `memcpy`, `memmove`, `memset`, `memcmp` and `bcmp`, which the compiler
//!   calls, and `strlen`, which `CStr::from_ptr` calls;
//! - a weak `rust_eh_personality`, which the prebuilt `core` names in its
//!   unwind tables (never called: nothing unwinds with `panic = "abort"`);
//! - [`Stdout`] and [`Stderr`] (`core::fmt::Write` over `write(2)`),
//!   [`write_all`] and [`decimal`] for printing without `core::fmt`, and
//!   [`Line`], a line built in a fixed buffer and written with one `write(2)`.
//!
//! What an init program needs besides (`mount`, `reboot`, reaping any
//! child) is in [`rawscm::init`].
//!
//! # Why a separate crate, and why it refuses std programs
//! A runtime defines symbols that a program with libc and std already has:
//! `memcpy` & co., `_start`, `__libc_start_main`, `main`, a panic handler.
//! As a cargo feature of rawscm it was not additive: any crate in a std
//! program's dependency graph that turned it on replaced libc's `memcpy` in
//! that whole program. As a crate, it is only in a program that depends on
//! it, and it defines the `#[panic_handler]` itself, so a program that also
//! links std does not build at all: rustc stops with `error[E0152]: found
//! duplicate lang item `panic_impl``. (rawscm's `std` feature links std,
//! so it is refused the same way: these programs use rawscm without it.)
//! `cargo xtask test` checks both: that such a program is refused, and
//! that a std program on rawscm with all its features links libc's
//! `memcpy`.
//!
//! For the same reason none of this crate's doc examples runs as a doc test
//! (a doc test links std); they are marked `ignore`, and the examples
//! (`examples/hello.rs`, `examples/doc_examples.rs`) compile the same code.
//!
//! # Writing a program
//! ```ignore
//! // examples/hello.rs
//! #![no_std]
//! #![no_main]
//! use core::fmt::Write;
//!
//! rawscm_rt::entry!(main);
//!
//! fn main() -> i32 {
//!     let _ = writeln!(rawscm_rt::Stdout, "hello from pid {}", rawscm::getpid());
//!     0 // the exit status
//! }
//! ```
//! with, in `Cargo.toml`:
//! ```toml
//! [dependencies]
//! rawscm = "0.1"
//! rawscm-rt = "0.1"
//!
//! [profile.release]
//! panic = "abort"
//!
//! [profile.dev]
//! panic = "abort"
//! ```
//! and build it as any program: `cargo build --release --target
//! x86_64-unknown-linux-musl` (or `i686`/`aarch64-unknown-linux-musl`,
//! `armv7-unknown-linux-gnueabihf`, `riscv64gc-unknown-linux-gnu`,
//! `powerpc64le-unknown-linux-gnu`, `powerpc64-unknown-linux-gnu`,
//! `powerpc-unknown-linux-gnu`, `s390x-unknown-linux-gnu`,
//! `x86_64-unknown-linux-gnu`, with the target's linker configured as for
//! any cross build). `panic = "abort"` is needed: nothing can unwind here.
//!
//! # How it starts, and the smallest binaries
//! A default build links the toolchain's crt objects: a static PIE with
//! musl's `rcrt1.o` (x86_64), a static executable with `crt1.o` (i686 and
//! aarch64 musl), a dynamic PIE with glibc's `Scrt1.o` and its dynamic
//! linker (`-gnu` targets, although nothing from glibc is linked). Their
//! `_start` relocates the program, or the dynamic linker has, and calls
//! `__libc_start_main`, which this crate defines: it finds the initial
//! stack again and starts the program.
//!
//! Linked without crt objects (`-C link-self-contained=no -C
//! linker=rust-lld`), the kernel enters this crate's `_start`. If the
//! program is a static PIE, nobody has relocated it: the start-up code
//! applies its relative relocations first (`DT_RELA`, `DT_REL`, `DT_RELR`),
//! before any code reads an address from memory. It checks first whether
//! that is done already, so it never applies them twice; and a program with
//! any other kind of relocation (one that needs a dynamic linker) stops
//! with a message and exit status 127 rather than run broken.
//!
//! The smallest binaries are static and not position independent, which
//! have nothing to relocate:
//! ```text
//! RUSTFLAGS="-C relocation-model=static -C target-feature=+crt-static \
//!   -C linker=rust-lld -C linker-flavor=ld.lld -C link-self-contained=no" \
//!   cargo build --release --target x86_64-unknown-linux-musl
//! ```
//! Compiled with `-C relocation-model=static` in `RUSTFLAGS`, this crate
//! leaves the relocation code out (its build script sees the flag), so such
//! binaries do not pay for it.
//!
//! On `powerpc64-unknown-linux-gnu` (big-endian, the ELFv1 ABI) link with
//! GNU ld instead: lld marks its output ELFv2, and its calls land on the
//! functions' descriptors (`.opd`) rather than their code. The cross gcc
//! does it without crt objects: `-C linker=powerpc64-linux-gnu-gcc -C
//! link-self-contained=no -C link-arg=-nostartfiles` (and `-C
//! link-arg=-static-pie` for a static PIE). `cargo xtask tiny` builds
//! `examples/tiny_init_pid.rs` both ways for every architecture and prints
//! the sizes.

#![no_std]
#![deny(missing_docs, unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

#[cfg(test)]
extern crate std;

// `_start` and `rust_eh_personality`: not in unit tests, whose binary has
// the C runtime's and std's.
#[cfg(not(test))]
mod arch;
mod io;
mod mem;
mod relocate;
mod start;

pub use io::{Line, Stderr, Stdout, decimal, panic, write_all};
pub use start::{CStrs, argc, args, auxv, env};

/// Declares `main` as the program's main function and chooses its panic
/// handler.
///
/// `main` is a plain `fn() -> i32`; its return value is the exit status.
/// Forms:
/// - `entry!(main)`: panics go to [`panic()`], which reports them on stderr
///   and exits with status 101;
/// - `entry!(main, panic_handler = my_handler)`: panics go to your own
///   `fn(&core::panic::PanicInfo<'_>) -> !`.
///
/// Use it once, in the binary crate. (This crate's `#[panic_handler]` calls
/// the function the macro defines; a program without the macro does not
/// link.)
///
/// # Examples
/// ```ignore
/// // (Not run as a doc test: a doc test links std, and this crate refuses
/// // std programs. `examples/hello.rs` is this program.)
/// #![no_std]
/// #![no_main]
/// use core::fmt::Write;
///
/// rawscm_rt::entry!(main);
///
/// fn main() -> i32 {
///     let _ = writeln!(rawscm_rt::Stdout, "hello from pid {}", rawscm::getpid());
///     0 // the exit status
/// }
/// ```
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        $crate::entry!($main, panic_handler = $crate::panic);
    };
    ($main:path, panic_handler = $handler:path) => {
        /// The program's main, called by `rawscm_rt`'s start-up code.
        #[unsafe(no_mangle)]
        fn __rawscm_rt_main() -> i32 {
            let main: fn() -> i32 = $main;
            main()
        }

        /// The program's panic handler, called by `rawscm_rt`'s.
        #[unsafe(no_mangle)]
        fn __rawscm_rt_panic(info: &::core::panic::PanicInfo<'_>) -> ! {
            let handler: fn(&::core::panic::PanicInfo<'_>) -> ! = $handler;
            handler(info)
        }
    };
}

/// The panic handler of every program that links this crate: it hands the
/// panic to the function [`entry!`] defined. Being the `panic_impl` lang
/// item, it also makes a program that links std as well fail to build.
#[cfg(not(test))]
#[panic_handler]
fn panic_handler(info: &core::panic::PanicInfo<'_>) -> ! {
    unsafe extern "Rust" {
        /// Defined by [`entry!`].
        safe fn __rawscm_rt_panic(info: &core::panic::PanicInfo<'_>) -> !;
    }
    __rawscm_rt_panic(info)
}
