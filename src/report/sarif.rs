//! `--format sarif`: a SARIF 2.1.0 log for GitHub code scanning and other viewers.
//!
//! One rule per finding ID (its help text is the finding's required value, why and fix), one
//! result per finding with the level taken from the severity, and a physical location when the
//! finding knows the file and line where the setting gets its value. Silenced findings are
//! results with a suppression, so viewers list them as dismissed rather than not at all.

use super::{Report, SilenceSource, SilencedFinding, TOOL_BANNER, Verdict};
use crate::finding::{Finding, Location, Severity, Source};
use serde_json::{Value, json};
use std::fmt::Write as _;

/// The schema every log names (the OASIS errata 01 schema, as `SchemaStore` serves it).
const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The whole report as one SARIF 2.1.0 log with a single run.
#[must_use]
pub fn render_sarif(report: &Report) -> String {
    let findings = report.findings.iter().map(|finding| (finding, None)).chain(
        report
            .silenced
            .iter()
            .map(|silenced| (&silenced.finding, Some(silenced))),
    );
    let mut rule_ids: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for (finding, silence) in findings {
        let rule_index = if let Some(index) = rule_ids.iter().position(|id| *id == finding.id) {
            index
        } else {
            rule_ids.push(&finding.id);
            rules.push(rule(finding));
            rule_ids.len() - 1
        };
        results.push(result(finding, rule_index, silence));
    }
    let mut invocation = json!({ "executionSuccessful": report.verdict != Verdict::Error });
    if let Some(error) = &report.error {
        invocation["toolExecutionNotifications"] = json!([{
            "level": "error",
            "message": { "text": format!("{}\n{}\nFix: {}", error.title, error.detail, error.fix) },
        }]);
    }
    let mut properties = json!({
        "verdict": report.verdict,
        "mode": report.mode,
    });
    if let Some(version) = &report.django_version {
        properties["djangoVersion"] = json!(version);
    }
    if let Some(module) = &report.settings_module {
        properties["settingsModule"] = json!(module);
    }
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "Django Release Guard",
                "fullName": TOOL_BANNER,
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "invocations": [invocation],
            "results": results,
            "properties": properties,
        }],
    });
    // Only strings, numbers and enums with string forms: serialising cannot fail.
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Block => "error",
        Severity::Warn => "warning",
        Severity::Info => "note",
    }
}

/// The rule a finding ID stands for, described by the first finding seen with that ID.
fn rule(finding: &Finding) -> Value {
    let source = match finding.source {
        Source::Django => "django",
        Source::Guard => "guard",
        Source::Verify => "verify",
    };
    let mut tags = vec!["security", source];
    if let Some(setting) = &finding.setting {
        tags.push(setting);
    }
    json!({
        "id": finding.id,
        "shortDescription": { "text": short_description(finding) },
        "fullDescription": { "text": finding.message },
        "help": { "text": help_text(finding) },
        "defaultConfiguration": { "level": level(finding.severity) },
        "properties": { "tags": tags },
    })
}

/// `SECURE_HSTS_SECONDS: You have not set a value for the SECURE_HSTS_SECONDS setting.`: the
/// setting and the message's first sentence.
fn short_description(finding: &Finding) -> String {
    let first_sentence = finding
        .message
        .split_inclusive(". ")
        .next()
        .unwrap_or_default()
        .trim_end();
    match &finding.setting {
        Some(setting) => format!("{setting}: {first_sentence}"),
        None => first_sentence.to_string(),
    }
}

/// What the release log says under the message: required value, why, Django's hint and the fix.
fn help_text(finding: &Finding) -> String {
    let labelled = [
        ("Required", &finding.required),
        ("Why", &finding.why),
        ("Hint", &finding.hint),
        ("Fix", &finding.fix),
    ];
    let parts: Vec<String> = labelled
        .into_iter()
        .filter_map(|(label, text)| text.as_ref().map(|text| format!("{label}: {text}")))
        .collect();
    if parts.is_empty() {
        finding.message.clone()
    } else {
        parts.join("\n")
    }
}

fn result(finding: &Finding, rule_index: usize, silence: Option<&SilencedFinding>) -> Value {
    let mut result = json!({
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": level(finding.severity),
        "message": { "text": result_message(finding) },
    });
    if let Some(location) = &finding.location {
        result["locations"] = json!([physical_location(location)]);
    }
    if let Some(silence) = silence {
        result["suppressions"] = json!([suppression(silence)]);
    }
    result
}

