//! Content Security Policy under every Django: `fixtures/csp`'s scenarios (Django 6's own CSP on
//! 6.0 and 6.1, django-csp 4 on 4.2 and 5.2) through the built binary, each CSP finding compared
//! whole in the JSON report and found in the release log.

// Helpers are not `#[test]` functions, but a panic is how they report a failure too.
#![allow(clippy::unwrap_used)]

use crate::gate_test::{guard, json, stdout};
use crate::support::cnb::copy_dir;
use crate::support::python::{Venv, fixture, venvs};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// How the app configures its policy under a venv's Django.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Family {
    /// Django 6's `SECURE_CSP` and `django.middleware.csp.ContentSecurityPolicyMiddleware`.
    Django6,
    /// django-csp 4's `CONTENT_SECURITY_POLICY` and `csp.middleware.CSPMiddleware`.
    DjangoCsp,
}

fn family(venv: &Venv) -> Family {
    if venv.name.starts_with("django6") {
        Family::Django6
    } else {
        Family::DjangoCsp
    }
}

/// A copy of `fixtures/csp` for one venv (the probe leaves bytecode behind).
fn csp_app(venv: &Venv) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("csp-apps")
        .join(venv.name);
    if !dir.exists() {
        copy_dir(&fixture("csp"), &dir).unwrap();
    }
    dir
}

/// The guard's JSON report and release log for one scenario.
fn run(venv: &Venv, scenario: &str, code: i32) -> (Value, String) {
    let app = csp_app(venv);
    let module = format!("csp_site.settings.{scenario}");
    let vars = [("DJANGO_SETTINGS_MODULE", module.as_str())];
    let report = guard(venv, &app, &["--format", "json"], &vars);
    assert_eq!(
        report.status.code(),
        Some(code),
        "{scenario} under {}: {}",
        venv.name,
        stdout(&report)
    );
    let log = guard(venv, &app, &[], &vars);
    (json(&report), stdout(&log))
}

/// Where the findings point: the line of the scenario file that starts with `needle`, or for a
/// policy set through `configure(globals(), ...)` (no assignment the guard can trace) the line
/// after the module's end, where a line is added.
fn policy_line(scenario: &str, needle: &str) -> u64 {
    let path = fixture("csp").join(format!("csp_site/settings/{scenario}.py"));
    let source = std::fs::read_to_string(path).unwrap();
    if needle == CONFIGURE {
        return u64::try_from(source.lines().count()).unwrap() + 1;
    }
    let index = source
        .lines()
        .position(|line| line.starts_with(needle))
        .unwrap_or_else(|| panic!("{needle} in {scenario}"));
    u64::try_from(index).unwrap() + 1
}

/// One expected finding: ID, severity, setting, message and fix, and where it points.
struct Expected {
    id: String,
    severity: &'static str,
    setting: String,
    message: String,
    fix: String,
}

fn expected(id: &str, severity: &'static str, setting: &str, message: &str, fix: &str) -> Expected {
    Expected {
        id: id.to_owned(),
        severity,
        setting: setting.to_owned(),
        message: message.to_owned(),
        fix: fix.to_owned(),
    }
}

/// `SECURE_CSP = {...}` or django-csp's `CONTENT_SECURITY_POLICY = {"DIRECTIVES": {...}}` for
/// one directive, with Django's constants written as `CSP.X` or django-csp's `X`.
fn directive_fix(family: Family, report_only: bool, directive: &str, values: &str) -> String {
    let suffix = if report_only { "_REPORT_ONLY" } else { "" };
    match family {
        Family::Django6 => format!("SECURE_CSP{suffix} = {{\"{directive}\": [{values}], ...}}"),
        Family::DjangoCsp => format!(
            "CONTENT_SECURITY_POLICY{suffix} = {{\"DIRECTIVES\": {{\"{directive}\": [{}], ...}}}}",
            values.replace("CSP.", "")
        ),
    }
}

/// The fix that limits scripts to the site and the nonce.
fn script_src_self_and_nonce(family: Family) -> String {
    directive_fix(family, false, "script-src", "CSP.SELF, CSP.NONCE")
}

