//! What the Python probe (`probe.py`) reports about the app: the contract between the probe and
//! the rules. The probe writes one JSON document of this shape to its private channel; the rules
//! are pure functions of a `Snapshot`.
//!
//! Values are raw: the rules judge what the app really does. The probe reads settings through an
//! allowlist and turns the secret key into booleans; the secrets it knows come in `secrets`, for
//! the output boundary (`crate::redact`) alone. Text written by the app is [`AppText`].
//! The probe touches no database or cache server: it refuses every connection to one and answers
//! the app's caches from memory, for the whole run (`blocked` says what the app reached for).

use crate::headers::csp::CspHeaders;
use crate::redact::{AppText, Secrets};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// The probe's answer: either a snapshot or a structured error.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
#[expect(
    clippy::large_enum_variant,
    reason = "one answer per run, read once; boxing the error would only add indirection"
)]
pub enum ProbeAnswer {
    Ok(Box<Snapshot>),
    Error(ProbeError),
}

impl ProbeAnswer {
    /// The secrets the probe knows, for the output boundary.
    #[must_use]
    pub fn secrets(&self) -> &Secrets {
        match self {
            Self::Ok(snapshot) => &snapshot.secrets,
            Self::Error(error) => &error.secrets,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Snapshot {
    /// `django.get_version()`.
    pub django_version: String,
    /// `platform.python_version()`.
    pub python_version: String,
    /// The settings module Django loaded.
    pub settings_module: String,
    /// Every message of `run_checks(include_deployment_checks=True, databases=[])`, silenced
    /// ones included: the probe never connects to a database.
    pub checks: Vec<CheckMessage>,
    /// The `database`-tagged checks that were therefore not run (`module.function`), and any
    /// other check that reached for a database or a cache server.
    #[serde(default)]
    pub database_checks_skipped: Vec<String>,
    /// Allowlisted settings by name. A setting Django does not define is absent.
    pub settings: BTreeMap<String, PyValue>,
    /// Facts about `SECRET_KEY`, never its value.
    pub secret_key: SecretKeyFacts,
    /// Whether the WSGI/ASGI server would trust the router's `X-Forwarded-Proto`.
    pub proxy_trust: ProxyTrust,
    /// `SECURE_REDIRECT_EXEMPT` as Django's `re` evaluates it on sample paths.
    #[serde(default)]
    pub redirect_exempt: RedirectExempt,
    /// The in-process requests made the way Heroku's router makes them.
    pub simulation: Simulation,
    /// What sends the app's Content Security Policy.
    #[serde(default)]
    pub csp: CspFacts,
    /// Where the settings got their values, for advice; absent when the settings module is
    /// not app source.
    #[serde(default)]
    pub provenance: Option<Provenance>,
    /// What the app printed while loading, shortened: app text, never a guard field.
    #[serde(default)]
    pub app_output: Option<AppText>,
    /// Milliseconds spent in each phase of the probe.
    #[serde(default)]
    pub timings: BTreeMap<String, f64>,
    /// What the app reached for outside the simulated requests that the probe blocked.
    #[serde(default)]
    pub blocked: Vec<BlockedAccess>,
    /// What the output boundary must hide: `SECRET_KEY`, its fallbacks, connection passwords.
    #[serde(default)]
    pub secrets: Secrets,
}

/// Where each allowlisted setting got its value (`provenance.py`), from the config-var reads
/// recorded while the settings loaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Provenance {
    /// The settings module Django loaded, and the line after its end: where a line is added.
    pub settings_file: SourceLine,
    pub settings: BTreeMap<String, SettingSource>,
    /// Every config-var read made while the settings loaded, with the app line that made it.
    #[serde(default)]
    pub reads: Vec<ConfigRead>,
}

impl Provenance {
    /// Whether the app read `config_var` while its settings loaded: by name, or through a
    /// read of the whole environment at `read_at` (a settings model built there).
    #[must_use]
    pub fn was_read(&self, config_var: &ConfigVar) -> bool {
        self.reads.iter().any(|read| match &read.name {
            Some(name) => name.eq_ignore_ascii_case(&config_var.name),
            None => config_var
                .read_at
                .as_ref()
                .is_some_and(|at| at.file == read.at.file && at.line == read.at.line),
        })
    }
}

/// One config-var read: the name (None when the whole environment was read, e.g. copied by a
/// settings model) and the app line that made it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ConfigRead {
    pub name: Option<String>,
    #[serde(flatten)]
    pub at: SourceLine,
}

/// A line of the app's source: a path relative to the app directory and a 1-based line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SourceLine {
    pub file: String,
    pub line: u32,
}

