use super::super::testing::*;
use super::*;
use crate::gate::snapshot::{CspMiddleware, PyValue};
use serde_json::json;

const STRICT: &str = "default-src 'self'; script-src 'self' 'nonce-abc' 'strict-dynamic'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'";

fn policy_dict() -> PyValue {
    py(
        "dict",
        json!({"default-src": ["'self'"]}),
        "{'default-src': [\"'self'\"]}",
    )
}

fn middleware(kind: CspMiddlewareKind) -> CspMiddleware {
    let path = match kind {
        CspMiddlewareKind::Django => DJANGO_MIDDLEWARE,
        CspMiddlewareKind::DjangoCsp => DJANGO_CSP_MIDDLEWARE,
    };
    CspMiddleware {
        path: path.to_owned(),
        kind,
    }
}

/// Django 6.0 with `SECURE_CSP` and its middleware; the HTTPS responses carry `enforced`.
fn django_6(enforced: &str, without_nonce: &str) -> SnapshotBuilder {
    SnapshotBuilder::hardened()
        .django_version("6.0.1")
        .set("SECURE_CSP", policy_dict())
        .csp(|facts| facts.middleware.push(middleware(CspMiddlewareKind::Django)))
        .https(|https| https.csp.enforced = vec![without_nonce.to_owned()])
        .simulation(|simulation| {
            simulation.https_nonce = Some(SimulatedResponse {
                status: Some(200),
                reached_view: true,
                csp: CspHeaders {
                    enforced: vec![enforced.to_owned()],
                    ..CspHeaders::default()
                },
                ..SimulatedResponse::default()
            });
        })
}

#[test]
fn a_strict_policy_has_no_findings() {
    let strict = django_6(STRICT, &STRICT.replace(" 'nonce-abc'", ""));
    assert_eq!(findings(&strict.build()), Vec::new());
    // No policy configured and none sent: CSP is not adopted, nothing to say.
    assert_eq!(findings(&SnapshotBuilder::hardened().build()), Vec::new());
}

