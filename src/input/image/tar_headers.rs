//! Walking the headers of an uncompressed layer tar without reading file contents: each 512-byte
//! header gives the size of the content that follows, which is skipped (seeked past). This checks
//! that a layer is a whole tar archive — every header is a tar header and every entry's content
//! fits in the blob — at the cost of one read per entry.
//!
//! Like Go's archive/tar (which containerd and docker use), a stream that ends cleanly at a
//! header boundary without the end-of-archive blocks, or whose last entry lacks only its padding,
//! is accepted: umoci writes layers that way. A header cut short, or content shorter than its
//! header says, is truncation.
//!
//! Written here rather than with the tar crate because the tar crate treats a header that cannot
//! be read in full as the end of the archive, which would hide exactly the truncation this walk
//! exists to find. The outer archives (docker save, oci-archive) are indexed with the tar crate,
//! which also resolves long names; layer tars only need sizes.

use std::io::{self, Read};

use super::store::BlobReader;
use crate::model::files::FileEntry;

pub(crate) const BLOCK: u64 = 512;
/// pax extended headers (`x`, `g`) and GNU long names and links (`L`, `K`) longer than this are
/// refused, as Go's archive/tar refuses them: they are metadata, and readers (the tar crate
/// among them) hold them in memory whole.
pub(crate) const MAX_EXTENSION_BYTES: u64 = 1024 * 1024;

/// The source of a walk: a blob that can be seeked (sizing) or one that must be read through
/// (verifying, where every byte goes through the hash anyway).
pub(crate) trait TarSource {
    /// Reads one whole block.
    fn read_block(&mut self, block: &mut [u8; 512]) -> io::Result<()>;
    /// Moves forward `bytes`.
    fn skip(&mut self, bytes: u64) -> io::Result<()>;
    /// Reads one header block; `false` when the source ended cleanly before it (only a source of
    /// unknown length may).
    fn read_header(&mut self, block: &mut [u8; 512]) -> io::Result<bool> {
        self.read_block(block).map(|()| true)
    }
    /// Moves past the padding of an entry (a source of unknown length may end inside it).
    fn skip_padding(&mut self, bytes: u64) -> io::Result<()> {
        self.skip(bytes)
    }
}

impl TarSource for BlobReader {
    fn read_block(&mut self, block: &mut [u8; 512]) -> io::Result<()> {
        self.read_exact(block)
    }

    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        let target = self.position() + bytes;
        self.seek_to(target)
    }
}

/// Any reader, read through.
pub(crate) struct ReadThrough<R>(pub R);

impl<R: Read> TarSource for ReadThrough<R> {
    fn read_block(&mut self, block: &mut [u8; 512]) -> io::Result<()> {
        self.0.read_exact(block)
    }