/// `SILENCED_SYSTEM_CHECKS` lives in the settings (source); `ignore` in project.toml or the
/// environment. The justification is the ignore's reason.
fn suppression(silence: &SilencedFinding) -> Value {
    let kind = match silence.source {
        SilenceSource::SilencedSystemChecks => "inSource",
        SilenceSource::ProjectToml | SilenceSource::ReleaseGuardIgnore => "external",
    };
    let justification = silence
        .reason
        .clone()
        .unwrap_or_else(|| format!("no reason given (listed in {})", silence.source));
    let mut suppression = json!({ "kind": kind, "justification": justification });
    let mut properties = serde_json::Map::new();
    properties.insert("source".to_string(), json!(silence.source));
    if let Some(until) = silence.until {
        properties.insert("until".to_string(), json!(until));
    }
    if let Some(confirmed) = &silence.confirmed {
        properties.insert("confirmed".to_string(), json!(confirmed));
    }
    suppression["properties"] = Value::Object(properties);
    suppression
}

/// The message, then where the app sets the setting (the advice's reasons, as the release log
/// shows them under `Where:`): that differs from one app to the next, so it is not rule help.
fn result_message(finding: &Finding) -> String {
    let mut text = finding.message.clone();
    let mut reasons: Vec<&str> = Vec::new();
    for advice in &finding.advice {
        if !reasons.contains(&advice.reason.as_str()) {
            reasons.push(&advice.reason);
            text.push_str("\nWhere: ");
            text.push_str(&advice.reason);
        }
    }
    text
}

fn physical_location(location: &Location) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_reference(&location.file) },
            "region": { "startLine": location.line.max(1) },
        }
    })
}

