//! The output boundary end to end: the built `release-guard` binary, real Django, text and JSON.
//! Secrets planted in every form never come out; values that are not secrets are judged raw
//! and stay readable; the app cannot repaint the log; JSON stdout stays one document.

// Helpers are not `#[test]` functions, but a panic is how they report a failure too.
#![allow(clippy::unwrap_used)]

use crate::support::python::{TUTORIAL_CONFIG_VARS, default_venv, fixture};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const GUARD: &str = env!("CARGO_BIN_EXE_release-guard");

const SIGNING_KEY: &str = "first-line-of-the-signing-key\nsecond-line-value\n";
const API_TOKEN: &str = "tok\\en-ends-in-newline\n";
const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\nAQEFAASCBKcwggSjAgEAAoIB\n-----END PRIVATE KEY-----\n";

/// The guard in a clean environment with the default venv first on PATH.
fn guard(app_dir: &Path, args: &[&str], vars: &[(&str, &str)]) -> Output {
    let venv = default_venv();
    Command::new(GUARD)
        .current_dir(app_dir)
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", venv.bin_dir().display()),
        )
        .envs(vars.iter().copied())
        .args(args)
        .output()
        .unwrap()
}

/// stdout and stderr of an edge scenario run in `format`, which must exit `code`.
fn edge(scenario: &str, format: &str, code: i32) -> (String, String) {
    let settings = format!("edge.settings.{scenario}");
    let vars = [
        ("EDGE_API_TOKEN", API_TOKEN),
        ("EDGE_PRIVATE_KEY", PRIVATE_KEY),
        ("EDGE_PIN_PASS", "hunt5"),
        ("EDGE_SIGNING_KEY", SIGNING_KEY),
    ];
    let output = guard(
        &fixture("edge"),
        &["--settings", &settings, "--format", format],
        &vars,
    );
    finished(&output, code)
}

fn finished(output: &Output, code: i32) -> (String, String) {
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(output.status.code(), Some(code), "{stdout}\n{stderr}");
    (stdout, stderr)
}

/// The evaluation error's detail, from the JSON document.
fn json_detail(stdout: &str) -> String {
    let report: Value = serde_json::from_str(stdout).unwrap();
    report["error"]["detail"].as_str().unwrap().to_string()
}

/// The detail as the text log indents it.
fn indented(detail: &str) -> String {
    detail.lines().fold(String::new(), |mut text, line| {
        text.push_str("  ");
        text.push_str(line);
        text.push('\n');
        text
    })
}

#[test]
fn an_app_named_like_its_cache_and_database_user_passes() {
    // bakerydemo: LOCATION = "bakerydemo", database NAME and USER "bakerydemo", password
    // "http", on bakerydemo.herokuapp.com. Once blocked because the redirect's host was
    // redacted before the rules compared it.
    let (text, _) = edge("app_named_values", "text", 0);
    assert!(text.ends_with("\nRelease passed\n"), "{text}");
    let (json, _) = edge("app_named_values", "json", 0);
    let report: Value = serde_json::from_str(&json).unwrap();
    // Only the info line every report has: the probe never runs Django's database checks.
    let ids: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["guard.database_checks_not_run"], "{json}");
}

#[test]
fn secrets_in_every_form_are_hidden() {
    let expected = "RuntimeError: repr '[redacted]'\n\
                    quoted [redacted]\n\
                    base64 [redacted]\n\
                    basic ZGVwbG95On[redacted]=\n\
                    pem line [redacted]\n\
                    prefix [redacted]...\n\
                    pin [redacted]!\n  \
                    File \"edge/settings/leaky_forms.py\", line 24, in <module>";
    let (json, _) = edge("leaky_forms", "json", 2);
    assert_eq!(json_detail(&json), expected);
    let (text, _) = edge("leaky_forms", "text", 2);
    assert!(text.contains(&indented(expected)), "{text}");
}

#[test]
fn relayed_output_is_redacted_before_it_is_cut() {
    for format in ["text", "json"] {
        let (stdout, _) = edge("leaky_output", format, 2);
        let shown = if format == "json" {
            json_detail(&stdout)
        } else {
            stdout
        };
        assert!(!shown.contains("second-line"), "{shown}");
        assert!(!shown.contains("ends-in-newline"), "{shown}");
        assert!(shown.contains("token [redacted]"), "{shown}");
    }
}

