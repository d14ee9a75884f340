//! Unix-socket and process plumbing for Linux with no libc: descriptors,
//! credentials and pidfds over Unix sockets; sockets of every kind;
//! `sd_notify` and socket activation; fork, exec and wait; and lxcfs's
//! init-pid lookup. `#![no_std]`, no allocator, system calls issued
//! directly, stable Rust. Built for static binaries, init programs (PID 1)
//! and container helpers.
//!
//! ```
//! use rawscm::{recv_fds, send_fds, socketpair, AsFd, SocketType};
//!
//! let (parent, child) = socketpair(SocketType::Stream, Default::default())?;
//! let (x, _y) = socketpair(SocketType::Stream, Default::default())?;
//! send_fds(&parent, b"here", &[x.as_fd()])?; // the kernel duplicates `x`
//! let mut buf = [0u8; 4];
//! let (len, fds) = recv_fds::<1>(&child, &mut buf)?;
//! assert_eq!(&buf[..len], b"here");
//! assert_eq!(fds.len(), 1); // an OwnedFd: closed when dropped
//! # Ok::<(), rawscm::Error>(())
//! ```
//!
//! The low-level form gives full control of the control buffers:
//!
//! ```
//! use rawscm::*;
//! let (a, b) = socketpair(SocketType::Datagram, SocketFlags::default())?;
//! set_passcred(&b, true)?; // before the peer sends
//! let mut out = SendControl::<{ space_for_fds(1) + SPACE_CREDENTIALS }>::new();
//! out.push_fds(&[a.as_fd()])?; // borrowed for as long as `out` lives
//! out.push_credentials(Ucred::current())?;
//! sendmsg(&a, &[IoSlice::new(b"x")], &out, SendFlags::default())?; // MSG_NOSIGNAL
//!
//! let mut data = [0u8; 1];
//! let mut control = RecvControl::<{ space_for_fds(1) + SPACE_CREDENTIALS }>::new();
//! let got: Received<1> =
//!     recvmsg(&b, &mut [IoSliceMut::new(&mut data)], &mut control, RecvFlags::default())?; // MSG_CMSG_CLOEXEC
//! assert_eq!(got.credentials, Some(Ucred::current()));
//! assert_eq!((got.fds.len(), got.fds_closed, got.control_truncated), (1, 0, false));
//! # Ok::<(), rawscm::Error>(())
//! ```
//!
//! # Guarantees
//! - **I/O safety.** Safe code cannot send, close or wait on what it does
//!   not own: [`SendControl`] borrows the descriptors it names for as long
//!   as it can be sent, a receive buffer ([`RecvControl`]) cannot be sent,
//!   and every function that adopts a number from outside the kernel's
//!   answer to a call is an `unsafe fn` ([`OwnedFd::from_raw_fd`],
//!   [`activation::listen_fds`]).
//! - **Nothing leaks.** Every descriptor that arrives is owned by the
//!   caller or closed, whatever the control data looks like (truncation,
//!   surplus, unexpected types, a negative `SCM_PIDFD`); every child the
//!   crate starts is reaped on every path, and cannot be reaped by anything
//!   else first.
//! - **No panic** and no out-of-bounds read on any bytes received or
//!   parsed (control data, addresses, notifications, environment values):
//!   property tests, fuzz targets and Miri check it.
//! - **Honest deadlines.** Waits take a [`Deadline`] on the monotonic
//!   clock; `EINTR` never extends them; a failing clock is
//!   [`Error::Clock`], never "wait forever"; 32-bit targets use the time64
//!   calls.
//! - **Safe defaults.** Sends use `MSG_NOSIGNAL`, receives
//!   `MSG_CMSG_CLOEXEC`, new descriptors are close-on-exec, unless the
//!   caller opts out with the `empty()` flags.
//! - Constants and struct layouts come from `linux-raw-sys` for the target
//!   architecture; the few the kernel keeps out of its uapi headers are
//!   written once, with their source.
//!
//! # The traps other implementations fell into
//! | trap | here | test |
//! |---|---|---|
//! | `[u8; N]` control buffer treated as `cmsghdr` (UB) | the buffers are aligned for `cmsghdr`; the parser reads any `&[u8]` byte by byte | `cmsg::tests::buffer_is_aligned_for_cmsghdr`, `parser_reads_unaligned_buffers` |
//! | `cmsg_len = CMSG_SPACE` sends a phantom fd | `cmsg_len = CMSG_LEN(n)`, padding zeroed, byte-exact against the kernel's arithmetic for 32- and 64-bit | `cmsg::tests::one_fd_is_encoded_byte_exact_with_cmsg_len_not_cmsg_space` |
//! | `CMSG_SPACE(4)` holds two fds on 64-bit | fds counted from `cmsg_len`; every one owned, surplus closed and counted | `msg::cmsg_space_of_one_fd_receives_two_on_64_bit_and_both_are_owned` |
//! | `MSG_CTRUNC` leaks the fds that fit (nix) | handed over (`Received`) or closed (the helpers' `ControlTruncated`) | `msg::receive_buffer_too_small_is_truncation_with_nothing_leaked`, `running_out_of_descriptors_truncates_and_leaks_nothing` |
//! | unknown messages (`SCM_PIDFD`) skipped and leaked (rustix, nix) | every `SCM_RIGHTS` and `SCM_PIDFD` descriptor is owned; a negative `SCM_PIDFD` is an errno | `msg::unrequested_credentials_and_pidfd_are_dropped_by_the_fd_helper`; `cmsg::take_tests::*` |
//! | a descriptor number kept after its owner closed it, then sent (a reused number: someone else's file) | `SendControl<'fd, N>` borrows what it names; `RecvControl` is not sendable | `compile_fail` examples of [`SendControl`] and [`RecvControl`] |
//! | `SO_PASSCRED` set too late | armed before the peer can send; the failure is `NoCredentials` | `pidns::credentials_are_missing_when_the_receiver_does_not_arm_passcred` |
//! | pid 0 is a real value (rustix's `UCred`) | `Ucred.pid: i32`, 0 allowed | `cmsg::tests::fds_then_credentials_are_encoded_byte_exact` |
//! | 254 fds give `EINVAL` | refused before the kernel: `TooManyFds` | `msg::more_than_253_fds_is_refused_before_the_kernel_and_nothing_is_sent` |
//! | zero-byte send drops fds on streams; partial send re-sends them | `NoDataByte`; the rest of a partial send goes without fds | `msg::control_data_without_a_data_byte_is_refused`, `a_partial_stream_send_delivers_the_fds_exactly_once` |
//! | SIGPIPE kills an init; fds leak across exec | `MSG_NOSIGNAL`, `MSG_CMSG_CLOEXEC`, close-on-exec by default | `msg::peer_closed_is_reported_and_sending_to_it_is_epipe_not_sigpipe`, `recv_flags_can_opt_out_of_cloexec` |
//! | `SIGCHLD` ignored, or a `waitpid(-1)` handler, steals a helper's exit | helper children have no exit signal (nothing else can reap them) and report over the socket | `pidns::lookups_work_with_sigchld_ignored`, `lookups_work_with_a_sigchld_handler_that_reaps_every_child` |
//! | another thread's fork holds a socket end: an error waits for the timeout | the helper child is watched by pidfd in the same `ppoll` | `pidns::concurrent_lookups_each_get_their_own_answer_and_errors_are_prompt` |
//! | a failing clock read as time 0: endless waits | `Error::Clock` | `deadline::a_failing_clock_is_a_prompt_typed_error_not_an_endless_wait` |
//! | 32-bit `time_t` wraps from 2^31 s: `EINVAL` | time64 calls, clamped seconds on the fallback | `deadline::timeouts_beyond_2_pow_31_seconds_work_on_a_readable_socket`, `without_time64_calls_the_old_ones_serve_with_clamped_seconds` |
//! | `hidepid` read as "process gone" | only positive evidence (pidfd, a zombie's state) means exited | `pidns::a_hidepid_proc_does_not_make_a_live_namespace_dead` |
//! | no fork syscall on aarch64/riscv64/loongarch64; s390x clone order | `clone(SIGCHLD)` in the architecture's argument order | `process::*` on every architecture |
//! | `EINTR` | documented per call: helpers and waits retry, `sendmsg`/`recvmsg` return it | `torture::step_eintr_*` |
//! | a pid reused after its process was reaped: `kill` and `waitid` by number reach a stranger | children held by pidfd from `clone3(CLONE_PIDFD)` on ([`fork_with_pidfd`], [`spawn::spawn`]); signals and waits through it | `pidfd::a_reaped_childs_pidfd_cannot_reach_a_process_that_reused_its_pid` |
//! | a parent's signal handler runs in a forked child before exec; ignored signals and the mask leak into the program | signals blocked around the fork, dispositions reset, the mask set, before exec | `spawn::signal_mask_and_dispositions_are_reset_in_the_child` |
//! | a descriptor map applied in order clobbers a later source (`3→4, 4→3`) | sources that are targets are moved above every target first | `spawn::swapping_descriptors_3_and_4_works`, `overlapping_maps_move_every_source_as_it_was` |
//! | a vDSO `DT_HASH` read as 32-bit words on s390x (its ELF ABI makes them 64-bit): no clock found, every deadline a system call | the hash word size of the target | `vdso::the_vdso_clock_is_used_exactly_when_the_kernel_maps_a_vdso` on the s390x real-kernel row; `elf::tests::*` build images in the target's layout |
//!
//! # Bad input
//! Every row is a typed error (or a documented outcome) and leaks nothing;
//! `tests/torture.rs` checks after each random step that the descriptors
//! open are exactly those the test holds and that no child is left.
//!
//! | bad input | what you get | proved by |
//! |---|---|---|
//! | closed or invalid descriptor | `Error::Os(EBADF)` | `socket::invalid_and_non_socket_descriptors_give_ebadf_and_enotsock` |
//! | descriptor that is not a socket | `Error::Os(ENOTSOCK)` from every send, receive and option call | the same; `torture::step_refused_sends_leak_nothing` |
//! | more than 253 fds in one message | `Error::TooManyFds { count }` before any system call | `msg::more_than_253_fds_is_refused_before_the_kernel_and_nothing_is_sent` |
//! | a message that does not fit a `SendControl` | `Error::ControlBufferFull { needed, available }`, buffer unchanged | `cmsg::tests::overflow_and_too_many_fds_are_refused_and_leave_the_buffer_unchanged`; fuzz target `cmsg_encode` |
//! | control data without a data byte | `Error::NoDataByte` before any system call | `msg::control_data_without_a_data_byte_is_refused` |
//! | receive buffer too small (`MSG_CTRUNC`) | `recvmsg`: `control_truncated`, the fds that fit handed over; helpers: `Error::ControlTruncated { fds_closed }` | `msg::receive_buffer_too_small_is_truncation_with_nothing_leaked`; `torture::step_truncated_control_data_leaks_nothing` |
//! | more fds than the caller's capacity (any count up to 253) | helpers: `Error::TooManyFdsReceived { received, capacity }` with the right count, all closed; `recvmsg`: the first `FDS` kept, the rest closed and counted | `msg::more_fds_than_capacity_is_one_error_with_the_right_count`; `torture::step_more_fds_than_capacity_are_closed` |
//! | fds along with credentials | `recv_credentials` succeeds, closes them, says how many (`fds_closed`) | `msg::credentials_with_descriptors_succeed_and_say_how_many_were_closed` |
//! | credentials or a pidfd nobody asked for | `recv_fds` drops them; `recvmsg` hands the pidfd over | `msg::unrequested_credentials_and_pidfd_are_dropped_by_the_fd_helper` |
//! | an empty datagram, an empty seqpacket message, a receive into an empty buffer, from a live peer | `Ok(0)`, not `PeerClosed` | `msg::an_empty_datagram_from_a_live_peer_is_not_peer_closed`, `an_empty_seqpacket_message_is_not_peer_closed_but_the_peers_close_is`, `a_receive_into_an_empty_buffer_on_a_live_stream_is_not_peer_closed` |
//! | peer closed | receive: `Error::PeerClosed` (stream and seqpacket only); send: `EPIPE`, never SIGPIPE | `msg::peer_closed_is_reported_and_sending_to_it_is_epipe_not_sigpipe` |
//! | data longer than the buffer | datagram and seqpacket: `Error::DataTruncated { fds_closed }` (`recvmsg`: `data_truncated`); stream: the rest stays queued | `msg::datagram_longer_than_the_buffer_is_data_truncation_and_fds_are_closed` |
//! | unprivileged sender claiming another pid | `Error::Os(EPERM)`; nothing sent | `msg::unprivileged_child_claiming_pid_1_gets_eperm` |
//! | hostile control bytes (lying `cmsg_len`, short headers, unknown types, partial fds, misaligned) | no panic, no out-of-bounds read; exactly the kernel's `CMSG_NXTHDR` walk; descriptors only from `SCM_RIGHTS`/`SCM_PIDFD` | `cmsg_prop::*`; `cmsg::take_tests::take_with_owns_exactly_the_fd_numbers_of_hostile_bytes`; fuzz target `cmsg_parse`; `cargo xtask miri` |
//! | `RLIMIT_NOFILE` exhausted | `ControlTruncated`, those fds closed | `msg::running_out_of_descriptors_truncates_and_leaks_nothing` |
//! | a signal during a blocking call (`EINTR`) | `sendmsg`/`recvmsg`: `Error::Os(EINTR)`, nothing sent or received; helpers and `waitid` retry; waits retry with the time left | `torture::step_eintr_*` |
//! | a socket that cannot take the message (full) in the credential handshake | waits until the deadline, never blocks past it | `pidns::the_handshake_never_blocks_past_its_deadline_on_a_full_socket` |
//! | a timeout | `Error::Timeout`, never before the deadline | `msg::timeout_waiting_for_a_message`; `pidns::handshake_timeouts_are_honoured_on_both_sides` |
//! | a clock that fails (seccomp) | `Error::Clock(errno)` at once, also inside a lookup (no child left) | `deadline::a_failing_clock_*` |
//! | a timeout of 2^31 s or more on 32-bit | works (time64, or clamped) | `deadline::timeouts_beyond_2_pow_31_seconds_work_on_a_readable_socket` |
//! | task missing, pid absent, dead namespace, unprivileged caller in the init-pid lookup | `ESRCH`, `ESRCH`, `ESRCH`, `EACCES`/`EPERM`, each promptly, no zombie, no descriptor left | `pidns::missing_task_is_esrch_promptly`, `pid_not_in_that_namespace_is_esrch`, `namespace_whose_init_has_exited_is_esrch`, `unprivileged_caller_gets_a_typed_error_and_leaves_nothing` |
//! | a path or abstract name over 107 bytes; a NUL in a path; an empty path | `Error::AddressTooLong { len, max }`, `Malformed::Nul`, `Malformed::Empty`; never truncated | `named::bad_addresses_and_connections_are_typed_errors`; `addr::tests::lengths_follow_the_kernels_rules` |
//! | the path exists (even a stale socket file) | `Error::Os(EADDRINUSE)` | `named::bad_addresses_and_connections_are_typed_errors` |
//! | connecting to nothing | `ENOENT` (no such path), `ECONNREFUSED` (stale file, free abstract name, datagram to nobody), `EPROTOTYPE` (another type at a path) | the same |
//! | hostile `sockaddr` bytes and lengths from a kernel | no panic; a path has no NUL and at most 108 bytes | `named::parsing_any_sockaddr_never_panics`; fuzz target `unix_addr` |
//! | descriptors sent to a receiver that refuses them (`SO_PASSRIGHTS` off, 6.16+) | `EPERM` at the sender, nothing at the receiver | `named::a_receiver_that_refuses_descriptors_makes_the_sender_fail_with_eperm`; `notify::a_manager_without_an_fd_store_refuses_descriptors_at_the_sender` |
//! | a malformed notification (no `=`, NUL, bad `MAINPID=`/`ERRNO=`/`WATCHDOG_USEC=`, nothing) | `Error::Malformed(..)`, its descriptors closed | `notify::malformed_notifications_are_typed_errors_and_close_what_came` |
//! | a notification exactly the buffer's size, or one byte more | received whole; `Error::DataTruncated` | the same |
//! | `$NOTIFY_SOCKET` not a path or `@name` | `Malformed::Address` | `notify::the_environment_names_the_manager` |
//! | `LISTEN_PID` not ours; `LISTEN_FDS` not a number; names that do not match; more than the capacity; a descriptor not open | `NotForThisProcess`, `Malformed::Number`, `Malformed::Count`, `TooManyFdsReceived`, `EBADF`; nothing taken, closed or changed | `activation::bad_activation_variables_are_typed_errors_that_touch_nothing` |
//! | a `CStrArray` that is full | `Error::ArrayFull { capacity }` | `exec` examples; `exec::*` |
//! | exec of a missing or non-executable file | `ENOENT`, `EACCES` | `exec::*` |
//! | a descriptor map with a negative or duplicate target, more than `MAX_FD_MAP` entries, or a source that is not open | `Error::FdMap { entry, problem }` before anything is forked; nothing open, no child | `spawn::refused_maps_and_options_are_typed_errors_before_any_fork` |
//! | a map target at or above `RLIMIT_NOFILE`; `setpgid` refused | the child's errno (`EBADF`, `EINVAL`), the child reaped | the same |
//! | spawn of a missing file, a file without execute permission, a directory, a file that is neither ELF nor `#!`, a script whose interpreter is missing | `ENOENT`, `EACCES`, `EACCES`, `ENOEXEC`, `ENOENT` from the child's `execve`; no zombie, no descriptor left | `spawn::exec_failures_come_back_as_the_errno_and_leave_nothing`, `many_spawns_leave_no_descriptor_and_no_zombie` |
//! | a bad `pid_env` name; an environment array with no room for it | `Malformed::Name`; `Error::ArrayFull { capacity }`, before the fork | `spawn::refused_maps_and_options_are_typed_errors_before_any_fork` |
//! | a signal number outside `1..=_NSIG` | `Error::InvalidSignal { number }` | `signal::signal_numbers_out_of_range_are_refused`; `signal::tests::out_of_range_numbers_are_typed_errors` |
//! | a pidfd of a process that has exited | not yet reaped: it exists, signals do nothing, its pid is there; reaped: `ESRCH` (signals, `pid`, `pidfd_getfd`), `ECHILD` (waits), `exists() == false` | `pidfd::a_pidfd_of_an_exited_process_says_so_at_each_stage` |
//! | a pidfd whose pid was reused | `ESRCH`/`ECHILD`: it never reaches the new process | `pidfd::a_reaped_childs_pidfd_cannot_reach_a_process_that_reused_its_pid` |
//! | `pidfd_getfd` without ptrace access; of a number not open there | `EPERM`; `EBADF` | `pidfd::pidfd_getfd_copies_a_descriptor_and_needs_ptrace_access` |
//! | a descriptor that is not a pidfd; a pidfd of a process that is not our child | `EBADF`/`EINVAL`; waits give `ECHILD` | `pidfd::a_pidfd_that_is_not_ours_cannot_be_waited_for` |
//! | a closed descriptor in `poll` | `Error::Os(EBADF)` | `signal::poll_refuses_a_closed_descriptor_and_keeps_its_deadline` |
//!
//! # How the crate is built
//! Layered, each module importing only from those below it:
//!
//! | layer | modules |
//! |---|---|
//! | the syscall instruction | `arch` (one file per architecture) |
//! | plain types, no system call | `errno`, `error`, `flags`, `text`, `fd` (descriptor types), `io` (iovecs), `addr`, `cmsg` (control-message layout, encoding and parsing), `elf` (the vDSO image) |
//! | system calls | `sys`: the only caller of `arch`, the only place kernel-returned numbers become [`OwnedFd`]s, and where an `OwnedFd` closes |
//! | the calls | `msg`, `socket`, `fs`, `exec`, `process`, `poll`, `signal`, `init`, `pidfd`, `spawn`, `vdso` |
//! | use cases | `pidns`, `notify`, `activation` |
//!
//! `unsafe` that touches memory lives in `arch` (the syscall instruction),
//! `sys` (every system call, every adoption of a kernel-returned number),
//! `fd` and `io` (the `Send`/`Sync` of the iovec wrappers). Elsewhere
//! `unsafe` marks contracts that no type can check, and only those: forking
//! (the child must stay async-signal-safe: `fork`, `fork_with_pidfd`, the
//! lookup's helper children in `process` and `pidns`, the child `spawn`
//! sets up before its exec), adopting inherited numbers
//! (`activation::listen_fds`), and handing `execve` its arrays (`exec`).
//! Every `unsafe` block has a `// SAFETY:` comment naming the invariant; a
//! crate-internal function whose correctness depends on its caller is an
//! `unsafe fn` too (`sys::close`, `sys::clone`, `sys::dup3`, ...).
//!
//! # Architectures and kernels
//! x86_64, x86 (i686), aarch64, arm (armv7), riscv64, powerpc64 (both
//! endiannesses), powerpc (32-bit, big-endian) and s390x, on stable Rust
//! (the `rust-version`; on powerpc and powerpc64 Rust 1.95, the first with
//! their inline assembly stable, which the syscall instruction there is).
//! Linux 4.3+ (i386 needs the direct socket system calls of 4.3). Newer calls report `ENOSYS`, `ENOPROTOOPT` or `EINVAL` on older
//! kernels: `pidfd_send_signal` 5.1, `clone(CLONE_PIDFD)` 5.2, `pidfd_open`
//! and `clone3` 5.3, `waitid(P_PIDFD)` 5.4, `pidfd_getfd` 5.6 (see
//! [`pidfd`] for the fallbacks), `close_range` 5.9, `SO_PASSPIDFD`
//! and `SO_PEERPIDFD` 6.5, `NS_GET_PID_FROM_PIDNS` 6.11 (the lookup falls
//! back), `SO_PASSRIGHTS` 6.16.
//!
//! # Features
//! - `vdso` (default): read `CLOCK_MONOTONIC`, which every [`Deadline`]
//!   uses, through the kernel's vDSO, without a system call (see [`vdso`]);
//!   off, every clock read is `clock_gettime` and the lookup is not linked.
//! - `std`: conversions to and from `std::os::fd` types, and environment
//!   helpers ([`notify::socket_addr_from_env`],
//!   [`activation::listen_fds_from_env`]).
//! - `sc`: take the syscall instruction from the `sc` crate instead of
//!   `syscalls` (x86_64, aarch64, riscv64 only; elsewhere a compile error).
//!
//! Features only add: none of them changes what a program that did not ask
//! for it links (no `memcpy`, no `_start`, no panic handler).
//!
//! # Programs without libc
//! The sibling crate `rawscm-rt` (in `rt/` of the repository) is the runtime
//! of `#![no_std]` + `#![no_main]` static binaries: `_start`, arguments,
//! self-relocation, a panic handler, the memory functions, stdout. It is a
//! separate crate, not a feature, because it defines symbols that a program
//! with libc and std already has. What such a program uses from this crate
//! besides the plumbing: [`read`], [`write()`] and the PID 1 helpers of
//! [`init`].

