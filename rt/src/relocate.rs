//! Self-relocation of a static position-independent executable.
//!
//! A static PIE is linked for address 0 and loaded anywhere. Each word that
//! holds an address (a pointer in a `static`, a vtable, a GOT entry) gets a
//! relative relocation: at start-up, someone must add the load base to it.
//! A dynamic linker does it for a dynamic PIE, musl's `rcrt1.o` for a
//! default musl build; with no crt object (`-C link-self-contained=no`) or
//! with glibc's `rcrt1.o` (whose libc relocates the program in its
//! `__libc_start_main`, which this crate replaces) nobody has, and
//! [`relocate`] does it. Until then any such word holds its link-time value
//! (or 0), and code that loads an address from memory (a `&str` in a
//! `static`, a trait object, a function pointer table, a GOT entry on
//! architectures that keep addresses there) would use a wrong one.
//!
//! So [`relocate`] and everything it calls until it is done:
//! - form addresses only PC-relatively (statics private to this module,
//!   string literals) or from the kernel's values (the initial stack, the
//!   auxiliary vector, the program headers it points to);
//! - read no static holding an address, call no function through a pointer,
//!   make no trait-object call and do no formatting;
//! - cannot panic (the panic handler formats), and fail with a plain
//!   `write(2)` of a literal and `exit_group(127)`.
//!
//! It is idempotent: it first checks whether a word with a relative
//! relocation already holds its run-time value, because a second pass
//! would corrupt REL-format programs (i386, arm), which keep the addend in
//! the word itself. What it applies: `DT_RELA`, `DT_REL` and `DT_RELR`
//! tables of `R_*_RELATIVE` (and `R_*_NONE`) relocations; anything else
//! means the program needs a dynamic linker, and start-up fails.
//!
//! Built with `-C relocation-model=static` (a non-PIE executable, which has
//! nothing to relocate), [`relocate`] is empty: see `build.rs`.
//!
//! References: musl's `ldso/dlstart.c` and `crt/rcrt1.c`; glibc's
//! `_dl_relocate_static_pie`; the ELF gABI (dynamic section, relocation
//! entries); the `SHT_RELR` proposal (generic-abi, 2018).

// The non-PIE build uses none of the table reading below.
#![cfg_attr(rawscm_rt_no_relocate, allow(dead_code, unused_imports))]

#[cfg(not(rawscm_rt_no_relocate))]
pub(crate) use imp::relocate;

/// The non-PIE build: nothing to relocate, no code.
///
/// # Safety
/// None needed; `unsafe` to match the relocating version.
#[cfg(rawscm_rt_no_relocate)]
#[inline(always)]
pub(crate) unsafe fn relocate(_argv: *const *const core::ffi::c_char) {}

/// `DT_*` tags and `R_*` types that linux-raw-sys does not define, from
/// glibc's `elf.h` (the values are the ELF gABI's and the psABIs').
mod consts {
    /// `DT_PLTRELSZ`: size of the PLT relocations (elf.h).
    pub(crate) const DT_PLTRELSZ: usize = 2;
    /// `DT_TEXTREL`: relocations may modify a read-only segment (elf.h).
    pub(crate) const DT_TEXTREL: usize = 22;
    /// `DT_RELRSZ`: total size of the `RELR` table (elf.h).
    pub(crate) const DT_RELRSZ: usize = 35;
    /// `DT_RELR`: address of the `RELR` table (elf.h).
    pub(crate) const DT_RELR: usize = 36;
    /// `DT_RELRENT`: size of one `RELR` entry (elf.h).
    pub(crate) const DT_RELRENT: usize = 37;
    /// `R_X86_64_NONE`, `R_386_NONE`, `R_AARCH64_NONE`, `R_ARM_NONE`,
    /// `R_RISCV_NONE`, `R_PPC64_NONE`, `R_390_NONE`: all 0 (elf.h).
    pub(crate) const R_NONE: u32 = 0;
    /// `R_PPC64_RELATIVE` (elf.h: `#define R_PPC64_RELATIVE R_PPC_RELATIVE`,
    /// 22).
    #[cfg(target_arch = "powerpc64")]
    pub(crate) const R_RELATIVE: u32 = 22;
    /// `R_390_RELATIVE` (elf.h: 12, "Adjust by program base").
    #[cfg(target_arch = "s390x")]
    pub(crate) const R_RELATIVE: u32 = 12;
    #[cfg(not(any(target_arch = "powerpc64", target_arch = "s390x")))]
    pub(crate) use linux_raw_sys::elf::R_RELATIVE;
}

