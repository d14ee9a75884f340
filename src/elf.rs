//! Reading the kernel's vDSO image: the auxiliary vector's
//! `AT_SYSINFO_EHDR`, the image's length, and a function looked up by name
//! and version, as the dynamic linker would ([`crate::vdso`] is the public
//! side; `sys` calls this). Plain code on bytes: no system call.
//!
//! The image is treated as hostile bytes: every offset is checked against
//! the length its program headers give, and a malformed image is simply "no
//! vDSO". Parsing allocates nothing and cannot panic.

// Compiled (and tested) without the `vdso` feature too.
#![cfg_attr(not(feature = "vdso"), allow(dead_code))]

use core::mem::{offset_of, size_of};
use linux_raw_sys::auxvec::{AT_NULL, AT_SYSINFO_EHDR};
use linux_raw_sys::elf::{
    DT_GNU_HASH, DT_HASH, DT_NULL, DT_STRTAB, DT_SYMTAB, DT_VERDEF, DT_VERSYM, EI_CLASS, EI_DATA,
    ELF_ST_BIND, ELF_ST_TYPE, ELFCLASS, ELFDATA, ELFMAG, Elf_Dyn, Elf_Ehdr, Elf_Phdr, Elf_Sym, Elf_Verdaux,
    Elf_Verdef, PT_DYNAMIC, PT_LOAD, SHN_UNDEF, STB_GLOBAL, STB_WEAK, STT_FUNC, VER_FLG_BASE,
};

/// None on big-endian powerpc64 and on powerpc: with ELFv1, a Rust function
/// pointer is a function descriptor, which the vDSO's symbols are not, and
/// qemu-user (the only place these targets are tested) maps no vDSO to try
/// a descriptor of our own on; there the clock is the system call.
#[cfg(any(target_arch = "powerpc", all(target_arch = "powerpc64", target_endian = "big")))]
pub(crate) const CLOCK_GETTIME: Option<(&[u8], &[u8])> = None;

/// The vDSO's `clock_gettime` that takes a 64-bit `struct
/// __kernel_timespec`, and its symbol version, as each architecture's vDSO
/// linker script exports it (the version string is the kernel's
/// `VDSO_VERSION_STRING` where the script uses that macro).
#[cfg(target_arch = "x86_64")]
// arch/x86/entry/vdso/vdso.lds.S
pub(crate) const CLOCK_GETTIME: Option<(&[u8], &[u8])> = Some((b"__vdso_clock_gettime", b"LINUX_2.6"));
#[cfg(target_arch = "x86")]
// arch/x86/entry/vdso/vdso32/vdso32.lds.S (Linux 5.6+; the plain
// __vdso_clock_gettime there takes the 32-bit timespec)
pub(crate) const CLOCK_GETTIME: Option<(&[u8], &[u8])> = Some((b"__vdso_clock_gettime64", b"LINUX_2.6"));
#[cfg(target_arch = "aarch64")]
// arch/arm64/kernel/vdso/vdso.lds.S
pub(crate) const CLOCK_GETTIME: Option<(&[u8], &[u8])> = Some((b"__kernel_clock_gettime", b"LINUX_2.6.39"));
#[cfg(target_arch = "arm")]
// arch/arm/vdso/vdso.lds.S, and arch/arm64/kernel/vdso32/vdso.lds.S for arm
// programs on arm64 kernels (Linux 5.6+)
pub(crate) const CLOCK_GETTIME: Option<(&[u8], &[u8])> = Some((b"__vdso_clock_gettime64", b"LINUX_2.6"));
#[cfg(target_arch = "riscv64")]
// arch/riscv/kernel/vdso/vdso.lds.S
pub(crate) const CLOCK_GETTIME: Option<(&[u8], &[u8])> = Some((b"__vdso_clock_gettime", b"LINUX_4.15"));
#[cfg(all(target_arch = "powerpc64", target_endian = "little"))]
// arch/powerpc/kernel/vdso/vdso64.lds.S, VDSO_VERSION_STRING in
// arch/powerpc/include/asm/vdso.h
pub(crate) const CLOCK_GETTIME: Option<(&[u8], &[u8])> = Some((b"__kernel_clock_gettime", b"LINUX_2.6.15"));
#[cfg(target_arch = "s390x")]
// arch/s390/kernel/vdso/vdso.lds.S (vdso64/vdso64.lds.S before Linux 6.14),
// VDSO_VERSION_STRING in arch/s390/include/asm/vdso.h
pub(crate) const CLOCK_GETTIME: Option<(&[u8], &[u8])> = Some((b"__kernel_clock_gettime", b"LINUX_2.6.29"));

