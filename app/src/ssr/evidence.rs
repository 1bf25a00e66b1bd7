//! Files people send as evidence (with correction requests, complaints and anonymous
//! reports). The type is read from the content, never from the name or the browser's
//! claim; images lose their metadata (EXIF with its GPS position, XMP, IPTC, comments,
//! text chunks) before anything is stored. Segments needed to show the picture (colour
//! profile, Adobe colour transform) stay. PDFs lose their document information (author,
//! creator, producer, title, subject, keywords, dates) and XMP metadata, overwritten in
//! place so the file's cross-reference offsets stay right.

/// Most files on one case.
pub const MAX_FILES: usize = 5;
/// Largest file, in bytes.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// What a file holds, read from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EvidenceKind {
    Pdf,
    Jpeg,
    Png,
    /// UTF-8 text (anonymous reports only).
    Text,
}

/// What cases of patients take.
pub const CASE_KINDS: &[EvidenceKind] = &[EvidenceKind::Pdf, EvidenceKind::Jpeg, EvidenceKind::Png];

impl EvidenceKind {
    /// The media type the file is served with.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Jpeg => "image/jpeg",
            EvidenceKind::Png => "image/png",
            EvidenceKind::Text => "text/plain; charset=utf-8",
        }
    }

    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "pdf",
            EvidenceKind::Jpeg => "jpg",
            EvidenceKind::Png => "png",
            EvidenceKind::Text => "txt",
        }
    }

    #[must_use]
    pub fn of_content_type(content_type: &str) -> Option<EvidenceKind> {
        [
            EvidenceKind::Pdf,
            EvidenceKind::Jpeg,
            EvidenceKind::Png,
            EvidenceKind::Text,
        ]
        .into_iter()
        .find(|kind| kind.content_type() == content_type)
    }

    /// The kind the content is, if it is one the portal takes.
    #[must_use]
    pub fn sniff(bytes: &[u8]) -> Option<EvidenceKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(EvidenceKind::Pdf)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(EvidenceKind::Jpeg)
        } else if bytes.starts_with(PNG_SIGNATURE) {
            Some(EvidenceKind::Png)
        } else if is_text(bytes) {
            Some(EvidenceKind::Text)
        } else {
            None
        }
    }
}

/// Why a file was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than the limit")]
    TooLarge,
    /// Not a PDF, JPEG or PNG, whatever its name says.
    #[error("the file is not a PDF, JPEG or PNG")]
    NotAllowed,
    /// It starts like an image but its structure is broken.
    #[error("the file is damaged")]
    Damaged,
}

/// A file accepted for storing: its kind, a safe name, and the content without metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub kind: EvidenceKind,
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Checks a file of a patient's case by its content and removes its metadata.
pub fn accept(name: &str, bytes: &[u8]) -> Result<Evidence, EvidenceError> {
    accept_of(name, bytes, CASE_KINDS)
}

/// Checks a file by its content, takes it only if it is one of `kinds`, and removes its
/// metadata.
pub fn accept_of(
    name: &str,
    bytes: &[u8],
    kinds: &[EvidenceKind],
) -> Result<Evidence, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(EvidenceError::TooLarge);
    }
    let kind = EvidenceKind::sniff(bytes)
        .filter(|kind| kinds.contains(kind))
        .ok_or(EvidenceError::NotAllowed)?;
    let bytes = match kind {
        EvidenceKind::Pdf => strip_pdf(bytes),
        EvidenceKind::Jpeg => strip_jpeg(bytes).ok_or(EvidenceError::Damaged)?,
        EvidenceKind::Png => strip_png(bytes).ok_or(EvidenceError::Damaged)?,
        // A byte-order mark says nothing anyone needs.
        EvidenceKind::Text => bytes
            .strip_prefix(b"\xEF\xBB\xBF")
            .unwrap_or(bytes)
            .to_vec(),
    };
    Ok(Evidence {
        kind,
        name: safe_name(name, kind),
        bytes,
    })
}

/// The name without any folder, control characters or a misleading extension, at most
/// 80 characters, ending in the kind's extension.
#[must_use]
pub fn safe_name(name: &str, kind: EvidenceKind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let cleaned: String = stem
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .take(80)
        .collect();
    let stem = cleaned.trim();
    let stem = if stem.is_empty() { "evidence" } else { stem };
    format!("{stem}.{}", kind.extension())
}