/// Where the relocation tables are, as link-time addresses (offsets from
/// the load base) and byte sizes, read from the dynamic section.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tables {
    rela: usize,
    rela_size: usize,
    rel: usize,
    rel_size: usize,
    relr: usize,
    relr_size: usize,
}

/// Why a program cannot be relocated here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Refusal {
    /// A table entry size other than the ELF structure's.
    EntrySize,
    /// PLT relocations: the program expects a dynamic linker.
    Plt,
    /// Relocations of read-only segments.
    TextRel,
}

/// Reads the relocation tables out of the `(d_tag, d_val)` entries of a
/// dynamic section (up to `DT_NULL`).
fn tables(entries: impl Iterator<Item = (usize, usize)>) -> Result<Tables, Refusal> {
    use consts::{DT_PLTRELSZ, DT_RELR, DT_RELRENT, DT_RELRSZ, DT_TEXTREL};
    use core::mem::size_of;
    use linux_raw_sys::elf::{
        Elf_Rel, Elf_Rela, DT_NULL, DT_REL, DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELENT, DT_RELSZ,
    };
    let mut t = Tables::default();
    for (tag, value) in entries {
        let entry_size = match tag {
            DT_NULL => break,
            DT_RELA => {
                t.rela = value;
                continue;
            }
            DT_RELASZ => {
                t.rela_size = value;
                continue;
            }
            DT_REL => {
                t.rel = value;
                continue;
            }
            DT_RELSZ => {
                t.rel_size = value;
                continue;
            }
            DT_RELR => {
                t.relr = value;
                continue;
            }
            DT_RELRSZ => {
                t.relr_size = value;
                continue;
            }
            DT_PLTRELSZ if value != 0 => return Err(Refusal::Plt),
            DT_TEXTREL => return Err(Refusal::TextRel),
            DT_RELAENT => size_of::<Elf_Rela>(),
            DT_RELENT => size_of::<Elf_Rel>(),
            DT_RELRENT => size_of::<usize>(),
            _ => continue,
        };
        if value != entry_size {
            return Err(Refusal::EntrySize);
        }
    }
    Ok(t)
}

/// Calls `relocate(offset)` for each word that a `RELR` table (the packed
/// form of relative relocations, in-place addends) says to relocate:
/// an even entry is the offset of a word to relocate; an odd one is a
/// bitmap of which of the next `8 * size_of::<usize>() - 1` words after the
/// last one relocated to relocate.
fn relr_offsets(table: impl Iterator<Item = usize>, mut relocate: impl FnMut(usize)) {
    const WORD: usize = core::mem::size_of::<usize>();
    let mut next = 0usize;
    for entry in table {
        if entry & 1 == 0 {
            relocate(entry);
            next = entry.wrapping_add(WORD);
        } else {
            let mut bits = entry >> 1;
            let mut at = next;
            while bits != 0 {
                if bits & 1 != 0 {
                    relocate(at);
                }
                bits >>= 1;
                at = at.wrapping_add(WORD);
            }
            next = next.wrapping_add((8 * WORD - 1) * WORD);
        }
    }
}

#[cfg(not(rawscm_rt_no_relocate))]
mod imp {
    use super::consts::{R_NONE, R_RELATIVE};
    use super::{relr_offsets, tables, Refusal, Tables};
    use core::ffi::c_char;
    use core::mem::size_of;
    use core::ptr::{read_volatile, with_exposed_provenance, with_exposed_provenance_mut, write_volatile};
    use linux_raw_sys::auxvec::{AT_NULL, AT_PHDR, AT_PHENT, AT_PHNUM};
    use linux_raw_sys::elf::{Elf_Dyn, Elf_Phdr, Elf_Rel, Elf_Rela, PT_DYNAMIC, PT_PHDR};

