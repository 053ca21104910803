//! `release-guard verify` against real servers on 127.0.0.1: the `verify_site` Django fixture
//! under gunicorn (plain HTTP plus TLS from a throwaway CA made with the `openssl` CLI), and
//! `tests/servers/scripted_site.py` for the edge cases. Every server picks or reports free
//! ports, is waited for with a bounded loop, and is stopped on drop (and stops itself anyway).

use crate::support::python::{default_venv, fixture};
use indoc::indoc;
use release_guard::report::{self, Exit, Report, Style};
use release_guard::verify::{self, Command as VerifyCommand};
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long any server may take to start listening.
const STARTUP_LIMIT: Duration = Duration::from_secs(20);

/// A directory removed on drop.
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix(&format!("release-guard-verify-{name}-"))
            .tempdir()
            .expect("create scratch dir");
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A throwaway CA, and server certificates it signs.
pub(crate) struct TestCa {
    scratch: Scratch,
}

/// A server certificate and its key.
struct ServerCert {
    cert: PathBuf,
    key: PathBuf,
}

const EC_KEY: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

impl TestCa {
    fn new(name: &str) -> Self {
        let scratch = Scratch::new(name);
        let ca = Self { scratch };
        // Distinct names, so a certificate from another test CA is an unknown issuer.
        let subject = format!("/CN=Release Guard Test CA {name}");
        let mut args = vec!["req", "-x509", "-nodes"];
        args.extend(EC_KEY);
        args.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            &subject,
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
        openssl(ca.scratch.0.path(), &args);
        ca
    }

    pub(crate) fn pem(&self) -> PathBuf {
        self.scratch.path("ca.pem")
    }

    fn pem_arg(&self) -> String {
        self.pem().display().to_string()
    }

    /// A certificate for `names` (subjectAltName entries), valid for `days` (negative: expired).
    fn issue(&self, file_stem: &str, names: &str, days: &str) -> ServerCert {
        let dir = self.scratch.0.path();
        let key = format!("{file_stem}.key");
        let csr = format!("{file_stem}.csr");
        let cert = format!("{file_stem}.pem");
        let ext = format!("{file_stem}.ext");
        std::fs::write(
            dir.join(&ext),
            format!(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName={names}\n"
            ),
        )
        .expect("write extensions");
        let mut args = vec!["req", "-nodes"];
        args.extend(EC_KEY);
        args.extend([
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            "/CN=release-guard test",
        ]);
        openssl(dir, &args);
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &cert,
                "-days",
                days,
                "-extfile",
                &ext,
            ],
        );
        ServerCert {
            cert: dir.join(cert),
            key: dir.join(key),
        }
    }

    fn localhost(&self) -> ServerCert {
        self.issue("localhost", "DNS:localhost,IP:127.0.0.1", "2")
    }

    /// A certificate for localhost signed by its own key, as `openssl req -x509` makes it (this
    /// CA plays no part).
    fn self_signed(&self) -> ServerCert {
        let mut args = vec!["req", "-x509", "-nodes"];
        args.extend(EC_KEY);
        args.extend([
            "-keyout",
            "self-signed.key",
            "-out",
            "self-signed.pem",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]);
        openssl(self.scratch.0.path(), &args);
        ServerCert {
            cert: self.scratch.path("self-signed.pem"),
            key: self.scratch.path("self-signed.key"),
        }
    }

    /// A directory holding only this CA's certificate, under an OpenSSL-style hashed name, as
    /// `SSL_CERT_DIR` expects.
    fn cert_dir(&self) -> PathBuf {
        let dir = self.scratch.path("certs");
        std::fs::create_dir_all(&dir).expect("create the certificate directory");
        std::fs::copy(self.pem(), dir.join("5ed36f99.0")).expect("copy the CA certificate");
        dir
    }
}

/// A child process whose stdout lines are collected; killed on drop.
struct Server {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    first_line: Receiver<String>,
}

impl Server {
    fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (sender, first_line) = mpsc::channel();
        let collected = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = sender.send(line.clone());
                collected.lock().expect("lines lock").push(line);
            }
        });
        Self {
            child,
            lines,
            first_line,
        }
    }

    /// Stdout lines containing `needle`, once at least `expected` arrived (or 5 s passed) and
    /// a little later, so that a late extra line is counted too.
    fn count_lines(&self, needle: &str, expected: usize) -> usize {
        let count = || {
            self.lines
                .lock()
                .expect("lines lock")
                .iter()
                .filter(|line| line.contains(needle))
                .count()
        };
        let started = Instant::now();
        while count() < expected && started.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(200));
        count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM, so `timeout` passes it on to gunicorn and nothing is orphaned.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub(crate) struct Ports {
    pub(crate) http: u16,
    pub(crate) https: u16,
}

