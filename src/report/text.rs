//! The release log: what `heroku releases:output` shows.

use super::{
    EvaluationError, ModeSource, Platform, Report, SilencedFinding, TOOL_BANNER, Verdict,
    fix_lines, plural,
};
use crate::config::{Mode, env};
use crate::finding::{Advice, Change, Finding, Location, Severity};
use std::fmt::Write as _;

/// How the text log is decorated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Plain text: files, pipes and `heroku releases:output`.
    Plain,
    /// ANSI colours, for a terminal.
    Colour,
}

impl Style {
    /// Colour only on a terminal, and never when `NO_COLOR` is set to a non-empty value
    /// (<https://no-color.org>).
    #[must_use]
    pub fn detect(stdout_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> Self {
        let colour_disabled = no_color.is_some_and(|value| !value.is_empty());
        if stdout_is_terminal && !colour_disabled {
            Self::Colour
        } else {
            Self::Plain
        }
    }

    fn paint(self, text: &str, ansi: &str) -> String {
        match self {
            Self::Plain => text.to_string(),
            Self::Colour => format!("\x1b[{ansi}m{text}\x1b[0m"),
        }
    }
}

const BOLD_RED: &str = "1;31";
const BOLD_YELLOW: &str = "1;33";
const BOLD_GREEN: &str = "1;32";
const BOLD: &str = "1";
const DIM: &str = "2";

/// Column at which prose is wrapped; code lines (`Fix:`) are never wrapped.
const WRAP_WIDTH: usize = 100;

/// The release log: header, blocking findings, warnings, notes, silenced findings, one verdict
/// line and, when the release is blocked, the escape hatch.
#[must_use]
pub fn render_text(report: &Report, style: Style) -> String {
    if report.mode == Mode::Off {
        return format!(
            "{TOOL_BANNER}: {}, no checks run; the release goes ahead unchecked.\n",
            mode_switch(report)
        );
    }
    let mut out = String::new();
    out.push_str(&style.paint(&header(report), BOLD));
    out.push('\n');
    if report.mode == Mode::Warn {
        out.push_str(&style.paint(&not_enforcing_notice(report), BOLD_YELLOW));
        out.push('\n');
    }
    if let Some(text) = &report.app_output {
        out.push('\n');
        out.push_str(&style.paint("APP OUTPUT (while loading, shortened)", DIM));
        out.push('\n');
        for line in text.lines() {
            push_lines(&mut out, "  ", &[line]);
        }
    }
    if let Some(error) = &report.error {
        out.push('\n');
        render_error(&mut out, error, style);
    }
    let sections = [
        (Severity::Block, "BLOCKING", BOLD_RED),
        (Severity::Warn, "WARNINGS", BOLD_YELLOW),
        (Severity::Info, "INFO", BOLD),
    ];
    for (severity, title, ansi) in sections {
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|finding| finding.severity == severity)
            .collect();
        if findings.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(&style.paint(&format!("{title} ({})", findings.len()), ansi));
        out.push('\n');
        for finding in findings {
            render_finding(&mut out, finding, style, ansi);
        }
    }
    if !report.silenced.is_empty() {
        out.push('\n');
        out.push_str(&style.paint(&format!("SILENCED ({})", report.silenced.len()), DIM));
        out.push('\n');
        for silenced in &report.silenced {
            render_silenced(&mut out, silenced);
        }
    }
    out.push('\n');
    for note in &report.notes {
        out.push_str(note);
        out.push('\n');
    }
    let (verdict, ansi) = verdict_line(report);
    out.push_str(&style.paint(&verdict, ansi));
    out.push('\n');
    for line in closing_advice(report) {
        out.push_str(&line);
        out.push('\n');
    }
    if let Some(count) = silenced_count(report) {
        out.push_str(&count);
        out.push('\n');
    }
    out
}

/// `security.W004 (project.toml, until 2027-03-31): HSTS is added by our CDN`, then what the
/// live site showed, if anything.
fn render_silenced(out: &mut String, silenced: &SilencedFinding) {
    let until = silenced
        .until
        .map(|until| format!(", until {until}"))
        .unwrap_or_default();
    let reason = silenced.reason.as_deref().unwrap_or("no reason given");
    push_lines(
        out,
        "  ",
        &[
            &silenced.id,
            " (",
            silenced.source.as_str(),
            &until,
            "): ",
            reason,
        ],
    );
    if let Some(confirmed) = &silenced.confirmed {
        push_labelled(out, "  Confirmed", &format!("{confirmed}."));
    }
}

