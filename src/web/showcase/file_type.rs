//! The file types the showcase accepts. A file is accepted only when its extension is
//! on the allow-list and its first bytes (magic numbers) show content of that type. The
//! content type a browser sends is ignored. HTML, SVG and other markup are rejected, so
//! cowork serves no file that a browser would render as a page.

use crate::i18n::Msg;

/// Kind of content detected in a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    Pdf,
    Png,
    Jpeg,
    Gif,
    Webp,
    /// A ZIP archive that is not an Office or OpenDocument file.
    Zip,
    Docx,
    Xlsx,
    Pptx,
    Odt,
    Ods,
    Odp,
    /// UTF-8 text without control characters other than tab, line breaks and form feed.
    Text,
    /// Text that starts like HTML, SVG or XML.
    Markup,
    /// Anything else.
    Unknown,
}

impl Content {
    /// Returns the message naming this kind of content, such as "a PNG image".
    fn description(self) -> Msg {
        Msg::new(match self {
            Content::Pdf => "error-content-pdf",
            Content::Png => "error-content-png",
            Content::Jpeg => "error-content-jpeg",
            Content::Gif => "error-content-gif",
            Content::Webp => "error-content-webp",
            Content::Zip => "error-content-zip",
            Content::Docx => "error-content-docx",
            Content::Xlsx => "error-content-xlsx",
            Content::Pptx => "error-content-pptx",
            Content::Odt => "error-content-odt",
            Content::Ods => "error-content-ods",
            Content::Odp => "error-content-odp",
            Content::Text => "error-content-text",
            Content::Markup => "error-content-markup",
            Content::Unknown => "error-content-unknown",
        })
    }

    fn is_zip(self) -> bool {
        matches!(
            self,
            Content::Zip
                | Content::Docx
                | Content::Xlsx
                | Content::Pptx
                | Content::Odt
                | Content::Ods
                | Content::Odp
        )
    }
}

/// One accepted file type.
#[derive(Debug)]
pub struct FileType {
    pub extensions: &'static [&'static str],
    /// The `Content-Type` the file is served with.
    pub content_type: &'static str,
    pub content: Content,
}

/// The allow-list.
pub const FILE_TYPES: &[FileType] = &[
    FileType {
        extensions: &["pdf"],
        content_type: "application/pdf",
        content: Content::Pdf,
    },
    FileType {
        extensions: &["png"],
        content_type: "image/png",
        content: Content::Png,
    },
    FileType {
        extensions: &["jpg", "jpeg"],
        content_type: "image/jpeg",
        content: Content::Jpeg,
    },
    FileType {
        extensions: &["gif"],
        content_type: "image/gif",
        content: Content::Gif,
    },
    FileType {
        extensions: &["webp"],
        content_type: "image/webp",
        content: Content::Webp,
    },
    FileType {
        extensions: &["txt"],
        content_type: "text/plain; charset=utf-8",
        content: Content::Text,
    },
    FileType {
        extensions: &["csv"],
        content_type: "text/csv; charset=utf-8",
        content: Content::Text,
    },
    FileType {
        extensions: &["zip"],
        content_type: "application/zip",
        content: Content::Zip,
    },
    FileType {
        extensions: &["docx"],
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        content: Content::Docx,
    },
    FileType {
        extensions: &["xlsx"],
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        content: Content::Xlsx,
    },
    FileType {
        extensions: &["pptx"],
        content_type: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        content: Content::Pptx,
    },
    FileType {
        extensions: &["odt"],
        content_type: "application/vnd.oasis.opendocument.text",
        content: Content::Odt,
    },
    FileType {
        extensions: &["ods"],
        content_type: "application/vnd.oasis.opendocument.spreadsheet",
        content: Content::Ods,
    },
    FileType {
        extensions: &["odp"],
        content_type: "application/vnd.oasis.opendocument.presentation",
        content: Content::Odp,
    },
];

