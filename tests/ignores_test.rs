//! Ignores with a reason and an end date, silences the evidence contradicts, and the comparison
//! with the live site: the built `release-guard` against the tutorial and djangoproject-style
//! fixtures in the real venvs, and a live site on 127.0.0.1 behind a throwaway CA trusted
//! through `SSL_CERT_FILE`.

#![allow(clippy::unwrap_used)]

use crate::gate_test::{guard, json, stdout};
use crate::support::cnb::copy_dir;
use crate::support::packaging::validate_sarif;
use crate::support::python::{Venv, default_venv, fixture, venvs};
use crate::verify_test::{ScriptedSite, free_port};
use release_guard::date::Date;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The tutorial with HTTPS on except HSTS: Django's W004 is the one blocking finding.
const WITHOUT_HSTS: &str = "SECURE_HSTS_SECONDS = 0\n";

const USE_SSL: (&str, &str) = ("USE_SSL", "true");

/// A copy of `fixture` with `settings` appended to `settings_file` and `files` written.
fn app_copy(
    fixture_name: &str,
    name: &str,
    venv: &Venv,
    (settings_file, settings): (&str, &str),
    files: &[(&str, String)],
) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ignores-apps")
        .join(format!("{name}-{}", venv.name));
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap();
    }
    copy_dir(&fixture(fixture_name), &dir).unwrap();
    let settings_path = dir.join(settings_file);
    let mut source = std::fs::read_to_string(&settings_path).unwrap_or_default();
    source.push_str("\n# --- ignores_test scenario ---\n");
    source.push_str(settings);
    std::fs::write(&settings_path, source).unwrap();
    for (path, content) in files {
        std::fs::write(dir.join(path), content).unwrap();
    }
    dir
}

/// The tutorial without HSTS and the launch config the build would write for `project_toml`
/// (the `[com.release-guard]` table's lines).
fn tutorial_without_hsts(name: &str, project_toml: &str) -> PathBuf {
    app_copy(
        "tutorial",
        name,
        &default_venv(),
        ("mysite/settings.py", WITHOUT_HSTS),
        &[("release-guard.toml", format!("[guard]\n{project_toml}\n"))],
    )
}

/// The guard in `app_dir` with its launch config, in the default venv, which must exit `code`.
fn run(app_dir: &Path, args: &[&str], vars: &[(&str, &str)], code: i32) -> Output {
    let config = app_dir.join("release-guard.toml");
    let config = config.to_str().unwrap();
    let mut all = vec![USE_SSL, ("RELEASE_GUARD_CONFIG", config)];
    all.extend_from_slice(vars);
    let output = guard(&default_venv(), app_dir, args, &all);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{}\n{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn ids(report: &Value, list: &str, severity: Option<&str>) -> Vec<String> {
    report[list]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| severity.is_none_or(|severity| item["severity"] == severity))
        .map(|item| item["id"].as_str().unwrap().to_string())
        .collect()
}

fn days_from_today(days: i64) -> Date {
    Date::today_utc().plus_days(days)
}

#[test]
fn a_table_ignore_with_a_reason_passes_and_is_listed_with_its_reason_and_end() {
    let until = days_from_today(100);
    let app_dir = tutorial_without_hsts(
        "table-ignore",
        &format!(
            r#"ignore = [{{ id = "security.W004", reason = "HSTS is added by our CDN", until = "{until}" }}]"#
        ),
    );
    let text = stdout(&run(&app_dir, &[], &[], 0));
    assert!(
        text.contains(&format!(
            "\nSILENCED (1)\n  security.W004 (project.toml, until {until}): HSTS is added by our CDN\n"
        )),
        "{text}"
    );
    assert!(
        text.ends_with(&format!("\n1 ignored, 1 expiring on {until}\n")),
        "{text}"
    );
    let report = json(&run(&app_dir, &["--format", "json"], &[], 0));
    let silenced = &report["silenced"][0];
    assert_eq!(
        (
            &silenced["id"],
            &silenced["source"],
            &silenced["reason"],
            &silenced["until"]
        ),
        (
            &Value::from("security.W004"),
            &Value::from("project.toml"),
            &Value::from("HSTS is added by our CDN"),
            &Value::from(until.to_string())
        )
    );
    assert_eq!(silenced["finding"]["severity"], "block");
    // With an ignore from the environment too, ending on a date: validated against the schema.
    let sarif_output = run(
        &app_dir,
        &["--format", "sarif"],
        &[(
            "RELEASE_GUARD_IGNORE",
            "guard.database_checks_not_run@2099-01-01",
        )],
        0,
    );
    let sarif_file = app_dir.join("release-guard.sarif");
    std::fs::write(&sarif_file, &sarif_output.stdout).unwrap();
    let validation = validate_sarif(&[&sarif_file]);
    assert_eq!(validation.code, Some(0), "{}", validation.transcript());
    let sarif = json(&sarif_output);
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["ruleId"] == "security.W004")
        .collect();
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert_eq!(
        suppressed[0]["suppressions"][0]["justification"],
        "HSTS is added by our CDN"
    );
}

