//! Signals without handlers: a typed [`Signal`] and [`SigSet`], the
//! thread's signal mask ([`sigprocmask`]), and [`SignalFd`], which turns
//! blocked signals into something to read, so that a `#![no_std]` program
//! waits for them in the same [`poll`](crate::poll) as its sockets and
//! pidfds.
//!
//! The usual pattern: block the signals (in every thread, before any other
//! thread exists), create a `SignalFd` for them, poll it with the rest, and
//! read a [`SigInfo`] when it is readable. A blocked signal stays pending
//! until read; nothing runs asynchronously, so no handler and no
//! async-signal-safety rules are involved.
//!
//! Signal numbers, the kernel's signal-set size and the highest signal
//! (`_NSIG`) come from `linux-raw-sys` for the target architecture: they
//! differ between architectures (on mips `SIGCHLD` is 18 and there are 128
//! signals). `struct signalfd_siginfo` is not in `linux-raw-sys` 0.12: its
//! layout (128 bytes, the same on every architecture) is written out below
//! from `include/uapi/linux/signalfd.h`.

use crate::errno::Errno;
use crate::error::{Error, Result};
use crate::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::process::Pid;
use crate::sys;
use core::fmt;
use linux_raw_sys::ctypes::c_ulong;
use linux_raw_sys::general as g;

/// A signal number, known to be one the kernel has: `1..=_NSIG` (64 on
/// the supported architectures).
///
/// # Examples
/// ```
/// use rawscm::signal::Signal;
/// assert_eq!(Signal::new(Signal::TERM.number())?, Signal::TERM);
/// assert!(Signal::new(0).is_err());
/// assert!(Signal::new(Signal::MAX + 1).is_err());
/// assert_eq!(Signal::realtime(0)?.number(), 32); // the kernel's SIGRTMIN
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(u8);

