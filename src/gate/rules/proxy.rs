//! Whether Django can see that a request came in over HTTPS behind Heroku's router, which
//! terminates TLS and forwards `X-Forwarded-Proto`. No Django check looks at this.

use super::{SECURE_PROXY_HEADER_LINE, hsts_on, setting, ssl_redirect_on};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};

pub(super) const HTTPS_UNDETECTABLE: &str = "guard.https_undetectable";
pub(super) const HEADER_MALFORMED: &str = "guard.proxy_ssl_header_malformed";

const SETTING: &str = "SECURE_PROXY_SSL_HEADER";
const FORWARDED_PROTO_META: &str = "HTTP_X_FORWARDED_PROTO";

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    match setting(snapshot, SETTING).filter(|value| value.truthy()) {
        Some(value) => malformed(value).into_iter().collect(),
        None => undetectable(snapshot).into_iter().collect(),
    }
}

fn undetectable(snapshot: &Snapshot) -> Option<Finding> {
    let trust = &snapshot.proxy_trust;
    if trust.trusted || !(ssl_redirect_on(snapshot) || hsts_on(snapshot)) {
        return None;
    }
    let server = match (&trust.server, &trust.source, &trust.value) {
        (Some(server), Some(source), Some(value)) => {
            format!(
                "{server} does not trust the router's X-Forwarded-Proto ({source} is {value:?})"
            )
        }
        (Some(server), _, _) => format!("{server} does not trust the router's X-Forwarded-Proto"),
        _ => "no trusted-proxy server configuration was found".to_string(),
    };
    let on = match (ssl_redirect_on(snapshot), hsts_on(snapshot)) {
        (true, true) => "SECURE_SSL_REDIRECT and HSTS are",
        (true, false) => "SECURE_SSL_REDIRECT is",
        _ => "HSTS is",
    };
    Some(
        Finding::new(
            HTTPS_UNDETECTABLE,
            Severity::Block,
            Source::Guard,
            format!("{on} on, but Django cannot tell HTTPS requests from HTTP ones: SECURE_PROXY_SSL_HEADER is not set and {server}."),
        )
        .with_setting(SETTING)
        .with_required(r#"SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https"), or a server that trusts the router (gunicorn: forwarded_allow_ips = "*")"#)
        .with_why("Heroku's router terminates TLS and talks plain HTTP to the app, so request.is_secure() is always False: SECURE_SSL_REDIRECT answers HTTPS requests with a redirect to themselves (an endless loop), the HSTS header is never sent, and HTTPS form posts fail CSRF with 403 \"Origin checking failed\". The router always sets X-Forwarded-Proto itself, so trusting it is safe on Heroku.")
        .with_fix(SECURE_PROXY_HEADER_LINE),
    )
}

fn malformed(value: &PyValue) -> Option<Finding> {
    let pair = value
        .as_str_list()
        .filter(|items| items.len() == 2 && matches!(value.py_type.as_str(), "tuple" | "list"));
    let problem = match pair.as_deref() {
        None => format!(
            "{} ({}) is not a 2-tuple of strings, so Django raises ImproperlyConfigured on the first request",
            value.repr, value.py_type
        ),
        Some([header, _]) if !is_meta_key(header) => format!(
            "{header:?} is not how Django's request.META names a header: it would be {:?}, so HTTPS is never detected",
            meta_key(header)
        ),
        Some([header, secure]) if *header == FORWARDED_PROTO_META && *secure != "https" => format!(
            "Heroku's router sends X-Forwarded-Proto: https, which never equals {secure:?} (Django compares exactly), so HTTPS is never detected"
        ),
        Some(_) => return None,
    };
    Some(
        Finding::new(
            HEADER_MALFORMED,
            Severity::Block,
            Source::Guard,
            format!("SECURE_PROXY_SSL_HEADER is malformed: {problem}."),
        )
        .with_setting(SETTING)
        .with_required("a 2-tuple: the header's request.META key (HTTP_ + upper case, `-` as `_`) and the value meaning HTTPS")
        .with_why("Without a working SECURE_PROXY_SSL_HEADER, SSL redirects loop, HSTS is never sent and HTTPS form posts fail CSRF checks.")
        .with_fix(SECURE_PROXY_HEADER_LINE),
    )
}

/// `HTTP_X_FORWARDED_PROTO`: how WSGI servers put request headers into `request.META`.
fn is_meta_key(name: &str) -> bool {
    name.strip_prefix("HTTP_").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    })
}

