//! The HTTP facts of one response, whoever made it: the gate's simulated request through the
//! app, or a real request to the live site. Core type, below gate and verify: the gate compares
//! the new release with the live site ([`crate::compare`]) on these facts, and asks for the live
//! site's through [`LiveSite`], which verify's client implements, so the gate never imports
//! verify.

use std::path::PathBuf;
use std::time::Instant;

/// What a browser would learn from one response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseFacts {
    pub status: u16,
    /// The first `Location` header.
    pub location: Option<String>,
    /// Every `Strict-Transport-Security` header value, in order.
    pub hsts: Vec<String>,
    /// Every `Set-Cookie` header value, in order.
    pub set_cookies: Vec<String>,
}

impl ResponseFacts {
    /// A redirect (301, 302, 303, 307, 308) to an `https://` address.
    #[must_use]
    pub fn redirects_to_https(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308)
            && self.location.as_deref().is_some_and(|location| {
                location
                    .get(..8)
                    .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
            })
    }
}

/// The CA certificates trusted beyond the platform bundle, as OpenSSL reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaTrust {
    /// `SSL_CERT_FILE`.
    pub ssl_cert_file: Option<PathBuf>,
    /// `SSL_CERT_DIR`, colon-separated.
    pub ssl_cert_dirs: Vec<PathBuf>,
}

/// Makes one request to the live site.
pub trait LiveSite {
    /// `GET url` without following redirects, answered before `deadline`.
    ///
    /// # Errors
    ///
    /// Why there is no answer, in one sentence (refused, TLS, DNS, out of time).
    fn get(&self, url: &str, trust: &CaTrust, deadline: Instant) -> Result<ResponseFacts, String>;
}

/// A live site nobody asks: for runs without a live URL in tests.
#[cfg(test)]
pub(crate) struct NoLiveSite;

#[cfg(test)]
impl LiveSite for NoLiveSite {
    fn get(
        &self,
        url: &str,
        _trust: &CaTrust,
        _deadline: Instant,
    ) -> Result<ResponseFacts, String> {
        Err(format!("{url} was asked, but no live site is configured"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirects_to_https_need_a_redirect_status_and_an_https_location() {
        let response = |status, location: Option<&str>| ResponseFacts {
            status,
            location: location.map(str::to_string),
            ..ResponseFacts::default()
        };
        assert!(response(301, Some("https://example.com/")).redirects_to_https());
        assert!(response(308, Some("HTTPS://example.com/")).redirects_to_https());
        assert!(!response(301, Some("http://example.com/")).redirects_to_https());
        assert!(!response(200, Some("https://example.com/")).redirects_to_https());
        assert!(!response(301, Some("/login")).redirects_to_https());
        assert!(!response(302, None).redirects_to_https());
    }
}
