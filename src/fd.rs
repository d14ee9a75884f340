//! File descriptors: [`OwnedFd`] closes on drop, [`BorrowedFd`] borrows one,
//! [`AsFd`] accepts either, [`Fds`] holds the descriptors a receive brought.

use core::fmt;
use core::marker::PhantomData;
use core::mem::MaybeUninit;

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

/// The descriptors that one receive handed over, in the order they were
/// sent: at most `N`, on the stack, each closed when dropped (or moved out).
///
/// A slice of [`OwnedFd`] by `Deref`; take them out with [`pop`](Self::pop)
/// or by iterating by value.
///
/// # Examples
/// ```
/// use rawscm::{recv_fds, send_fds, AsFd, Fds, OwnedFd, SocketType};
/// let (a, b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
/// send_fds(&a, b"x", &[a.as_fd(), b.as_fd()])?;
/// let (_, fds): (usize, Fds<2>) = recv_fds(&b, &mut [0u8; 1])?;
/// assert_eq!(fds.len(), 2);
/// assert!(fds[0].as_raw_fd() >= 0);
/// let kept: Vec<OwnedFd> = fds.into_iter().collect();
/// assert_eq!(kept.len(), 2);
/// # Ok::<(), rawscm::Error>(())
/// ```
pub struct Fds<const N: usize>(pub(crate) ArrayVec<OwnedFd, N>);

impl<const N: usize> Fds<N> {
    /// How many descriptors there are.
    ///
    /// # Examples
    /// ```
    /// # let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
    /// # rawscm::send(&a, b"x")?;
    /// let (_, fds) = rawscm::recv_fds::<3>(&b, &mut [0u8; 1])?;
    /// assert_eq!(fds.len(), 0);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    #[inline]
    pub const fn len(&self) -> usize {
        self.0.len
    }

    /// Whether there are none.
    ///
    /// # Examples
    /// ```
    /// # let (a, b) = rawscm::socketpair(rawscm::SocketType::Datagram, Default::default())?;
    /// # rawscm::send(&a, b"x")?;
    /// let (_, fds) = rawscm::recv_fds::<3>(&b, &mut [0u8; 1])?;
    /// assert!(fds.is_empty());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    #[inline]
    pub const fn is_empty(&self) -> bool {
        self.0.len == 0
    }

    /// Removes and returns the last descriptor.
    ///
    /// # Examples
    /// ```
    /// use rawscm::{recv_fds, send_fds, AsFd, SocketType};
    /// let (a, b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
    /// send_fds(&a, b"x", &[a.as_fd()])?;
    /// let (_, mut fds) = recv_fds::<1>(&b, &mut [0u8; 1])?;
    /// let fd: rawscm::OwnedFd = fds.pop().expect("one descriptor");
    /// assert!(fds.pop().is_none());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    #[inline]
    pub fn pop(&mut self) -> Option<OwnedFd> {
        self.0.pop()
    }
}

impl<const N: usize> core::ops::Deref for Fds<N> {
    type Target = [OwnedFd];
    #[inline]
    fn deref(&self) -> &[OwnedFd] {
        self.0.as_slice()
    }
}

impl<const N: usize> fmt::Debug for Fds<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, const N: usize> IntoIterator for &'a Fds<N> {
    type Item = &'a OwnedFd;
    type IntoIter = core::slice::Iter<'a, OwnedFd>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<const N: usize> IntoIterator for Fds<N> {
    type Item = OwnedFd;
    type IntoIter = FdsIntoIter<N>;
    fn into_iter(self) -> FdsIntoIter<N> {
        FdsIntoIter(self.0.into_iter())
    }
}

/// The descriptors of an [`Fds`], by value, in order; those not taken are
/// closed when it is dropped.
///
/// # Examples
/// ```
/// use rawscm::{recv_fds, send_fds, AsFd, SocketType};
/// let (a, b) = rawscm::socketpair(SocketType::Datagram, Default::default())?;
/// send_fds(&a, b"x", &[a.as_fd(), b.as_fd()])?;
/// let (_, fds) = recv_fds::<2>(&b, &mut [0u8; 1])?;
/// let mut it = fds.into_iter();
/// let first = it.next(); // ours now
/// assert_eq!(it.len(), 1);
/// drop(it); // closes the second
/// # Ok::<(), rawscm::Error>(())
/// ```
pub struct FdsIntoIter<const N: usize>(ArrayIntoIter<OwnedFd, N>);

impl<const N: usize> Iterator for FdsIntoIter<N> {
    type Item = OwnedFd;
    fn next(&mut self) -> Option<OwnedFd> {
        self.0.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<const N: usize> ExactSizeIterator for FdsIntoIter<N> {}

impl<const N: usize> fmt::Debug for FdsIntoIter<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.rest()).finish()
    }
}

/// An [`ArrayVec`] by value: its values in order, the rest dropped with it.
pub(crate) struct ArrayIntoIter<T, const N: usize> {
    vec: ArrayVec<T, N>,
    /// Slots `next..len` are still owned here; those before were moved out.
    next: usize,
}

impl<T, const N: usize> ArrayIntoIter<T, N> {
    /// The values not taken yet.
    fn rest(&self) -> &[T] {
        self.vec.as_slice().get(self.next..).unwrap_or_default()
    }
}

impl<T, const N: usize> Iterator for ArrayIntoIter<T, N> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        if self.next >= self.vec.len {
            return None;
        }
        let slot = self.vec.slots.get(self.next)?;
        self.next += 1;
        // SAFETY: the slot is below `len`, so initialised, and now below
        // `next` too, so no longer owned here (see Drop): read out once.
        Some(unsafe { slot.assume_init_read() })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.vec.len - self.next;
        (n, Some(n))
    }
}

