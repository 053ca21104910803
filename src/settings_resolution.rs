//! Which settings module the guard judges: one precedence table, used by the build (to log and
//! record it) and by the release (to load it), so the two can never disagree on the order.

use crate::app_files::settings_module_from_manage_py;
use crate::config::{MAX_CONFIG_FILE_BYTES, SettingsModule, env};
use crate::read::{ReadError, read_bounded};
use crate::web_process::{AppDir, WebProcess, WebResolution};
use std::fmt;
use std::path::Path;

pub const MANAGE_PY: &str = "manage.py";

/// Where the settings module came from. The order of the variants is the precedence, highest
/// first (see [`PRECEDENCE`]). The guard judges what the web process serves, so the rows that
/// decide for the web process come before the ones that decide only for `manage.py` commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SettingsSource {
    /// `release-guard check --settings`: the person running the command chose.
    CommandLine,
    /// `DJANGO_SETTINGS_MODULE` set by the Procfile's `web:` command itself (gunicorn's
    /// `--env`, `NAME=value` before the server, runserver's `--settings`): it overrides the
    /// config vars for the web process, as the environment does for every process.
    WebCommand,
    /// `DJANGO_SETTINGS_MODULE`: every Django process of the app loads it, whatever the app's
    /// files default to (they use `os.environ.setdefault`).
    Environment,
    /// project.toml's `settings-module`: for apps whose files do not name one.
    ProjectToml,
    /// The default in the `setdefault` of the module the web process loads first (the WSGI/ASGI
    /// module of the Procfile's `web:` command, or manage.py for runserver).
    WebProcess,
    /// The default in manage.py's `os.environ.setdefault(...)`.
    ManagePy,
}

/// Every source, highest precedence first.
pub const PRECEDENCE: [SettingsSource; 6] = [
    SettingsSource::CommandLine,
    SettingsSource::WebCommand,
    SettingsSource::Environment,
    SettingsSource::ProjectToml,
    SettingsSource::WebProcess,
    SettingsSource::ManagePy,
];

impl fmt::Display for SettingsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CommandLine => "--settings",
            Self::WebCommand => "the Procfile's web: command",
            Self::Environment => env::DJANGO_SETTINGS_MODULE,
            Self::ProjectToml => "project.toml",
            Self::WebProcess => "the web process's module",
            Self::ManagePy => MANAGE_PY,
        })
    }
}

/// What the caller knows; the app's files are read only when nothing above them decides.
#[derive(Debug, Clone, Copy)]
pub struct SettingsInputs<'a> {
    pub command_line: Option<&'a str>,
    /// `DJANGO_SETTINGS_MODULE` as set (an empty value counts as unset).
    pub environment: Option<&'a str>,
    pub project_toml: Option<&'a SettingsModule>,
    pub app_dir: &'a Path,
    /// The Procfile's web process ([`crate::web_process::resolve_web_process`]).
    pub web: &'a WebResolution,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSettings {
    pub module: SettingsModule,
    pub source: SettingsSource,
    /// Where exactly, for the logs: "config/wsgi.py" for the web process's module, the command
    /// for the web command; otherwise the source's name.
    pub origin: String,
}

/// The module (if any source names one) and what the logs must say about how it was chosen:
/// the web process and `manage.py` commands disagreeing, or why the web process could not
/// decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsResolution {
    pub found: Option<ResolvedSettings>,
    pub notes: Vec<String>,
}

#[derive(Debug)]
pub enum SettingsError {
    /// A source that wins by precedence holds something that is not a module path; Django would
    /// fail on it, so falling through to a lower source would judge a module nobody loads.
    NotAModule {
        source: SettingsSource,
        value: String,
    },
    /// manage.py exists but could not be read.
    ReadManagePy(ReadError),
    /// The web process's module file exists but could not be read (the message names it).
    ReadWebModule(String),
}

impl SettingsError {
    /// What went wrong, named by the source or file it is about.
    #[must_use]
    pub fn source_name(&self) -> String {
        match self {
            Self::NotAModule { source, .. } => source.to_string(),
            Self::ReadManagePy(_) => MANAGE_PY.to_string(),
            Self::ReadWebModule(_) => "The web process's module".to_string(),
        }
    }

    /// The problem, to follow [`Self::source_name`].
    #[must_use]
    pub fn problem(&self) -> String {
        match self {
            Self::NotAModule { value, .. } => {
                format!("is `{value}`, which is not a Python module path like mysite.settings")
            }
            Self::ReadManagePy(error) => format!("could not be read: {error}"),
            Self::ReadWebModule(message) => message.clone(),
        }
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.source_name(), self.problem())
    }
}

