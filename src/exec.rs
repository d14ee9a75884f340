//! Replacing the program of the calling process: [`execve`] and
//! [`execveat`], with their argument and environment arrays built on the
//! stack ([`CStrArray`]).
//!
//! # After fork
//! The usual way to start a program is [`fork`](crate::fork), then
//! `execve` in the child. Build the arrays *before* forking: after a fork
//! in a multi-threaded process the child may only do async-signal-safe work
//! (see the [`process`](crate::process) module). `execve` itself is
//! async-signal-safe, and so is pushing onto a `CStrArray` (no allocation,
//! no lock), but the strings must already exist.
//!
//! Descriptors without close-on-exec stay open in the new program; this
//! crate creates every descriptor close-on-exec unless told otherwise.

use crate::error::{Error, Result};
use crate::fd::AsFd;
use crate::sys;
use core::ffi::{CStr, c_char};
use core::fmt;
use core::marker::PhantomData;
use linux_raw_sys::general::{AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW};

/// A NULL-terminated array of pointers to C strings, as `execve` takes for
/// `argv` and `envp`, built on the stack: room for `N` pointers, so at most
/// `N - 1` strings and the terminating NULL, which always fits.
///
/// The strings are borrowed for `'a`; nothing is copied or allocated.
/// `N` must be at least 1 (checked at compile time).
///
/// # Examples
/// ```
/// use rawscm::{CStrArray, Error};
/// let mut argv = CStrArray::<3>::new();
/// argv.push(c"/bin/sh")?;
/// argv.push(c"-c")?;
/// assert_eq!(argv.push(c"exit 7"), Err(Error::ArrayFull { capacity: 2 }));
/// assert_eq!(argv.len(), 2);
/// assert_eq!(argv.iter().last(), Some(c"-c"));
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Clone)]
pub struct CStrArray<'a, const N: usize> {
    /// `len` pointers to the strings, then nulls up to the end.
    ptrs: [*const c_char; N],
    len: usize,
    _strings: PhantomData<&'a CStr>,
}

impl<'a, const N: usize> CStrArray<'a, N> {
    /// An empty array (only the terminating NULL).
    ///
    /// # Examples
    /// ```
    /// let env = rawscm::CStrArray::<1>::new();
    /// assert!(env.is_empty());
    /// assert_eq!(env.capacity(), 0); // room for the NULL only
    /// ```
    pub const fn new() -> Self {
        const { assert!(N >= 1, "a CStrArray needs room for its terminating NULL: N >= 1") };
        CStrArray { ptrs: [core::ptr::null(); N], len: 0, _strings: PhantomData }
    }

    /// An array of the strings of `strings`, in order; [`Error::ArrayFull`]
    /// if there are more than `N - 1`.
    ///
    /// # Errors
    /// [`Error::ArrayFull`] if there are more than `N - 1` strings.
    ///
    /// # Examples
    /// ```
    /// let argv = rawscm::CStrArray::<4>::from_slice(&[c"sh", c"-c", c"exit 7"])?;
    /// assert_eq!(argv.len(), 3);
    /// assert!(rawscm::CStrArray::<2>::from_slice(&[c"a", c"b"]).is_err());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn from_slice(strings: &[&'a CStr]) -> Result<Self> {
        let mut array = Self::new();
        for s in strings {
            array.push(s)?;
        }
        Ok(array)
    }

    /// Appends `s`; [`Error::ArrayFull`] (and the array unchanged) when it
    /// already holds `N - 1` strings.
    ///
    /// # Errors
    /// [`Error::ArrayFull`] when the array already holds `N - 1` strings.
    ///
    /// # Examples
    /// ```
    /// let mut env = rawscm::CStrArray::<2>::new();
    /// env.push(c"HOME=/")?;
    /// assert_eq!(env.push(c"PATH=/bin"), Err(rawscm::Error::ArrayFull { capacity: 1 }));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn push(&mut self, s: &'a CStr) -> Result<()> {
        // The last slot is reserved for the NULL.
        match self.ptrs.get_mut(self.len) {
            Some(slot) if self.len + 1 < N => {
                *slot = s.as_ptr();
                self.len += 1;
                Ok(())
            }
            _ => Err(Error::ArrayFull { capacity: self.capacity() }),
        }
    }

    /// The number of strings.
    ///
    /// # Examples
    /// ```
    /// let argv = rawscm::CStrArray::<4>::from_slice(&[c"true"])?;
    /// assert_eq!(argv.len(), 1);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no strings.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::CStrArray::<4>::new().is_empty());
    /// ```
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The most strings the array can hold: `N - 1`.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::CStrArray::<8>::new().capacity(), 7);
    /// ```
    pub const fn capacity(&self) -> usize {
        N - 1
    }

    /// The strings, in order.
    ///
    /// # Examples
    /// ```
    /// let argv = rawscm::CStrArray::<4>::from_slice(&[c"a", c"b"])?;
    /// assert!(argv.iter().eq([c"a", c"b"]));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &'a CStr> + '_ {
        self.ptrs.iter().take(self.len).map(|&p| {
            // SAFETY: the first `len` pointers came from `&'a CStr`s in
            // `push`, which the PhantomData keeps borrowed for 'a.
            unsafe { CStr::from_ptr(p) }
        })
    }

    /// The array as `execve` takes it: `len` string pointers, then NULL.
    ///
    /// # Examples
    /// ```
    /// let argv = rawscm::CStrArray::<2>::from_slice(&[c"x"])?;
    /// // SAFETY: the array has room for 2 pointers, the second is the NULL.
    /// assert!(unsafe { *argv.as_ptr().add(1) }.is_null());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub const fn as_ptr(&self) -> *const *const c_char {
        self.ptrs.as_ptr()
    }
}

