//! The web servers a Django app is started with, and how each reads its command line: which
//! word names the app (`mysite.wsgi`, `config.asgi:application`), which options set the
//! process's environment, its working directory or its import path.

use super::shell::{Words, assignment};
use serde::Serialize;

/// A server the guard understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Server {
    Gunicorn,
    Uvicorn,
    Daphne,
    Hypercorn,
    WaitressServe,
    /// `manage.py runserver` / `django-admin runserver`: loads `WSGI_APPLICATION`.
    Runserver,
}

impl Server {
    /// The name as the command is written (and as the probe knows it).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Gunicorn => "gunicorn",
            Self::Uvicorn => "uvicorn",
            Self::Daphne => "daphne",
            Self::Hypercorn => "hypercorn",
            Self::WaitressServe => "waitress-serve",
            Self::Runserver => "runserver",
        }
    }

    /// The server a program name (`gunicorn`, `/app/.venv/bin/uvicorn`) or a `python -m`
    /// module starts.
    pub(super) fn from_program(program: &str) -> Option<Self> {
        let name = program.rsplit('/').next().unwrap_or(program);
        Some(match name {
            "gunicorn" => Self::Gunicorn,
            "uvicorn" => Self::Uvicorn,
            "daphne" => Self::Daphne,
            "hypercorn" => Self::Hypercorn,
            "waitress-serve" | "waitress" => Self::WaitressServe,
            _ => return None,
        })
    }

    /// Options that take no value; every other option takes one (`--name value`,
    /// `--name=value`, `-Xvalue`). An option missing here can only make the app word
    /// unfindable, which makes the command unsure, never a wrong module.
    fn flags(self) -> &'static [&'static str] {
        match self {
            Self::Gunicorn => &[
                "--reload",
                "--spew",
                "--check-config",
                "--print-config",
                "--preload",
                "--no-sendfile",
                "--reuse-port",
                "-D",
                "--daemon",
                "--capture-output",
                "-R",
                "--enable-stdio-inheritance",
                "--disable-redirect-access-to-syslog",
                "--strip-header-spaces",
                "--suppress-ragged-eofs",
                "--do-handshake-on-connect",
                "--proxy-protocol",
                "--permit-obsolete-folding",
                "--permit-unconventional-http-method",
                "--permit-unconventional-http-version",
                "--casefold-http-method",
                "--header-map",
                "-v",
                "--version",
                "-h",
                "--help",
            ],
            Self::Uvicorn => &[
                "--reload",
                "--use-colors",
                "--no-use-colors",
                "--access-log",
                "--no-access-log",
                "--proxy-headers",
                "--no-proxy-headers",
                "--server-header",
                "--no-server-header",
                "--date-header",
                "--no-date-header",
                "--factory",
                "--version",
                "--help",
            ],
            Self::Daphne => &["--proxy-headers", "--no-server-name", "-h", "--help"],
            Self::Hypercorn => &["--debug", "--reload", "-h", "--help"],
            Self::WaitressServe => &[
                "--call",
                "--help",
                "--expose-tracebacks",
                "--no-expose-tracebacks",
                "--ipv4",
                "--no-ipv4",
                "--ipv6",
                "--no-ipv6",
                "--log-untrusted-proxy-headers",
                "--no-log-untrusted-proxy-headers",
            ],
            Self::Runserver => &[
                "--noreload",
                "--nothreading",
                "--ipv6",
                "-6",
                "--nostatic",
                "--insecure",
                "--skip-checks",
                "--traceback",
                "--no-color",
                "--force-color",
                "-h",
                "--help",
            ],
        }
    }
}

/// A command line read by a server's option grammar.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    /// `(name, value)` in order; a flag has an empty value.
    pub(super) options: Vec<(String, String)>,
    pub(super) positionals: Words,
}

impl Parsed {
    /// The last value of the option with any of `names`.
    pub(super) fn last(&self, names: &[&str]) -> Option<&str> {
        self.all(names).pop()
    }

    /// Every value of the option with any of `names`, in order.
    pub(super) fn all(&self, names: &[&str]) -> Vec<&str> {
        self.options
            .iter()
            .filter(|(name, _)| names.contains(&name.as_str()))
            .map(|(_, value)| value.as_str())
            .collect()
    }

    pub(super) fn has(&self, names: &[&str]) -> bool {
        !self.all(names).is_empty()
    }
}

/// Reads `args` (the words after the program) with `server`'s option grammar.
///
/// # Errors
///
/// When an option that takes a value ends the command without one.
pub(super) fn parse_options(server: Server, args: &[String]) -> Result<Parsed, String> {
    let flags = server.flags();
    let mut parsed = Parsed::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if word == "--" {
            parsed.positionals.extend(words.by_ref().cloned());
            break;
        }
        if !word.starts_with('-') || word == "-" {
            parsed.positionals.push(word.clone());
            continue;
        }
        if let Some((name, value)) = word.split_once('=').filter(|_| word.starts_with("--")) {
            parsed.options.push((name.to_string(), value.to_string()));
        } else if flags.contains(&word.as_str()) {
            parsed.options.push((word.clone(), String::new()));
        } else if !word.starts_with("--") && word.len() > 2 {
            // `-w4`, `-b0.0.0.0:8000`: a short option with its value attached (or short
            // flags written together, which name nothing the guard reads).
            let split = word.char_indices().nth(2).map_or(word.len(), |(at, _)| at);
            let (name, value) = word.split_at(split);
            if !flags.contains(&name) {
                parsed.options.push((name.to_string(), value.to_string()));
            }
        } else {
            let value = words
                .next()
                .ok_or_else(|| format!("its option {word} has no value"))?;
            parsed.options.push((word.clone(), value.clone()));
        }
    }
    Ok(parsed)
}

/// The `NAME=value` pairs of gunicorn's `--env` values (a value without `=` is ignored by
/// gunicorn too).
pub(super) fn env_pairs<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(String, String)> {
    values
        .filter_map(assignment)
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Words {
        text.split(' ').map(ToString::to_string).collect()
    }

    #[test]
    fn options_with_and_without_values() {
        let parsed = parse_options(
            Server::Gunicorn,
            &words("--preload -w4 -b 0.0.0.0:5000 config.wsgi --env=A=b -e C=d -- extra"),
        )
        .unwrap();
        assert_eq!(parsed.positionals, ["config.wsgi", "extra"]);
        assert_eq!(parsed.last(&["-w", "--workers"]), Some("4"));
        assert_eq!(parsed.last(&["-b"]), Some("0.0.0.0:5000"));
        assert!(parsed.has(&["--preload"]));
        assert_eq!(
            env_pairs(parsed.all(&["-e", "--env"]).into_iter()),
            [
                ("A".to_string(), "b".to_string()),
                ("C".to_string(), "d".to_string())
            ]
        );
        assert!(parse_options(Server::Gunicorn, &words("config.wsgi --bind")).is_err());
        // A short option followed by a character of several bytes (found by the fuzzer).
        let parsed = parse_options(Server::Daphne, &words("-\u{e9}x config.asgi:app")).unwrap();
        assert_eq!(parsed.last(&["-\u{e9}"]), Some("x"));
    }

    #[test]
    fn programs() {
        assert_eq!(
            Server::from_program("/app/.heroku/python/bin/gunicorn"),
            Some(Server::Gunicorn)
        );
        assert_eq!(
            Server::from_program("waitress"),
            Some(Server::WaitressServe)
        );
        assert_eq!(Server::from_program("bin/start-nginx"), None);
    }
}