macro_rules! signals {
    ($($(#[$doc:meta])* $name:ident = $value:ident;)*) => {
        impl Signal {
            $($(#[$doc])* pub const $name: Signal = Signal(g::$value as u8);)*
        }
        /// The names of the classic signals, for `Debug`.
        const NAMES: &[(u32, &str)] = &[$((g::$value, stringify!($value)),)*];
    };
}

signals! {
    /// `SIGHUP`: the terminal hung up; by convention, "reload".
    HUP = SIGHUP;
    /// `SIGINT`: interrupt from the keyboard (Ctrl-C).
    INT = SIGINT;
    /// `SIGQUIT`: quit from the keyboard, with a core dump.
    QUIT = SIGQUIT;
    /// `SIGILL`: illegal instruction.
    ILL = SIGILL;
    /// `SIGTRAP`: trace or breakpoint trap.
    TRAP = SIGTRAP;
    /// `SIGABRT`: abort.
    ABRT = SIGABRT;
    /// `SIGBUS`: bus error.
    BUS = SIGBUS;
    /// `SIGFPE`: arithmetic exception.
    FPE = SIGFPE;
    /// `SIGKILL`: kill; cannot be blocked, caught or ignored.
    KILL = SIGKILL;
    /// `SIGUSR1`: user-defined.
    USR1 = SIGUSR1;
    /// `SIGSEGV`: invalid memory reference.
    SEGV = SIGSEGV;
    /// `SIGUSR2`: user-defined.
    USR2 = SIGUSR2;
    /// `SIGPIPE`: write to a pipe or socket with no reader.
    PIPE = SIGPIPE;
    /// `SIGALRM`: timer.
    ALRM = SIGALRM;
    /// `SIGTERM`: please terminate.
    TERM = SIGTERM;
    /// `SIGCHLD`: a child stopped, continued or ended.
    CHLD = SIGCHLD;
    /// `SIGCONT`: continue if stopped.
    CONT = SIGCONT;
    /// `SIGSTOP`: stop; cannot be blocked, caught or ignored.
    STOP = SIGSTOP;
    /// `SIGTSTP`: stop from the keyboard (Ctrl-Z).
    TSTP = SIGTSTP;
    /// `SIGTTIN`: terminal input for a background process.
    TTIN = SIGTTIN;
    /// `SIGTTOU`: terminal output for a background process.
    TTOU = SIGTTOU;
    /// `SIGURG`: urgent data on a socket.
    URG = SIGURG;
    /// `SIGXCPU`: CPU time limit exceeded.
    XCPU = SIGXCPU;
    /// `SIGXFSZ`: file size limit exceeded.
    XFSZ = SIGXFSZ;
    /// `SIGVTALRM`: virtual timer.
    VTALRM = SIGVTALRM;
    /// `SIGPROF`: profiling timer.
    PROF = SIGPROF;
    /// `SIGWINCH`: the terminal's window size changed.
    WINCH = SIGWINCH;
    /// `SIGIO`: I/O is possible.
    IO = SIGIO;
    /// `SIGPWR`: power failure.
    PWR = SIGPWR;
    /// `SIGSYS`: bad system call (also seccomp's `SECCOMP_RET_TRAP`).
    SYS = SIGSYS;
}

impl Signal {
    /// The highest signal number of this architecture (`_NSIG`).
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::Signal;
    /// assert_eq!(Signal::MAX, 64); // every supported architecture; 128 on mips
    /// ```
    pub const MAX: i32 = g::_NSIG as i32;

    /// The signal numbered `number`.
    ///
    /// # Errors
    /// [`Error::InvalidSignal`] unless `1 <= number <= Signal::MAX` (0 is
    /// not a signal: "does it exist" checks have their own calls, such as
    /// [`Pidfd::exists`](crate::pidfd::Pidfd::exists)).
    ///
    /// # Examples
    /// ```
    /// use rawscm::{signal::Signal, Error};
    /// assert_eq!(Signal::new(15)?, Signal::TERM); // on every supported architecture
    /// assert_eq!(Signal::new(-1), Err(Error::InvalidSignal { number: -1 }));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub const fn new(number: i32) -> Result<Signal> {
        if number >= 1 && number <= Self::MAX {
            Ok(Signal(number as u8))
        } else {
            Err(Error::InvalidSignal { number })
        }
    }

    /// Real-time signal `n`: the kernel's `SIGRTMIN + n` (`SIGRTMIN` is
    /// 32; note that glibc reserves 32 and 33 for itself and calls 34 its
    /// `SIGRTMIN`).
    ///
    /// # Errors
    /// [`Error::InvalidSignal`] past [`Signal::MAX`].
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::Signal;
    /// assert_eq!(Signal::realtime(2)?.number(), 34);
    /// assert!(Signal::realtime(1000).is_err());
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub const fn realtime(n: u32) -> Result<Signal> {
        let number = (g::SIGRTMIN as u64) + n as u64;
        if number > Self::MAX as u64 {
            return Err(Error::InvalidSignal {
                number: if number > i32::MAX as u64 { i32::MAX } else { number as i32 },
            });
        }
        Signal::new(number as i32)
    }

    /// The signal's number.
    ///
    /// # Examples
    /// ```
    /// assert_eq!(rawscm::signal::Signal::KILL.number(), 9);
    /// ```
    pub const fn number(self) -> i32 {
        self.0 as i32
    }

    /// The number as the system calls take it.
    pub(crate) const fn raw(self) -> u32 {
        self.0 as u32
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match NAMES.iter().find(|&&(n, _)| n == self.raw()) {
            Some((_, name)) => f.write_str(name),
            None if self.raw() >= g::SIGRTMIN => write!(f, "SIGRTMIN+{}", self.raw() - g::SIGRTMIN),
            None => write!(f, "Signal({})", self.0),
        }
    }
}

/// Bits per word of the kernel's signal set.
const WORD_BITS: u32 = c_ulong::BITS;

/// A set of signals in the kernel's layout (`kernel_sigset_t`, `_NSIG`
/// bits; the size `rt_sigprocmask` and `signalfd4` take).
///
/// # Examples
/// ```
/// use rawscm::signal::{SigSet, Signal};
/// let set = SigSet::empty().with(Signal::TERM).with(Signal::CHLD);
/// assert!(set.contains(Signal::TERM) && !set.contains(Signal::INT));
/// assert!(SigSet::full().contains(Signal::INT));
/// assert_eq!(set.iter().count(), 2);
/// ```
#[derive(Copy, Clone)]
pub struct SigSet(g::kernel_sigset_t);

impl SigSet {
    /// No signals.
    ///
    /// # Examples
    /// ```
    /// assert!(rawscm::signal::SigSet::empty().is_empty());
    /// ```
    pub const fn empty() -> SigSet {
        SigSet(g::kernel_sigset_t { sig: [0; sys::SIGSET_WORDS] })
    }

    /// Every signal (blocking it blocks all but `SIGKILL` and `SIGSTOP`,
    /// which the kernel never blocks).
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal};
    /// assert!(SigSet::full().contains(Signal::new(Signal::MAX)?));
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    pub const fn full() -> SigSet {
        SigSet(g::kernel_sigset_t { sig: [!0; sys::SIGSET_WORDS] })
    }

    /// The word and bit of `sig`.
    const fn at(sig: Signal) -> (usize, c_ulong) {
        let bit = sig.raw() - 1;
        ((bit / WORD_BITS) as usize, 1 << (bit % WORD_BITS))
    }

    /// Adds `sig`.
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal};
    /// let mut set = SigSet::empty();
    /// set.insert(Signal::HUP);
    /// assert!(set.contains(Signal::HUP));
    /// ```
    pub fn insert(&mut self, sig: Signal) {
        let (word, bit) = Self::at(sig);
        if let Some(w) = self.0.sig.get_mut(word) {
            *w |= bit;
        }
    }

    /// Removes `sig`.
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal};
    /// let mut set = SigSet::full();
    /// set.remove(Signal::HUP);
    /// assert!(!set.contains(Signal::HUP) && set.contains(Signal::INT));
    /// ```
    pub fn remove(&mut self, sig: Signal) {
        let (word, bit) = Self::at(sig);
        if let Some(w) = self.0.sig.get_mut(word) {
            *w &= !bit;
        }
    }

    /// `self` with `sig` added (for building sets in one expression).
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal};
    /// assert!(SigSet::empty().with(Signal::USR1).contains(Signal::USR1));
    /// ```
    #[must_use]
    pub fn with(mut self, sig: Signal) -> SigSet {
        self.insert(sig);
        self
    }

    /// Whether `sig` is in the set.
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal};
    /// assert!(!SigSet::empty().contains(Signal::TERM));
    /// ```
    pub fn contains(&self, sig: Signal) -> bool {
        let (word, bit) = Self::at(sig);
        self.0.sig.get(word).is_some_and(|w| w & bit != 0)
    }

    /// Whether the set is empty.
    ///
    /// # Examples
    /// ```
    /// assert!(!rawscm::signal::SigSet::full().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.sig.iter().all(|&w| w == 0)
    }

    /// The signals in the set, lowest first.
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal};
    /// let set = SigSet::empty().with(Signal::TERM).with(Signal::HUP);
    /// assert!(set.iter().eq([Signal::HUP, Signal::TERM]));
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = Signal> + '_ {
        (1..=Signal::MAX).filter_map(Signal::new_ok).filter(|&s| self.contains(s))
    }

    pub(crate) fn raw(&self) -> &g::kernel_sigset_t {
        &self.0
    }
}