const WORD: usize = size_of::<usize>();

/// The `N` bytes at `base + off`, if they are all inside `image`.
fn bytes<const N: usize>(image: &[u8], base: usize, off: usize) -> Option<[u8; N]> {
    image.get(base.checked_add(off)?..)?.first_chunk().copied()
}

fn u16_at(image: &[u8], base: usize, off: usize) -> Option<u16> {
    bytes(image, base, off).map(u16::from_ne_bytes)
}

fn u32_at(image: &[u8], base: usize, off: usize) -> Option<u32> {
    bytes(image, base, off).map(u32::from_ne_bytes)
}

fn word_at(image: &[u8], base: usize, off: usize) -> Option<usize> {
    bytes(image, base, off).map(usize::from_ne_bytes)
}

/// The size of the entries of a `DT_HASH` table: 8 bytes on s390x, whose
/// ELF ABI makes `.hash` a table of 64-bit words (as on Alpha), 4 elsewhere.
/// (Found by the s390x real-kernel row: reading 4-byte words there gave the
/// wrong symbol count and no clock.)
const HASH_WORD: usize = if cfg!(target_arch = "s390x") { 8 } else { 4 };

/// Entry `i` of a `DT_HASH` table.
fn hash_word_at(image: &[u8], hash: usize, i: usize) -> Option<usize> {
    let off = i.checked_mul(HASH_WORD)?;
    if HASH_WORD == 8 {
        bytes(image, hash, off).map(u64::from_ne_bytes).and_then(|w| usize::try_from(w).ok())
    } else {
        u32_at(image, hash, off).map(|w| w as usize)
    }
}

/// The value of `key` in an auxiliary vector (native-endian `(type, value)`
/// word pairs up to `AT_NULL`); `None` when it is not there or the bytes end
/// first.
pub(crate) fn auxv_value(auxv: &[u8], key: usize) -> Option<usize> {
    let (pairs, _) = auxv.as_chunks::<{ 2 * WORD }>();
    for pair in pairs {
        let (k, v) = (word_at(pair, 0, 0)?, word_at(pair, 0, WORD)?);
        match k {
            k if k == AT_NULL as usize => return None,
            k if k == key => return Some(v),
            _ => {}
        }
    }
    None
}

/// `AT_SYSINFO_EHDR` in an auxiliary vector.
pub(crate) fn sysinfo_ehdr(auxv: &[u8]) -> Option<usize> {
    auxv_value(auxv, AT_SYSINFO_EHDR as usize).filter(|&base| base != 0)
}

/// The ELF header of `image` checked to be ours (magic, word size, byte
/// order), and its program headers: `(offset, count)`.
fn program_headers(image: &[u8]) -> Option<(usize, usize)> {
    let ident = image.first_chunk::<16>()?;
    let ours = ident[..4] == ELFMAG && ident[EI_CLASS] == ELFCLASS && ident[EI_DATA] == ELFDATA;
    let entry = u16_at(image, 0, offset_of!(Elf_Ehdr, e_phentsize))?;
    if !ours || usize::from(entry) != size_of::<Elf_Phdr>() {
        return None;
    }
    let at = word_at(image, 0, offset_of!(Elf_Ehdr, e_phoff))?;
    Some((at, usize::from(u16_at(image, 0, offset_of!(Elf_Ehdr, e_phnum))?)))
}

/// One program header: `(p_type, p_offset, p_vaddr, p_filesz)`.
fn program_header(image: &[u8], table: usize, i: usize) -> Option<(u32, usize, usize, usize)> {
    let at = table.checked_add(i.checked_mul(size_of::<Elf_Phdr>())?)?;
    Some((
        u32_at(image, at, offset_of!(Elf_Phdr, p_type))?,
        word_at(image, at, offset_of!(Elf_Phdr, p_offset))?,
        word_at(image, at, offset_of!(Elf_Phdr, p_vaddr))?,
        word_at(image, at, offset_of!(Elf_Phdr, p_filesz))?,
    ))
}

/// The length of the image whose headers start `head`: where the file
/// contents of its loadable segments end. The vDSO is mapped whole, so this
/// is how much of it can be read.
pub(crate) fn image_len(head: &[u8]) -> Option<usize> {
    let (table, count) = program_headers(head)?;
    let mut end = None;
    for i in 0..count {
        let (kind, offset, _, size) = program_header(head, table, i)?;
        if kind == PT_LOAD {
            end = end.max(Some(offset.checked_add(size)?));
        }
    }
    end
}

