//! `Set-Cookie` headers, parsed the way browsers do (RFC 6265 §5.2, with the `SameSite` and
//! name-prefix rules of RFC 6265bis). Only the attributes the checks need are kept; the cookie's
//! value is dropped on purpose, because it may be a live session token.

/// The `SameSite` attribute as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
    /// A value browsers do not recognise (they fall back to their default).
    Unrecognised(String),
}

/// The cookie-name prefixes browsers enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    /// `__Secure-`: requires `Secure`.
    Secure,
    /// `__Host-`: requires `Secure`, `Path=/` and no `Domain`.
    Host,
}

impl Prefix {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Secure => "__Secure-",
            Self::Host => "__Host-",
        }
    }
}

/// One `Set-Cookie` header, without its value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetCookie {
    pub name: String,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<SameSite>,
    /// The `Domain` attribute, lower-cased and without a leading dot.
    pub domain: Option<String>,
    pub path: Option<String>,
}

impl SetCookie {
    /// The name prefix, matched case-insensitively as current browsers do.
    #[must_use]
    pub fn prefix(&self) -> Option<Prefix> {
        [Prefix::Host, Prefix::Secure].into_iter().find(|prefix| {
            self.name
                .get(..prefix.as_str().len())
                .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_str()))
        })
    }

    /// Why a browser refuses to store this cookie because of its name prefix, if it does.
    #[must_use]
    pub fn prefix_violations(&self) -> Vec<&'static str> {
        let mut violations = Vec::new();
        let Some(prefix) = self.prefix() else {
            return violations;
        };
        if !self.secure {
            violations.push("it lacks `Secure`");
        }
        if prefix == Prefix::Host {
            if self.domain.is_some() {
                violations.push("it has a `Domain` attribute");
            }
            if self.path.as_deref() != Some("/") {
                violations.push("its `Path` is not `/`");
            }
        }
        violations
    }
}

/// Parses one `Set-Cookie` header value; `None` when browsers ignore it (no `=` in the
/// name-value pair, or an empty name and value).
#[must_use]
pub fn parse(header: &str) -> Option<SetCookie> {
    let mut parts = header.split(';');
    let (name, value) = parts.next()?.split_once('=')?;
    let name = name.trim();
    if name.is_empty() && value.trim().is_empty() {
        return None;
    }
    let mut cookie = SetCookie {
        name: name.to_owned(),
        ..SetCookie::default()
    };
    for attribute in parts {
        let (attribute_name, attribute_value) = match attribute.split_once('=') {
            Some((attribute_name, attribute_value)) => {
                (attribute_name.trim(), attribute_value.trim())
            }
            None => (attribute.trim(), ""),
        };
        // Later attributes override earlier ones, as in RFC 6265 §5.3.
        match attribute_name.to_ascii_lowercase().as_str() {
            "secure" => cookie.secure = true,
            "httponly" => cookie.http_only = true,
            "samesite" => cookie.same_site = Some(parse_same_site(attribute_value)),
            "domain" => {
                let domain = attribute_value.trim_start_matches('.').to_ascii_lowercase();
                cookie.domain = (!domain.is_empty()).then_some(domain);
            }
            "path" => {
                cookie.path = attribute_value
                    .starts_with('/')
                    .then(|| attribute_value.to_owned());
            }
            _ => {}
        }
    }
    Some(cookie)
}