const PNG_SIGNATURE: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Whether the bytes are UTF-8 text: no NUL, no control characters but tab, line feed,
/// carriage return and form feed.
fn is_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|text| {
        text.chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
    })
}

/// The document-information entries of a PDF that can name or place a person.
const PDF_INFO_KEYS: [&[u8]; 9] = [
    b"/Author",
    b"/Creator",
    b"/Producer",
    b"/Title",
    b"/Subject",
    b"/Keywords",
    b"/CreationDate",
    b"/ModDate",
    b"/Company",
];

/// A PDF with its document information and XMP metadata overwritten by spaces. Every
/// byte keeps its place, so the cross-reference table still points at each object.
/// (Entries inside compressed object streams are not reached; see the README.)
fn strip_pdf(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for key in PDF_INFO_KEYS {
        let mut from = 0;
        while let Some(at) = find(&out, key, from) {
            let after = at + key.len();
            from = after;
            // `/Author` but not `/AuthorX`.
            if out.get(after).is_some_and(|b| is_name_byte(*b)) {
                continue;
            }
            let value = skip_space(&out, after);
            blank_value(&mut out, value);
        }
    }
    let mut from = 0;
    while let Some(at) = find(&out, b"/Metadata", from) {
        from = at + 9;
        blank_metadata_stream(&mut out, at);
    }
    out
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|at| at + from)
}

