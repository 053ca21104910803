//! The few URL operations `verify` needs: parse what the user typed, resolve `Location`
//! headers, and compare hosts. Built on `ureq::http::Uri`, so no extra URL crate is linked;
//! internationalised host names go through `idn` first.

use super::idn;
use std::fmt;
use ureq::http::Uri;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    #[must_use]
    pub fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

/// An absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Url {
    pub scheme: Scheme,
    /// Lower-cased; IPv6 literals keep their brackets.
    pub host: String,
    /// `None` for the scheme's default port.
    pub port: Option<u16>,
    /// Always starts with `/`.
    pub path_and_query: String,
}

impl Url {
    /// Parses an absolute URL, or a bare host (`example.com`, `example.com/path`), which means
    /// `http://` so that both the redirect and the HTTPS site are checked.
    ///
    /// # Errors
    /// Not an `http`/`https` URL, or no host.
    pub fn parse_user_input(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.contains("://") {
            Self::parse_absolute(text)
        } else {
            Self::parse_absolute(&format!("http://{text}"))
        }
    }

    fn parse_absolute(text: &str) -> Result<Self, String> {
        let uri: Uri = idn::ascii_host_url(text)
            .and_then(|ascii| ascii.parse().ok())
            .ok_or_else(|| format!("`{text}` is not a valid URL"))?;
        let scheme = match uri.scheme_str().map(str::to_ascii_lowercase).as_deref() {
            Some("http") => Scheme::Http,
            Some("https") => Scheme::Https,
            _ => return Err(format!("`{text}` is not an http:// or https:// URL")),
        };
        let host = uri
            .host()
            .filter(|host| !host.is_empty())
            .ok_or_else(|| format!("`{text}` has no host name"))?
            .to_ascii_lowercase();
        let port = port_number(&uri)
            .map_err(|port| {
                format!("`{text}` has an invalid port: {port} is not a port number (1 to 65535)")
            })?
            .filter(|port| *port != scheme.default_port());
        let path_and_query = uri
            .path_and_query()
            .map_or("/", |path| path.as_str())
            .to_owned();
        let path_and_query = if path_and_query.starts_with('/') {
            path_and_query
        } else {
            format!("/{path_and_query}")
        };
        Ok(Self {
            scheme,
            host,
            port,
            path_and_query,
        })
    }

    /// The URL a `Location` header points to, relative to this one. Dot segments (`../`) are
    /// kept as sent: redirects practically never use them, and servers resolve them anyway.
    ///
    /// # Errors
    /// An empty or non-HTTP location.
    pub fn resolve(&self, location: &str) -> Result<Self, String> {
        let location = location.trim();
        if location.is_empty() {
            return Err("an empty `Location` header".to_owned());
        }
        let lower = location.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            return Self::parse_absolute(location);
        }
        // Any other scheme (`javascript:`, `ftp://`, `mailto:`) is no place to redirect to; a
        // relative path whose first segment has a colon would be written `./a:b` (RFC 3986 §4.2).
        if has_scheme(location) || location.contains("://") {
            return Err(format!(
                "`Location: {location}` is not a valid redirect target (not an http:// or https:// URL)"
            ));
        }
        if let Some(network_path) = location.strip_prefix("//") {
            return Self::parse_absolute(&format!("{}://{network_path}", self.scheme.as_str()));
        }
        let path_and_query = if location.starts_with('/') {
            location.to_owned()
        } else if location.starts_with('?') {
            let path = self.path_and_query.split('?').next().unwrap_or("/");
            format!("{path}{location}")
        } else {
            let path = self.path_and_query.split('?').next().unwrap_or("/");
            let directory = &path[..=path.rfind('/').unwrap_or(0)];
            format!("{directory}{location}")
        };
        Self::parse_absolute(&format!("{}{path_and_query}", self.origin()))
    }

    /// The same path on the given scheme and port.
    #[must_use]
    pub fn with_scheme(&self, scheme: Scheme, port: Option<u16>) -> Self {
        Self {
            scheme,
            host: self.host.clone(),
            port: port.filter(|port| *port != scheme.default_port()),
            path_and_query: self.path_and_query.clone(),
        }
    }

    /// The same origin with another path.
    #[must_use]
    pub fn with_path(&self, path: &str) -> Self {
        let path_and_query = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        Self {
            path_and_query,
            ..self.clone()
        }
    }

    /// Hosts match regardless of port: HSTS and cookies are scoped to the host name.
    #[must_use]
    pub fn same_host(&self, other: &Self) -> bool {
        self.host == other.host
    }

    /// How to name this URL on `release-guard verify`'s command line: a bare host for the usual
    /// `http://host/`, the whole URL otherwise (a port, a path, or https).
    #[must_use]
    pub fn command_line_form(&self) -> String {
        if self.scheme == Scheme::Http && self.port.is_none() && self.path_and_query == "/" {
            self.host.clone()
        } else {
            self.to_string()
        }
    }

    #[must_use]
    pub fn origin(&self) -> String {
        match self.port {
            Some(port) => format!("{}://{}:{port}", self.scheme.as_str(), self.host),
            None => format!("{}://{}", self.scheme.as_str(), self.host),
        }
    }
}

