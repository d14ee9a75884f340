//! [`UnixAddr`]: a Unix socket address of any of unix(7)'s three kinds, held
//! in a `struct sockaddr_un` (from `linux-raw-sys`) with its length, with no
//! allocation. Plain data: no system call.
//!
//! The kernel's rules (`net/unix/af_unix.c`), which the length decides:
//! - *unnamed*: the length is that of the family alone (2); binding such an
//!   address asks the kernel for an abstract name (autobind: a NUL and five
//!   hex digits);
//! - *abstract*: `sun_path[0]` is NUL; the name is the `len - 3` bytes after
//!   it, any bytes, NULs included, with no terminator;
//! - *path*: a filesystem path, ending at its first NUL. Paths given here
//!   take at most 107 bytes plus the NUL; the kernel also accepts, and may
//!   hand back, a 108-byte path with no NUL (then with a length of 111, past
//!   the structure): both read back exactly.

use crate::error::{Error, Malformed, Result};
use core::fmt;
use core::mem::{offset_of, size_of};
use linux_raw_sys::net::{__kernel_sa_family_t, AF_UNIX, sockaddr_un};

/// Where `sun_path` starts: the size of the family field (2).
const PATH_AT: usize = offset_of!(sockaddr_un, sun_path);
/// Bytes of `sun_path` (108).
const PATH_LEN: usize = size_of::<sockaddr_un>() - PATH_AT;
/// Most bytes of a path (without its NUL) or abstract name (without its
/// leading NUL) that can be given (107).
const MAX_NAME: usize = PATH_LEN - 1;

const _: () = assert!(PATH_AT == size_of::<__kernel_sa_family_t>() && PATH_LEN == 108);

/// A Unix socket address: a filesystem path, an abstract name, or unnamed.
///
/// # Examples
/// ```
/// use rawscm::{AddrKind, UnixAddr};
/// let a = UnixAddr::path(b"/run/demo.sock")?;
/// assert_eq!(a.kind(), AddrKind::Path(b"/run/demo.sock"));
/// let b = UnixAddr::abstract_name(b"demo")?;
/// assert_eq!(b.to_string(), "@demo");
/// assert_eq!(UnixAddr::unnamed().kind(), AddrKind::Unnamed);
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone)]
pub struct UnixAddr {
    /// `sun_path`, as bytes.
    path: [u8; PATH_LEN],
    /// The address length, as given to or by the kernel.
    len: u32,
}

