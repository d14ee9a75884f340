//! The memory functions the compiler emits calls to (`memcpy`, `memmove`,
//! `memset`, `memcmp`, `bcmp`), and `strlen`, which `CStr::from_ptr` calls:
//! a program without libc has to bring them. Byte loops (a word at a time
//! where both sides are aligned) with volatile accesses, so that the
//! optimiser cannot turn a loop back into a call to the function it is in.
//! Correct rather than fast.
//!
//! Strong symbols: this crate refuses to link into a program with std (and
//! so libc), which is why it is a crate and not a feature of rawscm. Plain
//! functions in unit tests (the test binary has libc's).

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
            unsafe { write_volatile(dest.add(i).cast::<usize>(), read_volatile(src.add(i).cast::<usize>())) };
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

#[cfg(test)]
mod tests {
    use super::{bcmp, memcmp, memcpy, memmove, memset, strlen};

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
}
