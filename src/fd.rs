//! File descriptors: [`OwnedFd`] closes on drop, [`BorrowedFd`] borrows one,
//! [`AsFd`] accepts either.

use core::fmt;
use core::marker::PhantomData;

/// A file descriptor this value owns: it is closed (`close(2)`) on drop
/// (the `Drop` impl lives in `sys`, the one module that makes system calls,
/// so that this module is plain data below it).
///
/// Never holds a negative value.
///
/// # Examples
/// ```
/// let (a, b) = rawscm::socketpair(rawscm::SocketType::Stream, rawscm::SocketFlags::default())?;
/// assert_ne!(a.as_raw_fd(), b.as_raw_fd());
/// drop(a); // closed here
/// # Ok::<(), rawscm::Error>(())
/// ```
#[repr(transparent)]
pub struct OwnedFd {
    fd: i32,
}

/// A borrowed file descriptor, valid for `'fd`.
///
/// # Examples
/// ```
/// use rawscm::AsFd;
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, rawscm::SocketFlags::default())?;
/// let borrowed: rawscm::BorrowedFd<'_> = a.as_fd();
/// assert_eq!(borrowed.as_raw_fd(), a.as_raw_fd());
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone)]
#[repr(transparent)]
pub struct BorrowedFd<'fd> {
    fd: i32,
    _owner: PhantomData<&'fd OwnedFd>,
}

/// Anything that can lend a [`BorrowedFd`].
///
/// # Examples
/// ```
/// use rawscm::AsFd;
/// fn raw(fd: impl AsFd) -> i32 { fd.as_fd().as_raw_fd() }
/// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, rawscm::SocketFlags::default())?;
/// assert_eq!(raw(&a), a.as_raw_fd());
/// # Ok::<(), rawscm::Error>(())
/// ```
pub trait AsFd {
    /// Borrows the descriptor.
    fn as_fd(&self) -> BorrowedFd<'_>;
}

impl OwnedFd {
    /// Takes ownership of `fd`.
    ///
    /// # Safety
    /// `fd` must be an open descriptor that nothing else owns or will close.
    ///
    /// # Examples
    /// ```
    /// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, rawscm::SocketFlags::default())?;
    /// let raw = a.into_raw_fd();
    /// // SAFETY: `raw` came from `into_raw_fd`, so it is open and unowned.
    /// let a = unsafe { rawscm::OwnedFd::from_raw_fd(raw) };
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub const unsafe fn from_raw_fd(fd: i32) -> OwnedFd {
        OwnedFd { fd }
    }

    /// The raw descriptor number (still owned by `self`).
    ///
    /// # Examples
    /// ```
    /// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, rawscm::SocketFlags::default())?;
    /// assert!(a.as_raw_fd() >= 0);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub const fn as_raw_fd(&self) -> i32 {
        self.fd
    }

    /// Gives up ownership without closing; the caller now owns the number.
    ///
    /// # Examples
    /// ```
    /// let (a, _b) = rawscm::socketpair(rawscm::SocketType::Stream, rawscm::SocketFlags::default())?;
    /// let raw = a.into_raw_fd();
    /// # let _ = unsafe { rawscm::OwnedFd::from_raw_fd(raw) };
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn into_raw_fd(self) -> i32 {
        let fd = self.fd;
        core::mem::forget(self);
        fd
    }
}

impl BorrowedFd<'_> {
    /// Borrows a raw descriptor.
    ///
    /// # Safety
    /// `fd` must stay open for the lifetime `'fd`.
    ///
    /// # Examples
    /// ```
    /// // SAFETY: stdin stays open for the whole program.
    /// let stdin = unsafe { rawscm::BorrowedFd::borrow_raw(0) };
    /// assert_eq!(stdin.as_raw_fd(), 0);
    /// ```
    pub const unsafe fn borrow_raw(fd: i32) -> Self {
        BorrowedFd { fd, _owner: PhantomData }
    }

    /// The raw descriptor number.
    ///
    /// # Examples
    /// ```
    /// // SAFETY: stdout stays open for the whole program.
    /// assert_eq!(unsafe { rawscm::BorrowedFd::borrow_raw(1) }.as_raw_fd(), 1);
    /// ```
    pub const fn as_raw_fd(&self) -> i32 {
        self.fd
    }
}

impl AsFd for OwnedFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        BorrowedFd { fd: self.fd, _owner: PhantomData }
    }
}

impl AsFd for BorrowedFd<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        *self
    }
}

impl<T: AsFd + ?Sized> AsFd for &T {
    fn as_fd(&self) -> BorrowedFd<'_> {
        (**self).as_fd()
    }
}

impl<T: AsFd + ?Sized> AsFd for &mut T {
    fn as_fd(&self) -> BorrowedFd<'_> {
        (**self).as_fd()
    }
}

impl fmt::Debug for OwnedFd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedFd").field(&self.fd).finish()
    }
}

impl fmt::Debug for BorrowedFd<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("BorrowedFd").field(&self.fd).finish()
    }
}

#[cfg(feature = "std")]
mod std_conversions {
    //! With the `std` feature: lossless conversions to and from
    //! `std::os::fd` types (ownership moves, nothing is closed or duplicated).
    use super::{BorrowedFd, OwnedFd};
    use std::os::fd::{AsRawFd, FromRawFd, IntoRawFd};

    impl From<OwnedFd> for std::os::fd::OwnedFd {
        fn from(fd: OwnedFd) -> Self {
            // SAFETY: `into_raw_fd` hands over an open descriptor that
            // nothing else owns.
            unsafe { std::os::fd::OwnedFd::from_raw_fd(fd.into_raw_fd()) }
        }
    }

    impl From<std::os::fd::OwnedFd> for OwnedFd {
        fn from(fd: std::os::fd::OwnedFd) -> Self {
            // SAFETY: as above, in the other direction.
            unsafe { OwnedFd::from_raw_fd(fd.into_raw_fd()) }
        }
    }

    impl<'a> From<std::os::fd::BorrowedFd<'a>> for BorrowedFd<'a> {
        fn from(fd: std::os::fd::BorrowedFd<'a>) -> Self {
            // SAFETY: the std borrow guarantees the fd is open for 'a.
            unsafe { BorrowedFd::borrow_raw(fd.as_raw_fd()) }
        }
    }

    impl<'a> From<BorrowedFd<'a>> for std::os::fd::BorrowedFd<'a> {
        fn from(fd: BorrowedFd<'a>) -> Self {
            // SAFETY: our borrow guarantees the fd is open for 'a.
            unsafe { std::os::fd::BorrowedFd::borrow_raw(fd.as_raw_fd()) }
        }
    }

    impl std::os::fd::AsFd for OwnedFd {
        fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
            // SAFETY: `self` owns the open descriptor for the borrow's life.
            unsafe { std::os::fd::BorrowedFd::borrow_raw(self.as_raw_fd()) }
        }
    }

    impl AsRawFd for OwnedFd {
        fn as_raw_fd(&self) -> i32 {
            OwnedFd::as_raw_fd(self)
        }
    }

    impl super::AsFd for std::os::fd::OwnedFd {
        fn as_fd(&self) -> BorrowedFd<'_> {
            std::os::fd::AsFd::as_fd(self).into()
        }
    }

    impl super::AsFd for std::fs::File {
        fn as_fd(&self) -> BorrowedFd<'_> {
            std::os::fd::AsFd::as_fd(self).into()
        }
    }

    impl super::AsFd for std::os::unix::net::UnixStream {
        fn as_fd(&self) -> BorrowedFd<'_> {
            std::os::fd::AsFd::as_fd(self).into()
        }
    }
}