/// The log's last line when anything is silenced: `3 ignored, 1 expiring on 2027-03-31`.
fn silenced_count(report: &Report) -> Option<String> {
    if report.silenced.is_empty() {
        return None;
    }
    let mut ends: Vec<_> = report.silenced.iter().filter_map(|s| s.until).collect();
    ends.sort();
    let mut line = format!("{} ignored", report.silenced.len());
    match (ends.first(), ends.last()) {
        (Some(first), Some(last)) if first == last => {
            let _ = write!(line, ", {} expiring on {first}", ends.len());
        }
        (Some(first), Some(_)) => {
            let _ = write!(line, ", {} expiring, the first on {first}", ends.len());
        }
        _ => {}
    }
    Some(line)
}

/// The switch that set the mode, as the log names it (the config var when unknown).
fn mode_switch(report: &Report) -> String {
    report
        .mode_source
        .unwrap_or(ModeSource::ConfigVar)
        .describe(report.mode)
}

fn not_enforcing_notice(report: &Report) -> String {
    format!(
        "NOT ENFORCING ({}): this release goes out whatever the findings below say.",
        mode_switch(report)
    )
}

fn header(report: &Report) -> String {
    let mut parts = vec![TOOL_BANNER.to_string()];
    if report.tool != "gate" {
        parts.push(report.tool.to_string());
    }
    if let Some(version) = &report.django_version {
        parts.push(format!("Django {version}"));
    }
    if let Some(module) = &report.settings_module {
        parts.push(format!("settings {module}"));
    }
    parts.join(" | ")
}

fn render_error(out: &mut String, error: &EvaluationError, style: Style) {
    out.push_str(&style.paint(&format!("COULD NOT EVALUATE: {}", error.title), BOLD_RED));
    out.push('\n');
    for line in error.detail.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    push_labelled(out, "Fix", &error.fix);
}

fn render_finding(out: &mut String, finding: &Finding, style: Style, ansi: &str) {
    let title = match &finding.setting {
        Some(setting) => format!("{} ({setting})", finding.id),
        None => finding.id.clone(),
    };
    out.push_str("- ");
    out.push_str(&style.paint(&title, ansi));
    out.push('\n');
    push_wrapped(out, &finding.message, "  ");
    if let Some(hint) = &finding.hint {
        push_labelled(out, "Hint", hint);
    }
    if let Some(required) = &finding.required {
        push_labelled(out, "Required", required);
    }
    if let Some(why) = &finding.why {
        push_labelled(out, "Why", why);
    }
    if let Some(fix) = &finding.fix {
        // Code is copied verbatim into settings.py: one line each, never wrapped.
        for (index, line) in fix.lines().enumerate() {
            let label = if index == 0 { "  Fix: " } else { "       " };
            push_lines(out, label, &[line]);
        }
    }
    let mut reasons: Vec<&str> = Vec::new();
    for advice in &finding.advice {
        if !reasons.contains(&advice.reason.as_str()) {
            reasons.push(&advice.reason);
            push_labelled(out, "Where", &advice.reason);
        }
    }
}

/// Appends `indent`, the parts and a line break.
fn push_lines(out: &mut String, indent: &str, parts: &[&str]) {
    out.push_str(indent);
    for part in parts {
        out.push_str(part);
    }
    out.push('\n');
}

/// `  Label: text`, wrapped with continuation lines aligned under the text.
fn push_labelled(out: &mut String, label: &str, text: &str) {
    let first = format!("  {label}: ");
    let rest = " ".repeat(first.len());
    push_wrapped_with(out, text, &first, &rest);
}

fn push_wrapped(out: &mut String, text: &str, indent: &str) {
    push_wrapped_with(out, text, indent, indent);
}

