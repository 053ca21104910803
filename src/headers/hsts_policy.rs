//! What a Strict-Transport-Security policy must be, in one place for the gate and verify: the
//! thresholds, the max-age ramp, the preload rules, and the judgment of the headers one HTTPS
//! response carries. The gate applies the judgment to the simulated responses and the
//! thresholds, ramp and preload rules to `SECURE_HSTS_*`; verify applies the judgment to a live
//! site. Same rule, same words, same advice.

use super::Reporter;
use super::hsts::{self, KnownDirective, StsHeader, StsProblem};
use crate::finding::{Finding, Severity};

/// One year: the floor hstspreload.org requires for preloading (`oneYear` in hstspreload).
pub const ONE_YEAR_SECS: u64 = 31_536_000;
/// 180 days: below this the protection lapses quickly between visits (the MDN Observatory's
/// `SIX_MONTHS` threshold).
pub const HALF_YEAR_SECS: u64 = 15_552_000;
/// Ten years: longer than any browser keeps a policy (hstspreload warns above this).
pub const TEN_YEARS_SECS: u64 = 315_360_000;

/// The max-age ramp, one release per stage, each stage waited out before the next: Django's
/// documented first step (1 hour), hstspreload.org's 1-week and 1-month stages, then the 1-year
/// goal. (hstspreload.org starts at 5 minutes; Django's docs, and so the guard, at 1 hour.)
pub const RAMP: [u64; 4] = [3_600, 604_800, 2_592_000, ONE_YEAR_SECS];

/// The setting that makes Django send the header, with the max-age.
pub const SECONDS_SETTING: &str = "SECURE_HSTS_SECONDS";
/// The setting that adds `preload`.
pub const PRELOAD_SETTING: &str = "SECURE_HSTS_PRELOAD";

/// Every rule code `sent_header_findings` can produce (the finding IDs are `guard.` or
/// `verify.` followed by the code; most are `chromium/hstspreload` issue codes).
pub const CODES: &[&str] = &[
    "response.multiple_headers",
    "header.parse.empty",
    "header.parse.invalid",
    "header.parse.empty_directive",
    "header.parse.unknown_directive",
    "header.parse.repeated.max_age",
    "header.parse.repeated.include_sub_domains",
    "header.parse.repeated.preload",
    "header.parse.invalid.max_age.no_value",
    "header.parse.invalid.include_sub_domains",
    "header.parse.invalid.preload",
    "header.parse.max_age.non_digit_characters",
    "header.parse.max_age.leading_zero",
    "header.parse.max_age.quoted",
    "header.max_age.missing",
    "header.max_age.zero",
    "header.max_age.below_180_days",
    "header.max_age.over_10_years",
    "header.preloadable.include_sub_domains.missing",
    "header.preloadable.max_age.below_1_year",
];

/// Why HSTS matters at all.
pub const WHY: &str = "Without HSTS a visitor's first plain-HTTP request can be intercepted and kept on HTTP (SSL stripping), whatever redirects the site sends.";

/// The settings line that starts the ramp.
#[must_use]
pub fn start_fix() -> String {
    format!("{SECONDS_SETTING} = {}", RAMP[0])
}

/// What is required of a site that sends no HSTS yet.
#[must_use]
pub fn start_required() -> String {
    format!(
        "an int: {} ({}) first, raised step by step to {ONE_YEAR_SECS} ({}) once every page and subdomain works over HTTPS",
        RAMP[0],
        human_duration(RAMP[0]),
        human_duration(ONE_YEAR_SECS)
    )
}

/// Why to start HSTS, and why to start short.
#[must_use]
pub fn start_why() -> String {
    format!(
        "HSTS makes browsers refuse plain HTTP for the site, so nobody can be downgraded on a hostile network. Start short: a mistake at {} is forgotten after {}, at {ONE_YEAR_SECS} browsers keep it for {}.",
        RAMP[0],
        human_duration(RAMP[0]),
        human_duration(ONE_YEAR_SECS)
    )
}

