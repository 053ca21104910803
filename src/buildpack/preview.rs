//! Build-time preview: runs the freshly installed `release-guard check` in the build environment
//! (where heroku/python's venv is on PATH) and shows what the release phase would say. Advisory
//! only: nothing here can fail the build.

use crate::config::env;
use crate::redact::Redactor;
use crate::report::plural;
use bullet_stream::style;
use serde_json::Value;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The probe's timeout during the build: short, since a preview must not hold a build for long.
pub const PREVIEW_TIMEOUT_SECS: u64 = 60;
/// Extra time for `release-guard` itself to start, report and exit after the probe's timeout.
const PREVIEW_GRACE: Duration = Duration::from_secs(15);
const POLL_INTERVAL: Duration = Duration::from_millis(5);

/// What running the preview produced.
#[derive(Debug, Clone, PartialEq)]
pub enum PreviewOutcome {
    /// `release-guard check` printed a Report JSON document.
    Report(Value),
    /// It could not run, timed out or printed no report; the reason is one sentence.
    NotRun(String),
}

/// Runs `<binary> check --app <app_dir> --format json` with the build's environment plus the
/// guard's launch configuration and a short probe timeout.
#[must_use]
pub fn run_preview(binary: &Path, app_dir: &Path, config_file: &Path) -> PreviewOutcome {
    let mut command = Command::new(binary);
    command
        .args(["check", "--app"])
        .arg(app_dir)
        .args(["--format", "json"])
        .env(env::TIMEOUT, PREVIEW_TIMEOUT_SECS.to_string())
        .env(env::CONFIG, config_file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let deadline = Duration::from_secs(PREVIEW_TIMEOUT_SECS) + PREVIEW_GRACE;
    match run_with_deadline(&mut command, deadline) {
        Err(error) => {
            PreviewOutcome::NotRun(format!("could not run `release-guard check` ({error})"))
        }
        Ok(None) => PreviewOutcome::NotRun(format!(
            "`release-guard check` did not finish within {} s",
            deadline.as_secs()
        )),
        Ok(Some((status, stdout))) => match serde_json::from_slice::<Value>(&stdout) {
            Ok(report) if report.get("verdict").and_then(Value::as_str).is_some() => {
                PreviewOutcome::Report(report)
            }
            _ => PreviewOutcome::NotRun(format!(
                "`release-guard check` printed no report ({status})"
            )),
        },
    }
}

/// Runs the command, collecting stdout; `Ok(None)` when it was killed at the deadline.
fn run_with_deadline(
    command: &mut Command,
    deadline: Duration,
) -> std::io::Result<Option<(std::process::ExitStatus, Vec<u8>)>> {
    let started = Instant::now();
    let mut child = command.spawn()?;
    let mut stdout = child.stdout.take();
    // Read on a thread so a chatty child never blocks on a full pipe while we wait.
    let reader = std::thread::spawn(move || {
        let mut collected = Vec::new();
        if let Some(stdout) = stdout.as_mut() {
            // A read error leaves a partial document, which then fails to parse: reported.
            let _ = stdout.read_to_end(&mut collected);
        }
        collected
    });
    loop {
        if let Some(status) = child.try_wait()? {
            let stdout = reader.join().unwrap_or_default();
            return Ok(Some((status, stdout)));
        }
        if started.elapsed() >= deadline {
            // The child may already be gone; either way it no longer runs.
            let _ = child.kill();
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// The build-log lines for the preview's outcome, one sub-bullet each. The report went through
/// `release-guard`'s own output boundary; every text taken from it goes through the boundary
/// once more before it reaches the build log.
#[must_use]
pub fn preview_lines(outcome: &PreviewOutcome) -> Vec<String> {
    let report = match outcome {
        PreviewOutcome::NotRun(reason) => return vec![format!("Preview skipped: {reason}")],
        PreviewOutcome::Report(report) => report,
    };
    let redactor = Redactor::from_env(std::env::vars_os());
    let text = |value: &Value, key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(|text| redactor.field(text))
    };
    if text(report, "verdict").as_deref() == Some("error") {
        let title = report
            .get("error")
            .and_then(|error| text(error, "title"))
            .unwrap_or_else(|| "the app could not be evaluated".to_string());
        // Typically settings that need config vars only the release phase has.
        return vec![format!(
            "Preview skipped: {title} (the release phase checks the app with its config vars)"
        )];
    }
    let findings = report
        .get("findings")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut lines: Vec<String> = findings
        .iter()
        .map(|finding| {
            let severity = text(finding, "severity")
                .unwrap_or_default()
                .to_ascii_uppercase();
            let id = style::value(text(finding, "id").unwrap_or_default());
            let setting = text(finding, "setting")
                .map(|setting| format!(" ({setting})"))
                .unwrap_or_default();
            let message = text(finding, "message").unwrap_or_default();
            // Continuation lines of a fix align under its first line.
            let fix = text(finding, "fix")
                .map(|fix| format!("\nFix: {}", fix.replace('\n', "\n     ")))
                .unwrap_or_default();
            format!(
                "{severity} {id}{setting}: {}{fix}",
                first_sentence(&message)
            )
        })
        .collect();
    let blocking = findings
        .iter()
        .filter(|finding| text(finding, "severity").as_deref() == Some("block"))
        .count();
    lines.push(match (blocking, findings.len()) {
        (0, 0) => "No findings: the release would pass".to_string(),
        (0, count) => format!("The release would pass with {}", plural(count, "finding")),
        (blocking, _) => format!(
            "The release would be blocked by {}",
            plural(blocking, "blocking finding")
        ),
    });
    lines
}

/// The build log only has room for the gist; the release log has the whole message.
fn first_sentence(message: &str) -> &str {
    message
        .find(". ")
        .map_or(message, |end| &message[..=end])
        .trim_end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bullet_stream::strip_ansi;
    use serde_json::json;

    fn lines(outcome: &PreviewOutcome) -> Vec<String> {
        preview_lines(outcome).into_iter().map(strip_ansi).collect()
    }

    #[test]
    fn blocked_report() {
        let report = json!({
            "verdict": "block",
            "findings": [
                {"id": "security.W008", "severity": "block", "source": "django",
                 "setting": "SECURE_SSL_REDIRECT",
                 "message": "SECURE_SSL_REDIRECT is not True. Unless your site should be available over both.",
                 "required": null, "why": null,
                 "fix": "SECURE_SSL_REDIRECT = True\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")",
                 "hint": null},
                {"id": "security.W021", "severity": "warn", "source": "django", "setting": null,
                 "message": "HSTS preload is off.", "required": null, "why": null, "fix": null,
                 "hint": null}
            ],
            "error": null
        });
        assert_eq!(
            lines(&PreviewOutcome::Report(report)),
            [
                "BLOCK `security.W008` (SECURE_SSL_REDIRECT): SECURE_SSL_REDIRECT is not True.\n\
                 Fix: SECURE_SSL_REDIRECT = True\n     \
                 SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")",
                "WARN `security.W021`: HSTS preload is off.",
                "The release would be blocked by 1 blocking finding",
            ]
        );
    }

    #[test]
    fn passing_reports() {
        let clean = json!({"verdict": "pass", "findings": [], "error": null});
        assert_eq!(
            lines(&PreviewOutcome::Report(clean)),
            ["No findings: the release would pass"]
        );
        let warned = json!({"verdict": "pass", "findings": [
            {"id": "a.b", "severity": "warn", "message": "m1"},
            {"id": "c.d", "severity": "info", "message": "m2"}
        ]});
        assert_eq!(
            lines(&PreviewOutcome::Report(warned)),
            [
                "WARN `a.b`: m1",
                "INFO `c.d`: m2",
                "The release would pass with 2 findings"
            ]
        );
    }

    #[test]
    fn evaluation_error_is_one_line() {
        let report = json!({"verdict": "error", "findings": [], "error": {
            "title": "The settings module needs runtime config vars",
            "detail": "KeyError: 'SECRET_KEY'", "fix": "..."}});
        assert_eq!(
            lines(&PreviewOutcome::Report(report)),
            [
                "Preview skipped: The settings module needs runtime config vars (the release phase checks the app with its config vars)"
            ]
        );
    }

    #[test]
    fn a_binary_that_cannot_run_is_one_line() {
        let missing = Path::new("/nonexistent/release-guard");
        let outcome = run_preview(missing, Path::new("."), Path::new("x.toml"));
        let lines = lines(&outcome);
        assert_eq!(lines.len(), 1);
        assert!(
            lines[0].starts_with("Preview skipped: could not run `release-guard check` ("),
            "{lines:?}"
        );
    }

    #[test]
    fn output_without_a_report_is_one_line() {
        // `true` accepts any arguments, prints nothing and exits 0.
        let outcome = run_preview(Path::new("/bin/true"), Path::new("."), Path::new("x.toml"));
        assert_eq!(
            lines(&outcome),
            ["Preview skipped: `release-guard check` printed no report (exit status: 0)"]
        );
    }

    #[test]
    fn deadline_kills_the_child() {
        let mut command = Command::new("sleep");
        command.arg("5").stdout(Stdio::piped());
        let started = Instant::now();
        let outcome = run_with_deadline(&mut command, Duration::from_millis(100)).unwrap();
        assert!(outcome.is_none());
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
