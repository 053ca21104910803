//! `release-guard verify URL...`: checks the live site over HTTP, hop by hop: the plain-HTTP
//! redirect, the certificate, the Strict-Transport-Security header, the session and CSRF cookies
//! and the Content Security Policy. Same report, exit codes and `--format json` as the gate.
//!
//! `checks` holds the rules (pure), `client` the HTTP side; this module parses the command line
//! and walks each site.

pub mod checks;
pub mod client;
mod idn;
pub mod live;
pub mod tls;
pub mod url;

use crate::args::{self, Args};
use crate::config::Mode;
use crate::finding::Severity;
use crate::help::{self, Section, row};
use crate::redact::Redactor;
use crate::report::{self, EvaluationError, Exit, Format, Report, Verdict};
use checks::{Chain, ChainEnd, CookieNames, HttpSide, HttpsSide, SiteObservation};
use checks::{DEFAULT_CSRF_COOKIE, DEFAULT_SESSION_COOKIE};
use client::{Client, FetchError};
use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use url::{Scheme, Url};

/// The default total time budget for all requests of one run.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// The longest `--timeout`: a day is more than any site check needs, and keeps the deadline
/// arithmetic far from overflowing.
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

/// Heroku sets this in every dyno: the app's `*.herokuapp.com` host.
pub const DEFAULT_DOMAIN_ENV: &str = "HEROKU_APP_DEFAULT_DOMAIN_NAME";

/// `release-guard verify --help`.
#[must_use]
pub fn usage() -> String {
    let options = vec![
        row(
            "--path PATH",
            "also check the cookies and header of this HTTPS path (repeatable), e.g. --path /accounts/login/",
        ),
        row(
            "--session-cookie NAME",
            format!("Django's SESSION_COOKIE_NAME (default {DEFAULT_SESSION_COOKIE})"),
        ),
        row(
            "--csrf-cookie NAME",
            format!("Django's CSRF_COOKIE_NAME (default {DEFAULT_CSRF_COOKIE})"),
        ),
        row(
            "--cacert FILE",
            "also trust the CA certificates in this PEM file (repeatable); SSL_CERT_FILE and SSL_CERT_DIR are trusted too",
        ),
        row(
            "--timeout SECONDS",
            format!(
                "time budget for the whole run (default {DEFAULT_TIMEOUT_SECS}, at most {MAX_TIMEOUT_SECS})"
            ),
        ),
        row(
            "--http-port PORT",
            "plain-HTTP port (default 80, or the URL's port)",
        ),
        row(
            "--https-port PORT",
            "HTTPS port (default: the URL's port, else where the plain-HTTP redirect leads on the same host, else 443)",
        ),
        row(
            "--format FORMAT",
            "text (default), json or sarif (SARIF 2.1.0, for code scanning)",
        ),
    ];
    help::render(
        &format!(
            "\
Usage: release-guard verify [URL...] [options]

Checks the live site: the plain-HTTP redirect, the certificate, the Strict-Transport-Security
header, the session and CSRF cookies and the Content Security Policy. A URL may be a bare host
(example.com); without one, ${DEFAULT_DOMAIN_ENV} is checked.
"
        ),
        &[Section {
            title: "Options",
            rows: options,
            notes: "",
        }],
        "
Exit status: 0 passed, 1 a blocking problem, 2 the site could not be checked.
",
    )
}

/// Everything one run needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub urls: Vec<Url>,
    pub paths: Vec<String>,
    pub cookie_names: CookieNames,
    pub cacerts: Vec<PathBuf>,
    /// `SSL_CERT_FILE`, read from the environment by `parse_args`.
    pub ssl_cert_file: Option<PathBuf>,
    /// `SSL_CERT_DIR` (colon-separated, as OpenSSL reads it), read by `parse_args`.
    pub ssl_cert_dirs: Vec<PathBuf>,
    pub timeout: Duration,
    pub http_port: Option<u16>,
    pub https_port: Option<u16>,
    pub format: Format,
}

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Verify(Options),
}

