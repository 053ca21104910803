//! The parsers that read outside input, each as a fuzz target: bytes in, no panic and no hang
//! out. Shared by the fuzz driver (`examples/fuzz/main.rs`) and the regression test that
//! replays the kept corpus (`tests/fuzz_regressions_test.rs`).

use release_guard::config::{LaunchConfig, ProxySslHeader};
use release_guard::gate::policy::Policy;
use release_guard::gate::snapshot::ProbeAnswer;
use release_guard::headers::{cookie, hsts};
use release_guard::verify::url::Url;
use release_guard::web_process::{self, AppFiles};
use std::path::Path;

/// One parser under test.
pub(crate) struct Target {
    /// Also the folder name under `fuzz/corpus/` and `fuzz/regressions/`.
    pub(crate) name: &'static str,
    /// Feeds one input to the parser; a panic is a finding.
    pub(crate) run: fn(&[u8]),
    /// Tokens the mutator splices in, so inputs reach past the first syntax check.
    pub(crate) dictionary: &'static [&'static str],
}

pub(crate) const TARGETS: &[Target] = &[
    Target {
        name: "hsts",
        run: hsts_header,
        dictionary: &[
            "max-age=",
            "includeSubDomains",
            "preload",
            ";",
            "\"",
            "=",
            " ",
            "\t",
            "31536000",
            "18446744073709551616",
            "-1",
            "\\",
            ",",
        ],
    },
    Target {
        name: "set_cookie",
        run: set_cookie,
        dictionary: &[
            "sessionid=",
            "csrftoken=",
            "__Host-",
            "__Secure-",
            "; Secure",
            "; HttpOnly",
            "; SameSite=",
            "None",
            "Lax",
            "; Path=/",
            "; Domain=",
            "; Max-Age=",
            "; Expires=",
            "=",
            ";",
            "\"",
        ],
    },
    Target {
        name: "url",
        run: url_and_location,
        dictionary: &[
            "http://",
            "https://",
            "//",
            "/",
            "?",
            "#",
            "@",
            ":",
            "[::1]",
            "localhost",
            ":443",
            ":99999",
            "xn--",
            "bücher",
            "%2F",
            "javascript:",
            "..",
            "\n",
            " ",
        ],
    },
    Target {
        name: "project_toml",
        run: project_toml,
        dictionary: &[
            "[com.release-guard]",
            "[_]",
            "schema-version = \"0.2\"",
            "[[io.buildpacks.group]]",
            "id = ",
            "mode = ",
            "\"warn\"",
            "block = [",
            "ignore = [",
            "\"security.W004\"",
            "]",
            "timeout = ",
            "preview = ",
            "settings-module = ",
            "true",
            "9223372036854775808",
            "\n",
            "\"",
            "'''",
        ],
    },
    Target {
        name: "launch_config",
        run: launch_config,
        dictionary: &[
            "settings-module = ",
            "[guard]",
            "mode = ",
            "\"off\"",
            "timeout = ",
            "-1",
            "block = [",
            "]",
            "\"guard.hsts_seconds_invalid\"",
            "\n",
            "\"",
            "=",
        ],
    },
    Target {
        name: "probe_answer",
        run: probe_answer,
        dictionary: &[
            "\"status\"",
            "\"ok\"",
            "\"error\"",
            "null",
            "true",
            "false",
            "0",
            "-1",
            "1e999",
            "18446744073709551616",
            "\"tuple\"",
            "\"str\"",
            "\"int\"",
            "\"NoneType\"",
            "[]",
            "{}",
            "\"HTTP_X_FORWARDED_PROTO\"",
            "\"https\"",
            "\"max-age=0\"",
            ",",
            ":",
            "\"",
        ],
    },
    Target {
        name: "procfile",
        run: procfile_and_manage_py,
        dictionary: &[
            "web: ",
            "release: ",
            "gunicorn ",
            "--forwarded-allow-ips=",
            "'*'",
            "#",
            ":",
            "\n",
            "os.environ.setdefault(",
            "\"DJANGO_SETTINGS_MODULE\"",
            ", ",
            "\"mysite.settings\"",
            ")",
            "'",
            "_",
        ],
    },
    Target {
        name: "web_command",
        run: web_command,
        dictionary: &[
            "gunicorn ",
            "python -m gunicorn ",
            "uvicorn ",
            "daphne ",
            "hypercorn ",
            "waitress-serve ",
            "python manage.py runserver ",
            "django-admin runserver",
            "newrelic-admin run-program ",
            "exec ",
            "env ",
            "DJANGO_SETTINGS_MODULE=",
            "--env ",
            "-e ",
            "--chdir ",
            "--pythonpath ",
            "-c ",
            "--config=",
            "--app-dir ",
            "--settings=",
            "config.wsgi:application",
            "config.asgi:application",
            "create_app()",
            "raw_env = [",
            "wsgi_app = ",
            "chdir = ",
            "'",
            "\"",
            "\\",
            "$PORT",
            "${PORT:-5000}",
            "$(",
            "&&",
            ";",
            "cd ",
            "..",
            "/",
            "\n",
        ],
    },
    Target {
        name: "bounded_read",
        run: bounded_read,
        dictionary: &["\u{0}", "\u{ff}", "\u{c3}\u{bc}", "\u{80}", "\n", "a"],
    },
    Target {
        name: "redaction",
        run: redaction,
        dictionary: &[
            "\\x",
            "\\u",
            "\\U",
            "\\ud83d\\ude00",
            "\\xc3\\xbc",
            "\\\\",
            "\\'",
            "%C3%BC",
            "+",
            "://user:",
            "@",
            "\u{e000}",
            "\u{e001}",
            "\u{e003}",
            "\n",
            "=",
        ],
    },
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn hsts_header(bytes: &[u8]) {
    let header = hsts::parse(&text(bytes));
    let _ = (header.is_honoured(), header.effective_max_age());
}

fn set_cookie(bytes: &[u8]) {
    if let Some(cookie) = cookie::parse(&text(bytes)) {
        let _ = (cookie.prefix(), cookie.prefix_violations());
    }
}

/// The first line is what a user types; each further line a `Location` relative to it.
fn url_and_location(bytes: &[u8]) {
    let input = text(bytes);
    let mut lines = input.split('\n');
    let Ok(base) = Url::parse_user_input(lines.next().unwrap_or_default()) else {
        return;
    };
    let _ = base.origin();
    for location in lines {
        if let Ok(target) = base.resolve(location) {
            let _ = (target.origin(), base.same_host(&target));
        }
    }
}

fn project_toml(bytes: &[u8]) {
    use release_guard::buildpack::project_config::{ProjectConfigError, parse_project_toml};
    // The build log shows toml's rendering of the error (line, column, the line itself).
    if let Err(ProjectConfigError::Invalid(error)) = parse_project_toml(&text(bytes)) {
        let _ = error.to_string();
    }
}

fn launch_config(bytes: &[u8]) {
    let _ = toml::from_str::<LaunchConfig>(&text(bytes));
}

/// The answer as the runner reads it, and then everything the gate does with a snapshot.
fn probe_answer(bytes: &[u8]) {
    if let Ok(ProbeAnswer::Ok(snapshot)) = serde_json::from_slice::<ProbeAnswer>(bytes) {
        let findings = release_guard::gate::rules::all(&snapshot, &ProxySslHeader::default());
        let evidence = release_guard::gate::policy::Evidence {
            snapshot: &snapshot,
            today: release_guard::date::Date::today_utc(),
            live: None,
        };
        let _ = Policy::default().apply(findings, &evidence);
    }
}

fn procfile_and_manage_py(bytes: &[u8]) {
    let source = text(bytes);
    let _ = release_guard::app_files::parse_procfile(&source);
    let _ = release_guard::app_files::settings_module_from_manage_py(&source);
}

/// An app in which every module exists and every file holds the same text (a gunicorn config,
/// a WSGI module), so the reading gets past the file lookups.
struct FuzzFiles(String);

impl AppFiles for FuzzFiles {
    fn read(&self, _path: &Path) -> Result<Option<String>, String> {
        Ok(Some(self.0.clone()))
    }

    fn exists(&self, _path: &Path) -> bool {
        true
    }
}

/// The first line is the Procfile's `web:` command, the second `GUNICORN_CMD_ARGS`, the rest
/// the text of every file the reading opens; then what the settings resolution and the probe's
/// request take from the web process.
fn web_command(bytes: &[u8]) {
    let input = text(bytes);
    let mut parts = input.splitn(3, '\n');
    let command = parts.next().unwrap_or_default();
    let cmd_args = parts.next().map(str::to_string);
    let files = FuzzFiles(parts.next().unwrap_or_default().to_string());
    let lookup = |name: &str| match name {
        "GUNICORN_CMD_ARGS" => cmd_args.clone(),
        "PORT" => Some("5000".to_string()),
        _ => None,
    };
    if let Ok(process) = web_process::understand(command, &files, &lookup) {
        let _ = (
            process.describe(),
            process.explicit_settings(),
            process.import_root(),
            process.settings_default(&files),
        );
    }
}

/// The first byte is the cap; the rest is the file's content. What comes back must be the whole
/// content exactly when it fits the cap, and text exactly when it is UTF-8.
fn bounded_read(bytes: &[u8]) {
    use release_guard::read::{ReadError, read_bounded, read_bounded_bytes};
    thread_local! {
        static FILE: tempfile::NamedTempFile = tempfile::NamedTempFile::new().expect("a temp file");
    }
    let Some((&cap, content)) = bytes.split_first() else {
        return;
    };
    let cap = u64::from(cap);
    FILE.with(|file| {
        std::fs::write(file.path(), content).expect("write the input");
        let fits = content.len() as u64 <= cap;
        match read_bounded_bytes(file.path(), cap) {
            Ok(read) => assert!(fits && read == content, "read {read:?} of {content:?}"),
            Err(ReadError::TooLarge { cap: reported }) => assert!(!fits && reported == cap),
            Err(other) => panic!("{other}"),
        }
        let expected = if fits {
            std::str::from_utf8(content).map_err(|_| "not text")
        } else {
            Err("too large")
        };
        match (read_bounded(file.path(), cap), expected) {
            (Ok(read), Ok(text)) => assert_eq!(read, text),
            (Err(ReadError::TooLarge { .. }), Err("too large"))
            | (Err(ReadError::NotText), Err("not text")) => {}
            (result, expected) => panic!("{result:?}, expected {expected:?}"),
        }
    });
}

/// The first line is a secret, the rest app text in which the redactor looks for it, escapes
/// decoded and all.
fn redaction(bytes: &[u8]) {
    use release_guard::redact::{AppText, Redactor, Secrets};
    let input = text(bytes);
    let (secret, rest) = input.split_once('\n').unwrap_or((&input, ""));
    // A secret of a realistic size: every form of it is indexed, which is not what is fuzzed.
    let secret: String = secret.chars().take(64).collect();
    let mut redactor = Redactor::from_env([("API_TOKEN", secret.as_str()), ("OTHER", rest)]);
    redactor.add_secrets(&Secrets::new(vec![secret.clone()]));
    let _ = redactor.field(rest);
    let _ = redactor.field(&format!("before {} after", AppText::new(rest)));
    let _ = redactor.rendered(&input);
}