/// `tests/servers/scripted_site.py SCENARIO`.
pub(crate) struct ScriptedSite {
    server: Server,
    pub(crate) ports: Ports,
}

impl ScriptedSite {
    fn start(scenario: &str, cert: &ServerCert) -> Self {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/servers/scripted_site.py");
        let mut command = Command::new(default_venv().python());
        command
            .arg(script)
            .arg(scenario)
            .arg("--cert")
            .arg(&cert.cert)
            .arg("--key")
            .arg(&cert.key)
            .args(["--lifetime", "120"]);
        let server = Server::spawn(command);
        let first_line = server
            .first_line
            .recv_timeout(STARTUP_LIMIT)
            .expect("the scripted site reports its ports");
        let ports = serde_json::from_str(&first_line).expect("ports as JSON");
        Self { server, ports }
    }

    /// A site for `scenario`, with a `localhost` certificate from a new CA named `ca_name`.
    pub(crate) fn start_with_new_ca(scenario: &str, ca_name: &str) -> (TestCa, Self) {
        let ca = TestCa::new(ca_name);
        let site = Self::start(scenario, &ca.localhost());
        (ca, site)
    }

    pub(crate) fn requests(&self, expected: usize) -> usize {
        self.server.count_lines("REQUEST ", expected)
    }
}

/// A free port on 127.0.0.1 (released again for the server to bind).
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

