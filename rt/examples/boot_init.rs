//! A libc-free static init for `cargo xtask boot`: it runs as `/init`
//! (PID 1) in an initramfs under qemu-system, mounts `/proc`, exercises the
//! crate (socketpair, fork/wait, descriptor and credential passing, orphan
//! reaping, the init-pid lookup across a fresh pid namespace), prints one
//! line per check on the console and powers the machine off.
//!
//! Lines: `rawscm-boot: begin`, then `rawscm-boot: <check> ok [detail]` or
//! `rawscm-boot: <check> FAIL <why>` for each check, then `rawscm-boot: end`.
//! The xtask knows the list of checks and fails on a missing, extra or
//! failed one.
//!
//! It refuses to do anything unless it is PID 1: `reboot(2)` would power off
//! whatever machine it runs on.

#![no_std]
#![no_main]

use core::fmt::Write;
use core::time::Duration;
use rawscm::init::{MountFlags, Reboot, mount, reboot, try_waitid_any, waitid_any};
use rawscm::pidns::{Method, Translated, init_pid_of, translate_pid};
use rawscm::{
    AsFd, Errno, Error, ExitStatus, Fork, OwnedFd, Pid, SocketFlags, SocketType, Ucred, exit_group, fork,
    fork_new_pid_namespace, getpid, recv_credentials, recv_fds, send_credentials, send_fds, set_passcred,
    socketpair, wait_readable_for, waitid,
};
use rawscm_rt as rt;

rawscm_rt::entry!(main, panic_handler = on_panic);

/// How long any one wait may take (software emulation is slow).
const WAIT: Duration = Duration::from_secs(20);

/// A console line that begins with the prefix the xtask looks for; one
/// `write(2)` when printed, so kernel messages cannot land in its middle.
type Line = rt::Line<256>;

fn new_line() -> Line {
    let mut line = Line::new();
    line.push(b"rawscm-boot: ");
    line
}

/// Prints `line` on the console (stdout); a failure has nowhere to go.
fn print(line: Line) {
    let _ = line.print(rt::Stdout);
}