/// What the dynamic section says, as offsets into the image.
#[derive(Default)]
struct Dynamic {
    hash: Option<usize>,
    gnu_hash: Option<usize>,
    symtab: Option<usize>,
    strtab: Option<usize>,
    versym: Option<usize>,
    verdef: Option<usize>,
}

/// The offset in `image` of the function `name` of version `version` (the
/// first global or weak function of that name and version): what the
/// dynamic linker would find, from the dynamic section's symbol table, its
/// `DT_HASH` or `DT_GNU_HASH` (for the number of symbols) and its version
/// tables. `None` for anything missing or malformed.
pub(crate) fn find(image: &[u8], name: &[u8], version: &[u8]) -> Option<usize> {
    let (table, count) = program_headers(image)?;
    // Addresses in the image are link-time addresses; the first loadable
    // segment says how they map to offsets.
    let (mut bias, mut dynamic) = (None, None);
    for i in 0..count {
        match program_header(image, table, i)? {
            (PT_LOAD, offset, vaddr, _) if bias.is_none() => bias = Some(vaddr.wrapping_sub(offset)),
            (PT_DYNAMIC, offset, ..) => dynamic = Some(offset),
            _ => {}
        }
    }
    let (bias, mut at) = (bias?, dynamic?);
    let mut d = Dynamic::default();
    loop {
        let tag = word_at(image, at, offset_of!(Elf_Dyn, d_tag))?;
        // Every tag kept is an address.
        let value = Some(word_at(image, at, offset_of!(Elf_Dyn, d_un))?.wrapping_sub(bias));
        match tag {
            DT_NULL => break,
            DT_HASH => d.hash = value,
            DT_GNU_HASH => d.gnu_hash = value,
            DT_SYMTAB => d.symtab = value,
            DT_STRTAB => d.strtab = value,
            DT_VERSYM => d.versym = value,
            DT_VERDEF => d.verdef = value,
            _ => {}
        }
        at = at.checked_add(size_of::<Elf_Dyn>())?;
    }
    let symbols = match (d.hash, d.gnu_hash) {
        // nchain: one chain entry per symbol.
        (Some(hash), _) => hash_word_at(image, hash, 1)?,
        (None, Some(gnu)) => gnu_hash_symbols(image, gnu)?,
        (None, None) => return None,
    };
    let (symtab, strtab) = (d.symtab?, d.strtab?);
    for i in 0..symbols {
        let sym = symtab.checked_add(i.checked_mul(size_of::<Elf_Sym>())?)?;
        // The symbols are consecutive: once one is out of the image, so are
        // the rest (`?` ends the search).
        let [info] = bytes(image, sym, offset_of!(Elf_Sym, st_info))?;
        let defined = u16_at(image, sym, offset_of!(Elf_Sym, st_shndx))? != SHN_UNDEF;
        let value = word_at(image, sym, offset_of!(Elf_Sym, st_value))?;
        let name_at = u32_at(image, sym, offset_of!(Elf_Sym, st_name))? as usize;
        let wanted = ELF_ST_TYPE(info) == STT_FUNC
            && matches!(ELF_ST_BIND(info), STB_GLOBAL | STB_WEAK)
            && defined
            && is_string(image, strtab.checked_add(name_at)?, name);
        if wanted && has_version(image, &d, i, version) {
            let offset = value.wrapping_sub(bias);
            return (offset < image.len()).then_some(offset);
        }
    }
    None
}

/// Whether the NUL-terminated string at `at` is `s`.
fn is_string(image: &[u8], at: usize, s: &[u8]) -> bool {
    let text = image.get(at..).and_then(|t| t.get(..=s.len()));
    text.is_some_and(|t| t.split_last() == Some((&0, s)))
}

