//! What the build resolves about the app without running it: the settings module (and where it
//! came from) and the Procfile's `release:` command, read from the app directory and the
//! platform environment.

use crate::app_files::parse_procfile;
use crate::config::{GuardConfig, MAX_CONFIG_FILE_BYTES, env};
use crate::read::{ReadError, read_bounded_bytes};
use crate::settings_resolution::{self, ResolvedSettings, SettingsError, SettingsInputs};
use libcnb::Env;
use std::path::Path;

pub use crate::settings_resolution::MANAGE_PY;
pub const PROCFILE: &str = "Procfile";

#[derive(Debug)]
pub enum ResolveError {
    /// manage.py exists (detect saw it) but could not be read.
    ReadManagePy(ReadError),
    /// The Procfile exists but could not be read.
    ReadProcfile(ReadError),
}

/// The settings module as the build sees it.
#[derive(Debug)]
pub enum BuildSettings {
    Found(ResolvedSettings),
    /// No source names one: the release resolves it (or reports that it cannot).
    NotFound,
    /// The winning source is not a module path: the release fails on it with this message.
    Invalid(String),
}

/// The settings module by the one precedence table ([`crate::settings_resolution`]), with the
/// platform environment and project.toml the build has.
///
/// # Errors
///
/// When manage.py exists but cannot be read.
pub fn resolve_settings_module(
    config: &GuardConfig,
    platform_env: &Env,
    app_dir: &Path,
) -> Result<BuildSettings, ResolveError> {
    let environment = platform_env.get_string_lossy(env::DJANGO_SETTINGS_MODULE);
    let inputs = SettingsInputs {
        command_line: None,
        environment: environment.as_deref(),
        project_toml: config.settings_module.as_ref(),
        app_dir,
    };
    match settings_resolution::resolve_settings_module(&inputs) {
        Ok(Some(found)) => Ok(BuildSettings::Found(found)),
        Ok(None) => Ok(BuildSettings::NotFound),
        Err(error @ SettingsError::NotAModule { .. }) => {
            Ok(BuildSettings::Invalid(error.to_string()))
        }
        Err(SettingsError::ReadManagePy(error)) => Err(ResolveError::ReadManagePy(error)),
    }
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
fn read_optional(path: &Path) -> Result<Option<String>, ReadError> {
    match read_bounded_bytes(path, MAX_CONFIG_FILE_BYTES) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SettingsModule;
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
    fn the_build_uses_the_one_table_with_its_platform_env() {
        let app = ScratchDir::with_files("build-settings", &[(MANAGE_PY, MANAGE)]);
        let config = GuardConfig {
            settings_module: SettingsModule::new("config.settings.prod"),
            ..GuardConfig::default()
        };
        let resolve =
            |config: &GuardConfig, env| match resolve_settings_module(config, &env, app.path())
                .unwrap()
            {
                BuildSettings::Found(found) => format!("{} from {}", found.module, found.source),
                BuildSettings::NotFound => "none".to_string(),
                BuildSettings::Invalid(message) => message,
            };
        assert_eq!(
            resolve(&config, platform_env(Some("other.settings"))),
            "other.settings from DJANGO_SETTINGS_MODULE"
        );
        assert_eq!(
            resolve(&config, platform_env(None)),
            "config.settings.prod from project.toml"
        );
        let default = GuardConfig::default();
        assert_eq!(
            resolve(&default, platform_env(Some("not a module"))),
            "DJANGO_SETTINGS_MODULE is `not a module`, which is not a Python module path like mysite.settings"
        );
        assert_eq!(
            resolve(&default, platform_env(None)),
            "mysite.settings from manage.py"
        );
        let bare = ScratchDir::with_files("build-settings-none", &[(MANAGE_PY, "import sys\n")]);
        assert!(matches!(
            resolve_settings_module(&default, &platform_env(None), bare.path()).unwrap(),
            BuildSettings::NotFound
        ));
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

    #[test]
    fn a_procfile_or_manage_py_that_is_not_a_regular_file_is_an_error_not_a_hang() {
        let app = ScratchDir::with_files("procfile-special", &[]);
        let made = std::process::Command::new("mkfifo")
            .arg(app.path().join(PROCFILE))
            .status();
        assert!(made.unwrap().success());
        std::os::unix::fs::symlink("/dev/zero", app.path().join(MANAGE_PY)).unwrap();
        let error = |result: Result<_, ResolveError>| match result {
            Err(ResolveError::ReadProcfile(error) | ResolveError::ReadManagePy(error)) => {
                error.to_string()
            }
            Ok(()) => panic!("read a special file"),
        };
        assert_eq!(
            error(procfile_release_command(app.path()).map(|_| ())),
            "it is a FIFO, not a regular file"
        );
        let config = GuardConfig::default();
        assert_eq!(
            error(resolve_settings_module(&config, &platform_env(None), app.path()).map(|_| ())),
            "it is a character device, not a regular file"
        );
    }
}