    fn skip(&mut self, bytes: u64) -> io::Result<()> {
        let copied = io::copy(&mut (&mut self.0).take(bytes), &mut io::sink())?;
        if copied < bytes {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }

    fn read_header(&mut self, block: &mut [u8; 512]) -> io::Result<bool> {
        let mut filled = 0;
        while filled < block.len() {
            match self.0.read(&mut block[filled..]) {
                Ok(0) if filled == 0 => return Ok(false),
                Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                Ok(read) => filled += read,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    fn skip_padding(&mut self, bytes: u64) -> io::Result<()> {
        io::copy(&mut (&mut self.0).take(bytes), &mut io::sink()).map(|_| ())
    }
}

/// What the headers say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TarSummary {
    pub entries: u64,
    /// The sum of the entries' content sizes (about what `docker inspect` counts).
    pub content_bytes: u64,
    /// Offset just after the end-of-archive marker.
    pub end: u64,
}

/// Walks the headers of a tar of `len` bytes. The error says what is wrong and where.
pub(crate) fn walk(source: &mut impl TarSource, len: u64) -> Result<TarSummary, String> {
    walk_entries(source, Some(len), None)
}

/// Walks the headers of a tar of `len` bytes (`None`: a stream of unknown length, which may end
/// at a header boundary or inside the last entry's padding), telling `visit` every entry (long
/// names and pax records applied). The error says what is wrong and where.
pub(crate) fn walk_entries(
    source: &mut impl TarSource,
    len: Option<u64>,
    mut visit: Option<&mut dyn FnMut(FileEntry)>,
) -> Result<TarSummary, String> {
    let stream = len.is_none();
    let len = len.unwrap_or(u64::MAX);
    let mut position = 0u64;
    let mut entries = 0u64;
    let mut content_bytes = 0u64;
    let mut pax_size: Option<u64> = None;
    let mut pax_path: Option<String> = None;
    let mut long_name: Option<String> = None;
    let mut block = [0u8; 512];
    loop {
        if position == len {
            // Ends at a header boundary without the end-of-archive blocks: accepted (see above).
            return Ok(TarSummary {
                entries,
                content_bytes,
                end: position,
            });
        }
        if position + BLOCK > len {
            return Err(format!(
                "the tar ends at byte {len}, inside a header (truncated?)"
            ));
        }
        let more = source
            .read_header(&mut block)
            .map_err(|e| format!("cannot read the tar header at byte {position}: {e}"))?;
        if !more {
            return Ok(TarSummary {
                entries,
                content_bytes,
                end: position,
            });
        }
        position += BLOCK;
        if block.iter().all(|&b| b == 0) {
            return Ok(TarSummary {
                entries,
                content_bytes,
                end: position,
            });
        }
        if !checksum_ok(&block) {
            return Err(format!(
                "not a tar archive: bad header checksum at byte {}",
                position - BLOCK
            ));
        }
        let header_size = parse_size(&block[124..136]).ok_or_else(|| {
            format!(
                "bad size field in the tar header at byte {}",
                position - BLOCK
            )
        })?;
        let type_flag = block[156];
        if matches!(type_flag, b'x' | b'g' | b'L' | b'K') && header_size > MAX_EXTENSION_BYTES {
            return Err(format!(
                "the tar header extension ({}) at byte {} is {header_size} bytes, more than the \
                 {MAX_EXTENSION_BYTES} accepted",
                match type_flag {
                    b'x' | b'g' => "pax",
                    _ => "GNU long name",
                },
                position - BLOCK
            ));
        }
        let size = match type_flag {
            b'x' | b'g' => header_size,
            _ => pax_size.take().unwrap_or(header_size),
        };
        let padded = size
            .checked_add(BLOCK - 1)
            .map(|s| s / BLOCK * BLOCK)
            .ok_or_else(|| "tar entry size overflows".to_string())?;
        // The last entry may lack only its padding.
        let padded =
            if position.saturating_add(padded) > len && position.saturating_add(size) == len {
                size
            } else {
                padded
            };
        if position.saturating_add(padded) > len {
            return Err(format!(
                "tar entry at byte {} claims {size} bytes but the layer ends at byte {len} (truncated?)",
                position - BLOCK
            ));
        }
        let names = visit.is_some() && type_flag == b'L';
        if type_flag == b'x' || names {
            let mut records = vec![0u8; padded as usize];
            for chunk in records.chunks_mut(BLOCK as usize) {
                let chunk: &mut [u8; 512] =
                    chunk.try_into().map_err(|_| "bad pax header".to_string())?;
                source
                    .read_block(chunk)
                    .map_err(|e| format!("cannot read the pax header at byte {position}: {e}"))?;
            }
            let records = &records[..size as usize];
            if type_flag == b'x' {
                pax_size = pax_record_size(records);
                pax_path = pax_record(records, b"path=")
                    .map(|path| String::from_utf8_lossy(path).into_owned());
            } else {
                long_name = Some(text_field(records));
            }
        } else if stream {
            source
                .skip(size)
                .and_then(|()| source.skip_padding(padded - size))
                .map_err(|e| format!("cannot skip the tar entry at byte {position}: {e}"))?;
        } else {
            source
                .skip(padded)
                .map_err(|e| format!("cannot skip the tar entry at byte {position}: {e}"))?;
        }
        position = position.saturating_add(padded);
        if !matches!(type_flag, b'x' | b'g' | b'L' | b'K') {
            entries += 1;
            content_bytes = content_bytes.saturating_add(size);
            let path = pax_path.take().or_else(|| long_name.take());
            if let Some(visit) = visit.as_mut() {
                let path = path.unwrap_or_else(|| header_name(&block));
                let mode = parse_octal(&block[100..108]).unwrap_or(0);
                let is_dir = type_flag == b'5'
                    || (type_flag == 0 && path.ends_with('/'))
                    || mode & !0o7777 == 0o40000;
                visit(FileEntry { path, size, is_dir });
            }
        }
    }
}

/// Whether a block is a tar header: its checksum field matches its bytes (counted as unsigned,
/// or signed as some old tars did), the checksum field itself counted as eight spaces.
pub(crate) fn checksum_ok(block: &[u8; 512]) -> bool {
    let Some(stored) = parse_octal(&block[148..156]) else {
        return false;
    };
    // Whole-block sums without a branch per byte (the compiler vectorises them in 16-bit lanes:
    // a half block of 256 bytes cannot overflow them; this runs once per tar entry), then the
    // checksum field's bytes swapped for spaces. A byte counted signed is 256 less when its
    // high bit is set, and spaces have none.
    let sums = |bytes: &[u8]| -> (u32, u32) {
        let sum: u16 = bytes.iter().map(|&b| u16::from(b)).sum();
        let high: u16 = bytes.iter().map(|&b| u16::from(b >> 7)).sum();
        (u32::from(sum), u32::from(high))
    };
    let (first, second, field) = (
        sums(&block[..256]),
        sums(&block[256..]),
        sums(&block[148..156]),
    );
    let unsigned = first.0 + second.0 - field.0 + 8 * u32::from(b' ');
    let high = first.1 + second.1 - field.1;
    let signed = i64::from(unsigned) - 256 * i64::from(high);
    stored == u64::from(unsigned) || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// A numeric field: octal text, or GNU base-256 when the high bit of the first byte is set.
fn parse_size(field: &[u8]) -> Option<u64> {
    if field.first().is_some_and(|b| b & 0x80 != 0) {
        if field[0] & 0x40 != 0 {
            return None; // negative
        }
        let mut value = u64::from(field[0] & 0x3f);
        for &b in &field[1..] {
            value = value.checked_mul(256)?.checked_add(u64::from(b))?;
        }
        return Some(value);
    }
    parse_octal(field)
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text = field
        .iter()
        .skip_while(|&&b| b == b' ' || b == 0)
        .take_while(|&&b| b != b' ' && b != 0);
    let mut value = 0u64;
    let mut digits = 0;
    for &b in text {
        if !(b'0'..=b'7').contains(&b) {
            return None;
        }
        value = value.checked_mul(8)?.checked_add(u64::from(b - b'0'))?;
        digits += 1;
    }
    (digits > 0 || field.iter().all(|&b| b == 0 || b == b' ')).then_some(value)
}

/// The text of a NUL-terminated field.
fn text_field(field: &[u8]) -> String {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

/// The name of a header: its name field, after the ustar prefix when the header is ustar or pax
/// (as Go's archive/tar reads it; GNU headers use that space for other fields).
fn header_name(block: &[u8; 512]) -> String {
    let name = text_field(&block[..100]);
    if &block[257..263] == b"ustar\0" {
        let prefix = text_field(&block[345..500]);
        if !prefix.is_empty() {
            return format!("{prefix}/{name}");
        }
    }
    name
}

/// The value of the record with `key` (`b"path="`) of a pax extended header.
fn pax_record<'a>(records: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut rest = records;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let length: usize = std::str::from_utf8(&rest[..space]).ok()?.parse().ok()?;
        if length <= space || length > rest.len() {
            return None;
        }
        let record = &rest[space + 1..length];
        if let Some(value) = record.strip_prefix(key) {
            return Some(value.strip_suffix(b"\n").unwrap_or(value));
        }
        rest = &rest[length..];
    }
    None
}

/// The `size=` record of a pax extended header (`"%d size=%d\n"` records).
fn pax_record_size(records: &[u8]) -> Option<u64> {
    let mut rest = records;
    while !rest.is_empty() {
        let space = rest.iter().position(|&b| b == b' ')?;
        let length: usize = std::str::from_utf8(&rest[..space]).ok()?.parse().ok()?;
        if length <= space || length > rest.len() {
            return None;
        }
        let record = &rest[space + 1..length];
        if let Some(value) = record.strip_prefix(b"size=") {
            let value = value.strip_suffix(b"\n").unwrap_or(value);
            return std::str::from_utf8(value).ok()?.parse().ok();
        }
        rest = &rest[length..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_with(files: &[(&str, usize)]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, size) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(*size as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder
                .append_data(&mut header, name, &vec![7u8; *size][..])
                .unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn walk_bytes(bytes: &[u8]) -> Result<TarSummary, String> {
        walk(&mut ReadThrough(bytes), bytes.len() as u64)
    }

    #[test]
    fn sums_entries_from_headers() {
        let bytes = tar_with(&[("a", 1000), ("b", 0), ("c/d", 513)]);
        let summary = walk_bytes(&bytes).unwrap();
        assert_eq!(summary.entries, 3);
        assert_eq!(summary.content_bytes, 1513);
        assert_eq!(summary.end, 512 * (1 + 2 + 1 + 1 + 2) + 512);
    }

    #[test]
    fn long_names_are_not_entries() {
        let long = "x".repeat(200);
        let bytes = tar_with(&[(&long, 10)]);
        assert_eq!(walk_bytes(&bytes).unwrap().entries, 1);
    }

    #[test]
    fn truncation_and_garbage_are_errors() {
        let bytes = tar_with(&[("a", 5000)]);
        let err = walk_bytes(&bytes[..3000]).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
        let err = walk_bytes(&bytes[..512 * 11 + 100]).unwrap_err();
        assert!(err.contains("inside a header"), "{err}");
        // Unterminated streams, as umoci writes them, are whole.
        assert_eq!(walk_bytes(&bytes[..512 * 11]).unwrap().content_bytes, 5000);
        assert_eq!(walk_bytes(&bytes[..512 + 5000]).unwrap().end, 512 + 5000);
        let err = walk_bytes(&[b'x'; 2048]).unwrap_err();
        assert!(err.contains("checksum"), "{err}");
    }

    #[test]
    fn huge_header_extensions_are_refused() {
        for (type_flag, what) in [(b'x', "pax"), (b'g', "pax"), (b'L', "GNU long name")] {
            let mut header = tar::Header::new_gnu();
            header.set_size(2 * 1024 * 1024 * 1024);
            header.set_entry_type(tar::EntryType::new(type_flag));
            header.set_cksum();
            // Only the header: the walk must refuse before reading the 2 GB it claims.
            let mut bytes = header.as_bytes().to_vec();
            bytes.extend_from_slice(&[0u8; 1024]);
            let err =
                walk(&mut ReadThrough(&bytes[..]), 2 * 1024 * 1024 * 1024 + 4096).unwrap_err();
            assert!(
                err.contains(what) && err.contains("more than the 1048576"),
                "{err}"
            );
        }
        // Up to the limit is fine.
        let long = "d/".repeat(300) + "f";
        let bytes = tar_with(&[(&long, 3)]);
        assert_eq!(walk_bytes(&bytes).unwrap().entries, 1);
    }

    fn entries_of(bytes: &[u8], len: Option<u64>) -> Result<Vec<FileEntry>, String> {
        let mut entries = Vec::new();
        let mut record = |entry: FileEntry| entries.push(entry);
        walk_entries(&mut ReadThrough(bytes), len, Some(&mut record))?;
        Ok(entries)
    }

    #[test]
    fn entries_carry_long_names_pax_paths_and_directories() {
        let long = "d/".repeat(80) + "file";
        let mut builder = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_mode(0o755);
        dir.set_size(0);
        builder.append_data(&mut dir, "etc/", &[][..]).unwrap();
        let mut file = tar::Header::new_gnu();
        file.set_size(3);
        file.set_mode(0o644);
        builder.append_data(&mut file, &long, &b"abc"[..]).unwrap();
        // A pax `path` record (ustar header with a short name).
        let mut pax = tar::Header::new_ustar();
        pax.set_size(2);
        pax.set_mode(0o644);
        builder
            .append_pax_extensions([("path", &b"pax/named/file"[..])])
            .unwrap();
        builder.append_data(&mut pax, "short", &b"xy"[..]).unwrap();
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Link);
        link.set_size(0);
        builder
            .append_link(&mut link, "etc/.wh.hard", "etc/x")
            .unwrap();
        let bytes = builder.into_inner().unwrap();
        let expected = vec![
            FileEntry {
                path: "etc/".into(),
                size: 0,
                is_dir: true,
            },
            FileEntry {
                path: long.clone(),
                size: 3,
                is_dir: false,
            },
            FileEntry {
                path: "pax/named/file".into(),
                size: 2,
                is_dir: false,
            },
            FileEntry {
                path: "etc/.wh.hard".into(),
                size: 0,
                is_dir: false,
            },
        ];
        assert_eq!(
            entries_of(&bytes, Some(bytes.len() as u64)).unwrap(),
            expected
        );
        assert_eq!(entries_of(&bytes, None).unwrap(), expected);
        // A stream without end-of-archive blocks (as umoci writes) is whole; one cut inside a
        // header or a content is not.
        let end = bytes.len() - 1024;
        assert_eq!(entries_of(&bytes[..end], None).unwrap(), expected);
        assert!(entries_of(&bytes[..end - 100], None).is_err());
        assert!(entries_of(&bytes[..700], None).is_err());
    }

    #[test]
    fn ustar_names_join_their_prefix() {
        let mut header = tar::Header::new_ustar();
        let name = format!("{}/{}", "p".repeat(120), "name");
        header.set_path(&name).unwrap();
        header.set_size(0);
        header.set_cksum();
        let mut bytes = header.as_bytes().to_vec();
        bytes.extend_from_slice(&[0u8; 1024]);
        assert_eq!(entries_of(&bytes, None).unwrap()[0].path, name);
    }

    /// The first, byte-by-byte checksum: the reference the summed one is tested against.
    fn checksum_reference(block: &[u8; 512]) -> bool {
        let Some(stored) = parse_octal(&block[148..156]) else {
            return false;
        };
        let (mut unsigned, mut signed) = (0u64, 0i64);
        for (i, &b) in block.iter().enumerate() {
            let b = if (148..156).contains(&i) { b' ' } else { b };
            unsigned += u64::from(b);
            signed += i64::from(b as i8);
        }
        stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
    }

    proptest::proptest! {
        #[test]
        fn checksum_agrees_with_the_byte_by_byte_sum(
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 512),
            high in proptest::bool::ANY,
            signed in proptest::bool::ANY,
            field in 0usize..4,
        ) {
            let mut block: [u8; 512] = bytes.try_into().unwrap();
            if high {
                // Bytes above 127 make the signed and unsigned sums differ.
                block.iter_mut().step_by(3).for_each(|b| *b |= 0x80);
            }
            let (unsigned, signed_sum) = block.iter().enumerate().fold((0u64, 0i64), |(u, s), (i, &b)| {
                let b = if (148..156).contains(&i) { b' ' } else { b };
                (u + u64::from(b), s + i64::from(b as i8))
            });
            let value = if signed && signed_sum >= 0 { signed_sum as u64 } else { unsigned };
            // A right checksum, an off-by-one one, garbage, and a field of spaces and NULs.
            let text = match field {
                0 => format!("{value:06o}\0 "),
                1 => format!("{:06o}\0 ", value + 1),
                2 => String::from_utf8_lossy(&block[148..156]).into_owned(),
                _ => "\0\0      ".to_string(),
            };
            let text = text.as_bytes();
            if text.len() == 8 {
                block[148..156].copy_from_slice(text);
            }
            proptest::prop_assert_eq!(checksum_ok(&block), checksum_reference(&block));
        }
    }

    #[test]
    fn checksums_of_real_headers_hold() {
        let bytes = tar_with(&[("a.txt", 3), ("dir/b", 0)]);
        let block: &[u8; 512] = bytes[..512].try_into().unwrap();
        assert!(checksum_ok(block));
        let mut broken = *block;
        broken[0] ^= 1;
        assert!(!checksum_ok(&broken));
    }

    #[test]
    fn numeric_fields() {
        assert_eq!(parse_size(b"00000001750\0"), Some(1000));
        assert_eq!(
            parse_size(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00]),
            Some(256)
        );
        assert_eq!(parse_size(b"0000000175x\0"), None);
        assert_eq!(
            pax_record_size(b"19 size=8589934592\n"),
            Some(8_589_934_592)
        );
        assert_eq!(
            pax_record_size(b"11 path=ab\n19 size=8589934592\n"),
            Some(8_589_934_592)
        );
    }
}
