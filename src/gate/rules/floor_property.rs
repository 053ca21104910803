//! The floor's property over generated settings: with Django's check registry cleared the
//! verdict is never weaker than with it intact. "Intact" is an independent transcription of
//! Django's deploy checks, not the floor's table.

use super::super::testing::*;
use super::*;
use crate::gate::policy::{Evidence, Policy};
use crate::gate::snapshot::{CheckMessage, SecretKeyFacts};
use crate::test_generator::Generator;
use std::collections::BTreeSet;

/// Django's deploy checks for the settings the generator varies, transcribed from
/// django/core/checks/security/{base,csrf,sessions}.py (4.2 to 6.1) independently of
/// `FLOOR`: the IDs Django reports, with their levels.
fn django_reference(snapshot: &Snapshot) -> Vec<(&'static str, i32)> {
    let value = |name: &str| setting(snapshot, name);
    let is_true = |name: &str| value(name).is_some_and(PyValue::is_true);
    let truthy = |name: &str| value(name).is_some_and(PyValue::truthy);
    let middleware = |path: &str| has_middleware(snapshot, path);
    let security = middleware(SECURITY_MIDDLEWARE);
    let csrf = middleware(CSRF_MIDDLEWARE);
    let session_app = setting_contains(snapshot, "INSTALLED_APPS", "django.contrib.sessions");
    let session_middleware = middleware(SESSION_MIDDLEWARE);
    let mut reported = Vec::new();
    let mut warn = |fires: bool, id| {
        if fires {
            reported.push((id, 30));
        }
    };
    warn(!security, "security.W001");
    warn(
        !middleware("django.middleware.clickjacking.XFrameOptionsMiddleware"),
        "security.W002",
    );
    warn(!csrf, "security.W003");
    warn(security && !truthy("SECURE_HSTS_SECONDS"), "security.W004");
    warn(
        security && truthy("SECURE_HSTS_SECONDS") && !is_true("SECURE_HSTS_INCLUDE_SUBDOMAINS"),
        "security.W005",
    );
    warn(
        security && !is_true("SECURE_CONTENT_TYPE_NOSNIFF"),
        "security.W006",
    );
    warn(security && !is_true("SECURE_SSL_REDIRECT"), "security.W008");
    let key = &snapshot.secret_key;
    warn(
        !(key.set && key.long_enough && key.enough_unique_characters && !key.insecure_prefix),
        "security.W009",
    );
    for (flag, [app_only, middleware_only, both]) in [
        (
            "SESSION_COOKIE_SECURE",
            ["security.W010", "security.W011", "security.W012"],
        ),
        (
            "SESSION_COOKIE_HTTPONLY",
            ["security.W013", "security.W014", "security.W015"],
        ),
    ] {
        if !is_true(flag) {
            warn(session_app && session_middleware, both);
            warn(session_app && !session_middleware, app_only);
            warn(!session_app && session_middleware, middleware_only);
        }
    }
    warn(
        csrf && !truthy("CSRF_USE_SESSIONS") && !is_true("CSRF_COOKIE_SECURE"),
        "security.W016",
    );
    warn(truthy("DEBUG"), "security.W018");
    warn(!truthy("ALLOWED_HOSTS"), "security.W020");
    warn(
        security && truthy("SECURE_HSTS_SECONDS") && !is_true("SECURE_HSTS_PRELOAD"),
        "security.W021",
    );
    let referrer = value("SECURE_REFERRER_POLICY").map(|policy| &policy.value);
    warn(security && referrer == Some(&Value::Null), "security.W022");
    if security {
        let policies: Option<Vec<String>> = match referrer {
            Some(Value::String(text)) => {
                Some(text.split(',').map(|part| part.trim().to_owned()).collect())
            }
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .map(|item| item.as_str().unwrap_or("").to_owned())
                    .collect(),
            ),
            _ => None,
        };
        if policies.is_some_and(|policies| {
            policies
                .iter()
                .any(|policy| !REFERRER_POLICY_VALUES.contains(&policy.as_str()))
        }) {
            reported.push(("security.E023", 40));
        }
        let opener = value("SECURE_CROSS_ORIGIN_OPENER_POLICY");
        if opener.is_some_and(|opener| {
            opener.value != Value::Null
                && !opener
                    .as_str()
                    .is_some_and(|text| CROSS_ORIGIN_OPENER_POLICY_VALUES.contains(&text))
        }) {
            reported.push(("security.E024", 40));
        }
    }
    reported
}