/// The kind of a [`UnixAddr`], with its name.
///
/// # Examples
/// ```
/// use rawscm::{AddrKind, UnixAddr};
/// match UnixAddr::abstract_name(b"x")?.kind() {
///     AddrKind::Abstract(name) => assert_eq!(name, b"x"),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum AddrKind<'a> {
    /// No name (a socketpair end, an unbound socket, the family alone).
    Unnamed,
    /// A filesystem path, without its NUL.
    Path(&'a [u8]),
    /// An abstract name, without its leading NUL (any bytes).
    Abstract(&'a [u8]),
}

impl UnixAddr {
    /// An address with `len` bytes of `name` after `lead` leading bytes of
    /// `sun_path` (0 or 1 NUL), and `terminator` more bytes of length (the
    /// path's NUL).
    fn with(lead: usize, name: &[u8], terminator: usize) -> UnixAddr {
        let mut path = [0; PATH_LEN];
        for (slot, &b) in path.iter_mut().skip(lead).zip(name) {
            *slot = b;
        }
        UnixAddr { path, len: (PATH_AT + lead + name.len() + terminator) as u32 }
    }

    /// A filesystem path (`sockaddr_un` with the path and its NUL).
    ///
    /// # Errors
    /// [`Error::AddressTooLong`] above 107 bytes (never truncated);
    /// [`Malformed::Empty`] for an empty path (use [`unnamed`](Self::unnamed));
    /// [`Malformed::Nul`] for a NUL inside.
    ///
    /// # Examples
    /// ```
    /// use rawscm::{Error, UnixAddr};
    /// assert!(UnixAddr::path(&[b'a'; 107]).is_ok());
    /// assert_eq!(UnixAddr::path(&[b'a'; 108]).unwrap_err(), Error::AddressTooLong { len: 108, max: 107 });
    /// ```
    pub fn path(path: &[u8]) -> Result<UnixAddr> {
        if path.is_empty() {
            return Err(Error::Malformed(Malformed::Empty));
        }
        if path.contains(&0) {
            return Err(Error::Malformed(Malformed::Nul));
        }
        if path.len() > MAX_NAME {
            return Err(Error::AddressTooLong { len: path.len(), max: MAX_NAME });
        }
        Ok(UnixAddr::with(0, path, 1))
    }

    /// An abstract name (Linux only: no file, gone with the socket). Any
    /// bytes, NULs included; shown as `@name`.
    ///
    /// # Errors
    /// [`Error::AddressTooLong`] above 107 bytes.
    ///
    /// # Examples
    /// ```
    /// let a = rawscm::UnixAddr::abstract_name(b"with\0nul")?;
    /// assert_eq!(a.len(), 2 + 1 + 8);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn abstract_name(name: &[u8]) -> Result<UnixAddr> {
        if name.len() > MAX_NAME {
            return Err(Error::AddressTooLong { len: name.len(), max: MAX_NAME });
        }
        Ok(UnixAddr::with(1, name, 0))
    }

    /// The family alone: an unnamed address. Binding it asks the kernel to
    /// choose an abstract name (autobind).
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::UnixAddr::unnamed().len(), 2);
    /// ```
    pub const fn unnamed() -> UnixAddr {
        UnixAddr { path: [0; PATH_LEN], len: PATH_AT as u32 }
    }

    /// Parses an address as the kernel returns it: `sockaddr` bytes (at
    /// most the structure's 110 are read) and the `addrlen` it reported,
    /// which may exceed them (a 108-byte path without NUL reports 111).
    /// Never panics, whatever the bytes.
    ///
    /// # Errors
    /// [`Malformed::Address`] when the family is not `AF_UNIX`.
    ///
    /// # Examples
    /// ```
    /// use rawscm::{AddrKind, UnixAddr};
    /// let mut raw = [0u8; 110];
    /// raw[..2].copy_from_slice(&1u16.to_ne_bytes()); // AF_UNIX
    /// raw[3..6].copy_from_slice(b"abc");
    /// let a = UnixAddr::from_raw(&raw, 2 + 4)?;
    /// assert_eq!(a.kind(), AddrKind::Abstract(b"abc"));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn from_raw(sockaddr: &[u8], addrlen: usize) -> Result<UnixAddr> {
        let mut addr = UnixAddr::unnamed();
        let family = sockaddr.first_chunk::<PATH_AT>().map(|f| __kernel_sa_family_t::from_ne_bytes(*f));
        if family.is_some_and(|f| u32::from(f) != AF_UNIX) {
            return Err(Error::Malformed(Malformed::Address));
        }
        let path = sockaddr.get(PATH_AT..).unwrap_or_default();
        for (slot, &b) in addr.path.iter_mut().zip(path) {
            *slot = b;
        }
        addr.len = addrlen.min(u32::MAX as usize) as u32;
        Ok(addr)
    }

    /// The address as the kernel reported it: `sockaddr_un` and length.
    #[allow(clippy::unnecessary_cast)] // c_char is i8 on some targets, u8 on others
    pub(crate) fn from_kernel(raw: &sockaddr_un, len: u32) -> UnixAddr {
        let mut path = [0; PATH_LEN];
        for (slot, &c) in path.iter_mut().zip(&raw.sun_path) {
            *slot = c as u8; // c_char is i8 or u8: the same byte
        }
        UnixAddr { path, len }
    }

    /// The `sockaddr_un` and the length to pass with it (at most the
    /// structure's size).
    pub(crate) fn to_raw(self) -> (sockaddr_un, u32) {
        let mut raw = sockaddr_un { sun_family: AF_UNIX as __kernel_sa_family_t, sun_path: [0; PATH_LEN] };
        for (slot, &b) in raw.sun_path.iter_mut().zip(&self.path) {
            *slot = b as _;
        }
        (raw, self.len.min(size_of::<sockaddr_un>() as u32))
    }

    /// The address length (`addrlen`): 2 for unnamed, 2 + 1 + name for
    /// abstract, 2 + path + 1 for a path.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::UnixAddr::path(b"/x")?.len(), 5);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    #[allow(clippy::len_without_is_empty)] // "empty" is `AddrKind::Unnamed`
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// What kind of address this is, with its name.
    ///
    /// # Examples
    /// ```
    /// use rawscm::{AddrKind, UnixAddr};
    /// assert_eq!(UnixAddr::path(b"/tmp/s")?.kind(), AddrKind::Path(b"/tmp/s"));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub fn kind(&self) -> AddrKind<'_> {
        let n = (self.len as usize).saturating_sub(PATH_AT).min(PATH_LEN);
        let bytes = self.path_bytes(n);
        match bytes.split_first() {
            None => AddrKind::Unnamed,
            Some((0, name)) => AddrKind::Abstract(name),
            Some(_) => AddrKind::Path(bytes.split(|&b| b == 0).next().unwrap_or_default()),
        }
    }

    /// The first `n` (at most 108) bytes of `sun_path`.
    fn path_bytes(&self, n: usize) -> &[u8] {
        self.path.get(..n).unwrap_or_default()
    }
}