#[test]
fn secure_csp_without_the_middleware_blocks() {
    let snapshot = django_6(STRICT, STRICT)
        .csp(|facts| facts.middleware.clear())
        .build();
    let finding = only_finding(findings(&snapshot), MIDDLEWARE_MISSING);
    assert_eq!(finding.severity, Severity::Block);
    assert_eq!(
        finding.message,
        "SECURE_CSP is set, but django.middleware.csp.ContentSecurityPolicyMiddleware is not in MIDDLEWARE: Django sends no Content-Security-Policy."
    );
    assert_eq!(
        finding.fix.as_deref(),
        Some(r#"MIDDLEWARE = [..., "django.middleware.csp.ContentSecurityPolicyMiddleware"]"#)
    );
    let old_django = SnapshotBuilder::hardened()
        .set("SECURE_CSP", policy_dict())
        .set("SECURE_CSP_REPORT_ONLY", policy_dict())
        .build();
    let finding = only_finding(findings(&old_django), MIDDLEWARE_MISSING);
    assert_eq!(
        finding.message,
        "SECURE_CSP and SECURE_CSP_REPORT_ONLY are set, but Django 5.2.8 has no built-in Content Security Policy (it came in Django 6.0): nothing reads them and no policy is sent."
    );
}

#[test]
fn django_csp_settings_need_django_csp_and_its_middleware() {
    let not_installed = SnapshotBuilder::hardened()
        .django_version("6.1.3")
        .set("CSP_DEFAULT_SRC", py_tuple(&["'self'"]))
        .set("CSP_SCRIPT_SRC", py_tuple(&["'self'"]))
        .build();
    let finding = only_finding(findings(&not_installed), MIDDLEWARE_MISSING);
    assert_eq!(finding.severity, Severity::Block);
    assert_eq!(
        finding.message,
        "CSP_DEFAULT_SRC and CSP_SCRIPT_SRC configure django-csp, but django-csp is not installed: the policy is never sent."
    );
    let no_middleware = SnapshotBuilder::hardened()
        .set("CONTENT_SECURITY_POLICY", policy_dict())
        .csp(|facts| facts.django_csp_version = Some("4.0".to_owned()))
        .build();
    let finding = only_finding(findings(&no_middleware), MIDDLEWARE_MISSING);
    assert_eq!(
        finding.message,
        "CONTENT_SECURITY_POLICY configures django-csp, but csp.middleware.CSPMiddleware is not in MIDDLEWARE: the policy is never sent."
    );
    // django-csp 4 ignores version 3's settings.
    let mismatch = SnapshotBuilder::hardened()
        .set("CSP_DEFAULT_SRC", py_tuple(&["'self'"]))
        .csp(|facts| {
            facts.django_csp_version = Some("4.0".to_owned());
            facts
                .middleware
                .push(middleware(CspMiddlewareKind::DjangoCsp));
        })
        .build();
    let finding = only_finding(findings(&mismatch), MIDDLEWARE_MISSING);
    assert!(
        finding.message.contains(
            "django-csp 4.0 reads CONTENT_SECURITY_POLICY and ignores django-csp 3's CSP_* settings"
        ),
        "{}",
        finding.message
    );
    // Left over beside the policy Django 6 sends: a warning.
    let left_over = django_6(STRICT, STRICT)
        .set("CSP_DEFAULT_SRC", py_tuple(&["'self'"]))
        .build();
    let finding = only_finding(findings(&left_over), MIDDLEWARE_MISSING);
    assert_eq!(finding.severity, Severity::Warn);
}

#[test]
fn a_configured_policy_missing_from_the_response_blocks() {
    let snapshot = django_6("", "").build();
    let finding = only_finding(findings(&snapshot), NOT_SENT);
    assert_eq!(finding.severity, Severity::Block);
    assert_eq!(
        finding.message,
        "SECURE_CSP configures a policy and django.middleware.csp.ContentSecurityPolicyMiddleware is in MIDDLEWARE, but the simulated HTTPS response for https://myapp.herokuapp.com/ carries no Content-Security-Policy header."
    );
    // A response the view did not answer says nothing about the pages.
    let redirected = django_6("", "")
        .simulation(|simulation| simulation.https_nonce = None)
        .https(|https| {
            https_redirects_to_itself(https);
            https.reached_view = false;
        })
        .build();
    assert_eq!(findings(&redirected), Vec::new());
}

#[test]
fn the_policy_sent_is_judged_with_and_without_the_nonce() {
    let with_nonce = STRICT.replace("'strict-dynamic'", "'unsafe-inline'");
    let without_nonce = with_nonce.replace(" 'nonce-abc'", "");
    let found = findings(&django_6(&with_nonce, &without_nonce).build());
    let finding = only_finding(found, "guard.csp_script_unsafe_inline");
    assert_eq!(
        finding.message,
        "On pages that never read the nonce: Content-Security-Policy lets injected inline scripts run: script-src has 'unsafe-inline' without a nonce or hash (`script-src 'self' 'unsafe-inline'`)."
    );
    assert_eq!(finding.severity, Severity::Warn);
    assert_eq!(finding.setting.as_deref(), Some("SECURE_CSP"));
    assert_eq!(
        finding.fix.as_deref(),
        Some(r#"SECURE_CSP = {"script-src": [CSP.SELF, CSP.NONCE], ...}"#)
    );
    // django-csp 3 on Django 5.2: its own fix form.
    let django_csp = SnapshotBuilder::hardened()
        .csp(|facts| {
            facts.django_csp_version = Some("3.8".to_owned());
            facts
                .middleware
                .push(middleware(CspMiddlewareKind::DjangoCsp));
        })
        .set("CSP_SCRIPT_SRC", py_tuple(&["'self'", "'unsafe-inline'"]))
        .https(|https| https.csp.enforced = vec![without_nonce.clone()])
        .build();
    let finding = only_finding(findings(&django_csp), "guard.csp_script_unsafe_inline");
    assert_eq!(finding.setting.as_deref(), Some("CSP_SCRIPT_SRC"));
    assert_eq!(
        finding.fix.as_deref(),
        Some("CSP_SCRIPT_SRC = [\"'self'\"]\nCSP_INCLUDE_NONCE_IN = [\"script-src\"]")
    );
}