/// How one setting got its value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SettingSource {
    pub origin: Origin,
    /// The assignment that won; for `switched_off`, the assignment the condition left out;
    /// for `default`, the end of the settings module.
    #[serde(flatten)]
    pub at: SourceLine,
    /// False when the reading is a guess (a condition it could not evaluate, a value that does
    /// not match the line): the advice then falls back to a line at the module's end.
    pub certain: bool,
    /// The assignment's value when it is a literal (`True`, `3600`).
    pub literal: Option<PlainValue>,
    /// The config var the winning assignment reads.
    pub config_var: Option<ConfigVar>,
    /// For `switched_off`: the condition that left the assignment out.
    pub switch: Option<Switch>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A module-level assignment ran.
    Assignment,
    /// No assignment ran: Django's default.
    Default,
    /// Django's default, because a condition on a config var left the assignment out.
    SwitchedOff,
}

/// A Python value's type name and JSON form (null when it has none).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PlainValue {
    #[serde(rename = "type")]
    pub py_type: String,
    pub value: Value,
}

/// A config var a setting reads, and how the code turns its text into the setting's value.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ConfigVar {
    pub name: String,
    /// How it was read, for the log: `os.environ`, `read through decouple`, `read by envbool()
    /// at settings.py:12`, or the settings model field with its prefix, alias and case rule.
    pub naming: String,
    /// Whether it is set in the environment now.
    pub is_set: bool,
    /// The setting's value with the config var unset (the code's default), when known.
    pub when_unset: Option<PlainValue>,
    /// How the code turns its text into the setting's value.
    #[serde(flatten)]
    pub conversion: Conversion,
    /// Files read while the settings loaded (a `.env`) that set it too; the config var wins.
    #[serde(default)]
    pub env_files: Vec<String>,
    /// The app line whose read the name comes from.
    #[serde(default)]
    pub read_at: Option<SourceLine>,
    /// For a switch: the text that lets the left-out assignment run.
    #[serde(default)]
    pub needed: Option<String>,
}

/// How the code converts a config var's text, learnt by running it with candidate values.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Conversion {
    /// The text that makes it True / False, when the code reads a bool.
    pub true_string: Option<String>,
    pub false_string: Option<String>,
    /// Whether a decimal number comes out as that int.
    pub accepts_int: bool,
    /// How a list is written for the code to read it: `comma` (`a,b`) or `json`.
    #[serde(default)]
    pub sequence_form: Option<SequenceForm>,
    /// Whether a text comes out unchanged.
    #[serde(default)]
    pub accepts_text: bool,
    /// Whether only its presence counts (`"RENDER" in os.environ`): any value does.
    #[serde(default)]
    pub presence: bool,
    /// For a presence switch: the setting's value when the config var is set.
    #[serde(default)]
    pub when_set: Option<PlainValue>,
}

/// How a config var's text is split into a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SequenceForm {
    Comma,
    Json,
}

/// The condition (`if env.USE_SSL:`) that left a setting's assignment out.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Switch {
    pub config_var: ConfigVar,
    pub file: String,
    pub line: u32,
}

/// One Django `CheckMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckMessage {
    /// e.g. `security.W004`; Django allows messages without an ID.
    pub id: Option<String>,
    /// Django's numeric level: DEBUG 10, INFO 20, WARNING 30, ERROR 40, CRITICAL 50. Any int
    /// is allowed; the probe clamps it to ±1 000 000.
    pub level: i32,
    pub msg: AppText,
    pub hint: Option<AppText>,
    /// `str(obj)` when the message is about an object, e.g. a model.
    pub obj: Option<AppText>,
    /// `CheckMessage.is_silenced()`.
    pub silenced: bool,
}

/// A Python value with its type name, so `"0"` (str) and `0` (int) stay distinguishable.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PyValue {
    /// `type(value).__name__`: `bool`, `int`, `str`, `NoneType`, `list`, `tuple`, `dict`, ...
    #[serde(rename = "type")]
    pub py_type: String,
    /// The value as JSON when it has a JSON form (tuples become arrays), else null.
    pub value: Value,
    /// `repr(value)`, shortened, for messages.
    pub repr: String,
}

impl PyValue {
    /// Python's `value is True`.
    #[must_use]
    pub fn is_true(&self) -> bool {
        self.py_type == "bool" && self.value == Value::Bool(true)
    }

    /// `bool(value)` for the types settings use.
    #[must_use]
    pub fn truthy(&self) -> bool {
        match &self.value {
            Value::Null => self.py_type != "NoneType",
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
        }
    }