/// What is required of a max-age below `HALF_YEAR_SECS`.
#[must_use]
pub fn short_required() -> String {
    format!(
        "at least {HALF_YEAR_SECS} ({}) once HTTPS works everywhere; {ONE_YEAR_SECS} ({}) is the usual goal",
        human_duration(HALF_YEAR_SECS),
        human_duration(ONE_YEAR_SECS)
    )
}

/// Why a short max-age is fine for now but not for good: the ramp.
#[must_use]
pub fn short_why() -> String {
    let stages: Vec<String> = RAMP
        .iter()
        .map(|stage| format!("{stage} ({})", human_duration(*stage)))
        .collect();
    format!(
        "A short max-age is the right start (if something breaks over HTTPS, browsers forget the policy soon), but it protects returning visitors only briefly. Raise it one release at a time, waiting out each stage before the next: {}. Only max-age=0 over valid HTTPS undoes a policy.",
        stages.join(", then ")
    )
}

/// The next step of the ramp from `max_age`, and the steps after it, as a settings line.
#[must_use]
pub fn ramp_plan(max_age: u64) -> String {
    let mut stages = RAMP.iter().filter(|stage| **stage > max_age);
    let next = stages.next().copied().unwrap_or(ONE_YEAR_SECS);
    let later: Vec<String> = stages
        .map(|stage| format!("{stage} ({})", human_duration(*stage)))
        .collect();
    let mut plan = format!(
        "{SECONDS_SETTING} = {next}  # {}, after {} without problems",
        human_duration(next),
        human_duration(max_age)
    );
    if !later.is_empty() {
        plan = format!("{plan}; later {}", later.join(", then "));
    }
    plan
}

/// One requirement of the preload list that a header asking for preloading misses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreloadGap {
    /// The hstspreload issue code.
    pub code: &'static str,
    /// What is missing, as a clause ("includeSubDomains is missing").
    pub reason: String,
}

/// What the preload list requires beyond `preload` itself: `includeSubDomains` and a max-age
/// of at least one year. Applied only when `preload` is sent (preloading is opt-in).
#[must_use]
pub fn preload_gaps(max_age: Option<u64>, include_subdomains: bool) -> Vec<PreloadGap> {
    let mut gaps = Vec::new();
    if !include_subdomains {
        gaps.push(PreloadGap {
            code: "header.preloadable.include_sub_domains.missing",
            reason: format!(
                "{} is missing",
                KnownDirective::IncludeSubDomains.canonical_name()
            ),
        });
    }
    if max_age.is_none_or(|max_age| max_age < ONE_YEAR_SECS) {
        gaps.push(PreloadGap {
            code: "header.preloadable.max_age.below_1_year",
            reason: format!(
                "max-age is below {ONE_YEAR_SECS} ({})",
                human_duration(ONE_YEAR_SECS)
            ),
        });
    }
    gaps
}

/// What preloading requires, for a site that asks for it.
#[must_use]
pub fn preload_required() -> String {
    format!(
        "preload only as a deliberate opt-in, together with {SECONDS_SETTING} >= {ONE_YEAR_SECS} and SECURE_HSTS_INCLUDE_SUBDOMAINS = True"
    )
}

/// Why a contradictory preload request is a problem.
pub const PRELOAD_WHY: &str = "`preload` asks browsers to hard-code HTTPS for the domain and every subdomain, reaching people who never visited, and getting off the list takes months; hstspreload.org does not recommend preloading. The list rejects this header today but accepts it as soon as the rest is met: either meet every requirement deliberately, or drop `preload`.";

/// The settings line that withdraws a preload request (never the other way round).
#[must_use]
pub fn preload_off_fix() -> String {
    format!("{PRELOAD_SETTING} = False")
}

/// The findings for the Strict-Transport-Security headers one HTTPS response carries, about
/// `subject` (a URL, or the simulated response for one), and the header browsers apply.
/// An absent header is for the caller to judge: the gate and verify explain it differently.
#[must_use]
pub fn sent_header_findings(
    reporter: Reporter,
    subject: &str,
    values: &[String],
) -> (Vec<Finding>, Option<StsHeader>) {
    match values {
        [] => (Vec::new(), None),
        [value] => {
            let header = hsts::parse(value);
            (
                header_findings(reporter, subject, value, &header),
                Some(header),
            )
        }
        values => (vec![multiple_headers(reporter, subject, values)], None),
    }
}