    /// A byte, and a word that holds its address: in a PIE the linker can
    /// only store that with a relative relocation, so the word holds the
    /// byte's run-time address once (and only once) relocation is done,
    /// while the byte's address computed by the code (PC-relative: both are
    /// private to this module) is always the run-time one.
    static ANCHOR: u8 = 0;
    static ANCHOR_ADDRESS: &u8 = &ANCHOR;

    /// Whether relocation is done (or was never needed: in a non-PIE
    /// executable the word holds the final address from the start).
    #[inline(always)]
    fn relocated() -> bool {
        // SAFETY: reads the word of `ANCHOR_ADDRESS` as an integer (which
        // any bit pattern is), volatile so that the compiler reads memory
        // rather than assume the initializer it knows.
        let stored = unsafe { read_volatile((&raw const ANCHOR_ADDRESS).cast::<usize>()) };
        stored == (&raw const ANCHOR).addr()
    }

    /// Applies the program's relative relocations unless that is done
    /// already (see the module docs). Fails start-up (a message on stderr,
    /// exit status 127) for a program it cannot relocate.
    ///
    /// # Safety
    /// `argv` is the `argv` of the initial stack; nothing that reads an
    /// address from relocated memory has run yet. It may be called again
    /// after.
    pub(crate) unsafe fn relocate(argv: *const *const c_char) {
        if relocated() {
            return;
        }
        // SAFETY: `argv` is on the initial stack (the caller's contract).
        let (phdr, phnum, phent) = unsafe { program_headers(argv) };
        if phdr == 0 || phent != size_of::<Elf_Phdr>() {
            fail(b"no program headers in the auxiliary vector\n");
        }
        let (mut base, mut dynamic) = (None, None);
        for i in 0..phnum {
            // SAFETY: the kernel's AT_PHDR and AT_PHNUM describe the
            // program's headers, mapped and of this layout (AT_PHENT).
            let ph = unsafe { &*with_exposed_provenance::<Elf_Phdr>(phdr).add(i) };
            if ph.p_type == PT_PHDR {
                base = Some(phdr.wrapping_sub(ph.p_vaddr));
            } else if ph.p_type == PT_DYNAMIC {
                dynamic = Some(ph.p_vaddr);
            }
        }
        let (Some(base), Some(dynamic)) = (base, dynamic) else {
            fail(b"a PIE needs PT_PHDR and PT_DYNAMIC program headers\n");
        };
        // SAFETY: PT_DYNAMIC is mapped at its link-time address plus the
        // load base (computed from PT_PHDR), and ends with DT_NULL.
        let t = match tables(unsafe { DynEntries::new(base.wrapping_add(dynamic)) }) {
            Ok(t) => t,
            Err(Refusal::EntrySize) => fail(b"unexpected relocation entry size\n"),
            Err(Refusal::Plt) => fail(b"PLT relocations need a dynamic linker\n"),
            Err(Refusal::TextRel) => fail(b"relocations of read-only segments (DT_TEXTREL)\n"),
        };
        // SAFETY: the tables the dynamic section describes, mapped at
        // their link-time address plus `base`; the words they name are the
        // program's writable data (no DT_TEXTREL), not yet read by anyone.
        unsafe { apply(base, &t) };
    }

    /// AT_PHDR, AT_PHNUM and AT_PHENT from the auxiliary vector (0 for a
    /// missing one).
    ///
    /// # Safety
    /// `argv` is the `argv` of the initial stack.
    unsafe fn program_headers(argv: *const *const c_char) -> (usize, usize, usize) {
        // SAFETY: the initial stack: argv[], NULL, envp[], NULL, then
        // (type, value) pairs up to AT_NULL; every read is at or before the
        // terminator it looks for.
        unsafe {
            let mut p = argv.cast::<usize>();
            for _ in 0..2 {
                // Past argv, then past envp.
                while *p != 0 {
                    p = p.add(1);
                }
                p = p.add(1);
            }
            let (mut phdr, mut phnum, mut phent) = (0, 0, 0);
            while *p != AT_NULL as usize {
                let value = *p.add(1);
                match *p {
                    t if t == AT_PHDR as usize => phdr = value,
                    t if t == AT_PHNUM as usize => phnum = value,
                    t if t == AT_PHENT as usize => phent = value,
                    _ => {}
                }
                p = p.add(2);
            }
            (phdr, phnum, phent)
        }
    }

