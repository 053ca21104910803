//! Whether Django can see that a request came in over HTTPS behind the proxy in front of the
//! app (Heroku's router by default), which terminates TLS and marks HTTPS requests with a header
//! (`X-Forwarded-Proto: https`), and whether Django trusts that header and no other. No Django
//! check looks at this.

use super::{hsts_on, setting, ssl_redirect_on};
use crate::config::{ProxySslHeader, env};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};
use std::str::FromStr;

pub(super) use crate::finding_ids::guard::HTTPS_UNDETECTABLE;
pub(super) use crate::finding_ids::guard::PROXY_SSL_HEADER_MALFORMED as HEADER_MALFORMED;
pub(super) use crate::finding_ids::guard::PROXY_SSL_HEADER_UNEXPECTED as HEADER_UNEXPECTED;

const SETTING: &str = "SECURE_PROXY_SSL_HEADER";

/// `SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")` for `expected`.
pub(super) fn proxy_header_line(expected: &ProxySslHeader) -> String {
    format!(
        "{SETTING} = (\"{}\", \"{}\")",
        expected.meta_key(),
        expected.value()
    )
}

pub(super) fn findings(snapshot: &Snapshot, expected: &ProxySslHeader) -> Vec<Finding> {
    match setting(snapshot, SETTING).filter(|value| value.truthy()) {
        Some(value) => judge_header(snapshot, value, expected)
            .into_iter()
            .collect(),
        None => undetectable(snapshot, expected).into_iter().collect(),
    }
}

/// Django sees HTTPS requests as secure behind the proxy: `SECURE_PROXY_SSL_HEADER` is what the
/// proxy sends, or the server trusts the router. Judged as [`findings`] judges it, with the
/// redirect or HSTS on (otherwise nothing depends on it and nothing is reported).
pub(super) fn https_detected(snapshot: &Snapshot, expected: &ProxySslHeader) -> bool {
    let header = setting(snapshot, SETTING).filter(|value| value.truthy());
    match header {
        Some(value) => judge_header(snapshot, value, expected).is_none(),
        None => snapshot.proxy_trust.trusted,
    }
}

