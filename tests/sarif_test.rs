//! `release-guard check --format sarif` on the real tutorial app: the log validates against the
//! SARIF 2.1.0 JSON schema, carries one rule per finding ID with levels from severities, and puts
//! the settings findings on their settings.py line.

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
            .is_some_and(|help| help.contains("Fix: USE_SSL=true")),
        "{hsts}"
    );
    // The settings findings sit on the settings.py line that decides them (the `if
    // env.USE_SSL:` block), relative to the repository root with the prefix.
    let settings = fs::read_to_string(app.join("mysite/settings.py")).expect("readable");
    let use_ssl_line = settings
        .lines()
        .position(|line| line == "if env.USE_SSL:")
        .map(|index| index + 1)
        .expect("the tutorial switches HTTPS on with USE_SSL");
    // Every settings finding; the info line about Django's database checks is about no setting.
    let settings_results = results
        .iter()
        .filter(|result| result["ruleId"] != "guard.database_checks_not_run");
    for result in settings_results {
        assert_eq!(
            result["locations"],
            serde_json::json!([{ "physicalLocation": {
                "artifactLocation": { "uri": "services/web/mysite/settings.py" },
                "region": { "startLine": use_ssl_line },
            }}]),
            "{result}"
        );
        let reason = format!(
            "\nWhere: the block at mysite/settings.py:{use_ssl_line} runs only when the USE_SSL config var is true"
        );
        assert!(
            result["message"]["text"]
                .as_str()
                .is_some_and(|text| text.contains(&reason)),
            "{result}"
        );
    }
}