#[test]
fn a_database_url_password_quoted_by_a_failing_parser_is_hidden() {
    // urlsplit() reads `#` as the start of the fragment, and `.port` then quotes the
    // password's first piece: "Port could not be cast to integer value as 'correcthorse'".
    for (password, quoted) in [
        ("correcthorse#battery", "correcthorse"),
        ("staple/horse-battery", "staple"),
    ] {
        let url = format!("postgres://app:{password}@db.internal:5432/app");
        for format in ["text", "json"] {
            let mut vars = TUTORIAL_CONFIG_VARS.to_vec();
            vars.push(("DATABASE_URL", &url));
            let output = guard(&fixture("tutorial"), &["--format", format], &vars);
            let (stdout, stderr) = finished(&output, 2);
            assert!(
                !stdout.contains(quoted) && !stderr.contains(quoted),
                "{stdout}"
            );
            assert!(
                stdout.contains("Port could not be cast to integer value as '[redacted]'"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn the_app_cannot_repaint_the_log() {
    let expected = "RuntimeError: \\x1b[2K\\x0d\\x1b[1;32mRelease passed\\x1b[0m\\x9b2J";
    let (text, _) = edge("escape_sequences", "text", 2);
    assert!(!text.contains('\u{1b}') && !text.contains('\r'), "{text:?}");
    assert!(text.contains(&format!("\n  {expected}\n")), "{text}");
    let (json, _) = edge("escape_sequences", "json", 2);
    assert!(json_detail(&json).starts_with(expected), "{json}");
}

#[test]
fn json_stdout_is_the_document_then_only_the_command_output() {
    let mut vars = TUTORIAL_CONFIG_VARS.to_vec();
    vars.push(("USE_SSL", "true"));
    let output = guard(
        &fixture("tutorial"),
        &[
            "release",
            "--format",
            "json",
            "--",
            "echo",
            "the command's own output",
        ],
        &vars,
    );
    let (stdout, stderr) = finished(&output, 0);
    let mut documents = serde_json::Deserializer::from_str(&stdout).into_iter::<Value>();
    let report = documents.next().unwrap().unwrap();
    assert_eq!(report["verdict"], "pass");
    assert_eq!(
        &stdout[documents.byte_offset()..],
        "\nthe command's own output\n"
    );
    assert_eq!(
        stderr,
        "Running the release command: echo 'the command'\\''s own output'\n"
    );
}

#[test]
fn verify_never_echoes_a_url_password() {
    let output = guard(
        &fixture("tutorial"),
        &["verify", "https://deploy:Pl4nted-verify-pw@bad host/"],
        &[],
    );
    let (stdout, stderr) = finished(&output, 2);
    assert!(
        !stderr.contains("Pl4nted") && !stdout.contains("Pl4nted"),
        "{stderr}"
    );
    assert!(
        stderr.starts_with(
            "release-guard verify: `https://deploy:[redacted]@bad host/` is not a valid URL\n"
        ),
        "{stderr}"
    );
}

/// What Python itself writes for each secret: JSON with and without `ensure_ascii`, `repr` of
/// the str and of its UTF-8 bytes, `quote` (with `/` safe and without) and `quote_plus`, and
/// base64 in both alphabets, padded and not, alone and inside a longer encoding at each
/// alignment (then only the characters that encode the secret alone).
const PYTHON_ENCODERS: &str = r#"
import base64, json, sys, urllib.parse

def forms(secret):
    data = secret.encode("utf-8")
    yield json.dumps(secret)[1:-1]
    yield json.dumps(secret, ensure_ascii=False)[1:-1]
    yield repr(secret)[1:-1]
    yield repr(data)[2:-1]
    yield urllib.parse.quote(secret)
    yield urllib.parse.quote(secret, safe="")
    yield urllib.parse.quote_plus(secret)
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        whole = encode(data).decode()
        yield whole
        yield whole.rstrip("=")
        for offset in (1, 2):
            shifted = encode(b"\0" * offset + data).decode().rstrip("=")
            first, last = -(-offset * 8 // 6), (offset + len(data)) * 8 // 6
            yield shifted[first:last]

secrets = json.load(sys.stdin)
json.dump([list(forms(secret)) for secret in secrets], sys.stdout)
"#;

/// For random Unicode secrets, no form Python's own encoders write survives the output
/// boundary: neither the form nor any `MIN_FRAGMENT_LENGTH`-byte run of it.
#[test]
fn no_form_pythons_encoders_write_survives_redaction() {
    use release_guard::redact::{MIN_FRAGMENT_LENGTH, MIN_SECRET_LENGTH, Redactor, Secrets};
    let mut generator = crate::test_generator::Generator::new(0x0e7c_0de5);
    let secrets: Vec<String> = std::iter::repeat_with(|| generator.unicode_text(4, 24))
        .filter(|secret| secret.trim().chars().count() >= MIN_SECRET_LENGTH)
        .take(400)
        .collect();
    let mut python = Command::new(default_venv().python())
        .args(["-c", PYTHON_ENCODERS])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(python.stdin.take().unwrap(), &secrets).unwrap();
    let output = python.wait_with_output().unwrap();
    assert!(output.status.success());
    let encoded: Vec<Vec<String>> = serde_json::from_slice(&output.stdout).unwrap();

    for (secret, forms) in secrets.iter().zip(encoded) {
        let mut redactor = Redactor::default();
        redactor.add_secrets(&Secrets::new(vec![secret.clone()]));
        for form in forms {
            let shown = redactor.field(&format!("<{form}>"));
            let leaked_run = form.len() >= MIN_FRAGMENT_LENGTH
                && form
                    .as_bytes()
                    .windows(MIN_FRAGMENT_LENGTH)
                    .any(|run| shown.as_bytes().windows(run.len()).any(|seen| seen == run));
            assert!(
                !shown.contains(&form) && !leaked_run,
                "{secret:?} as {form:?} shown as {shown:?}"
            );
        }
    }
}
