//! `release-guard`'s command line: parsing (no dependencies, unit-tested) and dispatch to the
//! tool's commands: `check` and `release` (the gate) and `verify`. `src/bin/release-guard.rs`
//! only hands over the arguments.

use crate::args::{self, Args};
use crate::config::{DEFAULT_TIMEOUT_SECS, FailLevel, Mode, ProxySslHeader, env};
use crate::gate::{self, Environment, GateOptions, GateRun};
use crate::help::{self, Row, Section, row};
use crate::redact::{AppText, Redactor};
use crate::report::{self, Exit, Format, TOOL_BANNER};
use crate::verify::live::LiveClient;
use std::path::PathBuf;
use std::process::ExitCode;

/// The variables `release-guard --help` lists.
fn environment_rows() -> Vec<Row> {
    vec![
        row(
            env::MODE,
            format!(
                "{}; the escape hatch: heroku config:set {}=warn",
                Mode::ALLOWED,
                env::MODE
            ),
        ),
        row(
            env::IGNORE,
            "comma-separated finding IDs to ignore (listed as silenced), each optionally with an end date: security.W004@2027-03-31",
        ),
        row(
            env::LIVE_URL,
            "the live site's https:// address: the release may not be weaker",
        ),
        row(
            env::BLOCK,
            "comma-separated finding IDs that block in addition to the defaults",
        ),
        row(
            env::FAIL_LEVEL,
            format!(
                "{}: with warning every warning blocks, as check --fail-level WARNING did (unset means {})",
                FailLevel::ALLOWED,
                FailLevel::default()
            ),
        ),
        row(
            env::PROXY_SSL_HEADER,
            format!(
                "the header the proxy sets on HTTPS requests (default {})",
                ProxySslHeader::default()
            ),
        ),
        row(
            env::TIMEOUT,
            format!("seconds the app may take to load (default {DEFAULT_TIMEOUT_SECS})"),
        ),
        row(
            env::PYTHON,
            "the Python interpreter (default: python, then python3, on PATH)",
        ),
        row(
            env::CONFIG,
            "the build-time configuration file (set by the buildpack)",
        ),
        row("NO_COLOR", "plain text even on a terminal"),
    ]
}

