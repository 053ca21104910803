//! The release gate: run the probe once in the app's Python, turn its snapshot into findings
//! (Django's messages plus the guard's rules), apply the policy, and report.

pub mod advice;
pub mod cli;
pub mod policy;
pub mod probe;
pub mod rules;
pub mod snapshot;

use crate::config::{DEFAULT_TIMEOUT_SECS, LaunchConfig, Mode, env};
use crate::redact::{AppText, Redactor};
use crate::report::{EvaluationError, Exit, ModeSource, Platform, Report, Verdict};
use policy::Policy;
use probe::{ProbeFailure, ProbeRequest};
use snapshot::{Phase, ProbeAnswer, ProbeError, ProbeErrorKind, Snapshot};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What the command line chose; `None` defers to the environment and the launch config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateOptions {
    pub app_dir: Option<PathBuf>,
    pub settings_module: Option<String>,
    pub mode: Option<Mode>,
}

/// The process environment as the gate sees it, captured once so resolution is testable.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    vars: BTreeMap<OsString, OsString>,
}

impl Environment {
    #[must_use]
    pub fn from_process() -> Self {
        std::env::vars_os().collect()
    }

    #[must_use]
    pub fn get(&self, name: &str) -> Option<&OsStr> {
        self.vars.get(OsStr::new(name)).map(OsString::as_os_str)
    }

    /// A variable that must be UTF-8 text; an empty value counts as unset.
    fn text(&self, name: &str) -> Result<Option<&str>, ConfigError> {
        match self.get(name) {
            None => Ok(None),
            Some(value) => match value.to_str() {
                Some("") => Ok(None),
                Some(text) => Ok(Some(text.trim())),
                None => Err(ConfigError::new(name, "is not valid UTF-8 text")),
            },
        }
    }

    fn vars(&self) -> impl Iterator<Item = (&OsString, &OsString)> {
        self.vars.iter()
    }
}

impl FromIterator<(OsString, OsString)> for Environment {
    fn from_iter<I: IntoIterator<Item = (OsString, OsString)>>(iter: I) -> Self {
        Self {
            vars: iter.into_iter().collect(),
        }
    }
}

/// A bad value in the guard's own configuration: names the variable (or file) and what is
/// allowed. Fails the release with exit 2 unless `RELEASE_GUARD_MODE=warn` (or `--mode warn`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub source: String,
    pub problem: String,
}

impl ConfigError {
    fn new(source: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            problem: problem.into(),
        }
    }

    fn into_evaluation_error(self) -> EvaluationError {
        EvaluationError {
            title: format!("Invalid Release Guard configuration: {}", self.source),
            detail: format!("{} {}", self.source, self.problem),
            fix: format!("Correct or unset {}.", self.source),
        }
    }
}

/// Everything the gate needs, resolved from options, environment and the launch config.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub mode: Mode,
    /// Who chose `mode`; None for the default.
    pub mode_source: Option<ModeSource>,
    pub app_dir: PathBuf,
    pub settings_module: Option<String>,
    pub timeout: Duration,
    pub policy: Policy,
}

/// `--mode` > `RELEASE_GUARD_MODE`; `None` when neither says (the launch config decides).
///
/// # Errors
///
/// When `RELEASE_GUARD_MODE` is not a mode.
pub fn mode_override(
    options: &GateOptions,
    environment: &Environment,
) -> Result<Option<(Mode, ModeSource)>, ConfigError> {
    if let Some(mode) = options.mode {
        return Ok(Some((mode, ModeSource::Flag)));
    }
    environment
        .text(env::MODE)?
        .map(|value| {
            value
                .parse()
                .map(|mode| (mode, ModeSource::ConfigVar))
                .map_err(|problem: String| {
                    ConfigError::new(env::MODE, format!("is invalid: {problem}"))
                })
        })
        .transpose()
}