/// The port written in `uri`'s authority (`None` for none, or an empty one); the text of a port
/// outside 1–65535 as the error, which `Uri::port_u16` would turn into "no port", that is the
/// default one.
fn port_number(uri: &Uri) -> Result<Option<u16>, String> {
    let authority = uri.authority().map_or("", |authority| authority.as_str());
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, rest)| rest);
    let port = match host_and_port.rsplit_once(':') {
        Some((_, port)) if !port.contains(']') && !port.is_empty() => port,
        _ => return Ok(None),
    };
    match port.parse::<u16>() {
        Ok(number) if number > 0 => Ok(Some(number)),
        _ => Err(port.to_owned()),
    }
}

/// Whether `reference` starts with `scheme:` (RFC 3986 §3.1: a letter, then letters, digits,
/// `+`, `-` or `.`).
fn has_scheme(reference: &str) -> bool {
    let Some((scheme, _)) = reference.split_once(':') else {
        return false;
    };
    let mut characters = scheme.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && characters.all(|other| other.is_ascii_alphanumeric() || "+-.".contains(other))
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin(), self.path_and_query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse_user_input(text).expect("a valid URL")
    }

    #[test]
    fn user_input() {
        assert_eq!(url("Example.COM").to_string(), "http://example.com/");
        assert_eq!(
            url("example.com/accounts/?next=/").to_string(),
            "http://example.com/accounts/?next=/"
        );
        assert_eq!(
            url("https://www.example.com:443").to_string(),
            "https://www.example.com/"
        );
        assert_eq!(url("http://localhost:8080/x").port, Some(8080));
        assert_eq!(url("https://[::1]:8443/").host, "[::1]");
        assert_eq!(
            Url::parse_user_input("ftp://example.com/"),
            Err("`ftp://example.com/` is not an http:// or https:// URL".to_owned())
        );
        assert_eq!(
            Url::parse_user_input("exa mple.com"),
            Err("`http://exa mple.com` is not a valid URL".to_owned())
        );
    }

    #[test]
    fn ports_out_of_range_are_errors_not_the_default_port() {
        for port in ["0", "65536", "70000", "99999", "18446744073709551616"] {
            let text = format!("https://example.com:{port}/");
            assert_eq!(
                Url::parse_user_input(&text),
                Err(format!(
                    "`{text}` has an invalid port: {port} is not a port number (1 to 65535)"
                ))
            );
        }
        assert_eq!(url("example.com:65535").port, Some(65535));
        assert_eq!(url("https://example.com:1/").port, Some(1));
    }

    #[test]
    fn internationalised_host_names() {
        let unicode = url("bücher.example");
        assert_eq!(unicode.to_string(), "http://xn--bcher-kva.example/");
        assert_eq!(unicode, url("xn--bcher-kva.example"));
        assert_eq!(
            url("https://user@Bücher.example:8443/straße?q=1").to_string(),
            "https://xn--bcher-kva.example:8443/stra%C3%9Fe?q=1"
        );
    }

    #[test]
    fn resolving_locations() {
        let base = url("http://example.com:8080/a/b?q=1");
        for (location, expected) in [
            ("https://example.com/", "https://example.com/"),
            ("HTTPS://Example.com:8443/x", "https://example.com:8443/x"),
            ("//www.example.com/", "http://www.example.com/"),
            ("/login/", "http://example.com:8080/login/"),
            ("c", "http://example.com:8080/a/c"),
            ("?page=2", "http://example.com:8080/a/b?page=2"),
        ] {
            assert_eq!(
                base.resolve(location).map(|url| url.to_string()),
                Ok(expected.to_owned()),
                "{location}"
            );
        }
        assert_eq!(
            base.resolve(" "),
            Err("an empty `Location` header".to_owned())
        );
        for location in [
            "ftp://x/",
            "javascript:alert(1)",
            "JavaScript:void(0)",
            "mailto:a@b.c",
            "data:text/html,x",
        ] {
            assert_eq!(
                base.resolve(location),
                Err(format!(
                    "`Location: {location}` is not a valid redirect target (not an http:// or https:// URL)"
                )),
                "{location}"
            );
        }
        // A colon later in a relative reference is no scheme.
        assert_eq!(
            base.resolve("/a:b").map(|url| url.to_string()),
            Ok("http://example.com:8080/a:b".to_owned())
        );
        assert_eq!(
            base.resolve("https://bücher.example/")
                .map(|url| url.to_string()),
            Ok("https://xn--bcher-kva.example/".to_owned())
        );
    }

    #[test]
    fn hosts_and_schemes() {
        let http = url("http://example.com/path");
        let https = http.with_scheme(Scheme::Https, Some(443));
        assert_eq!(https.to_string(), "https://example.com/path");
        assert!(http.same_host(&url("https://example.com:8443/")));
        assert!(!http.same_host(&url("https://www.example.com/")));
        assert_eq!(
            https.with_path("accounts/login/").to_string(),
            "https://example.com/accounts/login/"
        );
    }
}
