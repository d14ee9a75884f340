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
//!   through `run_time_address!`) or from the kernel's values (the initial
//!   stack, the auxiliary vector, the program headers it points to);
//! - read no static holding an address, call no function through a pointer,
//!   make no trait-object call and do no formatting;
//! - cannot panic (the panic handler formats), and fail with a plain
//!   `write(2)` of a message (a private static, `text!`) and
//!   `exit_group(127)`.
//!
//! On 32-bit powerpc, position-independent code takes the address of every
//! static and string literal from a table (`.got2`, through r30) whose words
//! are themselves relocated: so there the two macros form the addresses in
//! assembly, and no plain `&STATIC` or `b"literal"` may appear on the way.
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
    /// `R_RISCV_NONE`, `R_PPC_NONE`, `R_PPC64_NONE`, `R_390_NONE`: all 0
    /// (elf.h).
    pub(crate) const R_NONE: u32 = 0;
    /// `R_PPC_RELATIVE` (elf.h: 22, "Adjust by program base"), and
    /// `R_PPC64_RELATIVE` (elf.h: `#define R_PPC64_RELATIVE R_PPC_RELATIVE`).
    #[cfg(any(target_arch = "powerpc", target_arch = "powerpc64"))]
    pub(crate) const R_RELATIVE: u32 = 22;
    /// `R_390_RELATIVE` (elf.h: 12, "Adjust by program base").
    #[cfg(target_arch = "s390x")]
    pub(crate) const R_RELATIVE: u32 = 12;
    #[cfg(not(any(target_arch = "powerpc", target_arch = "powerpc64", target_arch = "s390x")))]
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
        DT_NULL, DT_REL, DT_RELA, DT_RELAENT, DT_RELASZ, DT_RELENT, DT_RELSZ, Elf_Rel, Elf_Rela,
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
    use super::{Refusal, Tables, relr_offsets, tables};
    use core::ffi::c_char;
    use core::mem::size_of;
    use core::ptr::{read_volatile, with_exposed_provenance, with_exposed_provenance_mut, write_volatile};
    use linux_raw_sys::auxvec::{AT_NULL, AT_PAGESZ, AT_PHDR, AT_PHENT, AT_PHNUM};
    use linux_raw_sys::elf::{
        ELFMAG, Elf_Dyn, Elf_Ehdr, Elf_Phdr, Elf_Rel, Elf_Rela, PT_DYNAMIC, PT_LOAD, PT_PHDR,
    };

    /// The run-time address (`*const T`) of `$s`, a static of this module,
    /// formed from the program counter, so right before relocation too.
    ///
    /// On 32-bit powerpc, position-independent code would load it from
    /// `.got2`, which holds link-time addresses until relocation is done: so
    /// it is formed here in assembly (`bcl` to the next instruction, whose
    /// address lands in the link register, plus the link-time distance to
    /// `$s`: `R_PPC_REL16_HA`/`_LO`, which the linker resolves; `addi` with
    /// a register other than r0, which would read as 0). Elsewhere the
    /// compiler forms the address of a private static PC-relatively itself
    /// (or from the TOC pointer on powerpc64, which is the run-time one).
    macro_rules! run_time_address {
        ($s:path) => {{
            #[cfg(target_arch = "powerpc")]
            let address = {
                let address: usize;
                // (The macro may be used inside an `unsafe` block.)
                // SAFETY: reads the program counter (through the link
                // register, declared clobbered) and adds a link-time
                // constant; touches no memory.
                #[allow(unused_unsafe)]
                unsafe {
                    core::arch::asm!(
                        "bcl 20, 31, 1f",
                        "1: mflr {a}",
                        "addis {a}, {a}, ({s} - 1b)@ha",
                        "addi {a}, {a}, ({s} - 1b)@l",
                        a = out(reg_nonzero) address,
                        s = sym $s,
                        out("lr") _,
                        options(nomem, nostack, preserves_flags),
                    );
                }
                (&raw const $s).with_addr(address)
            };
            #[cfg(not(target_arch = "powerpc"))]
            let address = &raw const $s;
            address
        }};
    }

    /// The bytes of the literal `$text`, kept in a static private to this
    /// module and read through its run-time address (`run_time_address!`).
    macro_rules! text {
        ($text:literal) => {{
            static TEXT: [u8; $text.len()] = *$text;
            let address = run_time_address!(TEXT);
            // (The macro may be used inside an `unsafe` block.)
            // SAFETY: the static's run-time address; it lives for the whole
            // program and is never written.
            #[allow(unused_unsafe)]
            let text: &'static [u8] = unsafe { &*address };
            text
        }};
    }

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
        let stored = unsafe { read_volatile(run_time_address!(ANCHOR_ADDRESS).cast::<usize>()) };
        stored == run_time_address!(ANCHOR).addr()
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
        let aux = unsafe { auxiliary(argv) };
        if aux.phdr == 0 || aux.phent != size_of::<Elf_Phdr>() {
            fail(text!(b"no program headers in the auxiliary vector\n"));
        }
        let (mut base, mut dynamic, mut first_load) = (None, None, None);
        for i in 0..aux.phnum {
            // SAFETY: the kernel's AT_PHDR and AT_PHNUM describe the
            // program's headers, mapped and of this layout (AT_PHENT).
            let ph = unsafe { &*with_exposed_provenance::<Elf_Phdr>(aux.phdr).add(i) };
            match ph.p_type {
                PT_PHDR => base = Some(aux.phdr.wrapping_sub(ph.p_vaddr)),
                PT_DYNAMIC => dynamic = Some(ph.p_vaddr),
                PT_LOAD if ph.p_offset == 0 => first_load = Some(ph.p_vaddr),
                _ => {}
            }
        }
        let Some(dynamic) = dynamic else {
            fail(text!(b"a PIE needs a PT_DYNAMIC program header\n"));
        };
        // Without PT_PHDR (GNU ld's powerpc64 -static-pie has none), from
        // the ELF header.
        // SAFETY: AT_PHDR, AT_PHNUM and AT_PHENT are the kernel's.
        let Some(base) = base.or_else(|| unsafe { base_from_elf_header(&aux, first_load?) }) else {
            fail(text!(b"a PIE needs PT_PHDR, or its ELF header mapped before the program headers\n"));
        };
        // SAFETY: PT_DYNAMIC is mapped at its link-time address plus the
        // load base, and ends with DT_NULL.
        let t = match tables(unsafe { DynEntries::new(base.wrapping_add(dynamic)) }) {
            Ok(t) => t,
            Err(Refusal::EntrySize) => fail(text!(b"unexpected relocation entry size\n")),
            Err(Refusal::Plt) => fail(text!(b"PLT relocations need a dynamic linker\n")),
            Err(Refusal::TextRel) => fail(text!(b"relocations of read-only segments (DT_TEXTREL)\n")),
        };
        // SAFETY: the tables the dynamic section describes, mapped at
        // their link-time address plus `base`; the words they name are the
        // program's writable data (no DT_TEXTREL), not yet read by anyone.
        unsafe { apply(base, &t) };
    }

    /// What the start-up needs from the auxiliary vector (0 for a missing
    /// entry).
    struct Auxiliary {
        /// AT_PHDR: the run-time address of the program headers.
        phdr: usize,
        /// AT_PHNUM: how many there are.
        phnum: usize,
        /// AT_PHENT: the size of one.
        phent: usize,
        /// AT_PAGESZ: the page size.
        page: usize,
    }

    /// The load base of a program without a PT_PHDR header, from its ELF
    /// header, or `None` when that is not where it must be.
    ///
    /// The header is file offset 0, which the loadable segment at offset 0
    /// (link-time address `first_load`) maps at the start of a page (a
    /// loadable segment's address and offset agree modulo the page size,
    /// and the load base is page-aligned); the program headers follow it
    /// (`e_phoff`), within the first page in every layout that linkers
    /// make. So the header is the start of the page that holds AT_PHDR,
    /// which is mapped: it is read there, and taken only if it is an ELF
    /// header whose program headers are the kernel's.
    ///
    /// # Safety
    /// `aux` holds the kernel's AT_PHDR, AT_PHNUM, AT_PHENT and AT_PAGESZ.
    unsafe fn base_from_elf_header(aux: &Auxiliary, first_load: usize) -> Option<usize> {
        if !aux.page.is_power_of_two() {
            return None;
        }
        let header = aux.phdr & !(aux.page - 1);
        // SAFETY: the start of the page holding the program headers, which
        // the kernel mapped; an ELF header, if anything, is plain integers.
        let ehdr = unsafe { &*with_exposed_provenance::<Elf_Ehdr>(header) };
        // Compared as one integer: no constant array, whose address this
        // code could not form on every architecture before relocation.
        let magic = u32::from_ne_bytes([ehdr.e_ident[0], ehdr.e_ident[1], ehdr.e_ident[2], ehdr.e_ident[3]]);
        let is_ours = magic == u32::from_ne_bytes(ELFMAG)
            && header.wrapping_add(ehdr.e_phoff) == aux.phdr
            && usize::from(ehdr.e_phnum) == aux.phnum
            && usize::from(ehdr.e_phentsize) == aux.phent;
        is_ours.then(|| header.wrapping_sub(first_load))
    }

    /// AT_PHDR, AT_PHNUM, AT_PHENT and AT_PAGESZ from the auxiliary vector.
    ///
    /// # Safety
    /// `argv` is the `argv` of the initial stack.
    unsafe fn auxiliary(argv: *const *const c_char) -> Auxiliary {
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
            let mut aux = Auxiliary { phdr: 0, phnum: 0, phent: 0, page: 0 };
            while *p != AT_NULL as usize {
                let value = *p.add(1);
                match *p {
                    t if t == AT_PHDR as usize => aux.phdr = value,
                    t if t == AT_PHNUM as usize => aux.phnum = value,
                    t if t == AT_PHENT as usize => aux.phent = value,
                    t if t == AT_PAGESZ as usize => aux.page = value,
                    _ => {}
                }
                p = p.add(2);
            }
            aux
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
                    _ => fail(text!(
                        b"a relocation other than RELATIVE: this program needs a dynamic linker\n"
                    )),
                }
            }
            for i in 0..t.rel_size / size_of::<Elf_Rel>() {
                let r = &*with_exposed_provenance::<Elf_Rel>(base.wrapping_add(t.rel)).add(i);
                match r.type_() {
                    R_RELATIVE => relocate_word(base, r.r_offset, None),
                    R_NONE => {}
                    _ => fail(text!(
                        b"a relocation other than RELATIVE: this program needs a dynamic linker\n"
                    )),
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
            fail(text!(b"a misaligned relocation\n"));
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
    /// status 127 (as a shell reports a program it cannot run). `why` comes
    /// from `text!`, whose address is right before relocation.
    #[cold]
    #[inline(never)]
    fn fail(why: &[u8]) -> ! {
        // SAFETY: fd 2 is only written to; if it is not open, write fails
        // with EBADF, which is ignored (there is nowhere else to report).
        let stderr = unsafe { rawscm::BorrowedFd::borrow_raw(2) };
        let _ = rawscm::write(stderr, text!(b"rawscm-rt: cannot start: "));
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