#[test]
fn an_ignore_whose_date_has_passed_blocks_and_names_the_date_reason_and_renewal() {
    for (name, days) in [("expired-yesterday", -1), ("expired-today", 0)] {
        let until = days_from_today(days);
        let app_dir = tutorial_without_hsts(
            name,
            &format!(
                r#"ignore = [{{ id = "security.W004", reason = "HSTS is added by our CDN", until = "{until}" }}]"#
            ),
        );
        let text = stdout(&run(&app_dir, &[], &[], 1));
        assert!(text.contains("\nBLOCKING (1)\n- security.W004 "), "{text}");
        assert!(
            text.contains(&format!(
                "\nThe ignore of security.W004 in project.toml expired on {until} (reason: HSTS is added by our CDN): security.W004 counts again. To renew it, set a later `until` on the entry in project.toml's [com.release-guard] ignore and deploy again.\n"
            )),
            "{text}"
        );
        assert!(!text.contains("SILENCED"), "{text}");
        let report = json(&run(&app_dir, &["--format", "json"], &[], 1));
        assert_eq!(report["silenced"], Value::Array(Vec::new()));
    }
    // The same from the environment.
    let app_dir = tutorial_without_hsts("expired-env", "");
    let until = days_from_today(-30);
    let entry = format!("security.W004@{until}");
    let text = stdout(&run(&app_dir, &[], &[("RELEASE_GUARD_IGNORE", &entry)], 1));
    assert!(
        text.contains(&format!("The ignore of security.W004 in RELEASE_GUARD_IGNORE expired on {until} (reason: no reason given): security.W004 counts again. To renew it, give it a later date in the RELEASE_GUARD_IGNORE config var (security.W004@YYYY-MM-DD).")),
        "{text}"
    );
}

#[test]
fn an_ignore_ending_within_14_days_warns_with_the_date() {
    let until = days_from_today(5);
    let app_dir = tutorial_without_hsts(
        "expiring",
        &format!(
            r#"ignore = [{{ id = "security.W004", reason = "HSTS is added by our CDN", until = "{until}" }}]"#
        ),
    );
    let report = json(&run(&app_dir, &["--format", "json"], &[], 0));
    assert_eq!(
        ids(&report, "findings", Some("warn")),
        ["guard.ignore_expiring"]
    );
    let warning = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["id"] == "guard.ignore_expiring")
        .unwrap();
    assert_eq!(
        warning["message"],
        format!(
            "The ignore of security.W004 in project.toml (reason: HSTS is added by our CDN) ends on {until}, in 5 days: from then on security.W004 counts again."
        )
    );
    assert_eq!(ids(&report, "silenced", None), ["security.W004"]);
}