fn wait_until_listening(port: u16, server: &mut Server) {
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            server.child.try_wait().expect("server status").is_none(),
            "the server on port {port} exited early"
        );
        assert!(
            started.elapsed() < STARTUP_LIMIT,
            "nothing listens on port {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `verify_site` fixture: one gunicorn with TLS and one on plain HTTP, as behind Heroku's
/// router, where Django's own `SECURE_SSL_REDIRECT` answers plain-HTTP requests.
struct DjangoSite {
    http: Server,
    https: Server,
    ports: Ports,
}

impl DjangoSite {
    fn start(cert: &ServerCert, env: &[(&str, &str)]) -> Self {
        let ports = Ports {
            http: free_port(),
            https: free_port(),
        };
        let ssl_host = format!("localhost:{}", ports.https);
        let gunicorn = |port: u16, tls: bool| {
            let mut command = Command::new("timeout");
            command
                .args(["--kill-after=5", "120"])
                .arg(default_venv().python())
                .args(["-m", "gunicorn", "--no-control-socket", "--workers", "1"])
                .args(["--graceful-timeout", "2", "--access-logfile", "-"])
                .arg(format!("--bind=127.0.0.1:{port}"))
                .current_dir(fixture("verify_site"))
                .env("SSL_HOST", &ssl_host)
                .envs(env.iter().copied());
            if tls {
                command
                    .arg("--certfile")
                    .arg(&cert.cert)
                    .arg("--keyfile")
                    .arg(&cert.key);
            }
            command.arg("verify_site.wsgi");
            Server::spawn(command)
        };
        let mut site = Self {
            http: gunicorn(ports.http, false),
            https: gunicorn(ports.https, true),
            ports,
        };
        wait_until_listening(ports.http, &mut site.http);
        wait_until_listening(ports.https, &mut site.https);
        site
    }
}

/// What one `verify` run produced.
struct Run {
    report: Report,
    exit: Exit,
    /// The plain-text report, with the test ports replaced by `HTTP_PORT` / `HTTPS_PORT`.
    text: String,
    elapsed: Duration,
}

impl Run {
    /// Fails with the whole report when it lacks `expected`.
    #[track_caller]
    fn assert_text_contains(&self, expected: &str) {
        assert!(self.text.contains(expected), "{}", self.text);
    }
}

fn run_verify(args: &[&str], env: &[(&str, &str)], ports: Ports) -> Run {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let lookup = |name: &str| {
        env.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    };
    let Ok(VerifyCommand::Verify(options)) = verify::parse_args(&args, lookup) else {
        panic!("valid arguments: {args:?}");
    };
    let started = Instant::now();
    let report = verify::verify(&options);
    let elapsed = started.elapsed();
    let text = report::render_text(&report, Style::Plain)
        .replace(&format!(":{}", ports.https), ":HTTPS_PORT")
        .replace(&format!(":{}", ports.http), ":HTTP_PORT");
    Run {
        exit: verify::exit_code(&report),
        report,
        text,
        elapsed,
    }
}

/// How a `verify` run learns to trust a test CA.
#[derive(Clone, Copy)]
enum Trust<'a> {
    /// `--cacert FILE`.
    CaCert(&'a TestCa),
    /// The `SSL_CERT_FILE` environment variable.
    SslCertFile(&'a TestCa),
}

/// `verify http://localhost:HTTP/ --https-port HTTPS EXTRA...`, the way most tests enter a site:
/// over plain HTTP, as a visitor who types the bare domain does.
fn verify_localhost(ports: Ports, trust: Trust<'_>, extra_args: &[&str]) -> Run {
    let http = http_url(ports);
    let https_port = ports.https.to_string();
    let mut args = vec![http.as_str(), "--https-port", &https_port];
    args.extend(extra_args);
    match trust {
        Trust::CaCert(ca) => {
            let cacert = ca.pem_arg();
            args.extend(["--cacert", &cacert]);
            run_verify(&args, &[], ports)
        }
        Trust::SslCertFile(ca) => run_verify(&args, &[("SSL_CERT_FILE", &ca.pem_arg())], ports),
    }
}

fn ids(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|finding| format!("{:?} {}", finding.severity, finding.id))
        .collect()
}

fn http_url(ports: Ports) -> String {
    format!("http://localhost:{}/", ports.http)
}

/// The plain-text report: the heading, then `body`.
fn verify_report(body: &str) -> String {
    format!(
        "Django Release Guard {} | verify\n\n{body}",
        env!("CARGO_PKG_VERSION")
    )
}

/// The preload note for a host whose header is fine but does not ask for preloading.
fn preload_not_requested(host: &str) -> String {
    format!(
        "Preload readiness ({host}): not requested (no `preload` directive); preloading is opt-in and not recommended by hstspreload.org."
    )
}

/// `verify_site` settings for a site that is fully hardened: HTTPS and one year of HSTS.
const HARDENED: [(&str, &str); 2] = [("USE_SSL", "true"), ("HSTS_SECONDS", "31536000")];

const LOGIN_PAGE: [&str; 2] = ["--path", "/accounts/login/"];

/// `verify http://localhost:HTTP/ --cacert CA EXTRA...` without `--https-port`: the HTTPS side
/// is checked where the plain-HTTP redirect leads.
fn verify_where_redirected(ports: Ports, ca: &TestCa, extra_args: &[&str]) -> Run {
    let http = http_url(ports);
    let cacert = ca.pem_arg();
    let mut args = vec![http.as_str(), "--cacert", &cacert];
    args.extend(extra_args);
    run_verify(&args, &[], ports)
}

#[test]
fn hardened_django_site_on_two_high_ports_passes_at_one_request_per_hop() {
    // SECURE_SSL_HOST sends http://localhost:HTTP/ to https://localhost:HTTPS/, and no
    // --https-port is given: the HTTPS side is found from the redirect.
    let ca = TestCa::new("django-good");
    let site = DjangoSite::start(&ca.localhost(), &HARDENED);
    let run = verify_where_redirected(site.ports, &ca, &LOGIN_PAGE);
    assert_eq!(
        run.text,
        verify_report(indoc! {"
            Preload readiness (localhost): not requested (no `preload` directive); preloading is opt-in and not recommended by hstspreload.org.
            Site check passed
        "})
    );
    assert_eq!(run.exit, Exit::Pass);
    // http://localhost/ -> 301 -> https://localhost/ (200), then /accounts/login/ (200).
    assert_eq!(site.http.count_lines("\"GET / HTTP/1.1\" 301", 1), 1);
    assert_eq!(site.https.count_lines("\"GET ", 2), 2);
}

#[test]
fn story_settings_ramp_warns_and_without_ssl_block() {
    let ca = TestCa::new("django-story");
    let cert = ca.localhost();
    // USE_SSL with Django's suggested first step, SECURE_HSTS_SECONDS = 3600; the CA comes
    // from SSL_CERT_FILE this time.
    let ramping = DjangoSite::start(&cert, &[("USE_SSL", "true")]);
    let run = verify_localhost(ramping.ports, Trust::SslCertFile(&ca), &LOGIN_PAGE);
    assert_eq!(
        run.text,
        verify_report(indoc! {"
            WARNINGS (1)
            - verify.header.max_age.below_180_days (SECURE_HSTS_SECONDS)
              https://localhost:HTTPS_PORT/ sends max-age=3600 (1 hour); browsers forget the policy after that.
              Required: at least 15552000 (180 days) once HTTPS works everywhere; 31536000 (1 year) is the usual
                        goal
              Why: A short max-age is the right start (if something breaks over HTTPS, browsers forget the
                   policy soon), but it protects returning visitors only briefly. Raise it one release at a
                   time, waiting out each stage before the next: 3600 (1 hour), then 604800 (1 week), then
                   2592000 (30 days), then 31536000 (1 year). Only max-age=0 over valid HTTPS undoes a policy.
              Fix: SECURE_HSTS_SECONDS = 604800  # 1 week, after 1 hour without problems; later 2592000 (30 days), then 31536000 (1 year)

            Preload readiness (localhost): not requested (no `preload` directive); preloading is opt-in and not recommended by hstspreload.org.
            Site check passed with 1 warning
        "})
    );
    assert_eq!(run.exit, Exit::Pass);
    drop(ramping);

    let plain = DjangoSite::start(&cert, &[("USE_SSL", "false")]);
    let run = verify_localhost(plain.ports, Trust::CaCert(&ca), &LOGIN_PAGE);
    assert_eq!(
        ids(&run.report),
        [
            "Block verify.cookies.csrf.no_secure",
            "Block verify.cookies.session.no_secure",
            "Block verify.redirects.http.no_redirect",
            "Block verify.response.no_header",
        ]
    );
    assert_eq!(run.exit, Exit::Blocked);
    assert!(
        run.text.ends_with("Site check failed: 4 problems\n"),
        "{}",
        run.text
    );
}

#[test]
fn cookies_are_only_checked_where_they_are_set() {
    let ca = TestCa::new("django-cookies");
    let site = DjangoSite::start(&ca.localhost(), &HARDENED);
    let run = verify_localhost(site.ports, Trust::CaCert(&ca), &[]);
    assert_eq!(
        ids(&run.report),
        [
            "Info verify.cookies.csrf.not_observed",
            "Info verify.cookies.session.not_observed"
        ]
    );
    run.assert_text_contains(indoc! {"
        - verify.cookies.session.not_observed
          No response set the session cookie `sessionid` on localhost, so its flags were not checked.
          Fix: release-guard verify http://localhost:HTTP_PORT/ --path /accounts/login/   (a page that sets it; --session-cookie NAME if you renamed it)
    "});
    assert_eq!(run.exit, Exit::Pass);
}

/// Runs `verify` on a scripted scenario served with a certificate from its own CA.
fn scripted(scenario: &str, extra_args: &[&str]) -> (Run, ScriptedSite) {
    let (ca, site) = ScriptedSite::start_with_new_ca(scenario, &format!("scripted-{scenario}"));
    let run = verify_localhost(site.ports, Trust::CaCert(&ca), extra_args);
    (run, site)
}

#[test]
fn two_sts_headers_block() {
    let (run, site) = scripted("double_sts", &[]);
    run.assert_text_contains(indoc! {"
        BLOCKING (1)
        - verify.response.multiple_headers
          https://localhost:HTTPS_PORT/ sends 2 Strict-Transport-Security headers: `max-age=31536000`,
          `max-age=31536000; includeSubDomains`.
          Required: exactly one header
    "});
    assert_eq!(ids(&run.report), ["Block verify.response.multiple_headers"]);
    assert_eq!(run.exit, Exit::Blocked);
    assert_eq!(site.requests(2), 2);
}

#[test]
fn https_redirecting_to_itself_is_a_loop_with_the_proxy_fix() {
    let (run, site) = scripted("self_redirect", &[]);
    assert_eq!(
        ids(&run.report),
        [
            "Block verify.redirects.loop",
            "Warn verify.redirects.https.no_hsts"
        ]
    );
    run.assert_text_contains(indoc! {r#"
        - verify.redirects.loop (SECURE_PROXY_SSL_HEADER)
          https://localhost:HTTPS_PORT/ redirects in a loop: https://localhost:HTTPS_PORT/ goes back to
          https://localhost:HTTPS_PORT/.
          Why: Behind Heroku's router Django sees plain HTTP unless it trusts X-Forwarded-Proto, so
               SECURE_SSL_REDIRECT redirects HTTPS requests to themselves.
          Fix: SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    "#});
    // One request per URL: http://, then https:// once (its self-redirect is not refetched).
    assert_eq!(site.requests(2), 2);
}

#[test]
fn first_redirect_to_another_host_blocks() {
    let (run, _site) = scripted("off_host", &[]);
    assert_eq!(
        ids(&run.report),
        ["Block verify.redirects.http.first_redirect.insecure"]
    );
    run.assert_text_contains(indoc! {"
        - verify.redirects.http.first_redirect.insecure (SECURE_SSL_HOST)
          http://localhost:HTTP_PORT/ redirects straight to another host, https://127.0.0.1:HTTPS_PORT/.
    "});
    // https://localhost/ itself is fine; only the plain-HTTP entry skips it.
    assert_eq!(run.report.notes, [preload_not_requested("localhost")]);
}

#[test]
fn more_than_three_redirects_block() {
    let (run, site) = scripted("too_many", &[]);
    assert_eq!(ids(&run.report), ["Block verify.redirects.too_many"]);
    run.assert_text_contains(
        "https://localhost:HTTPS_PORT/ still redirects after 3 redirects (last: https://localhost:HTTPS_PORT/hop3/).",
    );
    // http:// once, then https:// /, /hop1/, /hop2/, /hop3/: never a fifth HTTPS request.
    assert_eq!(site.requests(5), 5);
}

#[test]
fn insecure_cookies() {
    let (run, _site) = scripted("insecure_cookies", &[]);
    assert_eq!(
        ids(&run.report),
        [
            "Block verify.cookies.csrf.no_secure",
            "Block verify.cookies.session.no_httponly",
            "Block verify.cookies.session.no_secure",
            "Warn verify.cookies.prefix.invalid",
            "Warn verify.cookies.samesite.none_insecure",
            "Warn verify.cookies.session.samesite.missing",
            "Info verify.cookies.other.no_secure",
        ]
    );
    assert!(
        !run.text.contains("heroku-session-affinity"),
        "{}",
        run.text
    );
    run.assert_text_contains(indoc! {"
        - verify.cookies.session.no_secure (SESSION_COOKIE_SECURE)
          https://localhost:HTTPS_PORT/ sets the session cookie `sessionid` without Secure.
          Required: Secure
          Why: Browsers send it over plain HTTP too, where anyone on the network can read it and take over
               the session or forge requests.
          Fix: SESSION_COOKIE_SECURE = True
    "});
    run.assert_text_contains(indoc! {"
        - verify.cookies.session.no_httponly (SESSION_COOKIE_HTTPONLY)
          https://localhost:HTTPS_PORT/ sets the session cookie `sessionid` without HttpOnly.
          Required: HttpOnly
          Why: Any script injected into a page can read the session and hijack the account.
          Fix: SESSION_COOKIE_HTTPONLY = True
    "});
    run.assert_text_contains(indoc! {"
        - verify.cookies.prefix.invalid
          https://localhost:HTTPS_PORT/ sets `__Host-prefs`, whose __Host- prefix browsers enforce, but it has a
          `Domain` attribute.
          Required: Secure, Path=/ and no Domain attribute
    "});
    assert_eq!(run.exit, Exit::Blocked);
}

#[test]
fn plain_http_serving_content_blocks() {
    let (run, _site) = scripted("http_content", &[]);
    assert_eq!(
        ids(&run.report),
        [
            "Block verify.redirects.http.no_redirect",
            "Info verify.redirects.http.useless_header",
        ]
    );
    run.assert_text_contains(indoc! {"
        - verify.redirects.http.no_redirect (SECURE_SSL_REDIRECT)
          http://localhost:HTTP_PORT/ answers 200 instead of redirecting to HTTPS.
          Required: a 301 redirect to https://localhost:HTTPS_PORT/
    "});
}

#[test]
fn temporary_redirect_and_contradictory_preload_warn() {
    let (run, _site) = scripted("temporary_redirect", &[]);
    assert_eq!(
        ids(&run.report),
        [
            "Warn verify.header.max_age.below_180_days",
            "Warn verify.header.preloadable.include_sub_domains.missing",
            "Warn verify.header.preloadable.max_age.below_1_year",
            "Warn verify.redirects.http.first_redirect.temporary",
        ]
    );
    assert_eq!(
        run.report.notes,
        [
            "Preload readiness (localhost): requested but not eligible: includeSubDomains is missing; max-age is below 31536000 (1 year)."
        ]
    );
    assert!(
        !run.text.to_lowercase().contains("add preload"),
        "{}",
        run.text
    );
    assert_eq!(run.exit, Exit::Pass);
}

#[test]
fn a_hanging_site_ends_with_exit_2_within_the_budget() {
    let (run, _site) = scripted("hang", &["--timeout", "2"]);
    assert_eq!(run.exit, Exit::CouldNotEvaluate);
    assert!(
        run.elapsed < Duration::from_secs(6),
        "took {:?}",
        run.elapsed
    );
    assert_eq!(
        run.text,
        verify_report(indoc! {"
            COULD NOT EVALUATE: The site could not be checked
              no complete answer from http://localhost:HTTP_PORT/ within the time budget of 2 s
              Fix: Check that the site is up and answering, or raise --timeout SECONDS.

            Site check failed: it could not be evaluated
        "})
    );
}

#[test]
fn certificate_problems_in_plain_words() {
    let trusted = TestCa::new("tls-trusted");
    let other = TestCa::new("tls-other");
    for (cert, expected) in [
        (
            other.localhost(),
            "it is signed by an authority this machine does not trust (unknown issuer): a private CA, or a server that does not send its intermediate certificates. If the CA is private, trust it with --cacert FILE, SSL_CERT_FILE or SSL_CERT_DIR.",
        ),
        (
            other.self_signed(),
            "it is self-signed: it vouches for itself, and no authority stands behind it. Use a certificate from a public CA (heroku certs:auto:enable); for a private test host, trust that certificate with --cacert FILE.",
        ),
        (
            trusted.issue("wrong-host", "DNS:other.test", "2"),
            "it was issued for other host names than localhost (wrong host name).",
        ),
        (
            trusted.issue("expired", "DNS:localhost", "-1"),
            "it has expired. Renew it (heroku certs:auto renews automatically).",
        ),
    ] {
        let site = ScriptedSite::start("good", &cert);
        let run = verify_localhost(site.ports, Trust::CaCert(&trusted), &[]);
        let finding = run
            .report
            .findings
            .iter()
            .find(|finding| finding.id == "verify.domain.tls.invalid_cert_chain")
            .unwrap_or_else(|| panic!("a certificate finding: {}", run.text));
        assert_eq!(
            finding.message,
            format!(
                "The certificate of https://localhost:{}/ is not valid: {expected}",
                site.ports.https
            )
        );
        assert_eq!(run.exit, Exit::Blocked);
        assert_eq!(
            run.report.notes,
            [
                "Preload readiness (localhost): not eligible (no valid Strict-Transport-Security header)."
            ]
        );
    }
}

#[test]
fn json_report_and_unreachable_https() {
    let (ca, site) = ScriptedSite::start_with_new_ca("good", "json");
    // Entered over HTTPS this time, with the plain-HTTP port given as an option.
    let run = run_verify(
        &[
            &format!("https://localhost:{}", site.ports.https),
            "--http-port",
            &site.ports.http.to_string(),
            "--cacert",
            &ca.pem_arg(),
        ],
        &[],
        site.ports,
    );
    let json: serde_json::Value =
        serde_json::from_str(&report::render_json(&run.report)).expect("JSON");
    assert_eq!(json["tool"], "verify");
    assert_eq!(json["verdict"], "pass");
    assert_eq!(json["findings"], serde_json::json!([]));
    assert_eq!(
        json["notes"],
        serde_json::json!([preload_not_requested("localhost")])
    );

    let closed = free_port();
    let run = verify_localhost(
        Ports {
            https: closed,
            ..site.ports
        },
        Trust::CaCert(&ca),
        &[],
    );
    assert_eq!(run.exit, Exit::CouldNotEvaluate);
    assert_eq!(
        run.report.error.as_ref().map(|error| error.detail.clone()),
        Some(format!(
            "nothing accepts connections on https://localhost:{closed}/ (connection refused)"
        ))
    );
}

/// `release-guard verify ARGS` as a process, with a clean trust and Heroku environment.
fn release_guard_verify(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_release-guard"))
        .arg("verify")
        .args(args)
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env_remove(verify::DEFAULT_DOMAIN_ENV)
        .envs(env.iter().copied())
        .output()
        .expect("run release-guard");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn binary_trusts_ssl_cert_file_and_defaults_to_the_heroku_domain() {
    let (ca, site) = ScriptedSite::start_with_new_ca("good", "binary");
    let https_port = site.ports.https.to_string();
    let default_domain = format!("localhost:{}", site.ports.http);
    let ca_pem = ca.pem_arg();

    let (code, stdout, stderr) = release_guard_verify(
        &["--https-port", &https_port, "--format", "json"],
        &[
            ("SSL_CERT_FILE", &ca_pem),
            (verify::DEFAULT_DOMAIN_ENV, &default_domain),
        ],
    );
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(json["verdict"], "pass");
    assert_eq!(json["findings"], serde_json::json!([]));

    // Without the CA, the same site's certificate is untrusted: blocked, in plain words.
    let (code, stdout, _) = release_guard_verify(
        &[&http_url(site.ports), "--https-port", &https_port],
        &[("NO_COLOR", "1")],
    );
    assert_eq!(code, Some(1), "{stdout}");
    assert_eq!(
        stdout.replace(&https_port, "HTTPS_PORT"),
        verify_report(indoc! {"
            BLOCKING (1)
            - verify.domain.tls.invalid_cert_chain
              The certificate of https://localhost:HTTPS_PORT/ is not valid: it is signed by an authority this
              machine does not trust (unknown issuer): a private CA, or a server that does not send its
              intermediate certificates. If the CA is private, trust it with --cacert FILE, SSL_CERT_FILE or
              SSL_CERT_DIR.
              Why: Browsers show a full-page error; with HSTS there is no way to click through (RFC 6797 §12.1).
              Fix: heroku certs:auto:enable   (or upload a certificate chain for this host with heroku certs:add)

            Preload readiness (localhost): not eligible (no valid Strict-Transport-Security header).
            Site check failed: 1 problem
        "})
    );
}

/// A CA file that is a FIFO, a device that never ends, or a link to either: a clear error at
/// once, within `--timeout` (this used to hang, or read until memory ran out).
#[test]
fn ca_files_that_are_not_regular_files_fail_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ca.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let fifo_link = dir.path().join("ca-fifo-link.pem");
    std::os::unix::fs::symlink(&fifo, &fifo_link).unwrap();
    let zero_link = dir.path().join("ca-zero-link.pem");
    std::os::unix::fs::symlink("/dev/zero", &zero_link).unwrap();
    let cases = [
        ("--cacert", fifo.as_path(), "a FIFO"),
        ("--cacert", zero_link.as_path(), "a character device"),
        (
            "SSL_CERT_FILE",
            Path::new("/dev/zero"),
            "a character device",
        ),
        ("SSL_CERT_FILE", fifo_link.as_path(), "a FIFO"),
    ];
    for (origin, path, kind) in cases {
        let path_text = path.to_str().unwrap();
        let mut command = Command::new("timeout");
        command
            .args([
                "--kill-after=1",
                "10",
                env!("CARGO_BIN_EXE_release-guard"),
                "verify",
            ])
            .args(["--timeout", "2", "--format", "json", "http://127.0.0.1:9/"])
            .env_remove("SSL_CERT_FILE")
            .env_remove("SSL_CERT_DIR");
        if origin == "--cacert" {
            command.args(["--cacert", path_text]);
        } else {
            command.env(origin, path);
        }
        let started = Instant::now();
        let output = command.output().unwrap();
        let elapsed = started.elapsed();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{origin} {path_text}: {stdout}"
        );
        assert!(
            elapsed < Duration::from_secs(2),
            "{origin} {path_text} took {elapsed:?}"
        );
        let json: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
        assert_eq!(
            json["error"]["detail"],
            format!("{origin} {path_text} cannot be read: it is {kind}, not a regular file"),
        );
    }
}

#[test]
fn binary_usage_errors_exit_2() {
    let (code, stdout, stderr) = release_guard_verify(&["example.com", "--bogus"], &[]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("release-guard verify: unknown option `--bogus`\n\nUsage: release-guard verify [URL...] [options]\n"),
        "{stderr}"
    );
    let (code, _, stderr) = release_guard_verify(&[], &[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.starts_with(
            "release-guard verify: give the URL to check (or set HEROKU_APP_DEFAULT_DOMAIN_NAME)\n"
        ),
        "{stderr}"
    );
}

#[test]
fn several_hosts_in_one_run_share_requests() {
    let (ca, site) = ScriptedSite::start_with_new_ca("good", "several");
    // The scripted site always redirects to https://localhost, so for 127.0.0.1 the first
    // redirect leaves the host.
    let run = verify_localhost(
        site.ports,
        Trust::CaCert(&ca),
        &[&format!("127.0.0.1:{}", site.ports.http)],
    );
    assert_eq!(
        ids(&run.report),
        ["Block verify.redirects.http.first_redirect.insecure"]
    );
    assert!(
        run.report.findings[0]
            .message
            .starts_with("http://127.0.0.1:"),
        "{}",
        run.text
    );
    assert_eq!(
        run.report.notes,
        [
            preload_not_requested("localhost"),
            preload_not_requested("127.0.0.1")
        ]
    );
    // http://localhost, https://localhost, http://127.0.0.1, https://127.0.0.1: the redirect
    // from 127.0.0.1 to https://localhost/ is answered from memory.
    assert_eq!(site.requests(4), 4);
}

#[test]
fn findings_name_the_https_port_the_redirect_led_to() {
    let (ca, site) = ScriptedSite::start_with_new_ca("temporary_redirect", "found-port");
    let run = verify_where_redirected(site.ports, &ca, &[]);
    run.assert_text_contains(indoc! {"
        - verify.header.max_age.below_180_days (SECURE_HSTS_SECONDS)
          https://localhost:HTTPS_PORT/ sends max-age=3600 (1 hour); browsers forget the policy after that.
    "});
    run.assert_text_contains(indoc! {"
        - verify.redirects.http.first_redirect.temporary
          http://localhost:HTTP_PORT/ redirects to HTTPS with a temporary 302 instead of a permanent 301 or 308.
    "});
    assert_eq!(site.requests(2), 2);
}

#[test]
fn ssl_cert_dir_is_trusted() {
    let (ca, site) = ScriptedSite::start_with_new_ca("good", "cert-dir");
    let cert_dir = ca.cert_dir();
    let http = http_url(site.ports);
    let https_port = site.ports.https.to_string();
    let run = run_verify(
        &[&http, "--https-port", &https_port],
        &[("SSL_CERT_DIR", &cert_dir.display().to_string())],
        site.ports,
    );
    assert_eq!(ids(&run.report), Vec::<String>::new(), "{}", run.text);
    assert_eq!(run.exit, Exit::Pass);

    // A directory without certificates cannot be used: said, not ignored.
    let empty = ca.scratch.path("empty");
    std::fs::create_dir_all(&empty).expect("create an empty directory");
    let (code, stdout, _) = release_guard_verify(
        &[&http, "--https-port", &https_port],
        &[
            ("SSL_CERT_DIR", &empty.display().to_string()),
            ("NO_COLOR", "1"),
        ],
    );
    assert_eq!(code, Some(2), "{stdout}");
    assert_eq!(
        stdout.replace(&empty.display().to_string(), "EMPTY"),
        verify_report(indoc! {"
            COULD NOT EVALUATE: A CA certificate file cannot be used
              SSL_CERT_DIR EMPTY contains no PEM certificate (-----BEGIN CERTIFICATE-----)
              Fix: Point SSL_CERT_DIR at a directory of PEM CA certificates.

            Site check failed: it could not be evaluated
        "})
    );
}

#[test]
fn a_javascript_location_is_an_invalid_redirect_target() {
    let (run, site) = scripted("javascript_location", &[]);
    assert_eq!(
        ids(&run.report),
        ["Block verify.redirects.follow_error"],
        "{}",
        run.text
    );
    run.assert_text_contains(indoc! {"
        - verify.redirects.follow_error
          http://localhost:HTTP_PORT/ redirects, but the redirect cannot be followed: `Location:
          javascript:alert(1)` is not a valid redirect target (not an http:// or https:// URL).
    "});
    // The plain-HTTP entry once, the HTTPS side once: the bad target is never requested.
    assert_eq!(site.requests(2), 2);
}

#[test]
fn binary_rejects_bad_ports_and_numbers_with_exit_2() {
    for port in ["99999", "65536", "70000", "0"] {
        let url = format!("https://localhost:{port}/");
        let (code, stdout, stderr) = release_guard_verify(&[&url], &[]);
        assert_eq!((code, stdout.as_str()), (Some(2), ""), "{stderr}");
        assert!(
            stderr.starts_with(&format!(
                "release-guard verify: `{url}` has an invalid port: {port} is not a port number (1 to 65535)\n\nUsage:"
            )),
            "{stderr}"
        );
    }
    for (flag, value, range) in [
        ("--timeout", "9223372036854775808", "1 to 86400"),
        ("--timeout", "18446744073709551616", "1 to 86400"),
        ("--timeout", "0", "1 to 86400"),
        ("--https-port", "70000", "1 to 65535"),
        ("--http-port", "-1", "1 to 65535"),
    ] {
        let (code, stdout, stderr) = release_guard_verify(&["localhost", flag, value], &[]);
        assert_eq!(
            (code, stdout.as_str()),
            (Some(2), ""),
            "{flag} {value}: {stderr}"
        );
        assert!(
            stderr.starts_with(&format!(
                "release-guard verify: {flag} `{value}` is not a whole number from {range}\n\nUsage:"
            )),
            "{stderr}"
        );
    }
}

#[test]
fn live_policies_get_the_gates_words() {
    use crate::csp_test::{NONCE_DROPPED, REPORT_ONLY_COPY, UNRESTRICTED, WEAK};
    let scenarios: [(&str, &[(&str, &str)]); 5] = [
        ("csp_strict", &[]),
        ("csp_weak", &WEAK),
        ("csp_unrestricted", &UNRESTRICTED),
        ("csp_report_only_copy", &REPORT_ONLY_COPY),
        ("csp_nonce_dropped", &NONCE_DROPPED),
    ];
    for (scenario, expected) in scenarios {
        let (run, _site) = scripted(scenario, &[]);
        let found: Vec<(String, String)> = run
            .report
            .findings
            .iter()
            .map(|finding| (finding.id.clone(), finding.message.clone()))
            .collect();
        let wanted: Vec<(String, String)> = expected
            .iter()
            .map(|(rule, message)| (format!("verify.{rule}"), (*message).to_owned()))
            .collect();
        assert_eq!(found, wanted, "{scenario}");
        assert!(
            run.report
                .findings
                .iter()
                .all(|finding| finding.severity == release_guard::finding::Severity::Warn),
            "{scenario}"
        );
        assert_eq!(run.exit, Exit::Pass, "{scenario}");
        for (_, message) in &wanted {
            let words = message.split_whitespace().collect::<Vec<_>>().join(" ");
            let text = run.text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(text.contains(&words), "{}", run.text);
        }
    }
}
