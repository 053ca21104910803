//! Every finding ID in the namespaces Release Guard knows completely: Django's `security.` checks
//! (Django 4.2 to 6.1), the guard's own rules (`guard.`) and `verify`'s checks (`verify.`).
//!
//! `block` and `ignore` lists are checked against it, so a typo (`security.w021`, a bare `W021`)
//! is an error instead of a silent no-op. IDs of other apps' checks (`corsheaders.E013`) are
//! accepted as they are. The list lives in the core so that gate and verify need not import each
//! other; `Finding::new` asserts in debug builds that every guard and verify finding is listed,
//! so each test that produces a finding checks its ID.

/// The namespaces listed completely below.
pub const KNOWN_NAMESPACES: [&str; 3] = ["security", "guard", "verify"];

/// Django's security checks, as reported by Django 4.2, 5.2, 6.0 and 6.1.
const DJANGO_SECURITY: &[&str] = &[
    "security.W001",
    "security.W002",
    "security.W003",
    "security.W004",
    "security.W005",
    "security.W006",
    "security.W008",
    "security.W009",
    "security.W010",
    "security.W011",
    "security.W012",
    "security.W013",
    "security.W014",
    "security.W015",
    "security.W016",
    "security.W018",
    "security.W019",
    "security.W020",
    "security.W021",
    "security.W022",
    "security.E023",
    "security.E024",
    "security.W025",
    "security.E026",
    "security.W027",
    "security.E101",
    "security.E102",
];

/// Declares each ID once, as a constant the rules use, and the list of them.
macro_rules! declare_ids {
    ($($name:ident = $id:literal;)*) => {
        $(pub const $name: &str = $id;)*
        /// Every ID declared above.
        pub const ALL: &[&str] = &[$($name),*];
    };
}

/// The gate's own IDs (`src/gate/rules/`, the policy and the live comparison), declared once:
/// each rule uses its constant, so an ID cannot be produced without being registered. The
/// header rules shared with verify (HSTS, cookies, CSP) are listed by `headers::rule_ids`.
pub mod guard {
    declare_ids! {
        HSTS_SECONDS_INVALID = "guard.hsts_seconds_invalid";
        HSTS_SECONDS_SHORT = "guard.hsts_seconds_short";
        HSTS_PRELOAD_INELIGIBLE = "guard.hsts_preload_ineligible";
        HTTPS_UNDETECTABLE = "guard.https_undetectable";
        PROXY_SSL_HEADER_MALFORMED = "guard.proxy_ssl_header_malformed";
        PROXY_SSL_HEADER_UNEXPECTED = "guard.proxy_ssl_header_unexpected";
        REDIRECT_EXEMPT_CATCH_ALL = "guard.redirect_exempt_catch_all";
        REDIRECT_EXEMPT_INVALID = "guard.redirect_exempt_invalid";
        SSL_HOST_OFF_HOST = "guard.ssl_host_off_host";
        MIDDLEWARE_ORDER = "guard.middleware_order";
        SAMESITE_INVALID = "guard.samesite_invalid";
        SAMESITE_NONE_INSECURE = "guard.samesite_none_insecure";
        SAMESITE_NONE = "guard.samesite_none";
        SAMESITE_MISSING = "guard.samesite_missing";
        SIMULATION_NOT_REDIRECTED = "guard.simulation_not_redirected";
        SIMULATION_REDIRECT_LOOP = "guard.simulation_redirect_loop";
        SIMULATION_HSTS_MISSING = "guard.simulation_hsts_missing";
        SIMULATION_APP_ERROR = "guard.simulation_app_error";
        SIMULATION_SKIPPED = "guard.simulation_skipped";
        DEAD_SETTING = "guard.dead_setting";
        DATABASE_CHECKS_NOT_RUN = "guard.database_checks_not_run";
        CONNECTION_BLOCKED = "guard.connection_blocked";
        LIVE_HSTS_WEAKENED = "guard.live_hsts_weakened";
        LIVE_SSL_REDIRECT_REMOVED = "guard.live_ssl_redirect_removed";
        LIVE_COOKIE_SECURE_REMOVED = "guard.live_cookie_secure_removed";
        LIVE_SITE_UNREACHABLE = "guard.live_site_unreachable";
        IGNORE_EXPIRING = "guard.ignore_expiring";
        CSP_MIDDLEWARE_MISSING = "guard.csp_middleware_missing";
        CSP_NOT_SENT = "guard.csp_not_sent";
    }
}

