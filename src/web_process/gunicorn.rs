//! What gunicorn itself reads besides its command line, in its order (config file, then
//! `GUNICORN_CMD_ARGS`, then the command line, later ones winning): the settings that decide
//! which module it loads and with which environment.

use super::servers::{Parsed, Server, env_pairs, parse_options};
use super::shell::split_commands;

/// The config file gunicorn reads from its working directory when none is named.
pub(super) const DEFAULT_CONFIG: &str = "gunicorn.conf.py";
/// The config file settings that change the module loaded or its environment.
const CONFIG_NAMES: [&str; 4] = ["wsgi_app", "raw_env", "chdir", "pythonpath"];

/// gunicorn's settings that decide the app and its environment; `None`: not set here.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Layer {
    pub(super) wsgi_app: Option<String>,
    /// `--env` / `raw_env`: a later layer's list replaces an earlier one's, as in gunicorn.
    pub(super) raw_env: Option<Vec<(String, String)>>,
    pub(super) chdir: Option<String>,
    pub(super) pythonpath: Option<String>,
}

impl Layer {
    pub(super) fn from_options(parsed: &Parsed) -> Result<Self, String> {
        if parsed.has(&["--paste", "--paster"]) {
            return Err("gunicorn loads a PasteDeploy file (--paste)".to_string());
        }
        let env: Vec<_> = env_pairs(parsed.all(&["-e", "--env"]).into_iter());
        Ok(Self {
            wsgi_app: parsed.positionals.first().cloned(),
            raw_env: (!env.is_empty()).then_some(env),
            chdir: parsed.last(&["--chdir"]).map(str::to_string),
            pythonpath: parsed.last(&["--pythonpath"]).map(str::to_string),
        })
    }

    /// `GUNICORN_CMD_ARGS`, split as gunicorn splits it (shlex).
    pub(super) fn from_cmd_args(text: &str) -> Result<(Self, Parsed), String> {
        let no_variables = |_: &str| None;
        let words = split_commands(text, &no_variables)
            .map_err(|reason| format!("GUNICORN_CMD_ARGS cannot be read: {reason}"))?
            .concat();
        let parsed = parse_options(Server::Gunicorn, &words)?;
        let mut layer = Self::from_options(&parsed)?;
        // gunicorn takes the app only from its command line or config file.
        layer.wsgi_app = None;
        Ok((layer, parsed))
    }

    /// The settings a gunicorn config file assigns at its top level, as literals.
    ///
    /// # Errors
    ///
    /// When the file mentions a setting that matters in a way other than a literal assignment
    /// (computed, appended to, set in a branch): only running it would tell.
    pub(super) fn from_config_file(path: &str, source: &str) -> Result<Self, String> {
        let mut layer = Self::default();
        for name in CONFIG_NAMES {
            let mentioned = mentions(source, name);
            let assigned = source
                .lines()
                .filter_map(|line| assigned_literal(line, name))
                .collect::<Vec<_>>();
            if mentioned != assigned.len() {
                return Err(format!(
                    "{path} sets {name} in a way only running it would tell"
                ));
            }
            let Some(literal) = assigned.into_iter().last() else {
                continue;
            };
            let unreadable = || format!("{path} sets {name} to something other than a literal");
            match (name, literal) {
                ("raw_env", Literal::List(items)) => {
                    layer.raw_env = Some(env_pairs(items.iter().map(String::as_str)));
                }
                ("wsgi_app", Literal::Text(text)) => layer.wsgi_app = Some(text),
                ("chdir", Literal::Text(text)) => layer.chdir = Some(text),
                ("pythonpath", Literal::Text(text)) => layer.pythonpath = Some(text),
                _ => return Err(unreadable()),
            }
        }
        Ok(layer)
    }

    /// This layer with `later` on top.
    pub(super) fn then(self, later: Self) -> Self {
        Self {
            wsgi_app: later.wsgi_app.or(self.wsgi_app),
            raw_env: later.raw_env.or(self.raw_env),
            chdir: later.chdir.or(self.chdir),
            pythonpath: later.pythonpath.or(self.pythonpath),
        }
    }
}

