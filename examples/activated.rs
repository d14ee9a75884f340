//! A socket-activated service: takes the descriptors its activator passed
//! (`LISTEN_PID`, `LISTEN_FDS`, `LISTEN_FDNAMES`), serves one request on
//! the first, and exits.
//!
//! ```sh
//! cargo build --features std --example activated
//! systemd-socket-activate -l /tmp/demo.sock --fdname=demo target/debug/examples/activated &
//! python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.connect("/tmp/demo.sock"); s.send(b"ping"); print(s.recv(64))'
//! ```
//!
//! Works with every kind systemd-socket-activate makes: a listening stream
//! or seqpacket socket (it accepts one connection), an accepted connection
//! (`--accept`), or a datagram socket (`--datagram`: it answers the
//! sender's address). The reply is `<name> <type> got <request>`.

use rawscm::{
    IoSlice, IoSliceMut, Received, RecvControl, SendControl, SocketType, accept, listening, recvmsg_from,
    sendmsg_to, socket_type,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: first thing in main; nothing else in this program takes
    // descriptors 3 and up.
    let fds = unsafe { rawscm::activation::listen_fds_from_env::<4>() }?;
    let first = fds.first().ok_or("no descriptors passed (LISTEN_FDS)")?;
    let name = String::from_utf8_lossy(&first.name).into_owned();
    let ty = socket_type(&first.fd)?;
    let mut buf = [0u8; 256];
    if ty == SocketType::Datagram {
        let mut control = RecvControl::<0>::new();
        let (got, from): (Received<0>, _) =
            recvmsg_from(&first.fd, &mut [IoSliceMut::new(&mut buf)], &mut control, Default::default())?;
        let reply = format!("{name} datagram got {}", String::from_utf8_lossy(&buf[..got.bytes]));
        sendmsg_to(
            &first.fd,
            &from,
            &[IoSlice::new(reply.as_bytes())],
            &SendControl::<0>::new(),
            Default::default(),
        )?;
        return Ok(());
    }
    let accepted;
    let conn = if listening(&first.fd)? {
        accepted = accept(&first.fd, Default::default())?.0;
        &accepted
    } else {
        &first.fd // --accept: the connection itself
    };
    let n = rawscm::recv(conn, &mut buf)?;
    let reply = format!("{name} {ty:?} got {}", String::from_utf8_lossy(&buf[..n]));
    rawscm::send(conn, reply.as_bytes())?;
    Ok(())
}