/// A `SameSite` attribute value as browsers read it.
#[must_use]
pub fn parse_same_site(value: &str) -> SameSite {
    match value.to_ascii_lowercase().as_str() {
        "strict" => SameSite::Strict,
        "lax" => SameSite::Lax,
        "none" => SameSite::None,
        _ => SameSite::Unrecognised(value.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_generator::Generator;

    #[test]
    fn django_session_and_csrf_cookies() {
        let session = parse(
            "sessionid=abc; expires=Tue, 08 Dec 2026 09:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax; Secure",
        );
        assert_eq!(
            session,
            Some(SetCookie {
                name: "sessionid".to_owned(),
                secure: true,
                http_only: true,
                same_site: Some(SameSite::Lax),
                domain: None,
                path: Some("/".to_owned()),
            })
        );
        let csrf = parse(
            "csrftoken=xyz; expires=Tue, 23 Nov 2027 09:00:00 GMT; Max-Age=31449600; Path=/; SameSite=Strict",
        );
        assert_eq!(
            csrf,
            Some(SetCookie {
                name: "csrftoken".to_owned(),
                same_site: Some(SameSite::Strict),
                path: Some("/".to_owned()),
                ..SetCookie::default()
            })
        );
    }

    #[test]
    fn attributes_are_case_insensitive_and_last_wins() {
        let cookie =
            parse(" id = 1 ;SECURE; samesite=lax; SameSite=NONE; domain=.Example.COM; path=nope")
                .expect("a cookie");
        assert_eq!(cookie.name, "id");
        assert!(cookie.secure);
        assert_eq!(cookie.same_site, Some(SameSite::None));
        assert_eq!(cookie.domain.as_deref(), Some("example.com"));
        assert_eq!(cookie.path, None, "a path not starting with / is ignored");
        assert_eq!(
            parse("a=1; SameSite=Relaxed").and_then(|c| c.same_site),
            Some(SameSite::Unrecognised("Relaxed".to_owned()))
        );
        assert_eq!(
            parse("a=1; SameSite").and_then(|c| c.same_site),
            Some(SameSite::Unrecognised(String::new()))
        );
    }

    #[test]
    fn cookies_browsers_ignore() {
        assert_eq!(parse("no-equals-sign; Secure"), None);
        assert_eq!(parse("=; Secure"), None);
        assert_eq!(parse("=value").map(|c| c.name), Some(String::new()));
    }

    #[test]
    fn prefixes() {
        let host = parse("__Host-id=1; Secure; Path=/").expect("a cookie");
        assert_eq!(host.prefix(), Some(Prefix::Host));
        assert_eq!(host.prefix_violations(), Vec::<&str>::new());
        let bad_host = parse("__host-id=1; Domain=example.com").expect("a cookie");
        assert_eq!(
            bad_host.prefix_violations(),
            vec![
                "it lacks `Secure`",
                "it has a `Domain` attribute",
                "its `Path` is not `/`"
            ]
        );
        let secure = parse("__Secure-id=1; Domain=example.com; Path=/x").expect("a cookie");
        assert_eq!(secure.prefix(), Some(Prefix::Secure));
        assert_eq!(secure.prefix_violations(), vec!["it lacks `Secure`"]);
        assert_eq!(parse("_Host-id=1").and_then(|c| c.prefix()), None);
    }

    #[test]
    fn property_attributes_survive_any_order_case_and_spacing() {
        let mut generator = Generator::new(7);
        for _ in 0..2000 {
            let secure = generator.flip();
            let http_only = generator.flip();
            let same_site = generator
                .pick(&[None, Some("Strict"), Some("Lax"), Some("None")])
                .map(str::to_owned);
            let mut attributes = vec!["Path=/".to_owned(), "Max-Age=60".to_owned()];
            if secure {
                attributes.push(generator.shuffle_case("Secure"));
            }
            if http_only {
                attributes.push(generator.shuffle_case("HttpOnly"));
            }
            if let Some(value) = &same_site {
                attributes.push(format!(
                    "{}={}",
                    generator.shuffle_case("SameSite"),
                    generator.shuffle_case(value)
                ));
            }
            generator.shuffle(&mut attributes);
            let separator = *generator.pick(&[";", "; ", " ; "]);
            let value = format!("s3cr3t{}", generator.next());
            let header = format!("sessionid={value}{separator}{}", attributes.join(separator));
            let cookie = parse(&header).expect("a cookie");
            let expected_same_site = same_site.map(|value| parse_same_site(&value));
            assert!(
                !format!("{cookie:?}").contains(&value),
                "the value is never kept"
            );
            assert_eq!(
                (cookie.secure, cookie.http_only, cookie.same_site),
                (secure, http_only, expected_same_site),
                "{header}"
            );
        }
    }
}