fn policy_setting(family: Family, report_only: bool) -> String {
    let suffix = if report_only { "_REPORT_ONLY" } else { "" };
    match family {
        Family::Django6 => format!("SECURE_CSP{suffix}"),
        Family::DjangoCsp => format!("CONTENT_SECURITY_POLICY{suffix}"),
    }
}

/// Compares the report's `guard.csp_*` findings with `wanted`, whole, and finds each message
/// and fix in the release log.
fn assert_csp_findings(
    venv: &Venv,
    scenario: &str,
    code: i32,
    wanted: &[Expected],
    line_start: &str,
) {
    let (report, log) = run(venv, scenario, code);
    let found: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["id"].as_str().unwrap().starts_with("guard.csp_"))
        .collect();
    let line = policy_line(scenario, line_start);
    let file = format!("csp_site/settings/{scenario}.py");
    assert_eq!(
        found.len(),
        wanted.len(),
        "{scenario} under {}: {found:#?}",
        venv.name
    );
    for (finding, want) in found.iter().zip(wanted) {
        let mut finding = (*finding).clone();
        // Required and why are the rule's constant words (checked in the unit tests).
        for part in ["required", "why"] {
            assert!(
                finding[part].as_str().is_some_and(|text| !text.is_empty()),
                "{finding}"
            );
            finding.as_object_mut().unwrap().remove(part);
        }
        assert_eq!(
            finding,
            json!({
                "id": want.id,
                "severity": want.severity,
                "source": "guard",
                "setting": want.setting,
                "message": want.message,
                "fix": want.fix,
                "hint": null,
                "location": {"file": file, "line": line},
            }),
            "{scenario} under {}",
            venv.name
        );
        let flowed = log.split_whitespace().collect::<Vec<_>>().join(" ");
        for text in [&want.message, &want.fix] {
            let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                flowed.contains(&words),
                "{scenario} under {}: {text}\n{log}",
                venv.name
            );
        }
        assert!(
            log.contains(&format!("- {} ({})", want.id, want.setting)),
            "{log}"
        );
    }
}

const CONFIGURE: &str = "configure(";

/// What the rules say about each scenario's policy, by rule (sorted by ID, as the reports list
/// them): the gate (`guard.`) and verify (`verify.`, on the same headers served live) say it in
/// the same words.
pub(crate) const WEAK: [(&str, &str); 5] = [
    (
        "csp_base_uri_missing",
        "Content-Security-Policy has no base-uri (it does not fall back to default-src).",
    ),
    (
        "csp_frame_ancestors_missing",
        "Neither an enforced Content-Security-Policy frame-ancestors nor an X-Frame-Options header limits who may frame the page.",
    ),
    (
        "csp_object_src_not_none",
        "Content-Security-Policy does not set object-src 'none': object-src falls back to default-src (`default-src 'self'`).",
    ),
    (
        "csp_script_broad_source",
        "Content-Security-Policy lets scripts load from any host and from data: URLs: script-src allows https: and data: (`script-src 'self' 'unsafe-inline' https: data:`).",
    ),
    (
        "csp_script_unsafe_inline",
        "Content-Security-Policy lets injected inline scripts run: script-src has 'unsafe-inline' without a nonce or hash (`script-src 'self' 'unsafe-inline' https: data:`).",
    ),
];
pub(crate) const UNRESTRICTED: [(&str, &str); 1] = [(
    "csp_script_unrestricted",
    "Content-Security-Policy does not limit scripts: it has neither script-src nor default-src (`frame-ancestors 'self'; object-src 'none'`).",
)];
pub(crate) const REPORT_ONLY_COPY: [(&str, &str); 2] = [
    (
        "csp_report_only_duplicate",
        "Content-Security-Policy-Report-Only repeats the enforced Content-Security-Policy (`base-uri 'none'; default-src 'self'; frame-ancestors 'self'; object-src 'none'; script-src 'self' 'nonce-…' 'strict-dynamic'`): it reports only what is already blocked.",
    ),
    (
        "csp_report_only_unreported",
        "Content-Security-Policy-Report-Only has nowhere to report: it has no report-uri or report-to (`base-uri 'none'; default-src 'self'; frame-ancestors 'self'; object-src 'none'; script-src 'self' 'nonce-…' 'strict-dynamic'`).",
    ),
];
/// A page without the nonce (the gate prefixes "On pages that never read the nonce: ").
pub(crate) const NONCE_DROPPED: [(&str, &str); 1] = [(
    "csp_script_unsafe_inline",
    "Content-Security-Policy lets injected inline scripts run: script-src has 'unsafe-inline' without a nonce or hash (`script-src 'self' 'unsafe-inline'`).",
)];

