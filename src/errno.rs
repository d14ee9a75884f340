//! [`Errno`]: a Linux error number, with its value taken per architecture
//! from `linux-raw-sys` (mips, powerpc and sparc number some errors
//! differently), its symbolic name and a short description, all in no_std.

use core::fmt;

/// Calls `f` until it does not fail with `EINTR`: for calls that lose
/// nothing by being made again. The one restart loop of the crate, for
/// system-call results (`Errno`) and crate results (`Error`) alike.
pub(crate) fn restart<T, E: PartialEq + From<Errno>>(mut f: impl FnMut() -> Result<T, E>) -> Result<T, E> {
    loop {
        match f() {
            Err(e) if e == E::from(Errno::EINTR) => continue,
            other => return other,
        }
    }
}

/// An error number returned by a Linux system call.
///
/// The associated constants carry the value of the *target* architecture,
/// so `Errno::EDEADLOCK` is 35 on x86_64 and 58 on powerpc64.
///
/// # Examples
/// ```
/// use rawscm::Errno;
/// let e = Errno::EBADF;
/// assert_eq!(e.name(), Some("EBADF"));
/// assert_eq!(e.to_string(), "EBADF: bad file descriptor");
/// assert_eq!(Errno::from_raw(e.raw()), e);
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash)]
pub struct Errno(u16);

impl Errno {
    /// The errno for a raw (positive) value, as the kernel returns it
    /// negated. Values outside 1..=4095 are not error numbers; they become
    /// 4095, the largest value the kernel's error range can hold, which no
    /// errno uses, so a bad value stays visible instead of turning into a
    /// real errno.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::Errno::from_raw(9).raw(), 9);
    /// assert_eq!(rawscm::Errno::from_raw(-1).raw(), 4095);
    /// assert_eq!(rawscm::Errno::from_raw(-1).name(), None);
    /// ```
    pub const fn from_raw(raw: i32) -> Errno {
        if raw > 0 && raw < 4096 { Errno(raw as u16) } else { Errno(4095) }
    }

    /// The raw (positive) error number.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::Errno::EPERM.raw() > 0);
    /// ```
    pub const fn raw(self) -> i32 {
        self.0 as i32
    }

    /// The symbolic name (`"EBADF"`), or `None` for a number this crate
    /// does not know.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::Errno::ESRCH.name(), Some("ESRCH"));
    /// ```
    pub fn name(self) -> Option<&'static str> {
        self.entry().map(|&(_, name, _)| name)
    }

    /// A short description (`"bad file descriptor"`), or `None` for a
    /// number this crate does not know.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::Errno::EPERM.description(), Some("operation not permitted"));
    /// ```
    pub fn description(self) -> Option<&'static str> {
        self.entry().map(|&(_, _, desc)| desc)
    }

    fn entry(self) -> Option<&'static (u16, &'static str, &'static str)> {
        TABLE.iter().find(|(v, _, _)| *v == self.0)
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.entry() {
            Some((_, name, desc)) => write!(f, "{name}: {desc}"),
            None => write!(f, "unknown error {}", self.0),
        }
    }
}

impl core::error::Error for Errno {}

macro_rules! errnos {
    ($($name:ident $desc:literal)*) => {
        /// Per-architecture values, from linux-raw-sys (see [`EDEADLOCK`]).
        mod value {
            pub(super) use linux_raw_sys::errno::*;
            pub(super) const EDEADLOCK: u32 = super::EDEADLOCK as u32;
        }
        impl Errno {
            $(
                #[doc = concat!("`", stringify!($name), "`: ", $desc, ".")]
                pub const $name: Errno = Errno(value::$name as u16);
            )*
        }
        /// (value, name, description); aliases (`EWOULDBLOCK`, `EDEADLOCK`
        /// where it equals `EDEADLK`) come after the name they alias, so the
        /// lookup finds the usual name first.
        static TABLE: &[(u16, &str, &str)] = &[$((value::$name as u16, stringify!($name), $desc),)*];
    };
}

