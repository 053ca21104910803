use super::*;

/// The strict policy Google's guide and the guard's fixtures use: passes every rule.
const STRICT: &str = "default-src 'self'; script-src 'self' 'nonce-r4nd0m' 'strict-dynamic'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

fn enforced(values: &[&str]) -> CspHeaders {
    CspHeaders {
        enforced: values.iter().map(|value| (*value).to_owned()).collect(),
        ..CspHeaders::default()
    }
}

fn rules(headers: &CspHeaders) -> Vec<&'static str> {
    judge(headers, PolicySource::Django)
        .iter()
        .map(|problem| problem.rule.name())
        .collect()
}

fn only(headers: &CspHeaders, source: PolicySource) -> CspProblem {
    let mut problems = judge(headers, source);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.remove(0)
}

/// `STRICT` with one directive replaced (or removed, for an empty `value`).
fn strict_with(name: &str, value: &str) -> String {
    let mut directives: Vec<String> = STRICT
        .split("; ")
        .filter(|directive| directive.split(' ').next() != Some(name))
        .map(str::to_owned)
        .collect();
    if !value.is_empty() {
        directives.push(format!("{name} {value}"));
    }
    directives.join("; ")
}

#[test]
fn parses_as_browsers_do() {
    let policies = parse(
        " Script-SRC 'self'  https:;script-src 'unsafe-inline';; DEFAULT-src 'none' , object-src 'none'",
        Disposition::Enforce,
    );
    assert_eq!(policies.len(), 2);
    assert_eq!(
        policies[0].directive("script-src").unwrap().values,
        ["'self'", "https:"]
    );
    assert_eq!(
        policies[0].shown(),
        "default-src 'none'; script-src 'self' https:"
    );
    assert_eq!(policies[1].shown(), "object-src 'none'");
    assert_eq!(parse(" ; , ", Disposition::Report), Vec::new());
}

#[test]
fn the_strict_policy_passes_every_rule() {
    assert_eq!(rules(&enforced(&[STRICT])), Vec::<&str>::new());
    // Hashes instead of a nonce, and X-Frame-Options instead of frame-ancestors.
    let hashed = CspHeaders {
        x_frame_options: vec!["DENY".to_owned()],
        ..enforced(
            &[&strict_with("frame-ancestors", "").replace("'nonce-r4nd0m'", "'sha256-abc='")],
        )
    };
    assert_eq!(rules(&hashed), Vec::<&str>::new());
    assert_eq!(rules(&CspHeaders::default()), Vec::<&str>::new());
}

#[test]
fn unsafe_inline_counts_only_without_nonce_hash_or_strict_dynamic() {
    let problem = only(
        &enforced(&[&strict_with("script-src", "'self' 'unsafe-inline'")]),
        PolicySource::Django,
    );
    assert_eq!(
        problem.message,
        "Content-Security-Policy lets injected inline scripts run: script-src has 'unsafe-inline' without a nonce or hash (`script-src 'self' 'unsafe-inline'`)."
    );
    assert_eq!(problem.setting, "SECURE_CSP");
    assert_eq!(
        problem.fix,
        r#"SECURE_CSP = {"script-src": [CSP.SELF, CSP.NONCE], ...}"#
    );
    for ignored in [
        "'self' 'unsafe-inline' 'nonce-abc'",
        "'unsafe-inline' 'sha384-xyz='",
        "'unsafe-inline' 'strict-dynamic'",
    ] {
        assert_eq!(
            rules(&enforced(&[&strict_with("script-src", ignored)])),
            Vec::<&str>::new(),
            "{ignored}"
        );
    }
}

