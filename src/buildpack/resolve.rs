//! What the build resolves about the app without running it: the settings module (and where it
//! came from) and the Procfile's `release:` command, read from the app directory and the
//! platform environment.

use crate::app_files::parse_procfile;
use crate::config::{GuardConfig, MAX_CONFIG_FILE_BYTES, env};
use crate::read::{ReadError, read_bounded_bytes};
use crate::settings_resolution::{self, ResolvedSettings, SettingsError, SettingsInputs};
use crate::web_process::{self, AppDir, WebResolution};
use libcnb::Env;
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::settings_resolution::MANAGE_PY;
pub use crate::web_process::PROCFILE;

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
    /// The winning source is not a module path (or the web process's module cannot be read):
    /// the release fails on it with this message.
    Invalid(String),
}

/// The app's Procfile, read once: its process types, `None` without a Procfile.
///
/// # Errors
///
/// When the Procfile exists but cannot be read.
pub fn read_procfile(app_dir: &Path) -> Result<Option<BTreeMap<String, String>>, ResolveError> {
    // Invalid UTF-8 is replaced rather than rejected, as the Procfile buildpack reads it.
    match read_bounded_bytes(&app_dir.join(PROCFILE), MAX_CONFIG_FILE_BYTES) {
        Ok(bytes) => Ok(Some(parse_procfile(&String::from_utf8_lossy(&bytes)))),
        Err(error) if error.is_not_found() => Ok(None),
        Err(error) => Err(ResolveError::ReadProcfile(error)),
    }
}

/// The Procfile's web process, with the platform environment the build has (and what the
/// platform sets for web processes) for the variables in its command.
#[must_use]
pub fn web_process(
    procfile: &Option<BTreeMap<String, String>>,
    platform_env: &Env,
    app_dir: &Path,
) -> WebResolution {
    let platform = web_process::platform_environment(false, None);
    let lookup = |name: &str| {
        platform
            .iter()
            .find(|(platform_name, _)| platform_name == name)
            .map(|(_, value)| value.clone())
            .or_else(|| platform_env.get_string_lossy(name))
    };
    web_process::web_process(Ok(procfile), &AppDir(app_dir), &lookup)
}

/// The settings module by the one precedence table ([`crate::settings_resolution`]), with the
/// platform environment and project.toml the build has, and the notes the log shows about it.
///
/// # Errors
///
/// When manage.py exists but cannot be read.
pub fn resolve_settings_module(
    config: &GuardConfig,
    platform_env: &Env,
    app_dir: &Path,
    web: &WebResolution,
) -> Result<(BuildSettings, Vec<String>), ResolveError> {
    let environment = platform_env.get_string_lossy(env::DJANGO_SETTINGS_MODULE);
    let inputs = SettingsInputs {
        command_line: None,
        environment: environment.as_deref(),
        project_toml: config.settings_module.as_ref(),
        app_dir,
        web,
    };
    match settings_resolution::resolve_settings_module(&inputs) {
        Ok(resolution) => Ok((
            resolution
                .found
                .map_or(BuildSettings::NotFound, BuildSettings::Found),
            resolution.notes,
        )),
        Err(error @ (SettingsError::NotAModule { .. } | SettingsError::ReadWebModule(_))) => {
            Ok((BuildSettings::Invalid(error.to_string()), Vec::new()))
        }
        Err(SettingsError::ReadManagePy(error)) => Err(ResolveError::ReadManagePy(error)),
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

    fn resolve(config: &GuardConfig, env: &Env, app: &Path) -> (String, Vec<String>) {
        let procfile = read_procfile(app).unwrap();
        let web = web_process(&procfile, env, app);
        let (settings, notes) = resolve_settings_module(config, env, app, &web).unwrap();
        let settings = match settings {
            BuildSettings::Found(found) => format!("{} from {}", found.module, found.origin),
            BuildSettings::NotFound => "none".to_string(),
            BuildSettings::Invalid(message) => message,
        };
        (settings, notes)
    }

    #[test]
    fn the_build_uses_the_one_table_with_its_platform_env() {
        let app = ScratchDir::with_files("build-settings", &[(MANAGE_PY, MANAGE)]);
        let config = GuardConfig {
            settings_module: SettingsModule::new("config.settings.prod"),
            ..GuardConfig::default()
        };
        let settings = |config: &GuardConfig, env| resolve(config, &env, app.path()).0;
        assert_eq!(
            settings(&config, platform_env(Some("other.settings"))),
            "other.settings from DJANGO_SETTINGS_MODULE"
        );
        assert_eq!(
            settings(&config, platform_env(None)),
            "config.settings.prod from project.toml"
        );
        let default = GuardConfig::default();
        assert_eq!(
            settings(&default, platform_env(Some("not a module"))),
            "DJANGO_SETTINGS_MODULE is `not a module`, which is not a Python module path like mysite.settings"
        );
        assert_eq!(
            settings(&default, platform_env(None)),
            "mysite.settings from manage.py"
        );
        let bare = ScratchDir::with_files("build-settings-none", &[(MANAGE_PY, "import sys\n")]);
        assert_eq!(
            resolve(&default, &platform_env(None), bare.path()).0,
            "none"
        );
    }

    #[test]
    fn the_build_judges_the_web_process_module_and_says_so() {
        let app = ScratchDir::with_files(
            "build-web",
            &[
                (MANAGE_PY, MANAGE),
                ("Procfile", "web: gunicorn --bind :$PORT mysite.wsgi\n"),
                (
                    "mysite/wsgi.py",
                    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.production')\n",
                ),
            ],
        );
        let (settings, notes) = resolve(&GuardConfig::default(), &platform_env(None), app.path());
        assert_eq!(settings, "mysite.production from mysite/wsgi.py");
        assert_eq!(
            notes,
            [
                "Settings: the web process (gunicorn mysite.wsgi:application) loads mysite.production (from mysite/wsgi.py), but manage.py commands load mysite.settings (from the default in manage.py). The guard judges mysite.production, what the web process serves."
            ]
        );
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
        let procfile = read_procfile(app.path()).unwrap().unwrap();
        assert_eq!(
            procfile.get("release").map(String::as_str),
            Some("./release.sh")
        );
        let without = ScratchDir::with_files("no-procfile", &[]);
        assert_eq!(read_procfile(without.path()).unwrap(), None);
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
            error(read_procfile(app.path()).map(|_| ())),
            "it is a FIFO, not a regular file"
        );
        let config = GuardConfig::default();
        assert_eq!(
            error(
                resolve_settings_module(
                    &config,
                    &platform_env(None),
                    app.path(),
                    &WebResolution::NoProcfile,
                )
                .map(|_| ())
            ),
            "it is a character device, not a regular file"
        );
    }
}
