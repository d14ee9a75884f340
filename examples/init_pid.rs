//! The pid, in this pid namespace, of the init of another task's pid
//! namespace (lxcfs's lookup), and which path found it.
//!
//! cargo run --example init_pid -- <pid>   look up the init of <pid>'s namespace
//! cargo run --example init_pid            demonstrate: as root, in a fresh namespace
//!
//! The demonstration starts a process tree in a new pid namespace (an init and
//! a worker that is pid 2 there), looks up the init of the worker's namespace
//! by both paths, and checks the answers against /proc/<pid>/status (NSpid).

use rawscm::pidns::{Method, Translated, init_pid_of};
use rawscm::{
    Fork, OwnedFd, Pid, SocketFlags, SocketType, Ucred, exit_group, fork, fork_new_pid_namespace,
    recv_credentials, recv_fds, send_credentials, set_passcred, socketpair, waitid,
};
use std::process::ExitCode;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    let result = match arg.as_deref() {
        Some(pid) => match pid.parse::<Pid>() {
            Ok(pid) => lookup(pid),
            Err(_) => Err(format!("usage: init_pid [<pid>] (not a pid: {pid:?})")),
        },
        None => demonstrate(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("init_pid: {e}");
            ExitCode::FAILURE
        }
    }
}

fn show(task: Pid, found: &Translated) {
    let via = match found.via {
        rawscm::pidns::Method::Ioctl => "ioctl NS_GET_PID_FROM_PIDNS",
        _ => "fork + setns + SCM_CREDENTIALS",
    };
    println!("init of pid {task}'s pid namespace: pid {} (via {via})", found.pid);
}

fn lookup(task: Pid) -> Result<(), String> {
    let found = init_pid_of(task, Method::Auto).map_err(|e| format!("pid {task}: {e}"))?;
    show(task, &found);
    Ok(())
}

/// `NSpid:` of /proc/<pid>/status: the pid in each namespace, outermost first.
fn nspid(pid: Pid) -> Result<Vec<Pid>, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    let line = status.lines().find(|l| l.starts_with("NSpid:")).ok_or("no NSpid line")?;
    Ok(line.split_whitespace().skip(1).filter_map(|p| p.parse().ok()).collect())
}

fn demonstrate() -> Result<(), String> {
    let me = rawscm::getpid();
    if rawscm::getuid() != 0 {
        println!("not root: cannot create a pid namespace (CAP_SYS_ADMIN); showing our own namespace");
        return lookup(me);
    }
    let (report, report_rx) =
        socketpair(SocketType::Datagram, SocketFlags::default()).map_err(|e| e.to_string())?;
    let (release_tx, release) =
        socketpair(SocketType::Stream, SocketFlags::default()).map_err(|e| e.to_string())?;
    set_passcred(&report_rx, true).map_err(|e| e.to_string())?;
    // SAFETY: single-threaded program; the children only make system calls.
    let init = match unsafe { fork_new_pid_namespace() }.map_err(|e| format!("new pid namespace: {e}"))? {
        Fork::Child => {
            // The child owns copies of every descriptor: drop the parent's
            // ends, or `release` never sees end of stream.
            drop((release_tx, report_rx));
            exit_group(namespace_init(&report, &release))
        }
        Fork::Parent(pid) => pid,
    };
    drop((report, release));
    let outcome = check(init, &report_rx);
    drop(release_tx); // lets the tree exit
    let status = waitid(init).map_err(|e| e.to_string())?;
    outcome?;
    println!("tree exited: {status:?}");
    lookup(me)
}

/// Pid 1 of the new namespace: starts the worker (pid 2), holds until released.
fn namespace_init(report: &OwnedFd, release: &OwnedFd) -> i32 {
    // SAFETY: the child only makes system calls.
    let worker = match unsafe { fork() } {
        Ok(Fork::Child) => {
            let sent = send_credentials(report, b"w", Ucred::current()).is_ok();
            let _ = recv_fds::<0>(release, &mut [0u8; 1]); // until released
            exit_group(if sent { 0 } else { 1 })
        }
        Ok(Fork::Parent(pid)) => pid,
        Err(_) => return 2,
    };
    let _ = recv_fds::<0>(release, &mut [0u8; 1]);
    match waitid(worker) {
        Ok(s) if s.success() => 0,
        _ => 3,
    }
}

fn check(init: Pid, report_rx: &OwnedFd) -> Result<(), String> {
    rawscm::wait_readable_for(report_rx, std::time::Duration::from_secs(5))
        .map_err(|e| format!("worker: {e}"))?;
    let worker = recv_credentials(report_rx, &mut [0u8; 1]).map_err(|e| e.to_string())?.credentials;
    let (worker_ns, init_ns) = (nspid(worker.pid)?, nspid(init)?);
    println!("new pid namespace: init is pid {init} here, NSpid {init_ns:?}");
    println!("worker is pid {} here, NSpid {worker_ns:?}", worker.pid);
    let mut failed = false;
    for method in [Method::Ioctl, Method::Fork] {
        match init_pid_of(worker.pid, method) {
            Ok(found) => {
                show(worker.pid, &found);
                let agrees =
                    found.pid == init && init_ns.last() == Some(&1) && init_ns.len() == worker_ns.len();
                println!("  /proc agrees: {}", if agrees { "yes" } else { "NO" });
                failed |= !agrees;
            }
            Err(e) => println!("  {method:?}: {e}"),
        }
    }
    if failed {
        return Err("a lookup disagreed with /proc".into());
    }
    Ok(())
}