#[test]
fn script_src_elem_and_attr_fall_back_to_script_src_then_default_src() {
    // Elements are nonced; handlers fall back to default-src's 'unsafe-inline'.
    let policy = "default-src 'self' 'unsafe-inline'; script-src-elem 'nonce-abc'; script-src-attr 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
    let problem = only(&enforced(&[policy]), PolicySource::Django);
    assert_eq!(
        problem.message,
        "Content-Security-Policy lets injected inline event handlers (onclick=...) run: script-src-attr has 'unsafe-inline' without a nonce or hash (`script-src-attr 'unsafe-inline'`)."
    );
    assert_eq!(
        problem.fix,
        r#"SECURE_CSP = {"script-src-attr": [CSP.NONCE], ...}"#
    );
    // Without script-src, default-src governs scripts: the fix adds script-src.
    let problem = only(
        &enforced(&[
            "default-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'",
        ]),
        PolicySource::Django,
    );
    assert!(problem.message.contains("default-src has 'unsafe-inline'"));
    assert_eq!(
        problem.fix,
        r#"SECURE_CSP = {"script-src": [CSP.SELF, CSP.NONCE], ...}"#
    );
    // Elements limited, handlers not: nothing governs them.
    let problem = only(
        &enforced(&[
            "script-src-elem 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ]),
        PolicySource::Django,
    );
    assert_eq!(problem.rule, Rule::ScriptUnrestricted);
    assert!(
        problem
            .message
            .starts_with("Content-Security-Policy does not limit inline event handlers: script-src-elem covers <script> elements only")
    );
}

#[test]
fn broad_sources_and_strict_dynamic() {
    let problem = only(
        &enforced(&[&strict_with("script-src", "'self' https: data:")]),
        PolicySource::Django,
    );
    assert_eq!(
        problem.message,
        "Content-Security-Policy lets scripts load from any host and from data: URLs: script-src allows https: and data: (`script-src 'self' https: data:`)."
    );
    assert_eq!(
        problem.fix,
        r#"SECURE_CSP = {"script-src": [CSP.SELF], ...}  # and the hosts the site loads scripts from"#
    );
    for value in ["*", "http:", "HTTPS:", "https://*"] {
        assert_eq!(
            rules(&enforced(&[&strict_with("script-src", value)])),
            ["csp_script_broad_source"],
            "{value}"
        );
    }
    // 'strict-dynamic' makes browsers ignore host and scheme sources.
    assert_eq!(
        rules(&enforced(&[&strict_with(
            "script-src",
            "'nonce-abc' 'strict-dynamic' https: 'unsafe-inline'"
        )])),
        Vec::<&str>::new()
    );
}

#[test]
fn every_enforced_policy_must_allow_a_script() {
    let loose = "script-src https: 'unsafe-inline'";
    // The second policy blocks both: nothing runs that it does not allow.
    assert_eq!(
        rules(&enforced(&[&format!("{STRICT}, {loose}")])),
        Vec::<&str>::new()
    );
    assert_eq!(rules(&enforced(&[STRICT, loose])), Vec::<&str>::new());
    // A report-only policy does not narrow what runs.
    let headers = CspHeaders {
        report_only: vec![STRICT.to_owned()],
        ..enforced(&[&strict_with("script-src", "https: 'unsafe-inline'")])
    };
    assert_eq!(
        rules(&headers),
        [
            "csp_script_unsafe_inline",
            "csp_script_broad_source",
            "csp_report_only_unreported"
        ]
    );
}

#[test]
fn a_policy_that_does_not_limit_scripts_is_reported_once() {
    let problem = only(&enforced(&["frame-ancestors 'self'"]), PolicySource::Django);
    assert_eq!(
        problem.message,
        "Content-Security-Policy does not limit scripts: it has neither script-src nor default-src (`frame-ancestors 'self'`)."
    );
    assert_eq!(
        problem.fix,
        r#"SECURE_CSP = {"script-src": [CSP.SELF, CSP.NONCE], ...}"#
    );
}

#[test]
fn object_src_base_uri_and_framing() {
    let problems = judge(
        &enforced(&["default-src 'self'; script-src 'self'"]),
        PolicySource::Django,
    );
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "Content-Security-Policy does not set object-src 'none': object-src falls back to default-src (`default-src 'self'`).",
            "Content-Security-Policy has no base-uri (it does not fall back to default-src).",
            "Neither an enforced Content-Security-Policy frame-ancestors nor an X-Frame-Options header limits who may frame the page.",
        ]
    );
    let fixes: Vec<&str> = problems.iter().map(|p| p.fix.as_str()).collect();
    assert_eq!(
        fixes,
        [
            r#"SECURE_CSP = {"object-src": [CSP.NONE], ...}"#,
            r#"SECURE_CSP = {"base-uri": [CSP.NONE], ...}"#,
            r#"SECURE_CSP = {"frame-ancestors": [CSP.SELF], ...}"#,
        ]
    );
    let problem = only(
        &enforced(&[&strict_with("object-src", "'none' https:")]),
        PolicySource::Django,
    );
    assert_eq!(
        problem.message,
        "Content-Security-Policy does not set object-src 'none': `object-src 'none' https:`."
    );
    // frame-ancestors in a report-only policy protects nothing.
    let headers = CspHeaders {
        report_only: vec![format!("{STRICT}; report-uri /r/")],
        ..enforced(&[&strict_with("frame-ancestors", "")])
    };
    assert_eq!(rules(&headers), ["csp_frame_ancestors_missing"]);
}

