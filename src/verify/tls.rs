//! TLS failures in plain words, classified from rustls' typed errors (the same rustls that ureq
//! links, as a direct dependency so its error type can be matched).
//!
//! rustls reports a self-signed certificate and one from an unknown CA alike (an unknown
//! issuer, or a CA certificate used as a server's), so for those the server's certificate is
//! fetched once more, with a verifier that only records it, and looked at: a certificate whose
//! issuer is its own subject is self-signed.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct, OtherError,
    SignatureScheme,
};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A TLS failure in plain words; `certificate` tells a certificate problem from other
/// handshake failures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsProblem {
    pub reason: String,
    pub certificate: bool,
}

const UNKNOWN_ISSUER: &str = "it is signed by an authority this machine does not trust (unknown issuer): a private CA, or a server that does not send its intermediate certificates. If the CA is private, trust it with --cacert FILE, SSL_CERT_FILE or SSL_CERT_DIR.";
const SELF_SIGNED: &str = "it is self-signed: it vouches for itself, and no authority stands behind it. Use a certificate from a public CA (heroku certs:auto:enable); for a private test host, trust that certificate with --cacert FILE.";

/// Explains `error`, met on `host`. `peer_is_self_signed` is asked only when rustls cannot tell
/// a self-signed certificate from an unknown CA.
pub fn explain(
    error: &rustls::Error,
    host: &str,
    peer_is_self_signed: impl FnOnce() -> bool,
) -> TlsProblem {
    let rustls::Error::InvalidCertificate(problem) = error else {
        return TlsProblem {
            reason: format!(
                "the TLS handshake failed ({error}); the server may not speak TLS on this port, or only obsolete versions."
            ),
            certificate: false,
        };
    };
    let ambiguous = matches!(
        problem,
        CertificateError::UnknownIssuer | CertificateError::Other(_)
    );
    let reason = match problem {
        _ if ambiguous && peer_is_self_signed() => SELF_SIGNED.to_owned(),
        CertificateError::UnknownIssuer => UNKNOWN_ISSUER.to_owned(),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "it has expired. Renew it (heroku certs:auto renews automatically).".to_owned()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "it is not valid yet: its start date is in the future (check the clocks).".to_owned()
        }
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!("it was issued for other host names than {host} (wrong host name).")
        }
        CertificateError::Revoked => "it has been revoked by its issuer.".to_owned(),
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            "it is not meant for TLS servers (wrong extended key usage).".to_owned()
        }
        CertificateError::BadSignature => {
            "its signature does not verify (a broken or tampered chain).".to_owned()
        }
        CertificateError::Other(OtherError(inner))
            if inner.downcast_ref::<webpki::Error>() == Some(&webpki::Error::CaUsedAsEndEntity) =>
        {
            "it is a CA certificate, not one issued for a server (basicConstraints CA:TRUE)."
                .to_owned()
        }
        other => format!("it was rejected ({other})."),
    };
    TlsProblem {
        reason,
        certificate: true,
    }
}

/// Whether a DER certificate names itself as its issuer.
#[must_use]
pub fn is_self_signed(certificate: &CertificateDer<'_>) -> bool {
    webpki::EndEntityCert::try_from(certificate)
        .is_ok_and(|parsed| parsed.issuer() == parsed.subject())
}

/// The certificate `host:port` presents, fetched by a handshake that stops once it is seen;
/// `None` when there is none within `time_limit`.
#[must_use]
pub fn peer_certificate(
    host: &str,
    port: u16,
    time_limit: Duration,
) -> Option<CertificateDer<'static>> {
    if time_limit.is_zero() {
        return None;
    }
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(Recorder {
        algorithms: provider.signature_verification_algorithms,
        seen: Mutex::new(None),
    });
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .ok()?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let server_name = ServerName::try_from(host.to_owned()).ok()?;
    let mut connection = ClientConnection::new(Arc::new(config), server_name).ok()?;
    let deadline = Instant::now() + time_limit;
    let address = (host, port).to_socket_addrs().ok()?.next()?;
    let socket = TcpStream::connect_timeout(&address, time_limit).ok()?;
    let mut socket = UntilDeadline { socket, deadline };
    // A handshake takes a few round trips; the recorder ends it with an error.
    for _ in 0..8 {
        if connection.complete_io(&mut socket).is_err() || !connection.is_handshaking() {
            break;
        }
    }
    recorder.seen.lock().ok()?.take()
}

