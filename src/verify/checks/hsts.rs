//! The Strict-Transport-Security header of the page a chain arrives at, the max-age ramp, and
//! the preload-readiness line.

use super::{Hop, finding};
use crate::finding::{Finding, Severity};
use crate::headers::hsts::{self, KnownDirective, StsHeader, StsProblem};
use crate::verify::url::Url;

/// The stages hstspreload.org recommends for raising `max-age`: 5 minutes, 1 week, 1 month,
/// then 1 year.
const RAMP_STAGES: [u64; 4] = [300, 604_800, 2_592_000, hsts::ONE_YEAR_SECS];

const HSTS_WHY: &str = "Without HSTS a visitor's first plain-HTTP request can be intercepted and kept on HTTP (SSL stripping), whatever redirects the site sends.";
const HSTS_FIX_START: &str = "SECURE_HSTS_SECONDS = 3600";

pub(super) fn response_header_findings(hop: &Hop) -> (Vec<Finding>, Option<StsHeader>) {
    let url = &hop.url;
    match hop.sts.as_slice() {
        [] => (
            vec![
                finding(
                    "response.no_header",
                    Severity::Block,
                    format!("{url} sends no Strict-Transport-Security header."),
                )
                .with_setting("SECURE_HSTS_SECONDS")
                .with_required("a Strict-Transport-Security header with max-age on every HTTPS response")
                .with_why(format!("{HSTS_WHY} Behind Heroku's router Django also needs SECURE_PROXY_SSL_HEADER, or it never sends the header."))
                .with_fix(format!("{HSTS_FIX_START}\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")")),
            ],
            None,
        ),
        [value] => {
            let header = hsts::parse(value);
            (header_findings(url, value, &header), Some(header))
        }
        values => (
            vec![
                finding(
                    "response.multiple_headers",
                    Severity::Block,
                    format!(
                        "{url} sends {} Strict-Transport-Security headers: {}.",
                        values.len(),
                        values.iter().map(|value| format!("`{value}`")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .with_required("exactly one header")
                .with_why("Browsers apply only the first (RFC 6797 §8.1) and checkers reject the response; usually both Django and a proxy or middleware add one.")
                .with_fix("Send the header from one place only: keep SECURE_HSTS_SECONDS and remove the other source."),
            ],
            None,
        ),
    }
}

/// Findings about one parsed header value.
fn header_findings(url: &Url, value: &str, header: &StsHeader) -> Vec<Finding> {
    let mut findings: Vec<Finding> = header
        .problems
        .iter()
        .map(|problem| problem_finding(url, value, problem))
        .collect();
    if let Some(max_age) = header.effective_max_age() {
        findings.extend(max_age_findings(url, max_age));
    }
    if header.preload && header.is_honoured() {
        findings.extend(contradictory_preload_findings(url, header));
    }
    findings
}

fn problem_finding(url: &Url, value: &str, problem: &StsProblem) -> Finding {
    let severity = if problem.is_fatal() {
        Severity::Block
    } else if matches!(
        problem,
        StsProblem::Repeated(_) | StsProblem::ValueOnValueless(_)
    ) {
        Severity::Warn
    } else {
        Severity::Info
    };
    let ignored = if problem.is_fatal() {
        " Browsers ignore the whole header."
    } else {
        ""
    };
    let (id, what) = match problem {
        StsProblem::Empty => ("header.parse.empty".to_owned(), "is empty".to_owned()),
        StsProblem::Syntax { found } => ("header.parse.invalid".to_owned(), format!("does not follow RFC 6797's syntax: unexpected {found}")),
        StsProblem::EmptyDirective => ("header.parse.empty_directive".to_owned(), "has an empty directive (`;;`)".to_owned()),
        StsProblem::UnknownDirective(name) => ("header.parse.unknown_directive".to_owned(), format!("has an unknown directive `{name}`, which browsers skip")),
        StsProblem::Repeated(directive) => (
            format!("header.parse.repeated.{}", directive.code_name()),
            format!("repeats `{}`; each directive may appear only once (RFC 6797 §6.1)", directive.canonical_name()),
        ),
        StsProblem::MaxAgeMissing => ("header.max_age.missing".to_owned(), "has no max-age, which RFC 6797 requires".to_owned()),
        StsProblem::MaxAgeNoValue => ("header.parse.invalid.max_age.no_value".to_owned(), "has max-age without a value".to_owned()),
        StsProblem::MaxAgeNotDigits(text) => (
            "header.parse.max_age.non_digit_characters".to_owned(),
            format!("has max-age=`{text}`, which is not a whole number of seconds"),
        ),
        StsProblem::MaxAgeLeadingZero => ("header.parse.max_age.leading_zero".to_owned(), "has a max-age with a leading zero".to_owned()),
        StsProblem::MaxAgeQuoted => (
            "header.parse.max_age.quoted".to_owned(),
            "has a quoted max-age; RFC 6797 allows it, but hstspreload.org and some scanners reject it".to_owned(),
        ),
        StsProblem::ValueOnValueless(directive) => (
            format!("header.parse.invalid.{}", directive.code_name()),
            format!("gives `{}` a value; it takes none", directive.canonical_name()),
        ),
    };
    let mut result = finding(
        &id,
        severity,
        format!("The Strict-Transport-Security header of {url} (`{value}`) {what}.{ignored}"),
    )
    .with_required("max-age=<seconds>, optionally `; includeSubDomains`, as Django writes it");
    if problem.is_fatal() {
        result = result
            .with_setting("SECURE_HSTS_SECONDS")
            .with_why(HSTS_WHY)
            .with_fix(format!("{HSTS_FIX_START}   (and remove any other code or proxy rule that writes the header)"));
    }
    result
}

fn max_age_findings(url: &Url, max_age: u64) -> Vec<Finding> {
    if max_age == 0 {
        return vec![
            finding(
                "header.max_age.zero",
                Severity::Block,
                format!("{url} sends max-age=0, which tells browsers to forget the site's HSTS policy."),
            )
            .with_setting("SECURE_HSTS_SECONDS")
            .with_required("a positive number of seconds")
            .with_why(format!("{HSTS_WHY} A string \"0\" in settings is truthy, so Django's checks stay silent while the header switches HSTS off."))
            .with_fix(HSTS_FIX_START),
        ];
    }
    if max_age < hsts::HALF_YEAR_SECS {
        // The last stage is above `max_age`, so there is always a next one.
        let mut stages = RAMP_STAGES.iter().filter(|stage| **stage > max_age);
        let next = stages.next().copied().unwrap_or(hsts::ONE_YEAR_SECS);
        let later: Vec<String> = stages
            .map(|stage| format!("{stage} ({})", human_duration(*stage)))
            .collect();
        let mut plan = format!(
            "SECURE_HSTS_SECONDS = {next}  # {}, after {} without problems",
            human_duration(next),
            human_duration(max_age)
        );
        if !later.is_empty() {
            plan = format!("{plan}; later {}", later.join(", then "));
        }
        return vec![
            finding(
                "header.max_age.below_180_days",
                Severity::Warn,
                format!("{url} sends max-age={max_age} ({}); browsers forget the policy after that.", human_duration(max_age)),
            )
            .with_setting("SECURE_HSTS_SECONDS")
            .with_required(format!("at least {} (180 days) once HTTPS works everywhere", hsts::HALF_YEAR_SECS))
            .with_why("A short max-age is right while ramping up, but protects returning visitors only briefly. Raise it in stages and wait out each stage before the next: only max-age=0 over valid HTTPS undoes a policy.")
            .with_fix(plan),
        ];
    }
    if max_age > hsts::TEN_YEARS_SECS {
        return vec![finding(
            "header.max_age.over_10_years",
            Severity::Info,
            format!("{url} sends max-age={max_age}, more than 10 years; browsers cap it, and 31536000 (1 year) or 63072000 (2 years) is customary."),
        )
        .with_setting("SECURE_HSTS_SECONDS")];
    }
    Vec::new()
}

/// `preload` without the rest of the preload requirements: the site asks for preloading but
/// is not eligible, and becomes a request as soon as the rest is met.
fn contradictory_preload_findings(url: &Url, header: &StsHeader) -> Vec<Finding> {
    const WHY: &str = "`preload` is an opt-in to be built into browsers for months, including for subdomains; hstspreload.org does not recommend preloading. Either meet every requirement deliberately, or drop `preload`.";
    let mut findings = Vec::new();
    if !header.include_subdomains {
        findings.push(
            finding(
                "header.preloadable.include_sub_domains.missing",
                Severity::Warn,
                format!("{url} sends `preload` without `includeSubDomains`, so the preload request is not eligible."),
            )
            .with_setting("SECURE_HSTS_PRELOAD")
            .with_why(WHY)
            .with_fix("SECURE_HSTS_PRELOAD = False"),
        );
    }
    if header
        .max_age
        .is_some_and(|max_age| max_age < hsts::ONE_YEAR_SECS)
    {
        findings.push(
            finding(
                "header.preloadable.max_age.below_1_year",
                Severity::Warn,
                format!("{url} sends `preload` with a max-age below {} (1 year), so the preload request is not eligible.", hsts::ONE_YEAR_SECS),
            )
            .with_setting("SECURE_HSTS_PRELOAD")
            .with_why(WHY)
            .with_fix("SECURE_HSTS_PRELOAD = False"),
        );
    }
    findings
}

pub(super) fn preload_note(
    host: &str,
    header: Option<&StsHeader>,
    mut gaps: Vec<String>,
) -> String {
    let Some(header) = header.filter(|header| header.is_honoured()) else {
        return format!(
            "Preload readiness ({host}): not eligible (no valid Strict-Transport-Security header)."
        );
    };
    if !header.preload {
        return format!(
            "Preload readiness ({host}): not requested (no `preload` directive); preloading is opt-in and not recommended by hstspreload.org."
        );
    }
    if header
        .max_age
        .is_none_or(|max_age| max_age < hsts::ONE_YEAR_SECS)
    {
        gaps.insert(0, format!("max-age below {}", hsts::ONE_YEAR_SECS));
    }
    if !header.include_subdomains {
        gaps.insert(
            0,
            format!("no {}", KnownDirective::IncludeSubDomains.canonical_name()),
        );
    }
    if gaps.is_empty() {
        format!(
            "Preload readiness ({host}): requested and eligible; the site meets hstspreload.org's submission requirements."
        )
    } else {
        format!(
            "Preload readiness ({host}): requested but not eligible: {}.",
            gaps.join("; ")
        )
    }
}

/// `3600` → "1 hour", `2592000` → "30 days".
#[must_use]
fn human_duration(seconds: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (hsts::ONE_YEAR_SECS, "year"),
        (604_800, "week"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
        (1, "second"),
    ];
    let (size, unit) = UNITS
        .into_iter()
        .find(|(size, _)| seconds >= *size && seconds.is_multiple_of(*size))
        .unwrap_or((1, "second"));
    crate::report::plural(seconds / size, unit)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;
    use super::*;

    #[test]
    fn header_values() {
        for (value, expected) in [
            ("max-age=0", vec!["Block verify.header.max_age.zero"]),
            (
                "includeSubDomains",
                vec!["Block verify.header.max_age.missing"],
            ),
            ("", vec!["Block verify.header.parse.empty"]),
            (
                "max-age=1e6",
                vec!["Block verify.header.parse.max_age.non_digit_characters"],
            ),
            (
                "max-age=31536000, max-age=31536000",
                vec!["Block verify.header.parse.invalid"],
            ),
            (
                "max-age=31536000; max-age=1",
                vec!["Block verify.header.parse.repeated.max_age"],
            ),
            (
                "max-age=31536000; includeSubDomains=1",
                vec!["Block verify.header.parse.invalid.include_sub_domains"],
            ),
            (
                "max-age=31536000; preload=1",
                vec![
                    "Warn verify.header.parse.invalid.preload",
                    "Warn verify.header.preloadable.include_sub_domains.missing",
                ],
            ),
            (
                "max-age=\"31536000\"",
                vec!["Info verify.header.parse.max_age.quoted"],
            ),
            (
                "max-age=031536000;;x",
                vec![
                    "Info verify.header.parse.empty_directive",
                    "Info verify.header.parse.max_age.leading_zero",
                    "Info verify.header.parse.unknown_directive",
                ],
            ),
            (
                "max-age=999999999999",
                vec!["Info verify.header.max_age.over_10_years"],
            ),
            ("max-age=15552000", vec![]),
            (
                "max-age=300",
                vec!["Warn verify.header.max_age.below_180_days"],
            ),
        ] {
            assert_eq!(ids(&good_site(value)), expected, "{value:?}");
        }
    }

    #[test]
    fn ramp_names_the_next_stages() {
        let verdict = check_site(&good_site("max-age=300"), &CookieNames::default());
        assert_eq!(
            verdict.findings[0].fix.as_deref(),
            Some(
                "SECURE_HSTS_SECONDS = 604800  # 1 week, after 5 minutes without problems; later 2592000 (30 days), then 31536000 (1 year)"
            )
        );
        let verdict = check_site(&good_site("max-age=2592000"), &CookieNames::default());
        assert_eq!(
            verdict.findings[0].fix.as_deref(),
            Some("SECURE_HSTS_SECONDS = 31536000  # 1 year, after 30 days without problems")
        );
        assert_eq!(
            verdict.findings[0].message,
            "https://example.com/ sends max-age=2592000 (30 days); browsers forget the policy after that."
        );
    }

    #[test]
    fn duplicate_and_missing_headers() {
        assert_eq!(
            ids(&good_site(ONE_YEAR).with_https_sts(&[])),
            ["Block verify.response.no_header"]
        );
        assert_eq!(
            ids(&good_site(ONE_YEAR).with_https_sts(&[ONE_YEAR, ONE_YEAR])),
            ["Block verify.response.multiple_headers"]
        );
    }

    #[test]
    fn preload_readiness() {
        let note =
            |observed: &SiteObservation| check_site(observed, &CookieNames::default()).preload_note;
        assert_eq!(
            note(&good_site("max-age=63072000; includeSubDomains; preload")),
            "Preload readiness (example.com): requested and eligible; the site meets hstspreload.org's submission requirements."
        );
        let off_host_first = site(
            redirect("http://example.com/", 301, "https://www.example.com/", &[]),
            vec![
                redirect("https://example.com/", 301, "/home", &[]),
                page(
                    "https://example.com/home",
                    &["max-age=600; preload"],
                    &DJANGO_COOKIES,
                ),
            ],
        );
        assert_eq!(
            note(&off_host_first),
            "Preload readiness (example.com): requested but not eligible: no includeSubDomains; max-age below 31536000; plain HTTP does not redirect to HTTPS on the same host first; an HTTPS redirect lacks the header."
        );
        let mut broken_tls = good_site(ONE_YEAR);
        broken_tls.https = HttpsSide::TlsFailed {
            url: url("https://example.com/"),
            reason: "it has expired.".to_owned(),
            certificate: true,
        };
        assert_eq!(
            note(&broken_tls),
            "Preload readiness (example.com): not eligible (no valid Strict-Transport-Security header)."
        );
        assert_eq!(
            ids(&broken_tls),
            ["Block verify.domain.tls.invalid_cert_chain"]
        );
    }

    #[test]
    fn durations() {
        for (seconds, text) in [
            (0, "0 seconds"),
            (1, "1 second"),
            (300, "5 minutes"),
            (3600, "1 hour"),
            (86_400, "1 day"),
            (604_800, "1 week"),
            (2_592_000, "30 days"),
            (31_536_000, "1 year"),
            (63_072_000, "2 years"),
            (3_601, "3601 seconds"),
        ] {
            assert_eq!(human_duration(seconds), text);
        }
    }
}