/// Why a check failed.
enum Fail {
    /// A call failed.
    Call(&'static str, Error),
    /// A value was not the expected one.
    Wrong(&'static str, i64),
}

type Check = Result<Option<&'static str>, Fail>;

/// `.ctx("what")` on a crate result: the failing call's name.
trait Ctx<T> {
    fn ctx(self, what: &'static str) -> Result<T, Fail>;
}

impl<T> Ctx<T> for rawscm::Result<T> {
    fn ctx(self, what: &'static str) -> Result<T, Fail> {
        self.map_err(|e| Fail::Call(what, e))
    }
}

/// Fails with `what` and `got` unless `ok`.
fn expect(ok: bool, what: &'static str, got: i64) -> Result<(), Fail> {
    if ok { Ok(()) } else { Err(Fail::Wrong(what, got)) }
}

fn report(name: &str, result: Check) {
    let mut line = new_line();
    let _ = match result {
        Ok(None) => write!(line, "{name} ok"),
        Ok(Some(detail)) => write!(line, "{name} ok {detail}"),
        Err(Fail::Call(what, e)) => write!(line, "{name} FAIL {what}: {e}"),
        Err(Fail::Wrong(what, got)) => write!(line, "{name} FAIL {what} (got {got})"),
    };
    print(line);
}

fn say(text: &str) {
    let mut line = new_line();
    let _ = line.write_str(text);
    print(line);
}

/// Our own panic handler (the `entry!` opt-out): report, then power off, so
/// that the host sees a FAIL line at once instead of a kernel panic.
fn on_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    let mut line = new_line();
    let _ = write!(line, "panic FAIL {info}");
    print(line);
    power_off()
}

fn power_off() -> ! {
    let Err(err) = reboot(Reboot::PowerOff);
    let mut line = new_line();
    let _ = write!(line, "poweroff FAIL {err}");
    print(line);
    exit_group(1)
}

fn main() -> i32 {
    if getpid() != 1 {
        let _ =
            rt::write_all(rt::Stderr, b"boot_init: not PID 1, refusing to run (it powers the machine off)\n");
        return 2;
    }
    say("begin");
    report("pid1", Ok(None));
    report("args", args());
    report("auxv", auxv());
    report("mount-proc", mount_proc());
    report("socketpair", socketpair_roundtrip());
    report("fork-wait", fork_wait());
    report("fd-passing", fd_passing());
    report("credentials", credentials(false));
    report("credentials-pid1", credentials(true));
    report("orphan-reaped", orphan_reaped());
    pidns_checks();
    report("no-children", no_children());
    say("end");
    power_off()
}

/// The kernel runs init with `argv = ["/init", <words after "--" on the
/// command line>]` and `HOME=/` in the environment; the xtask passes `rawscm`.
fn args() -> Check {
    let argv0 = rt::args().next().map(|a| a.to_bytes());
    expect(argv0 == Some(b"/init"), "argv[0] is /init", argv0.map_or(-1, |a| a.len() as i64))?;
    expect(rt::argc() == 2, "argc is 2", rt::argc() as i64)?;
    let argv1 = rt::args().nth(1).map(|a| a.to_bytes());
    expect(argv1 == Some(b"rawscm"), "argv[1] is rawscm", argv1.map_or(-1, |a| a.len() as i64))?;
    let home = rt::env().any(|v| v.to_bytes() == b"HOME=/");
    expect(home, "HOME=/ in the environment", rt::env().count() as i64)?;
    Ok(None)
}

/// The auxiliary vector rawscm-rt recorded: the page size, and the vDSO
/// that a real kernel always maps (which rawscm may use for the clock).
fn auxv() -> Check {
    use linux_raw_sys::auxvec::{AT_PAGESZ, AT_SYSINFO_EHDR};
    let page = rt::auxv(AT_PAGESZ).unwrap_or(0);
    expect(page >= 4096 && page.is_power_of_two(), "AT_PAGESZ a power of two", page as i64)?;
    let vdso = rt::auxv(AT_SYSINFO_EHDR).unwrap_or(0);
    expect(vdso != 0 && vdso.is_multiple_of(page), "AT_SYSINFO_EHDR a page address", vdso as i64)?;
    Ok(None)
}

fn mount_proc() -> Check {
    mount(c"proc", c"/proc", c"proc", MountFlags::NOSUID | MountFlags::NODEV | MountFlags::NOEXEC, None)
        .ctx("mount")?;
    Ok(None)
}

fn pair(ty: SocketType) -> Result<(OwnedFd, OwnedFd), Fail> {
    socketpair(ty, SocketFlags::default()).ctx("socketpair")
}

/// Waits for and receives a few bytes (no descriptors expected).
fn recv_bytes(sock: &OwnedFd, buf: &mut [u8]) -> Result<usize, Fail> {
    wait_readable_for(sock, WAIT).ctx("wait_readable")?;
    Ok(recv_fds::<0>(sock, buf).ctx("recvmsg")?.0)
}

fn socketpair_roundtrip() -> Check {
    for ty in [SocketType::Stream, SocketType::Datagram, SocketType::SeqPacket] {
        let (a, b) = pair(ty)?;
        send_fds(&a, b"ping", &[]).ctx("sendmsg")?;
        let mut buf = [0u8; 4];
        let n = recv_bytes(&b, &mut buf)?;
        expect(n == 4 && &buf == b"ping", "the same 4 bytes back", n as i64)?;
    }
    Ok(Some("(stream, datagram, seqpacket)"))
}

/// Forks a child that runs `child` and exits with its result.
fn spawn(child: impl FnOnce() -> i32) -> Result<Pid, Fail> {
    // SAFETY: single-threaded; the child runs `child` (system calls only)
    // and ends with exit_group.
    match unsafe { fork() }.ctx("fork")? {
        Fork::Child => exit_group(child()),
        Fork::Parent(pid) => Ok(pid),
    }
}

/// Waits for `pid` and fails unless it exited 0.
fn reap_ok(pid: Pid) -> Result<(), Fail> {
    match waitid(pid).ctx("waitid")? {
        ExitStatus::Exited(0) => Ok(()),
        ExitStatus::Exited(code) => Err(Fail::Wrong("child exit status 0", code as i64)),
        ExitStatus::Signaled { signal, .. } => {
            Err(Fail::Wrong("child not killed by a signal", signal as i64))
        }
    }
}

fn fork_wait() -> Check {
    let pid = spawn(|| 42)?;
    let status = waitid(pid).ctx("waitid")?;
    expect(status == ExitStatus::Exited(42), "exit status 42", 0)?;
    // Reaped: a second wait finds no such child.
    let again = waitid(pid);
    expect(again == Err(Errno::ECHILD.into()), "ECHILD after reaping", 0)?;
    Ok(None)
}

/// The child makes a socket pair, sends one end to us over `b` and waits for
/// what we write through it; we prove the received descriptor works.
fn fd_passing() -> Check {
    let (a, b) = pair(SocketType::Stream)?;
    let child = spawn(move || {
        let Ok((x, y)) = socketpair(SocketType::Stream, SocketFlags::default()) else { return 10 };
        if send_fds(&b, b"fd", &[x.as_fd()]).is_err() {
            return 11;
        }
        drop(x);
        let mut buf = [0u8; 3];
        match recv_bytes(&y, &mut buf) {
            Ok(3) if &buf == b"via" => 0,
            _ => 12,
        }
    })?;
    let got = (|| {
        wait_readable_for(&a, WAIT).ctx("wait_readable")?;
        let mut buf = [0u8; 2];
        let (n, fds) = recv_fds::<1>(&a, &mut buf).ctx("recv_fds")?;
        expect(n == 2 && &buf == b"fd", "data byte with the descriptor", n as i64)?;
        let fd = fds.first().ok_or(Fail::Wrong("one descriptor", fds.len() as i64))?;
        send_fds(fd, b"via", &[]).ctx("send through the received descriptor")?;
        Ok(())
    })();
    reap_ok(child)?;
    got?;
    Ok(None)
}

/// The child sends its credentials; with `as_init`, it claims pid 1 (ours),
/// which only a process with CAP_SYS_ADMIN may.
fn credentials(as_init: bool) -> Check {
    let (a, b) = pair(SocketType::Datagram)?;
    set_passcred(&a, true).ctx("SO_PASSCRED")?;
    let child = spawn(move || {
        let mut me = Ucred::current();
        if as_init {
            me.pid = 1;
        }
        i32::from(send_credentials(&b, b"c", me).is_err())
    })?;
    let got = (|| {
        wait_readable_for(&a, WAIT).ctx("wait_readable")?;
        recv_credentials(&a, &mut [0u8; 1]).ctx("recv_credentials")
    })();
    reap_ok(child)?;
    let creds = got?.credentials;
    let want = if as_init { 1 } else { child };
    expect(creds.pid == want, "the sender's pid", creds.pid as i64)?;
    expect(creds.uid == 0 && creds.gid == 0, "uid and gid 0", creds.uid as i64)?;
    Ok(None)
}

/// A child forks a grandchild and exits at once: the grandchild becomes our
/// child (we are PID 1) and we must reap it.
fn orphan_reaped() -> Check {
    let (a, b) = pair(SocketType::Datagram)?;
    let child = spawn(move || match spawn(|| 0) {
        Ok(grandchild) => i32::from(send_fds(&b, &grandchild.to_ne_bytes(), &[]).is_err()),
        Err(_) => 1,
    })?;
    let mut buf = [0u8; 4];
    let n = recv_bytes(&a, &mut buf);
    reap_ok(child)?;
    expect(n? == 4, "4 bytes of pid", 0)?;
    let grandchild = Pid::from_ne_bytes(buf);
    let reaped = waitid_any().ctx("waitid(P_ALL)")?;
    expect(reaped == grandchild, "the orphan reaped", reaped as i64)?;
    Ok(None)
}

/// A fresh pid namespace: its init `ns` (pid 1 there) forks `g` (pid 2
/// there), which sends its credentials to us, so that the kernel tells us
/// its pid here; then the lookups of the crate must find `ns`.
fn pidns_checks() {
    let result = (|| {
        let (outer, inner) = pair(SocketType::SeqPacket)?;
        set_passcred(&outer, true).ctx("SO_PASSCRED")?;
        // SAFETY: single-threaded; the child only makes system calls and
        // ends with exit_group.
        let ns = match unsafe { fork_new_pid_namespace() }.ctx("clone(CLONE_NEWPID)")? {
            Fork::Child => exit_group(namespace_init(&inner)),
            Fork::Parent(pid) => pid,
        };
        let got = (|| {
            wait_readable_for(&outer, WAIT).ctx("wait_readable")?;
            let mut seen_as = [0u8; 1];
            let creds = recv_credentials(&outer, &mut seen_as).ctx("recv_credentials")?.credentials;
            Ok((creds.pid, seen_as[0]))
        })();
        Ok((ns, outer, got))
    })();
    let (ns, outer, got) = match result {
        Ok(r) => r,
        Err(e) => {
            report("pidns-new", Err(e));
            return;
        }
    };
    let g = match got {
        Ok((g, 2)) if g > 0 && g != ns => {
            report("pidns-new", Ok(None));
            Some(g)
        }
        Ok((g, seen_as)) => {
            report(
                "pidns-new",
                Err(Fail::Wrong("pid 2 there, another pid here", (g as i64) << 8 | seen_as as i64)),
            );
            None
        }
        Err(e) => {
            report("pidns-new", Err(e));
            None
        }
    };
    if let Some(g) = g {
        report("pidns-fork", lookup(g, ns, Method::Fork, Some(Method::Fork)));
        report("pidns-auto", lookup(g, ns, Method::Auto, None));
        report("pidns-ioctl", ioctl_lookup(g, ns));
        report("pidns-translate", translated(ns, g));
    }
    // Let `g` exit, then its init; both must end cleanly.
    let done = send_fds(&outer, b"d", &[]).ctx("sendmsg");
    report("pidns-exit", done.and_then(|_| reap_ok(ns)).map(|()| None));
}

/// Pid 1 of the new namespace: fork `g`, wait for it, exit 0 if all went well.
fn namespace_init(sock: &OwnedFd) -> i32 {
    if getpid() != 1 {
        return 20;
    }
    let g = spawn(|| {
        // The kernel translates our pid (2 here) into the receiver's view;
        // the data byte says what we see.
        let me = Ucred::current();
        if send_credentials(sock, &[me.pid as u8], me).is_err() {
            return 21;
        }
        // Stay alive until the lookups are done.
        let mut buf = [0u8; 1];
        match recv_bytes(sock, &mut buf) {
            Ok(1) if buf == *b"d" => 0,
            _ => 22,
        }
    });
    match g.map(reap_ok) {
        Ok(Ok(())) => 0,
        _ => 23,
    }
}

fn lookup(task: Pid, want: Pid, method: Method, via: Option<Method>) -> Check {
    let found = init_pid_of(task, method).ctx("init_pid_of")?;
    expect(found.pid == want, "the namespace's init", found.pid as i64)?;
    if let Some(via) = via {
        expect(found.via == via, "found by the requested path", 0)?;
    }
    Ok(Some(if found.via == Method::Ioctl { "(via ioctl)" } else { "(via fork)" }))
}

/// `NS_GET_PID_FROM_PIDNS` exists from Linux 6.11: before, the lookup must
/// fail with ENOTTY (or EINVAL), not give a wrong answer.
fn ioctl_lookup(task: Pid, want: Pid) -> Check {
    match init_pid_of(task, Method::Ioctl) {
        Ok(Translated { pid, via: Method::Ioctl }) if pid == want => {
            Ok(Some("(kernel has NS_GET_PID_FROM_PIDNS)"))
        }
        Ok(found) => Err(Fail::Wrong("the namespace's init via ioctl", found.pid as i64)),
        Err(Error::Os(Errno::ENOTTY | Errno::EINVAL)) => {
            Ok(Some("(no NS_GET_PID_FROM_PIDNS before Linux 6.11)"))
        }
        Err(e) => Err(Fail::Call("init_pid_of", e)),
    }
}

fn translated(ns: Pid, g: Pid) -> Check {
    let found = translate_pid(ns, 2, Method::Fork).ctx("translate_pid")?;
    expect(found.pid == g, "pid 2 there is g here", found.pid as i64)?;
    Ok(None)
}

fn no_children() -> Check {
    match try_waitid_any() {
        Err(e) if e == Error::Os(Errno::ECHILD) => Ok(None),
        Ok(pid) => Err(Fail::Wrong("no child left", pid.unwrap_or(0) as i64)),
        Err(e) => Err(Fail::Call("waitid(P_ALL, WNOHANG)", e)),
    }
}