#[test]
fn report_only_policies() {
    let headers = CspHeaders {
        report_only: vec![STRICT.to_owned()],
        ..enforced(&[STRICT])
    };
    let problems = judge(&headers, PolicySource::Django);
    assert_eq!(
        problems.iter().map(|p| p.rule).collect::<Vec<_>>(),
        [Rule::ReportOnlyUnreported, Rule::ReportOnlyDuplicate]
    );
    assert_eq!(
        problems[0].message,
        "Content-Security-Policy-Report-Only has nowhere to report: it has no report-uri or report-to (`base-uri 'none'; default-src 'self'; frame-ancestors 'self'; object-src 'none'; script-src 'self' 'nonce-…' 'strict-dynamic'`)."
    );
    assert_eq!(
        problems[0].fix,
        r#"SECURE_CSP_REPORT_ONLY = {"report-uri": ["/csp-reports/"], ...}  # a view or service that receives the reports"#
    );
    assert_eq!(
        problems[1].fix,
        "SECURE_CSP_REPORT_ONLY = {}  # or the stricter policy you are trying out"
    );
    // report-to needs its endpoint defined by Reporting-Endpoints.
    let to = |endpoints: &[&str]| CspHeaders {
        report_only: vec![format!("{STRICT}; report-to csp")],
        reporting_endpoints: endpoints.iter().map(|value| (*value).to_owned()).collect(),
        x_frame_options: vec!["DENY".to_owned()],
        ..CspHeaders::default()
    };
    let problem = only(&to(&["other=\"https://r.example/\""]), PolicySource::Django);
    assert!(problem.message.contains(
        "report-to names `csp`, which no Reporting-Endpoints header defines, and there is no report-uri"
    ));
    assert_eq!(
        rules(&to(&["other=\"https://r.example/\", csp=\"/csp/\""])),
        Vec::<&str>::new()
    );
}

#[test]
fn a_report_only_policy_alone_is_judged_as_the_policy_to_enforce() {
    let headers = CspHeaders {
        report_only: vec!["script-src 'unsafe-inline'; report-uri /r/".to_owned()],
        x_frame_options: vec!["DENY".to_owned()],
        ..CspHeaders::default()
    };
    let problems = judge(&headers, PolicySource::Django);
    assert!(
        problems[0]
            .message
            .starts_with("Content-Security-Policy-Report-Only lets injected inline scripts run")
    );
    assert_eq!(
        problems[0].fix,
        r#"SECURE_CSP_REPORT_ONLY = {"script-src": [CSP.NONCE], ...}"#
    );
}

#[test]
fn fixes_in_django_csp_forms() {
    let headers = enforced(&[&strict_with(
        "script-src",
        "'self' 'unsafe-inline' https://cdn.example",
    )]);
    assert_eq!(
        only(&headers, PolicySource::DjangoCsp4).fix,
        r#"CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": [SELF, "https://cdn.example", NONCE], ...}}"#
    );
    let problem = only(&headers, PolicySource::DjangoCsp3);
    assert_eq!(problem.setting, "CSP_SCRIPT_SRC");
    assert_eq!(
        problem.fix,
        "CSP_SCRIPT_SRC = [\"'self'\", \"https://cdn.example\"]\nCSP_INCLUDE_NONCE_IN = [\"script-src\"]"
    );
    let report_only = CspHeaders {
        report_only: vec![STRICT.to_owned()],
        ..enforced(&[STRICT])
    };
    let problems = judge(&report_only, PolicySource::DjangoCsp4);
    assert_eq!(problems[0].setting, "CONTENT_SECURITY_POLICY_REPORT_ONLY");
}

#[test]
fn rule_names_are_distinct() {
    let names: std::collections::BTreeSet<&str> =
        Rule::ALL.iter().map(|rule| rule.name()).collect();
    assert_eq!(names.len(), Rule::ALL.len());
}
