//! Files people send as evidence (with a correction request now; with complaints and
//! reports later). The type is read from the content, never from the name or the
//! browser's claim; images lose their metadata (EXIF with its GPS position, XMP, IPTC,
//! comments, text chunks) before anything is stored. Segments needed to show the picture
//! (colour profile, Adobe colour transform) stay.

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
}

impl EvidenceKind {
    /// The media type the file is served with.
    #[must_use]
    pub const fn content_type(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "application/pdf",
            EvidenceKind::Jpeg => "image/jpeg",
            EvidenceKind::Png => "image/png",
        }
    }

    #[must_use]
    pub const fn extension(self) -> &'static str {
        match self {
            EvidenceKind::Pdf => "pdf",
            EvidenceKind::Jpeg => "jpg",
            EvidenceKind::Png => "png",
        }
    }

    #[must_use]
    pub fn of_content_type(content_type: &str) -> Option<EvidenceKind> {
        [EvidenceKind::Pdf, EvidenceKind::Jpeg, EvidenceKind::Png]
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

/// Checks a file by its content and removes image metadata.
pub fn accept(name: &str, bytes: &[u8]) -> Result<Evidence, EvidenceError> {
    if bytes.is_empty() {
        return Err(EvidenceError::Empty);
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(EvidenceError::TooLarge);
    }
    let kind = EvidenceKind::sniff(bytes).ok_or(EvidenceError::NotAllowed)?;
    let bytes = match kind {
        EvidenceKind::Pdf => bytes.to_vec(),
        EvidenceKind::Jpeg => strip_jpeg(bytes).ok_or(EvidenceError::Damaged)?,
        EvidenceKind::Png => strip_png(bytes).ok_or(EvidenceError::Damaged)?,
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
