//! The gate's configuration: the command line, the environment and the launch config the build
//! wrote, resolved into one [`Resolved`] before anything runs.

use super::policy::Policy;
use crate::config::{
    DEFAULT_TIMEOUT_SECS, FailLevel, FindingIds, Ignores, LaunchConfig, LiveUrl,
    MAX_CONFIG_FILE_BYTES, Mode, ProxySslHeader, TimeoutSecs, env,
};
use crate::http_facts::CaTrust;
use crate::read::read_bounded;
use crate::report::{EvaluationError, ModeSource};
use crate::settings_resolution::{SettingsInputs, resolve_settings_module};
use crate::web_process::{self, AppDir, WebResolution};
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

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

    pub(crate) fn vars(&self) -> impl Iterator<Item = (&OsString, &OsString)> {
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
    pub(crate) fn new(source: impl Into<String>, problem: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            problem: problem.into(),
        }
    }

    pub(crate) fn into_evaluation_error(self) -> EvaluationError {
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
    /// What the logs say about how the settings module was chosen (the web process and
    /// `manage.py` disagreeing, or why the web process did not decide).
    pub settings_notes: Vec<String>,
    /// The Procfile's web process, read once: the probe gets it with its request.
    pub web: WebResolution,
    pub timeout: Duration,
    pub policy: Policy,
    /// The header the proxy in front of the app sets on HTTPS requests.
    pub proxy_ssl_header: ProxySslHeader,
    /// The live site to compare the release with, when one is configured.
    pub live: Option<LiveRequest>,
}

