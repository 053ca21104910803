//! The web process as the Procfile starts it: which server, which WSGI/ASGI module, with which
//! environment, and the module file whose `os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)`
//! decides the settings the web process loads when nothing else names them. Read without
//! running anything, once, in Rust: the settings resolution, the build log and the probe (proxy
//! trust, the module the simulation loads) all use this one reading.
//!
//! A command the guard cannot read for certain is [`WebResolution::Unsure`] with the reason;
//! callers fall back to what they did without a Procfile and say so.

mod gunicorn;
mod servers;
mod shell;

use crate::app_files::{parse_procfile, settings_module_from_manage_py};
use crate::config::{MAX_CONFIG_FILE_BYTES, SettingsModule};
use crate::read::read_bounded;
use gunicorn::Layer;
pub use servers::Server;
use servers::{Parsed, parse_options};
use shell::{Words, assignment, split_commands};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub const PROCFILE: &str = "Procfile";
const MANAGE_PY: &str = "manage.py";
/// The port the guard tells a web process to listen on when the platform has not said.
pub const DEFAULT_PORT: &str = "5000";

/// What the platform sets for a web process that a release-phase process may lack: `PORT` (Heroku
/// and most platforms assign one to web processes only) and, on Heroku, `DYNO=web.1` (the
/// release phase runs as `release.N`). `port` is the `PORT` already set, if any.
#[must_use]
pub fn platform_environment(on_heroku: bool, port: Option<&str>) -> Vec<(String, String)> {
    let port = port.filter(|port| !port.is_empty()).unwrap_or(DEFAULT_PORT);
    let mut environment = vec![("PORT".to_string(), port.to_string())];
    if on_heroku {
        environment.push(("DYNO".to_string(), "web.1".to_string()));
    }
    environment
}

/// The app a server loads: `module:attribute`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppTarget {
    pub module: String,
    /// The object in the module; gunicorn's `name()` form calls a factory.
    pub attribute: String,
}

/// The web process the Procfile's `web:` command starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebProcess {
    /// The `web:` command as written in the Procfile.
    pub command: String,
    pub server: Server,
    /// The server's own words after its program name, as bash passes them.
    pub args: Words,
    /// The app module it loads; `None` for runserver, which loads `WSGI_APPLICATION`.
    pub app: Option<AppTarget>,
    /// Variables the command sets for the process (`NAME=value cmd`, `env NAME=value`,
    /// gunicorn's `--env` / `raw_env`), in the order they apply.
    pub environment: Vec<(String, String)>,
    /// runserver's `--settings`.
    pub settings_option: Option<String>,
    /// The file, relative to the app, holding the app module (manage.py for runserver).
    pub module_file: Option<PathBuf>,
}

/// What the Procfile says about the web process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebResolution {
    NoProcfile,
    NoWebCommand,
    Understood(WebProcess),
    /// The command (if the Procfile could be read) and why it could not be read for certain.
    Unsure {
        command: Option<String>,
        reason: String,
    },
}

/// The files of the app the reading needs: the Procfile, a gunicorn config, module files.
pub trait AppFiles {
    /// The file's text; `Ok(None)` when it does not exist.
    ///
    /// # Errors
    ///
    /// When it exists but cannot be read (not a regular file, too large, not text).
    fn read(&self, path: &Path) -> Result<Option<String>, String>;
    fn exists(&self, path: &Path) -> bool;
}

/// The app directory on disk, read through the guard's bounded reader.
pub struct AppDir<'a>(pub &'a Path);

impl AppFiles for AppDir<'_> {
    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        match read_bounded(&self.0.join(path), MAX_CONFIG_FILE_BYTES) {
            Ok(text) => Ok(Some(text)),
            Err(error) if error.is_not_found() => Ok(None),
            Err(error) => Err(format!("{} could not be read: {error}", path.display())),
        }
    }

    fn exists(&self, path: &Path) -> bool {
        self.0.join(path).exists()
    }
}

/// The Procfile's process types, `None` when there is no Procfile.
///
/// # Errors
///
/// When the Procfile exists but cannot be read.
pub fn read_procfile(files: &dyn AppFiles) -> Result<Option<BTreeMap<String, String>>, String> {
    Ok(files
        .read(Path::new(PROCFILE))?
        .map(|source| parse_procfile(&source)))
}