/// Lists every accepted extension with a dot, comma-separated, for messages and the
/// `accept` attribute of the file input.
pub fn accepted_extensions() -> String {
    FILE_TYPES
        .iter()
        .flat_map(|file_type| file_type.extensions)
        .map(|extension| format!(".{extension}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Checks a file against the allow-list and returns its type, or a message that states
/// what is wrong and what to do.
pub fn check_file(name: &str, bytes: &[u8]) -> Result<&'static FileType, Msg> {
    let accepted = accepted_extensions().replace(',', ", ");
    let Some((_, extension)) = name.rsplit_once('.') else {
        return Err(Msg::new("error-file-no-extension")
            .arg("name", format!("{name:?}"))
            .arg("accepted", accepted));
    };
    let extension = extension.to_ascii_lowercase();
    let Some(file_type) = FILE_TYPES
        .iter()
        .find(|file_type| file_type.extensions.contains(&extension.as_str()))
    else {
        return Err(Msg::new("error-file-type")
            .arg("extension", extension)
            .arg("accepted", accepted));
    };
    if bytes.is_empty() {
        return Err(Msg::new("error-file-empty").arg("name", format!("{name:?}")));
    }
    let content = detect(bytes);
    let matches = match file_type.content {
        Content::Zip => content.is_zip(),
        expected => content == expected,
    };
    if !matches {
        return Err(Msg::new("error-file-content")
            .arg("name", format!("{name:?}"))
            .arg("extension", extension)
            .arg("content", content.description())
            .arg("expected", file_type.content.description()));
    }
    Ok(file_type)
}

/// Identifies content by its magic numbers, or as text.
pub fn detect(bytes: &[u8]) -> Content {
    if bytes.starts_with(b"%PDF-") {
        Content::Pdf
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Content::Png
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Content::Jpeg
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Content::Gif
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Content::Webp
    } else if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        zip_content(bytes)
    } else {
        text_content(bytes)
    }
}

fn text_content(bytes: &[u8]) -> Content {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Content::Unknown;
    };
    let control = text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'));
    if control {
        return Content::Unknown;
    }
    // Browsers sniff markup from a tag, comment, doctype or XML declaration at the
    // start, so such text is rejected even under a .txt or .csv name.
    let mut rest = text.trim_start().chars();
    if rest.next() == Some('<')
        && rest
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '!' || c == '?')
    {
        return Content::Markup;
    }
    Content::Text
}

fn zip_content(bytes: &[u8]) -> Content {
    if let Some(mimetype) = odf_mimetype(bytes) {
        return match mimetype.as_slice() {
            b"application/vnd.oasis.opendocument.text" => Content::Odt,
            b"application/vnd.oasis.opendocument.spreadsheet" => Content::Ods,
            b"application/vnd.oasis.opendocument.presentation" => Content::Odp,
            _ => Content::Zip,
        };
    }
    let names = zip_entry_names(bytes).unwrap_or_default();
    if !names.iter().any(|name| name == "[Content_Types].xml") {
        return Content::Zip;
    }
    let has_folder = |folder: &str| names.iter().any(|name| name.starts_with(folder));
    if has_folder("word/") {
        Content::Docx
    } else if has_folder("xl/") {
        Content::Xlsx
    } else if has_folder("ppt/") {
        Content::Pptx
    } else {
        Content::Zip
    }
}

fn u16_at(bytes: &[u8], at: usize) -> Option<usize> {
    let pair = bytes.get(at..at + 2)?;
    Some(u16::from_le_bytes([pair[0], pair[1]]) as usize)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let quad = bytes.get(at..at + 4)?;
    Some(u32::from_le_bytes([quad[0], quad[1], quad[2], quad[3]]) as usize)
}

/// Reads the content of an OpenDocument file's `mimetype` entry. The OpenDocument format
/// (ODF 1.2, part 3, section 3.3) requires it to be the archive's first entry, stored
/// uncompressed.
fn odf_mimetype(bytes: &[u8]) -> Option<Vec<u8>> {
    let compression = u16_at(bytes, 8)?;
    let size = u32_at(bytes, 18)?;
    let name_length = u16_at(bytes, 26)?;
    let extra_length = u16_at(bytes, 28)?;
    if compression != 0 || bytes.get(30..30 + name_length)? != b"mimetype" {
        return None;
    }
    let start = 30 + name_length + extra_length;
    Some(bytes.get(start..start + size)?.to_vec())
}

