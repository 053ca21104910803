//! Every form a secret takes in text, from the encoders' own definitions: JSON (both
//! `ensure_ascii` modes), Python's `repr` of str and bytes, percent-encoding, base64; and the
//! decoded view of escaped text.

use std::collections::HashSet;
use std::fmt::Write as _;

pub(super) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match (bytes[index], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                index += 3;
            }
            (byte, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The forms a secret takes in text, each written by the encoder's own definition: as is,
/// trimmed, JSON-escaped with and without `ensure_ascii` (and JSON of the escapes), Python's
/// `repr` of the str and of its UTF-8 bytes (either quote), percent-encoded as `quote` (with
/// and without `/` kept) and `quote_plus` write it in either hex case, and base64-encoded at
/// each alignment.
pub(super) fn encoded_forms(secret: &str) -> Vec<String> {
    let json = json_escaped(secret);
    let repr = python_escaped(secret);
    let bytes_repr = python_bytes_escaped(secret.as_bytes());
    let mut forms = vec![
        secret.to_string(),
        secret.trim().to_string(),
        json_escaped(&json),
        json_escaped(&repr),
        json_ascii_escaped(secret),
        json_escaped(&bytes_repr),
        repr.replace('\'', "\\'"),
        bytes_repr.replace('\'', "\\'"),
        json,
        repr,
        bytes_repr,
    ];
    for quoting in [
        Quoting::Quote,
        Quoting::QuoteKeepingSlash,
        Quoting::QuotePlus,
    ] {
        forms.push(percent_encoded(secret, quoting, true));
        forms.push(percent_encoded(secret, quoting, false));
    }
    forms.extend(base64_forms(secret.as_bytes()));
    let mut seen = HashSet::new();
    forms.retain(|form| seen.insert(form.clone()));
    forms
}

pub(super) fn json_escaped(text: &str) -> String {
    let quoted = serde_json::to_string(text).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_string()
}

/// `json.dumps` with `ensure_ascii` (its default): everything outside printable ASCII as
/// `\uXXXX`, characters beyond the BMP as a surrogate pair.
pub(super) fn json_ascii_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in json_escaped(text).chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            let mut units = [0_u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    out
}

/// Python's `repr` of bytes, between the quotes: printable ASCII as is, `\t` `\n` `\r` and
/// `\\`, every other byte as `\xNN`.
pub(super) fn python_bytes_escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            b' '..=b'~' => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\x{byte:02x}");
            }
        }
    }
    out
}

pub(super) fn python_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// How `urllib.parse` percent-encodes.
#[derive(Clone, Copy)]
pub(super) enum Quoting {
    /// `quote(text, safe="")`: every byte but letters, digits and `-._~`.
    Quote,
    /// `quote(text)`: `/` is safe by default.
    QuoteKeepingSlash,
    /// `quote_plus(text)`: space as `+`.
    QuotePlus,
}

/// The UTF-8 bytes percent-encoded as `quoting` does, in upper- (Python's) or lowercase hex.
pub(super) fn percent_encoded(text: &str, quoting: Quoting, upper: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match (byte, quoting) {
            (b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~', _)
            | (b'/', Quoting::QuoteKeepingSlash) => {
                out.push(char::from(byte));
            }
            (b' ', Quoting::QuotePlus) => out.push('+'),
            _ if upper => {
                let _ = write!(out, "%{byte:02X}");
            }
            _ => {
                let _ = write!(out, "%{byte:02x}");
            }
        }
    }
    out
}

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard and URL-safe base64 of the secret, alone (with and without padding) and as it
/// appears inside a longer encoded text at each of the three byte alignments (only the
/// characters that depend on the secret alone).
pub(super) fn base64_forms(secret: &[u8]) -> Vec<String> {
    let mut forms = Vec::new();
    let whole = base64(secret);
    forms.push(whole.trim_end_matches('=').to_string());
    forms.push(whole);
    for offset in 0..3_usize {
        let mut shifted = vec![0_u8; offset];
        shifted.extend_from_slice(secret);
        let encoded = base64(&shifted);
        let first = (offset * 8).div_ceil(6);
        let last = (shifted.len() * 8) / 6;
        if let Some(core) = encoded.get(first..last) {
            forms.push(core.to_string());
        }
    }
    let url_safe: Vec<String> = forms
        .iter()
        .map(|form| form.replace('+', "-").replace('/', "_"))
        .collect();
    forms.extend(url_safe);
    forms
}

