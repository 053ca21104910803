//! Build-time preview: runs the freshly installed `release-guard check` in the build environment
//! (where heroku/python's venv is on PATH) and shows what the release phase would say. Advisory
//! only: nothing here can fail the build.

use crate::config::env;
use crate::finding::Severity;
use crate::redact::Redactor;
use crate::report::{Report, Verdict, plural};
use bullet_stream::style;
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
    /// `release-guard check` printed its JSON document.
    Report(Box<Report>),
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
        Ok(Some((status, stdout))) => match serde_json::from_slice::<Report>(&stdout) {
            Ok(report) => PreviewOutcome::Report(Box::new(report)),
            Err(_) => PreviewOutcome::NotRun(format!(
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
    let report = report.map_text(&|text| redactor.field(text));
    if report.verdict == Verdict::Error {
        let title = report
            .error
            .as_ref()
            .map_or("the app could not be evaluated", |error| {
                error.title.as_str()
            });
        // Typically settings that need config vars only the release phase has.
        return vec![format!(
            "Preview skipped: {title} (the release phase checks the app with its config vars)"
        )];
    }
    let mut lines: Vec<String> = report
        .findings
        .iter()
        .map(|finding| {
            let severity = match finding.severity {
                Severity::Block => "BLOCK",
                Severity::Warn => "WARN",
                Severity::Info => "INFO",
            };
            let id = style::value(&finding.id);
            let setting = finding
                .setting
                .as_ref()
                .map(|setting| format!(" ({setting})"))
                .unwrap_or_default();
            // Continuation lines of a fix align under its first line.
            let fix = finding
                .fix
                .as_ref()
                .map(|fix| format!("\nFix: {}", fix.replace('\n', "\n     ")))
                .unwrap_or_default();
            format!(
                "{severity} {id}{setting}: {}{fix}",
                first_sentence(&finding.message)
            )
        })
        .collect();
    let blocking = report
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Block)
        .count();
    lines.push(match (blocking, report.findings.len()) {
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
    use crate::config::Mode;
    use crate::finding::{Finding, Source};
    use crate::report::{EvaluationError, render_json};
    use bullet_stream::strip_ansi;

    fn lines(outcome: &PreviewOutcome) -> Vec<String> {
        preview_lines(outcome).into_iter().map(strip_ansi).collect()
    }

    /// The report as the preview reads it: through the JSON document `release-guard check`
    /// prints.
    fn printed(report: &Report) -> PreviewOutcome {
        PreviewOutcome::Report(Box::new(
            serde_json::from_str(&render_json(report)).unwrap(),
        ))
    }

    fn report(verdict: Verdict, findings: Vec<Finding>) -> Report {
        let mut report = Report::new("gate", Mode::Enforce, verdict);
        report.findings = findings;
        report
    }

    #[test]
    fn blocked_report() {
        let report = report(
            Verdict::Block,
            vec![
                Finding::new(
                    "security.W008",
                    Severity::Block,
                    Source::Django,
                    "SECURE_SSL_REDIRECT is not True. Unless your site should be available over both.",
                )
                .with_setting("SECURE_SSL_REDIRECT")
                .with_fix("SECURE_SSL_REDIRECT = True\nSECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")"),
                Finding::new(
                    "security.W021",
                    Severity::Warn,
                    Source::Django,
                    "HSTS preload is off.",
                ),
            ],
        );
        assert_eq!(
            lines(&printed(&report)),
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
        assert_eq!(
            lines(&printed(&report(Verdict::Pass, Vec::new()))),
            ["No findings: the release would pass"]
        );
        let warned = report(
            Verdict::Pass,
            vec![
                Finding::new("models.W042", Severity::Warn, Source::Django, "m1"),
                Finding::new("guard.dead_setting", Severity::Info, Source::Guard, "m2"),
            ],
        );
        assert_eq!(
            lines(&printed(&warned)),
            [
                "WARN `models.W042`: m1",
                "INFO `guard.dead_setting`: m2",
                "The release would pass with 2 findings"
            ]
        );
    }

    #[test]
    fn evaluation_error_is_one_line() {
        let mut report = report(Verdict::Error, Vec::new());
        report.error = Some(EvaluationError {
            title: "The settings module needs runtime config vars".to_string(),
            detail: "KeyError: 'SECRET_KEY'".to_string(),
            fix: "...".to_string(),
        });
        assert_eq!(
            lines(&printed(&report)),
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
