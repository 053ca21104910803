//! The HTTP side: one ureq agent that never follows redirects (so every hop is inspected), never
//! turns 4xx/5xx into errors, trusts the platform's CA bundle plus `SSL_CERT_FILE`,
//! `SSL_CERT_DIR` and `--cacert`, and shares one time budget across every request of the run.
//!
//! TLS comes from ureq's `rustls` feature (rustls with the `ring` provider): pure Rust apart
//! from ring's small C core, no OpenSSL to link against, and the same stack libcnb buildpacks
//! use. ureq's `platform-verifier` feature is not used: it cannot add `--cacert` roots, and
//! reading the system bundle ourselves costs no extra crate.

use super::checks::Hop;
use super::tls;
use super::url::Url;
use crate::headers::csp::CspHeaders;
use crate::read::read_bounded_bytes;
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

/// A CA file or directory that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustError {
    pub path: PathBuf,
    /// Where the path came from: `--cacert`, `SSL_CERT_FILE` or `SSL_CERT_DIR`.
    pub origin: &'static str,
    pub problem: String,
}

impl TrustError {
    /// What to do about it.
    #[must_use]
    pub fn fix(&self) -> String {
        if self.origin == SSL_CERT_DIR {
            format!("Point {SSL_CERT_DIR} at a directory of PEM CA certificates.")
        } else {
            format!("Point {} at a PEM file of CA certificates.", self.origin)
        }
    }
}

const SSL_CERT_DIR: &str = "SSL_CERT_DIR";

/// The CA certificates to trust beyond the platform bundle.
#[derive(Debug, Clone, Copy)]
pub struct ExtraRoots<'a> {
    /// `SSL_CERT_FILE`.
    pub ssl_cert_file: Option<&'a Path>,
    /// `SSL_CERT_DIR`: every PEM file in these directories.
    pub ssl_cert_dirs: &'a [PathBuf],
    /// `--cacert FILE`.
    pub cacerts: &'a [PathBuf],
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

/// The roots to trust: the platform bundle plus the extra ones. Without any platform bundle and
/// extra certificate, the Mozilla roots built into the binary.
///
/// # Errors
/// An extra file or directory that cannot be read or holds no certificate.
pub fn load_roots(extra: &ExtraRoots<'_>) -> Result<RootCerts, TrustError> {
    let mut certificates = PLATFORM_BUNDLES
        .iter()
        .map(Path::new)
        .find(|path| path.is_file())
        .and_then(|path| read_pem_certificates(path).ok())
        .unwrap_or_default();
    for dir in extra.ssl_cert_dirs {
        certificates.extend(read_pem_dir(dir).map_err(trust_error(dir, SSL_CERT_DIR))?);
    }
    let files = extra
        .ssl_cert_file
        .map(|path| (path, "SSL_CERT_FILE"))
        .into_iter()
        .chain(
            extra
                .cacerts
                .iter()
                .map(|path| (path.as_path(), "--cacert")),
        );
    for (path, origin) in files {
        certificates.extend(read_pem_certificates(path).map_err(trust_error(path, origin))?);
    }
    if certificates.is_empty() {
        return Ok(RootCerts::WebPki);
    }
    Ok(RootCerts::Specific(certificates.into()))
}

/// The certificates of every PEM file in `dir`, as OpenSSL's `SSL_CERT_DIR` holds them (hashed
/// names, often links to the same file: each certificate is kept once). Files that are not PEM
/// certificates are skipped.
fn trust_error(path: &Path, origin: &'static str) -> impl FnOnce(String) -> TrustError {
    let path = path.to_owned();
    move |problem| TrustError {
        path,
        origin,
        problem,
    }
}

fn read_pem_dir(dir: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let entries = std::fs::read_dir(dir).map_err(|error| format!("cannot be read: {error}"))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    let mut certificates: Vec<Certificate<'static>> = Vec::new();
    for found in paths
        .iter()
        .filter_map(|path| read_pem_certificates(path).ok())
    {
        for certificate in found {
            if !certificates
                .iter()
                .any(|known| known.der() == certificate.der())
            {
                certificates.push(certificate);
            }
        }
    }
    if certificates.is_empty() {
        return Err(NO_CERTIFICATE.to_owned());
    }
    Ok(certificates)
}