/// `release-guard verify`'s own checks (`src/verify/`); the header rules it shares with the gate
/// are listed by `headers::rule_ids`.
pub mod verify {
    declare_ids! {
        REDIRECTS_HTTP_NO_REDIRECT = "verify.redirects.http.no_redirect";
        REDIRECTS_HTTP_DOES_NOT_EXIST = "verify.redirects.http.does_not_exist";
        REDIRECTS_HTTP_USELESS_HEADER = "verify.redirects.http.useless_header";
        REDIRECTS_HTTP_FIRST_REDIRECT_INSECURE = "verify.redirects.http.first_redirect.insecure";
        REDIRECTS_HTTP_FIRST_REDIRECT_TEMPORARY = "verify.redirects.http.first_redirect.temporary";
        REDIRECTS_HTTP_WWW_FIRST = "verify.redirects.http.www_first";
        REDIRECTS_HTTPS_NO_HSTS = "verify.redirects.https.no_hsts";
        REDIRECTS_INSECURE_INITIAL = "verify.redirects.insecure.initial";
        REDIRECTS_INSECURE_SUBSEQUENT = "verify.redirects.insecure.subsequent";
        REDIRECTS_TOO_MANY = "verify.redirects.too_many";
        REDIRECTS_LOOP = "verify.redirects.loop";
        REDIRECTS_FOLLOW_ERROR = "verify.redirects.follow_error";
        DOMAIN_TLS_INVALID_CERT_CHAIN = "verify.domain.tls.invalid_cert_chain";
        DOMAIN_TLS_CANNOT_CONNECT = "verify.domain.tls.cannot_connect";
        RESPONSE_NO_HEADER = "verify.response.no_header";
        RESPONSE_ERROR_STATUS = "verify.response.error_status";
        COOKIES_SESSION_NOT_OBSERVED = "verify.cookies.session.not_observed";
        // Never produced (Django sets the CSRF cookie readable on purpose); kept so that ignore
        // lists naming it stay valid.
        COOKIES_CSRF_NO_HTTPONLY = "verify.cookies.csrf.no_httponly";
        COOKIES_CSRF_NOT_OBSERVED = "verify.cookies.csrf.not_observed";
    }
}

/// Every ID in the known namespaces.
pub fn known() -> impl Iterator<Item = String> {
    [DJANGO_SECURITY, guard::ALL, verify::ALL]
        .into_iter()
        .flatten()
        .map(|id| (*id).to_owned())
        .chain(crate::headers::rule_ids())
}

/// Whether `id` is listed.
#[must_use]
pub fn is_known(id: &str) -> bool {
    known().any(|known| known == id)
}

/// Why `id` cannot be a block/ignore entry, or `None` when it can: a listed ID, or one in a
/// namespace the guard does not know (another app's check).
#[must_use]
pub fn problem(id: &str) -> Option<String> {
    let well_formed = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !well_formed {
        return Some(format!(
            "`{id}` is not a finding ID (letters, digits, '.', '_' and '-', such as security.W004)"
        ));
    }
    let namespace = id.split_once('.').map(|(namespace, _)| namespace);
    let in_known_namespace = namespace.is_none_or(|namespace| {
        KNOWN_NAMESPACES
            .iter()
            .any(|known| known.eq_ignore_ascii_case(namespace))
    });
    if !in_known_namespace || is_known(id) {
        return None;
    }
    Some(format!(
        "`{id}` is not a finding ID Release Guard knows; did you mean `{}`?",
        closest(id)
    ))
}

