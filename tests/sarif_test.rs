//! `release-guard check --format sarif` on the real tutorial app: the log validates against the
//! SARIF 2.1.0 JSON schema and carries one rule per finding ID with levels from severities.

use crate::support::packaging::{run, tutorial_app, validate_sarif};
use crate::support::python::{TUTORIAL_CONFIG_VARS, TUTORIAL_WITHOUT_SSL_IDS, default_venv};
use serde_json::Value;
use std::fs;
use std::process::Command;

const GUARD: &str = env!("CARGO_BIN_EXE_release-guard");

#[test]
fn blocked_tutorial_as_sarif_validates_against_the_schema() {
    let venv = default_venv();
    let (root, app) = tutorial_app("sarif");
    let check = run(Command::new(GUARD)
        .args([
            "check",
            "--format",
            "sarif",
            "--path-prefix",
            "services/web",
        ])
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", venv.bin_dir().display()),
        )
        .envs(TUTORIAL_CONFIG_VARS)
        .current_dir(&app));
    assert_eq!(check.code, Some(1), "{}", check.transcript());
    let file = root.path().join("release-guard.sarif");
    fs::write(&file, &check.stdout).expect("the scratch dir is writable");
    let validation = validate_sarif(&[&file]);
    assert_eq!(validation.code, Some(0), "{}", validation.transcript());

    let log: Value = serde_json::from_str(&check.stdout).expect("stdout is one JSON document");
    let run = &log["runs"][0];
    let results = run["results"].as_array().expect("results");
    let errors: Vec<&str> = results
        .iter()
        .filter(|result| result["level"] == "error")
        .filter_map(|result| result["ruleId"].as_str())
        .collect();
    assert_eq!(errors, TUTORIAL_WITHOUT_SSL_IDS);
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for result in results {
        let index = result["ruleIndex"]
            .as_u64()
            .and_then(|i| usize::try_from(i).ok());
        assert_eq!(
            index.map(|index| &rules[index]["id"]),
            Some(&result["ruleId"]),
            "ruleIndex points at the result's rule"
        );
    }
    let hsts = &rules[0];
    assert_eq!(hsts["id"], "security.W004");
    assert!(
        hsts["help"]["text"]
            .as_str()
            .is_some_and(|help| help.contains("Fix: SECURE_HSTS_SECONDS = 3600")),
        "{hsts}"
    );
    // Where the provenance is known, the location is relative to the repository root.
    for location in results
        .iter()
        .filter_map(|result| result["locations"][0]["physicalLocation"].as_object())
    {
        let uri = location["artifactLocation"]["uri"]
            .as_str()
            .unwrap_or_default();
        assert!(uri.starts_with("services/web/"), "{uri}");
    }
}