/// The largest CA file read: a full public bundle is about 200 KiB.
const MAX_CA_FILE_BYTES: u64 = 16 * 1024 * 1024;

const NO_CERTIFICATE: &str = "contains no PEM certificate (-----BEGIN CERTIFICATE-----)";

fn read_pem_certificates(path: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let pem = read_bounded_bytes(path, MAX_CA_FILE_BYTES)
        .map_err(|error| format!("cannot be read: {error}"))?;
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(certificate)) => certificates.push(certificate),
            Ok(_) => {}
            Err(error) => return Err(format!("is not valid PEM: {error}")),
        }
    }
    if certificates.is_empty() {
        return Err(NO_CERTIFICATE.to_owned());
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
    /// A client whose budget runs from `started`, the start of the run (reading the CA files
    /// counts too).
    #[must_use]
    pub fn new(roots: RootCerts, budget: Duration, started: Instant) -> Self {
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
            deadline: started + budget,
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
            csp: CspHeaders {
                enforced: all("content-security-policy"),
                report_only: all("content-security-policy-report-only"),
                x_frame_options: all("x-frame-options"),
                reporting_endpoints: all("reporting-endpoints"),
                report_to: all("report-to"),
            },
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
            ureq::Error::Rustls(tls_error) => self.explain_tls(url, tls_error),
            ureq::Error::Tls(message) => FetchError::Tls {
                reason: format!("the TLS connection failed ({message})."),
                certificate: false,
            },
            // rustls reports handshake failures through the socket as InvalidData.
            ureq::Error::Io(io_error) if io_error.kind() == io::ErrorKind::InvalidData => {
                match io_error
                    .get_ref()
                    .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                {
                    Some(tls_error) => self.explain_tls(url, tls_error),
                    None => unreachable_because(url, error),
                }
            }
            _ => unreachable_because(url, error),
        }
    }
}

impl Client {
    fn explain_tls(&self, url: &Url, error: &rustls::Error) -> FetchError {
        let self_signed = || {
            let port = url.port.unwrap_or(url.scheme.default_port());
            let remaining = self.deadline.saturating_duration_since(Instant::now());
            tls::peer_certificate(&url.host, port, remaining)
                .is_some_and(|certificate| tls::is_self_signed(&certificate))
        };
        let problem = tls::explain(error, &url.host, self_signed);
        FetchError::Tls {
            reason: problem.reason,
            certificate: problem.certificate,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch_dir::ScratchDir;

    #[test]
    fn network_errors_in_plain_words() {
        let client = Client::new(RootCerts::WebPki, Duration::from_secs(7), Instant::now());
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
        let no_extras = ExtraRoots {
            ssl_cert_file: None,
            ssl_cert_dirs: &[],
            cacerts: &[],
        };
        let error = load_roots(&ExtraRoots {
            cacerts: std::slice::from_ref(&empty),
            ..no_extras
        })
        .err()
        .map(|error| error.to_string());
        assert_eq!(
            error,
            Some(format!(
                "--cacert {} contains no PEM certificate (-----BEGIN CERTIFICATE-----)",
                empty.display()
            ))
        );
        let error = load_roots(&ExtraRoots {
            ssl_cert_file: Some(&missing),
            ..no_extras
        })
        .err()
        .map(|error| error.problem);
        assert_eq!(error, Some("cannot be read: it does not exist".to_owned()));
        // A directory is read whole; one without any certificate is an error, as is a missing one.
        let error = load_roots(&ExtraRoots {
            ssl_cert_dirs: &[directory.join(""), missing.clone()],
            ..no_extras
        })
        .err()
        .map(|error| (error.to_string(), error.fix()));
        assert_eq!(
            error,
            Some((
                format!(
                    "SSL_CERT_DIR {} contains no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    directory.join("").display()
                ),
                "Point SSL_CERT_DIR at a directory of PEM CA certificates.".to_owned()
            ))
        );
    }
}
