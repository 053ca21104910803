//! `SECURE_HSTS_*` values Django's checks let through (they only test truthiness, and
//! `SecurityMiddleware` copies the value into the header unchecked), and the
//! Strict-Transport-Security headers the simulated HTTPS response really carried. Thresholds,
//! ramp, preload rules and the judgment of a sent header come from `headers::hsts_policy`,
//! shared with verify.

use super::{django_hsts_header, setting, truthy};
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{PyValue, Snapshot};
use crate::headers::Reporter;
use crate::headers::hsts_policy::{self, HALF_YEAR_SECS, PRELOAD_SETTING, SECONDS_SETTING};

pub(super) use crate::finding_ids::guard::HSTS_PRELOAD_INELIGIBLE as PRELOAD_INELIGIBLE;
pub(super) use crate::finding_ids::guard::HSTS_SECONDS_INVALID as INVALID;
pub(super) use crate::finding_ids::guard::HSTS_SECONDS_SHORT as SHORT;

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    // A falsy value (0, None, "") means "no HSTS": Django's security.W004 says so already.
    let Some(seconds) = setting(snapshot, SECONDS_SETTING).filter(|value| value.truthy()) else {
        return Vec::new();
    };
    match seconds.as_int().and_then(|value| u64::try_from(value).ok()) {
        Some(value) if value > 0 => {
            let mut findings = Vec::new();
            if value < HALF_YEAR_SECS {
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

/// The Strict-Transport-Security headers the simulated HTTPS response (`subject`) carried,
/// judged by the rules verify applies to a live site. A response carrying exactly the header
/// `SecurityMiddleware` builds from the settings is left to `findings`, which names the setting
/// and its value; anything else was written or rewritten by other code, and is judged as sent.
pub(super) fn sent_header_findings(
    snapshot: &Snapshot,
    subject: &str,
    sent: &[String],
) -> Vec<Finding> {
    let from_settings = django_hsts_header(snapshot);
    if let [only] = sent
        && from_settings.as_ref() == Some(only)
    {
        return Vec::new();
    }
    let settings_send = from_settings.map_or_else(
        || "The settings send no Strict-Transport-Security header, so other code writes this one.".to_owned(),
        |header| format!("The settings make SecurityMiddleware send `{header}`, so other code writes or rewrites this one."),
    );
    hsts_policy::sent_header_findings(Reporter::Gate, subject, sent)
        .0
        .into_iter()
        .map(|mut finding| {
            finding.message = format!("{} {settings_send}", finding.message);
            finding.setting = None;
            finding.fix = Some(SENT_HEADER_FIX.to_owned());
            finding
        })
        .collect()
}

/// The fix when the header is not the settings': the settings are not what needs changing.
const SENT_HEADER_FIX: &str = "Remove the code that writes Strict-Transport-Security (a middleware listed before SecurityMiddleware, a WSGI wrapper or the web server's configuration) and let SecurityMiddleware send it from SECURE_HSTS_SECONDS.";

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
    .with_setting(SECONDS_SETTING)
    .with_required("a Python int greater than 0 (with pydantic-settings, declare the field as `int`)")
    .with_why(consequence)
    .with_fix(hsts_policy::start_fix())
}

fn short(value: u64) -> Finding {
    Finding::new(
        SHORT,
        Severity::Warn,
        Source::Guard,
        format!(
            "SECURE_HSTS_SECONDS is {value} ({}): browsers forget HSTS that soon, and scanners such as the MDN Observatory expect at least {HALF_YEAR_SECS} ({}).",
            hsts_policy::human_duration(value),
            hsts_policy::human_duration(HALF_YEAR_SECS)
        ),
    )
    .with_setting(SECONDS_SETTING)
    .with_required(hsts_policy::short_required())
    .with_why(hsts_policy::short_why())
    .with_fix(hsts_policy::ramp_plan(value))
}

fn preload_ineligible(snapshot: &Snapshot, value: u64) -> Option<Finding> {
    if !truthy(snapshot, PRELOAD_SETTING) {
        return None;
    }
    let gaps = hsts_policy::preload_gaps(
        Some(value),
        truthy(snapshot, "SECURE_HSTS_INCLUDE_SUBDOMAINS"),
    );
    if gaps.is_empty() {
        return None;
    }
    let reasons: Vec<String> = gaps
        .iter()
        .map(|gap| format!("{} ({})", gap.reason, gap.code))
        .collect();
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
        .with_setting(PRELOAD_SETTING)
        .with_required(hsts_policy::preload_required())
        .with_why(hsts_policy::PRELOAD_WHY)
        .with_fix(hsts_policy::preload_off_fix()),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn with_seconds(value: PyValue) -> Vec<Finding> {
        findings(
            &SnapshotBuilder::hardened()
                .set(SECONDS_SETTING, value)
                .build(),
        )
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
                .starts_with("SECURE_HSTS_SECONDS is 3600 (1 hour):")
        );
        assert!(
            finding
                .why
                .as_deref()
                .unwrap()
                .contains("3600 (1 hour), then 604800")
        );
        assert_eq!(
            finding.fix.as_deref(),
            Some(
                "SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)"
            )
        );
        let half_year = i64::try_from(HALF_YEAR_SECS).unwrap();
        assert_eq!(with_seconds(py_int(half_year)), Vec::new());
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

    fn sent(snapshot: &Snapshot, values: &[&str]) -> Vec<Finding> {
        let values: Vec<String> = values.iter().map(|value| (*value).to_owned()).collect();
        sent_header_findings(
            snapshot,
            "The simulated HTTPS response for https://x/",
            &values,
        )
    }

    #[test]
    fn the_header_the_settings_build_is_left_to_the_settings_rules() {
        let snapshot = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_SECONDS", py_str("0"))
            .build();
        assert_eq!(sent(&snapshot, &["max-age=0"]), Vec::new());
        assert_eq!(ids(&findings(&snapshot)), [INVALID]);
    }

    #[test]
    fn a_header_other_code_sends_is_judged_as_sent() {
        let snapshot = SnapshotBuilder::hardened().build();
        let found = sent(&snapshot, &["max-age=0"]);
        let finding = only_finding(found, "guard.header.max_age.zero");
        assert_eq!(finding.severity, Severity::Block);
        assert_eq!(
            finding.message,
            "The simulated HTTPS response for https://x/ sends max-age=0, which tells browsers to forget the site's HSTS policy. The settings make SecurityMiddleware send `max-age=31536000`, so other code writes or rewrites this one."
        );
        assert_eq!(finding.setting, None);
        assert_eq!(finding.fix.as_deref(), Some(SENT_HEADER_FIX));
        assert_eq!(
            ids(&sent(&snapshot, &["max-age=31536000", "max-age=31536000"])),
            ["guard.response.multiple_headers"]
        );
        let no_hsts = SnapshotBuilder::hardened()
            .set("SECURE_HSTS_SECONDS", py_int(0))
            .build();
        let finding = only_finding(
            sent(&no_hsts, &["max-age=31536000 includeSubDomains"]),
            "guard.header.parse.invalid",
        );
        assert!(
            finding
                .message
                .ends_with("The settings send no Strict-Transport-Security header, so other code writes this one."),
            "{}",
            finding.message
        );
        // A rewritten but sound header has nothing to report.
        assert_eq!(
            sent(&snapshot, &["max-age=63072000; includeSubDomains"]),
            Vec::new()
        );
    }
}