/// Whether symbol `i` has version `version`: its `DT_VERSYM` index names a
/// (non-base) `DT_VERDEF` entry whose first name is `version`. A symbol
/// table without versions matches any.
fn has_version(image: &[u8], d: &Dynamic, i: usize, version: &[u8]) -> bool {
    let Some(versym) = d.versym else { return true };
    let wanted = i.checked_mul(2).and_then(|o| u16_at(image, versym, o));
    let (Some(wanted), Some(mut def)) = (wanted, d.verdef) else { return false };
    // The definitions are a chain of forward offsets (`vd_next`, 0 at the
    // end): it ends, since each step moves on and leaving the image stops it.
    loop {
        let flags = u16_at(image, def, offset_of!(Elf_Verdef, vd_flags));
        let index = u16_at(image, def, offset_of!(Elf_Verdef, vd_ndx));
        let (Some(flags), Some(index)) = (flags, index) else { return false };
        if flags & VER_FLG_BASE == 0 && index & 0x7fff == wanted & 0x7fff {
            let aux = u32_at(image, def, offset_of!(Elf_Verdef, vd_aux));
            let aux = aux.and_then(|aux| def.checked_add(aux as usize));
            let name = aux.and_then(|aux| u32_at(image, aux, offset_of!(Elf_Verdaux, vda_name)));
            let text = name.and_then(|name| d.strtab?.checked_add(name as usize));
            return text.is_some_and(|at| is_string(image, at, version));
        }
        let next = u32_at(image, def, offset_of!(Elf_Verdef, vd_next));
        match next.filter(|&n| n != 0).and_then(|n| def.checked_add(n as usize)) {
            Some(n) => def = n,
            None => return false,
        }
    }
}

