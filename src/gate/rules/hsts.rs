//! `SECURE_HSTS_*` values Django's checks let through: they only test truthiness, and
//! `SecurityMiddleware` copies the value into the header unchecked.

use super::{describe_seconds, django_hsts_header, setting, truthy};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};

pub(super) const INVALID: &str = "guard.hsts_seconds_invalid";
pub(super) const SHORT: &str = "guard.hsts_seconds_short";
pub(super) const PRELOAD_INELIGIBLE: &str = "guard.hsts_preload_ineligible";

/// The MDN Observatory's floor (its `SIX_MONTHS`), below which it deducts points.
const SIX_MONTHS: i64 = 15_552_000;
/// The HSTS preload list's floor (`oneYear` in chromium/hstspreload).
const ONE_YEAR: i64 = 31_536_000;

const SETTING: &str = "SECURE_HSTS_SECONDS";
const RAMP: &str = "Ramp up one release at a time, waiting out each value before raising it: 3600 (1 hour), then 604800 (1 week), 2592000 (1 month), and finally 31536000 (1 year). A short value is the right start: if something breaks over HTTPS, browsers forget the policy quickly.";

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    // A falsy value (0, None, "") means "no HSTS": Django's security.W004 says so already.
    let Some(seconds) = setting(snapshot, SETTING).filter(|value| value.truthy()) else {
        return Vec::new();
    };
    match seconds.as_int() {
        Some(value) if value > 0 => {
            let mut findings = Vec::new();
            if value < SIX_MONTHS {
                findings.push(short(value));
            }
            if let Some(finding) = preload_ineligible(snapshot, value) {
                findings.push(finding);
            }
            findings
        }
        _ => vec![invalid(snapshot, seconds)],
    }
}

fn invalid(snapshot: &Snapshot, seconds: &PyValue) -> Finding {
    let header = django_hsts_header(snapshot).unwrap_or_default();
    let forgets = seconds
        .as_str()
        .is_some_and(|text| text.trim().parse::<i64>() == Ok(0));
    let consequence = if forgets {
        "Django's checks see a non-empty string and stay silent, but the header says max-age=0, which tells browsers to FORGET HSTS for this site."
    } else if seconds.as_str().is_some() {
        "Django copies strings into the header unchecked, so whatever the config var holds (\"0\", \"\", \"1y\") becomes the policy; a string here usually means a config var was read without int()."
    } else {
        "That is not a valid max-age (a non-negative whole number), so browsers ignore the header and HSTS is off."
    };
    Finding::new(
        INVALID,
        Severity::Block,
        Source::Guard,
        format!(
            "SECURE_HSTS_SECONDS is {} ({}), not a positive int: Django sends `Strict-Transport-Security: {header}`.",
            seconds.repr, seconds.py_type
        ),
    )
    .with_setting(SETTING)
    .with_required("a Python int greater than 0 (with pydantic-settings, declare the field as `int`)")
    .with_why(consequence)
    .with_fix("SECURE_HSTS_SECONDS = 3600")
}

fn short(value: i64) -> Finding {
    Finding::new(
        SHORT,
        Severity::Warn,
        Source::Guard,
        format!(
            "SECURE_HSTS_SECONDS is {}: browsers forget HSTS that soon, and scanners such as the MDN Observatory expect at least 180 days (15552000).",
            describe_seconds(value)
        ),
    )
    .with_setting(SETTING)
    .with_required("at least 15552000 (180 days) once HTTPS works everywhere; 31536000 (1 year) is the usual goal")
    .with_why(RAMP)
    .with_fix("SECURE_HSTS_SECONDS = 31536000  # after the shorter values ran without trouble")
}