/// Resolves the configuration: command line > environment > launch config (build time) >
/// defaults.
///
/// # Errors
///
/// A [`ConfigError`] naming the variable or file with a bad value.
pub fn resolve(
    options: &GateOptions,
    environment: &Environment,
    cwd: &Path,
) -> Result<Resolved, ConfigError> {
    let launch = load_launch_config(environment)?;
    let chosen = mode_override(options, environment)?.or(launch
        .guard
        .mode
        .map(|mode| (mode, ModeSource::ProjectToml)));
    let mode = chosen.map(|(mode, _)| mode).unwrap_or_default();
    let app_dir = options.app_dir.clone().unwrap_or_else(|| cwd.to_path_buf());
    if !app_dir.is_dir() {
        return Err(ConfigError::new(
            "--app",
            format!("{} is not a directory", app_dir.display()),
        ));
    }
    let settings_module = settings_module(options, environment, &launch, &app_dir)?;
    let timeout_secs = match environment.text(env::TIMEOUT)? {
        Some(text) => text
            .parse::<u64>()
            .ok()
            .filter(|secs| *secs > 0)
            .ok_or_else(|| ConfigError::new(env::TIMEOUT, format!("is `{text}`; use a whole number of seconds greater than 0 (default {DEFAULT_TIMEOUT_SECS})")))?,
        None => match launch.guard.timeout {
            Some(0) => return Err(ConfigError::new(config_name(environment), "sets timeout = 0; use a whole number of seconds greater than 0")),
            Some(secs) => secs,
            None => DEFAULT_TIMEOUT_SECS,
        },
    };
    let policy = Policy::from_config(
        &launch.guard,
        environment.text(env::BLOCK)?,
        environment.text(env::IGNORE)?,
    );
    Ok(Resolved {
        mode,
        mode_source: chosen.map(|(_, source)| source),
        app_dir,
        settings_module,
        timeout: Duration::from_secs(timeout_secs),
        policy,
    })
}

fn config_name(environment: &Environment) -> String {
    environment.get(env::CONFIG).map_or_else(
        || env::CONFIG.to_string(),
        |path| format!("{} ({})", env::CONFIG, path.to_string_lossy()),
    )
}

/// The launch config the buildpack wrote, or the defaults when `RELEASE_GUARD_CONFIG` is unset
/// (running outside the image).
fn load_launch_config(environment: &Environment) -> Result<LaunchConfig, ConfigError> {
    let Some(path) = environment.get(env::CONFIG).filter(|path| !path.is_empty()) else {
        return Ok(LaunchConfig::default());
    };
    let text = std::fs::read_to_string(path).map_err(|error| {
        ConfigError::new(
            config_name(environment),
            format!("could not be read: {error}"),
        )
    })?;
    toml::from_str(&text).map_err(|error| {
        ConfigError::new(
            config_name(environment),
            format!(
                "is not a valid Release Guard configuration: {}",
                error.message()
            ),
        )
    })
}

/// `--settings` > `DJANGO_SETTINGS_MODULE` > build-time config > manage.py's default.
fn settings_module(
    options: &GateOptions,
    environment: &Environment,
    launch: &LaunchConfig,
    app_dir: &Path,
) -> Result<Option<String>, ConfigError> {
    let candidates = [
        ("--settings", options.settings_module.clone()),
        (
            env::DJANGO_SETTINGS_MODULE,
            environment
                .text(env::DJANGO_SETTINGS_MODULE)?
                .map(str::to_string),
        ),
        (
            "the build-time settings-module",
            launch
                .settings_module
                .clone()
                .or_else(|| launch.guard.settings_module.clone()),
        ),
    ];
    for (source, module) in candidates {
        if let Some(module) = module {
            return if crate::app::is_dotted_module_path(&module) {
                Ok(Some(module))
            } else {
                Err(ConfigError::new(
                    source,
                    format!(
                        "is `{module}`, which is not a Python module path like mysite.settings"
                    ),
                ))
            };
        }
    }
    Ok(std::fs::read_to_string(app_dir.join("manage.py"))
        .ok()
        .and_then(|source| crate::app::settings_module_from_manage_py(&source)))
}

/// One gate run's result: the report, the process exit code, and the redactor that knows the
/// secrets of this app, for printing the report.
#[derive(Debug, Clone)]
pub struct GateRun {
    pub report: Report,
    pub exit: Exit,
    pub redactor: Redactor,
}

