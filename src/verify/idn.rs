//! Internationalised host names: `bücher.example` becomes `xn--bcher-kva.example` (Punycode,
//! RFC 3492), the form DNS and TLS certificates use, so both spellings check the same site.
//! Labels are lower-cased but not NFC-normalised (the standard library has no normaliser):
//! composed characters, as keyboards type them, give the registered name.

use std::fmt::Write as _;

/// `text` (an absolute URL) with its host in ASCII and any other non-ASCII character
/// percent-encoded as UTF-8, as browsers send it; `None` when a label cannot be encoded.
pub(super) fn ascii_host_url(text: &str) -> Option<String> {
    if text.is_ascii() {
        return Some(text.to_owned());
    }
    let (scheme, rest) = text.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let (userinfo, host_and_port) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    let (host, port) = if host_and_port.starts_with('[') {
        (host_and_port, "")
    } else {
        host_and_port.split_at(host_and_port.rfind(':').unwrap_or(host_and_port.len()))
    };
    Some(format!(
        "{scheme}://{}{}{}{}",
        percent_encode_non_ascii(userinfo),
        ascii_host(host)?,
        port,
        percent_encode_non_ascii(path)
    ))
}

/// The ASCII (A-label) form of a host name; IDNA's other full stops separate labels too.
fn ascii_host(host: &str) -> Option<String> {
    host.to_lowercase()
        .split(['.', '\u{3002}', '\u{ff0e}', '\u{ff61}'])
        .map(|label| {
            if label.is_ascii() {
                Some(label.to_owned())
            } else {
                punycode(label).map(|encoded| format!("xn--{encoded}"))
            }
        })
        .collect::<Option<Vec<_>>>()
        .map(|labels| labels.join("."))
}

fn percent_encode_non_ascii(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for character in text.chars() {
        if character.is_ascii() {
            encoded.push(character);
        } else {
            let mut buffer = [0; 4];
            for byte in character.encode_utf8(&mut buffer).bytes() {
                let _ = write!(encoded, "%{byte:02X}");
            }
        }
    }
    encoded
}

const BASE: u32 = 36;
const T_MIN: u32 = 1;
const T_MAX: u32 = 26;
const SKEW: u32 = 38;
const DAMP: u32 = 700;
const INITIAL_BIAS: u32 = 72;
const INITIAL_N: u32 = 0x80;

/// RFC 3492 §6.3 encoding of one label, without the `xn--` prefix; `None` on overflow (a label
/// far longer than DNS allows).
fn punycode(label: &str) -> Option<String> {
    let code_points: Vec<u32> = label.chars().map(u32::from).collect();
    let mut output: String = label.chars().filter(char::is_ascii).collect();
    let basic_count = u32::try_from(output.len()).ok()?;
    if basic_count > 0 {
        output.push('-');
    }
    let mut n = INITIAL_N;
    let mut delta: u32 = 0;
    let mut bias = INITIAL_BIAS;
    let mut handled = basic_count;
    let total = u32::try_from(code_points.len()).ok()?;
    while handled < total {
        let next = code_points
            .iter()
            .copied()
            .filter(|code_point| *code_point >= n)
            .min()?;
        delta = delta.checked_add((next - n).checked_mul(handled + 1)?)?;
        n = next;
        for &code_point in &code_points {
            if code_point < n {
                delta = delta.checked_add(1)?;
            }
            if code_point == n {
                let mut q = delta;
                let mut k = BASE;
                loop {
                    let threshold = if k <= bias {
                        T_MIN
                    } else if k >= bias + T_MAX {
                        T_MAX
                    } else {
                        k - bias
                    };
                    if q < threshold {
                        break;
                    }
                    output.push(digit(threshold + (q - threshold) % (BASE - threshold)));
                    q = (q - threshold) / (BASE - threshold);
                    k += BASE;
                }
                output.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic_count);
                delta = 0;
                handled += 1;
            }
        }
        delta = delta.checked_add(1)?;
        n = n.checked_add(1)?;
    }
    Some(output)
}

fn adapt(delta: u32, points: u32, first_time: bool) -> u32 {
    let mut delta = if first_time { delta / DAMP } else { delta / 2 };
    delta += delta / points;
    let mut k = 0;
    while delta > ((BASE - T_MIN) * T_MAX) / 2 {
        delta /= BASE - T_MIN;
        k += BASE;
    }
    k + (BASE - T_MIN + 1) * delta / (delta + SKEW)
}

/// 0–25 are `a`–`z`, 26–35 are `0`–`9`.
fn digit(value: u32) -> char {
    let offset = if value < 26 {
        u32::from(b'a')
    } else {
        u32::from(b'0') - 26
    };
    char::from_u32(value + offset).unwrap_or('?')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_3492_samples_and_common_names() {
        for (label, encoded) in [
            ("bücher", "bcher-kva"),
            ("münchen", "mnchen-3ya"),
            ("ü", "tda"),
            // RFC 3492 §7.1 (B) Chinese (simplified), (A) Arabic (Egyptian), (J) Spanish,
            // lower-cased as host names are.
            ("他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"),
            ("ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"),
            (
                "porquénopuedensimplementehablarenespañol",
                "porqunopuedensimplementehablarenespaol-fmd56a",
            ),
            // (L) "3年B組金八先生", lower-cased.
            ("3年b組金八先生", "3b-ww4c5e180e575a65lsy2b"),
        ] {
            assert_eq!(punycode(label).as_deref(), Some(encoded), "{label}");
        }
    }

    #[test]
    fn only_the_host_becomes_punycode() {
        assert_eq!(
            ascii_host_url("http://Bücher.Example/").as_deref(),
            Some("http://xn--bcher-kva.example/")
        );
        assert_eq!(
            ascii_host_url("https://jörg:pässword@münchen。example:8443/straße?q=ü#x").as_deref(),
            Some(
                "https://j%C3%B6rg:p%C3%A4ssword@xn--mnchen-3ya.example:8443/stra%C3%9Fe?q=%C3%BC#x"
            )
        );
        assert_eq!(
            ascii_host_url("http://[::1]:8080/ä").as_deref(),
            Some("http://[::1]:8080/%C3%A4")
        );
        assert_eq!(
            ascii_host_url("http://example.com/").as_deref(),
            Some("http://example.com/")
        );
        assert_eq!(ascii_host_url("bücher.example"), None, "not absolute");
    }
}