impl PartialEq for UnixAddr {
    fn eq(&self, other: &UnixAddr) -> bool {
        self.kind() == other.kind()
    }
}

impl Eq for UnixAddr {}

impl fmt::Debug for UnixAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UnixAddr({self})")
    }
}

/// Paths as they are (bytes that are not UTF-8 escaped), abstract names as
/// `@name` with every byte that is not printable ASCII escaped (`\x00`),
/// unnamed as `(unnamed)`.
impl fmt::Display for UnixAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (prefix, name) = match self.kind() {
            AddrKind::Unnamed => return f.write_str("(unnamed)"),
            AddrKind::Path(p) => ("", p),
            AddrKind::Abstract(n) => ("@", n),
        };
        f.write_str(prefix)?;
        for chunk in name.utf8_chunks() {
            for c in chunk.valid().chars() {
                if prefix == "@" && (c.is_control() || c == '\\') {
                    write!(f, "\\x{:02x}", c as u32)?;
                } else {
                    fmt::Write::write_char(f, c)?;
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    fn raw_of(a: &UnixAddr) -> std::vec::Vec<u8> {
        let mut v = std::vec::Vec::from((AF_UNIX as u16).to_ne_bytes());
        v.extend(a.path_bytes(PATH_LEN));
        v
    }

    #[test]
    fn lengths_follow_the_kernels_rules() {
        assert_eq!(UnixAddr::path(b"/a").unwrap().len(), 2 + 2 + 1);
        assert_eq!(UnixAddr::abstract_name(b"ab").unwrap().len(), 2 + 1 + 2);
        assert_eq!(UnixAddr::abstract_name(b"").unwrap().kind(), AddrKind::Abstract(b""));
        assert_eq!(UnixAddr::unnamed().len(), 2);
        assert_eq!(UnixAddr::path(&[b'p'; 107]).unwrap().len(), 110);
        assert_eq!(UnixAddr::abstract_name(&[7; 107]).unwrap().len(), 110);
        assert_eq!(
            UnixAddr::abstract_name(&[7; 108]).unwrap_err(),
            Error::AddressTooLong { len: 108, max: 107 }
        );
        assert_eq!(UnixAddr::path(b"").unwrap_err(), Error::Malformed(Malformed::Empty));
    }

    #[test]
    fn a_108_byte_path_without_nul_reads_back_exactly() {
        let mut raw = [b'q'; 110];
        raw[..2].copy_from_slice(&(AF_UNIX as u16).to_ne_bytes());
        for len in [110, 111, 200, usize::MAX] {
            let a = UnixAddr::from_raw(&raw, len).unwrap();
            assert_eq!(a.kind(), AddrKind::Path(&[b'q'; 108]), "addrlen {len}");
            assert_eq!(a.to_raw().1, 110);
        }
    }

    #[test]
    fn round_trips_through_raw_bytes() {
        for a in [
            UnixAddr::path(b"/run/x.sock").unwrap(),
            UnixAddr::abstract_name(b"a\0b\xff").unwrap(),
            UnixAddr::unnamed(),
            UnixAddr::path(&[b'z'; 107]).unwrap(),
        ] {
            let back = UnixAddr::from_raw(&raw_of(&a), a.len()).unwrap();
            assert_eq!(back, a);
            assert_eq!(back.len(), a.len());
        }
    }

    #[test]
    fn short_or_foreign_bytes_never_panic() {
        for len in 0..=120 {
            for bytes in [&[][..], &[1][..], &[1, 0][..], &[1, 0, 0][..], &[1, 0, b'/', b'x'][..]] {
                if let Ok(a) = UnixAddr::from_raw(bytes, len) {
                    let _ = a.kind();
                    let _ = a.to_string();
                }
            }
        }
        assert_eq!(UnixAddr::from_raw(&[2, 0, 0], 3).unwrap_err(), Error::Malformed(Malformed::Address));
    }

    #[test]
    fn display_marks_abstract_names_and_escapes_them() {
        assert_eq!(UnixAddr::abstract_name(b"a\0\x7f\\z").unwrap().to_string(), "@a\\x00\\x7f\\x5cz");
        assert_eq!(UnixAddr::path(b"/t/\xffx").unwrap().to_string(), "/t/\\xffx");
        assert_eq!(UnixAddr::unnamed().to_string(), "(unnamed)");
    }
}
