//! The HTTP side: one ureq agent that never follows redirects (so every hop is inspected), never
//! turns 4xx/5xx into errors, trusts the platform's CA bundle plus `SSL_CERT_FILE` and
//! `--cacert`, and shares one time budget across every request of the run.
//!
//! TLS comes from ureq's `rustls` feature (rustls with the `ring` provider): pure Rust apart
//! from ring's small C core, no OpenSSL to link against, and the same stack libcnb buildpacks
//! use. ureq's `platform-verifier` feature is not used: it cannot add `--cacert` roots, and
//! reading the system bundle ourselves costs no extra crate.

use super::checks::Hop;
use super::url::Url;
use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use ureq::Agent;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// Where Linux distributions keep the system CA bundle (Debian/Ubuntu, as on Heroku's stack
/// images, first).
const PLATFORM_BUNDLES: [&str; 6] = [
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/ssl/cert.pem",
];

const USER_AGENT: &str = concat!("release-guard/", env!("CARGO_PKG_VERSION"), " (verify)");

/// A CA file that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustError {
    pub path: PathBuf,
    /// Where the path came from: `--cacert` or `SSL_CERT_FILE`.
    pub origin: &'static str,
    pub problem: String,
}

impl fmt::Display for TrustError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.origin,
            self.path.display(),
            self.problem
        )
    }
}

/// The roots to trust: the platform bundle plus extra PEM files. Without any platform bundle and
/// extra file, the Mozilla roots built into the binary.
///
/// # Errors
/// An extra file that cannot be read or holds no certificate.
pub fn load_roots(
    ssl_cert_file: Option<&Path>,
    cacerts: &[PathBuf],
) -> Result<RootCerts, TrustError> {
    let mut certificates = PLATFORM_BUNDLES
        .iter()
        .map(Path::new)
        .find(|path| path.is_file())
        .and_then(|path| read_pem_certificates(path).ok())
        .unwrap_or_default();
    let extras = ssl_cert_file
        .map(|path| (path, "SSL_CERT_FILE"))
        .into_iter()
        .chain(cacerts.iter().map(|path| (path.as_path(), "--cacert")));
    for (path, origin) in extras {
        let found = read_pem_certificates(path).map_err(|problem| TrustError {
            path: path.to_owned(),
            origin,
            problem,
        })?;
        certificates.extend(found);
    }
    if certificates.is_empty() {
        return Ok(RootCerts::WebPki);
    }
    Ok(RootCerts::Specific(certificates.into()))
}

fn read_pem_certificates(path: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let pem = std::fs::read(path).map_err(|error| format!("cannot be read: {error}"))?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(certificate)) => certificates.push(certificate),
            Ok(_) => {}
            Err(error) => return Err(format!("is not valid PEM: {error}")),
        }
    }
    if certificates.is_empty() {
        return Err("contains no PEM certificate (-----BEGIN CERTIFICATE-----)".to_owned());
    }
    Ok(certificates)
}

/// Why a URL could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Nothing listens on the port.
    Refused,
    /// TLS failed; `certificate` tells a certificate problem from other handshake failures.
    Tls { reason: String, certificate: bool },
    /// The run's time budget ran out.
    OutOfTime { reason: String },
    /// Anything else (DNS, reset): the site cannot be evaluated.
    Unreachable { reason: String, fix: String },
}

/// Fetches URLs one hop at a time within a global time budget, each URL at most once.
pub struct Client {
    agent: Agent,
    budget: Duration,
    deadline: Instant,
    fetched: HashMap<Url, Result<Hop, FetchError>>,
}

impl Client {
    #[must_use]
    pub fn new(roots: RootCerts, budget: Duration) -> Self {
        let agent: Agent = Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(USER_AGENT)
            .tls_config(TlsConfig::builder().root_certs(roots).build())
            .build()
            .into();
        Self {
            agent,
            budget,
            deadline: Instant::now() + budget,
            fetched: HashMap::new(),
        }
    }

    /// How many distinct URLs were requested.
    #[must_use]
    pub fn request_count(&self) -> usize {
        self.fetched.len()
    }

