//! Forks; the parent passes an open file and its own credentials to the
//! child over a socketpair; the child reads the file and prints what it got.
//!
//! cargo run --example pass_fd

use rawscm::{
    Fork, IoSliceMut, Received, RecvControl, RecvFlags, SPACE_CREDENTIALS, SendControl, SocketFlags,
    SocketType, Ucred, exit_group, fork, recvmsg, set_passcred, socketpair, space_for_fds, waitid,
};
use std::io::{Read, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::temp_dir().join(format!("rawscm-pass-fd-{}", std::process::id()));
    std::fs::File::create(&path)?.write_all(b"hello from a file the child never opened\n")?;
    let file = std::fs::File::open(&path)?;
    std::fs::remove_file(&path)?; // the open descriptor keeps the data

    let (parent_end, child_end) = socketpair(SocketType::SeqPacket, SocketFlags::default())?;
    // Arm SO_PASSCRED before the message can be queued.
    set_passcred(&child_end, true)?;

    // SAFETY: this program is single-threaded, so the child may do anything.
    match unsafe { fork() }? {
        Fork::Child => {
            drop(parent_end);
            let mut data = [0u8; 16];
            let mut control = RecvControl::<{ space_for_fds(1) + SPACE_CREDENTIALS }>::new();
            let got: Received<1> =
                recvmsg(&child_end, &mut [IoSliceMut::new(&mut data)], &mut control, RecvFlags::default())?;
            let creds = got.credentials.ok_or("no credentials")?;
            let fd = got.fds.into_iter().next().ok_or("no descriptor")?;
            let mut received: std::fs::File = std::os::fd::OwnedFd::from(fd).into();
            let mut text = String::new();
            received.read_to_string(&mut text)?;
            println!("child {}: message {:?}", rawscm::getpid(), String::from_utf8_lossy(&data[..got.bytes]));
            println!("child: sender pid {} uid {} gid {}", creds.pid, creds.uid, creds.gid);
            print!("child: the file says: {text}");
            let ok = creds == Ucred { pid: parent_pid(), uid: rawscm::getuid(), gid: rawscm::getgid() };
            exit_group(if ok { 0 } else { 1 })
        }
        Fork::Parent(child) => {
            drop(child_end);
            let mut control = SendControl::<{ space_for_fds(1) + SPACE_CREDENTIALS }>::new();
            control.push_fds(&[rawscm::BorrowedFd::from(std::os::fd::AsFd::as_fd(&file))])?;
            control.push_credentials(Ucred::current())?;
            rawscm::sendmsg(
                &parent_end,
                &[rawscm::IoSlice::new(b"take this")],
                &control,
                Default::default(),
            )?;
            let status = waitid(child)?;
            println!("parent {}: child exited: {status:?}", rawscm::getpid());
            if !status.success() {
                return Err("child saw wrong credentials".into());
            }
        }
    }
    Ok(())
}

fn parent_pid() -> i32 {
    std::os::unix::process::parent_id() as i32
}