/// Parses the arguments after `verify`; `env` looks up environment variables (injected so
/// tests need not change the process environment).
///
/// # Errors
/// A usage error, in one line.
pub fn parse_args(
    args: &[String],
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, String> {
    let mut options = Options {
        urls: Vec::new(),
        paths: Vec::new(),
        cookie_names: CookieNames::default(),
        cacerts: Vec::new(),
        ssl_cert_file: env("SSL_CERT_FILE")
            .filter(|path| !path.is_empty())
            .map(PathBuf::from),
        ssl_cert_dirs: env("SSL_CERT_DIR")
            .map(|dirs| {
                dirs.split(':')
                    .filter(|dir| !dir.is_empty())
                    .map(PathBuf::from)
                    .collect()
            })
            .unwrap_or_default(),
        timeout: Duration::from_secs(DEFAULT_TIMEOUT_SECS),
        http_port: None,
        https_port: None,
        format: Format::Text,
    };
    let mut words = Args::new(args);
    while let Some(flag) = words.next_word() {
        let mut value = || words.value(flag);
        match flag {
            "-h" | "--help" => return Ok(Command::Help),
            "--path" => {
                let path = value()?;
                if !path.starts_with('/') {
                    return Err(format!(
                        "--path `{path}` must start with / (a path on the same site)"
                    ));
                }
                options.paths.push(path);
            }
            "--session-cookie" => options.cookie_names.session = value()?,
            "--csrf-cookie" => options.cookie_names.csrf = value()?,
            "--cacert" => options.cacerts.push(PathBuf::from(value()?)),
            "--timeout" => {
                let seconds = parse_number(flag, &value()?, 1..=MAX_TIMEOUT_SECS)?;
                options.timeout = Duration::from_secs(seconds);
            }
            "--http-port" => options.http_port = Some(parse_number(flag, &value()?, 1..=u16::MAX)?),
            "--https-port" => {
                options.https_port = Some(parse_number(flag, &value()?, 1..=u16::MAX)?);
            }
            "--format" => options.format = value()?.parse()?,
            _ if flag.starts_with('-') => return Err(args::unknown(flag)),
            _ => options.urls.push(Url::parse_user_input(flag)?),
        }
    }
    if options.urls.is_empty() {
        let host = env(DEFAULT_DOMAIN_ENV)
            .filter(|host| !host.trim().is_empty())
            .ok_or_else(|| format!("give the URL to check (or set {DEFAULT_DOMAIN_ENV})"))?;
        options.urls.push(Url::parse_user_input(&host)?);
    }
    Ok(Command::Verify(options))
}

/// A whole number in `range`; anything else (a sign, a fraction, too many digits) is a usage
/// error naming the range.
fn parse_number<T>(flag: &str, text: &str, range: RangeInclusive<T>) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + fmt::Display,
{
    text.parse()
        .ok()
        .filter(|number| range.contains(number))
        .ok_or_else(|| {
            format!(
                "{flag} `{text}` is not a whole number from {} to {}",
                range.start(),
                range.end()
            )
        })
}

/// `release-guard verify ...`: parses `args` (the words after `verify`), checks the sites,
/// prints the report and returns the exit code.
#[must_use]
pub fn run_cli(args: &[String]) -> Exit {
    // The output boundary: a URL's password, or a config var, never reaches the log.
    let redactor = Redactor::from_env(std::env::vars_os());
    let options = match parse_args(args, |name| std::env::var(name).ok()) {
        Ok(Command::Help) => {
            print!("{}", usage());
            return Exit::Pass;
        }
        Ok(Command::Verify(options)) => options,
        Err(problem) => {
            let problem = redactor.field(&problem);
            eprintln!("release-guard verify: {problem}\n\n{}", usage());
            return Exit::CouldNotEvaluate;
        }
    };
    let report = verify(&options);
    report::print(&report, options.format, &redactor);
    exit_code(&report)
}

#[must_use]
pub fn exit_code(report: &Report) -> Exit {
    match report.verdict {
        Verdict::Pass => Exit::Pass,
        Verdict::Block => Exit::Blocked,
        Verdict::Error => Exit::CouldNotEvaluate,
    }
}

/// A site that could not be checked.
struct SiteError {
    reason: String,
    fix: String,
}

/// Checks every URL and builds the report.
#[must_use]
pub fn verify(options: &Options) -> Report {
    let started = Instant::now();
    let mut report = Report::new("verify", Mode::Enforce, Verdict::Pass);
    let extra_roots = client::ExtraRoots {
        ssl_cert_file: options.ssl_cert_file.as_deref(),
        ssl_cert_dirs: &options.ssl_cert_dirs,
        cacerts: &options.cacerts,
    };
    let roots = match client::load_roots(&extra_roots) {
        Ok(roots) => roots,
        Err(error) => {
            report.verdict = Verdict::Error;
            report.error = Some(EvaluationError {
                title: "A CA certificate file cannot be used".to_owned(),
                detail: error.to_string(),
                fix: error.fix(),
            });
            return report;
        }
    };
    let mut client = Client::new(roots, options.timeout, started);
    let mut errors = Vec::new();
    for url in &options.urls {
        match observe_site(&mut client, url, options) {
            Ok(site) => {
                let verdict = checks::check_site(&site, &options.cookie_names);
                report.findings.extend(verdict.findings);
                report.notes.push(verdict.preload_note);
            }
            Err(error) => errors.push(error),
        }
    }
    checks::sort_findings(&mut report.findings);
    report.error = evaluation_error(errors);
    report.verdict = if report.error.is_some() {
        Verdict::Error
    } else if report.count(Severity::Block) > 0 {
        Verdict::Block
    } else {
        Verdict::Pass
    };
    report
        .timings
        .insert("total".to_owned(), started.elapsed().as_secs_f64() * 1000.0);
    report
}

fn evaluation_error(errors: Vec<SiteError>) -> Option<EvaluationError> {
    let title = match errors.as_slice() {
        [] => return None,
        [_] => "The site could not be checked".to_owned(),
        many => format!("{} sites could not be checked", many.len()),
    };
    let detail = errors
        .iter()
        .map(|error| error.reason.clone())
        .collect::<Vec<_>>()
        .join("\n");
    let mut fixes: Vec<String> = Vec::new();
    for error in errors {
        if !fixes.contains(&error.fix) {
            fixes.push(error.fix);
        }
    }
    Some(EvaluationError {
        title,
        detail,
        fix: fixes.join(" "),
    })
}

/// Follows the plain-HTTP and HTTPS chains (and the extra paths) of one site.
fn observe_site(
    client: &mut Client,
    url: &Url,
    options: &Options,
) -> Result<SiteObservation, SiteError> {
    let plain_start = match url.scheme {
        Scheme::Http => url.clone(),
        Scheme::Https => url.with_scheme(Scheme::Http, options.http_port),
    };
    let http = match follow(client, &plain_start) {
        Ok(chain) => HttpSide::Chain(chain),
        Err(FetchError::Refused) => HttpSide::NoListener(plain_start),
        Err(error) => return Err(site_error(&plain_start, error)),
    };
    let secure_start = match (url.scheme, options.https_port) {
        (Scheme::Https, _) => url.clone(),
        (Scheme::Http, Some(port)) => url.with_scheme(Scheme::Https, Some(port)),
        (Scheme::Http, None) => url.with_scheme(Scheme::Https, https_port_found(url, &http)),
    };
    let https = match follow(client, &secure_start) {
        Ok(chain) => HttpsSide::Chain(chain),
        Err(FetchError::Tls {
            reason,
            certificate,
        }) => HttpsSide::TlsFailed {
            url: secure_start.clone(),
            reason,
            certificate,
        },
        Err(error) => return Err(site_error(&secure_start, error)),
    };
    let mut extra_paths = Vec::new();
    if matches!(https, HttpsSide::Chain(_)) {
        for path in &options.paths {
            let start = secure_start.with_path(path);
            extra_paths.push(follow(client, &start).map_err(|error| site_error(&start, error))?);
        }
    }
    Ok(SiteObservation {
        url: url.clone(),
        http,
        https,
        extra_paths,
    })
}

/// The HTTPS port the plain-HTTP side leads to: the port of the first redirect to https on
/// the same host (a local proxy or a staging host on another port), else the default 443.
fn https_port_found(url: &Url, http: &HttpSide) -> Option<u16> {
    let HttpSide::Chain(chain) = http else {
        return None;
    };
    chain
        .hops
        .iter()
        .filter(|hop| hop.is_redirect())
        .filter_map(|hop| hop.url.resolve(hop.location.as_deref()?).ok())
        .find(|target| target.scheme == Scheme::Https && target.same_host(url))
        .and_then(|target| target.port)
}

fn site_error(url: &Url, error: FetchError) -> SiteError {
    match error {
        FetchError::Refused => SiteError {
            reason: format!("nothing accepts connections on {url} (connection refused)"),
            fix: "Check the URL and port, and that the app is running (heroku ps).".to_owned(),
        },
        FetchError::Tls { reason, .. } => SiteError {
            reason: format!("TLS failed on {url}: {reason}"),
            fix: "Fix the certificate, or pass a private CA with --cacert.".to_owned(),
        },
        FetchError::OutOfTime { reason } => SiteError {
            reason,
            fix: "Check that the site is up and answering, or raise --timeout SECONDS.".to_owned(),
        },
        FetchError::Unreachable { reason, fix } => SiteError { reason, fix },
    }
}

/// Follows redirects from `start`, one request per hop, up to `checks::MAX_REDIRECTS`.
/// An error on the first hop is returned; later failures end the chain, because they are the
/// site's redirects misbehaving. Running out of time is never the site's fault, so it is
/// always an error.
fn follow(client: &mut Client, start: &Url) -> Result<Chain, FetchError> {
    let mut hops = Vec::new();
    let mut visited = vec![start.clone()];
    let mut url = start.clone();
    let end = loop {
        let hop = match client.fetch(&url) {
            Ok(hop) => hop,
            Err(error) if hops.is_empty() => return Err(error),
            Err(error @ FetchError::OutOfTime { .. }) => return Err(error),
            Err(error) => {
                break ChainEnd::Failed {
                    reason: failure_reason(&error),
                    url,
                };
            }
        };
        let redirect_target = hop.is_redirect().then(|| match &hop.location {
            Some(location) => hop.url.resolve(location),
            None => Err("the response has no `Location` header".to_owned()),
        });
        let redirects_so_far = hops.len();
        hops.push(hop);
        match redirect_target {
            None => break ChainEnd::Response,
            Some(Err(reason)) => break ChainEnd::BadLocation(reason),
            Some(Ok(target)) if visited.contains(&target) => break ChainEnd::Loop(target),
            Some(Ok(_)) if redirects_so_far == checks::MAX_REDIRECTS => break ChainEnd::TooMany,
            Some(Ok(target)) => {
                visited.push(target.clone());
                url = target;
            }
        }
    };
    Ok(Chain {
        start: start.clone(),
        hops,
        end,
    })
}

pub(crate) fn failure_reason(error: &FetchError) -> String {
    match error {
        FetchError::Refused => "connection refused.".to_owned(),
        FetchError::Tls {
            reason,
            certificate: true,
        } => format!("its certificate is not valid: {reason}"),
        FetchError::Tls { reason, .. }
        | FetchError::OutOfTime { reason }
        | FetchError::Unreachable { reason, .. } => format!("{reason}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use checks::Hop;

    fn args(words: &str) -> Vec<String> {
        words.split_whitespace().map(str::to_owned).collect()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn url_texts(options: &Options) -> Vec<String> {
        options.urls.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn flags_and_defaults() {
        let Ok(Command::Verify(options)) = parse_args(
            &args(
                "example.com https://www.example.com --path /accounts/login/ --path=/admin/ --session-cookie __Host-sid --csrf-cookie csrf --cacert ca.pem --timeout 5 --https-port 8443 --format json",
            ),
            |name| (name == "SSL_CERT_FILE").then(|| "/etc/extra.pem".to_owned()),
        ) else {
            panic!("valid arguments");
        };
        assert_eq!(
            url_texts(&options),
            ["http://example.com/", "https://www.example.com/"]
        );
        assert_eq!(options.paths, ["/accounts/login/", "/admin/"]);
        assert_eq!(
            options.cookie_names,
            CookieNames {
                session: "__Host-sid".to_owned(),
                csrf: "csrf".to_owned()
            }
        );
        assert_eq!(options.cacerts, [PathBuf::from("ca.pem")]);
        assert_eq!(options.ssl_cert_file, Some(PathBuf::from("/etc/extra.pem")));
        assert_eq!(options.timeout, Duration::from_secs(5));
        assert_eq!((options.http_port, options.https_port), (None, Some(8443)));
        assert_eq!(options.format, Format::Json);
    }

    #[test]
    fn default_host_from_heroku() {
        let parsed = parse_args(&[], |name| {
            (name == DEFAULT_DOMAIN_ENV).then(|| "myapp-1234.herokuapp.com".to_owned())
        });
        let Ok(Command::Verify(options)) = parsed else {
            panic!("a default host");
        };
        assert_eq!(
            options.urls[0].to_string(),
            "http://myapp-1234.herokuapp.com/"
        );
        assert_eq!(options.timeout, Duration::from_secs(DEFAULT_TIMEOUT_SECS));
        assert_eq!(options.format, Format::Text);
    }

    #[test]
    fn usage_errors() {
        for (words, expected) in [
            (
                "",
                "give the URL to check (or set HEROKU_APP_DEFAULT_DOMAIN_NAME)",
            ),
            (
                "example.com --timeout 0",
                "--timeout `0` is not a whole number from 1 to 86400",
            ),
            (
                "example.com --timeout 9223372036854775808",
                "--timeout `9223372036854775808` is not a whole number from 1 to 86400",
            ),
            (
                "example.com --timeout 86401",
                "--timeout `86401` is not a whole number from 1 to 86400",
            ),
            (
                "example.com --timeout 1.5",
                "--timeout `1.5` is not a whole number from 1 to 86400",
            ),
            (
                "example.com --https-port 70000",
                "--https-port `70000` is not a whole number from 1 to 65535",
            ),
            (
                "example.com --http-port 0",
                "--http-port `0` is not a whole number from 1 to 65535",
            ),
            (
                "https://example.com:99999/",
                "`https://example.com:99999/` has an invalid port: 99999 is not a port number (1 to 65535)",
            ),
            (
                "example.com:65536",
                "`http://example.com:65536` has an invalid port: 65536 is not a port number (1 to 65535)",
            ),
            (
                "example.com --format yaml",
                "--format `yaml` is not text, json or sarif",
            ),
            ("example.com --path", "--path needs a value"),
            (
                "example.com --path https://example.com/login",
                "--path `https://example.com/login` must start with / (a path on the same site)",
            ),
            ("example.com --insecure", "unknown option `--insecure`"),
            (
                "ftp://example.com",
                "`ftp://example.com` is not an http:// or https:// URL",
            ),
        ] {
            assert_eq!(
                parse_args(&args(words), no_env),
                Err(expected.to_owned()),
                "{words}"
            );
        }
        assert_eq!(parse_args(&args("--help"), no_env), Ok(Command::Help));
    }

    #[test]
    fn limits_and_international_hosts_are_accepted() {
        let Ok(Command::Verify(options)) = parse_args(
            &args("bücher.example https://xn--bcher-kva.example:65535/ --timeout 86400"),
            |name| (name == "SSL_CERT_DIR").then(|| "/etc/ssl/certs::/opt/certs".to_owned()),
        ) else {
            panic!("valid arguments");
        };
        assert_eq!(
            url_texts(&options),
            [
                "http://xn--bcher-kva.example/",
                "https://xn--bcher-kva.example:65535/"
            ]
        );
        assert_eq!(options.timeout, Duration::from_secs(MAX_TIMEOUT_SECS));
        assert_eq!(
            options.ssl_cert_dirs,
            [PathBuf::from("/etc/ssl/certs"), PathBuf::from("/opt/certs")]
        );
    }

    #[test]
    fn the_https_side_is_where_the_same_host_redirect_leads() {
        let entry = Url::parse_user_input("http://example.com:8000/").expect("a URL");
        let first_hop = |status: u16, location: &str| {
            HttpSide::Chain(Chain {
                start: entry.clone(),
                hops: vec![Hop {
                    url: entry.clone(),
                    status,
                    location: Some(location.to_owned()),
                    sts: Vec::new(),
                    set_cookies: Vec::new(),
                    csp: crate::headers::csp::CspHeaders::default(),
                }],
                end: ChainEnd::Response,
            })
        };
        for (http, expected) in [
            (first_hop(301, "https://example.com:8443/"), Some(8443)),
            (
                first_hop(308, "https://EXAMPLE.com:8443/login/"),
                Some(8443),
            ),
            (first_hop(301, "https://example.com/"), None),
            (first_hop(301, "https://www.example.com:8443/"), None),
            (first_hop(301, "http://example.com:8443/"), None),
            (first_hop(200, "https://example.com:8443/"), None),
            (first_hop(301, "javascript:alert(1)"), None),
            (HttpSide::NoListener(entry.clone()), None),
        ] {
            assert_eq!(https_port_found(&entry, &http), expected, "{http:?}");
        }
    }
}