    /// `GET url` without following redirects; a URL already fetched in this run is answered
    /// from memory, so a good site costs one request per hop.
    ///
    /// # Errors
    /// The URL cannot be fetched (see `FetchError`).
    pub fn fetch(&mut self, url: &Url) -> Result<Hop, FetchError> {
        if let Some(result) = self.fetched.get(url) {
            return result.clone();
        }
        let result = self.request(url);
        self.fetched.insert(url.clone(), result.clone());
        result
    }

    fn request(&self, url: &Url) -> Result<Hop, FetchError> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(self.out_of_time(url));
        }
        let response = self
            .agent
            .get(url.to_string())
            .config()
            .timeout_global(Some(remaining))
            .build()
            .call()
            .map_err(|error| self.explain(url, &error))?;
        let headers = response.headers();
        let all = |name: &str| -> Vec<String> {
            headers
                .get_all(name)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect()
        };
        Ok(Hop {
            url: url.clone(),
            status: response.status().as_u16(),
            location: all("location").into_iter().next(),
            sts: all("strict-transport-security"),
            set_cookies: all("set-cookie"),
        })
    }

    fn out_of_time(&self, url: &Url) -> FetchError {
        FetchError::OutOfTime {
            reason: format!(
                "no complete answer from {url} within the time budget of {} s",
                self.budget.as_secs()
            ),
        }
    }

    fn explain(&self, url: &Url, error: &ureq::Error) -> FetchError {
        let host = &url.host;
        match error {
            ureq::Error::Timeout(_) => self.out_of_time(url),
            ureq::Error::HostNotFound => dns_failure(host),
            // ureq's default resolver passes on the standard library's lookup error.
            ureq::Error::Io(io_error)
                if io_error.to_string().starts_with("failed to lookup address") =>
            {
                dns_failure(host)
            }
            ureq::Error::Io(io_error) if io_error.kind() == io::ErrorKind::ConnectionRefused => {
                FetchError::Refused
            }
            ureq::Error::Rustls(tls_error) => explain_tls(&format!("{tls_error:?}"), host),
            ureq::Error::Tls(message) => FetchError::Tls {
                reason: format!("the TLS connection failed ({message})."),
                certificate: false,
            },
            // rustls reports handshake failures through the socket as InvalidData.
            ureq::Error::Io(io_error) if io_error.kind() == io::ErrorKind::InvalidData => {
                match io_error.get_ref() {
                    Some(inner) => explain_tls(&format!("{inner:?}"), host),
                    None => unreachable_because(url, error),
                }
            }
            _ => unreachable_because(url, error),
        }
    }
}

fn dns_failure(host: &str) -> FetchError {
    FetchError::Unreachable {
        reason: format!("the host name {host} does not resolve (DNS lookup failed)"),
        fix: "Check the spelling, and that the domain's DNS records point at the app (heroku domains)."
            .to_owned(),
    }
}

fn unreachable_because(url: &Url, error: &ureq::Error) -> FetchError {
    FetchError::Unreachable {
        reason: format!("{url} could not be fetched: {error}"),
        fix: "Check that the site is up and reachable from here.".to_owned(),
    }
}