fn meta_key(header: &str) -> String {
    let name = header.strip_prefix("HTTP_").unwrap_or(header);
    format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::gate::snapshot::ProxyTrust;

    fn plain_gunicorn() -> ProxyTrust {
        ProxyTrust {
            trusted: false,
            server: Some("gunicorn".to_string()),
            source: Some("gunicorn default forwarded_allow_ips".to_string()),
            value: Some("127.0.0.1,::1".to_string()),
        }
    }

    #[test]
    fn no_header_and_no_trust_blocks_when_redirect_or_hsts_is_on() {
        let snapshot = SnapshotBuilder::hardened()
            .unset(SETTING)
            .proxy_trust(plain_gunicorn())
            .build();
        let finding = only_finding(findings(&snapshot), HTTPS_UNDETECTABLE);
        assert_eq!(
            finding.message,
            "SECURE_SSL_REDIRECT and HSTS are on, but Django cannot tell HTTPS requests from HTTP ones: SECURE_PROXY_SSL_HEADER is not set and gunicorn does not trust the router's X-Forwarded-Proto (gunicorn default forwarded_allow_ips is \"127.0.0.1,::1\")."
        );
        assert_eq!(finding.fix.as_deref(), Some(SECURE_PROXY_HEADER_LINE));

        let hsts_only = SnapshotBuilder::hardened()
            .set(SETTING, py_none())
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .build();
        assert!(findings(&hsts_only)[0].message.starts_with("HSTS is on"));
    }

    #[test]
    fn server_trust_or_nothing_to_protect_passes() {
        let trusted = SnapshotBuilder::hardened()
            .set(SETTING, py_none())
            .proxy_trust(ProxyTrust {
                trusted: true,
                value: Some("*".to_string()),
                ..plain_gunicorn()
            })
            .build();
        assert_eq!(findings(&trusted), Vec::new());
        let nothing_on = SnapshotBuilder::hardened()
            .set(SETTING, py_none())
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .set("SECURE_HSTS_SECONDS", py_int(0))
            .build();
        assert_eq!(findings(&nothing_on), Vec::new());
    }

    #[test]
    fn malformed_headers_block() {
        let cases = [
            (
                py_tuple(&["X-Forwarded-Proto", "https"]),
                "\"X-Forwarded-Proto\" is not how Django's request.META names a header: it would be \"HTTP_X_FORWARDED_PROTO\"",
            ),
            (
                py_str("HTTP_X_FORWARDED_PROTO"),
                "'HTTP_X_FORWARDED_PROTO' (str) is not a 2-tuple of strings",
            ),
            (
                py_tuple(&["HTTP_X_FORWARDED_PROTO", "https", "x"]),
                "is not a 2-tuple",
            ),
            (
                py_tuple(&["X_FORWARDED_PROTO", "https"]),
                "it would be \"HTTP_X_FORWARDED_PROTO\"",
            ),
            (
                py_tuple(&["HTTP_X_FORWARDED_PROTO", "HTTPS"]),
                "never equals \"HTTPS\"",
            ),
        ];
        for (value, expected) in cases {
            let finding = only_finding(
                findings(&SnapshotBuilder::hardened().set(SETTING, value).build()),
                HEADER_MALFORMED,
            );
            assert!(finding.message.contains(expected), "{}", finding.message);
        }
        let list = SnapshotBuilder::hardened()
            .set(SETTING, py_list(&["HTTP_X_FORWARDED_PROTO", "https"]))
            .build();
        assert_eq!(findings(&list), Vec::new());
    }
}