impl<const N: usize> Default for CStrArray<'_, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Debug for CStrArray<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Flags for [`execveat`] (`AT_*`). The default is none.
///
/// # Examples
/// ```
/// use rawscm::AtFlags;
/// let f = AtFlags::EMPTY_PATH | AtFlags::SYMLINK_NOFOLLOW;
/// assert!(f.contains(AtFlags::EMPTY_PATH));
/// assert!(!AtFlags::default().contains(AtFlags::EMPTY_PATH));
/// ```
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct AtFlags(u32);

impl AtFlags {
    /// `AT_EMPTY_PATH`: with an empty `path`, execute the file `dirfd`
    /// refers to (opened, for example, with `O_PATH`).
    pub const EMPTY_PATH: AtFlags = AtFlags(AT_EMPTY_PATH);
    /// `AT_SYMLINK_NOFOLLOW`: fail with `ELOOP` if `path` names a symbolic
    /// link.
    pub const SYMLINK_NOFOLLOW: AtFlags = AtFlags(AT_SYMLINK_NOFOLLOW);

    /// No flags.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::AtFlags::empty(), rawscm::AtFlags::default());
    /// ```
    pub const fn empty() -> Self {
        AtFlags(0)
    }

    /// Whether all of `other` is set.
    ///
    /// # Examples
    /// ```
    /// use rawscm::AtFlags;
    /// assert!(AtFlags::EMPTY_PATH.contains(AtFlags::empty()));
    /// ```
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for AtFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        AtFlags(self.0 | rhs.0)
    }
}

/// Replaces the program of the calling process with the one at `path`,
/// run with the arguments `argv` (by convention `argv[0]` is the program's
/// name) and the environment `envp` (`NAME=value` strings). Returns only
/// on failure, with the error.
///
/// `int execve(const char *path, char *const argv[], char *const envp[]);`
///
/// `path` is used as given: no `PATH` search. Common errors: `ENOENT` (no
/// such file, or a script's interpreter or an ELF's loader is missing),
/// `EACCES` (not executable, or on a `noexec` mount), `ENOEXEC` (not a
/// format the kernel runs), `E2BIG` (arguments and environment too long).
///
/// # Examples
/// ```
/// use rawscm::{execve, exit_group, fork, waitid, CStrArray, Errno, Error, ExitStatus, Fork};
/// let argv = CStrArray::<4>::from_slice(&[c"sh", c"-c", c"exit 7"])?;
/// let envp = CStrArray::<1>::new();
/// // SAFETY: the child only calls execve and exit_group.
/// match unsafe { fork() }? {
///     Fork::Child => {
///         let _err = execve(c"/bin/sh", &argv, &envp);
///         exit_group(127)
///     }
///     Fork::Parent(pid) => assert_eq!(waitid(pid)?, ExitStatus::Exited(7)),
/// }
/// // Failure returns:
/// assert_eq!(execve(c"/nonexistent", &argv, &envp), Error::Os(Errno::ENOENT));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [execve(2)](https://man7.org/linux/man-pages/man2/execve.2.html)
pub fn execve<const A: usize, const E: usize>(
    path: &CStr,
    argv: &CStrArray<'_, A>,
    envp: &CStrArray<'_, E>,
) -> Error {
    // SAFETY: a CStrArray is a NULL-terminated array of pointers to the
    // NUL-terminated strings it borrows.
    exec_error(unsafe { sys::execve(path, argv.as_ptr(), envp.as_ptr()) })
}