fn multiple_headers(reporter: Reporter, subject: &str, values: &[String]) -> Finding {
    let listed: Vec<String> = values.iter().map(|value| format!("`{value}`")).collect();
    reporter
        .finding(
            "response.multiple_headers",
            Severity::Block,
            format!(
                "{subject} sends {} Strict-Transport-Security headers: {}.",
                values.len(),
                listed.join(", ")
            ),
        )
        .with_required("exactly one header")
        .with_why("Browsers apply only the first (RFC 6797 §8.1) and checkers reject the response; usually both Django and a proxy or middleware add one.")
        .with_fix(format!("Send the header from one place only: keep {SECONDS_SETTING} and remove the other source."))
}

/// Findings about one parsed header value.
fn header_findings(
    reporter: Reporter,
    subject: &str,
    value: &str,
    header: &StsHeader,
) -> Vec<Finding> {
    let mut findings: Vec<Finding> = header
        .problems
        .iter()
        .map(|problem| problem_finding(reporter, subject, value, problem))
        .collect();
    if let Some(max_age) = header.effective_max_age() {
        findings.extend(max_age_finding(reporter, subject, max_age));
    }
    if header.preload && header.is_honoured() {
        findings.extend(
            preload_gaps(header.max_age, header.include_subdomains)
                .into_iter()
                .map(|gap| contradictory_preload(reporter, subject, &gap)),
        );
    }
    findings
}

fn problem_finding(
    reporter: Reporter,
    subject: &str,
    value: &str,
    problem: &StsProblem,
) -> Finding {
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
    let (code, what) = problem_code_and_text(problem);
    let mut finding = reporter
        .finding(
            &code,
            severity,
            format!("{subject} sends a Strict-Transport-Security header (`{value}`) that {what}.{ignored}"),
        )
        .with_required("max-age=<seconds>, optionally `; includeSubDomains`, as Django writes it");
    if problem.is_fatal() {
        finding = finding
            .with_setting(SECONDS_SETTING)
            .with_why(WHY)
            .with_fix(format!(
                "{}   (and remove any other code or proxy rule that writes the header)",
                start_fix()
            ));
    }
    finding
}

/// The rule code of a parse problem and what it says about the header.
fn problem_code_and_text(problem: &StsProblem) -> (String, String) {
    match problem {
        StsProblem::Empty => ("header.parse.empty".to_owned(), "is empty".to_owned()),
        StsProblem::Syntax { found } => (
            "header.parse.invalid".to_owned(),
            format!("does not follow RFC 6797's syntax: unexpected {found}"),
        ),
        StsProblem::EmptyDirective => (
            "header.parse.empty_directive".to_owned(),
            "has an empty directive (`;;`)".to_owned(),
        ),
        StsProblem::UnknownDirective(name) => (
            "header.parse.unknown_directive".to_owned(),
            format!("has an unknown directive `{name}`, which browsers skip"),
        ),
        StsProblem::Repeated(directive) => (
            format!("header.parse.repeated.{}", directive.code_name()),
            format!(
                "repeats `{}`; each directive may appear only once (RFC 6797 §6.1)",
                directive.canonical_name()
            ),
        ),
        StsProblem::MaxAgeMissing => (
            "header.max_age.missing".to_owned(),
            "has no max-age, which RFC 6797 requires".to_owned(),
        ),
        StsProblem::MaxAgeNoValue => (
            "header.parse.invalid.max_age.no_value".to_owned(),
            "has max-age without a value".to_owned(),
        ),
        StsProblem::MaxAgeNotDigits(text) => (
            "header.parse.max_age.non_digit_characters".to_owned(),
            format!("has max-age=`{text}`, which is not a whole number of seconds"),
        ),
        StsProblem::MaxAgeLeadingZero => (
            "header.parse.max_age.leading_zero".to_owned(),
            "has a max-age with a leading zero".to_owned(),
        ),
        StsProblem::MaxAgeQuoted => (
            "header.parse.max_age.quoted".to_owned(),
            "has a quoted max-age; RFC 6797 allows it, but hstspreload.org and some scanners reject it".to_owned(),
        ),
        StsProblem::ValueOnValueless(directive) => (
            format!("header.parse.invalid.{}", directive.code_name()),
            format!("gives `{}` a value; it takes none", directive.canonical_name()),
        ),
    }
}