/// A socket whose every read and write ends by `deadline`, so a server that trickles bytes
/// cannot stretch the handshake past the run's time budget.
struct UntilDeadline {
    socket: TcpStream,
    deadline: Instant,
}

impl UntilDeadline {
    fn time_left(&self) -> io::Result<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        Ok(left)
    }
}

impl Read for UntilDeadline {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.socket.set_read_timeout(Some(self.time_left()?))?;
        self.socket.read(buffer)
    }
}

impl Write for UntilDeadline {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        self.socket.set_write_timeout(Some(self.time_left()?))?;
        self.socket.write(buffer)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.socket.flush()
    }
}

/// Records the server's certificate and refuses it, so the handshake ends there.
#[derive(Debug)]
struct Recorder {
    algorithms: WebPkiSupportedAlgorithms,
    seen: Mutex<Option<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some(end_entity.clone().into_owned());
        }
        Err(rustls::Error::General("certificate recorded".to_owned()))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, certificate, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, certificate, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::AlertDescription;
    use rustls::pki_types::{DnsName, ServerName};

    fn explained(error: CertificateError, self_signed: bool) -> TlsProblem {
        explain(&rustls::Error::InvalidCertificate(error), "a.test", || {
            self_signed
        })
    }

    fn certificate_problem(reason: &str) -> TlsProblem {
        TlsProblem {
            reason: reason.to_owned(),
            certificate: true,
        }
    }

    #[test]
    fn certificate_errors_in_plain_words() {
        let wrong_name = CertificateError::NotValidForNameContext {
            expected: ServerName::DnsName(DnsName::try_from("a.test").expect("a name").to_owned()),
            presented: vec!["b.test".to_owned()],
        };
        assert_eq!(
            explained(wrong_name, false),
            certificate_problem(
                "it was issued for other host names than a.test (wrong host name)."
            )
        );
        let expired = CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(Duration::from_secs(2)),
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(1)),
        };
        assert_eq!(
            explained(expired, false),
            certificate_problem(
                "it has expired. Renew it (heroku certs:auto renews automatically)."
            )
        );
        assert_eq!(
            explained(CertificateError::UnknownIssuer, false),
            certificate_problem(UNKNOWN_ISSUER)
        );
        assert_eq!(
            explained(CertificateError::UnknownIssuer, true),
            certificate_problem(SELF_SIGNED)
        );
        let ca_as_server =
            CertificateError::Other(OtherError(Arc::new(webpki::Error::CaUsedAsEndEntity)));
        assert_eq!(
            explained(ca_as_server.clone(), true),
            certificate_problem(SELF_SIGNED)
        );
        assert_eq!(
            explained(ca_as_server, false),
            certificate_problem(
                "it is a CA certificate, not one issued for a server (basicConstraints CA:TRUE)."
            )
        );
        assert_eq!(
            explained(CertificateError::UnhandledCriticalExtension, true),
            certificate_problem("it was rejected (UnhandledCriticalExtension)."),
            "only an unknown issuer asks whether the certificate is self-signed"
        );
    }

    #[test]
    fn handshake_errors_are_not_certificate_problems() {
        let problem = explain(
            &rustls::Error::AlertReceived(AlertDescription::ProtocolVersion),
            "a.test",
            || unreachable!("not a certificate problem"),
        );
        assert_eq!(
            problem,
            TlsProblem {
                reason: "the TLS handshake failed (received fatal alert: ProtocolVersion); the server may not speak TLS on this port, or only obsolete versions.".to_owned(),
                certificate: false
            }
        );
    }

    #[test]
    fn a_silent_server_ends_the_handshake_at_the_deadline() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback listener");
        let port = listener.local_addr().expect("its address").port();
        // Accepted by the kernel's backlog, never answered.
        assert_eq!(
            peer_certificate("127.0.0.1", port, Duration::from_millis(300)),
            None
        );
        drop(listener);
    }

    #[test]
    fn nothing_to_record_without_a_server() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        assert_eq!(
            peer_certificate("127.0.0.1", closed, Duration::from_secs(2)),
            None
        );
        assert_eq!(peer_certificate("127.0.0.1", closed, Duration::ZERO), None);
    }
}