pub(super) fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for index in 0..4 {
            if index <= chunk.len() {
                let sextet = (n >> (18 - 6 * index)) & 0x3f;
                out.push(char::from(BASE64_ALPHABET[sextet as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A text with its escapes decoded, each byte of the decoded text remembering the bytes of the
/// original it came from.
pub(super) struct Unescaped {
    pub(super) text: String,
    pub(super) origin: Vec<std::ops::Range<usize>>,
}

impl Unescaped {
    /// `None` when `text` has no escape.
    pub(super) fn of(text: &str) -> Option<Self> {
        if !text.contains('\\') {
            return None;
        }
        let mut unescaped = Self {
            text: String::with_capacity(text.len()),
            origin: Vec::with_capacity(text.len()),
        };
        let mut at = 0;
        while at < text.len() {
            at = unescaped.escape_at(text, at).unwrap_or_else(|| {
                let c = text[at..].chars().next().unwrap_or('\\');
                unescaped.push(c, at..at + c.len_utf8());
                at + c.len_utf8()
            });
        }
        Some(unescaped)
    }

    fn push(&mut self, c: char, origin: std::ops::Range<usize>) {
        self.text.push(c);
        self.origin
            .extend(std::iter::repeat_n(origin, c.len_utf8()));
    }

    /// Decodes the escape at `at`, if one starts there; returns where it ends.
    fn escape_at(&mut self, text: &str, at: usize) -> Option<usize> {
        let rest = text[at..].strip_prefix('\\')?;
        let simple = match rest.chars().next()? {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            c @ ('\\' | '\'' | '"' | '/') => Some(c),
            _ => None,
        };
        if let Some(c) = simple {
            self.push(c, at..at + 2);
            return Some(at + 2);
        }
        match rest.as_bytes()[0] {
            b'x' => hex_at(text, at + 2, 2).map(|_| self.byte_run(text, at)),
            b'u' => self.utf16_at(text, at),
            b'U' => {
                let c = char::from_u32(hex_at(text, at + 2, 8)?)?;
                self.push(c, at..at + 10);
                Some(at + 10)
            }
            _ => None,
        }
    }

    /// A run of `\xNN`: read as UTF-8 where it is (bytes' `repr`), else one character per byte
    /// (str's `repr` of U+0080..U+00FF).
    fn byte_run(&mut self, text: &str, start: usize) -> usize {
        let mut bytes = Vec::new();
        let mut at = start;
        while let Some(byte) = text[at..].strip_prefix("\\x").and(hex_at(text, at + 2, 2)) {
            bytes.push((u8::try_from(byte).unwrap_or(0), at));
            at += 4;
        }
        let mut index = 0;
        while index < bytes.len() {
            let width = (1..=4.min(bytes.len() - index)).find_map(|width| {
                let run: Vec<u8> = bytes[index..index + width].iter().map(|b| b.0).collect();
                let c = std::str::from_utf8(&run).ok()?.chars().next()?;
                Some((c, width))
            });
            let (c, width) = width.unwrap_or((char::from(bytes[index].0), 1));
            self.push(c, bytes[index].1..bytes[index + width - 1].1 + 4);
            index += width;
        }
        at
    }

    /// `\uXXXX`, with the low half of a surrogate pair when one follows.
    fn utf16_at(&mut self, text: &str, at: usize) -> Option<usize> {
        let unit = hex_at(text, at + 2, 4)?;
        if (0xD800..0xDC00).contains(&unit)
            && text[at + 6..].starts_with("\\u")
            && let Some(low) = hex_at(text, at + 8, 4).filter(|low| (0xDC00..0xE000).contains(low))
        {
            let c = char::from_u32(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))?;
            self.push(c, at..at + 12);
            return Some(at + 12);
        }
        self.push(char::from_u32(unit).unwrap_or('\u{FFFD}'), at..at + 6);
        Some(at + 6)
    }
}

/// The `digits` hex digits of `text` at `at`, as a number.
pub(super) fn hex_at(text: &str, at: usize, digits: usize) -> Option<u32> {
    let hex = text.get(at..at + digits)?;
    hex.bytes()
        .all(|b| b.is_ascii_hexdigit())
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
}