errnos! {
    EPERM "operation not permitted"
    ENOENT "no such file or directory"
    ESRCH "no such process"
    EINTR "interrupted system call"
    EIO "input/output error"
    ENXIO "no such device or address"
    E2BIG "argument list too long"
    ENOEXEC "exec format error"
    EBADF "bad file descriptor"
    ECHILD "no child processes"
    EAGAIN "resource temporarily unavailable"
    ENOMEM "cannot allocate memory"
    EACCES "permission denied"
    EFAULT "bad address"
    ENOTBLK "block device required"
    EBUSY "device or resource busy"
    EEXIST "file exists"
    EXDEV "invalid cross-device link"
    ENODEV "no such device"
    ENOTDIR "not a directory"
    EISDIR "is a directory"
    EINVAL "invalid argument"
    ENFILE "too many open files in system"
    EMFILE "too many open files"
    ENOTTY "inappropriate ioctl for device"
    ETXTBSY "text file busy"
    EFBIG "file too large"
    ENOSPC "no space left on device"
    ESPIPE "illegal seek"
    EROFS "read-only file system"
    EMLINK "too many links"
    EPIPE "broken pipe"
    EDOM "numerical argument out of domain"
    ERANGE "numerical result out of range"
    EDEADLK "resource deadlock avoided"
    ENAMETOOLONG "file name too long"
    ENOLCK "no locks available"
    ENOSYS "function not implemented"
    ENOTEMPTY "directory not empty"
    ELOOP "too many levels of symbolic links"
    ENOMSG "no message of desired type"
    EIDRM "identifier removed"
    ECHRNG "channel number out of range"
    EL2NSYNC "level 2 not synchronized"
    EL3HLT "level 3 halted"
    EL3RST "level 3 reset"
    ELNRNG "link number out of range"
    EUNATCH "protocol driver not attached"
    ENOCSI "no CSI structure available"
    EL2HLT "level 2 halted"
    EBADE "invalid exchange"
    EBADR "invalid request descriptor"
    EXFULL "exchange full"
    ENOANO "no anode"
    EBADRQC "invalid request code"
    EBADSLT "invalid slot"
    EBFONT "bad font file format"
    ENOSTR "device not a stream"
    ENODATA "no data available"
    ETIME "timer expired"
    ENOSR "out of streams resources"
    ENONET "machine is not on the network"
    ENOPKG "package not installed"
    EREMOTE "object is remote"
    ENOLINK "link has been severed"
    EADV "advertise error"
    ESRMNT "srmount error"
    ECOMM "communication error on send"
    EPROTO "protocol error"
    EMULTIHOP "multihop attempted"
    EDOTDOT "RFS specific error"
    EBADMSG "bad message"
    EOVERFLOW "value too large for defined data type"
    ENOTUNIQ "name not unique on network"
    EBADFD "file descriptor in bad state"
    EREMCHG "remote address changed"
    ELIBACC "can not access a needed shared library"
    ELIBBAD "accessing a corrupted shared library"
    ELIBSCN ".lib section in a.out corrupted"
    ELIBMAX "attempting to link in too many shared libraries"
    ELIBEXEC "cannot exec a shared library directly"
    EILSEQ "invalid or incomplete multibyte or wide character"
    ERESTART "interrupted system call should be restarted"
    ESTRPIPE "streams pipe error"
    EUSERS "too many users"
    ENOTSOCK "socket operation on non-socket"
    EDESTADDRREQ "destination address required"
    EMSGSIZE "message too long"
    EPROTOTYPE "protocol wrong type for socket"
    ENOPROTOOPT "protocol not available"
    EPROTONOSUPPORT "protocol not supported"
    ESOCKTNOSUPPORT "socket type not supported"
    EOPNOTSUPP "operation not supported"
    EPFNOSUPPORT "protocol family not supported"
    EAFNOSUPPORT "address family not supported by protocol"
    EADDRINUSE "address already in use"
    EADDRNOTAVAIL "cannot assign requested address"
    ENETDOWN "network is down"
    ENETUNREACH "network is unreachable"
    ENETRESET "network dropped connection on reset"
    ECONNABORTED "software caused connection abort"
    ECONNRESET "connection reset by peer"
    ENOBUFS "no buffer space available"
    EISCONN "transport endpoint is already connected"
    ENOTCONN "transport endpoint is not connected"
    ESHUTDOWN "cannot send after transport endpoint shutdown"
    ETOOMANYREFS "too many references: cannot splice"
    ETIMEDOUT "connection timed out"
    ECONNREFUSED "connection refused"
    EHOSTDOWN "host is down"
    EHOSTUNREACH "no route to host"
    EALREADY "operation already in progress"
    EINPROGRESS "operation now in progress"
    ESTALE "stale file handle"
    EUCLEAN "structure needs cleaning"
    ENOTNAM "not a XENIX named type file"
    ENAVAIL "no XENIX semaphores available"
    EISNAM "is a named type file"
    EREMOTEIO "remote I/O error"
    EDQUOT "disk quota exceeded"
    ENOMEDIUM "no medium found"
    EMEDIUMTYPE "wrong medium type"
    ECANCELED "operation canceled"
    ENOKEY "required key not available"
    EKEYEXPIRED "key has expired"
    EKEYREVOKED "key has been revoked"
    EKEYREJECTED "key was rejected by service"
    EOWNERDEAD "owner died"
    ENOTRECOVERABLE "state not recoverable"
    ERFKILL "operation not possible due to RF-kill"
    EHWPOISON "memory page has hardware error"
    EWOULDBLOCK "resource temporarily unavailable"
    EDEADLOCK "resource deadlock avoided"
}

/// `EDEADLOCK` from linux-raw-sys, except on powerpc: linux-raw-sys 0.12.1
/// gives the asm-generic alias (35 = `EDEADLK`) there, but
/// `arch/powerpc/include/uapi/asm/errno.h` redefines it as 58, which is what
/// the kernel returns. The single hand-written errno value in the crate.
#[cfg(any(target_arch = "powerpc", target_arch = "powerpc64"))]
const EDEADLOCK: u16 = 58;
#[cfg(not(any(target_arch = "powerpc", target_arch = "powerpc64")))]
const EDEADLOCK: u16 = linux_raw_sys::errno::EDEADLOCK as u16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique_per_value() {
        for &(v, name, desc) in TABLE {
            let e = Errno(v);
            assert!(!desc.is_empty());
            // Aliases resolve to the first name with that value.
            let first = TABLE.iter().find(|(w, _, _)| *w == v).unwrap().1;
            assert_eq!(e.name(), Some(first), "{name}");
        }
        assert_eq!(Errno::EAGAIN.name(), Some("EAGAIN"));
        assert_eq!(Errno::EWOULDBLOCK, Errno::EAGAIN);
    }

    #[test]
    fn out_of_range_is_kept_distinct() {
        assert_eq!(Errno::from_raw(0).raw(), 4095);
        assert_eq!(Errno::from_raw(-3).raw(), 4095);
        assert_eq!(Errno::from_raw(4095).name(), None);
        assert_eq!(std::format!("{}", Errno::from_raw(4095)), "unknown error 4095");
    }
}