/// Plain words for a rustls error, given its `Debug` form. ureq exposes rustls' error type only
/// as an unversioned detail, so the variant names are matched as text (covered by the TLS tests).
fn explain_tls(rustls_debug: &str, host: &str) -> FetchError {
    const CERTIFICATE_PROBLEMS: [(&str, &str); 7] = [
        (
            "UnknownIssuer",
            "it is signed by an authority this machine does not trust (unknown issuer): a self-signed or private-CA certificate, or a server that does not send its intermediate certificates. If the CA is private, pass it with --cacert FILE or SSL_CERT_FILE.",
        ),
        (
            "Expired",
            "it has expired. Renew it (heroku certs:auto renews automatically).",
        ),
        (
            "NotValidYet",
            "it is not valid yet: its start date is in the future (check the clocks).",
        ),
        (
            "NotValidForName",
            "it was issued for other host names (wrong host name).",
        ),
        ("Revoked", "it has been revoked by its issuer."),
        (
            "InvalidPurpose",
            "it is not meant for TLS servers (wrong extended key usage).",
        ),
        (
            "BadSignature",
            "its signature does not verify (a broken or tampered chain).",
        ),
    ];
    if let Some(details) = rustls_debug.strip_prefix("InvalidCertificate(") {
        let explanation = CERTIFICATE_PROBLEMS
            .iter()
            .find(|(variant, _)| details.starts_with(variant))
            .map_or_else(
                || format!("it was rejected ({}).", details.trim_end_matches(')')),
                |(_, explanation)| (*explanation).to_owned(),
            );
        let reason = if explanation.starts_with("it was issued for other host names") {
            format!("it was issued for other host names than {host} (wrong host name).")
        } else {
            explanation
        };
        return FetchError::Tls {
            reason,
            certificate: true,
        };
    }
    FetchError::Tls {
        reason: format!(
            "the TLS handshake failed ({rustls_debug}); the server may not speak TLS on this port, or only obsolete versions."
        ),
        certificate: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch_dir::ScratchDir;

    #[test]
    fn tls_errors_in_plain_words() {
        assert_eq!(
            explain_tls(
                "InvalidCertificate(NotValidForNameContext { expected: DnsName(\"a.test\"), presented: [] })",
                "a.test"
            ),
            FetchError::Tls {
                reason: "it was issued for other host names than a.test (wrong host name)."
                    .to_owned(),
                certificate: true
            }
        );
        assert_eq!(
            explain_tls(
                "InvalidCertificate(ExpiredContext { time: UnixTime(1), not_after: UnixTime(0) })",
                "x"
            ),
            FetchError::Tls {
                reason: "it has expired. Renew it (heroku certs:auto renews automatically)."
                    .to_owned(),
                certificate: true
            }
        );
        assert_eq!(
            explain_tls("InvalidCertificate(UnhandledCriticalExtension)", "x"),
            FetchError::Tls {
                reason: "it was rejected (UnhandledCriticalExtension).".to_owned(),
                certificate: true
            }
        );
        assert_eq!(
            explain_tls("AlertReceived(ProtocolVersion)", "x"),
            FetchError::Tls {
                reason: "the TLS handshake failed (AlertReceived(ProtocolVersion)); the server may not speak TLS on this port, or only obsolete versions.".to_owned(),
                certificate: false
            }
        );
    }

    #[test]
    fn network_errors_in_plain_words() {
        let client = Client::new(RootCerts::WebPki, Duration::from_secs(7));
        let url = Url::parse_user_input("example.invalid").expect("a URL");
        let explain = |error: ureq::Error| client.explain(&url, &error);
        assert_eq!(
            explain(ureq::Error::Timeout(ureq::Timeout::Global)),
            FetchError::OutOfTime {
                reason:
                    "no complete answer from http://example.invalid/ within the time budget of 7 s"
                        .to_owned()
            }
        );
        assert_eq!(
            explain(ureq::Error::Io(io::ErrorKind::ConnectionRefused.into())),
            FetchError::Refused
        );
        let dns = FetchError::Unreachable {
            reason: "the host name example.invalid does not resolve (DNS lookup failed)".to_owned(),
            fix: "Check the spelling, and that the domain's DNS records point at the app (heroku domains).".to_owned(),
        };
        assert_eq!(explain(ureq::Error::HostNotFound), dns);
        assert_eq!(
            explain(ureq::Error::Io(io::Error::other(
                "failed to lookup address information: Name or service not known"
            ))),
            dns
        );
    }

    #[test]
    fn extra_ca_files_must_hold_certificates() {
        let directory = ScratchDir::with_files("roots", &[("empty.pem", "not a certificate\n")]);
        let empty = directory.join("empty.pem");
        let missing = directory.join("missing.pem");
        let error = load_roots(None, std::slice::from_ref(&empty))
            .err()
            .map(|error| error.to_string());
        assert_eq!(
            error,
            Some(format!(
                "--cacert {} contains no PEM certificate (-----BEGIN CERTIFICATE-----)",
                empty.display()
            ))
        );
        let error = load_roots(Some(&missing), &[])
            .err()
            .map(|error| error.problem);
        assert_eq!(
            error,
            Some("cannot be read: No such file or directory (os error 2)".to_owned())
        );
    }
}