    /// The value when it is a Python `int` (not a bool, str or float).
    #[must_use]
    pub fn as_int(&self) -> Option<i64> {
        if self.py_type == "int" {
            self.value.as_i64()
        } else {
            None
        }
    }

    /// The value when it is a Python `str`.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        if self.py_type == "str" {
            self.value.as_str()
        } else {
            None
        }
    }

    /// The items when the value is a list or tuple of strings.
    #[must_use]
    pub fn as_str_list(&self) -> Option<Vec<&str>> {
        self.value
            .as_array()?
            .iter()
            .map(Value::as_str)
            .collect::<Option<Vec<_>>>()
    }

    #[must_use]
    pub fn is_none(&self) -> bool {
        self.py_type == "NoneType"
    }
}

/// `SECRET_KEY` reduced to the facts Django's W009 looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "one flag per condition of Django's W009, as the probe reports them"
)]
pub struct SecretKeyFacts {
    pub set: bool,
    /// At least 50 characters.
    pub long_enough: bool,
    /// At least 5 distinct characters.
    pub enough_unique_characters: bool,
    /// Starts with `django-insecure-`.
    pub insecure_prefix: bool,
    /// One of the probe's placeholders (`changeme`, `secret`, ...), for judging a silenced W009.
    #[serde(default)]
    pub placeholder: bool,
}

/// The WSGI/ASGI server's own scheme detection (gunicorn `forwarded_allow_ips`, uvicorn
/// `--forwarded-allow-ips`), which works even without `SECURE_PROXY_SSL_HEADER`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ProxyTrust {
    /// True when the server trusts forwarded headers from any peer (as Heroku's router needs).
    pub trusted: bool,
    /// `gunicorn`, `uvicorn`, ... as read from the Procfile's `web:` command, if known.
    pub server: Option<String>,
    /// Where the trust setting came from, e.g. `gunicorn.conf.py forwarded_allow_ips`.
    pub source: Option<String>,
    /// The configured value, e.g. `*` or `127.0.0.1,::1` (IP lists, never secrets).
    pub value: Option<String>,
}

