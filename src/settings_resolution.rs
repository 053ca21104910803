//! Which settings module the guard judges: one precedence table, used by the build (to log and
//! record it) and by the release (to load it), so the two can never disagree on the order.

use crate::app_files::settings_module_from_manage_py;
use crate::config::{MAX_CONFIG_FILE_BYTES, SettingsModule, env};
use crate::read::{ReadError, read_bounded};
use std::fmt;
use std::path::Path;

pub const MANAGE_PY: &str = "manage.py";

/// Where the settings module came from. The order of the variants is the precedence, highest
/// first (see [`PRECEDENCE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SettingsSource {
    /// `release-guard check --settings`: the person running the command chose.
    CommandLine,
    /// `DJANGO_SETTINGS_MODULE`: every Django process of the app loads it, whatever the app's
    /// files default to (they use `os.environ.setdefault`).
    Environment,
    /// project.toml's `settings-module`: for apps whose files do not name one.
    ProjectToml,
    /// The default in manage.py's `os.environ.setdefault(...)`.
    ManagePy,
}

/// Every source, highest precedence first.
pub const PRECEDENCE: [SettingsSource; 4] = [
    SettingsSource::CommandLine,
    SettingsSource::Environment,
    SettingsSource::ProjectToml,
    SettingsSource::ManagePy,
];

impl fmt::Display for SettingsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CommandLine => "--settings",
            Self::Environment => env::DJANGO_SETTINGS_MODULE,
            Self::ProjectToml => "project.toml",
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSettings {
    pub module: SettingsModule,
    pub source: SettingsSource,
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
}

impl SettingsError {
    /// What went wrong, named by the source or file it is about.
    #[must_use]
    pub fn source_name(&self) -> String {
        match self {
            Self::NotAModule { source, .. } => source.to_string(),
            Self::ReadManagePy(_) => MANAGE_PY.to_string(),
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
        }
    }
}

impl fmt::Display for SettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.source_name(), self.problem())
    }
}

/// The settings module by [`PRECEDENCE`]; `None` when no source names one.
///
/// # Errors
///
/// When the winning source is not a module path, or manage.py exists but cannot be read.
pub fn resolve_settings_module(
    inputs: &SettingsInputs<'_>,
) -> Result<Option<ResolvedSettings>, SettingsError> {
    for source in PRECEDENCE {
        let module = match source {
            SettingsSource::CommandLine => given(source, inputs.command_line)?,
            SettingsSource::Environment => given(source, inputs.environment)?,
            SettingsSource::ProjectToml => inputs.project_toml.cloned(),
            SettingsSource::ManagePy => manage_py_default(inputs.app_dir)?,
        };
        if let Some(module) = module {
            return Ok(Some(ResolvedSettings { module, source }));
        }
    }
    Ok(None)
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

    const MANAGE: &str = "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n";

    fn resolve(
        app: &Path,
        command_line: Option<&str>,
        environment: Option<&str>,
        project_toml: Option<&str>,
    ) -> Outcome {
        let project_toml = project_toml.and_then(SettingsModule::new);
        let inputs = SettingsInputs {
            command_line,
            environment,
            project_toml: project_toml.as_ref(),
            app_dir: app,
        };
        resolve_settings_module(&inputs)
            .map(|found| found.map(|found| (found.module.to_string(), found.source)))
            .map_err(|error| error.to_string())
    }

    type Outcome = Result<Option<(String, SettingsSource)>, String>;

    #[allow(clippy::unnecessary_wraps)] // compared with `resolve`'s outcome
    fn found(module: &str, source: SettingsSource) -> Outcome {
        Ok(Some((module.to_string(), source)))
    }

    // One test per row of the table, each with every lower source present.
    #[test]
    fn the_command_line_beats_everything() {
        let app = ScratchDir::with_files("settings-cli", &[(MANAGE_PY, MANAGE)]);
        assert_eq!(
            resolve(
                app.path(),
                Some("cli.settings"),
                Some("env.settings"),
                Some("toml.settings")
            ),
            found("cli.settings", SettingsSource::CommandLine)
        );
    }

    #[test]
    fn the_environment_beats_project_toml_and_manage_py() {
        let app = ScratchDir::with_files("settings-env", &[(MANAGE_PY, MANAGE)]);
        assert_eq!(
            resolve(
                app.path(),
                None,
                Some("env.settings"),
                Some("toml.settings")
            ),
            found("env.settings", SettingsSource::Environment)
        );
    }

    #[test]
    fn project_toml_beats_manage_py() {
        let app = ScratchDir::with_files("settings-toml", &[(MANAGE_PY, MANAGE)]);
        assert_eq!(
            resolve(app.path(), None, Some(" "), Some("toml.settings")),
            found("toml.settings", SettingsSource::ProjectToml)
        );
    }

    #[test]
    fn manage_py_is_the_last_resort() {
        let app = ScratchDir::with_files("settings-manage", &[(MANAGE_PY, MANAGE)]);
        assert_eq!(
            resolve(app.path(), None, None, None),
            found("mysite.settings", SettingsSource::ManagePy)
        );
        let bare = ScratchDir::with_files("settings-bare", &[(MANAGE_PY, "import sys\n")]);
        assert_eq!(resolve(bare.path(), None, None, None), Ok(None));
        let empty = ScratchDir::with_files("settings-none", &[]);
        assert_eq!(resolve(empty.path(), None, None, None), Ok(None));
    }

    #[test]
    fn a_winning_source_that_is_not_a_module_is_an_error_not_skipped() {
        let app = ScratchDir::with_files("settings-bad", &[(MANAGE_PY, MANAGE)]);
        assert_eq!(
            resolve(app.path(), None, Some("mysite/settings.py"), None),
            Err("DJANGO_SETTINGS_MODULE is `mysite/settings.py`, which is not a Python module path like mysite.settings".to_string())
        );
        assert_eq!(
            resolve(app.path(), Some("a b"), None, None),
            Err(
                "--settings is `a b`, which is not a Python module path like mysite.settings"
                    .to_string()
            )
        );
    }

    #[test]
    fn an_unreadable_manage_py_is_an_error_not_a_hang() {
        let app = ScratchDir::with_files("settings-fifo", &[]);
        let made = std::process::Command::new("mkfifo")
            .arg(app.path().join(MANAGE_PY))
            .status();
        assert!(made.unwrap().success());
        assert_eq!(
            resolve(app.path(), None, None, None),
            Err("manage.py could not be read: it is a FIFO, not a regular file".to_string())
        );
    }

    #[test]
    fn the_table_lists_every_source_once_in_order() {
        let mut sorted = PRECEDENCE;
        sorted.sort();
        assert_eq!(sorted, PRECEDENCE);
    }
}
