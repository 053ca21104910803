//! What the log says when the app could not be evaluated: each probe error and failure as a
//! title, what happened and how to fix it.

use super::probe::ProbeFailure;
use super::snapshot::{Phase, ProbeError, ProbeErrorKind};
use crate::config::env;
use crate::report::{EvaluationError, Platform, shell_word};

/// The probe ran but Django could not be loaded. The exception is the app's text: the output
/// boundary redacts it. Config var commands are written for `platform`.
pub(super) fn probe_error(error: &ProbeError, platform: Platform) -> EvaluationError {
    let module = error
        .settings_module
        .as_deref()
        .unwrap_or("the settings module");
    let (title, fix) = match error.kind {
        ProbeErrorKind::DjangoMissing => (
            "Django is not installed in this Python".to_string(),
            format!("Add Django to the app's requirements, or point {} at the app's python.", env::PYTHON),
        ),
        ProbeErrorKind::NoSettingsModule => (
            "No Django settings module".to_string(),
            format!("Set {}, pass --settings, or set settings-module in project.toml [com.release-guard].", env::DJANGO_SETTINGS_MODULE),
        ),
        ProbeErrorKind::SettingsImport => (
            format!("The settings module {module} could not be imported"),
            "Fix the import error above; a module missing from requirements or a wrong settings module name are the usual causes.".to_string(),
        ),
        ProbeErrorKind::ImproperlyConfigured | ProbeErrorKind::SetupFailed
            if error.phase == Some(Phase::Apps) =>
        (
            format!("Importing the app's models or database backends failed (the settings module {module} loaded)"),
            "Check the database and cache settings (the scheme of a DATABASE_URL chooses the backend) and that their drivers are in the app's requirements; the cause is shown above.".to_string(),
        ),
        ProbeErrorKind::ImproperlyConfigured | ProbeErrorKind::SetupFailed => match &error.config_var_error {
            // The field's type and a made-up value, never the config var's value.
            Some(parse) => (
                format!(
                    "Importing the settings module {module} failed: the {} config var does not parse as {} ({})",
                    parse.name, parse.field_type, parse.field
                ),
                // The command on a line of its own: never wrapped.
                format!(
                    "{} must be {} for this field:\n{}",
                    parse.name,
                    parse.expects,
                    platform.set_command(&format!("{}={}", parse.name, shell_word(&parse.example)))
                ),
            ),
            None => (
                format!("Importing the settings module {module} failed"),
                format!(
                    "Settings that need a config var fail here first: set it with `{}` (the traceback shows which).",
                    platform.set_command("NAME=value")
                ),
            ),
        },
        ProbeErrorKind::ChecksFailed => (
            "Django's system checks crashed".to_string(),
            "Run `python manage.py check --deploy` with the same config vars to see the full traceback.".to_string(),
        ),
        ProbeErrorKind::Internal | ProbeErrorKind::Unknown => (
            "The probe failed".to_string(),
            "This is a Release Guard bug; please report it with this log.".to_string(),
        ),
    };
    let mut headline = match &error.exception {
        Some(exception) => format!("{exception}: {}", error.message),
        None => error.message.to_string(),
    };
    if let Some(cause) = &error.cause {
        headline = format!("{headline}\n  Caused by {cause}");
    }
    let frames = error.frames.iter().map(|frame| {
        format!(
            "\n  File \"{}\", line {}, in {}",
            frame.file, frame.line, frame.function
        )
    });
    let detail: String = std::iter::once(headline).chain(frames).collect();
    EvaluationError { title, detail, fix }
}

/// The probe gave no answer at all.
pub(super) fn probe_failure(failure: &ProbeFailure) -> EvaluationError {
    let (title, fix) = match failure {
        ProbeFailure::PythonNotFound { .. } => (
            "No Python interpreter found",
            format!("Run Release Guard after heroku/python in the buildpack group, or set {} to the app's python.", env::PYTHON),
        ),
        ProbeFailure::Spawn { .. } => ("Python could not be started", format!("Check {} and the app's Python installation.", env::PYTHON)),
        ProbeFailure::TimedOut(_) => (
            "The app did not load in time",
            format!("Look for settings that wait on the network at import time; if the app is just slow to start, raise {}.", env::TIMEOUT),
        ),
        ProbeFailure::Interrupted { .. } => ("Release Guard was interrupted", "Run the release again.".to_string()),
        ProbeFailure::NoAnswer { .. } => (
            "The app's Python exited without an answer",
            "Something in the settings ended the process (sys.exit, os._exit, a crash); its last output is shown above.".to_string(),
        ),
        ProbeFailure::InvalidAnswer(_) | ProbeFailure::Io { .. } => (
            "The probe could not be run",
            "This is a Release Guard bug or a full disk; please report it with this log.".to_string(),
        ),
    };
    EvaluationError {
        title: title.to_string(),
        detail: failure.to_string(),
        fix,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::snapshot;
    use crate::redact::Redactor;

    #[test]
    fn probe_errors_show_the_exception_and_frames_redacted() {
        let error = ProbeError {
            kind: ProbeErrorKind::SetupFailed,
            exception: Some("RuntimeError".to_string()),
            message: crate::redact::AppText::new("cannot reach s3cret-token-value"),
            frames: vec![snapshot::TracebackFrame {
                file: "mysite/settings.py".to_string(),
                line: 12,
                function: "<module>".to_string(),
            }],
            settings_module: Some("mysite.settings".to_string()),
            django_version: None,
            phase: Some(Phase::Settings),
            cause: None,
            app_output: None,
            secrets: crate::redact::Secrets::new(vec!["s3cret-token-value".to_string()]),
            config_var_error: None,
        };
        let mut redactor = Redactor::default();
        redactor.add_secrets(&error.secrets);
        let shown = probe_error(&error, Platform::Heroku);
        assert_eq!(
            shown.title,
            "Importing the settings module mysite.settings failed"
        );
        assert_eq!(
            redactor.field(&shown.detail),
            "RuntimeError: cannot reach [redacted]\n  File \"mysite/settings.py\", line 12, in <module>"
        );
    }
}