/// The number of symbols in a `DT_GNU_HASH` table (which does not store
/// it): one past the last symbol of the bucket whose chain starts last.
fn gnu_hash_symbols(image: &[u8], at: usize) -> Option<usize> {
    let field = |i: usize| u32_at(image, at, 4 * i).map(|v| v as usize);
    let (buckets, first, bloom) = (field(0)?, field(1)?, field(2)?);
    let table = at.checked_add(16)?.checked_add(bloom.checked_mul(WORD)?)?;
    let mut last = 0;
    for b in 0..buckets {
        last = last.max(u32_at(image, table, b.checked_mul(4)?)? as usize);
    }
    if last < first {
        return Some(first); // no hashed symbols
    }
    let chains = table.checked_add(buckets.checked_mul(4)?)?;
    // The chain ends at the entry with its low bit set; each step reads
    // further, so leaving the image ends it too.
    loop {
        let entry = u32_at(image, chains, (last - first).checked_mul(4)?)?;
        last += 1;
        if entry & 1 != 0 {
            return Some(last);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symbol name for the test images (the real one differs per
    /// architecture, and some have none).
    const TEST_NAME: &[u8] = b"__vdso_clock_gettime";
    use linux_raw_sys::elf::{EM_CURRENT, ET_DYN, EV_CURRENT, STT_NOTYPE};
    use proptest::prelude::*;
    use std::vec::Vec;

    /// How the test image lists its symbols for a lookup.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Hash {
        Sysv,
        Gnu,
        Both,
        None,
    }

    /// One symbol of a test image: name, version index (1 = the base
    /// version, 2 = [`VERSION`], 0x8002 = hidden 2), st_info, section, value
    /// (an address, before the bias).
    struct Sym {
        name: &'static [u8],
        ver: u16,
        info: u8,
        shndx: u16,
        value: usize,
    }

    const FUNC: u8 = (STB_GLOBAL << 4) | STT_FUNC;
    const VERSION: &[u8] = b"LINUX_TEST";

    fn sym(name: &'static [u8], value: usize) -> Sym {
        Sym { name, ver: 2, info: FUNC, shndx: 7, value }
    }

    /// Appends `value` in native byte order, as `N` bytes.
    fn put(v: &mut Vec<u8>, at: usize, bytes: &[u8]) {
        if v.len() < at + bytes.len() {
            v.resize(at + bytes.len(), 0);
        }
        v[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// A vDSO-like shared object: ELF header, PT_LOAD (the whole file) and
    /// PT_DYNAMIC, hash table(s), dynsym, dynstr, versym, verdef, the
    /// dynamic section, and some "code". Link-time addresses are `bias` plus
    /// the file offset, as in a real vDSO (0 for most, non-zero in old ones).
    fn image(syms: &[Sym], hash: Hash, versions: bool, bias: usize) -> Vec<u8> {
        let w = WORD;
        let mut v = Vec::new();
        let ehdr = size_of::<Elf_Ehdr>();
        let phdr = size_of::<Elf_Phdr>();
        // Layout, 16-aligned pieces after the headers.
        let phoff = ehdr;
        let mut at = (phoff + 2 * phdr + 15) & !15;
        let n = syms.len() + 1; // symbol 0 is the null symbol
        let hash_at = at;
        at += HASH_WORD * (2 + 1 + n) + 16;
        let gnu_at = at;
        at += 16 + w + 4 + 4 * n + 16;
        let symtab = (at + 15) & !15;
        at = symtab + n * size_of::<Elf_Sym>();
        let strtab = at;
        let mut strings = std::vec![0u8];
        let mut names = Vec::new();
        for s in syms {
            names.push(strings.len());
            strings.extend_from_slice(s.name);
            strings.push(0);
        }
        let soname = strings.len();
        strings.extend_from_slice(b"linux-vdso.so.1\0");
        let vername = strings.len();
        strings.extend_from_slice(VERSION);
        strings.push(0);
        at += strings.len();
        let versym = (at + 15) & !15;
        at = versym + 2 * n;
        let verdef = (at + 15) & !15;
        at = verdef + 2 * (size_of::<Elf_Verdef>() + size_of::<Elf_Verdaux>());
        let dynamic = (at + 15) & !15;
        let mut tags: Vec<(usize, usize)> = Vec::new();
        if matches!(hash, Hash::Sysv | Hash::Both) {
            tags.push((DT_HASH, bias + hash_at));
        }
        if matches!(hash, Hash::Gnu | Hash::Both) {
            tags.push((DT_GNU_HASH, bias + gnu_at));
        }
        tags.push((DT_SYMTAB, bias + symtab));
        tags.push((DT_STRTAB, bias + strtab));
        if versions {
            tags.push((DT_VERSYM, bias + versym));
            tags.push((DT_VERDEF, bias + verdef));
        }
        tags.push((DT_NULL, 0));
        let end = dynamic + tags.len() * size_of::<Elf_Dyn>() + 64; // and some code

        // ELF header.
        let mut ident = [0u8; 16];
        ident[..4].copy_from_slice(&ELFMAG);
        ident[EI_CLASS] = ELFCLASS;
        ident[EI_DATA] = ELFDATA;
        ident[6] = EV_CURRENT;
        put(&mut v, 0, &ident);
        put(&mut v, offset_of!(Elf_Ehdr, e_type), &ET_DYN.to_ne_bytes());
        put(&mut v, offset_of!(Elf_Ehdr, e_machine), &EM_CURRENT.to_ne_bytes());
        put(&mut v, offset_of!(Elf_Ehdr, e_phoff), &phoff.to_ne_bytes());
        put(&mut v, offset_of!(Elf_Ehdr, e_ehsize), &(ehdr as u16).to_ne_bytes());
        put(&mut v, offset_of!(Elf_Ehdr, e_phentsize), &(phdr as u16).to_ne_bytes());
        put(&mut v, offset_of!(Elf_Ehdr, e_phnum), &2u16.to_ne_bytes());
        // Program headers.
        for (i, (kind, off, size)) in
            [(PT_LOAD, 0, end), (PT_DYNAMIC, dynamic, end - dynamic)].into_iter().enumerate()
        {
            let p = phoff + i * phdr;
            put(&mut v, p + offset_of!(Elf_Phdr, p_type), &kind.to_ne_bytes());
            put(&mut v, p + offset_of!(Elf_Phdr, p_offset), &off.to_ne_bytes());
            put(&mut v, p + offset_of!(Elf_Phdr, p_vaddr), &(bias + off).to_ne_bytes());
            put(&mut v, p + offset_of!(Elf_Phdr, p_filesz), &size.to_ne_bytes());
            put(&mut v, p + offset_of!(Elf_Phdr, p_memsz), &size.to_ne_bytes());
        }
        // DT_HASH: one bucket holding symbol 1, chained through all.
        let u32s = |v: &mut Vec<u8>, at: usize, words: &[u32]| {
            for (i, x) in words.iter().enumerate() {
                put(v, at + 4 * i, &x.to_ne_bytes());
            }
        };
        let mut sysv = std::vec![1, n as u32, u32::from(n > 1)];
        sysv.extend((0..n as u32).map(|i| if i == 0 || i + 1 == n as u32 { 0 } else { i + 1 }));
        for (i, &x) in sysv.iter().enumerate() {
            let at = hash_at + HASH_WORD * i;
            if HASH_WORD == 8 {
                put(&mut v, at, &u64::from(x).to_ne_bytes());
            } else {
                put(&mut v, at, &x.to_ne_bytes());
            }
        }
        // DT_GNU_HASH: one bucket, symbols from 1 on, bloom filter of one
        // word (all ones), the chain's last entry marked by its low bit.
        u32s(&mut v, gnu_at, &[1, 1, 1, 6]);
        put(&mut v, gnu_at + 16, &usize::MAX.to_ne_bytes());
        let chain: Vec<u32> = (1..n).map(|i| if i + 1 == n { 1 } else { 0 }).collect();
        u32s(&mut v, gnu_at + 16 + w, &[if n > 1 { 1 } else { 0 }]);
        u32s(&mut v, gnu_at + 16 + w + 4, &chain);
        // dynsym, dynstr, versym.
        for (i, s) in syms.iter().enumerate() {
            let at = symtab + (i + 1) * size_of::<Elf_Sym>();
            put(&mut v, at + offset_of!(Elf_Sym, st_name), &(names[i] as u32).to_ne_bytes());
            put(&mut v, at + offset_of!(Elf_Sym, st_info), &[s.info]);
            put(&mut v, at + offset_of!(Elf_Sym, st_shndx), &s.shndx.to_ne_bytes());
            put(&mut v, at + offset_of!(Elf_Sym, st_value), &(bias + s.value).to_ne_bytes());
            put(&mut v, versym + 2 * (i + 1), &s.ver.to_ne_bytes());
        }
        put(&mut v, strtab, &strings);
        // verdef: the base version (index 1), then VERSION (index 2).
        let def = size_of::<Elf_Verdef>();
        let aux = size_of::<Elf_Verdaux>();
        for (i, (flags, ndx, name)) in [(VER_FLG_BASE, 1u16, soname), (0, 2, vername)].into_iter().enumerate()
        {
            let at = verdef + i * (def + aux);
            put(&mut v, at + offset_of!(Elf_Verdef, vd_version), &1u16.to_ne_bytes());
            put(&mut v, at + offset_of!(Elf_Verdef, vd_flags), &flags.to_ne_bytes());
            put(&mut v, at + offset_of!(Elf_Verdef, vd_ndx), &ndx.to_ne_bytes());
            put(&mut v, at + offset_of!(Elf_Verdef, vd_cnt), &1u16.to_ne_bytes());
            put(&mut v, at + offset_of!(Elf_Verdef, vd_aux), &(def as u32).to_ne_bytes());
            let next = if i == 0 { (def + aux) as u32 } else { 0 };
            put(&mut v, at + offset_of!(Elf_Verdef, vd_next), &next.to_ne_bytes());
            put(&mut v, at + def + offset_of!(Elf_Verdaux, vda_name), &(name as u32).to_ne_bytes());
        }
        for (i, (tag, value)) in tags.iter().enumerate() {
            let at = dynamic + i * size_of::<Elf_Dyn>();
            put(&mut v, at + offset_of!(Elf_Dyn, d_tag), &tag.to_ne_bytes());
            put(&mut v, at + offset_of!(Elf_Dyn, d_un), &value.to_ne_bytes());
        }
        v.resize(end, 0xcc);
        v
    }

    /// The symbols of a typical image: the clock of this architecture among
    /// others, at offsets in the "code" at the end.
    fn typical(hash: Hash, versions: bool, bias: usize) -> (Vec<u8>, usize) {
        let code = 0x400;
        let syms = [
            sym(b"__vdso_time", code + 0x10),
            sym(b"__kernel_getcpu", code + 0x20),
            sym(TEST_NAME, code + 0x30),
            sym(b"__vdso_gettimeofday", code + 0x40),
        ];
        let mut v = image(&syms, hash, versions, bias);
        v.resize(v.len().max(code + 0x100), 0xcc);
        // The PT_LOAD must cover it: rebuild with the code inside.
        let len = v.len();
        let p = size_of::<Elf_Ehdr>();
        put(&mut v, p + offset_of!(Elf_Phdr, p_filesz), &len.to_ne_bytes());
        (v, code + 0x30)
    }

    #[test]
    fn the_clock_is_found_through_either_hash_table_with_or_without_versions() {
        for hash in [Hash::Sysv, Hash::Gnu, Hash::Both] {
            for bias in [0, 0x10_0000, usize::MAX - 0xffff] {
                for versions in [true, false] {
                    let (img, want) = typical(hash, versions, bias);
                    let name = TEST_NAME;
                    let version = if versions { VERSION } else { b"ANY" };
                    assert_eq!(find(&img, name, version), Some(want), "{hash:?} bias {bias:#x} {versions}");
                    assert_eq!(image_len(&img), Some(img.len()));
                }
            }
        }
    }

    #[test]
    fn wrong_names_versions_kinds_and_undefined_symbols_are_not_found() {
        let (img, _) = typical(Hash::Both, true, 0);
        assert_eq!(find(&img, TEST_NAME, b"LINUX_OTHER"), None);
        assert_eq!(find(&img, b"__vdso_clock", VERSION), None, "a prefix is not the name");
        assert_eq!(find(&img, b"clock_gettime", VERSION), None);
        // The same name as data, undefined, local, or of the base version.
        let cases = [
            Sym { info: (STB_GLOBAL << 4) | STT_NOTYPE, ..sym(b"f", 0x200) },
            Sym { shndx: SHN_UNDEF, ..sym(b"f", 0x200) },
            Sym { info: STT_FUNC, ..sym(b"f", 0x200) },
            Sym { ver: 1, ..sym(b"f", 0x200) },
        ];
        for case in cases {
            let img = image(&[case], Hash::Sysv, true, 0);
            assert_eq!(find(&img, b"f", VERSION), None);
        }
        // A hidden version index (bit 15) still names the version; the first
        // match wins; weak symbols count.
        let syms = [
            Sym { ver: 0x8002, ..sym(b"f", 0x200) },
            Sym { info: (STB_WEAK << 4) | STT_FUNC, ..sym(b"g", 0x210) },
            sym(b"f", 0x220),
        ];
        let img = image(&syms, Hash::Gnu, true, 0);
        assert_eq!(find(&img, b"f", VERSION), Some(0x200));
        assert_eq!(find(&img, b"g", VERSION), Some(0x210));
        // A symbol whose address lies outside the image is not an answer.
        let img = image(&[sym(b"f", 1 << 30)], Hash::Sysv, true, 0);
        assert_eq!(find(&img, b"f", VERSION), None);
    }

    #[test]
    fn images_without_a_way_to_the_symbols_give_none() {
        let (img, _) = typical(Hash::None, true, 0);
        assert_eq!(find(&img, TEST_NAME, VERSION), None, "no hash table");
        // No PT_DYNAMIC: make it another type.
        let (mut img, _) = typical(Hash::Both, true, 0);
        let p = size_of::<Elf_Ehdr>() + size_of::<Elf_Phdr>();
        put(&mut img, p + offset_of!(Elf_Phdr, p_type), &0x6474_e550u32.to_ne_bytes());
        assert_eq!(find(&img, TEST_NAME, VERSION), None, "no dynamic section");
        // No PT_LOAD: no way to map addresses, no length.
        let (mut img, _) = typical(Hash::Both, true, 0);
        put(&mut img, size_of::<Elf_Ehdr>() + offset_of!(Elf_Phdr, p_type), &7u32.to_ne_bytes());
        assert_eq!(find(&img, TEST_NAME, VERSION), None);
        assert_eq!(image_len(&img), None);
        // Not ours: wrong magic, word size, byte order, header size.
        for (at, byte) in [(0, 0x7e), (EI_CLASS, ELFCLASS ^ 3), (EI_DATA, ELFDATA ^ 3)] {
            let (mut img, _) = typical(Hash::Both, true, 0);
            img[at] = byte;
            assert_eq!(find(&img, TEST_NAME, VERSION), None);
            assert_eq!(image_len(&img), None);
        }
        let (mut img, _) = typical(Hash::Both, true, 0);
        put(&mut img, offset_of!(Elf_Ehdr, e_phentsize), &1u16.to_ne_bytes());
        assert_eq!(find(&img, TEST_NAME, VERSION), None);
        assert_eq!(find(&[], TEST_NAME, VERSION), None);
        assert_eq!(image_len(&[0x7f, b'E', b'L', b'F']), None);
    }

    #[test]
    fn lying_offsets_and_counts_end_the_search_inside_the_image() {
        let (base, want) = typical(Hash::Both, true, 0);
        let name = TEST_NAME;
        let phdr = size_of::<Elf_Ehdr>();
        let dynamic = |img: &[u8]| word_at(img, phdr + size_of::<Elf_Phdr>(), offset_of!(Elf_Phdr, p_offset));
        let lies: [(usize, &[u8]); 6] = [
            (offset_of!(Elf_Ehdr, e_phoff), &usize::MAX.to_ne_bytes()),
            (offset_of!(Elf_Ehdr, e_phnum), &u16::MAX.to_ne_bytes()),
            (phdr + size_of::<Elf_Phdr>() + offset_of!(Elf_Phdr, p_offset), &(usize::MAX - 3).to_ne_bytes()),
            (phdr + offset_of!(Elf_Phdr, p_vaddr), &(usize::MAX / 2).to_ne_bytes()),
            (phdr + offset_of!(Elf_Phdr, p_filesz), &usize::MAX.to_ne_bytes()),
            (dynamic(&base).unwrap(), &DT_GNU_HASH.to_ne_bytes()),
        ];
        for (at, bytes) in lies {
            let mut img = base.clone();
            put(&mut img, at, bytes);
            let got = find(&img, name, VERSION);
            assert!(got.is_none_or(|o| o < img.len()), "{at}: {got:?}");
            let _ = image_len(&img);
        }
        // A huge symbol count (nchain) and bucket count: the search stops at
        // the end of the image.
        let hash = (|| {
            for i in 0.. {
                let at = dynamic(&base)? + i * size_of::<Elf_Dyn>();
                if word_at(&base, at, 0)? == DT_HASH {
                    return word_at(&base, at, WORD);
                }
            }
            None
        })()
        .unwrap();
        let mut img = base.clone();
        put(&mut img, hash, &[0xff; 2 * HASH_WORD]);
        assert_eq!(find(&img, name, VERSION), Some(want), "found before the count runs out");
        assert_eq!(find(&img, b"absent", VERSION), None);
        assert_eq!(find(&base, name, VERSION), Some(want));
    }

    #[test]
    fn every_prefix_of_an_image_is_parsed_without_panic_or_overread() {
        for hash in [Hash::Sysv, Hash::Gnu] {
            let (img, want) = typical(hash, true, 0);
            for n in 0..=img.len() {
                let got = find(&img[..n], TEST_NAME, VERSION);
                assert!(got.is_none() || (got == Some(want) && want < n), "{hash:?} prefix {n}: {got:?}");
            }
            assert_eq!(find(&img, TEST_NAME, VERSION), Some(want));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: if cfg!(miri) { 20 } else { 2000 }, ..ProptestConfig::default() })]

        /// Any bytes written anywhere over a valid image, and any cut: no
        /// panic, and an answer, if any, lies inside the image.
        #[test]
        fn corrupted_images_never_panic_or_point_outside(
            hash in prop_oneof![Just(Hash::Sysv), Just(Hash::Gnu), Just(Hash::Both)],
            versions in any::<bool>(),
            edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u64>(), 1..9usize), 0..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let (mut img, _) = typical(hash, versions, 0);
            for (at, value, len) in edits {
                let at = at.index(img.len());
                let bytes = value.to_ne_bytes();
                let end = (at + len).min(img.len());
                img[at..end].copy_from_slice(&bytes[..end - at]);
            }
            let img = &img[..cut.index(img.len() + 1)];
            let got = find(img, TEST_NAME, VERSION);
            prop_assert!(got.is_none_or(|o| o < img.len()));
            let _ = image_len(img);
        }

        /// Arbitrary bytes behind a valid ELF identification.
        #[test]
        fn arbitrary_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..600)) {
            let mut img = std::vec![0x7f, b'E', b'L', b'F', ELFCLASS, ELFDATA, 1, 0];
            img.extend_from_slice(&tail);
            let got = find(&img, TEST_NAME, VERSION);
            prop_assert!(got.is_none_or(|o| o < img.len()));
            let _ = image_len(&img);
            let _ = sysinfo_ehdr(&tail);
        }
    }

    #[test]
    fn the_auxiliary_vector_is_read_up_to_at_null() {
        let words = |w: &[usize]| w.iter().flat_map(|x| x.to_ne_bytes()).collect::<Vec<u8>>();
        let e = AT_SYSINFO_EHDR as usize;
        assert_eq!(sysinfo_ehdr(&words(&[6, 4096, e, 0x7fff_0000, 0, 0])), Some(0x7fff_0000));
        assert_eq!(sysinfo_ehdr(&words(&[6, 4096, 0, 0, e, 0x7fff_0000])), None, "after AT_NULL");
        assert_eq!(sysinfo_ehdr(&words(&[e, 0])), None, "zero is no vDSO");
        let cut = words(&[6, 4096, e, 0x7fff_0000]);
        assert_eq!(sysinfo_ehdr(&cut[..cut.len() - 1]), None, "a cut pair");
        assert_eq!(sysinfo_ehdr(&[]), None);
    }
}