/// The listed ID nearest to `id`: within its namespace (any namespace for a bare `W021`), the
/// one whose part after the namespace needs the fewest edits, ignoring letter case.
fn closest(id: &str) -> String {
    let (namespace, wanted) = match id.split_once('.') {
        Some((namespace, rest)) => (Some(namespace), rest),
        None => (None, id),
    };
    let wanted = wanted.to_ascii_lowercase();
    known()
        .filter(|known| {
            let space = known.split_once('.').map_or("", |(space, _)| space);
            namespace.is_none_or(|namespace| space.eq_ignore_ascii_case(namespace))
        })
        .min_by_key(|known| {
            let rest = known.split_once('.').map_or("", |(_, rest)| rest);
            edit_distance(&wanted, &rest.to_ascii_lowercase())
        })
        // Every known namespace has IDs, so the fallback is never used.
        .unwrap_or_else(|| "security.W004".to_owned())
}

/// Levenshtein distance between two ASCII strings.
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_byte) in a.bytes().enumerate() {
        let mut current = vec![i + 1];
        for (j, b_byte) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_byte != *b_byte);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_guard_id_is_in_the_rules_table() {
        let documented = include_str!("../docs/rules.md");
        for id in guard::ALL {
            assert!(
                documented.contains(&format!("`{id}`")),
                "{id} is missing from docs/rules.md"
            );
        }
    }

    #[test]
    fn every_id_is_declared_once_in_its_namespace_in_snake_case() {
        let all: Vec<String> = known().collect();
        let unique: std::collections::BTreeSet<&String> = all.iter().collect();
        assert_eq!(unique.len(), all.len(), "an ID is declared twice");
        for id in guard::ALL {
            let name = id.strip_prefix("guard.").expect("a guard ID");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{id}"
            );
        }
        for id in &all {
            let namespace = id.split('.').next().unwrap_or_default();
            assert!(KNOWN_NAMESPACES.contains(&namespace), "{id}");
        }
    }

    #[test]
    fn listed_ids_and_other_apps_ids_are_accepted() {
        for id in [
            "security.W021",
            "guard.hsts_seconds_short",
            "verify.cookies.session.no_secure",
            "corsheaders.E013",
            "models.W042",
            "4_0.E001",
        ] {
            assert_eq!(problem(id), None, "{id}");
        }
    }

    #[test]
    fn unknown_ids_in_known_namespaces_name_the_closest_id() {
        let cases = [
            ("security.w021", "security.W021"),
            ("security.W099", "security.W009"),
            ("W021", "security.W021"),
            ("w004", "security.W004"),
            ("guard.hsts.too_short", "guard.hsts_seconds_short"),
            ("guard.nope", "guard.csp_not_sent"),
            ("Security.W004", "security.W004"),
            (
                "verify.cookies.session.no_secur",
                "verify.cookies.session.no_secure",
            ),
        ];
        for (id, suggestion) in cases {
            assert_eq!(
                problem(id),
                Some(format!(
                    "`{id}` is not a finding ID Release Guard knows; did you mean `{suggestion}`?"
                )),
            );
        }
    }

    #[test]
    fn malformed_ids() {
        for id in ["", "security W004", "security/W004"] {
            assert_eq!(
                problem(id),
                Some(format!(
                    "`{id}` is not a finding ID (letters, digits, '.', '_' and '-', such as security.W004)"
                ))
            );
        }
    }

    #[test]
    fn every_csp_rule_is_listed_for_gate_and_verify() {
        for rule in crate::headers::csp::Rule::ALL {
            for namespace in ["guard", "verify"] {
                let id = format!("{namespace}.{}", rule.name());
                assert!(is_known(&id), "{id}");
            }
        }
    }

    #[test]
    fn every_listed_id_is_in_a_known_namespace_once() {
        let mut seen = std::collections::BTreeSet::new();
        for id in known() {
            let namespace = id.split_once('.').map(|(namespace, _)| namespace);
            assert!(
                namespace.is_some_and(|namespace| KNOWN_NAMESPACES.contains(&namespace)),
                "{id}"
            );
            assert!(seen.insert(id.clone()), "{id} is listed twice");
        }
    }
}