/// A relative path as a URI reference: `/`-separated, anything outside RFC 3986's unreserved
/// characters percent-encoded (a space in a directory name must not end the URI).
fn uri_reference(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(uri, "%{byte:02X}");
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Mode;
    use crate::finding::{Advice, Change};
    use crate::report::EvaluationError;
    use crate::report::testing::blocked_report;

    fn sarif(report: &Report) -> Value {
        serde_json::from_str(&render_sarif(report)).unwrap()
    }

    #[test]
    fn one_rule_per_finding_id_and_levels_from_severities() {
        let mut report = blocked_report(Mode::Enforce);
        let settings = Location {
            file: "mysite/settings.py".to_string(),
            line: 30,
        };
        report.findings[0].location = Some(settings.clone());
        let reason =
            "the block at mysite/settings.py:30 runs only when the USE_SSL config var is true";
        report.findings[0].advice = vec![
            Advice {
                setting: "SECURE_HSTS_SECONDS".to_string(),
                change: Change::SetConfigVar {
                    config_var: "USE_SSL".to_string(),
                    value: "true".to_string(),
                },
                location: Some(settings),
                reason: reason.to_string(),
            };
            2
        ];
        let log = sarif(&report);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "Django Release Guard");
        assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let rule_ids: Vec<&str> = rules
            .iter()
            .map(|rule| rule["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            rule_ids,
            [
                "security.W004",
                "security.W008",
                "guard.hsts_seconds_short",
                "security.W021"
            ]
        );
        assert_eq!(
            rules[0]["shortDescription"]["text"],
            "SECURE_HSTS_SECONDS: You have not set a value for the SECURE_HSTS_SECONDS setting."
        );
        assert_eq!(
            rules[0]["help"]["text"],
            "Required: a positive whole number of seconds\nFix: SECURE_HSTS_SECONDS = 3600"
        );
        assert_eq!(rules[2]["help"]["text"], "Why: Because.");
        assert_eq!(rules[3]["help"]["text"], "x");
        assert_eq!(
            rules[0]["properties"]["tags"],
            json!(["security", "django", "SECURE_HSTS_SECONDS"])
        );

        let results = run["results"].as_array().unwrap();
        let levels: Vec<(&str, &str, u64)> = results
            .iter()
            .map(|result| {
                (
                    result["ruleId"].as_str().unwrap(),
                    result["level"].as_str().unwrap(),
                    result["ruleIndex"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            levels,
            [
                ("security.W004", "error", 0),
                ("security.W008", "error", 1),
                ("guard.hsts_seconds_short", "warning", 2),
                ("security.W021", "warning", 3),
            ]
        );
        assert_eq!(
            results[0]["locations"],
            json!([{ "physicalLocation": {
                "artifactLocation": { "uri": "mysite/settings.py" },
                "region": { "startLine": 30 },
            }}])
        );
        assert!(results[1].get("locations").is_none());
        assert_eq!(
            results[0]["message"]["text"],
            format!("{}\nWhere: {reason}", report.findings[0].message)
        );
        assert_eq!(
            results[1]["message"]["text"],
            "SECURE_SSL_REDIRECT is not set to True."
        );
        assert_eq!(results[3]["suppressions"][0]["kind"], "inSource");
        assert!(results[0].get("suppressions").is_none());
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        assert_eq!(run["properties"]["verdict"], "block");
        assert_eq!(run["properties"]["settingsModule"], "mysite.settings");
    }

    #[test]
    fn a_suppression_without_a_reason_says_so_and_where_it_is_listed() {
        let log = sarif(&blocked_report(Mode::Enforce));
        assert_eq!(
            log["runs"][0]["results"][3]["suppressions"],
            json!([{
                "kind": "inSource",
                "justification": "no reason given (listed in SILENCED_SYSTEM_CHECKS)",
                "properties": { "source": "SILENCED_SYSTEM_CHECKS" },
            }])
        );
    }

    #[test]
    fn an_app_that_could_not_be_evaluated_is_a_failed_invocation() {
        let mut report = blocked_report(Mode::Enforce);
        report.findings.clear();
        report.silenced.clear();
        report.verdict = Verdict::Error;
        report.error = Some(EvaluationError {
            title: "Loading mysite.settings failed".to_string(),
            detail: "KeyError: 'SECRET_KEY'".to_string(),
            fix: "Set the config var.".to_string(),
        });
        let log = sarif(&report);
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["message"]["text"],
            "Loading mysite.settings failed\nKeyError: 'SECRET_KEY'\nFix: Set the config var."
        );
        assert_eq!(log["runs"][0]["results"], json!([]));
    }

    #[test]
    fn a_path_prefix_makes_locations_relative_to_the_repository() {
        let mut report = blocked_report(Mode::Enforce);
        let settings = Location {
            file: "mysite/settings.py".to_string(),
            line: 30,
        };
        report.findings[0].location = Some(settings.clone());
        report.findings[0].advice = vec![Advice {
            setting: "SECURE_HSTS_SECONDS".to_string(),
            change: Change::AddLine {
                text: "SECURE_HSTS_SECONDS = 3600".to_string(),
            },
            location: Some(settings.clone()),
            reason: "the settings module ends here".to_string(),
        }];
        report.silenced[0].finding.location = Some(settings);
        report.silenced[0].source = SilenceSource::ProjectToml;
        report.silenced[0].reason = Some("HSTS is added by our CDN".to_string());
        report.silenced[0].until = "2027-03-31".parse().ok();
        report.prefix_locations("services/web/");
        assert_eq!(
            report.findings[0].advice[0]
                .location
                .as_ref()
                .map(|at| at.file.as_str()),
            Some("services/web/mysite/settings.py")
        );
        let log = sarif(&report);
        let results = &log["runs"][0]["results"];
        for index in [0, 3] {
            assert_eq!(
                results[index]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                "services/web/mysite/settings.py"
            );
        }
        assert_eq!(
            results[3]["suppressions"],
            json!([{
                "kind": "external",
                "justification": "HSTS is added by our CDN",
                "properties": { "source": "project.toml", "until": "2027-03-31" },
            }])
        );
    }

    #[test]
    fn the_sarif_log_passes_the_output_boundary() {
        let secret = "s3cr3t-0123456789-abcdefghijklmnop";
        let redactor = crate::redact::Redactor::from_env([("SECRET_KEY", secret)]);
        let mut report = blocked_report(Mode::Enforce);
        report.findings[0].message = format!("The key {secret} is weak.");
        let shown = crate::report::render(
            &report,
            crate::report::Format::Sarif,
            crate::report::Style::Plain,
            &redactor,
        );
        assert!(!shown.contains(secret), "{shown}");
        let log: Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(log["version"], "2.1.0");
    }

    #[test]
    fn locations_are_uri_references() {
        assert_eq!(uri_reference("mysite/settings.py"), "mysite/settings.py");
        assert_eq!(
            uri_reference("my site/settings#1.py"),
            "my%20site/settings%231.py"
        );
        assert_eq!(uri_reference("app\\settings.py"), "app/settings.py");
        assert_eq!(uri_reference("café.py"), "caf%C3%A9.py");
    }
}