    /// The `(d_tag, d_val)` entries of a dynamic section, up to and with
    /// `DT_NULL`.
    struct DynEntries(*const Elf_Dyn);

    impl DynEntries {
        /// # Safety
        /// `address` is that of a mapped dynamic section that ends with
        /// `DT_NULL`, and the iterator is not used past that entry.
        unsafe fn new(address: usize) -> DynEntries {
            DynEntries(with_exposed_provenance(address))
        }
    }

    impl Iterator for DynEntries {
        type Item = (usize, usize);
        fn next(&mut self) -> Option<(usize, usize)> {
            // SAFETY: see `new`: `tables` stops at DT_NULL.
            let d = unsafe { *self.0 };
            // SAFETY: as above; the next entry exists unless this one is
            // DT_NULL, after which `next` is not called again.
            self.0 = unsafe { self.0.add(1) };
            // SAFETY: both union fields are plain integers of the same
            // size; `d_ptr` holds either.
            Some((d.d_tag, unsafe { d.d_un.d_ptr }))
        }
    }

    /// Applies the relocations of `t` for a program loaded at `base`.
    ///
    /// # Safety
    /// As for [`relocate`]: `t` comes from the program's own dynamic
    /// section.
    unsafe fn apply(base: usize, t: &Tables) {
        // SAFETY: (all three loops) the tables are mapped at their
        // link-time address plus `base`, with the sizes the dynamic section
        // gives; the offsets in them name words of the program's writable
        // data, which is what `relocate_word` requires.
        unsafe {
            for i in 0..t.rela_size / size_of::<Elf_Rela>() {
                let r = &*with_exposed_provenance::<Elf_Rela>(base.wrapping_add(t.rela)).add(i);
                match r.type_() {
                    R_RELATIVE => relocate_word(base, r.r_offset, Some(r.r_addend)),
                    R_NONE => {}
                    _ => fail(b"a relocation other than RELATIVE: this program needs a dynamic linker\n"),
                }
            }
            for i in 0..t.rel_size / size_of::<Elf_Rel>() {
                let r = &*with_exposed_provenance::<Elf_Rel>(base.wrapping_add(t.rel)).add(i);
                match r.type_() {
                    R_RELATIVE => relocate_word(base, r.r_offset, None),
                    R_NONE => {}
                    _ => fail(b"a relocation other than RELATIVE: this program needs a dynamic linker\n"),
                }
            }
            let relr = with_exposed_provenance::<usize>(base.wrapping_add(t.relr));
            let entries = (0..t.relr_size / size_of::<usize>()).map(|i| *relr.add(i));
            relr_offsets(entries, |offset| relocate_word(base, offset, None));
        }
    }

    /// Sets the word at link-time address `offset` to `base + addend`
    /// (`RELA`), or adds `base` to it (`REL`, `RELR`: `addend` None).
    ///
    /// # Safety
    /// `offset` comes from a relocation entry of the program: the word is
    /// mapped and writable, and nothing has read it yet.
    unsafe fn relocate_word(base: usize, offset: usize, addend: Option<usize>) {
        let word = with_exposed_provenance_mut::<usize>(base.wrapping_add(offset));
        if !word.is_aligned() {
            fail(b"a misaligned relocation\n");
        }
        // SAFETY: the caller's contract; aligned (checked). Volatile: the
        // words are the program's relocated data (immutable statics among
        // them), which the Rust abstract machine does not see being written
        // here, before anything reads them.
        unsafe {
            let value = match addend {
                Some(addend) => addend,
                None => read_volatile(word),
            };
            write_volatile(word, base.wrapping_add(value));
        }
    }

