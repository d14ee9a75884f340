//! Property tests of the control-message code, checked against an independent
//! reference model of the kernel's layout rules (tests/cmsg_model/mod.rs):
//!
//! - the parser, fed hostile bytes (lengths that overflow, lengths shorter
//!   than a header, misaligned lengths, unknown levels and types, fd payloads
//!   that are not a multiple of 4, a `cmsg_len` beyond the buffer, misaligned
//!   start addresses), never panics, never reads outside the buffer, and
//!   yields exactly the messages the kernel's `CMSG_FIRSTHDR`/`CMSG_NXTHDR`
//!   walk finds, so no descriptor number comes from anywhere but the payload
//!   of an `SCM_RIGHTS` or `SCM_PIDFD` message;
//! - the encoder produces byte-exact kernel layout (`CMSG_LEN`, `CMSG_SPACE`,
//!   zero padding) and parses back to exactly what was pushed;
//! - the space arithmetic equals libc's `CMSG_LEN`/`CMSG_SPACE`.
//!
//! Case counts are bounded (256 under qemu, 2048 natively; `PROPTEST_CASES`
//! overrides) so the suite stays quick on every architecture. The same model
//! drives the fuzz targets in fuzz/ for long runs.

mod cmsg_model;
mod common;

use cmsg_model::{HDR, LONG, Op};
use proptest::prelude::*;
use proptest::test_runner::Config;
use rawscm::{
    RawFds, SCM_MAX_FD, SPACE_CREDENTIALS, SPACE_PIDFD, Ucred, cmsg_len, cmsg_space, space_for_fds,
};

fn config() -> Config {
    let default = if common::under_qemu() { 256 } else { 2048 };
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    // No regression files in the source tree: a failure prints the minimal input.
    Config { cases, failure_persistence: None, ..Config::default() }
}

// ---------------------------------------------------------------- parser --

/// `cmsg_len` values that hit every rule of the walk.
fn hostile_len() -> impl Strategy<Value = Option<usize>> {
    prop_oneof![
        4 => Just(None), // the honest CMSG_LEN of the payload
        2 => (0..=HDR).prop_map(Some),       // shorter than (or exactly) a header
        3 => (HDR..HDR + 80).prop_map(Some), // misaligned, short or past the payload
        1 => any::<u32>().prop_map(|v| Some(v as usize)),
        1 => any::<usize>().prop_map(Some),
        1 => (0..16usize).prop_map(|k| Some(usize::MAX - k)), // overflows when aligned
    ]
}

/// One message header plus payload, possibly lying about its length,
/// possibly without its alignment padding.
fn segment() -> impl Strategy<Value = Vec<u8>> {
    let level = prop_oneof![6 => Just(cmsg_model::SOL_SOCKET), 1 => any::<i32>()];
    let kind = prop_oneof![6 => 0..6i32, 1 => any::<i32>()];
    let payload = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..48),
        // plausible descriptor numbers, with a partial trailing int sometimes
        (proptest::collection::vec(-3i32..300, 0..10), 0..4usize).prop_map(|(fds, extra)| {
            let mut v: Vec<u8> = fds.iter().flat_map(|f| f.to_ne_bytes()).collect();
            v.resize(v.len() + extra, 0xa5);
            v
        }),
    ];
    (hostile_len(), level, kind, payload, any::<bool>()).prop_map(|(len, level, kind, payload, pad)| {
        let len = len.unwrap_or(cmsg_len(payload.len()));
        let mut v = Vec::new();
        v.extend_from_slice(&len.to_ne_bytes());
        v.extend_from_slice(&level.to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.resize(HDR, 0);
        v.extend_from_slice(&payload);
        if pad {
            v.resize(v.len().next_multiple_of(LONG), 0);
        }
        v
    })
}

/// Control data as hostile as we can make it: random bytes, or messages
/// with lying headers, cut at a random `controllen`.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..160),
        3 => (
            proptest::collection::vec(segment(), 0..6),
            proptest::collection::vec(any::<u8>(), 0..24),
            prop::bool::weighted(0.3),
            any::<prop::sample::Index>(),
        )
            .prop_map(|(segs, junk, cut, at)| {
                let mut v: Vec<u8> = segs.concat();
                v.extend_from_slice(&junk);
                if cut {
                    v.truncate(at.index(v.len() + 1)); // a controllen shorter than the messages
                }
                v
            }),
    ]
}

/// The parser against the model (see `cmsg_model::check_parser`).
fn check_parse(buf: &[u8]) -> Result<(), TestCaseError> {
    cmsg_model::check_parser(buf).map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn parser_matches_kernel_walk_on_hostile_bytes(bytes in hostile_bytes(), misalign in 0..8usize) {
        let mut store = Vec::new();
        let r = cmsg_model::place(&bytes, misalign, &mut store);
        check_parse(&store[r])?;
    }

    #[test]
    fn parser_on_every_prefix_of_well_formed_data(
        segs in proptest::collection::vec((0..6i32, proptest::collection::vec(any::<u8>(), 0..40)), 0..5),
        misalign in 0..8usize,
    ) {
        // A kernel-shaped buffer cut at every controllen: what a truncated
        // receive could look like, and every shorter lie about it.
        let bytes: Vec<u8> = segs.iter().flat_map(|(k, p)| cmsg_model::encode(*k, p)).collect();
        let mut store = Vec::new();
        for cut in 0..=bytes.len() {
            let r = cmsg_model::place(&bytes[..cut], misalign, &mut store);
            check_parse(&store[r])?;
        }
    }

    #[test]
    fn raw_fds_reads_whole_ints_only(bytes in proptest::collection::vec(any::<u8>(), 0..64), misalign in 0..8usize) {
        let mut store = Vec::new();
        let r = cmsg_model::place(&bytes, misalign, &mut store);
        let got: Vec<i32> = RawFds::new(&store[r]).collect();
        let want: Vec<i32> = bytes.chunks_exact(4).map(|c| i32::from_ne_bytes(c.try_into().unwrap())).collect();
        prop_assert_eq!(RawFds::new(&bytes).len(), bytes.len() / 4);
        prop_assert_eq!(got, want);
    }
}

