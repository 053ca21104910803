//! Content Security Policy: a policy that is configured but never sent blocks (as a dead proxy
//! header does), and the policy the simulated HTTPS response really carries is judged by the
//! rules verify also applies to a live site (`crate::headers::csp`). Django checks only that
//! `SECURE_CSP` is a dict (security.E026) and, from 6.1, the nonce's context processor
//! (security.W027).

use super::truthy;
use crate::finding::{Finding, Severity, Source};
use crate::gate::snapshot::{CspMiddlewareKind, SimulatedResponse, Snapshot};
use crate::headers::csp::{self, CspHeaders, CspProblem, Disposition, PolicySource};

pub(super) use crate::finding_ids::guard::CSP_MIDDLEWARE_MISSING as MIDDLEWARE_MISSING;
pub(super) use crate::finding_ids::guard::CSP_NOT_SENT as NOT_SENT;

const DJANGO_MIDDLEWARE: &str = "django.middleware.csp.ContentSecurityPolicyMiddleware";
const DJANGO_CSP_MIDDLEWARE: &str = "csp.middleware.CSPMiddleware";
const DJANGO_SETTINGS: [&str; 2] = ["SECURE_CSP", "SECURE_CSP_REPORT_ONLY"];
/// django-csp 4's settings; version 3 reads one `CSP_*` setting per directive instead.
const DJANGO_CSP_4_SETTINGS: [&str; 2] = [
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
];
const NOT_SENT_WHY: &str = "The policy in the settings protects nothing until a response carries it: browsers apply only the header they receive.";

pub(super) fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    let mut findings: Vec<Finding> = django_policy_unsent(snapshot).into_iter().collect();
    findings.extend(django_csp_policy_unsent(snapshot));
    findings.extend(sent_policy_findings(snapshot));
    findings
}

/// The Django release as (major, minor), when the version says.
fn django_release(snapshot: &Snapshot) -> Option<(u32, u32)> {
    let mut parts = snapshot.django_version.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

fn has_builtin_csp(snapshot: &Snapshot) -> bool {
    django_release(snapshot).is_some_and(|release| release >= (6, 0))
}

fn has_csp_middleware(snapshot: &Snapshot, kind: CspMiddlewareKind) -> bool {
    snapshot
        .csp
        .middleware
        .iter()
        .any(|middleware| middleware.kind == kind)
}

/// The named settings that hold a policy (truthy), in order.
fn configured<'a>(snapshot: &Snapshot, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names
        .into_iter()
        .filter(|name| truthy(snapshot, name))
        .collect()
}

/// django-csp 3's settings the app defines (`CSP_DEFAULT_SRC`, ...).
fn django_csp_3_settings(snapshot: &Snapshot) -> Vec<&str> {
    snapshot
        .settings
        .keys()
        .map(String::as_str)
        .filter(|name| name.starts_with("CSP_"))
        .collect()
}

/// "A is" / "A and B are".
fn are(names: &[&str]) -> String {
    let verb = if names.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", names.join(" and "))
}

fn django_csp_major(snapshot: &Snapshot) -> Option<u32> {
    snapshot
        .csp
        .django_csp_version
        .as_deref()?
        .split('.')
        .next()?
        .parse()
        .ok()
}

/// Django 6's policy is sent (`SECURE_CSP` with its middleware on Django 6).
fn django_policy_live(snapshot: &Snapshot) -> bool {
    has_builtin_csp(snapshot)
        && has_csp_middleware(snapshot, CspMiddlewareKind::Django)
        && !configured(snapshot, DJANGO_SETTINGS).is_empty()
}

fn django_policy_unsent(snapshot: &Snapshot) -> Option<Finding> {
    let names = configured(snapshot, DJANGO_SETTINGS);
    if names.is_empty() {
        return None;
    }
    let (message, required, fix) = if has_builtin_csp(snapshot) {
        if has_csp_middleware(snapshot, CspMiddlewareKind::Django) {
            return None;
        }
        (
            format!(
                "{} set, but {DJANGO_MIDDLEWARE} is not in MIDDLEWARE: Django sends no Content-Security-Policy.",
                are(&names)
            ),
            format!("{DJANGO_MIDDLEWARE} in MIDDLEWARE"),
            format!("MIDDLEWARE = [..., \"{DJANGO_MIDDLEWARE}\"]"),
        )
    } else {
        (
            format!(
                "{} set, but Django {} has no built-in Content Security Policy (it came in Django 6.0): nothing reads {} and no policy is sent.",
                are(&names),
                snapshot.django_version,
                if names.len() == 1 { "it" } else { "them" },
            ),
            "Django 6.0 or later with its CSP middleware, or django-csp on this Django".to_owned(),
            format!(
                "CONTENT_SECURITY_POLICY = {{\"DIRECTIVES\": {{...}}}}  # django-csp 4, with \"{DJANGO_CSP_MIDDLEWARE}\" in MIDDLEWARE"
            ),
        )
    };
    Some(
        Finding::new(MIDDLEWARE_MISSING, Severity::Block, Source::Guard, message)
            .with_setting(names[0])
            .with_required(required)
            .with_why(NOT_SENT_WHY)
            .with_fix(fix),
    )
}