impl<T, const N: usize> Drop for ArrayIntoIter<T, N> {
    fn drop(&mut self) {
        let (next, len) = (self.next, self.vec.len);
        // The storage must neither drop these again nor the ones moved out.
        self.vec.len = 0;
        let first = self.vec.slots.as_mut_ptr().cast::<T>().wrapping_add(next);
        let rest = core::ptr::slice_from_raw_parts_mut(first, len.saturating_sub(next));
        // SAFETY: `next <= len <= N`, and slots `next..len` were initialised
        // and still owned here; they are dropped exactly once.
        unsafe { core::ptr::drop_in_place(rest) }
    }
}

/// At most `N` values in order, on the stack: the storage of [`Fds`] (of
/// `OwnedFd`s) and of the ownership bookkeeping in `cmsg` (of a recorder in
/// its tests). Small, `#[inline]` methods that cannot panic: a receive
/// inlines into its caller with no unwinding path that must drop it, and
/// so does the drop.
pub(crate) struct ArrayVec<T, const N: usize> {
    /// `slots[..len]` are initialised, and `len <= N`.
    len: usize,
    slots: [MaybeUninit<T>; N],
}

impl<T, const N: usize> ArrayVec<T, N> {
    #[inline]
    pub(crate) const fn new() -> Self {
        ArrayVec { len: 0, slots: [const { MaybeUninit::uninit() }; N] }
    }

    /// Appends `value`, or hands it back when full.
    #[inline]
    pub(crate) fn push(&mut self, value: T) -> Result<(), T> {
        match self.slots.get_mut(self.len) {
            Some(slot) => {
                slot.write(value);
                self.len += 1;
                Ok(())
            }
            None => Err(value),
        }
    }

    /// Removes and returns the last value.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<T> {
        let last = self.len.checked_sub(1)?;
        let slot = self.slots.get(last)?;
        self.len = last;
        // SAFETY: slot `last` is initialised (it was below `len`) and no
        // longer counted, so it is read out exactly once.
        Some(unsafe { slot.assume_init_read() })
    }

    /// The values by value, in order.
    pub(crate) fn into_iter(self) -> ArrayIntoIter<T, N> {
        ArrayIntoIter { vec: self, next: 0 }
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[T] {
        // SAFETY: the first `len` slots are initialised (`len <= N`), and
        // `MaybeUninit<T>` has the layout of `T`.
        unsafe { core::slice::from_raw_parts(self.slots.as_ptr().cast::<T>(), self.len) }
    }
}

impl<T, const N: usize> Drop for ArrayVec<T, N> {
    #[inline]
    fn drop(&mut self) {
        // At most `N` turns, a bound the optimiser sees: for small `N` the
        // loop unrolls into straight code.
        for slot in self.slots.iter_mut().take(self.len) {
            // SAFETY: the first `len` slots are initialised; each is dropped
            // exactly once, here, as the storage goes away.
            unsafe { slot.assume_init_drop() }
        }
    }
}

/// The storage's bookkeeping with a recorder in place of descriptors (no
/// system calls: runs under Miri, `cargo xtask miri`).
#[cfg(test)]
mod array_tests {
    use super::ArrayVec;
    use std::cell::RefCell;
    use std::vec::Vec;

    /// Records its drop.
    struct Owner<'a>(i32, &'a RefCell<Vec<i32>>);
    impl Drop for Owner<'_> {
        fn drop(&mut self) {
            self.1.borrow_mut().push(self.0);
        }
    }

    #[test]
    fn every_value_is_dropped_exactly_once_however_it_leaves() {
        let dropped = RefCell::new(Vec::new());
        let fill = |n: i32| {
            let mut v = ArrayVec::<Owner<'_>, 3>::new();
            for i in 0..n {
                assert!(v.push(Owner(i, &dropped)).is_ok());
            }
            v
        };
        // Full: a fourth is handed back (and dropped by the caller).
        let mut v = fill(3);
        let back = v.push(Owner(9, &dropped));
        assert!(matches!(&back, Err(Owner(9, _))));
        drop(back);
        assert_eq!(v.as_slice().iter().map(|o| o.0).collect::<Vec<_>>(), [0, 1, 2]);
        // pop from the back, the rest with the storage.
        let last = v.pop().map(|o| o.0);
        assert_eq!(last, Some(2));
        drop(v);
        assert_eq!(*dropped.borrow(), [9, 2, 0, 1]);
        // By value: one taken, the rest dropped with the iterator.
        dropped.borrow_mut().clear();
        let mut it = fill(3).into_iter();
        assert_eq!(it.size_hint(), (3, Some(3)));
        let first = it.next();
        assert_eq!(it.size_hint(), (2, Some(2)));
        drop(it);
        assert_eq!(*dropped.borrow(), [1, 2]);
        drop(first);
        assert_eq!(*dropped.borrow(), [1, 2, 0]);
        // All taken: nothing left to drop twice.
        dropped.borrow_mut().clear();
        let all: Vec<_> = fill(3).into_iter().collect();
        assert!(dropped.borrow().is_empty());
        drop(all);
        assert_eq!(*dropped.borrow(), [0, 1, 2]);
        // Empty.
        let mut e = fill(0);
        assert!(e.pop().is_none() && e.as_slice().is_empty() && e.into_iter().next().is_none());
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