/// Where the live site is and which CAs to trust for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveRequest {
    pub url: LiveUrl,
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR`, as verify honours them.
    pub trust: CaTrust,
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
    Ok(parsed_env(environment, env::MODE)?.map(|mode| (mode, ModeSource::ConfigVar)))
}

/// The variable `name` parsed, `None` when unset.
fn parsed_env<T: FromStr<Err = String>>(
    environment: &Environment,
    name: &str,
) -> Result<Option<T>, ConfigError> {
    environment
        .text(name)?
        .map(|value| {
            value
                .parse()
                .map_err(|problem| ConfigError::new(name, format!("is invalid: {problem}")))
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
    let web = web_process::resolve_web_process(&AppDir(&app_dir), &|name| {
        web_variable(environment, name)
    });
    let (settings_module, settings_notes) =
        settings_module(options, environment, &launch, &app_dir, &web)?;
    let timeout_secs = match environment.text(env::TIMEOUT)? {
        Some(text) => text
            .parse()
            .ok()
            .and_then(TimeoutSecs::new)
            .ok_or_else(|| ConfigError::new(env::TIMEOUT, format!("is `{text}`; use a whole number of seconds greater than 0 (default {DEFAULT_TIMEOUT_SECS})")))?
            .secs(),
        None => launch.guard.timeout.map_or(DEFAULT_TIMEOUT_SECS, TimeoutSecs::secs),
    };
    let fail_level: FailLevel = parsed_env(environment, env::FAIL_LEVEL)?
        .or(launch.guard.fail_level)
        .unwrap_or_default();
    let policy = Policy::from_config(
        &launch.guard,
        &env_list(environment, env::BLOCK, FindingIds::from_comma_separated)?,
        &env_list(environment, env::IGNORE, Ignores::from_comma_separated)?,
        fail_level,
    );
    let live = parsed_env::<LiveUrl>(environment, env::LIVE_URL)?
        .or_else(|| launch.guard.live_url.clone())
        .map(|url| LiveRequest {
            url,
            trust: ca_trust(environment),
        });
    let proxy_ssl_header = parsed_env(environment, env::PROXY_SSL_HEADER)?
        .or_else(|| launch.guard.proxy_ssl_header.clone())
        .unwrap_or_default();
    Ok(Resolved {
        mode,
        mode_source: chosen.map(|(_, source)| source),
        app_dir,
        settings_module,
        settings_notes,
        web,
        timeout: Duration::from_secs(timeout_secs),
        policy,
        proxy_ssl_header,
        live,
    })
}

/// `SSL_CERT_FILE` and the colon-separated `SSL_CERT_DIR`, as OpenSSL and verify read them.
fn ca_trust(environment: &Environment) -> CaTrust {
    let path = |name: &str| {
        environment
            .get(name)
            .filter(|value| !value.is_empty())
            .map(PathBuf::from)
    };
    CaTrust {
        ssl_cert_file: path("SSL_CERT_FILE"),
        ssl_cert_dirs: path("SSL_CERT_DIR")
            .map(|dirs| {
                std::env::split_paths(&dirs)
                    .filter(|dir| !dir.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A comma-separated list from the environment (empty when unset).
fn env_list<T>(
    environment: &Environment,
    name: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    let text = environment.text(name)?.unwrap_or_default();
    parse(text).map_err(|problem| ConfigError::new(name, format!("is invalid: {problem}")))
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
    let text = read_bounded(Path::new(path), MAX_CONFIG_FILE_BYTES).map_err(|error| {
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

/// A variable as the web process's command sees it: the config vars, and what the platform
/// sets for web processes ([`web_process::platform_environment`]) on top.
fn web_variable(environment: &Environment, name: &str) -> Option<String> {
    let platform = web_process::platform_environment(
        environment.get("DYNO").is_some(),
        environment.get("PORT").and_then(OsStr::to_str),
    );
    platform
        .into_iter()
        .find(|(platform_name, _)| platform_name == name)
        .map(|(_, value)| value)
        .or_else(|| {
            environment
                .get(name)
                .map(|value| value.to_string_lossy().into_owned())
        })
}

/// The settings module by the one precedence table ([`crate::settings_resolution`]), with this
/// process's environment, the project.toml the build recorded and the Procfile's web process,
/// and the notes the log shows about the choice. What the build itself resolved is not an
/// input: a module the build environment named is not what the release's processes load.
fn settings_module(
    options: &GateOptions,
    environment: &Environment,
    launch: &LaunchConfig,
    app_dir: &Path,
    web: &WebResolution,
) -> Result<(Option<String>, Vec<String>), ConfigError> {
    let inputs = SettingsInputs {
        command_line: options.settings_module.as_deref(),
        environment: environment.text(env::DJANGO_SETTINGS_MODULE)?,
        project_toml: launch.guard.settings_module.as_ref(),
        app_dir,
        web,
    };
    resolve_settings_module(&inputs)
        .map(|resolution| {
            (
                resolution.found.map(|found| found.module.to_string()),
                resolution.notes,
            )
        })
        .map_err(|error| ConfigError::new(error.source_name(), error.problem()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http_facts::NoLiveSite;
    use crate::report::{Exit, Verdict};
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

    fn ignored_ids(policy: &Policy) -> Vec<&str> {
        policy.ignore.iter().map(|rule| rule.id.as_str()).collect()
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
        assert_eq!(resolved.proxy_ssl_header, ProxySslHeader::default());
        assert_eq!(resolved.live, None);
    }

    #[test]
    fn command_line_beats_env_beats_launch_config() {
        let dir = app_dir(
            "precedence",
            Some(indoc::indoc! {r#"
                settings-module = "what.the.build.saw"
                [guard]
                settings-module = "built.settings"
                mode = "warn"
                timeout = 60
                ignore = ["security.W021"]
                fail-level = "warning"
                proxy-ssl-header = "X-Forwarded-Protocol"
                live-url = "https://www.example.com/"
            "#}),
        );
        let from_config = resolved(&dir, &GateOptions::default(), &[]).unwrap();
        assert_eq!(from_config.mode, Mode::Warn);
        assert_eq!(from_config.policy.fail_level, FailLevel::Warning);
        assert_eq!(
            from_config.proxy_ssl_header.meta_key(),
            "HTTP_X_FORWARDED_PROTOCOL"
        );
        assert_eq!(from_config.timeout, Duration::from_mins(1));
        assert_eq!(
            from_config.settings_module.as_deref(),
            Some("built.settings")
        );
        assert_eq!(ignored_ids(&from_config.policy), ["security.W021"]);
        assert_eq!(
            from_config.live.as_ref().map(|live| live.url.as_str()),
            Some("https://www.example.com/")
        );

        let vars = [
            (env::MODE, "off"),
            (env::TIMEOUT, "5"),
            (env::DJANGO_SETTINGS_MODULE, "env.settings"),
            (env::IGNORE, "security.W004"),
            (env::FAIL_LEVEL, "Default"),
            (env::PROXY_SSL_HEADER, "X-Forwarded-Ssl: on"),
            (env::LIVE_URL, "https://localhost:8443/"),
            ("SSL_CERT_FILE", "/tmp/ca.pem"),
            ("SSL_CERT_DIR", "/etc/a:/etc/b"),
        ];
        let from_env = resolved(&dir, &GateOptions::default(), &vars).unwrap();
        assert_eq!(from_env.mode, Mode::Off);
        assert_eq!(from_env.policy.fail_level, FailLevel::Default);
        assert_eq!(from_env.proxy_ssl_header.to_string(), "X-Forwarded-Ssl: on");
        assert_eq!(from_env.timeout, Duration::from_secs(5));
        assert_eq!(from_env.settings_module.as_deref(), Some("env.settings"));
        assert_eq!(
            ignored_ids(&from_env.policy),
            ["security.W021", "security.W004"]
        );
        assert_eq!(
            from_env.live,
            Some(LiveRequest {
                url: "https://localhost:8443/".parse().unwrap(),
                trust: CaTrust {
                    ssl_cert_file: Some(PathBuf::from("/tmp/ca.pem")),
                    ssl_cert_dirs: vec![PathBuf::from("/etc/a"), PathBuf::from("/etc/b")],
                },
            })
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
            problem(&[(env::IGNORE, "corsheaders.E013, security.w021")]),
            "RELEASE_GUARD_IGNORE is invalid: `security.w021` is not a finding ID Release Guard knows; did you mean `security.W021`?"
        );
        assert_eq!(
            problem(&[(env::IGNORE, "security.W004@2027-02-30")]),
            "RELEASE_GUARD_IGNORE is invalid: `2027-02-30` is not a date written YYYY-MM-DD (UTC), such as \"2027-03-31\""
        );
        assert_eq!(
            problem(&[(env::LIVE_URL, "http://www.example.com/")]),
            "RELEASE_GUARD_LIVE_URL is invalid: `http://www.example.com/` is not the live site's https:// address, such as \"https://www.example.com/\""
        );
        assert_eq!(
            problem(&[(env::BLOCK, "W021")]),
            "RELEASE_GUARD_BLOCK is invalid: `W021` is not a finding ID Release Guard knows; did you mean `security.W021`?"
        );
        assert_eq!(
            problem(&[(env::TIMEOUT, "5m")]),
            "RELEASE_GUARD_TIMEOUT is `5m`; use a whole number of seconds greater than 0 (default 300)"
        );
        assert!(problem(&[(env::TIMEOUT, "0")]).starts_with("RELEASE_GUARD_TIMEOUT is `0`"));
        assert_eq!(
            problem(&[(env::FAIL_LEVEL, "error")]),
            "RELEASE_GUARD_FAIL_LEVEL is invalid: `error` is not a fail level; use default or warning"
        );
        assert_eq!(
            problem(&[(env::PROXY_SSL_HEADER, "HTTP_X_FORWARDED_PROTOCOL")]),
            "RELEASE_GUARD_PROXY_SSL_HEADER is invalid: `HTTP_X_FORWARDED_PROTOCOL` is not an HTTP header name such as \"X-Forwarded-Proto\" (letters, digits and '-'), optionally followed by \": value\" when the proxy sends something other than https, such as \"X-Forwarded-Ssl: on\""
        );
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
        let run = crate::gate::run(&GateOptions::default(), &environment, &dir, &NoLiveSite);
        assert_eq!(run.exit, Exit::Pass);
        assert_eq!(run.report.mode, Mode::Off);
        let run = crate::gate::run(
            &GateOptions::default(),
            &self::environment(&dir, &[]),
            &dir,
            &NoLiveSite,
        );
        assert_eq!(run.exit, Exit::CouldNotEvaluate);
        assert!(
            run.report
                .error
                .unwrap()
                .title
                .starts_with("Invalid Release Guard configuration")
        );
        let warn = self::environment(&dir, &[(env::MODE, "warn")]);
        let run = crate::gate::run(&GateOptions::default(), &warn, &dir, &NoLiveSite);
        assert_eq!(
            (run.exit, run.report.mode, run.report.verdict),
            (Exit::Pass, Mode::Warn, Verdict::Error)
        );
    }

    #[test]
    fn a_launch_config_that_is_not_a_regular_file_is_an_error_not_a_hang() {
        let dir = app_dir("special-config", None);
        let fifo = dir.path().join("fifo.toml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        for (path, kind) in [
            (Path::new("/dev/zero"), "a character device"),
            (&fifo, "a FIFO"),
        ] {
            let environment: Environment =
                [(OsString::from(env::CONFIG), path.as_os_str().to_owned())]
                    .into_iter()
                    .collect();
            let error = resolve(&GateOptions::default(), &environment, &dir).unwrap_err();
            assert_eq!(
                format!("{} {}", error.source, error.problem),
                format!(
                    "RELEASE_GUARD_CONFIG ({}) could not be read: it is {kind}, not a regular file",
                    path.display()
                )
            );
        }
    }
}