/// Runs the gate: resolve, probe once, rules, policy, report.
#[must_use]
pub fn run(options: &GateOptions, environment: &Environment, cwd: &Path) -> GateRun {
    let started = Instant::now();
    let mut redactor = Redactor::from_env(environment.vars());
    // The escape hatch must work even when the rest of the configuration is broken.
    let mode_override = match mode_override(options, environment) {
        Err(error) => return config_failure(error, (Mode::Enforce, None), started, redactor),
        Ok(Some((Mode::Off, source))) => return off(Some(source), started, redactor),
        Ok(mode) => mode,
    };
    let resolved = match resolve(options, environment, cwd) {
        Ok(resolved) => resolved,
        // `RELEASE_GUARD_MODE=warn` is the advertised escape hatch: it covers a broken
        // configuration too.
        Err(error) => {
            let (mode, source) = mode_override.unzip();
            return config_failure(error, (mode.unwrap_or_default(), source), started, redactor);
        }
    };
    if resolved.mode == Mode::Off {
        return off(resolved.mode_source, started, redactor);
    }
    let mut report = empty_report(resolved.mode, Verdict::Pass);
    report.mode_source = resolved.mode_source;
    report.platform = Platform::detect(environment.get("DYNO"));
    report.settings_module.clone_from(&resolved.settings_module);
    let python = probe::find_python(environment.get(env::PYTHON), environment.get("PATH"));
    let probe_started = Instant::now();
    let answer = python.and_then(|python| {
        probe::run(&ProbeRequest {
            app_dir: resolved.app_dir.clone(),
            python,
            settings_module: resolved.settings_module.clone(),
            timeout: resolved.timeout,
            env: Vec::new(),
        })
    });
    report
        .timings
        .insert("probe".to_string(), elapsed_ms(probe_started));
    if let Ok(answer) = &answer {
        redactor.add_secrets(answer.secrets());
    }
    match answer {
        Ok(ProbeAnswer::Ok(snapshot)) => {
            report.app_output = app_output(snapshot.app_output.as_ref());
            evaluate(&mut report, &snapshot, &resolved.policy);
        }
        Ok(ProbeAnswer::Error(error)) => {
            report.app_output = app_output(error.app_output.as_ref());
            report.django_version.clone_from(&error.django_version);
            if error.settings_module.is_some() {
                report.settings_module.clone_from(&error.settings_module);
            }
            fail(&mut report, probe_error(&error));
        }
        Err(failure) => fail(&mut report, probe_failure(&failure)),
    }
    finish(report, started, redactor)
}

/// What the app printed, marked as app text for the output boundary.
fn app_output(text: Option<&AppText>) -> Option<String> {
    text.map(ToString::to_string)
}

fn evaluate(report: &mut Report, snapshot: &Snapshot, policy: &Policy) {
    let mut outcome = policy.apply(rules::all(snapshot), snapshot);
    advice::attach(&mut outcome.findings, snapshot, report.platform);
    report.verdict = if outcome
        .findings
        .iter()
        .any(|finding| finding.severity == crate::finding::Severity::Block)
    {
        Verdict::Block
    } else {
        Verdict::Pass
    };
    report.findings = outcome.findings;
    report.silenced = outcome.silenced;
    report.django_version = Some(snapshot.django_version.clone());
    report.settings_module = Some(snapshot.settings_module.clone());
    // Every timing is in milliseconds already; the probe's `_ms` suffix would only repeat that.
    for (phase, ms) in &snapshot.timings {
        let phase = phase.strip_suffix("_ms").unwrap_or(phase);
        report.timings.insert(format!("probe.{phase}"), *ms);
    }
}

fn fail(report: &mut Report, error: EvaluationError) {
    report.verdict = Verdict::Error;
    report.error = Some(error);
}

/// Exit code for a finished report: not enforcing means 0 whatever was found.
#[must_use]
pub fn exit_code(report: &Report) -> Exit {
    match (report.mode, report.verdict) {
        (Mode::Warn | Mode::Off, _) | (Mode::Enforce, Verdict::Pass) => Exit::Pass,
        (Mode::Enforce, Verdict::Block) => Exit::Blocked,
        (Mode::Enforce, Verdict::Error) => Exit::CouldNotEvaluate,
    }
}

fn empty_report(mode: Mode, verdict: Verdict) -> Report {
    Report::new("gate", mode, verdict)
}