/// The settings module by [`PRECEDENCE`], and the notes the logs show about it.
///
/// # Errors
///
/// When the winning source is not a module path, or manage.py or the web process's module
/// exists but cannot be read.
pub fn resolve_settings_module(
    inputs: &SettingsInputs<'_>,
) -> Result<SettingsResolution, SettingsError> {
    let web = match inputs.web {
        WebResolution::Understood(process) => Some(process),
        _ => None,
    };
    let mut found = None;
    for source in PRECEDENCE {
        let (module, origin) = match source {
            SettingsSource::CommandLine => (given(source, inputs.command_line)?, None),
            SettingsSource::WebCommand => (
                given(source, web.and_then(WebProcess::explicit_settings))?,
                web.map(|process| format!("the Procfile's web: command `{}`", process.command)),
            ),
            SettingsSource::Environment => (given(source, inputs.environment)?, None),
            SettingsSource::ProjectToml => (inputs.project_toml.cloned(), None),
            SettingsSource::WebProcess => (
                web_default(inputs.app_dir, web)?,
                web.and_then(|process| process.module_file.as_ref())
                    .map(|file| file.display().to_string()),
            ),
            SettingsSource::ManagePy => (manage_py_default(inputs.app_dir)?, None),
        };
        if let Some(module) = module {
            let origin = origin.unwrap_or_else(|| source.to_string());
            found = Some(ResolvedSettings {
                module,
                source,
                origin,
            });
            break;
        }
    }
    let notes = notes(inputs, found.as_ref())?;
    Ok(SettingsResolution { found, notes })
}

/// The disagreement between the web process and `manage.py` commands, or why the web process
/// did not decide although it would have.
fn notes(
    inputs: &SettingsInputs<'_>,
    found: Option<&ResolvedSettings>,
) -> Result<Vec<String>, SettingsError> {
    let decided_by_web = found.is_some_and(|found| {
        matches!(
            found.source,
            SettingsSource::WebCommand | SettingsSource::WebProcess
        )
    });
    if let (Some(found), true, WebResolution::Understood(process)) =
        (found, decided_by_web, inputs.web)
    {
        // What `manage.py` commands (the release command, migrations) load instead.
        let environment = given(SettingsSource::Environment, inputs.environment)?;
        let (other, other_origin) = match environment {
            Some(module) => (Some(module), env::DJANGO_SETTINGS_MODULE.to_string()),
            None => (
                manage_py_default(inputs.app_dir)?,
                format!("the default in {MANAGE_PY}"),
            ),
        };
        return Ok(other
            .filter(|other| *other != found.module)
            .map(|other| {
                format!(
                    "Settings: the web process ({}) loads {} (from {}), but manage.py commands load {other} (from {other_origin}). The guard judges {}, what the web process serves.",
                    process.describe(),
                    found.module,
                    found.origin,
                    found.module
                )
            })
            .into_iter()
            .collect());
    }
    let fell_back = found.is_none_or(|found| found.source == SettingsSource::ManagePy);
    if !fell_back {
        return Ok(Vec::new());
    }
    let why = match inputs.web {
        WebResolution::NoProcfile => "there is no Procfile".to_string(),
        WebResolution::NoWebCommand => "the Procfile has no web: command".to_string(),
        WebResolution::Unsure {
            command: Some(command),
            reason,
        } => {
            format!("the Procfile's web: command `{command}` cannot be read for certain: {reason}")
        }
        WebResolution::Unsure {
            command: None,
            reason,
        } => reason.clone(),
        WebResolution::Understood(process) => match &process.module_file {
            Some(file) => format!(
                "{} (which the web process {} loads) names no default settings module",
                file.display(),
                process.describe()
            ),
            None => format!(
                "the web process {} names no settings module",
                process.describe()
            ),
        },
    };
    Ok(vec![format!(
        "Settings: {why}, so the guard falls back to manage.py's default, which may not be what the web process loads."
    )])
}

fn given(
    source: SettingsSource,
    value: Option<&str>,
) -> Result<Option<SettingsModule>, SettingsError> {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else {
        return Ok(None);
    };
    SettingsModule::new(value)
        .map(Some)
        .ok_or_else(|| SettingsError::NotAModule {
            source,
            value: value.to_string(),
        })
}

fn web_default(
    app_dir: &Path,
    web: Option<&WebProcess>,
) -> Result<Option<SettingsModule>, SettingsError> {
    web.map_or(Ok(None), |process| {
        process
            .settings_default(&AppDir(app_dir))
            .map_err(SettingsError::ReadWebModule)
    })
}