/// How often `name` occurs as a whole identifier.
fn mentions(source: &str, name: &str) -> usize {
    let is_identifier = |c: char| c.is_ascii_alphanumeric() || c == '_';
    source
        .match_indices(name)
        .filter(|(at, _)| {
            let before = source[..*at].chars().next_back();
            let after = source[at + name.len()..].chars().next();
            !before.is_some_and(is_identifier) && !after.is_some_and(is_identifier)
        })
        .count()
}

enum Literal {
    Text(String),
    List(Vec<String>),
}

/// `name = "text"` or `name = ["a", "b"]` at the start of `line` (a top-level statement).
fn assigned_literal(line: &str, name: &str) -> Option<Literal> {
    let value = line.strip_prefix(name)?.trim_start().strip_prefix('=')?;
    let value = value.split_once('#').map_or(value, |(code, _)| code).trim();
    if let Some(items) = value
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    {
        let mut rest = items.trim();
        let mut list = Vec::new();
        while !rest.is_empty() {
            let (text, after) = string_literal(rest)?;
            list.push(text);
            rest = after.trim_start();
            rest = rest.strip_prefix(',').map_or(rest, str::trim_start);
        }
        return Some(Literal::List(list));
    }
    match string_literal(value)? {
        (text, "") => Some(Literal::Text(text)),
        _ => None,
    }
}

/// A quoted string without escapes at the start of `text`, and what follows it.
fn string_literal(text: &str) -> Option<(String, &str)> {
    let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let body = &text[1..];
    let end = body.find(quote)?;
    let inner = &body[..end];
    (!inner.contains('\\')).then(|| (inner.to_string(), body[end + 1..].trim_end()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_settings_are_read() {
        let layer = Layer::from_config_file(
            "gunicorn.conf.py",
            "import os\nbind = '0.0.0.0:' + os.environ['PORT']\nwsgi_app = \"config.wsgi:application\"  # the app\nraw_env = ['DJANGO_SETTINGS_MODULE=config.settings.production', \"A=b\",]\nchdir = 'src'\n",
        )
        .unwrap();
        assert_eq!(layer.wsgi_app.as_deref(), Some("config.wsgi:application"));
        assert_eq!(
            layer.raw_env,
            Some(vec![
                (
                    "DJANGO_SETTINGS_MODULE".to_string(),
                    "config.settings.production".to_string()
                ),
                ("A".to_string(), "b".to_string())
            ])
        );
        assert_eq!(layer.chdir.as_deref(), Some("src"));
        assert_eq!(layer.pythonpath, None);
    }

    #[test]
    fn settings_only_running_the_file_would_tell_are_unsure() {
        for source in [
            "raw_env = [f'DJANGO_SETTINGS_MODULE={name}']\n",
            "raw_env = []\nraw_env.append('DJANGO_SETTINGS_MODULE=x')\n",
            "if True:\n    wsgi_app = 'x.wsgi'\n",
            "wsgi_app = 'x.wsgi' if a else 'y.wsgi'\n",
            "chdir = ['a']\n",
        ] {
            assert!(
                Layer::from_config_file("gunicorn.conf.py", source).is_err(),
                "{source}"
            );
        }
        // Names that merely contain a setting's name do not count.
        assert_eq!(
            Layer::from_config_file("g.py", "my_chdir = 1\nraw_envs = 2\n"),
            Ok(Layer::default())
        );
    }

    #[test]
    fn later_layers_win_and_env_lists_replace() {
        let config = Layer {
            wsgi_app: Some("a.wsgi".to_string()),
            raw_env: Some(vec![("X".to_string(), "1".to_string())]),
            chdir: Some("src".to_string()),
            pythonpath: None,
        };
        let (cmd_args, _) = Layer::from_cmd_args("--env Y=2 --workers 3 ignored.wsgi").unwrap();
        let layered = config.then(cmd_args);
        assert_eq!(layered.wsgi_app.as_deref(), Some("a.wsgi"));
        assert_eq!(
            layered.raw_env,
            Some(vec![("Y".to_string(), "2".to_string())])
        );
        assert_eq!(layered.chdir.as_deref(), Some("src"));
    }
}