/// Reads the names of the entries in a ZIP archive's central directory, or returns
/// `None` when the archive is damaged. ZIP64 archives are read only as far as their 16-bit counts go.
fn zip_entry_names(bytes: &[u8]) -> Option<Vec<String>> {
    // The end-of-central-directory record is 22 bytes plus a comment of up to 65535.
    let last = bytes.len().checked_sub(22)?;
    let first = last.saturating_sub(65_535);
    let end = (first..=last)
        .rev()
        .find(|&at| bytes[at..at + 4] == *b"PK\x05\x06")?;
    let count = u16_at(bytes, end + 10)?;
    let mut at = u32_at(bytes, end + 16)?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        if bytes.get(at..at + 4)? != b"PK\x01\x02" {
            return None;
        }
        let name_length = u16_at(bytes, at + 28)?;
        let extra_length = u16_at(bytes, at + 30)?;
        let comment_length = u16_at(bytes, at + 32)?;
        let name = bytes.get(at + 46..at + 46 + name_length)?;
        names.push(String::from_utf8_lossy(name).into_owned());
        at += 46 + name_length + extra_length + comment_length;
    }
    Some(names)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A ZIP archive with stored (uncompressed) entries. The CRC fields are zero,
    /// because only the type detection reads these archives.
    pub(crate) fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let mut header = Vec::new();
            header.extend_from_slice(b"PK\x03\x04");
            header.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            header.extend_from_slice(&0u32.to_le_bytes());
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(data.len() as u32).to_le_bytes());
            header.extend_from_slice(&(name.len() as u16).to_le_bytes());
            header.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&header);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);

            central.extend_from_slice(b"PK\x01\x02");
            central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&0u32.to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 12]);
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let central_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&central_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn magic_numbers_detected() {
        assert_eq!(detect(b"%PDF-1.7\n"), Content::Pdf);
        assert_eq!(detect(PNG), Content::Png);
        assert_eq!(detect(b"\xff\xd8\xff\xe0\0\x10JFIF"), Content::Jpeg);
        assert_eq!(detect(b"GIF89a\x01\0"), Content::Gif);
        assert_eq!(detect(b"RIFF\x24\0\0\0WEBPVP8 "), Content::Webp);
        assert_eq!(detect(b"name,score\nAnna,5\n"), Content::Text);
        assert_eq!(detect("Привет\r\n".as_bytes()), Content::Text);
        assert_eq!(detect(b"\0\x01\x02binary"), Content::Unknown);
        assert_eq!(detect(b"\xff\xfe\xfd"), Content::Unknown);
    }

    #[test]
    fn markup_detected_as_markup() {
        for text in [
            "<!DOCTYPE html><p>x",
            "  <html><script>alert(1)</script>",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            "<?xml version=\"1.0\"?><svg/>",
            "\u{feff}<script>alert(1)</script>",
            "<!-- comment -->",
        ] {
            assert_eq!(detect(text.as_bytes()), Content::Markup, "{text:?}");
        }
        assert_eq!(detect(b"a < b and 3 > 2"), Content::Text);
    }

    #[test]
    fn office_and_odf_archives_told_apart() {
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        let xlsx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<w/>"),
        ]);
        let pptx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("ppt/presentation.xml", b"<p/>"),
        ]);
        let odt = zip(&[("mimetype", b"application/vnd.oasis.opendocument.text")]);
        let ods = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        let odp = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.presentation",
        )]);
        let plain = zip(&[("notes.txt", b"hello")]);
        assert_eq!(detect(&docx), Content::Docx);
        assert_eq!(detect(&xlsx), Content::Xlsx);
        assert_eq!(detect(&pptx), Content::Pptx);
        assert_eq!(detect(&odt), Content::Odt);
        assert_eq!(detect(&ods), Content::Ods);
        assert_eq!(detect(&odp), Content::Odp);
        assert_eq!(detect(&plain), Content::Zip);
        assert_eq!(detect(b"PK\x05\x06"), Content::Zip, "truncated archive");
    }

    #[test]
    fn extension_must_match_content() {
        assert_eq!(
            check_file("photo.PNG", PNG).unwrap().content_type,
            "image/png"
        );
        let error = check_file("report.pdf", PNG).unwrap_err().to_string();
        assert!(error.contains("a PNG image"), "{error}");
        assert!(error.contains("not a PDF document"), "{error}");
        let docx = zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w/>"),
        ]);
        assert!(
            check_file("archive.zip", &docx).is_ok(),
            "a docx is a ZIP archive"
        );
        let plain = zip(&[("notes.txt", b"hello")]);
        assert!(check_file("essay.docx", &plain).is_err());
        assert!(check_file("notes.txt", b"<html><body>hi</body></html>").is_err());
        assert!(check_file("empty.txt", b"")
            .unwrap_err()
            .to_string()
            .contains("empty"));
    }

    #[test]
    fn markup_extensions_rejected() {
        for name in [
            "page.html",
            "page.htm",
            "logo.svg",
            "data.xml",
            "run.exe",
            "README",
        ] {
            let error = check_file(name, b"hello").unwrap_err().to_string();
            assert!(error.contains("accepted types are"), "{name}: {error}");
        }
    }
}