/// Greedy word wrap at `WRAP_WIDTH`; explicit line breaks in `text` are kept.
fn push_wrapped_with(out: &mut String, text: &str, first_indent: &str, indent: &str) {
    let mut prefix = first_indent;
    for paragraph in text.lines() {
        let mut line = String::from(prefix);
        let mut line_has_words = false;
        for word in paragraph.split_whitespace() {
            if line_has_words && line.chars().count() + 1 + word.chars().count() > WRAP_WIDTH {
                out.push_str(&line);
                out.push('\n');
                line = String::from(indent);
                line_has_words = false;
            }
            if line_has_words {
                line.push(' ');
            }
            line.push_str(word);
            line_has_words = true;
        }
        out.push_str(line.trim_end());
        out.push('\n');
        prefix = indent;
    }
}

/// What the verdict line calls the thing being judged.
fn subject(report: &Report) -> (&'static str, &'static str, &'static str) {
    // (name, passed, failed)
    if report.tool == "gate" {
        ("Release", "passed", "blocked")
    } else {
        ("Site check", "passed", "failed")
    }
}

fn verdict_line(report: &Report) -> (String, &'static str) {
    let (name, passed, failed) = subject(report);
    let blocking = report.count(Severity::Block);
    let warnings = report.count(Severity::Warn);
    let enforcing = report.mode != Mode::Warn;
    match report.verdict {
        Verdict::Error if enforcing => (
            format!("{name} {failed}: it could not be evaluated"),
            BOLD_RED,
        ),
        Verdict::Error => (
            format!("{name} {passed} (NOT ENFORCING): it could not be evaluated"),
            BOLD_YELLOW,
        ),
        Verdict::Block if enforcing => (
            format!("{name} {failed}: {}", plural(blocking, "problem")),
            BOLD_RED,
        ),
        Verdict::Block => (
            format!(
                "{name} {passed} (NOT ENFORCING): {} would have blocked it",
                plural(blocking, "problem")
            ),
            BOLD_YELLOW,
        ),
        Verdict::Pass if warnings > 0 => (
            format!("{name} {passed} with {}", plural(warnings, "warning")),
            BOLD_YELLOW,
        ),
        Verdict::Pass => (format!("{name} {passed}"), BOLD_GREEN),
    }
}

/// The escape hatch after a failed release, or the way back after a non-enforced one, written
/// for where the guard runs. Only the gate has modes; `verify` reports stand alone.
fn closing_advice(report: &Report) -> Vec<String> {
    if report.tool != "gate" || report.verdict == Verdict::Pass {
        return Vec::new();
    }
    let platform = report.platform;
    if report.mode == Mode::Warn {
        return vec![match report.mode_source {
            Some(ModeSource::Flag) => "Enforce again: run without --mode warn".to_string(),
            _ => format!(
                "Enforce again: {}",
                platform.set_command(&format!("{}=enforce", env::MODE))
            ),
        }];
    }
    let blocking: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|finding| finding.severity == Severity::Block)
        .collect();
    let mut advice = closing_fixes(&blocking, platform);
    advice.push(format!(
        "Deploy anyway: {}",
        platform.set_command(&format!("{}=warn", env::MODE))
    ));
    // Ignoring a check that protects users is never the advice, nor ignoring one whose
    // silence the evidence overruled.
    if let Some(ignorable) = blocking
        .iter()
        .find(|finding| !finding.protects_users && !finding.silence_overruled)
    {
        advice.push(format!(
            "Ignore one check: {}",
            platform.set_command(&format!("{}={}", env::IGNORE, ignorable.id))
        ));
    }
    advice
}

/// One `Fix:` line per kind of change, collected from every blocking finding: the config var
/// commands, the files to change, and the findings whose fix is shown above without a file.
fn closing_fixes(blocking: &[&Finding], platform: Platform) -> Vec<String> {
    let blocking_advice = || blocking.iter().flat_map(|finding| &finding.advice);
    let mut lines: Vec<String> = fix_lines(
        blocking_advice().filter(|advice| is_config_var_change(advice)),
        platform,
    )
    .into_iter()
    .map(|line| format!("Fix: {line}"))
    .collect();
    let mut files: Vec<&str> = Vec::new();
    let mut elsewhere: Vec<&str> = Vec::new();
    for finding in blocking {
        let code_locations: Vec<&Location> = if finding.advice.is_empty() {
            finding.location.iter().collect()
        } else {
            finding
                .advice
                .iter()
                .filter(|advice| !is_config_var_change(advice))
                .filter_map(|advice| advice.location.as_ref())
                .collect()
        };
        for at in code_locations {
            if !files.contains(&at.file.as_str()) {
                files.push(&at.file);
            }
        }
        if finding.advice.is_empty() && finding.location.is_none() && finding.fix.is_some() {
            elsewhere.push(&finding.id);
        }
    }
    if !files.is_empty() {
        lines.push(format!(
            "Fix: change {} as shown above, then deploy again",
            files.join(" and ")
        ));
    }
    if !elsewhere.is_empty() {
        lines.push(format!(
            "Fix: apply the fix shown above for {}, then deploy again",
            elsewhere.join(" and ")
        ));
    }
    lines
}

