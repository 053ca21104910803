//! `SecurityMiddleware` must see every response: anything listed before it can answer
//! without HSTS or the HTTPS redirect.

use super::{SECURITY_MIDDLEWARE, middleware};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::Snapshot;

pub(super) use crate::finding_ids::guard::MIDDLEWARE_ORDER as ORDER;

/// Middleware that answers requests itself: `CommonMiddleware`'s redirects, and static file
/// servers (`WhiteNoise` and look-alikes, recognised by name).
fn answers_requests(path: &str) -> bool {
    let lowercase = path.to_ascii_lowercase();
    path == "django.middleware.common.CommonMiddleware"
        || lowercase.contains("whitenoise")
        || lowercase.contains("static")
}

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    let middleware = middleware(snapshot);
    // Without SecurityMiddleware Django's security.W001 applies instead.
    let Some(security) = middleware
        .iter()
        .position(|path| *path == SECURITY_MIDDLEWARE)
    else {
        return Vec::new();
    };
    let before: Vec<&str> = middleware[..security]
        .iter()
        .copied()
        .filter(|path| answers_requests(path))
        .collect();
    if before.is_empty() {
        return Vec::new();
    }
    vec![
        Finding::new(
            ORDER,
            Severity::Warn,
            Source::Guard,
            format!("SecurityMiddleware comes after {} in MIDDLEWARE.", before.join(" and ")),
        )
        .with_setting("MIDDLEWARE")
        .with_required("django.middleware.security.SecurityMiddleware first in MIDDLEWARE (WhiteNoise right after it)")
        .with_why("Responses made by earlier middleware (APPEND_SLASH redirects, WhiteNoise's static files) never pass through SecurityMiddleware: they go out without HSTS and without the HTTPS redirect.")
        .with_fix(format!("MIDDLEWARE = [\"{SECURITY_MIDDLEWARE}\", ...]  # move it to the top")),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn security_middleware_after_whitenoise_or_common_warns() {
        let mut order = HARDENED_MIDDLEWARE.to_vec();
        order.swap(0, 1);
        let swapped = SnapshotBuilder::hardened()
            .set("MIDDLEWARE", py_list(&order))
            .build();
        let finding = only_finding(findings(&swapped), ORDER);
        assert_eq!(
            finding.message,
            "SecurityMiddleware comes after whitenoise.middleware.WhiteNoiseMiddleware in MIDDLEWARE."
        );
        assert_eq!(findings(&SnapshotBuilder::hardened().build()), Vec::new());
        let static_first = [
            "myapp.middleware.StaticFilesMiddleware",
            "corsheaders.middleware.CorsMiddleware",
            SECURITY_MIDDLEWARE,
        ];
        let found = findings(
            &SnapshotBuilder::hardened()
                .set("MIDDLEWARE", py_list(&static_first))
                .build(),
        );
        assert_eq!(
            found[0].message,
            "SecurityMiddleware comes after myapp.middleware.StaticFilesMiddleware in MIDDLEWARE."
        );
        let without = SnapshotBuilder::hardened()
            .set("MIDDLEWARE", py_list(&HARDENED_MIDDLEWARE[1..]))
            .build();
        assert_eq!(findings(&without), Vec::new());
    }
}