/// A random combination of the settings the floor reads (and a few it does not), with the
/// values apps really write: exact True, merely truthy, falsy, strings.
fn generated_settings(generator: &mut Generator) -> SnapshotBuilder {
    let flags = [
        py_bool(true),
        py_bool(false),
        py_int(1),
        py_str("yes"),
        py_none(),
        py_int(0),
    ];
    let flag = |generator: &mut Generator| generator.pick(&flags).clone();
    let middleware: Vec<&str> = [
        SECURITY_MIDDLEWARE,
        SESSION_MIDDLEWARE,
        CSRF_MIDDLEWARE,
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]
    .into_iter()
    .filter(|_| generator.flip())
    .collect();
    let apps: &[&str] = if generator.flip() {
        &["django.contrib.sessions"]
    } else {
        &["django.contrib.auth"]
    };
    let key = SecretKeyFacts {
        set: generator.below(8) != 0,
        long_enough: generator.below(4) != 0,
        enough_unique_characters: generator.below(8) != 0,
        insecure_prefix: generator.below(4) == 0,
        placeholder: generator.below(8) == 0,
    };
    let hsts = [
        py_int(0),
        py_int(3600),
        py_int(31_536_000),
        py_str("0"),
        py_none(),
    ];
    let allowed_hosts: [&[&str]; 3] = [&[], &["www.example.com"], &["*"]];
    let referrer = [
        py_str("same-origin"),
        py_none(),
        py_str("no-referrer, strict-origin"),
        py_str("same-origin, nope"),
        py_list(&["origin", "bad"]),
    ];
    let opener = [py_str("same-origin"), py_none(), py_str("bogus")];
    let debug = [py_bool(false), py_bool(true), py_str("False"), py_str("")];
    SnapshotBuilder::hardened()
        .set("MIDDLEWARE", py_list(&middleware))
        .set("INSTALLED_APPS", py_list(apps))
        .secret_key(key)
        .set("SECURE_HSTS_SECONDS", generator.pick(&hsts).clone())
        .set("SECURE_HSTS_INCLUDE_SUBDOMAINS", flag(generator))
        .set("SECURE_HSTS_PRELOAD", flag(generator))
        .set("SECURE_SSL_REDIRECT", flag(generator))
        .set("SECURE_CONTENT_TYPE_NOSNIFF", flag(generator))
        .set("SESSION_COOKIE_SECURE", flag(generator))
        .set("SESSION_COOKIE_HTTPONLY", flag(generator))
        .set("CSRF_COOKIE_SECURE", flag(generator))
        .set("CSRF_USE_SESSIONS", flag(generator))
        .set("DEBUG", generator.pick(&debug).clone())
        .set(
            "ALLOWED_HOSTS",
            py_list(allowed_hosts[generator.below(allowed_hosts.len())]),
        )
        .set("SECURE_REFERRER_POLICY", generator.pick(&referrer).clone())
        .set(
            "SECURE_CROSS_ORIGIN_OPENER_POLICY",
            generator.pick(&opener).clone(),
        )
}

/// (ID, severity) of every finding that counts, after the default policy.
fn verdict(snapshot: &Snapshot) -> BTreeSet<(String, Severity)> {
    let evidence = Evidence {
        snapshot,
        today: "2027-03-17".parse().expect("a date"),
        live: None,
    };
    Policy::default()
        .apply(super::super::all(snapshot, &heroku()), &evidence)
        .findings
        .into_iter()
        .map(|finding| (finding.id, finding.severity))
        .collect()
}

#[test]
fn property_clearing_django_s_checks_never_weakens_the_verdict() {
    let mut generator = Generator::new(0xf100);
    let mut fired = BTreeSet::new();
    for _ in 0..3000 {
        let cleared = generated_settings(&mut generator).build();
        let reported = django_reference(&cleared);
        let mut intact = cleared.clone();
        for (id, level) in &reported {
            intact.checks.push(CheckMessage {
                id: Some((*id).to_owned()),
                level: *level,
                msg: format!("Django says {id}.").into(),
                hint: None,
                obj: None,
                silenced: false,
            });
            fired.insert(*id);
        }
        let (intact, cleared) = (verdict(&intact), verdict(&cleared));
        let blocking = |verdict: &BTreeSet<(String, Severity)>| -> BTreeSet<String> {
            verdict
                .iter()
                .filter(|(_, severity)| *severity == Severity::Block)
                .map(|(id, _)| id.clone())
                .collect()
        };
        let (blocked_intact, blocked_cleared) = (blocking(&intact), blocking(&cleared));
        assert!(
            blocked_intact.is_subset(&blocked_cleared),
            "clearing the registry unblocked {:?}; Django reported {reported:?}",
            blocked_intact
                .difference(&blocked_cleared)
                .collect::<Vec<_>>()
        );
        // For the checks the floor holds, the same IDs at the same severity.
        let floor: BTreeSet<&str> = floor_check_ids().collect();
        let held = |verdict: &BTreeSet<(String, Severity)>| -> BTreeSet<(String, Severity)> {
            verdict
                .iter()
                .filter(|(id, _)| floor.contains(id.as_str()))
                .cloned()
                .collect()
        };
        assert_eq!(
            held(&intact),
            held(&cleared),
            "Django reported {reported:?}"
        );
    }
    // The generator reached every check the floor holds.
    for id in floor_check_ids() {
        assert!(fired.contains(id), "{id} never fired");
    }
}
