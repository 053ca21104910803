//! Snapshots for the rules' unit tests: a hardened Heroku app that every rule accepts, changed
//! one setting at a time.

use crate::config::ProxySslHeader;
use crate::finding::Finding;
use crate::gate::snapshot::{
    CheckMessage, ExemptPattern, ProxyTrust, PyValue, RedirectExempt, SecretKeyFacts,
    SimulatedResponse, Simulation, Snapshot,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// What Heroku's router (and the guard by default) expects: `X-Forwarded-Proto: https`.
pub(crate) fn heroku() -> ProxySslHeader {
    ProxySslHeader::default()
}

pub(crate) const HOST: &str = "myapp.herokuapp.com";

pub(crate) fn py(py_type: &str, value: Value, repr: &str) -> PyValue {
    PyValue {
        py_type: py_type.to_string(),
        value,
        repr: repr.to_string(),
    }
}

pub(crate) fn py_int(value: i64) -> PyValue {
    py("int", json!(value), &value.to_string())
}

pub(crate) fn py_str(value: &str) -> PyValue {
    py("str", json!(value), &format!("'{value}'"))
}

pub(crate) fn py_bool(value: bool) -> PyValue {
    py("bool", json!(value), if value { "True" } else { "False" })
}

pub(crate) fn py_none() -> PyValue {
    py("NoneType", Value::Null, "None")
}

pub(crate) fn py_list(items: &[&str]) -> PyValue {
    py("list", json!(items), &format!("[{}]", quoted_items(items)))
}

pub(crate) fn py_tuple(items: &[&str]) -> PyValue {
    py("tuple", json!(items), &format!("({})", quoted_items(items)))
}

/// The items as Python string literals, comma-separated: `'a', 'b'`.
fn quoted_items(items: &[&str]) -> String {
    items
        .iter()
        .map(|item| format!("'{item}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The probe's sample paths for `SECURE_REDIRECT_EXEMPT` (src/gate/probe/exempt.py).
pub(crate) const SAMPLE_PATHS: [&str; 6] = [
    "",
    "login/",
    "accounts/login/",
    "admin/",
    "admin/login/",
    "q7x2v9k4/any-page/",
];

pub(crate) const HARDENED_MIDDLEWARE: [&str; 7] = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
];

/// Builds snapshots: starts from a hardened app (proxy header, redirect, HSTS one year, secure
/// cookies, a clean simulation) and applies changes.
pub(crate) struct SnapshotBuilder {
    snapshot: Snapshot,
}

impl SnapshotBuilder {
    pub(crate) fn hardened() -> Self {
        let settings: BTreeMap<String, PyValue> = [
            ("DEBUG", py_bool(false)),
            ("ALLOWED_HOSTS", py_list(&[HOST])),
            ("MIDDLEWARE", py_list(&HARDENED_MIDDLEWARE)),
            (
                "INSTALLED_APPS",
                py_list(&["django.contrib.auth", "django.contrib.sessions"]),
            ),
            (
                "SECURE_PROXY_SSL_HEADER",
                py_tuple(&["HTTP_X_FORWARDED_PROTO", "https"]),
            ),
            ("SECURE_SSL_REDIRECT", py_bool(true)),
            ("SECURE_SSL_HOST", py_none()),
            ("SECURE_REDIRECT_EXEMPT", py_list(&[])),
            ("SECURE_HSTS_SECONDS", py_int(31_536_000)),
            ("SECURE_HSTS_INCLUDE_SUBDOMAINS", py_bool(false)),
            ("SECURE_HSTS_PRELOAD", py_bool(false)),
            ("SESSION_COOKIE_SECURE", py_bool(true)),
            ("SESSION_COOKIE_HTTPONLY", py_bool(true)),
            ("SESSION_COOKIE_SAMESITE", py_str("Lax")),
            ("CSRF_COOKIE_SECURE", py_bool(true)),
            ("CSRF_COOKIE_SAMESITE", py_str("Lax")),
            ("CSRF_COOKIE_HTTPONLY", py_bool(false)),
            ("CSRF_USE_SESSIONS", py_bool(false)),
            ("SILENCED_SYSTEM_CHECKS", py_list(&[])),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect();
        let https_url = format!("https://{HOST}/");
        Self {
            snapshot: Snapshot {
                django_version: "5.2.8".to_string(),
                python_version: "3.11.14".to_string(),
                settings_module: "mysite.settings".to_string(),
                checks: Vec::new(),
                database_checks_skipped: Vec::new(),
                settings,
                secret_key: SecretKeyFacts {
                    set: true,
                    long_enough: true,
                    enough_unique_characters: true,
                    insecure_prefix: false,
                    placeholder: false,
                },
                proxy_trust: ProxyTrust::default(),
                redirect_exempt: RedirectExempt {
                    sample_paths: SAMPLE_PATHS.map(String::from).to_vec(),
                    patterns: Vec::new(),
                },
                simulation: Simulation {
                    ran: true,
                    skipped_reason: None,
                    host: Some(HOST.to_string()),
                    path: Some("/".to_string()),
                    path_exempt: false,
                    traced: true,
                    http: Some(SimulatedResponse {
                        status: Some(301),
                        location: Some(https_url),
                        answered_by: Some(HARDENED_MIDDLEWARE[0].to_string()),
                        ..SimulatedResponse::default()
                    }),
                    https: Some(SimulatedResponse {
                        status: Some(200),
                        hsts: vec!["max-age=31536000".to_string()],
                        reached_view: true,
                        ..SimulatedResponse::default()
                    }),
                    https_nonce: None,
                },
                csp: crate::gate::snapshot::CspFacts::default(),
                provenance: None,
                app_output: None,
                timings: BTreeMap::new(),
                blocked: Vec::new(),
                secrets: crate::redact::Secrets::default(),
            },
        }
    }

    pub(crate) fn set(mut self, name: &str, value: PyValue) -> Self {
        self.snapshot.settings.insert(name.to_string(), value);
        self
    }

    pub(crate) fn unset(mut self, name: &str) -> Self {
        self.snapshot.settings.remove(name);
        self
    }

    pub(crate) fn check(mut self, id: &str, level: i32, silenced: bool) -> Self {
        self.snapshot.checks.push(CheckMessage {
            id: Some(id.to_string()),
            level,
            msg: format!("Django says {id}.").into(),
            hint: None,
            obj: None,
            silenced,
        });
        self
    }

    pub(crate) fn secret_key(mut self, facts: SecretKeyFacts) -> Self {
        self.snapshot.secret_key = facts;
        self
    }

    /// Adds an entry to `SECURE_REDIRECT_EXEMPT` as the probe evaluates it: the sample paths
    /// it exempts, or the error compiling it.
    pub(crate) fn exempt(mut self, pattern: &str, exempts: &[&str], error: Option<&str>) -> Self {
        self.snapshot.redirect_exempt.patterns.push(ExemptPattern {
            pattern: pattern.to_string(),
            error: error.map(String::from),
            exempts: exempts.iter().map(ToString::to_string).collect(),
        });
        self
    }

    pub(crate) fn django_version(mut self, version: &str) -> Self {
        self.snapshot.django_version = version.to_string();
        self
    }

    pub(crate) fn csp(mut self, change: impl FnOnce(&mut crate::gate::snapshot::CspFacts)) -> Self {
        change(&mut self.snapshot.csp);
        self
    }

    pub(crate) fn proxy_trust(mut self, proxy_trust: ProxyTrust) -> Self {
        self.snapshot.proxy_trust = proxy_trust;
        self
    }

    pub(crate) fn simulation(mut self, change: impl FnOnce(&mut Simulation)) -> Self {
        change(&mut self.snapshot.simulation);
        self
    }

    /// Changes the simulated plain-HTTP response.
    pub(crate) fn http(self, change: impl FnOnce(&mut SimulatedResponse)) -> Self {
        self.simulation(|simulation| change(simulation.http.get_or_insert_default()))
    }

    /// Changes the simulated HTTPS response.
    pub(crate) fn https(self, change: impl FnOnce(&mut SimulatedResponse)) -> Self {
        self.simulation(|simulation| change(simulation.https.get_or_insert_default()))
    }

    pub(crate) fn build(self) -> Snapshot {
        self.snapshot
    }
}

/// The IDs of `findings`, in order.
pub(crate) fn ids(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|finding| finding.id.as_str()).collect()
}

/// The one finding in `findings`, which must have `id`.
pub(crate) fn only_finding(findings: Vec<Finding>, id: &str) -> Finding {
    assert_eq!(ids(&findings), [id]);
    findings.into_iter().next().expect("exactly one finding")
}

/// What an undetected HTTPS request gets from `SECURE_SSL_REDIRECT`: a redirect to the same
/// URL, without HSTS.
pub(crate) fn https_redirects_to_itself(https: &mut SimulatedResponse) {
    https.status = Some(301);
    https.location = Some(format!("https://{HOST}/"));
    https.hsts.clear();
}