fn off(source: Option<ModeSource>, started: Instant, redactor: Redactor) -> GateRun {
    let mut report = empty_report(Mode::Off, Verdict::Pass);
    report.mode_source = source;
    finish(report, started, redactor)
}

fn config_failure(
    error: ConfigError,
    (mode, source): (Mode, Option<ModeSource>),
    started: Instant,
    redactor: Redactor,
) -> GateRun {
    let mut report = empty_report(mode, Verdict::Error);
    report.mode_source = source;
    report.error = Some(error.into_evaluation_error());
    finish(report, started, redactor)
}

/// The last step of every run: the total time, and the exit code the report calls for.
fn finish(mut report: Report, started: Instant, redactor: Redactor) -> GateRun {
    report
        .timings
        .insert("total".to_string(), elapsed_ms(started));
    let exit = exit_code(&report);
    GateRun {
        report,
        exit,
        redactor,
    }
}

/// Milliseconds, to a tenth: finer digits are noise.
fn elapsed_ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 10_000.0).round() / 10.0
}

/// The probe ran but Django could not be loaded. The exception is the app's text: the output
/// boundary redacts it.
fn probe_error(error: &ProbeError) -> EvaluationError {
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
        ProbeErrorKind::ImproperlyConfigured | ProbeErrorKind::SetupFailed => (
            format!("Importing the settings module {module} failed"),
            "Settings that need a config var fail here first: set it with `heroku config:set NAME=value` (the traceback shows which).".to_string(),
        ),
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
fn probe_failure(failure: &ProbeFailure) -> EvaluationError {
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
    use crate::scratch_dir::ScratchDir;
    use std::ffi::OsString;

    /// An app directory with a startproject manage.py and, optionally, a launch config.
    fn app_dir(name: &str, launch_config: Option<&str>) -> ScratchDir {
        let manage_py = "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n";
        let mut files = vec![("manage.py", manage_py)];
        files.extend(launch_config.map(|config| ("release-guard.toml", config)));
        ScratchDir::with_files(&format!("gate-{name}"), &files)
    }

    fn environment(dir: &Path, vars: &[(&str, &str)]) -> Environment {
        let config = dir.join("release-guard.toml");
        let config_var = config
            .exists()
            .then(|| (OsString::from(env::CONFIG), config.into_os_string()));
        vars.iter()
            .map(|(name, value)| (OsString::from(name), OsString::from(value)))
            .chain(config_var)
            .collect()
    }

    fn resolved(
        dir: &Path,
        options: &GateOptions,
        vars: &[(&str, &str)],
    ) -> Result<Resolved, ConfigError> {
        resolve(options, &environment(dir, vars), dir)
    }

    #[test]
    fn defaults_come_from_manage_py() {
        let dir = app_dir("defaults", None);
        let resolved = resolved(&dir, &GateOptions::default(), &[]).unwrap();
        assert_eq!(resolved.mode, Mode::Enforce);
        assert_eq!(resolved.app_dir, dir.path());
        assert_eq!(resolved.settings_module.as_deref(), Some("mysite.settings"));
        assert_eq!(resolved.timeout, Duration::from_secs(DEFAULT_TIMEOUT_SECS));
        assert_eq!(resolved.policy, Policy::default());
    }

    #[test]
    fn command_line_beats_env_beats_launch_config() {
        let dir = app_dir(
            "precedence",
            Some(indoc::indoc! {r#"
                settings-module = "built.settings"
                [guard]
                mode = "warn"
                timeout = 60
                ignore = ["security.W021"]
            "#}),
        );
        let from_config = resolved(&dir, &GateOptions::default(), &[]).unwrap();
        assert_eq!(from_config.mode, Mode::Warn);
        assert_eq!(from_config.timeout, Duration::from_mins(1));
        assert_eq!(
            from_config.settings_module.as_deref(),
            Some("built.settings")
        );
        assert_eq!(
            from_config.policy.ignore,
            ["security.W021".to_string()].into()
        );

        let vars = [
            (env::MODE, "off"),
            (env::TIMEOUT, "5"),
            (env::DJANGO_SETTINGS_MODULE, "env.settings"),
            (env::IGNORE, "security.W004"),
        ];
        let from_env = resolved(&dir, &GateOptions::default(), &vars).unwrap();
        assert_eq!(from_env.mode, Mode::Off);
        assert_eq!(from_env.timeout, Duration::from_secs(5));
        assert_eq!(from_env.settings_module.as_deref(), Some("env.settings"));
        assert_eq!(
            from_env.policy.ignore,
            ["security.W004".to_string(), "security.W021".to_string()].into()
        );

        let options = GateOptions {
            settings_module: Some("cli.settings".to_string()),
            mode: Some(Mode::Enforce),
            ..GateOptions::default()
        };
        let from_cli = resolved(&dir, &options, &vars).unwrap();
        assert_eq!(from_cli.mode, Mode::Enforce);
        assert_eq!(from_cli.settings_module.as_deref(), Some("cli.settings"));
    }

    #[test]
    fn bad_values_name_the_variable_and_what_is_allowed() {
        let dir = app_dir("bad-values", None);
        let problem = |vars: &[(&str, &str)]| {
            let error = resolved(&dir, &GateOptions::default(), vars).unwrap_err();
            format!("{} {}", error.source, error.problem)
        };
        assert_eq!(
            problem(&[(env::MODE, "loud")]),
            "RELEASE_GUARD_MODE is invalid: `loud` is not a mode; use enforce, warn or off"
        );
        assert_eq!(
            problem(&[(env::TIMEOUT, "5m")]),
            "RELEASE_GUARD_TIMEOUT is `5m`; use a whole number of seconds greater than 0 (default 300)"
        );
        assert!(problem(&[(env::TIMEOUT, "0")]).starts_with("RELEASE_GUARD_TIMEOUT is `0`"));
        assert_eq!(
            problem(&[(env::DJANGO_SETTINGS_MODULE, "mysite/settings.py")]),
            "DJANGO_SETTINGS_MODULE is `mysite/settings.py`, which is not a Python module path like mysite.settings"
        );
    }

    #[test]
    fn a_broken_launch_config_is_an_error_but_off_still_works() {
        let dir = app_dir("broken-config", Some("[guard]\nmood = \"warn\"\n"));
        let error = resolved(&dir, &GateOptions::default(), &[]).unwrap_err();
        assert!(
            error.source.starts_with("RELEASE_GUARD_CONFIG ("),
            "{error:?}"
        );
        assert!(
            error
                .problem
                .starts_with("is not a valid Release Guard configuration: unknown field `mood`"),
            "{error:?}"
        );

        let environment = environment(&dir, &[(env::MODE, "off")]);
        let run = run(&GateOptions::default(), &environment, &dir);
        assert_eq!(run.exit, Exit::Pass);
        assert_eq!(run.report.mode, Mode::Off);
        let run = super::run(&GateOptions::default(), &self::environment(&dir, &[]), &dir);
        assert_eq!(run.exit, Exit::CouldNotEvaluate);
        assert!(
            run.report
                .error
                .unwrap()
                .title
                .starts_with("Invalid Release Guard configuration")
        );
        let warn = self::environment(&dir, &[(env::MODE, "warn")]);
        let run = super::run(&GateOptions::default(), &warn, &dir);
        assert_eq!(
            (run.exit, run.report.mode, run.report.verdict),
            (Exit::Pass, Mode::Warn, Verdict::Error)
        );
    }

    #[test]
    fn exit_codes() {
        let report = |mode, verdict| empty_report(mode, verdict);
        assert_eq!(exit_code(&report(Mode::Enforce, Verdict::Pass)), Exit::Pass);
        assert_eq!(
            exit_code(&report(Mode::Enforce, Verdict::Block)),
            Exit::Blocked
        );
        assert_eq!(
            exit_code(&report(Mode::Enforce, Verdict::Error)),
            Exit::CouldNotEvaluate
        );
        assert_eq!(exit_code(&report(Mode::Warn, Verdict::Block)), Exit::Pass);
        assert_eq!(exit_code(&report(Mode::Warn, Verdict::Error)), Exit::Pass);
        assert_eq!(exit_code(&report(Mode::Off, Verdict::Error)), Exit::Pass);
    }

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
        };
        let mut redactor = Redactor::default();
        redactor.add_secrets(&error.secrets);
        let shown = probe_error(&error);
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