/// The expected gate findings: `messages` with the fixes in the same order.
fn warnings(messages: &[(&str, &str)], setting: &str, fixes: &[String]) -> Vec<Expected> {
    messages
        .iter()
        .zip(fixes)
        .map(|((rule, message), fix)| Expected {
            id: format!("guard.{rule}"),
            severity: "warn",
            setting: setting.to_owned(),
            message: (*message).to_owned(),
            fix: fix.clone(),
        })
        .collect()
}

#[test]
fn the_strict_policy_passes_under_every_django() {
    for venv in venvs() {
        let (report, log) = run(&venv, "strict", 0);
        let ids: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            ["guard.database_checks_not_run"],
            "{}: {log}",
            venv.name
        );
    }
}

#[test]
fn a_weak_policy_warns_rule_by_rule() {
    for venv in venvs() {
        let family = family(&venv);
        let setting = policy_setting(family, false);
        let fixes = [
            directive_fix(family, false, "base-uri", "CSP.NONE"),
            directive_fix(family, false, "frame-ancestors", "CSP.SELF"),
            directive_fix(family, false, "object-src", "CSP.NONE"),
            format!(
                "{}  # and the hosts the site loads scripts from",
                directive_fix(family, false, "script-src", "CSP.SELF, CSP.UNSAFE_INLINE")
            ),
            directive_fix(
                family,
                false,
                "script-src",
                r#"CSP.SELF, "https:", "data:", CSP.NONCE"#,
            ),
        ];
        let wanted = warnings(&WEAK, &setting, &fixes);
        assert_csp_findings(&venv, "weak", 0, &wanted, CONFIGURE);
    }
}

#[test]
fn a_policy_that_does_not_limit_scripts_warns() {
    for venv in venvs() {
        let family = family(&venv);
        let fixes = [script_src_self_and_nonce(family)];
        let wanted = warnings(&UNRESTRICTED, &policy_setting(family, false), &fixes);
        assert_csp_findings(&venv, "unrestricted", 0, &wanted, CONFIGURE);
    }
}