// --------------------------------------------------------------- encoder --

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => proptest::collection::vec(any::<usize>(), 0..12).prop_map(Op::Fds),
        1 => (250..260usize, any::<usize>()).prop_map(|(n, s)| Op::Fds((s..s + n).collect())),
        3 => (any::<i32>(), any::<u32>(), any::<u32>()).prop_map(|(pid, uid, gid)| Op::Creds(Ucred { pid, uid, gid })),
    ]
}

fn roundtrip<const N: usize>(ops: &[Op]) -> Result<(), TestCaseError> {
    cmsg_model::check_encoder::<N>(ops).map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn encoder_round_trip_is_byte_exact(ops in proptest::collection::vec(op(), 0..8)) {
        roundtrip::<0>(&ops)?;
        roundtrip::<{ SPACE_PIDFD }>(&ops)?;
        roundtrip::<{ SPACE_CREDENTIALS + 3 }>(&ops)?; // not a multiple of 8
        roundtrip::<{ space_for_fds(4) + SPACE_CREDENTIALS }>(&ops)?;
        roundtrip::<{ space_for_fds(SCM_MAX_FD) + 2 * SPACE_CREDENTIALS }>(&ops)?;
        roundtrip::<4096>(&ops)?;
    }

    #[test]
    fn space_arithmetic_matches_libc(n in 0usize..(1 << 20)) {
        prop_assert_eq!(cmsg_len(n), cmsg_model::cmsg_len(n));
        prop_assert_eq!(cmsg_space(n), cmsg_model::cmsg_space(n));
        // SAFETY: CMSG_LEN/CMSG_SPACE are plain arithmetic.
        let (len, space) = unsafe { (libc::CMSG_LEN(n as u32), libc::CMSG_SPACE(n as u32)) };
        prop_assert_eq!(cmsg_len(n), len as usize);
        prop_assert_eq!(cmsg_space(n), space as usize);
        prop_assert_eq!(space_for_fds(n), cmsg_space(4 * n));
    }
}

#[test]
fn fixed_spaces_match_libc() {
    // SAFETY: plain arithmetic.
    unsafe {
        assert_eq!(SPACE_CREDENTIALS, libc::CMSG_SPACE(size_of::<libc::ucred>() as u32) as usize);
        assert_eq!(SPACE_PIDFD, libc::CMSG_SPACE(4) as usize);
        assert_eq!(space_for_fds(SCM_MAX_FD), libc::CMSG_SPACE(4 * 253) as usize);
    }
    // Saturation instead of overflow for absurd sizes.
    assert_eq!(cmsg_len(usize::MAX), usize::MAX);
    assert!(cmsg_space(usize::MAX) >= usize::MAX - LONG);
    assert!(space_for_fds(usize::MAX) >= usize::MAX - LONG);
}

#[test]
fn parser_handles_hand_made_hostile_headers() {
    let hdr = |len: usize, level: i32, kind: i32| {
        let mut v = len.to_ne_bytes().to_vec();
        v.extend_from_slice(&level.to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v
    };
    let s = cmsg_model::SOL_SOCKET;
    let cases: Vec<Vec<u8>> = vec![
        vec![],
        vec![0xff; HDR - 1],
        hdr(0, s, 1),
        hdr(HDR - 1, s, 1),
        hdr(usize::MAX, s, 1),
        [hdr(usize::MAX - 3, s, 1), 7i32.to_ne_bytes().to_vec()].concat(),
        [hdr(HDR + 6, s, 1), vec![1, 0, 0, 0, 2, 0]].concat(), // 1.5 fds
        [hdr(HDR + 4, s, 4), 9i32.to_ne_bytes().to_vec(), hdr(HDR + 4, s, 1)].concat(), // no padding
        [hdr(HDR + 2, s, 4), vec![5, 0]].concat(),             // short pidfd: Other
        [hdr(HDR + 8, s, 2), vec![0; 8]].concat(),             // short ucred: Other
        [hdr(HDR + 4, 0x1234, 1), 3i32.to_ne_bytes().to_vec()].concat(), // unknown level
        [hdr(1 << 20, s, 1), 3i32.to_ne_bytes().to_vec()].concat(), // controllen < cmsg_len
    ];
    let mut store = Vec::new();
    for c in &cases {
        for misalign in 0..8 {
            let r = cmsg_model::place(c, misalign, &mut store);
            if let Err(e) = check_parse(&store[r]) {
                panic!("{c:?} at +{misalign}: {e}");
            }
        }
    }
}
