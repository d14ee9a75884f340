//! The data buffers of `sendmsg`/`recvmsg`: [`IoSlice`] and [`IoSliceMut`],
//! each a `struct iovec` (from `linux-raw-sys`) that borrows a byte slice, so
//! that an array of them is the kernel's iovec array as is.

use core::marker::PhantomData;
use linux_raw_sys::general::iovec;

/// A data buffer to send: a `struct iovec` borrowing `&'a [u8]`.
///
/// # Examples
/// ```
/// let part = rawscm::IoSlice::new(b"hello");
/// assert_eq!(part.len(), 5);
/// ```
#[repr(transparent)]
pub struct IoSlice<'a> {
    vec: iovec,
    _data: PhantomData<&'a [u8]>,
}

impl<'a> IoSlice<'a> {
    /// Borrows `data`.
    ///
    /// # Examples
    /// ```
    /// let _ = rawscm::IoSlice::new(b"x");
    /// ```
    pub fn new(data: &'a [u8]) -> Self {
        IoSlice {
            vec: iovec { iov_base: data.as_ptr().cast_mut().cast(), iov_len: data.len() as _ },
            _data: PhantomData,
        }
    }

    /// Length in bytes.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::IoSlice::new(b"").is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.vec.iov_len as usize
    }

    /// Whether the slice is empty.
    ///
    /// # Examples
    /// ```
    /// assert!(!rawscm::IoSlice::new(b"x").is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A data buffer to receive into: a `struct iovec` borrowing `&'a mut [u8]`.
///
/// # Examples
/// ```
/// let mut buf = [0u8; 8];
/// let part = rawscm::IoSliceMut::new(&mut buf);
/// assert_eq!(part.len(), 8);
/// ```
#[repr(transparent)]
pub struct IoSliceMut<'a> {
    vec: iovec,
    _data: PhantomData<&'a mut [u8]>,
}

impl<'a> IoSliceMut<'a> {
    /// Borrows `data` mutably.
    ///
    /// # Examples
    /// ```
    /// let mut b = [0u8; 1];
    /// let _ = rawscm::IoSliceMut::new(&mut b);
    /// ```
    pub fn new(data: &'a mut [u8]) -> Self {
        IoSliceMut {
            vec: iovec { iov_base: data.as_mut_ptr().cast(), iov_len: data.len() as _ },
            _data: PhantomData,
        }
    }

    /// Length in bytes.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::IoSliceMut::new(&mut [0u8; 3]).len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.vec.iov_len as usize
    }

    /// Whether the slice is empty.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::IoSliceMut::new(&mut []).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

// SAFETY: an `IoSlice<'a>` is a `&'a [u8]` in the kernel's layout: it only
// ever reads through the pointer, so sharing or sending it is as sound as
// sharing or sending the slice.
unsafe impl Send for IoSlice<'_> {}
// SAFETY: as above.
unsafe impl Sync for IoSlice<'_> {}
// SAFETY: an `IoSliceMut<'a>` is a `&'a mut [u8]` in the kernel's layout: it
// has exclusive access to the bytes for `'a`, and `&mut [u8]` is `Send`.
unsafe impl Send for IoSliceMut<'_> {}
// SAFETY: a shared `&IoSliceMut` only reads the pointer and length, never
// the bytes, as a shared `&&mut [u8]` may.
unsafe impl Sync for IoSliceMut<'_> {}

impl core::fmt::Debug for IoSlice<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IoSlice").field("len", &self.len()).finish()
    }
}

impl core::fmt::Debug for IoSliceMut<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("IoSliceMut").field("len", &self.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_slices_are_send_and_sync_like_std() {
        fn both<T: Send + Sync>() {}
        both::<IoSlice<'_>>();
        both::<IoSliceMut<'_>>();
        let data = *b"abc";
        let s = IoSlice::new(&data);
        std::thread::scope(|t| {
            t.spawn(|| assert_eq!(s.len(), 3));
        });
    }

    #[test]
    fn an_io_slice_is_the_kernels_iovec() {
        assert_eq!(core::mem::size_of::<IoSlice<'_>>(), core::mem::size_of::<iovec>());
        assert_eq!(core::mem::align_of::<IoSliceMut<'_>>(), core::mem::align_of::<iovec>());
    }
}