fn django_csp_policy_unsent(snapshot: &Snapshot) -> Option<Finding> {
    let version_4 = configured(snapshot, DJANGO_CSP_4_SETTINGS);
    let version_3 = django_csp_3_settings(snapshot);
    let names: Vec<&str> = version_4.iter().chain(&version_3).copied().collect();
    if names.is_empty() {
        return None;
    }
    let (problem, fix) = match django_csp_major(snapshot) {
        None => (
            "django-csp is not installed".to_owned(),
            if has_builtin_csp(snapshot) {
                format!(
                    "SECURE_CSP = {{...}}  # Django's own CSP: move the policy here, with \"{DJANGO_MIDDLEWARE}\" in MIDDLEWARE"
                )
            } else {
                format!("pip install django-csp, and add \"{DJANGO_CSP_MIDDLEWARE}\" to MIDDLEWARE")
            },
        ),
        Some(major) if major >= 4 && version_4.is_empty() => (
            format!(
                "django-csp {} reads CONTENT_SECURITY_POLICY and ignores django-csp 3's CSP_* settings",
                version(snapshot)
            ),
            format!(
                "CONTENT_SECURITY_POLICY = {{\"DIRECTIVES\": {{...}}}}  # see django-csp's migration guide; \"{DJANGO_CSP_MIDDLEWARE}\" in MIDDLEWARE"
            ),
        ),
        Some(major) if major < 4 && version_3.is_empty() => (
            format!(
                "django-csp {} reads the CSP_* settings and ignores django-csp 4's CONTENT_SECURITY_POLICY",
                version(snapshot)
            ),
            format!(
                "pip install \"django-csp>=4\"  # with \"{DJANGO_CSP_MIDDLEWARE}\" in MIDDLEWARE"
            ),
        ),
        Some(_) if !has_csp_middleware(snapshot, CspMiddlewareKind::DjangoCsp) => (
            format!("{DJANGO_CSP_MIDDLEWARE} is not in MIDDLEWARE"),
            format!("MIDDLEWARE = [..., \"{DJANGO_CSP_MIDDLEWARE}\"]"),
        ),
        Some(_) => return None,
    };
    let names = &names[..names.len().min(3)];
    let ellipsis = if version_4.len() + version_3.len() > names.len() {
        ", ..."
    } else {
        ""
    };
    // Left over beside a policy Django 6 sends itself: worth deleting, not worth blocking.
    let severity = if django_policy_live(snapshot) {
        Severity::Warn
    } else {
        Severity::Block
    };
    Some(
        Finding::new(
            MIDDLEWARE_MISSING,
            severity,
            Source::Guard,
            format!(
                "{}{ellipsis} {} django-csp, but {problem}: the policy is never sent.",
                names.join(" and "),
                if names.len() == 1 { "configures" } else { "configure" },
            ),
        )
        .with_setting(names[0])
        .with_required("django-csp installed, its middleware in MIDDLEWARE and the settings of its version; or the settings deleted")
        .with_why(NOT_SENT_WHY)
        .with_fix(fix),
    )
}

fn version(snapshot: &Snapshot) -> &str {
    snapshot.csp.django_csp_version.as_deref().unwrap_or("?")
}

/// Where the app configures its policy, for the form of each fix.
fn policy_source(snapshot: &Snapshot) -> PolicySource {
    let django_csp = if django_csp_major(snapshot).is_some_and(|major| major < 4) {
        PolicySource::DjangoCsp3
    } else {
        PolicySource::DjangoCsp4
    };
    if has_builtin_csp(snapshot) && !has_csp_middleware(snapshot, CspMiddlewareKind::DjangoCsp) {
        PolicySource::Django
    } else {
        django_csp
    }
}

