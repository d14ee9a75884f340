//! The kernel's vDSO: `CLOCK_MONOTONIC` read in user space, without a
//! system call, wherever the kernel maps one.
//!
//! On first use rawscm finds the vDSO (`AT_SYSINFO_EHDR` from the auxiliary
//! vector: handed over with [`set_sysinfo_ehdr`], else read from
//! `/proc/self/auxv`, else, without `/proc`, asked of the kernel with
//! `prctl(PR_GET_AUXV)`, Linux 6.4+),
//! looks its `clock_gettime` up by name and version, and keeps the answer in
//! an atomic. Without a vDSO, or without the symbol, every read is the
//! system call, as before. Every [`Deadline`](crate::Deadline) uses it.
//!
//! The image is treated as hostile bytes: every offset is checked against
//! the length its program headers give, and a malformed image is simply "no
//! vDSO". Parsing allocates nothing and cannot panic.
//!
//! Cargo feature `vdso` (on by default). Without it every clock read is the
//! system call and the lookup is not linked in.

pub use crate::sys::set_sysinfo_ehdr;

/// Whether `CLOCK_MONOTONIC` is read through the vDSO (looked up on the
/// first call of this or of any clock read): `false` when there is no vDSO
/// (some emulators), no such symbol, after [`use_syscall`], or without the
/// `vdso` feature.
///
/// # Examples
/// ```
/// // Natively on x86_64 Linux there is always a vDSO.
/// # #[cfg(all(target_arch = "x86_64", feature = "vdso"))]
/// # if std::env::var_os("RAWSCM_QEMU").is_none() {
/// assert!(rawscm::vdso::uses_vdso());
/// # }
/// ```
pub fn uses_vdso() -> bool {
    crate::sys::have_vdso_clock()
}

/// Makes every later clock read a system call, in this process and in the
/// children it forks afterwards: a test hook (a seccomp filter on
/// `clock_gettime` only bites without the vDSO).
///
/// # Examples
/// ```
/// rawscm::vdso::use_syscall();
/// assert!(!rawscm::vdso::uses_vdso());
/// ```
#[doc(hidden)]
pub fn use_syscall() {
    crate::sys::forget_vdso_clock();
}