impl Signal {
    fn new_ok(n: i32) -> Option<Signal> {
        Signal::new(n).ok()
    }
}

impl PartialEq for SigSet {
    fn eq(&self, other: &Self) -> bool {
        self.0.sig == other.0.sig
    }
}

impl Eq for SigSet {}

impl Default for SigSet {
    fn default() -> Self {
        SigSet::empty()
    }
}

impl fmt::Debug for SigSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// How [`sigprocmask`] changes the mask.
///
/// # Examples
/// ```
/// assert_ne!(rawscm::signal::MaskHow::Block, rawscm::signal::MaskHow::Unblock);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum MaskHow {
    /// `SIG_BLOCK`: add the set to the blocked signals.
    Block,
    /// `SIG_UNBLOCK`: remove the set from the blocked signals.
    Unblock,
    /// `SIG_SETMASK`: the set becomes the blocked signals.
    Set,
}

/// Changes the calling *thread's* signal mask and returns the previous one.
/// Blocked signals stay pending until unblocked or read from a
/// [`SignalFd`]. `SIGKILL` and `SIGSTOP` are never blocked (the kernel
/// drops them from the set silently).
///
/// `int rt_sigprocmask(int how, const kernel_sigset_t *set, kernel_sigset_t *old, size_t sigsetsize);`
///
/// Threads: each thread has its own mask; a signal sent to the process is
/// delivered to any thread that does not block it. Block signals meant for
/// a `SignalFd` before starting threads (new threads inherit the mask), or
/// in every thread. A forked child inherits the mask, and so does a
/// program started by `execve`; [`spawn`](crate::spawn::spawn) resets it.
///
/// # Errors
/// None in practice (`EFAULT` and `EINVAL` cannot happen with these types).
///
/// # Examples
/// ```
/// use rawscm::signal::{sigprocmask, signal_mask, MaskHow, SigSet, Signal};
/// let old = sigprocmask(MaskHow::Block, &SigSet::empty().with(Signal::USR2))?;
/// assert!(signal_mask()?.contains(Signal::USR2));
/// sigprocmask(MaskHow::Set, &old)?; // as it was
/// assert_eq!(signal_mask()?, old);
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [rt_sigprocmask(2)](https://man7.org/linux/man-pages/man2/rt_sigprocmask.2.html)
pub fn sigprocmask(how: MaskHow, set: &SigSet) -> Result<SigSet> {
    let how = match how {
        MaskHow::Block => g::SIG_BLOCK,
        MaskHow::Unblock => g::SIG_UNBLOCK,
        MaskHow::Set => g::SIG_SETMASK,
    };
    Ok(SigSet(sys::sigprocmask(how, Some(set.raw()))?))
}

/// The calling thread's signal mask.
///
/// `rt_sigprocmask(SIG_BLOCK, NULL, &old, sizeof(kernel_sigset_t))`
///
/// # Errors
/// None in practice.
///
/// # Examples
/// ```
/// let _blocked = rawscm::signal::signal_mask()?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [rt_sigprocmask(2)](https://man7.org/linux/man-pages/man2/rt_sigprocmask.2.html)
pub fn signal_mask() -> Result<SigSet> {
    Ok(SigSet(sys::sigprocmask(g::SIG_BLOCK, None)?))
}

/// A signalfd: a descriptor from which the pending signals of a set are
/// read instead of being delivered. Close-on-exec and non-blocking; it is
/// readable (for [`poll`](crate::poll) and
/// [`wait_readable`](crate::wait_readable)) while one of its signals is
/// pending for the calling thread or the process.
///
/// The signals must also be *blocked* (with [`sigprocmask`]); otherwise
/// they are delivered as usual (their default action may end the process)
/// before the descriptor sees them.
///
/// # Examples
/// ```
/// use core::time::Duration;
/// use rawscm::signal::{sigprocmask, MaskHow, SigSet, Signal, SignalFd};
/// let set = SigSet::empty().with(Signal::USR1);
/// let old = sigprocmask(MaskHow::Block, &set)?;
/// let sfd = SignalFd::new(&set)?;
/// assert!(sfd.read()?.is_none()); // nothing pending
/// rawscm::signal::raise_in_thread(Signal::USR1)?;
/// rawscm::wait_readable_for(&sfd, Duration::from_secs(5))?;
/// let info = sfd.read()?.expect("pending");
/// assert_eq!((info.signal, info.pid), (Signal::USR1, rawscm::getpid()));
/// sigprocmask(MaskHow::Set, &old)?;
/// # Ok::<(), rawscm::Error>(())
/// ```
#[derive(Debug)]
pub struct SignalFd {
    fd: OwnedFd,
}

/// `SFD_CLOEXEC` and `SFD_NONBLOCK` are defined as `O_CLOEXEC` and
/// `O_NONBLOCK` (`include/uapi/linux/signalfd.h`); linux-raw-sys has the
/// latter per architecture.
const SFD_FLAGS: u32 = g::O_CLOEXEC | g::O_NONBLOCK;

impl SignalFd {
    /// A signalfd for the signals of `set`.
    ///
    /// `int signalfd4(-1, &set, sizeof(kernel_sigset_t), SFD_CLOEXEC | SFD_NONBLOCK);` (Linux 2.6.27.)
    ///
    /// # Errors
    /// `EMFILE`/`ENFILE` (out of descriptors), `ENOMEM`.
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal, SignalFd};
    /// let sfd = SignalFd::new(&SigSet::empty().with(Signal::TERM))?;
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    pub fn new(set: &SigSet) -> Result<SignalFd> {
        Ok(SignalFd { fd: sys::signalfd_new(set.raw(), SFD_FLAGS)? })
    }

    /// Replaces the set of signals this descriptor reports.
    ///
    /// `int signalfd4(fd, &set, sizeof(kernel_sigset_t), 0);`
    ///
    /// # Errors
    /// `EINVAL` if the descriptor is not a signalfd.
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal, SignalFd};
    /// let sfd = SignalFd::new(&SigSet::empty())?;
    /// sfd.set_mask(&SigSet::empty().with(Signal::HUP))?;
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    pub fn set_mask(&self, set: &SigSet) -> Result<()> {
        sys::signalfd4(Some(self.fd.as_fd()), set.raw(), 0)?;
        Ok(())
    }

    /// Takes one pending signal of the set, if there is one (`None`: none
    /// pending; the descriptor never blocks).
    ///
    /// `read(fd, &info, sizeof(struct signalfd_siginfo))`; `EINTR` is
    /// retried.
    ///
    /// Standard signals do not queue: two `SIGCHLD`s sent before one is
    /// read are read once. Reap every ended child after a `SIGCHLD`, not
    /// one per signal.
    ///
    /// # Errors
    /// `EBADF`/`EINVAL` if the descriptor is not a signalfd.
    ///
    /// # Examples
    /// ```
    /// use rawscm::signal::{SigSet, Signal, SignalFd};
    /// let sfd = SignalFd::new(&SigSet::empty().with(Signal::USR2))?;
    /// assert_eq!(sfd.read()?, None);
    /// # Ok::<(), rawscm::Error>(())
    /// ```
    ///
    /// # References
    /// - [signalfd(2)](https://man7.org/linux/man-pages/man2/signalfd.2.html)
    pub fn read(&self) -> Result<Option<SigInfo>> {
        let mut buf = [0u8; SIGINFO_SIZE];
        match crate::errno::restart(|| sys::read(self.fd.as_fd(), &mut buf)) {
            Ok(SIGINFO_SIZE) => Ok(SigInfo::parse(&buf)),
            Ok(_) => Err(Error::Protocol),
            Err(Errno::EAGAIN) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

impl AsFd for SignalFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// What [`SignalFd::read`] reports about one signal (from `struct
/// signalfd_siginfo`).
///
/// # Examples
/// ```
/// use rawscm::signal::{SigInfo, Signal};
/// fn describe(info: &SigInfo) -> bool {
///     info.signal == Signal::CHLD && info.pid > 0
/// }
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SigInfo {
    /// The signal.
    pub signal: Signal,
    /// `si_code`: who sent it, `SI_USER` (0) for `kill`, `SI_TKILL` (-6)
    /// for `tgkill`; for `SIGCHLD` why (`CLD_EXITED` 1, `CLD_KILLED` 2, ...).
    pub code: i32,
    /// The sender's pid (for `SIGCHLD`, the child's), as seen in the
    /// receiver's pid namespace; 0 when the sender is not visible there or
    /// the kernel sent it.
    pub pid: Pid,
    /// The sender's real user id.
    pub uid: u32,
    /// For `SIGCHLD`, the exit code or the signal that ended the child.
    pub status: i32,
}

/// `struct signalfd_siginfo` (`include/uapi/linux/signalfd.h`): 128 bytes
/// on every architecture, native byte order; the offsets of the fields
/// read here. Not in linux-raw-sys 0.12.
const SIGINFO_SIZE: usize = 128;
const SSI_SIGNO: usize = 0;
const SSI_CODE: usize = 8;
const SSI_PID: usize = 12;
const SSI_UID: usize = 16;
const SSI_STATUS: usize = 40;

impl SigInfo {
    /// Decodes one `signalfd_siginfo`; `None` if the signal number is not
    /// one (the kernel never writes such).
    fn parse(buf: &[u8; SIGINFO_SIZE]) -> Option<SigInfo> {
        let word = |at: usize| {
            let b = buf.get(at..at + 4).unwrap_or(&[0; 4]);
            u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
        };
        Some(SigInfo {
            signal: Signal::new(word(SSI_SIGNO) as i32).ok()?,
            code: word(SSI_CODE) as i32,
            pid: word(SSI_PID) as i32,
            uid: word(SSI_UID),
            status: word(SSI_STATUS) as i32,
        })
    }
}

/// Sends `signal` to the calling thread (`tgkill(getpid(), gettid(),
/// signal)`): for tests and for re-raising a signal after restoring its
/// default action.
///
/// # Errors
/// None in practice.
///
/// # Examples
/// ```
/// use rawscm::signal::{raise_in_thread, sigprocmask, MaskHow, SigSet, Signal};
/// let set = SigSet::empty().with(Signal::USR2);
/// let old = sigprocmask(MaskHow::Block, &set)?;
/// raise_in_thread(Signal::USR2)?; // pending, not delivered
/// # let sfd = rawscm::signal::SignalFd::new(&set)?; let _ = sfd.read()?;
/// sigprocmask(MaskHow::Set, &old)?;
/// # Ok::<(), rawscm::Error>(())
/// ```
///
/// # References
/// - [tgkill(2)](https://man7.org/linux/man-pages/man2/tgkill.2.html)
pub fn raise_in_thread(signal: Signal) -> Result<()> {
    Ok(sys::tgkill_self(signal.raw())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_use_the_kernel_bit_layout() {
        let set = SigSet::empty().with(Signal::HUP).with(Signal::new(Signal::MAX).unwrap());
        assert_eq!(set.0.sig[0] & 1, 1, "signal 1 is bit 0 of the first word");
        let last = set.0.sig.len() - 1;
        assert_eq!(set.0.sig[last] >> (WORD_BITS - 1), 1, "signal _NSIG is the top bit");
        assert_eq!(core::mem::size_of::<SigSet>() * 8, Signal::MAX as usize);
        assert_eq!(SigSet::full().iter().count(), Signal::MAX as usize);
        let mut s = SigSet::full();
        s.remove(Signal::TERM);
        assert!(!s.contains(Signal::TERM) && s.contains(Signal::INT));
        assert_eq!(std::format!("{:?}", SigSet::empty().with(Signal::TERM)), "{SIGTERM}");
        assert_eq!(std::format!("{:?}", Signal::realtime(3).unwrap()), "SIGRTMIN+3");
    }

    #[test]
    fn out_of_range_numbers_are_typed_errors() {
        for n in [0, -1, Signal::MAX + 1, i32::MAX, i32::MIN] {
            assert_eq!(Signal::new(n), Err(Error::InvalidSignal { number: n }));
        }
        assert!(Signal::realtime(u32::MAX).is_err());
        assert_eq!(Signal::realtime((Signal::MAX - 32) as u32).unwrap().number(), Signal::MAX);
    }

    #[test]
    fn siginfo_parses_native_endian_fields() {
        let mut buf = [0u8; SIGINFO_SIZE];
        buf[SSI_SIGNO..][..4].copy_from_slice(&17u32.to_ne_bytes());
        buf[SSI_CODE..][..4].copy_from_slice(&2i32.to_ne_bytes());
        buf[SSI_PID..][..4].copy_from_slice(&4242u32.to_ne_bytes());
        buf[SSI_UID..][..4].copy_from_slice(&1000u32.to_ne_bytes());
        buf[SSI_STATUS..][..4].copy_from_slice(&9i32.to_ne_bytes());
        let info = SigInfo::parse(&buf).unwrap();
        assert_eq!(
            info,
            SigInfo { signal: Signal::new(17).unwrap(), code: 2, pid: 4242, uid: 1000, status: 9 }
        );
        buf[SSI_SIGNO..][..4].copy_from_slice(&0u32.to_ne_bytes());
        assert_eq!(SigInfo::parse(&buf), None);
    }
}