#[test]
fn a_report_only_copy_without_reporting_warns_twice() {
    for venv in venvs() {
        let family = family(&venv);
        let setting = policy_setting(family, true);
        let fixes = [
            format!("{setting} = {{}}  # or the stricter policy you are trying out"),
            format!(
                "{}  # a view or service that receives the reports",
                directive_fix(family, true, "report-uri", r#""/csp-reports/""#)
            ),
        ];
        let wanted = warnings(&REPORT_ONLY_COPY, &setting, &fixes);
        assert_csp_findings(&venv, "report_only_copy", 0, &wanted, CONFIGURE);
    }
}

#[test]
fn unsafe_inline_beside_the_nonce_warns_for_pages_that_never_read_it() {
    for venv in venvs() {
        let family = family(&venv);
        let fixes = [script_src_self_and_nonce(family)];
        let mut wanted = warnings(&NONCE_DROPPED, &policy_setting(family, false), &fixes);
        wanted[0].message = format!("On pages that never read the nonce: {}", wanted[0].message);
        assert_csp_findings(&venv, "nonce_dropped", 0, &wanted, CONFIGURE);
    }
}

#[test]
fn a_policy_never_sent_blocks() {
    for venv in venvs() {
        let family = family(&venv);
        let setting = policy_setting(family, false);
        let (middleware, message) = match family {
            Family::Django6 => (
                "django.middleware.csp.ContentSecurityPolicyMiddleware",
                "SECURE_CSP is set, but django.middleware.csp.ContentSecurityPolicyMiddleware is not in MIDDLEWARE: Django sends no Content-Security-Policy.",
            ),
            Family::DjangoCsp => (
                "csp.middleware.CSPMiddleware",
                "CONTENT_SECURITY_POLICY configures django-csp, but csp.middleware.CSPMiddleware is not in MIDDLEWARE: the policy is never sent.",
            ),
        };
        let missing = [expected(
            "guard.csp_middleware_missing",
            "block",
            &setting,
            message,
            &format!("MIDDLEWARE = [..., \"{middleware}\"]"),
        )];
        assert_csp_findings(&venv, "without_middleware", 1, &missing, CONFIGURE);

        let url = "https://www.example.com/.well-known/release-guard/";
        let stripped = [expected(
            "guard.csp_not_sent",
            "block",
            &setting,
            &format!(
                "{setting} configures a policy and {middleware} is in MIDDLEWARE, but the simulated HTTPS response for {url} carries no Content-Security-Policy header."
            ),
            &format!(
                "Find what removes the Content-Security-Policy header: run the app locally and request {url}."
            ),
        )];
        assert_csp_findings(&venv, "stripped", 1, &stripped, CONFIGURE);
    }
}

#[test]
fn settings_nothing_reads_block() {
    for venv in venvs() {
        let family = family(&venv);
        let secure_csp = match family {
            Family::Django6 => expected(
                "guard.csp_middleware_missing",
                "block",
                "SECURE_CSP",
                "SECURE_CSP is set, but django.middleware.csp.ContentSecurityPolicyMiddleware is not in MIDDLEWARE: Django sends no Content-Security-Policy.",
                r#"MIDDLEWARE = [..., "django.middleware.csp.ContentSecurityPolicyMiddleware"]"#,
            ),
            Family::DjangoCsp => {
                let version = json_django_version(&venv);
                expected(
                    "guard.csp_middleware_missing",
                    "block",
                    "SECURE_CSP",
                    &format!(
                        "SECURE_CSP is set, but Django {version} has no built-in Content Security Policy (it came in Django 6.0): nothing reads it and no policy is sent."
                    ),
                    r#"CONTENT_SECURITY_POLICY = {"DIRECTIVES": {...}}  # django-csp 4, with "csp.middleware.CSPMiddleware" in MIDDLEWARE"#,
                )
            }
        };
        assert_csp_findings(&venv, "secure_csp", 1, &[secure_csp], "SECURE_CSP = ");

        // django-csp 3's settings: django-csp is not installed under Django 6; under 4.2 and
        // 5.2 django-csp 4 is, and it reads other settings.
        let (problem, fix) = match family {
            Family::Django6 => (
                "django-csp is not installed",
                r#"SECURE_CSP = {...}  # Django's own CSP: move the policy here, with "django.middleware.csp.ContentSecurityPolicyMiddleware" in MIDDLEWARE"#,
            ),
            Family::DjangoCsp => (
                "django-csp 4.0 reads CONTENT_SECURITY_POLICY and ignores django-csp 3's CSP_* settings",
                r#"CONTENT_SECURITY_POLICY = {"DIRECTIVES": {...}}  # see django-csp's migration guide; "csp.middleware.CSPMiddleware" in MIDDLEWARE"#,
            ),
        };
        let left_over = expected(
            "guard.csp_middleware_missing",
            "block",
            "CSP_DEFAULT_SRC",
            &format!(
                "CSP_DEFAULT_SRC and CSP_SCRIPT_SRC configure django-csp, but {problem}: the policy is never sent."
            ),
            fix,
        );
        assert_csp_findings(
            &venv,
            "django_csp_left_over",
            1,
            &[left_over],
            "CSP_DEFAULT_SRC = ",
        );
    }
}

/// The Django version the venv runs, as the report names it.
fn json_django_version(venv: &Venv) -> String {
    let (report, _) = run(venv, "strict", 0);
    report["django_version"].as_str().unwrap().to_owned()
}
