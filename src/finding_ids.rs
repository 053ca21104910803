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

/// The gate's rules (`src/gate/rules/`).
const GUARD: &[&str] = &[
    "guard.hsts_seconds_invalid",
    "guard.hsts_seconds_short",
    "guard.hsts_preload_ineligible",
    "guard.https_undetectable",
    "guard.proxy_ssl_header_malformed",
    "guard.proxy_ssl_header_unexpected",
    "guard.redirect_exempt_catch_all",
    "guard.redirect_exempt_invalid",
    "guard.ssl_host_off_host",
    "guard.middleware_order",
    "guard.samesite_invalid",
    "guard.samesite_none_insecure",
    "guard.samesite_none",
    "guard.samesite_missing",
    "guard.simulation_not_redirected",
    "guard.simulation_redirect_loop",
    "guard.simulation_hsts_missing",
    "guard.simulation_app_error",
    "guard.simulation_skipped",
    "guard.dead_setting",
    "guard.database_checks_not_run",
    "guard.connection_blocked",
];

/// `release-guard verify` (`src/verify/`).
const VERIFY: &[&str] = &[
    "verify.redirects.http.no_redirect",
    "verify.redirects.http.does_not_exist",
    "verify.redirects.http.useless_header",
    "verify.redirects.http.first_redirect.insecure",
    "verify.redirects.http.first_redirect.temporary",
    "verify.redirects.http.www_first",
    "verify.redirects.https.no_hsts",
    "verify.redirects.insecure.initial",
    "verify.redirects.insecure.subsequent",
    "verify.redirects.too_many",
    "verify.redirects.loop",
    "verify.redirects.follow_error",
    "verify.domain.tls.invalid_cert_chain",
    "verify.domain.tls.cannot_connect",
    "verify.response.no_header",
    "verify.response.multiple_headers",
    "verify.response.error_status",
    "verify.header.parse.empty",
    "verify.header.parse.invalid",
    "verify.header.parse.empty_directive",
    "verify.header.parse.unknown_directive",
    "verify.header.parse.repeated.max_age",
    "verify.header.parse.repeated.include_sub_domains",
    "verify.header.parse.repeated.preload",
    "verify.header.parse.invalid.max_age.no_value",
    "verify.header.parse.invalid.include_sub_domains",
    "verify.header.parse.invalid.preload",
    "verify.header.parse.max_age.non_digit_characters",
    "verify.header.parse.max_age.leading_zero",
    "verify.header.parse.max_age.quoted",
    "verify.header.max_age.missing",
    "verify.header.max_age.zero",
    "verify.header.max_age.below_180_days",
    "verify.header.max_age.over_10_years",
    "verify.header.preloadable.include_sub_domains.missing",
    "verify.header.preloadable.max_age.below_1_year",
    "verify.cookies.session.no_secure",
    "verify.cookies.session.no_httponly",
    "verify.cookies.session.samesite.missing",
    "verify.cookies.session.not_observed",
    "verify.cookies.csrf.no_secure",
    "verify.cookies.csrf.no_httponly",
    "verify.cookies.csrf.samesite.missing",
    "verify.cookies.csrf.not_observed",
    "verify.cookies.samesite.invalid",
    "verify.cookies.samesite.none_insecure",
    "verify.cookies.prefix.invalid",
    "verify.cookies.other.no_secure",
];

/// Every ID in the known namespaces.
pub fn known() -> impl Iterator<Item = &'static str> {
    [DJANGO_SECURITY, GUARD, VERIFY]
        .into_iter()
        .flatten()
        .copied()
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
fn closest(id: &str) -> &'static str {
    let (namespace, wanted) = match id.split_once('.') {
        Some((namespace, rest)) => (Some(namespace), rest),
        None => (None, id),
    };
    let wanted = wanted.to_ascii_lowercase();
    known()
        .filter_map(|known| {
            known
                .split_once('.')
                .map(|(space, rest)| (known, space, rest))
        })
        .filter(|(_, space, _)| {
            namespace.is_none_or(|namespace| space.eq_ignore_ascii_case(namespace))
        })
        .min_by_key(|(_, _, rest)| edit_distance(&wanted, &rest.to_ascii_lowercase()))
        // Every known namespace has IDs, so the fallback is never used.
        .map_or("security.W004", |(known, _, _)| known)
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
            ("guard.nope", "guard.samesite_none"),
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
    fn every_listed_id_is_in_a_known_namespace_once() {
        let mut seen = std::collections::BTreeSet::new();
        for id in known() {
            let namespace = id.split_once('.').map(|(namespace, _)| namespace);
            assert!(
                namespace.is_some_and(|namespace| KNOWN_NAMESPACES.contains(&namespace)),
                "{id}"
            );
            assert!(seen.insert(id), "{id} is listed twice");
        }
    }
}