/// `release-guard --help`.
#[must_use]
pub fn usage() -> String {
    let options = vec![
        row(
            "--app DIR",
            "the app directory (default: the current directory)",
        ),
        row(
            "--settings MODULE",
            format!(
                "the Django settings module (default: {}, then project.toml's settings-module, then manage.py's default)",
                env::DJANGO_SETTINGS_MODULE
            ),
        ),
        row(
            "--format text|json|sarif",
            "the release log (default), one JSON document, or a SARIF 2.1.0 log for code scanning, on stdout",
        ),
        row(
            "--path-prefix DIR",
            "the app's directory inside its repository: prefixed to the files in findings' locations (SARIF, JSON) for an app in a subdirectory",
        ),
        row(
            "--mode MODE",
            format!("{} (default {})", Mode::ALLOWED, Mode::default()),
        ),
    ];
    let environment = environment_rows();
    help::render(
        "\
Usage:
  release-guard [check] [OPTIONS]                  check the Django app, print the release log
  release-guard release [OPTIONS] [-- COMMAND...]  check, then run COMMAND only if the release passes
  release-guard verify URL...                      check the live site over HTTP
  release-guard --help | --version
",
        &[
            Section {
                title: "Options",
                rows: options,
                notes: "",
            },
            Section {
                title: "Environment",
                rows: environment,
                notes: "  IDs are Django's (security.W004) or the guard's (guard.hsts_seconds_invalid); listing either
  in settings.SILENCED_SYSTEM_CHECKS silences it too.
",
            },
        ],
        "
Exit codes:
  0  passed (or not enforcing)   1  blocked   2  could not evaluate, or bad usage/configuration
",
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckArgs {
    pub options: GateOptions,
    pub format: Format,
    /// `--path-prefix`: where the app lives in its repository (SARIF locations are relative
    /// to the repository root).
    pub path_prefix: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Check(CheckArgs),
    /// The buildpack's `release` process: the gate, then the user's release command.
    Release {
        args: CheckArgs,
        command: Vec<String>,
    },
    Verify(Vec<String>),
    Help,
    Version,
}

/// Bad command-line usage (exit 2 with the usage text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl From<String> for UsageError {
    fn from(problem: String) -> Self {
        Self(problem)
    }
}

/// Parses the arguments after the program name.
///
/// # Errors
///
/// Unknown commands or flags, missing or invalid values.
pub fn parse(args: &[String]) -> Result<Command, UsageError> {
    let (command, rest) = match args.split_first() {
        None => return Ok(Command::Check(CheckArgs::default())),
        Some((first, rest)) => (first.as_str(), rest),
    };
    let asks_for_help = args
        .iter()
        .take_while(|arg| *arg != "--")
        .any(|arg| arg == "-h" || arg == "--help");
    if asks_for_help && command != "verify" {
        return Ok(Command::Help);
    }
    match command {
        "help" => Ok(Command::Help),
        "-V" | "--version" => Ok(Command::Version),
        "verify" => Ok(Command::Verify(rest.to_vec())),
        "check" => parse_check(rest, false).map(|(args, _)| Command::Check(args)),
        "release" => {
            parse_check(rest, true).map(|(args, command)| Command::Release { args, command })
        }
        flag if flag.starts_with('-') => {
            parse_check(args, false).map(|(args, _)| Command::Check(args))
        }
        other => Err(UsageError(format!("unknown command `{other}`"))),
    }
}

/// The options of `check` and `release`, and (for `release`) the command after `--`.
fn parse_check(
    args: &[String],
    allow_command: bool,
) -> Result<(CheckArgs, Vec<String>), UsageError> {
    let mut parsed = CheckArgs::default();
    let mut words = Args::new(args);
    while let Some(word) = words.next_word() {
        match word {
            "--" if allow_command => {
                let command = words.rest();
                if command.is_empty() {
                    return Err(UsageError(
                        "`--` must be followed by the release command".to_string(),
                    ));
                }
                return Ok((parsed, command));
            }
            "--app" => parsed.options.app_dir = Some(PathBuf::from(words.value(word)?)),
            "--settings" => parsed.options.settings_module = Some(words.value(word)?),
            "--format" => parsed.format = words.value(word)?.parse()?,
            "--path-prefix" => {
                let prefix = words.value(word)?;
                if prefix.starts_with('/') {
                    return Err(UsageError(format!(
                        "--path-prefix `{prefix}` must be relative to the repository root"
                    )));
                }
                parsed.path_prefix = Some(prefix);
            }
            "--mode" => {
                let mode = words.value(word)?;
                parsed.options.mode = Some(
                    mode.parse::<Mode>()
                        .map_err(|problem| UsageError(format!("--mode: {problem}")))?,
                );
            }
            other => return Err(UsageError(args::unknown(other))),
        }
    }
    Ok((parsed, Vec::new()))
}

/// Runs `release-guard` with the arguments after the program name.
#[must_use]
pub fn main(args: &[String]) -> ExitCode {
    match parse(args) {
        Ok(Command::Help) => {
            print!("{}", usage());
            ExitCode::SUCCESS
        }
        Ok(Command::Version) => {
            println!("{TOOL_BANNER}");
            ExitCode::SUCCESS
        }
        Ok(Command::Check(args)) => check(&args, &[]).into(),
        Ok(Command::Release { args, command }) => release(&args, &command),
        Ok(Command::Verify(args)) => crate::verify::run_cli(&args).into(),
        Err(UsageError(problem)) => {
            let problem = Redactor::from_env(std::env::vars_os()).field(&problem);
            eprintln!("release-guard: {problem}\n\n{}", usage());
            Exit::CouldNotEvaluate.into()
        }
    }
}

/// Runs the gate and prints the report; `notes` go just before the verdict.
fn check(args: &CheckArgs, notes: &[String]) -> Exit {
    let GateRun {
        mut report,
        exit,
        redactor,
    } = gate::run_here(&args.options, &LiveClient);
    report.notes.extend_from_slice(notes);
    print(&mut report, args, &redactor);
    exit
}

fn print(report: &mut report::Report, args: &CheckArgs, redactor: &Redactor) {
    if let Some(prefix) = &args.path_prefix {
        report.prefix_locations(prefix);
    }
    report::print(report, args.format, redactor);
}

/// `release`: the gate, then `exec` of the user's release command when the gate passes, so the
/// command's exit status is the release's. When the launcher's exec.d program already ran the
/// gate for this process, it is not run twice.
fn release(args: &CheckArgs, command: &[String]) -> ExitCode {
    let environment = Environment::from_process();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let checked = crate::exec_d::checked_by_launcher(&environment);
    if command.is_empty() {
        return if checked {
            ExitCode::SUCCESS
        } else {
            check(args, &[]).into()
        };
    }
    // The app's Procfile wrote it: shown as app text, with config-var values hidden.
    let shown = AppText::new(shell_words(command));
    let (announce, redactor) = if checked {
        (
            crate::exec_d::announces_command(&args.options, &environment, &cwd),
            Redactor::from_env(std::env::vars_os()),
        )
    } else {
        let GateRun {
            mut report,
            exit,
            redactor,
        } = gate::run(&args.options, &environment, &cwd, &LiveClient);
        if exit != Exit::Pass {
            report
                .notes
                .push(format!("The release command was not run: {shown}"));
            print(&mut report, args, &redactor);
            return exit.into();
        }
        print(&mut report, args, &redactor);
        (report.mode != Mode::Off, redactor)
    };
    // After the verdict, so the command's own output follows the line that introduces it; off
    // mode stays the single line it promises. In JSON and SARIF modes stdout carries the
    // document and then only the command's own output.
    if announce {
        let line = redactor.field(&format!("Running the release command: {shown}"));
        match args.format {
            Format::Text => println!("{line}"),
            Format::Json | Format::Sarif => eprintln!("{line}"),
        }
    }
    let error = std::os::unix::process::CommandExt::exec(
        std::process::Command::new(&command[0]).args(&command[1..]),
    );
    // exec only returns on failure.
    let problem = format!("release-guard: could not run the release command {shown}: {error}");
    eprintln!("{}", redactor.field(&problem));
    ExitCode::from(if error.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        126
    })
}