/// A response whose policy can be judged: the stand-in view answered it.
fn judgeable(response: Option<&SimulatedResponse>) -> Option<&SimulatedResponse> {
    response.filter(|response| response.reached_view && response.error.is_none())
}

/// The headers the working middleware should have put on the response.
fn expected(snapshot: &Snapshot) -> Vec<(&'static str, Disposition)> {
    let mut expected = Vec::new();
    if django_policy_live(snapshot) {
        for (name, disposition) in DJANGO_SETTINGS
            .into_iter()
            .zip([Disposition::Enforce, Disposition::Report])
        {
            if truthy(snapshot, name) {
                expected.push((name, disposition));
            }
        }
    }
    if has_csp_middleware(snapshot, CspMiddlewareKind::DjangoCsp) {
        match django_csp_major(snapshot) {
            Some(major) if major >= 4 => {
                for (name, disposition) in DJANGO_CSP_4_SETTINGS
                    .into_iter()
                    .zip([Disposition::Enforce, Disposition::Report])
                {
                    if truthy(snapshot, name) {
                        expected.push((name, disposition));
                    }
                }
            }
            // django-csp 3 always sends a policy (default-src 'self' at least).
            Some(_) if truthy(snapshot, "CSP_REPORT_ONLY") => {
                expected.push(("CSP_REPORT_ONLY", Disposition::Report));
            }
            Some(_) => expected.push(("CSP_DEFAULT_SRC", Disposition::Enforce)),
            None => {}
        }
    }
    expected
}

fn sent_policy_findings(snapshot: &Snapshot) -> Vec<Finding> {
    let simulation = &snapshot.simulation;
    let Some(response) =
        judgeable(simulation.https_nonce.as_ref()).or_else(|| judgeable(simulation.https.as_ref()))
    else {
        return Vec::new();
    };
    let url = format!(
        "https://{}{}",
        simulation.host.as_deref().unwrap_or("localhost"),
        simulation.path.as_deref().unwrap_or("/")
    );
    let mut findings: Vec<Finding> = expected(snapshot)
        .into_iter()
        .filter(|(_, disposition)| !carries(&response.csp, *disposition))
        .map(|(setting_name, disposition)| not_sent(snapshot, setting_name, disposition, &url))
        .collect();
    let source = policy_source(snapshot);
    let problems = csp::judge(&response.csp, source);
    // Pages that never read the nonce get the policy without it, which can open what the
    // nonce closed ('unsafe-inline' counts again; a directive of only the nonce disappears).
    let without_nonce: Vec<CspProblem> = match judgeable(simulation.https.as_ref()) {
        Some(plain) if simulation.https_nonce.is_some() => csp::judge(&plain.csp, source)
            .into_iter()
            .filter(|problem| !problems.iter().any(|found| found.rule == problem.rule))
            .collect(),
        _ => Vec::new(),
    };
    findings.extend(
        problems
            .into_iter()
            .map(|problem| problem.into_finding("guard", Source::Guard)),
    );
    findings.extend(without_nonce.into_iter().map(|mut problem| {
        problem.message = format!("On pages that never read the nonce: {}", problem.message);
        problem.why = format!(
            "{} Django and django-csp leave the nonce out of the header of a response that never read it, and drop a directive left empty.",
            problem.why
        );
        problem.into_finding("guard", Source::Guard)
    }));
    findings
}

fn carries(headers: &CspHeaders, disposition: Disposition) -> bool {
    headers
        .policies()
        .iter()
        .any(|policy| policy.disposition == disposition)
}

fn not_sent(
    snapshot: &Snapshot,
    setting_name: &str,
    disposition: Disposition,
    url: &str,
) -> Finding {
    let middleware = snapshot
        .csp
        .middleware
        .iter()
        .map(|middleware| middleware.path.as_str())
        .collect::<Vec<_>>()
        .join(" and ");
    let header = disposition.header();
    Finding::new(
        NOT_SENT,
        Severity::Block,
        Source::Guard,
        format!(
            "{setting_name} configures a policy and {middleware} is in MIDDLEWARE, but the simulated HTTPS response for {url} carries no {header} header."
        ),
    )
    .with_setting(setting_name)
    .with_required(format!("a {header} header on every HTTPS page"))
    .with_why(format!("{NOT_SENT_WHY} Something keeps the middleware's header off the response: a middleware listed before it that deletes or empties the header, or a setting that exempts the path."))
    .with_fix(format!("Find what removes the {header} header: run the app locally and request {url}."))
}

#[cfg(test)]
mod tests;
