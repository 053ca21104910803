//! Which findings protect users: the HTTPS redirect and its proxy header, HSTS, the cookies, the
//! secret key, DEBUG and the allowed hosts. The policy marks them on each finding, and the log
//! never offers to ignore one.

use super::policy::DEFAULT_BLOCKING_DJANGO_IDS;
use crate::finding::Finding;

/// Parts of the names of the settings that protect users: the HTTPS redirect and the proxy
/// header it needs, HSTS, the cookies, the secret key, DEBUG and the allowed hosts.
const PROTECTING_SETTING_PARTS: [&str; 8] = [
    "SECURE_SSL_",
    "SECURE_HSTS_",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "_COOKIE_",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
];

/// Django's checks of those settings beyond the ones that block by default
/// ([`DEFAULT_BLOCKING_DJANGO_IDS`], W001 included: without `SecurityMiddleware` none of them
/// works): HSTS preload and `SECRET_KEY_FALLBACKS`.
const ALSO_PROTECTING_DJANGO_IDS: [&str; 2] = ["security.W021", "security.W025"];

/// Whether a finding is about a setting that protects users: the closing lines never offer to
/// ignore it (the policy marks it on the finding; the renderers only lay the lines out).
pub(crate) fn protects_users(finding: &Finding) -> bool {
    let id = finding.id.as_str();
    DEFAULT_BLOCKING_DJANGO_IDS.contains(&id)
        || ALSO_PROTECTING_DJANGO_IDS.contains(&id)
        || finding.setting.as_deref().is_some_and(|setting| {
            PROTECTING_SETTING_PARTS
                .iter()
                .any(|part| setting.contains(part))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    #[test]
    fn ignoring_a_check_that_protects_users_is_never_offered() {
        for (id, setting) in [
            ("security.W009", "SECRET_KEY"),
            ("security.W018", "DEBUG"),
            ("security.W020", "ALLOWED_HOSTS"),
            (
                "guard.proxy_ssl_header_unexpected",
                "SECURE_PROXY_SSL_HEADER",
            ),
            ("guard.samesite_none_insecure", "SESSION_COOKIE_SAMESITE"),
        ] {
            let finding = Finding::new(id, Severity::Block, crate::finding::Source::Guard, "x")
                .with_setting(setting);
            assert!(protects_users(&finding), "{id}");
        }
        let middleware = Finding::new(
            "security.W001",
            Severity::Block,
            crate::finding::Source::Django,
            "x",
        )
        .with_setting("MIDDLEWARE");
        assert!(
            protects_users(&middleware),
            "no SecurityMiddleware, no HTTPS"
        );
        let framing = Finding::new(
            "security.W019",
            Severity::Block,
            crate::finding::Source::Django,
            "x",
        )
        .with_setting("X_FRAME_OPTIONS");
        assert!(!protects_users(&framing));
    }
}