fn is_config_var_change(advice: &Advice) -> bool {
    matches!(
        advice.change,
        Change::SetConfigVar { .. } | Change::UnsetConfigVar { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testing::blocked_report;
    use indoc::{formatdoc, indoc};

    #[test]
    fn blocked_log_lists_findings_then_one_verdict_and_the_escape_hatch() {
        let expected = formatdoc! {r#"
            {TOOL_BANNER} | Django 5.2 | settings mysite.settings

            BLOCKING (2)
            - security.W004 (SECURE_HSTS_SECONDS)
              You have not set a value for the SECURE_HSTS_SECONDS setting. If your entire site is served only
              over SSL, you may want to consider setting a value and enabling HTTP Strict Transport Security.
              Required: a positive whole number of seconds
              Fix: SECURE_HSTS_SECONDS = 3600
            - security.W008
              SECURE_SSL_REDIRECT is not set to True.
              Fix: SECURE_SSL_REDIRECT = True
                   SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

            WARNINGS (1)
            - guard.hsts_seconds_short
              Short.
              Why: Because.

            SILENCED (1)
              security.W021 (SILENCED_SYSTEM_CHECKS): no reason given

            Release blocked: 2 problems
            Fix: apply the fix shown above for security.W004 and security.W008, then deploy again
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
            1 ignored
        "#};
        assert_eq!(
            render_text(&blocked_report(Mode::Enforce), Style::Plain),
            expected
        );
    }

    #[test]
    fn closing_lines_follow_the_platform_and_collect_every_blocking_fix() {
        let mut report = blocked_report(Mode::Enforce);
        report.platform = Platform::Other;
        report.findings[0].advice = vec![Advice {
            setting: "SECURE_HSTS_SECONDS".to_string(),
            change: Change::SetConfigVar {
                config_var: "HSTS_SECONDS".to_string(),
                value: "3600".to_string(),
            },
            location: None,
            reason: "reads it".to_string(),
        }];
        let middleware = Finding::new(
            "security.W001",
            Severity::Block,
            crate::finding::Source::Django,
            "No SecurityMiddleware.",
        )
        .with_setting("MIDDLEWARE")
        .with_fix("MIDDLEWARE = [...]");
        report.findings.push(Finding {
            location: Some(Location {
                file: "mysite/settings.py".to_string(),
                line: 40,
            }),
            protects_users: true,
            ..middleware
        });
        let text = render_text(&report, Style::Plain);
        assert!(
            text.ends_with(indoc! {"
                Release blocked: 3 problems
                Fix: HSTS_SECONDS=3600
                Fix: change mysite/settings.py as shown above, then deploy again
                Fix: apply the fix shown above for security.W008, then deploy again
                Deploy anyway: RELEASE_GUARD_MODE=warn
                1 ignored
            "}),
            "{text}"
        );
        report.mode = Mode::Warn;
        assert!(text_ends_with(
            &report,
            "Enforce again: RELEASE_GUARD_MODE=enforce\n1 ignored\n"
        ));
    }

    fn text_ends_with(report: &Report, end: &str) -> bool {
        render_text(report, Style::Plain).ends_with(end)
    }

    #[test]
    fn warn_mode_is_loud_and_says_how_to_enforce_again() {
        let text = render_text(&blocked_report(Mode::Warn), Style::Plain);
        assert!(text.contains("\nNOT ENFORCING (RELEASE_GUARD_MODE=warn): this release goes out whatever the findings below say.\n"));
        assert!(text.ends_with(indoc! {"
            Release passed (NOT ENFORCING): 2 problems would have blocked it
            Enforce again: heroku config:set RELEASE_GUARD_MODE=enforce
            1 ignored
        "}));
    }

    #[test]
    fn verdict_lines() {
        let mut report = blocked_report(Mode::Enforce);
        report
            .findings
            .retain(|finding| finding.severity != Severity::Block);
        report.verdict = Verdict::Pass;
        assert!(
            render_text(&report, Style::Plain)
                .ends_with("\nRelease passed with 1 warning\n1 ignored\n")
        );
        report.findings.clear();
        assert!(render_text(&report, Style::Plain).ends_with("\nRelease passed\n1 ignored\n"));
        report.silenced.clear();
        assert!(render_text(&report, Style::Plain).ends_with("\nRelease passed\n"));
        report.tool = "verify".into();
        assert!(render_text(&report, Style::Plain).ends_with("\nSite check passed\n"));
    }

    #[test]
    fn the_silenced_list_names_source_reason_end_and_confirmation_and_the_log_ends_with_a_count() {
        let mut report = blocked_report(Mode::Enforce);
        report.findings.clear();
        report.verdict = Verdict::Pass;
        let template = report.silenced[0].clone();
        report.silenced = vec![
            SilencedFinding {
                id: "security.W004".to_string(),
                source: super::super::SilenceSource::ProjectToml,
                reason: Some("HSTS is added by our CDN".to_string()),
                until: "2027-03-31".parse().ok(),
                confirmed: Some("the live site https://www.example.com/ sends Strict-Transport-Security `max-age=31536000`".to_string()),
                ..template.clone()
            },
            SilencedFinding {
                id: "security.W008".to_string(),
                source: super::super::SilenceSource::ReleaseGuardIgnore,
                until: "2027-05-01".parse().ok(),
                ..template.clone()
            },
            template,
        ];
        let text = render_text(&report, Style::Plain);
        assert!(
            text.ends_with(indoc! {"
                SILENCED (3)
                  security.W004 (project.toml, until 2027-03-31): HSTS is added by our CDN
                    Confirmed: the live site https://www.example.com/ sends Strict-Transport-Security
                               `max-age=31536000`.
                  security.W008 (RELEASE_GUARD_IGNORE, until 2027-05-01): no reason given
                  security.W021 (SILENCED_SYSTEM_CHECKS): no reason given

                Release passed
                3 ignored, 2 expiring, the first on 2027-03-31
            "}),
            "{text}"
        );
        report.silenced.remove(1);
        let text = render_text(&report, Style::Plain);
        assert!(
            text.ends_with("\n2 ignored, 1 expiring on 2027-03-31\n"),
            "{text}"
        );
    }

    #[test]
    fn evaluation_error_shows_detail_fix_and_escape_hatch() {
        let mut report = blocked_report(Mode::Enforce);
        report.findings.clear();
        report.silenced.clear();
        report.django_version = None;
        report.verdict = Verdict::Error;
        report.error = Some(EvaluationError {
            title: "The settings module failed to import".to_string(),
            detail: "KeyError: 'SECRET_KEY'\n  mysite/settings.py:12 in <module>".to_string(),
            fix: "Set the config var.".to_string(),
        });
        let expected = formatdoc! {"
            {TOOL_BANNER} | settings mysite.settings

            COULD NOT EVALUATE: The settings module failed to import
              KeyError: 'SECRET_KEY'
                mysite/settings.py:12 in <module>
              Fix: Set the config var.

            Release blocked: it could not be evaluated
            Deploy anyway: heroku config:set RELEASE_GUARD_MODE=warn
        "};
        assert_eq!(render_text(&report, Style::Plain), expected);
    }

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        use std::ffi::OsStr;
        assert_eq!(Style::detect(true, None), Style::Colour);
        assert_eq!(Style::detect(true, Some(OsStr::new(""))), Style::Colour);
        assert_eq!(Style::detect(true, Some(OsStr::new("1"))), Style::Plain);
        assert_eq!(Style::detect(false, None), Style::Plain);
        let coloured = render_text(&blocked_report(Mode::Enforce), Style::Colour);
        assert!(coloured.contains("\x1b[1;31mRelease blocked: 2 problems\x1b[0m"));
    }
}