fn max_age_finding(reporter: Reporter, subject: &str, max_age: u64) -> Option<Finding> {
    if max_age == 0 {
        return Some(
            reporter
                .finding(
                    "header.max_age.zero",
                    Severity::Block,
                    format!("{subject} sends max-age=0, which tells browsers to forget the site's HSTS policy."),
                )
                .with_setting(SECONDS_SETTING)
                .with_required("a positive number of seconds")
                .with_why(format!("{WHY} A string \"0\" in settings is truthy, so Django's checks stay silent while the header switches HSTS off."))
                .with_fix(start_fix()),
        );
    }
    if max_age < HALF_YEAR_SECS {
        return Some(
            reporter
                .finding(
                    "header.max_age.below_180_days",
                    Severity::Warn,
                    format!(
                        "{subject} sends max-age={max_age} ({}); browsers forget the policy after that.",
                        human_duration(max_age)
                    ),
                )
                .with_setting(SECONDS_SETTING)
                .with_required(short_required())
                .with_why(short_why())
                .with_fix(ramp_plan(max_age)),
        );
    }
    (max_age > TEN_YEARS_SECS).then(|| {
        reporter
            .finding(
                "header.max_age.over_10_years",
                Severity::Info,
                format!("{subject} sends max-age={max_age}, more than 10 years; browsers cap it, and 31536000 (1 year) or 63072000 (2 years) is customary."),
            )
            .with_setting(SECONDS_SETTING)
    })
}

/// `preload` without the rest of the preload requirements: the site asks for preloading but
/// is not eligible, and becomes a request as soon as the rest is met.
fn contradictory_preload(reporter: Reporter, subject: &str, gap: &PreloadGap) -> Finding {
    reporter
        .finding(
            gap.code,
            Severity::Warn,
            format!(
                "{subject} sends `preload`, but {}, so the preload request is not eligible.",
                gap.reason
            ),
        )
        .with_setting(PRELOAD_SETTING)
        .with_required(preload_required())
        .with_why(PRELOAD_WHY)
        .with_fix(preload_off_fix())
}

