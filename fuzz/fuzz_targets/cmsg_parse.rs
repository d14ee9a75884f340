//! The control-message parser on arbitrary bytes, at every misalignment:
//! no panic, no out-of-bounds read (ASan), and exactly the messages and
//! descriptor numbers of the kernel's CMSG_FIRSTHDR/CMSG_NXTHDR walk
//! (tests/cmsg_model/mod.rs).
//!
//! `cargo +nightly fuzz run cmsg_parse -- -runs=10000000`
#![no_main]

#[path = "../../tests/cmsg_model/mod.rs"]
mod cmsg_model;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // First byte: where the control data starts relative to 8-byte alignment.
    let Some((&misalign, bytes)) = data.split_first() else { return };
    let mut store = Vec::new();
    let at = cmsg_model::place(bytes, misalign as usize, &mut store);
    // An exact-size copy too, so ASan sees reads past the end.
    let exact = store[at.clone()].to_vec();
    for buf in [&store[at], &exact[..]] {
        if let Err(e) = cmsg_model::check_parser(buf) {
            panic!("{e}");
        }
    }
});