fn is_name_byte(b: u8) -> bool {
    !(b.is_ascii_whitespace() || b"()<>[]{}/%".contains(&b))
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// Overwrites the string (literal or hex) starting at `at` with spaces inside its
/// delimiters; follows `n g R` to the string object it names.
fn blank_value(out: &mut [u8], at: usize) {
    match out.get(at) {
        Some(b'(') => {
            let mut depth = 0_usize;
            let mut i = at;
            while i < out.len() {
                match out[i] {
                    b'\\' => {
                        out[i] = b' ';
                        if i + 1 < out.len() {
                            out[i + 1] = b' ';
                        }
                        i += 2;
                        continue;
                    }
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            return;
                        }
                    }
                    _ => {}
                }
                if i > at {
                    out[i] = b' ';
                }
                i += 1;
            }
        }
        Some(b'<') if out.get(at + 1) != Some(&b'<') => {
            let mut i = at + 1;
            while i < out.len() && out[i] != b'>' {
                out[i] = b' ';
                i += 1;
            }
        }
        Some(b) if b.is_ascii_digit() => {
            // An indirect reference `12 0 R`: blank the string of object `12 0 obj`.
            let end = out[at..]
                .iter()
                .position(|b| *b == b'R' || *b == b'/' || *b == b'>')
                .map_or(out.len(), |p| at + p);
            let reference = String::from_utf8_lossy(&out[at..end]).into_owned();
            let mut parts = reference.split_whitespace();
            if let (Some(number), Some(generation)) = (parts.next(), parts.next()) {
                let header = format!("{number} {generation} obj");
                let mut from = 0;
                while let Some(found) = find(out, header.as_bytes(), from) {
                    from = found + header.len();
                    let starts_line = found == 0 || out[found - 1].is_ascii_whitespace();
                    if starts_line {
                        let value = skip_space(out, from);
                        if matches!(out.get(value), Some(b'(' | b'<')) {
                            blank_value(out, value);
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// When `/Metadata` at `at` is the `/Type` of a stream's dictionary, overwrites the
/// stream's data (the XMP packet) and its filter with spaces.
fn blank_metadata_stream(out: &mut [u8], at: usize) {
    let before = String::from_utf8_lossy(&out[at.saturating_sub(16)..at]).into_owned();
    if !before.trim_end().ends_with("/Type") {
        return;
    }
    let Some(dict_start) = out[..at].windows(2).rposition(|w| w == b"<<") else {
        return;
    };
    let Some(keyword) = find(out, b"stream", at) else {
        return;
    };
    // The dictionary must end before its stream starts.
    let Some(dict_end) = find(out, b">>", at).filter(|end| *end < keyword) else {
        return;
    };
    if let Some(filter) = find(&out[..dict_end], b"/Filter", dict_start) {
        let value = skip_space(out, filter + 7);
        let end = match out.get(value) {
            Some(b'[') => find(out, b"]", value).map_or(value, |end| end + 1),
            Some(b'/') => {
                let mut end = value + 1;
                while end < dict_end && is_name_byte(out[end]) {
                    end += 1;
                }
                end
            }
            _ => value,
        };
        out[filter..end.min(dict_end)].fill(b' ');
    }
    let mut data = keyword + 6;
    if out.get(data) == Some(&b'\r') {
        data += 1;
    }
    if out.get(data) == Some(&b'\n') {
        data += 1;
    }
    let Some(end) = find(out, b"endstream", data) else {
        return;
    };
    for byte in &mut out[data..end] {
        if !matches!(*byte, b'\r' | b'\n') {
            *byte = b' ';
        }
    }
}

/// JPEG without its metadata segments: APP1 (EXIF, XMP), APP3 to APP13 (IPTC among them),
/// APP15 and comments. `None` when the segments do not add up.
fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut at = 2;
    loop {
        // Fill bytes before a marker.
        while bytes.get(at) == Some(&0xFF) && bytes.get(at + 1) == Some(&0xFF) {
            at += 1;
        }
        if bytes.get(at) != Some(&0xFF) {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        match marker {
            // End of image.
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&[0xFF, marker]);
                at += 2;
            }
            _ => {
                let length = usize::from(u16::from_be_bytes([
                    *bytes.get(at + 2)?,
                    *bytes.get(at + 3)?,
                ]));
                if length < 2 {
                    return None;
                }
                let end = at.checked_add(2 + length)?;
                let segment = bytes.get(at..end)?;
                // Start of scan: the picture data follows up to the end; keep it all.
                if marker == 0xDA {
                    out.extend_from_slice(&bytes[at..]);
                    return Some(out);
                }
                let metadata = matches!(marker, 0xE1 | 0xE3..=0xED | 0xEF | 0xFE);
                if !metadata {
                    out.extend_from_slice(segment);
                }
                at = end;
            }
        }
    }
}

/// PNG with only the chunks that draw the picture. `None` when the chunks do not add up.
fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    const KEEP: [&[u8; 4]; 15] = [
        b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT",
        b"pHYs", b"bKGD", b"acTL", b"fcTL", b"fdAT",
    ];
    let mut out = PNG_SIGNATURE.to_vec();
    let mut at = PNG_SIGNATURE.len();
    while at < bytes.len() {
        let length =
            usize::try_from(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?)).ok()?;
        let end = at.checked_add(12)?.checked_add(length)?;
        let chunk = bytes.get(at..end)?;
        let kind = &chunk[4..8];
        if KEEP.iter().any(|keep| keep.as_slice() == kind) {
            out.extend_from_slice(chunk);
        }
        at = end;
        if kind == b"IEND" {
            return Some(out);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG's frame: SOI, APP0, an EXIF APP1 naming a GPS position, a comment, a scan.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut bytes = vec![0xFF, 0xD8];
        bytes.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x07, b'J', b'F', b'I', b'F', 0x00]);
        let exif = b"Exif\0\0MM\0*GPSLatitude 31.2";
        let length = u16::try_from(exif.len() + 2).unwrap();
        bytes.extend_from_slice(&[0xFF, 0xE1]);
        bytes.extend_from_slice(&length.to_be_bytes());
        bytes.extend_from_slice(exif);
        bytes.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x06, b'h', b'o', b'm', b'e']);
        bytes.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x03, 0x01, 0x12, 0x34, 0xFF, 0xD9]);
        bytes
    }

    #[test]
    fn a_jpeg_loses_its_exif_and_comment_and_keeps_its_picture() {
        let evidence = accept("IMG_0001.JPG", &jpeg_with_exif()).unwrap();
        assert_eq!(evidence.kind, EvidenceKind::Jpeg);
        assert_eq!(evidence.name, "IMG_0001.jpg");
        let kept = &evidence.bytes;
        assert!(!kept.windows(4).any(|w| w == b"Exif"));
        assert!(!kept.windows(3).any(|w| w == b"GPS"));
        assert!(!kept.windows(4).any(|w| w == b"home"));
        assert!(kept.windows(4).any(|w| w == b"JFIF"));
        assert!(kept.ends_with(&[0x12, 0x34, 0xFF, 0xD9]));
    }

    #[test]
    fn a_png_keeps_only_the_chunks_that_draw_it() {
        let chunk = |kind: &[u8; 4], data: &[u8]| {
            let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"tEXt", b"Author\0Zhang Wei"));
        png.extend(chunk(b"eXIf", b"MM\0*GPS"));
        png.extend(chunk(b"IDAT", &[1, 2, 3]));
        png.extend(chunk(b"IEND", &[]));
        let kept = accept("scan.png", &png).unwrap().bytes;
        assert!(!kept.windows(4).any(|w| w == b"tEXt" || w == b"eXIf"));
        assert!(kept.windows(4).any(|w| w == b"IDAT"));
        assert_eq!(kept.len(), png.len() - (12 + 16) - (12 + 7));
    }

    #[test]
    fn a_pdf_loses_its_author_and_xmp_and_keeps_its_length() {
        let pdf = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Metadata 3 0 R >>\nendobj\n\
2 0 obj\n<< /Author (Zhang \\(Wei\\)) /Creator <FEFF005A> /Producer 4 0 R /Title (x) >>\nendobj\n\
3 0 obj\n<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length 44 >>\nstream\n\
<x:xmpmeta><dc:creator>Zhang Wei</dc:creator>\nendstream\nendobj\n\
4 0 obj\n(Word for Zhang)\nendobj\ntrailer\n<< /Info 2 0 R /Root 1 0 R >>\n%%EOF\n";
        let kept = accept_of("a.pdf", pdf, CASE_KINDS).unwrap().bytes;
        assert_eq!(kept.len(), pdf.len(), "offsets stay right");
        let text = String::from_utf8(kept).unwrap();
        assert!(!text.contains("Zhang"), "{text}");
        assert!(!text.contains("FlateDecode"), "{text}");
        assert!(!text.contains("xmpmeta"), "{text}");
        assert!(!text.contains("005A"), "{text}");
        assert!(text.contains("/Author ("), "{text}");
        assert!(text.contains("/Info 2 0 R"), "{text}");
        assert!(text.contains("/Type /Catalog /Metadata 3 0 R"), "{text}");
    }

    #[test]
    fn text_is_taken_only_where_it_is_asked_for() {
        let note = "病房里有人拍照。\r\nA photo was taken.\n".as_bytes();
        assert_eq!(accept("note.txt", note), Err(EvidenceError::NotAllowed));
        let kept = accept_of("note.md", note, &[EvidenceKind::Text]).unwrap();
        assert_eq!(
            (kept.kind, kept.name.as_str()),
            (EvidenceKind::Text, "note.txt")
        );
        assert_eq!(kept.bytes, note);
        assert_eq!(
            accept_of("bin.txt", b"abc\x00def", &[EvidenceKind::Text]),
            Err(EvidenceError::NotAllowed)
        );
    }

    #[test]
    fn the_content_decides_not_the_name() {
        let executable = b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode";
        assert_eq!(
            accept("report.pdf", executable),
            Err(EvidenceError::NotAllowed)
        );
        let elf = b"\x7fELF\x02\x01\x01";
        assert_eq!(accept("photo.jpg", elf), Err(EvidenceError::NotAllowed));
        assert_eq!(accept("x.pdf", b""), Err(EvidenceError::Empty));
        let pdf = accept("../../etc/passwd", b"%PDF-1.7\n%%EOF").unwrap();
        assert_eq!(
            (pdf.kind, pdf.name.as_str()),
            (EvidenceKind::Pdf, "passwd.pdf")
        );
        // Starts like a JPEG, then breaks off.
        assert_eq!(
            accept("a.jpg", &[0xFF, 0xD8, 0xFF, 0xE1, 0x00]),
            Err(EvidenceError::Damaged)
        );
        assert_eq!(
            accept("a.exe.png", &[0; 20]),
            Err(EvidenceError::NotAllowed)
        );
    }
}