#![no_std]
#![deny(missing_docs, unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod activation;
#[deny(unsafe_code)]
mod addr;
mod arch;
#[deny(unsafe_code)]
mod cmsg;
#[deny(unsafe_code)]
mod elf;
mod errno;
mod error;
pub mod exec;
mod fd;
mod flags;
pub mod fs;
#[deny(unsafe_code)]
pub mod init;
mod io;
#[deny(unsafe_code)]
mod msg;
#[deny(unsafe_code)]
pub mod notify;
pub mod pidfd;
pub mod pidns;
#[deny(unsafe_code)]
mod poll;
pub mod process;
#[deny(unsafe_code)]
pub mod signal;
#[deny(unsafe_code)]
mod socket;
pub mod spawn;
mod sys;
#[deny(unsafe_code)]
mod text;
#[deny(unsafe_code)]
pub mod vdso;

pub use addr::{AddrKind, UnixAddr};
pub use cmsg::{
    ControlMessage, ControlMessages, RawFds, RecvControl, SCM_MAX_FD, SCM_PIDFD, SPACE_CREDENTIALS,
    SPACE_PIDFD, SendControl, Ucred, cmsg_len, cmsg_space, space_for_fds,
};
pub use errno::Errno;
pub use error::{Error, FdMapProblem, Malformed, Result};
pub use exec::{AtFlags, CStrArray, execve, execveat};
pub use fd::{AsFd, BorrowedFd, Fds, FdsIntoIter, OwnedFd};
pub use fs::{read, write};
pub use io::{IoSlice, IoSliceMut};
pub use msg::{
    Received, ReceivedCredentials, RecvFlags, SendFlags, recv, recv_credentials, recv_fds, recvmsg,
    recvmsg_from, send, send_credentials, send_fds, sendmsg, sendmsg_to,
};
pub use pidfd::{ForkPidfd, Pidfd, fork_with_pidfd};
pub use poll::{Deadline, poll, wait_readable, wait_readable_for};
pub use process::{
    ExitStatus, Fork, Pid, exit_group, fork, fork_new_pid_namespace, getgid, getpid, getuid, kill,
    try_waitid, waitid,
};
pub use socket::{
    Shutdown, SocketFlags, SocketType, accept, bind, connect, getpeername, getsockname, listen, listening,
    passcred, passrights, peercred, peerpidfd, set_passcred, set_passpidfd, set_passrights, shutdown, socket,
    socket_type, socketpair,
};

#[doc(hidden)]
pub use text::__decimal;