fn preload_ineligible(snapshot: &Snapshot, value: i64) -> Option<Finding> {
    if !truthy(snapshot, "SECURE_HSTS_PRELOAD") {
        return None;
    }
    let mut reasons = Vec::new();
    if value < ONE_YEAR {
        reasons.push("max-age is below 31536000 (header.preloadable.max_age.below_1_year)");
    }
    if !truthy(snapshot, "SECURE_HSTS_INCLUDE_SUBDOMAINS") {
        reasons
            .push("includeSubDomains is missing (header.preloadable.include_sub_domains.missing)");
    }
    if reasons.is_empty() {
        return None;
    }
    let header = django_hsts_header(snapshot).unwrap_or_default();
    Some(
        Finding::new(
            PRELOAD_INELIGIBLE,
            Severity::Warn,
            Source::Guard,
            format!(
                "SECURE_HSTS_PRELOAD is on, but the preload list rejects `{header}`: {}.",
                reasons.join("; ")
            ),
        )
        .with_setting("SECURE_HSTS_PRELOAD")
        .with_required("preload only as a deliberate opt-in, together with SECURE_HSTS_SECONDS >= 31536000 and SECURE_HSTS_INCLUDE_SUBDOMAINS = True")
        .with_why("`preload` asks browsers to hard-code HTTPS for the domain and every subdomain. The list rejects this header today but accepts it as soon as the values are raised, and getting off the list takes months. hstspreload.org no longer recommends preloading.")
        .with_fix("SECURE_HSTS_PRELOAD = False"),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn with_seconds(value: PyValue) -> Vec<Finding> {
        findings(&SnapshotBuilder::hardened().set(SETTING, value).build())
    }

    #[test]
    fn string_zero_tells_browsers_to_forget_hsts() {
        let finding = only_finding(with_seconds(py_str("0")), INVALID);
        assert_eq!(finding.severity, Severity::Block);
        assert_eq!(
            finding.message,
            "SECURE_HSTS_SECONDS is '0' (str), not a positive int: Django sends `Strict-Transport-Security: max-age=0`."
        );
        assert!(finding.why.as_deref().unwrap().contains("FORGET HSTS"));
    }

    #[test]
    fn other_non_ints_block() {
        for value in [
            py_str("3600"),
            py_int(-1),
            py_bool(true),
            py("float", serde_json::json!(3600.0), "3600.0"),
        ] {
            assert_eq!(ids(&with_seconds(value.clone())), [INVALID], "{value:?}");
        }
    }

    #[test]
    fn falsy_values_are_left_to_django_w004() {
        for value in [py_int(0), py_none(), py_str(""), py_bool(false)] {
            assert_eq!(with_seconds(value.clone()), Vec::new(), "{value:?}");
        }
    }

    #[test]
    fn short_values_warn_with_the_ramp() {
        let finding = only_finding(with_seconds(py_int(3600)), SHORT);
        assert_eq!(finding.severity, Severity::Warn);
        assert!(
            finding
                .message
                .starts_with("SECURE_HSTS_SECONDS is 3600 s, 1 hour:")
        );
        assert!(
            finding
                .why
                .as_deref()
                .unwrap()
                .contains("3600 (1 hour), then 604800")
        );
        assert_eq!(with_seconds(py_int(SIX_MONTHS)), Vec::new());
    }

    #[test]
    fn preload_needs_a_year_and_subdomains_but_is_never_suggested() {
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_PRELOAD", py_bool(true))
            .set("SECURE_HSTS_SECONDS", py_int(3600))
            .build();
        let found = findings(&snapshot);
        assert_eq!(ids(&found), [SHORT, PRELOAD_INELIGIBLE]);
        assert!(found[1].message.contains("below_1_year"));
        assert!(found[1].message.contains("include_sub_domains.missing"));
        assert_eq!(found[1].fix.as_deref(), Some("SECURE_HSTS_PRELOAD = False"));

        let eligible = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_PRELOAD", py_bool(true))
            .set("SECURE_HSTS_INCLUDE_SUBDOMAINS", py_bool(true))
            .build();
        assert_eq!(findings(&eligible), Vec::new());
        // No preload, no advice about it.
        assert_eq!(findings(&SnapshotBuilder::hardened().build()), Vec::new());
    }
}