fn manage_py_default(app_dir: &Path) -> Result<Option<SettingsModule>, SettingsError> {
    match read_bounded(&app_dir.join(MANAGE_PY), MAX_CONFIG_FILE_BYTES) {
        Ok(source) => Ok(settings_module_from_manage_py(&source)),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(SettingsError::ReadManagePy(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch_dir::ScratchDir;
    use crate::web_process::resolve_web_process;

    const MANAGE: (&str, &str) = (
        MANAGE_PY,
        "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n",
    );
    const WEB_WSGI: (&str, &str) = (
        "web/wsgi.py",
        "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"web.settings\")\n",
    );
    const PROCFILE: (&str, &str) = ("Procfile", "web: gunicorn web.wsgi\n");
    const PROCFILE_WITH_ENV: (&str, &str) = (
        "Procfile",
        "web: gunicorn --env DJANGO_SETTINGS_MODULE=cmd.settings web.wsgi\n",
    );

    /// Every source present: the command line, the web command, the environment, project.toml,
    /// the web module and manage.py.
    const ALL: [Option<&str>; 3] = [
        Some("cli.settings"),
        Some("env.settings"),
        Some("toml.settings"),
    ];

    fn resolution(
        app: &Path,
        [command_line, environment, project_toml]: [Option<&str>; 3],
    ) -> Result<SettingsResolution, String> {
        let project_toml = project_toml.and_then(SettingsModule::new);
        let web = resolve_web_process(&AppDir(app), &|_| None);
        let inputs = SettingsInputs {
            command_line,
            environment,
            project_toml: project_toml.as_ref(),
            app_dir: app,
            web: &web,
        };
        resolve_settings_module(&inputs).map_err(|error| error.to_string())
    }

    type Outcome = Result<Option<(String, SettingsSource, String)>, String>;

    fn resolve(app: &ScratchDir, sources: [Option<&str>; 3]) -> Outcome {
        resolution(app.path(), sources).map(|resolution| {
            resolution
                .found
                .map(|found| (found.module.to_string(), found.source, found.origin))
        })
    }

    #[allow(clippy::unnecessary_wraps)] // compared with `resolve`'s outcome
    fn found(module: &str, source: SettingsSource, origin: &str) -> Outcome {
        Ok(Some((module.to_string(), source, origin.to_string())))
    }

    fn notes(app: &ScratchDir, sources: [Option<&str>; 3]) -> Vec<String> {
        resolution(app.path(), sources).unwrap().notes
    }

    // One test per row of the table, each with every lower source present.
    #[test]
    fn the_command_line_beats_everything() {
        let app = ScratchDir::with_files("settings-cli", &[MANAGE, WEB_WSGI, PROCFILE_WITH_ENV]);
        assert_eq!(
            resolve(&app, ALL),
            found("cli.settings", SettingsSource::CommandLine, "--settings")
        );
        assert_eq!(notes(&app, ALL), Vec::<String>::new());
    }

    #[test]
    fn the_web_command_beats_the_environment_and_everything_below() {
        let app =
            ScratchDir::with_files("settings-web-cmd", &[MANAGE, WEB_WSGI, PROCFILE_WITH_ENV]);
        let below = [None, ALL[1], ALL[2]];
        assert_eq!(
            resolve(&app, below),
            found(
                "cmd.settings",
                SettingsSource::WebCommand,
                "the Procfile's web: command `gunicorn --env DJANGO_SETTINGS_MODULE=cmd.settings web.wsgi`"
            )
        );
        assert_eq!(
            notes(&app, below),
            [
                "Settings: the web process (gunicorn web.wsgi:application) loads cmd.settings (from the Procfile's web: command `gunicorn --env DJANGO_SETTINGS_MODULE=cmd.settings web.wsgi`), but manage.py commands load env.settings (from DJANGO_SETTINGS_MODULE). The guard judges cmd.settings, what the web process serves."
            ]
        );
    }

    #[test]
    fn the_environment_beats_project_toml_and_the_files() {
        let app = ScratchDir::with_files("settings-env", &[MANAGE, WEB_WSGI, PROCFILE]);
        let below = [None, ALL[1], ALL[2]];
        assert_eq!(
            resolve(&app, below),
            found(
                "env.settings",
                SettingsSource::Environment,
                "DJANGO_SETTINGS_MODULE"
            )
        );
        assert_eq!(notes(&app, below), Vec::<String>::new());
    }

    #[test]
    fn project_toml_beats_the_files() {
        let app = ScratchDir::with_files("settings-toml", &[MANAGE, WEB_WSGI, PROCFILE]);
        assert_eq!(
            resolve(&app, [None, Some(" "), ALL[2]]),
            found("toml.settings", SettingsSource::ProjectToml, "project.toml")
        );
    }

    #[test]
    fn the_web_process_module_beats_manage_py_and_the_disagreement_is_told() {
        let app = ScratchDir::with_files("settings-web", &[MANAGE, WEB_WSGI, PROCFILE]);
        assert_eq!(
            resolve(&app, [None; 3]),
            found("web.settings", SettingsSource::WebProcess, "web/wsgi.py")
        );
        assert_eq!(
            notes(&app, [None; 3]),
            [
                "Settings: the web process (gunicorn web.wsgi:application) loads web.settings (from web/wsgi.py), but manage.py commands load mysite.settings (from the default in manage.py). The guard judges web.settings, what the web process serves."
            ]
        );
        let agreeing = ScratchDir::with_files(
            "settings-web-agree",
            &[MANAGE, ("web/wsgi.py", MANAGE.1), PROCFILE],
        );
        assert_eq!(
            resolve(&agreeing, [None; 3]),
            found("mysite.settings", SettingsSource::WebProcess, "web/wsgi.py")
        );
        assert_eq!(notes(&agreeing, [None; 3]), Vec::<String>::new());
    }

    #[test]
    fn manage_py_is_the_last_resort_and_the_fallback_is_told() {
        let fallback = |why: &str| {
            vec![format!(
                "Settings: {why}, so the guard falls back to manage.py's default, which may not be what the web process loads."
            )]
        };
        let app = ScratchDir::with_files("settings-manage", &[MANAGE]);
        assert_eq!(
            resolve(&app, [None; 3]),
            found("mysite.settings", SettingsSource::ManagePy, "manage.py")
        );
        assert_eq!(notes(&app, [None; 3]), fallback("there is no Procfile"));
        let no_web =
            ScratchDir::with_files("settings-no-web", &[MANAGE, ("Procfile", "release: x\n")]);
        assert_eq!(
            notes(&no_web, [None; 3]),
            fallback("the Procfile has no web: command")
        );
        let unsure = ScratchDir::with_files(
            "settings-unsure",
            &[MANAGE, ("Procfile", "web: bin/start-nginx\n")],
        );
        assert_eq!(
            notes(&unsure, [None; 3]),
            fallback(
                "the Procfile's web: command `bin/start-nginx` cannot be read for certain: it starts `bin/start-nginx`, which the guard cannot see into"
            )
        );
        let no_default = ScratchDir::with_files(
            "settings-no-default",
            &[MANAGE, PROCFILE, ("web/wsgi.py", "application = 1\n")],
        );
        assert_eq!(
            resolve(&no_default, [None; 3]),
            found("mysite.settings", SettingsSource::ManagePy, "manage.py")
        );
        assert_eq!(
            notes(&no_default, [None; 3]),
            fallback(
                "web/wsgi.py (which the web process gunicorn web.wsgi:application loads) names no default settings module"
            )
        );
        let bare = ScratchDir::with_files("settings-bare", &[(MANAGE_PY, "import sys\n")]);
        assert_eq!(resolve(&bare, [None; 3]), Ok(None));
        let empty = ScratchDir::with_files("settings-none", &[]);
        assert_eq!(resolve(&empty, [None; 3]), Ok(None));
    }

    #[test]
    fn a_winning_source_that_is_not_a_module_is_an_error_not_skipped() {
        let app = ScratchDir::with_files("settings-bad", &[MANAGE]);
        assert_eq!(
            resolve(&app, [None, Some("mysite/settings.py"), None]),
            Err("DJANGO_SETTINGS_MODULE is `mysite/settings.py`, which is not a Python module path like mysite.settings".to_string())
        );
        assert_eq!(
            resolve(&app, [Some("a b"), None, None]),
            Err(
                "--settings is `a b`, which is not a Python module path like mysite.settings"
                    .to_string()
            )
        );
        let web = ScratchDir::with_files(
            "settings-bad-web",
            &[
                MANAGE,
                WEB_WSGI,
                (
                    "Procfile",
                    "web: gunicorn -e DJANGO_SETTINGS_MODULE=a/b web.wsgi\n",
                ),
            ],
        );
        assert_eq!(
            resolve(&web, [None, Some("env.settings"), None]),
            Err("the Procfile's web: command is `a/b`, which is not a Python module path like mysite.settings".to_string())
        );
    }

    #[test]
    fn unreadable_files_are_errors_not_hangs() {
        let app = ScratchDir::with_files("settings-fifo", &[]);
        let fifo = |path: &Path| {
            let made = std::process::Command::new("mkfifo").arg(path).status();
            assert!(made.unwrap().success());
        };
        fifo(&app.path().join(MANAGE_PY));
        assert_eq!(
            resolve(&app, [None; 3]),
            Err("manage.py could not be read: it is a FIFO, not a regular file".to_string())
        );
        let web = ScratchDir::with_files(
            "settings-web-fifo",
            &[MANAGE, PROCFILE, ("web/__init__.py", "")],
        );
        fifo(&web.path().join("web/wsgi.py"));
        assert_eq!(
            resolve(&web, [None; 3]),
            Err(
                "The web process's module web/wsgi.py could not be read: it is a FIFO, not a regular file"
                    .to_string()
            )
        );
    }

    #[test]
    fn the_table_lists_every_source_once_in_order() {
        let mut sorted = PRECEDENCE.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, PRECEDENCE);
    }
}