/// Like [`execve`], with `path` relative to the directory `dirfd` (an
/// absolute `path` ignores it), or, with [`AtFlags::EMPTY_PATH`] and an
/// empty `path`, the file `dirfd` itself refers to. Returns only on
/// failure, with the error.
///
/// `int execveat(int dirfd, const char *path, char *const argv[],
/// char *const envp[], int flags);` (Linux 3.19.)
///
/// Executing a script through a close-on-exec `dirfd` with an empty path
/// fails with `ENOENT`: the interpreter could not open the script after the
/// exec closed it. qemu-user 7.2 does not implement `execveat` (`ENOSYS`).
///
/// # Examples
/// ```
/// use rawscm::{execveat, AtFlags, CStrArray, Errno, Error, socketpair, SocketType};
/// let argv = CStrArray::<2>::from_slice(&[c"prog"])?;
/// let envp = CStrArray::<1>::new();
/// let (sock, _peer) = socketpair(SocketType::Stream, Default::default())?;
/// // A socket is not a program: EACCES (ENOSYS where execveat is missing).
/// let err = execveat(&sock, c"", &argv, &envp, AtFlags::EMPTY_PATH);
/// assert!(matches!(err, Error::Os(Errno::EACCES | Errno::ENOSYS)));
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [execveat(2)](https://man7.org/linux/man-pages/man2/execveat.2.html)
pub fn execveat<const A: usize, const E: usize>(
    dirfd: impl AsFd,
    path: &CStr,
    argv: &CStrArray<'_, A>,
    envp: &CStrArray<'_, E>,
    flags: AtFlags,
) -> Error {
    // SAFETY: as in `execve`.
    exec_error(unsafe { sys::execveat(dirfd.as_fd(), path, argv.as_ptr(), envp.as_ptr(), flags.0) })
}

/// The error of an exec that returned.
fn exec_error(r: sys::SysResult<()>) -> Error {
    match r {
        Err(e) => e.into(),
        // The kernel does not return from a successful exec; say so rather
        // than pretend.
        Ok(()) => Error::Protocol,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errno::Errno;

    #[test]
    fn array_layout_and_capacity() {
        let mut a = CStrArray::<3>::new();
        assert_eq!((a.len(), a.capacity()), (0, 2));
        a.push(c"one").unwrap();
        a.push(c"two").unwrap();
        assert_eq!(a.push(c"three"), Err(Error::ArrayFull { capacity: 2 }));
        assert_eq!(a.len(), 2);
        assert!(a.iter().eq([c"one", c"two"]));
        // SAFETY: 3 slots; the last is the NULL.
        let (p0, p2) = unsafe { (*a.as_ptr(), *a.as_ptr().add(2)) };
        assert_eq!(p0, c"one".as_ptr());
        assert!(p2.is_null());
        assert_eq!(std::format!("{a:?}"), r#"["one", "two"]"#);
    }

    #[test]
    fn smallest_array_holds_only_the_null() {
        let mut a = CStrArray::<1>::new();
        assert_eq!(a.push(c"x"), Err(Error::ArrayFull { capacity: 0 }));
        assert!(a.is_empty());
        // SAFETY: one slot, the NULL.
        assert!(unsafe { *a.as_ptr() }.is_null());
    }

    #[test]
    fn failed_exec_returns_the_errno() {
        let argv = CStrArray::<2>::from_slice(&[c"x"]).unwrap();
        let envp = CStrArray::<1>::new();
        assert_eq!(execve(c"/nonexistent/rawscm", &argv, &envp), Error::Os(Errno::ENOENT));
        assert_eq!(execve(c"", &argv, &envp), Error::Os(Errno::ENOENT));
    }

    #[test]
    fn flags_combine() {
        let f = AtFlags::EMPTY_PATH | AtFlags::SYMLINK_NOFOLLOW;
        assert_eq!(f.0, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
        assert!(f.contains(AtFlags::SYMLINK_NOFOLLOW) && !AtFlags::empty().contains(f));
    }
}
