//! `UnixAddr::from_raw` on arbitrary bytes and lengths (as a kernel, a
//! buggy one included, might hand back): no panic, no out-of-bounds read
//! (ASan), and the kinds' invariants: a path is non-empty, has no NUL and
//! at most 108 bytes; an abstract name at most 107; unnamed only for a
//! length of 2 or less or no path bytes. Display never panics either.
//!
//! `cargo +nightly fuzz run unix_addr -- -runs=10000000`
#![no_main]

use libfuzzer_sys::fuzz_target;
use rawscm::{AddrKind, UnixAddr};

fuzz_target!(|data: &[u8]| {
    // First two bytes: the reported address length.
    let Some((len, bytes)) = data.split_first_chunk::<2>() else { return };
    let len = usize::from(u16::from_le_bytes(*len));
    let exact = bytes.to_vec(); // exact size, so ASan sees reads past the end
    if let Ok(a) = UnixAddr::from_raw(&exact, len) {
        match a.kind() {
            AddrKind::Path(p) => assert!(!p.is_empty() && !p.contains(&0) && p.len() <= 108),
            AddrKind::Abstract(n) => assert!(n.len() <= 107),
            AddrKind::Unnamed => assert!(len <= 2 || exact.len() <= 2),
        }
        let _ = a.to_string();
    }
});