    /// Ends start-up: `rawscm-rt: cannot start: <why>` on stderr, exit
    /// status 127 (as a shell reports a program it cannot run).
    #[cold]
    #[inline(never)]
    fn fail(why: &[u8]) -> ! {
        // SAFETY: fd 2 is only written to; if it is not open, write fails
        // with EBADF, which is ignored (there is nowhere else to report).
        let stderr = unsafe { rawscm::BorrowedFd::borrow_raw(2) };
        let _ = rawscm::write(stderr, b"rawscm-rt: cannot start: ");
        let _ = rawscm::write(stderr, why);
        rawscm::exit_group(127)
    }
}

#[cfg(test)]
mod tests {
    use super::consts::{DT_PLTRELSZ, DT_RELR, DT_RELRENT, DT_RELRSZ, DT_TEXTREL};
    use super::*;
    use linux_raw_sys::elf::{DT_HASH, DT_NULL, DT_REL, DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELENT, DT_RELSZ};
    use std::vec::Vec;

    #[test]
    fn tables_are_read_up_to_dt_null() {
        let rela_ent = core::mem::size_of::<linux_raw_sys::elf::Elf_Rela>();
        let dynamic = [
            (DT_HASH, 0x100),
            (DT_RELA, 0x200),
            (DT_RELASZ, 3 * rela_ent),
            (DT_RELAENT, rela_ent),
            (DT_RELR, 0x300),
            (DT_RELRSZ, 16),
            (DT_PLTRELSZ, 0),
            (DT_NULL, 0),
            (DT_REL, 0x999), // after DT_NULL: not read
        ];
        let t = tables(dynamic.into_iter()).unwrap();
        assert_eq!(
            t,
            Tables { rela: 0x200, rela_size: 3 * rela_ent, rel: 0, rel_size: 0, relr: 0x300, relr_size: 16 }
        );
        assert_eq!(tables([(DT_REL, 8), (DT_RELSZ, 16)].into_iter()).unwrap().rel_size, 16);
        assert_eq!(tables(core::iter::empty()), Ok(Tables::default()));
    }

    #[test]
    fn tables_refuse_what_needs_a_dynamic_linker() {
        assert_eq!(tables([(DT_PLTRELSZ, 24)].into_iter()), Err(Refusal::Plt));
        assert_eq!(tables([(DT_TEXTREL, 0)].into_iter()), Err(Refusal::TextRel));
        assert_eq!(tables([(DT_RELAENT, 7)].into_iter()), Err(Refusal::EntrySize));
        assert_eq!(tables([(DT_RELENT, 7)].into_iter()), Err(Refusal::EntrySize));
        assert_eq!(tables([(DT_RELRENT, 3)].into_iter()), Err(Refusal::EntrySize));
    }

    #[test]
    fn relr_addresses_and_bitmaps() {
        const W: usize = core::mem::size_of::<usize>();
        let mut got = Vec::new();
        // 0x1000, then a bitmap 0b1011 (after the shift): the 1st, 2nd and
        // 4th word after 0x1000 + W; then another address.
        relr_offsets([0x1000, (0b1011 << 1) | 1, 0x4000].into_iter(), |o| got.push(o));
        assert_eq!(got, [0x1000, 0x1000 + W, 0x1000 + 2 * W, 0x1000 + 4 * W, 0x4000]);

        // Two bitmaps in a row: the second continues 8*W - 1 words on.
        got.clear();
        relr_offsets([0x2000, 0b11, 0b11].into_iter(), |o| got.push(o));
        assert_eq!(got, [0x2000, 0x2000 + W, 0x2000 + W + (8 * W - 1) * W]);

        // A full bitmap covers 8*W - 1 words.
        got.clear();
        relr_offsets([0, usize::MAX].into_iter(), |o| got.push(o));
        assert_eq!(got.len(), 1 + 8 * W - 1);
        assert_eq!(got.last(), Some(&((8 * W - 1) * W)));
    }
}