/// What sends the app's Content Security Policy (`csp.py`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CspFacts {
    /// The installed django-csp's version; None when it is not installed.
    pub django_csp_version: Option<String>,
    /// The `MIDDLEWARE` entries that are (subclasses of) a CSP middleware.
    pub middleware: Vec<CspMiddleware>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CspMiddleware {
    pub path: String,
    pub kind: CspMiddlewareKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CspMiddlewareKind {
    /// `django.middleware.csp.ContentSecurityPolicyMiddleware` (Django 6.0+).
    Django,
    /// `csp.middleware.CSPMiddleware` (django-csp).
    DjangoCsp,
}

/// `SECURE_REDIRECT_EXEMPT`, each entry compiled with Python's `re` and `.search()`ed in the
/// sample paths (without their leading slash), exactly as `SecurityMiddleware` does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RedirectExempt {
    /// The paths every entry was tried on: the site root, login and admin login pages, and a
    /// path no app routes.
    pub sample_paths: Vec<String>,
    pub patterns: Vec<ExemptPattern>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ExemptPattern {
    /// The entry as written (shortened when very long).
    pub pattern: String,
    /// Why Python could not compile it (e.g. `re.error: ...`, `RecursionError: ...`).
    pub error: Option<String>,
    /// The sample paths it exempts from the HTTPS redirect.
    #[serde(default)]
    pub exempts: Vec<String>,
}

/// Requests made in-process through the app's WSGI application and middleware, with the view
/// answered by the probe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Simulation {
    /// False when the simulation could not run; `skipped_reason` says why.
    pub ran: bool,
    /// Why not, often quoting an exception of the app.
    pub skipped_reason: Option<AppText>,
    /// The Host header used.
    pub host: Option<String>,
    /// The path requested.
    pub path: Option<String>,
    /// `SECURE_REDIRECT_EXEMPT` exempts that path, so no redirect is expected.
    #[serde(default)]
    pub path_exempt: bool,
    /// The middleware layers were traced, so `answered_by` and `database_needed_by` are known.
    #[serde(default)]
    pub traced: bool,
    /// `X-Forwarded-Proto: http`: must redirect to https on the same host.
    pub http: Option<SimulatedResponse>,
    /// `X-Forwarded-Proto: https`: must not redirect to itself and must carry HSTS.
    pub https: Option<SimulatedResponse>,
    /// The same HTTPS request again, its view reading the CSP nonce as a template that renders
    /// it does; made only for apps with a CSP middleware.
    #[serde(default)]
    pub https_nonce: Option<SimulatedResponse>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SimulatedResponse {
    /// None when the request raised instead of answering.
    pub status: Option<u16>,
    pub location: Option<String>,
    /// Every `Strict-Transport-Security` header value.
    #[serde(default)]
    pub hsts: Vec<String>,
    /// Every `Set-Cookie` header value.
    #[serde(default)]
    pub set_cookies: Vec<String>,
    /// The exception, when the app raised one.
    pub error: Option<AppText>,
    /// The request passed every middleware and reached the (stand-in) view.
    #[serde(default)]
    pub reached_view: bool,
    /// The `MIDDLEWARE` entry (or the WSGI application) that answered without passing the
    /// request on; None when the view answered or the layers were not traced.
    pub answered_by: Option<String>,
    /// The `MIDDLEWARE` entry (or the WSGI application) that tried to reach the database (or
    /// a cache server), which the probe refused, ending the request there.
    pub database_needed_by: Option<String>,
    /// The Content Security Policy headers and the headers they are judged with.
    #[serde(default)]
    pub csp: CspHeaders,
    /// What the probe refused, ending the request: `the database`, `the cache server at
    /// 127.0.0.1:6379`; None when nothing was.
    #[serde(default)]
    pub refused: Option<String>,
}

/// A database or cache access the probe blocked (`isolation.py`), and the frame that made it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BlockedAccess {
    pub kind: BlockedKind,
    /// What was reached for, e.g. `the database 'default' (django.db.backends.postgresql)`;
    /// names and addresses from the app's configuration.
    pub target: AppText,
    /// The part of the run it happened in; None for the probe's own steps between them.
    pub phase: Option<Phase>,
    /// The innermost frame of the app's code that made it, relative to the app directory
    /// (`in_app`), or else the outermost third-party one (`allauth/account/apps.py`).
    pub file: Option<String>,
    pub line: Option<u32>,
    pub function: Option<String>,
    #[serde(default)]
    pub in_app: bool,
    /// How many times it happened from that frame.
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockedKind {
    /// A query through Django's database wrapper: refused as an unreachable database.
    Database,
    /// A cache alias whose backend is a server: answered from an empty in-process cache.
    Cache,
    /// A socket connect to a database or cache server of the app's configuration: refused.
    Connection,
}

/// Why the probe could not evaluate the app.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProbeError {
    pub kind: ProbeErrorKind,
    /// Exception class name, e.g. `ModuleNotFoundError`.
    pub exception: Option<String>,
    /// Exception text.
    pub message: AppText,
    /// The last traceback frames, innermost last.
    #[serde(default)]
    pub frames: Vec<TracebackFrame>,
    /// The settings module the probe tried.
    pub settings_module: Option<String>,
    pub django_version: Option<String>,
    /// What the probe was loading when it failed.
    #[serde(default)]
    pub phase: Option<Phase>,
    /// The exception this one was raised from ("Check the above exception"): app text.
    #[serde(default)]
    pub cause: Option<AppText>,
    /// What the app printed before it failed: app text.
    #[serde(default)]
    pub app_output: Option<AppText>,
    /// The secrets the probe learnt before it failed.
    #[serde(default)]
    pub secrets: Secrets,
    /// The config var a settings model could not parse, when that is why the import failed.
    #[serde(default)]
    pub config_var_error: Option<ConfigVarError>,
}

/// A config var a settings model could not parse: its name, the field, the field's type, what
/// the field expects and a made-up value of that type (never the config var's value).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ConfigVarError {
    pub name: String,
    pub field: String,
    pub field_type: String,
    /// e.g. `a JSON list`.
    pub expects: String,
    /// e.g. `["example.com"]`.
    pub example: String,
}

/// The step of loading the app that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Importing the settings module.
    Settings,
    /// `django.setup()`: importing the apps' models and the database backends.
    Apps,
    /// Running Django's system checks.
    Checks,
    /// Loading the WSGI application and simulating the router's requests.
    Simulation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeErrorKind {
    /// `import django` failed.
    DjangoMissing,
    /// No settings module could be determined.
    NoSettingsModule,
    /// The settings module could not be imported (`ImportError` and friends).
    SettingsImport,
    /// Django raised `ImproperlyConfigured`.
    ImproperlyConfigured,
    /// Any other exception while loading settings or `django.setup()`.
    SetupFailed,
    /// `run_checks` itself raised.
    ChecksFailed,
    /// A bug in the probe.
    Internal,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TracebackFrame {
    pub file: String,
    pub line: u32,
    pub function: String,
}