/// `3600` → "1 hour", `2592000` → "30 days", `3601` → "3601 seconds".
#[must_use]
pub fn human_duration(seconds: u64) -> String {
    const UNITS: [(u64, &str); 6] = [
        (ONE_YEAR_SECS, "year"),
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
    use super::*;
    use crate::test_generator::Generator;

    fn described(values: &[&str]) -> Vec<String> {
        let values: Vec<String> = values.iter().map(|value| (*value).to_owned()).collect();
        sent_header_findings(Reporter::Gate, "The response", &values)
            .0
            .iter()
            .map(|finding| format!("{:?} {}", finding.severity, finding.id))
            .collect()
    }

    #[test]
    fn the_ramp_starts_at_django_s_hour_and_ends_at_a_year() {
        assert_eq!(start_fix(), "SECURE_HSTS_SECONDS = 3600");
        assert_eq!(
            ramp_plan(3600),
            "SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)"
        );
        assert_eq!(
            ramp_plan(300),
            "SECURE_HSTS_SECONDS = 3600  # 1 hour, after 5 minutes without problems; later 604800 (1 week), then 2592000 (30 days), then 31536000 (1 year)"
        );
        assert_eq!(
            ramp_plan(2_592_000),
            "SECURE_HSTS_SECONDS = 31536000  # 1 year, after 30 days without problems"
        );
        assert_eq!(
            start_required(),
            "an int: 3600 (1 hour) first, raised step by step to 31536000 (1 year) once every page and subdomain works over HTTPS"
        );
        assert!(short_why().contains(
            "3600 (1 hour), then 604800 (1 week), then 2592000 (30 days), then 31536000 (1 year)"
        ));
        assert!(RAMP.is_sorted() && RAMP[RAMP.len() - 1] == ONE_YEAR_SECS);
    }

    #[test]
    fn preload_needs_subdomains_and_a_year() {
        let codes = |max_age, include_subdomains| -> Vec<&str> {
            preload_gaps(max_age, include_subdomains)
                .iter()
                .map(|gap| gap.code)
                .collect()
        };
        assert_eq!(codes(Some(ONE_YEAR_SECS), true), Vec::<&str>::new());
        assert_eq!(
            codes(Some(ONE_YEAR_SECS - 1), false),
            [
                "header.preloadable.include_sub_domains.missing",
                "header.preloadable.max_age.below_1_year"
            ]
        );
        assert_eq!(
            codes(None, true),
            ["header.preloadable.max_age.below_1_year"]
        );
        assert_eq!(preload_off_fix(), "SECURE_HSTS_PRELOAD = False");
    }

    #[test]
    fn header_rules() {
        assert_eq!(described(&[]), Vec::<String>::new());
        assert_eq!(
            described(&["max-age=0"]),
            ["Block guard.header.max_age.zero"]
        );
        assert_eq!(
            described(&["max-age=1, max-age=2"]),
            ["Block guard.header.parse.invalid"]
        );
        assert_eq!(
            described(&["max-age=31536000", "max-age=0"]),
            ["Block guard.response.multiple_headers"]
        );
        assert_eq!(
            described(&["max-age=600; preload"]),
            [
                "Warn guard.header.max_age.below_180_days",
                "Warn guard.header.preloadable.include_sub_domains.missing",
                "Warn guard.header.preloadable.max_age.below_1_year"
            ]
        );
        assert_eq!(
            described(&["max-age=63072000; includeSubDomains; preload"]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn gate_and_verify_say_the_same_in_their_own_namespace() {
        let values = ["max-age=0".to_owned()];
        let (gate, _) = sent_header_findings(Reporter::Gate, "https://example.com/", &values);
        let (verify, _) = sent_header_findings(Reporter::Verify, "https://example.com/", &values);
        assert_eq!(gate[0].id, "guard.header.max_age.zero");
        assert_eq!(verify[0].id, "verify.header.max_age.zero");
        assert_eq!(
            gate[0].message,
            "https://example.com/ sends max-age=0, which tells browsers to forget the site's HSTS policy."
        );
        let strip = |finding: &Finding| Finding {
            id: String::new(),
            source: crate::finding::Source::Guard,
            ..finding.clone()
        };
        assert_eq!(strip(&gate[0]), strip(&verify[0]));
    }

    #[test]
    fn property_every_code_is_listed_and_preload_is_never_suggested() {
        let alphabet = [
            "max-age=",
            "0",
            "1",
            "3600",
            "31536000",
            "999999999999",
            ";",
            " ",
            "\"",
            ",",
            "preload",
            "preload=1",
            "includeSubDomains",
            "includeSubDomains=x",
            "max-age",
            "x",
        ];
        let mut generator = Generator::new(6797);
        for _ in 0..5000 {
            let count = 1 + generator.below(2);
            let values: Vec<String> = (0..count)
                .map(|_| {
                    (0..generator.below(8))
                        .map(|_| *generator.pick(&alphabet))
                        .collect()
                })
                .collect();
            for reporter in [Reporter::Gate, Reporter::Verify] {
                let (findings, _) = sent_header_findings(reporter, "https://example.com/", &values);
                for finding in findings {
                    let code = finding.id.split_once('.').unwrap().1;
                    assert!(CODES.contains(&code), "{code} from {values:?}");
                    let fix = finding.fix.unwrap_or_default();
                    assert!(!fix.contains("PRELOAD = True"), "{fix}");
                }
            }
        }
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
            (15_552_000, "180 days"),
            (31_536_000, "1 year"),
            (63_072_000, "2 years"),
            (3_601, "3601 seconds"),
        ] {
            assert_eq!(human_duration(seconds), text);
        }
    }
}
