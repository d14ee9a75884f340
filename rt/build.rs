//! Sets `cfg(rawscm_rt_no_relocate)` when this crate is compiled with
//! `-C relocation-model=static`: the program is then a non-PIE executable,
//! which has nothing to relocate, so the self-relocation code is left out
//! and costs those binaries nothing (`cargo xtask tiny` measures it).
//!
//! Only the flags that apply to every crate of the build are seen here
//! (`RUSTFLAGS`, `build.rustflags`, `target.<triple>.rustflags`: cargo passes
//! them as `CARGO_ENCODED_RUSTFLAGS`); flags given to the final crate alone
//! (`cargo rustc -- ...`) are not, and then the code stays in, which is
//! always correct.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(rawscm_rt_no_relocate)");
    println!("cargo::rerun-if-changed=build.rs");
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if relocation_model(flags.split('\x1f')) == Some("static") {
        println!("cargo::rustc-cfg=rawscm_rt_no_relocate");
    }
}

/// The value of the last `-C relocation-model=...` among `flags` (written
/// `-Crelocation-model=X`, `-C relocation-model=X` or
/// `--codegen relocation-model=X`).
fn relocation_model<'a>(flags: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut model = None;
    let mut after_c = false;
    for flag in flags {
        let option = if after_c {
            Some(flag)
        } else {
            flag.strip_prefix("-C").or_else(|| flag.strip_prefix("--codegen=")).filter(|o| !o.is_empty())
        };
        after_c = matches!(flag, "-C" | "--codegen");
        if let Some(value) = option.and_then(|o| o.strip_prefix("relocation-model=")) {
            model = Some(value);
        }
    }
    model
}
