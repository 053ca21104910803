//! What the build resolves about the app without running it: the settings module (and where it
//! came from) and the Procfile's `release:` command, read from the app directory and the
//! platform environment.

use crate::app_files::{parse_procfile, settings_module_from_manage_py};
use crate::config::{GuardConfig, SettingsModule, env};
use libcnb::Env;
use std::fmt;
use std::io;
use std::path::Path;

pub const MANAGE_PY: &str = "manage.py";
pub const PROCFILE: &str = "Procfile";

#[derive(Debug)]
pub enum ResolveError {
    /// manage.py exists (detect saw it) but could not be read.
    ReadManagePy(io::Error),
    /// The Procfile exists but could not be read.
    ReadProcfile(io::Error),
}

/// Where the settings module came from, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsSource {
    ProjectToml,
    PlatformEnv,
    ManagePy,
}

impl fmt::Display for SettingsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ProjectToml => "project.toml",
            Self::PlatformEnv => "DJANGO_SETTINGS_MODULE",
            Self::ManagePy => "manage.py",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSettings {
    pub module: SettingsModule,
    pub source: SettingsSource,
}

/// The settings module: project.toml's `settings-module` > `DJANGO_SETTINGS_MODULE` in the
/// platform env > manage.py's `setdefault`. A platform value that is not a module path is
/// skipped (Django would fail on it too; the gate reports that at release time).
///
/// # Errors
///
/// When manage.py exists but cannot be read.
pub fn resolve_settings_module(
    config: &GuardConfig,
    platform_env: &Env,
    app_dir: &Path,
) -> Result<Option<ResolvedSettings>, ResolveError> {
    let from_config = config
        .settings_module
        .clone()
        .map(|module| (module, SettingsSource::ProjectToml));
    let from_platform = || {
        platform_env
            .get_string_lossy(env::DJANGO_SETTINGS_MODULE)
            .and_then(|module| SettingsModule::new(&module))
            .map(|module| (module, SettingsSource::PlatformEnv))
    };
    let resolved = match from_config.or_else(from_platform) {
        Some(found) => Some(found),
        None => read_optional(&app_dir.join(MANAGE_PY))
            .map_err(ResolveError::ReadManagePy)?
            .and_then(|source| settings_module_from_manage_py(&source))
            .map(|module| (module, SettingsSource::ManagePy)),
    };
    Ok(resolved.map(|(module, source)| ResolvedSettings { module, source }))
}

/// The Procfile's `release:` command, if the app has a Procfile with one.
///
/// # Errors
///
/// When the Procfile exists but cannot be read.
pub fn procfile_release_command(app_dir: &Path) -> Result<Option<String>, ResolveError> {
    Ok(read_optional(&app_dir.join(PROCFILE))
        .map_err(ResolveError::ReadProcfile)?
        .and_then(|source| parse_procfile(&source).remove("release")))
}

/// The file's text, `None` when it does not exist. Invalid UTF-8 is replaced rather than
/// rejected: both files are only scanned for ASCII patterns.
fn read_optional(path: &Path) -> io::Result<Option<String>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scratch_dir::ScratchDir;

    const MANAGE: &str = "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"mysite.settings\")\n";

    fn platform_env(module: Option<&str>) -> Env {
        let mut env = Env::new();
        if let Some(module) = module {
            env.insert(env::DJANGO_SETTINGS_MODULE, module);
        }
        env
    }

    #[test]
    fn precedence() {
        let app = ScratchDir::with_files("precedence", &[(MANAGE_PY, MANAGE)]);
        let config = GuardConfig {
            settings_module: SettingsModule::new("config.settings.prod"),
            ..GuardConfig::default()
        };
        let resolve = |config: &GuardConfig, env| {
            resolve_settings_module(config, &env, app.path())
                .unwrap()
                .map(|found| (found.module.to_string(), found.source))
        };
        assert_eq!(
            resolve(&config, platform_env(Some("other.settings"))),
            Some((
                "config.settings.prod".to_string(),
                SettingsSource::ProjectToml
            ))
        );
        let default = GuardConfig::default();
        assert_eq!(
            resolve(&default, platform_env(Some("other.settings"))),
            Some(("other.settings".to_string(), SettingsSource::PlatformEnv))
        );
        assert_eq!(
            resolve(&default, platform_env(Some("not a module"))),
            Some(("mysite.settings".to_string(), SettingsSource::ManagePy))
        );
        assert_eq!(
            resolve(&default, platform_env(None)),
            Some(("mysite.settings".to_string(), SettingsSource::ManagePy))
        );
    }

    #[test]
    fn nothing_found() {
        let app = ScratchDir::with_files("nothing", &[(MANAGE_PY, "import sys\n")]);
        let found =
            resolve_settings_module(&GuardConfig::default(), &platform_env(None), app.path())
                .unwrap();
        assert_eq!(found, None);
    }

    #[test]
    fn procfile_release() {
        let app = ScratchDir::with_files(
            "procfile",
            &[(
                PROCFILE,
                "web: gunicorn mysite.wsgi\nrelease: ./release.sh\n",
            )],
        );
        assert_eq!(
            procfile_release_command(app.path()).unwrap().as_deref(),
            Some("./release.sh")
        );
        let without = ScratchDir::with_files("no-procfile", &[]);
        assert_eq!(procfile_release_command(without.path()).unwrap(), None);
    }
}
