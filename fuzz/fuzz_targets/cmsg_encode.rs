//! The encoder: arbitrary sequences of push_fds / push_credentials into
//! buffers of several sizes give byte-exact kernel layout (CMSG_LEN,
//! CMSG_SPACE, zero padding), refuse what does not fit or exceeds
//! SCM_MAX_FD without changing the buffer, and parse back to exactly what
//! was pushed (tests/cmsg_model/mod.rs).
//!
//! `cargo +nightly fuzz run cmsg_encode -- -runs=10000000`
#![no_main]

#[path = "../../tests/cmsg_model/mod.rs"]
mod cmsg_model;

use cmsg_model::Op;
use libfuzzer_sys::fuzz_target;
use rawscm::{SCM_MAX_FD, SPACE_CREDENTIALS, SPACE_PIDFD, Ucred, space_for_fds};

/// Decodes the input into pushes: a tag byte, then its arguments.
fn ops(mut data: &[u8]) -> Vec<Op> {
    let mut take = |n: usize| -> Option<Vec<u8>> {
        let (head, rest) = data.split_at_checked(n)?;
        data = rest;
        Some(head.to_vec())
    };
    let mut ops = Vec::new();
    while let Some(tag) = take(1) {
        let op = match tag[0] % 4 {
            0 | 1 => {
                // Up to 15 descriptors, each an index into the pool.
                let n = (tag[0] >> 4) as usize;
                let Some(idx) = take(n) else { break };
                Op::Fds(idx.into_iter().map(usize::from).collect())
            }
            2 => {
                let Some(w) = take(12) else { break };
                let word = |i: usize| [w[i], w[i + 1], w[i + 2], w[i + 3]];
                Op::Creds(Ucred {
                    pid: i32::from_ne_bytes(word(0)),
                    uid: u32::from_ne_bytes(word(4)),
                    gid: u32::from_ne_bytes(word(8)),
                })
            }
            _ => {
                // Many descriptors: around SCM_MAX_FD, sometimes above.
                let n = SCM_MAX_FD - 8 + (tag[0] >> 4) as usize;
                Op::Fds((0..n).collect())
            }
        };
        ops.push(op);
    }
    ops
}

fuzz_target!(|data: &[u8]| {
    let Some((&size, rest)) = data.split_first() else { return };
    let ops = ops(rest);
    let r = match size % 6 {
        0 => cmsg_model::check_encoder::<0>(&ops),
        1 => cmsg_model::check_encoder::<{ SPACE_PIDFD }>(&ops),
        2 => cmsg_model::check_encoder::<{ SPACE_CREDENTIALS + 3 }>(&ops),
        3 => cmsg_model::check_encoder::<{ space_for_fds(4) + SPACE_CREDENTIALS }>(&ops),
        4 => cmsg_model::check_encoder::<{ space_for_fds(SCM_MAX_FD) + 2 * SPACE_CREDENTIALS }>(&ops),
        _ => cmsg_model::check_encoder::<4096>(&ops),
    };
    if let Err(e) = r {
        panic!("{e}");
    }
});