/// The command as a shell would need it typed: words with spaces or quotes in single quotes.
fn shell_words(command: &[String]) -> String {
    command
        .iter()
        .map(|word| report::shell_word(word))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str]) -> Result<Command, UsageError> {
        parse(&args.iter().map(ToString::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn check_is_the_default_command() {
        assert_eq!(parse_args(&[]), Ok(Command::Check(CheckArgs::default())));
        let expected = CheckArgs {
            options: GateOptions {
                app_dir: Some(PathBuf::from("/workspace")),
                settings_module: Some("mysite.settings".to_string()),
                mode: Some(Mode::Warn),
            },
            format: Format::Json,
            path_prefix: None,
        };
        let args = [
            "--app",
            "/workspace",
            "--settings=mysite.settings",
            "--format",
            "json",
            "--mode",
            "warn",
        ];
        assert_eq!(parse_args(&args), Ok(Command::Check(expected.clone())));
        let mut with_command = vec!["check"];
        with_command.extend(args);
        assert_eq!(parse_args(&with_command), Ok(Command::Check(expected)));
    }

    #[test]
    fn release_takes_the_command_after_double_dash() {
        assert_eq!(
            parse_args(&[
                "release",
                "--format",
                "json",
                "--",
                "bash",
                "-c",
                "python manage.py migrate --noinput"
            ]),
            Ok(Command::Release {
                args: CheckArgs {
                    format: Format::Json,
                    ..CheckArgs::default()
                },
                command: vec![
                    "bash".to_string(),
                    "-c".to_string(),
                    "python manage.py migrate --noinput".to_string()
                ],
            })
        );
        assert_eq!(
            parse_args(&["release"]),
            Ok(Command::Release {
                args: CheckArgs::default(),
                command: Vec::new()
            })
        );
        assert!(parse_args(&["release", "--"]).is_err());
        assert!(parse_args(&["check", "--", "true"]).is_err());
    }

    #[test]
    fn sarif_with_a_path_prefix() {
        assert_eq!(
            parse_args(&["check", "--format", "sarif", "--path-prefix", "backend/"]),
            Ok(Command::Check(CheckArgs {
                format: Format::Sarif,
                path_prefix: Some("backend/".to_string()),
                ..CheckArgs::default()
            }))
        );
        assert_eq!(
            parse_args(&["--path-prefix", "/src/app"]),
            Err(UsageError(
                "--path-prefix `/src/app` must be relative to the repository root".to_string()
            ))
        );
    }

    #[test]
    fn commands_are_shown_as_typed() {
        let command = ["bash", "-c", "python manage.py migrate", "it's"].map(String::from);
        assert_eq!(
            shell_words(&command),
            r"bash -c 'python manage.py migrate' 'it'\''s'"
        );
    }

    #[test]
    fn help_names_every_variable_and_the_defaults_the_code_uses() {
        // Wrapping is layout: compare the words.
        let words = |text: String| text.split_whitespace().collect::<Vec<_>>().join(" ");
        let help = words(usage());
        for name in [
            env::MODE,
            env::IGNORE,
            env::BLOCK,
            env::FAIL_LEVEL,
            env::PROXY_SSL_HEADER,
            env::TIMEOUT,
            env::PYTHON,
            env::CONFIG,
            env::DJANGO_SETTINGS_MODULE,
            env::LIVE_URL,
        ] {
            assert!(help.contains(name), "{name} is missing from --help");
        }
        assert!(help.contains(&format!("(default {DEFAULT_TIMEOUT_SECS})")));
        assert!(help.contains(&format!("(default {})", ProxySslHeader::default())));
        let verify = words(crate::verify::usage());
        assert!(verify.contains(&format!(
            "(default {}, at most {})",
            crate::verify::DEFAULT_TIMEOUT_SECS,
            crate::verify::MAX_TIMEOUT_SECS
        )));
    }

    #[test]
    fn help_version_and_verify() {
        assert_eq!(parse_args(&["--help"]), Ok(Command::Help));
        assert_eq!(
            parse_args(&["release", "--app", "x", "-h"]),
            Ok(Command::Help)
        );
        assert_eq!(parse_args(&["--version"]), Ok(Command::Version));
        assert_eq!(
            parse_args(&["verify", "https://example.com", "--json"]),
            Ok(Command::Verify(vec![
                "https://example.com".to_string(),
                "--json".to_string()
            ]))
        );
    }

    #[test]
    fn bad_usage_is_explained() {
        let problem = |args: &[&str]| parse_args(args).err().map(|UsageError(problem)| problem);
        assert_eq!(
            problem(&["--frobnicate"]).as_deref(),
            Some("unknown option `--frobnicate`")
        );
        assert_eq!(
            problem(&["deploy"]).as_deref(),
            Some("unknown command `deploy`")
        );
        assert_eq!(problem(&["--app"]).as_deref(), Some("--app needs a value"));
        assert_eq!(
            problem(&["--format", "yaml"]).as_deref(),
            Some("--format `yaml` is not text, json or sarif")
        );
        assert_eq!(
            problem(&["--mode", "loud"]).as_deref(),
            Some("--mode: `loud` is not a mode; use enforce, warn or off")
        );
        assert_eq!(
            problem(&["check", "extra"]).as_deref(),
            Some("unexpected argument `extra`")
        );
    }
}