/// The web process of the app whose files are `files`. `lookup` gives the environment the
/// command is expanded with (`$PORT`, `GUNICORN_CMD_ARGS`).
#[must_use]
pub fn resolve_web_process(
    files: &dyn AppFiles,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> WebResolution {
    web_process(read_procfile(files).as_ref(), files, lookup)
}

/// The web process of an already read Procfile ([`read_procfile`]).
#[must_use]
pub fn web_process(
    procfile: Result<&Option<BTreeMap<String, String>>, &String>,
    files: &dyn AppFiles,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> WebResolution {
    let procfile = match procfile {
        Ok(Some(procfile)) => procfile,
        Ok(None) => return WebResolution::NoProcfile,
        Err(reason) => {
            return WebResolution::Unsure {
                command: None,
                reason: reason.clone(),
            };
        }
    };
    let Some(command) = procfile.get("web") else {
        return WebResolution::NoWebCommand;
    };
    match understand(command, files, lookup) {
        Ok(process) => WebResolution::Understood(process),
        Err(reason) => WebResolution::Unsure {
            command: Some(command.clone()),
            reason,
        },
    }
}

/// Reads one `web:` command.
///
/// # Errors
///
/// Why the command cannot be read for certain without running it.
pub fn understand(
    command: &str,
    files: &dyn AppFiles,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<WebProcess, String> {
    let commands = split_commands(command, lookup)?;
    let (last, before) = commands.split_last().ok_or("it is empty")?;
    let mut base = PathBuf::new();
    for words in before {
        if words[0] == "cd" {
            base = inside_app(&base, words.get(1).filter(|_| words.len() == 2), "cd")?;
        }
    }
    let (mut environment, words) = peel_wrappers(last)?;
    let (server, args, manage_py) = identify(words)?;
    let parsed = parse_options(server, args)?;
    let mut process = WebProcess {
        command: command.to_string(),
        server,
        args: args.to_vec(),
        app: None,
        environment: Vec::new(),
        settings_option: None,
        module_file: None,
    };
    if server == Server::Runserver {
        if parsed.positionals.first().map(String::as_str) != Some("runserver") {
            return Err("it runs a Django command other than runserver".to_string());
        }
        process.settings_option = parsed.last(&["--settings"]).map(str::to_string);
        process.module_file = manage_py
            .map(|script| inside_app(&base, Some(&script.to_string()), "manage.py path"))
            .transpose()?;
        process.environment = environment;
        return Ok(process);
    }
    let (app, search_path) = match server {
        Server::Gunicorn => {
            let (layer, search_path) = gunicorn_settings(&parsed, &base, files, lookup)?;
            environment.extend(layer.raw_env.unwrap_or_default());
            (layer.wsgi_app, search_path)
        }
        Server::Uvicorn if parsed.has(&["--env-file"]) => {
            return Err("uvicorn loads variables from --env-file".to_string());
        }
        Server::Uvicorn => {
            let app_dir = parsed.last(&["--app-dir"]).unwrap_or(".");
            let search = inside_app(&base, Some(&app_dir.to_string()), "--app-dir")?;
            (parsed.positionals.first().cloned(), vec![search])
        }
        Server::Daphne if parsed.has(&["--ws-protocol"]) => {
            return Err("daphne's --ws-protocol takes any number of words".to_string());
        }
        Server::WaitressServe => (
            parsed
                .last(&["--app"])
                .map(str::to_string)
                .or_else(|| parsed.positionals.first().cloned()),
            vec![base.clone()],
        ),
        Server::Daphne | Server::Hypercorn | Server::Runserver => {
            (parsed.positionals.first().cloned(), vec![base.clone()])
        }
    };
    let spec =
        app.ok_or_else(|| format!("no app module found in its {} options", server.name()))?;
    let target = app_target(server, &spec)?;
    process.module_file = Some(find_module(files, &search_path, &target.module)?);
    process.app = Some(target);
    process.environment = environment;
    Ok(process)
}

/// Variables a command sets for its process, in the order they apply.
type Assignments = Vec<(String, String)>;

/// Leading `NAME=value` words and the wrappers that exec their arguments unchanged.
fn peel_wrappers(words: &[String]) -> Result<(Assignments, &[String]), String> {
    let mut environment = Vec::new();
    let mut rest = words;
    while let Some((first, after)) = rest.split_first() {
        let options_follow = after.first().is_some_and(|next| next.starts_with('-'));
        rest = match first.as_str() {
            "exec" | "env" | "ddtrace-run" | "opentelemetry-instrument" if options_follow => {
                return Err(format!("it passes options to {first}"));
            }
            "exec" | "env" | "ddtrace-run" | "opentelemetry-instrument" => after,
            "newrelic-admin" if after.first().is_some_and(|next| next == "run-program") => {
                &after[1..]
            }
            word => match assignment(word) {
                Some((name, value)) => {
                    environment.push((name.to_string(), value.to_string()));
                    after
                }
                None => break,
            },
        };
    }
    Ok((environment, rest))
}

/// The server the words start, its arguments, and for runserver the manage.py script.
fn identify(words: &[String]) -> Result<(Server, &[String], Option<&str>), String> {
    let (program, args) = words
        .split_first()
        .ok_or("it sets variables but runs nothing")?;
    let name = program.rsplit('/').next().unwrap_or(program);
    if let Some(server) = Server::from_program(name) {
        return Ok((server, args, None));
    }
    if name == MANAGE_PY {
        return Ok((Server::Runserver, args, Some(program)));
    }
    if name == "django-admin" || name == "django-admin.py" {
        return Ok((Server::Runserver, args, None));
    }
    if !is_python(name) {
        return Err(format!(
            "it starts `{program}`, which the guard cannot see into"
        ));
    }
    let mut rest = args;
    while let Some((word, after)) = rest.split_first() {
        match word.as_str() {
            "-m" => {
                let (module, args) = after.split_first().ok_or("python -m names no module")?;
                return match Server::from_program(module) {
                    Some(server) => Ok((server, args, None)),
                    None if module == "django" => Ok((Server::Runserver, args, None)),
                    None => Err(format!("it runs the Python module {module}")),
                };
            }
            "-W" | "-X" => rest = after.get(1..).unwrap_or_default(),
            flag if flag.starts_with('-') && !flag.starts_with("-c") => rest = after,
            script if Path::new(script).file_name() == Some(MANAGE_PY.as_ref()) => {
                return Ok((Server::Runserver, after, Some(script)));
            }
            other => return Err(format!("it runs Python with `{other}`")),
        }
    }
    Err("it starts Python without a server".to_string())
}

fn is_python(name: &str) -> bool {
    name.strip_prefix("python")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// gunicorn's layers (config file, `GUNICORN_CMD_ARGS`, command line) and the import path they
/// give, first entry first.
fn gunicorn_settings(
    parsed: &Parsed,
    base: &Path,
    files: &dyn AppFiles,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<(Layer, Vec<PathBuf>), String> {
    let command_line = Layer::from_options(parsed)?;
    let (cmd_args, cmd_args_parsed) = match lookup("GUNICORN_CMD_ARGS") {
        Some(text) => Layer::from_cmd_args(&text)?,
        None => (Layer::default(), Parsed::default()),
    };
    let config_names = ["-c", "--config"];
    let named = parsed
        .last(&config_names)
        .or_else(|| cmd_args_parsed.last(&config_names));
    let config_path = named.unwrap_or(gunicorn::DEFAULT_CONFIG);
    if config_path.starts_with("python:") {
        return Err(format!(
            "its gunicorn config is the module {config_path}, which the guard does not read"
        ));
    }
    let path = inside_app(base, Some(&config_path.to_string()), "-c")?;
    let config = match files.read(&path)? {
        Some(source) => Layer::from_config_file(config_path, &source)?,
        None if named.is_some() => {
            return Err(format!("its gunicorn config {config_path} does not exist"));
        }
        None => Layer::default(),
    };
    let layer = config.then(cmd_args).then(command_line);
    let chdir = inside_app(base, layer.chdir.as_ref(), "--chdir")?;
    let mut search_path = Vec::new();
    for entry in layer.pythonpath.iter().flat_map(|path| path.split(',')) {
        search_path.push(inside_app(
            &chdir,
            Some(&entry.trim().to_string()),
            "--pythonpath",
        )?);
    }
    search_path.push(chdir);
    Ok((layer, search_path))
}

/// `dir` (relative, staying inside the app) joined to `base`; `None` is `base` itself.
fn inside_app(base: &Path, dir: Option<&String>, option: &str) -> Result<PathBuf, String> {
    let Some(dir) = dir else {
        return Ok(base.to_path_buf());
    };
    let path = Path::new(dir);
    let stays_inside = path
        .components()
        .all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
    if !stays_inside || dir.is_empty() {
        return Err(format!(
            "its {option} `{dir}` points outside the app or cannot be followed"
        ));
    }
    Ok(path
        .components()
        .filter(|part| matches!(part, Component::Normal(_)))
        .fold(base.to_path_buf(), |joined, part| joined.join(part)))
}

/// `module:attribute` (or a bare module, for the servers with a default attribute).
fn app_target(server: Server, spec: &str) -> Result<AppTarget, String> {
    let default = match server {
        Server::Gunicorn => Some("application"),
        Server::Hypercorn => Some("app"),
        _ => None,
    };
    let (module, attribute) = match spec.split_once(':') {
        Some((module, attribute)) => (module, attribute),
        None => (
            spec,
            default.ok_or_else(|| format!("its app `{spec}` names no object (module:object)"))?,
        ),
    };
    let factory = server == Server::Gunicorn && attribute.ends_with("()");
    let name = if factory {
        &attribute[..attribute.len() - 2]
    } else {
        attribute
    };
    if SettingsModule::new(module).is_none()
        || SettingsModule::new(name).is_none()
        || name.contains('.')
    {
        return Err(format!(
            "its app `{spec}` is not a module:object the guard can load"
        ));
    }
    Ok(AppTarget {
        module: module.to_string(),
        attribute: attribute.to_string(),
    })
}

/// The module's file under the first directory of `search_path` that has it.
fn find_module(
    files: &dyn AppFiles,
    search_path: &[PathBuf],
    module: &str,
) -> Result<PathBuf, String> {
    let relative: PathBuf = module.split('.').collect();
    let candidates: Vec<PathBuf> = search_path
        .iter()
        .flat_map(|dir| {
            [
                dir.join(&relative).with_extension("py"),
                dir.join(&relative).join("__init__.py"),
            ]
        })
        .collect();
    candidates
        .iter()
        .find(|candidate| files.exists(candidate))
        .cloned()
        .ok_or_else(|| {
            format!(
                "its app module {module} is not a file in the app (looked for {})",
                candidates
                    .iter()
                    .map(|path| path.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

impl WebProcess {
    /// The settings module the command itself sets (`DJANGO_SETTINGS_MODULE` in its environment,
    /// runserver's `--settings`): it wins over the config vars for this process.
    #[must_use]
    pub fn explicit_settings(&self) -> Option<&str> {
        self.settings_option.as_deref().or_else(|| {
            self.environment
                .iter()
                .rev()
                .find(|(name, _)| name == crate::config::env::DJANGO_SETTINGS_MODULE)
                .map(|(_, value)| value.as_str())
        })
    }

    /// The `setdefault` in the module file the web process imports first.
    ///
    /// # Errors
    ///
    /// When the module file exists but cannot be read.
    pub fn settings_default(&self, files: &dyn AppFiles) -> Result<Option<SettingsModule>, String> {
        let Some(file) = &self.module_file else {
            return Ok(None);
        };
        Ok(files
            .read(file)?
            .and_then(|source| settings_module_from_manage_py(&source)))
    }

    /// The directory (relative to the app) the web process imports its modules from: the one
    /// holding the app module's top package, or manage.py's directory for runserver.
    #[must_use]
    pub fn import_root(&self) -> Option<PathBuf> {
        let file = self.module_file.as_ref()?;
        let depth = match &self.app {
            Some(app) => {
                let package = file.file_name().is_some_and(|name| name == "__init__.py");
                app.module.split('.').count() + usize::from(package)
            }
            None => 1,
        };
        file.ancestors().nth(depth).map(Path::to_path_buf)
    }

    /// "gunicorn config.wsgi:application", "manage.py runserver".
    #[must_use]
    pub fn describe(&self) -> String {
        match (&self.app, &self.module_file) {
            (Some(app), _) => format!("{} {}:{}", self.server.name(), app.module, app.attribute),
            (None, Some(script)) => format!("{} runserver", script.display()),
            (None, None) => "django-admin runserver".to_string(),
        }
    }
}

#[cfg(test)]
mod tests;