fn undetectable(snapshot: &Snapshot, expected: &ProxySslHeader) -> Option<Finding> {
    let trust = &snapshot.proxy_trust;
    if trust.trusted || !(ssl_redirect_on(snapshot) || hsts_on(snapshot)) {
        return None;
    }
    let name = expected.name();
    let server = match (&trust.server, &trust.source, &trust.value) {
        (Some(server), Some(source), Some(value)) => {
            format!("{server} does not trust the router's {name} ({source} is {value:?})")
        }
        (Some(server), _, _) => format!("{server} does not trust the router's {name}"),
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
        .with_required(format!(r#"{}, or a server that trusts the router (gunicorn: forwarded_allow_ips = "*")"#, proxy_header_line(expected)))
        .with_why(format!("Heroku's router terminates TLS and talks plain HTTP to the app, so request.is_secure() is always False: SECURE_SSL_REDIRECT answers HTTPS requests with a redirect to themselves (an endless loop), the HSTS header is never sent, and HTTPS form posts fail CSRF with 403 \"Origin checking failed\". The router always sets {name} itself, so trusting it is safe on Heroku."))
        .with_fix(proxy_header_line(expected)),
    )
}

/// A set `SECURE_PROXY_SSL_HEADER`: malformed, naming another header than the proxy sets, or
/// expecting another value.
fn judge_header(
    snapshot: &Snapshot,
    value: &PyValue,
    expected: &ProxySslHeader,
) -> Option<Finding> {
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
        Some([header, secure]) if *header != expected.meta_key() => {
            return Some(unexpected(snapshot, header, secure, expected));
        }
        Some([_, secure]) if *secure != expected.value() => format!(
            "the proxy in front of the app sends {}: {}, which never equals {secure:?} (Django compares exactly), so HTTPS is never detected",
            expected.name(),
            expected.value()
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
        .with_fix(proxy_header_line(expected)),
    )
}

/// The app trusts a header the proxy does not set: clients can forge it, and real HTTPS
/// requests lack it.
fn unexpected(snapshot: &Snapshot, meta: &str, secure: &str, expected: &ProxySslHeader) -> Finding {
    let trusted = header_name(meta);
    let name = expected.name();
    let forged = format!(
        "The proxy sets {name} itself but passes other headers through from the client, as Heroku's router does, so any client can send \"{trusted}: {secure}\" over plain HTTP and Django treats that request as HTTPS: SECURE_SSL_REDIRECT does not redirect it, and request.is_secure() and build_absolute_uri() say https for a plain-HTTP connection."
    );
    let why = if snapshot.proxy_trust.trusted {
        forged
    } else {
        let looping = if ssl_redirect_on(snapshot) {
            ", SECURE_SSL_REDIRECT redirects them to themselves"
        } else {
            ""
        };
        format!(
            "{forged} Real HTTPS requests do not carry {trusted}, so Django takes them for plain HTTP: the HSTS header is never sent{looping}, and HTTPS form posts fail CSRF with 403 \"Origin checking failed\"."
        )
    };
    let who_sets_it = if *expected == ProxySslHeader::default() {
        "as Heroku's router and most platforms' routers do"
    } else {
        "as Release Guard's proxy-ssl-header setting says"
    };
    let app_header = ProxySslHeader::from_str(&format!("{trusted}: {secure}"))
        .map_or_else(|_| trusted.clone(), |header| header.to_string());
    Finding::new(
        HEADER_UNEXPECTED,
        Severity::Block,
        Source::Guard,
        format!(
            "SECURE_PROXY_SSL_HEADER trusts {trusted}, but the proxy in front of the app marks HTTPS requests with {name}: {}.",
            expected.value()
        ),
    )
    .with_setting(SETTING)
    .with_required(format!(
        "the header the proxy in front of the app sets, {expected} {who_sets_it}. Behind a proxy that sets another header, name that header in project.toml ([com.release-guard] proxy-ssl-header) or in the {} config var, e.g. {}=\"{app_header}\".",
        env::PROXY_SSL_HEADER,
        env::PROXY_SSL_HEADER,
    ))
    .with_why(why)
    .with_fix(proxy_header_line(expected))
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

/// The header as it travels, from its `request.META` key: `HTTP_X_FORWARDED_PROTOCOL` is
/// `X-Forwarded-Protocol`.
fn header_name(meta: &str) -> String {
    let name = meta.strip_prefix("HTTP_").unwrap_or(meta);
    name.split('_')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
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
        let finding = only_finding(findings(&snapshot, &heroku()), HTTPS_UNDETECTABLE);
        assert_eq!(
            finding.message,
            "SECURE_SSL_REDIRECT and HSTS are on, but Django cannot tell HTTPS requests from HTTP ones: SECURE_PROXY_SSL_HEADER is not set and gunicorn does not trust the router's X-Forwarded-Proto (gunicorn default forwarded_allow_ips is \"127.0.0.1,::1\")."
        );
        assert_eq!(
            finding.fix.as_deref(),
            Some(r#"SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")"#)
        );
        assert_eq!(
            proxy_header_line(&heroku()),
            super::super::SECURE_PROXY_HEADER_LINE
        );

        let hsts_only = SnapshotBuilder::hardened()
            .set(SETTING, py_none())
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .build();
        assert!(
            findings(&hsts_only, &heroku())[0]
                .message
                .starts_with("HSTS is on")
        );
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
        assert_eq!(findings(&trusted, &heroku()), Vec::new());
        let nothing_on = SnapshotBuilder::hardened()
            .set(SETTING, py_none())
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .set("SECURE_HSTS_SECONDS", py_int(0))
            .build();
        assert_eq!(findings(&nothing_on, &heroku()), Vec::new());
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
                findings(
                    &SnapshotBuilder::hardened().set(SETTING, value).build(),
                    &heroku(),
                ),
                HEADER_MALFORMED,
            );
            assert!(finding.message.contains(expected), "{}", finding.message);
        }
        let list = SnapshotBuilder::hardened()
            .set(SETTING, py_list(&["HTTP_X_FORWARDED_PROTO", "https"]))
            .build();
        assert_eq!(findings(&list, &heroku()), Vec::new());
    }

    /// djangoproject.com's setting: a header Heroku's router passes through from the client.
    fn forwarded_protocol() -> SnapshotBuilder {
        SnapshotBuilder::hardened().set(SETTING, py_tuple(&["HTTP_X_FORWARDED_PROTOCOL", "https"]))
    }

    #[test]
    fn a_header_the_proxy_does_not_set_blocks_and_explains_the_forgery() {
        let finding = only_finding(
            findings(&forwarded_protocol().build(), &heroku()),
            HEADER_UNEXPECTED,
        );
        assert_eq!(finding.severity, Severity::Block);
        assert_eq!(
            finding.message,
            "SECURE_PROXY_SSL_HEADER trusts X-Forwarded-Protocol, but the proxy in front of the app marks HTTPS requests with X-Forwarded-Proto: https."
        );
        assert_eq!(
            finding.required.as_deref(),
            Some(
                "the header the proxy in front of the app sets, X-Forwarded-Proto as Heroku's router and most platforms' routers do. Behind a proxy that sets another header, name that header in project.toml ([com.release-guard] proxy-ssl-header) or in the RELEASE_GUARD_PROXY_SSL_HEADER config var, e.g. RELEASE_GUARD_PROXY_SSL_HEADER=\"X-Forwarded-Protocol\"."
            )
        );
        assert_eq!(
            finding.why.as_deref(),
            Some(
                "The proxy sets X-Forwarded-Proto itself but passes other headers through from the client, as Heroku's router does, so any client can send \"X-Forwarded-Protocol: https\" over plain HTTP and Django treats that request as HTTPS: SECURE_SSL_REDIRECT does not redirect it, and request.is_secure() and build_absolute_uri() say https for a plain-HTTP connection. Real HTTPS requests do not carry X-Forwarded-Protocol, so Django takes them for plain HTTP: the HSTS header is never sent, SECURE_SSL_REDIRECT redirects them to themselves, and HTTPS form posts fail CSRF with 403 \"Origin checking failed\"."
            )
        );
        assert_eq!(
            finding.fix.as_deref(),
            Some(r#"SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")"#)
        );
    }

    #[test]
    fn with_a_trusting_server_only_the_forgery_remains_to_explain() {
        let snapshot = forwarded_protocol()
            .set("SECURE_SSL_REDIRECT", py_bool(false))
            .proxy_trust(ProxyTrust {
                trusted: true,
                value: Some("*".to_string()),
                ..plain_gunicorn()
            })
            .build();
        let finding = only_finding(findings(&snapshot, &heroku()), HEADER_UNEXPECTED);
        let why = finding.why.unwrap();
        assert!(why.contains("any client can send"), "{why}");
        assert!(!why.contains("HSTS"), "{why}");
    }

    #[test]
    fn the_expected_header_is_a_setting() {
        let protocol: ProxySslHeader = "X-Forwarded-Protocol".parse().unwrap();
        assert_eq!(
            findings(&forwarded_protocol().build(), &protocol),
            Vec::new()
        );
        // The Heroku header is then the unexpected one.
        let finding = only_finding(
            findings(&SnapshotBuilder::hardened().build(), &protocol),
            HEADER_UNEXPECTED,
        );
        assert_eq!(
            finding.message,
            "SECURE_PROXY_SSL_HEADER trusts X-Forwarded-Proto, but the proxy in front of the app marks HTTPS requests with X-Forwarded-Protocol: https."
        );
        assert_eq!(
            finding.fix.as_deref(),
            Some(r#"SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTOCOL", "https")"#)
        );
        assert!(
            finding.required.as_deref().unwrap().starts_with(
                "the header the proxy in front of the app sets, X-Forwarded-Protocol as Release Guard's proxy-ssl-header setting says."
            ),
            "{:?}",
            finding.required
        );
        // A value other than https comes with the header.
        let ssl: ProxySslHeader = "X-Forwarded-Ssl: on".parse().unwrap();
        let on = SnapshotBuilder::hardened()
            .set(SETTING, py_tuple(&["HTTP_X_FORWARDED_SSL", "on"]))
            .build();
        assert_eq!(findings(&on, &ssl), Vec::new());
        let https = SnapshotBuilder::hardened()
            .set(SETTING, py_tuple(&["HTTP_X_FORWARDED_SSL", "https"]))
            .build();
        let finding = only_finding(findings(&https, &ssl), HEADER_MALFORMED);
        let forwarded_ssl_on = SnapshotBuilder::hardened()
            .set(SETTING, py_tuple(&["HTTP_X_FORWARDED_SSL", "on"]))
            .build();
        let unexpected = only_finding(findings(&forwarded_ssl_on, &heroku()), HEADER_UNEXPECTED);
        assert!(
            unexpected
                .why
                .as_deref()
                .unwrap()
                .contains("any client can send \"X-Forwarded-Ssl: on\" over plain HTTP")
        );
        assert!(
            unexpected
                .required
                .as_deref()
                .unwrap()
                .ends_with("RELEASE_GUARD_PROXY_SSL_HEADER=\"X-Forwarded-Ssl: on\".")
        );
        assert!(
            finding
                .message
                .contains("sends X-Forwarded-Ssl: on, which never equals \"https\""),
            "{}",
            finding.message
        );
    }

    #[test]
    fn header_names_from_meta_keys() {
        assert_eq!(
            header_name("HTTP_X_FORWARDED_PROTOCOL"),
            "X-Forwarded-Protocol"
        );
        assert_eq!(header_name("HTTP_CF_VISITOR"), "Cf-Visitor");
    }
}