#[test]
fn plain_ids_still_work_and_are_listed_without_a_reason() {
    let app_dir = tutorial_without_hsts("plain-ids", r#"ignore = ["security.W004"]"#);
    let text = stdout(&run(&app_dir, &[], &[], 0));
    assert!(
        text.contains("\n  security.W004 (project.toml): no reason given\n"),
        "{text}"
    );
    assert!(text.ends_with("\n1 ignored\n"), "{text}");
    let from_env = tutorial_without_hsts("plain-ids-env", "");
    let report = json(&run(
        &from_env,
        &["--format", "json"],
        &[("RELEASE_GUARD_IGNORE", "security.W004")],
        0,
    ));
    assert_eq!(report["silenced"][0]["source"], "RELEASE_GUARD_IGNORE");
    assert_eq!(report["silenced"][0]["reason"], Value::Null);
}

#[test]
fn a_table_without_a_reason_or_a_bad_date_is_a_configuration_error() {
    let app_dir = tutorial_without_hsts("no-reason", r#"ignore = [{ id = "security.W004" }]"#);
    let text = stdout(&run(&app_dir, &[], &[], 2));
    assert!(
        text.contains("an `ignore` table needs a `reason` (why the finding does not apply here)"),
        "{text}"
    );
    let text = stdout(&run(
        &app_dir,
        &[],
        &[
            ("RELEASE_GUARD_CONFIG", ""),
            ("RELEASE_GUARD_IGNORE", "security.W004@2027-02-30"),
        ],
        2,
    ));
    assert!(
        text.contains(
            "RELEASE_GUARD_IGNORE is invalid: `2027-02-30` is not a date written YYYY-MM-DD (UTC)"
        ),
        "{text}"
    );
}

/// djangoproject.com's settings run without its secrets file: the key falls back to `'a'`, and
/// W009 is silenced because "the key comes from our secrets".
const DJANGOPROJECT_WITHOUT_SECRETS: &str = r#"
from .prod import *  # noqa: F403
from .common import SECRETS

SECRET_KEY = str(SECRETS.get("secret_key", "a"))
# The key comes from our secrets.
SILENCED_SYSTEM_CHECKS = ["security.W009"]
"#;

#[test]
fn a_silenced_w009_with_a_key_nobody_chooses_blocks_and_says_why() {
    for venv in venvs() {
        let app_dir = app_copy(
            "djangoproject",
            "djangoproject-no-secrets",
            &venv,
            (
                "djangoproject/settings/no_secrets.py",
                DJANGOPROJECT_WITHOUT_SECRETS,
            ),
            &[],
        );
        let vars = [(
            "DJANGO_SETTINGS_MODULE",
            "djangoproject.settings.no_secrets",
        )];
        let output = guard(&venv, &app_dir, &["--format", "json"], &vars);
        assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
        let report = json(&output);
        assert_eq!(
            ids(&report, "findings", Some("block")),
            ["security.W009"],
            "{}",
            venv.name
        );
        let message = report["findings"][0]["message"].as_str().unwrap();
        assert!(
            message.contains(" Silenced by SILENCED_SYSTEM_CHECKS, but the silence does not hold: SECRET_KEY has fewer than 5 distinct characters, a key nobody chooses on purpose"),
            "{}: {message}",
            venv.name
        );
        assert!(!ids(&report, "silenced", None).contains(&"security.W009".to_string()));
        assert_eq!(report["findings"][0]["silence_overruled"], true);
    }
    // Another ignore would not hold either: the log does not suggest one.
    let venv = default_venv();
    let app_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("ignores-apps")
        .join(format!("djangoproject-no-secrets-{}", venv.name));
    let vars = [(
        "DJANGO_SETTINGS_MODULE",
        "djangoproject.settings.no_secrets",
    )];
    let text = stdout(&guard(&venv, &app_dir, &[], &vars));
    assert!(text.contains("\nRelease blocked: 1 problem\n"), "{text}");
    assert!(!text.contains("Ignore one check"), "{text}");
}

/// The tutorial with HTTPS on (HSTS 3600 s with subdomains and preload) compared with a live
/// site on 127.0.0.1 running `scenario`, trusted through `SSL_CERT_FILE`.
fn compared_with(scenario: &str, extra_settings: &str, code: i32) -> (Value, String) {
    let (ca, site) = ScriptedSite::start_with_new_ca(scenario, &format!("live-{scenario}"));
    let app_dir = app_copy(
        "tutorial",
        &format!("live-{scenario}-{}", extra_settings.len()),
        &default_venv(),
        ("mysite/settings.py", extra_settings),
        &[("release-guard.toml", String::new())],
    );
    let live_url = format!("https://localhost:{}/", site.ports.https);
    let pem = ca.pem();
    let vars = [
        ("RELEASE_GUARD_LIVE_URL", live_url.as_str()),
        ("SSL_CERT_FILE", pem.to_str().unwrap()),
    ];
    let report = json(&run(&app_dir, &["--format", "json"], &vars, code));
    let text = stdout(&run(&app_dir, &[], &vars, code));
    // One HTTPS request per run: the tutorial redirects plain HTTP itself.
    assert_eq!(site.requests(2), 2, "{text}");
    (report, text)
}

#[test]
fn a_live_site_with_stronger_hsts_blocks_and_says_what_it_sends() {
    let (report, text) = compared_with("good", "", 1);
    assert_eq!(
        ids(&report, "findings", Some("block")),
        ["guard.live_hsts_weakened"]
    );
    let message = report["findings"][0]["message"].as_str().unwrap();
    assert!(
        message.ends_with("/ sends Strict-Transport-Security `max-age=31536000; includeSubDomains`; this release would send `max-age=3600; includeSubDomains; preload` (max-age lowered from 31536000 to 3600 s)."),
        "{message}"
    );
    assert!(
        text.contains(
            "
  Fix: SECURE_HSTS_SECONDS = 31536000
"
        ),
        "{text}"
    );
}

#[test]
fn a_live_site_with_equal_or_weaker_hsts_passes() {
    for scenario in ["tutorial_hsts", "weak_hsts"] {
        let (report, text) = compared_with(scenario, "", 0);
        assert_eq!(
            ids(&report, "findings", Some("block")),
            Vec::<String>::new()
        );
        assert!(
            text.contains(": this release is not weaker.\n"),
            "{scenario}: {text}"
        );
    }
}

#[test]
fn the_live_site_confirms_a_silenced_w004_in_the_silenced_list() {
    let silenced = "SECURE_HSTS_SECONDS = 0\nSILENCED_SYSTEM_CHECKS = [\"security.W004\"]\n";
    let (report, text) = compared_with("good", silenced, 0);
    assert_eq!(ids(&report, "silenced", None), ["security.W004"]);
    assert!(
        report["silenced"][0]["confirmed"]
            .as_str()
            .unwrap()
            .ends_with("sends Strict-Transport-Security `max-age=31536000; includeSubDomains`"),
        "{report}"
    );
    assert!(
        text.contains("\n    Confirmed: the live site https://localhost:"),
        "{text}"
    );
}

#[test]
fn an_unreachable_live_site_is_an_info_line_never_a_block() {
    let app_dir = tutorial_without_hsts("live-unreachable", "");
    let live_url = format!("https://127.0.0.1:{}/", free_port());
    let report = json(&run(
        &app_dir,
        &["--format", "json"],
        &[
            ("RELEASE_GUARD_LIVE_URL", &live_url),
            ("RELEASE_GUARD_IGNORE", "security.W004"),
        ],
        0,
    ));
    assert_eq!(
        ids(&report, "findings", Some("info")),
        [
            "guard.database_checks_not_run",
            "guard.live_site_unreachable"
        ]
    );
    let message = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["id"] == "guard.live_site_unreachable")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        message,
        format!(
            "The live site {live_url} could not be compared with this release: connection refused. This release is judged on its own."
        )
    );
}
