//! The probe runner: starts `probe.py` once in the app's Python, in its own process group, and
//! reads its answer from a private file.
//!
//! Why a file and not stdout: settings modules print, and a print must never corrupt the answer.
//! The child's stdout and stderr share one pipe whose tail is kept for diagnostics when the probe
//! dies without answering. It is app text: the output boundary redacts it, then cuts it.

use crate::config::ProxySslHeader;
use crate::gate::snapshot::ProbeAnswer;
use crate::redact::{AppText, OUTPUT_TAIL_BYTES};
use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

/// The probe's Python package (`src/gate/probe/`), written to the private directory as
/// `release_guard_probe/` and run with the app's interpreter. A new module is one more line here.
pub const PROBE_PACKAGE: &[(&str, &str)] = &[
    ("__init__.py", include_str!("probe/__init__.py")),
    ("main.py", include_str!("probe/main.py")),
    ("common.py", include_str!("probe/common.py")),
    ("app_output.py", include_str!("probe/app_output.py")),
    ("csp.py", include_str!("probe/csp.py")),
    ("exempt.py", include_str!("probe/exempt.py")),
    ("isolation.py", include_str!("probe/isolation.py")),
    ("simulation.py", include_str!("probe/simulation.py")),
    ("phases.py", include_str!("probe/phases.py")),
    ("provenance.py", include_str!("probe/provenance.py")),
    ("secrets.py", include_str!("probe/secrets.py")),
    ("watchdog.py", include_str!("probe/watchdog.py")),
    ("web.py", include_str!("probe/web.py")),
];
/// The script that starts the package: the app first on `sys.path`, the package last.
pub const PROBE_BOOTSTRAP: &str = include_str!("probe/bootstrap.py");
/// The package's name on the probe's `sys.path`.
const PROBE_PACKAGE_NAME: &str = "release_guard_probe";

/// Env var naming the file the probe writes its answer to.
pub const ANSWER_PATH_ENV: &str = "RELEASE_GUARD_PROBE_OUT";
/// Tells the probe which header the proxy sets on HTTPS requests, as `META_KEY:value`, so the
/// simulated HTTPS request carries it.
pub const PROXY_SSL_HEADER_ENV: &str = "RELEASE_GUARD_PROBE_PROXY_SSL_HEADER";

/// The probe's environment entry for the header the proxy sets on HTTPS requests.
#[must_use]
pub fn proxy_ssl_header_env(header: &ProxySslHeader) -> Vec<(OsString, OsString)> {
    let value = format!("{}:{}", header.meta_key(), header.value());
    vec![(PROXY_SSL_HEADER_ENV.into(), value.into())]
}

/// How much of the probe's output is kept: the window shown ([`OUTPUT_TAIL_BYTES`]) and, before
/// it, room for a whole secret (Heroku's config vars total at most 32 KiB), so that a secret cut
/// by the window is still whole when the output boundary redacts, before it cuts.
const KEPT_OUTPUT_BYTES: usize = OUTPUT_TAIL_BYTES + 64 * 1024;
/// How often the wait loop looks at forwarded signals; the child's exit itself is noticed at
/// once, so this adds nothing to a normal run.
const SIGNAL_POLL_INTERVAL: Duration = Duration::from_millis(50);
/// How long an interrupted probe gets to exit before its group is killed.
const INTERRUPT_GRACE: Duration = Duration::from_secs(3);
/// How long to wait for the output reader after the probe exited; a grandchild the app left
/// behind may hold the pipe open.
const OUTPUT_DRAIN_WAIT: Duration = Duration::from_millis(200);
/// Signals forwarded to the probe's process group: a dyno's shutdown, Ctrl-C, a closed terminal.
const FORWARDED_SIGNALS: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP];

/// What to probe and how.
#[derive(Clone)]
pub struct ProbeRequest {
    /// The app directory: the probe's working directory and first `sys.path` entry.
    pub app_dir: PathBuf,
    /// The Python interpreter, usually from [`find_python`].
    pub python: PathBuf,
    /// Sets `DJANGO_SETTINGS_MODULE` for the probe when known.
    pub settings_module: Option<String>,
    /// The probe is killed after this long.
    pub timeout: Duration,
    /// Environment variables added to or overriding the inherited environment.
    pub env: Vec<(OsString, OsString)>,
}

impl ProbeRequest {
    /// A request with no settings module, no extra environment and the default timeout.
    #[must_use]
    pub fn new(app_dir: impl Into<PathBuf>, python: impl Into<PathBuf>) -> Self {
        Self {
            app_dir: app_dir.into(),
            python: python.into(),
            settings_module: None,
            timeout: Duration::from_secs(crate::config::DEFAULT_TIMEOUT_SECS),
            env: Vec::new(),
        }
    }
}

/// Shows the names of the extra environment variables, never their values.
impl fmt::Debug for ProbeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let env_names: Vec<&OsStr> = self.env.iter().map(|(name, _)| name.as_os_str()).collect();
        f.debug_struct("ProbeRequest")
            .field("app_dir", &self.app_dir)
            .field("python", &self.python)
            .field("settings_module", &self.settings_module)
            .field("timeout", &self.timeout)
            .field("env", &env_names)
            .finish()
    }
}

/// Why the probe gave no answer. (A probe that answers with an error is a successful run:
/// see [`crate::gate::snapshot::ProbeError`].)
#[derive(Debug)]
pub enum ProbeFailure {
    /// No interpreter at the override path, nor `python`/`python3` on PATH.
    PythonNotFound { tried: Vec<String> },
    /// The interpreter exists but could not be started.
    Spawn { python: PathBuf, source: io::Error },
    /// The probe ran longer than the timeout; its process group was killed.
    TimedOut(Duration),
    /// The guard received this signal (SIGTERM/SIGINT/SIGHUP) and passed it on to the probe.
    Interrupted { signal: i32 },
    /// The probe exited without writing an answer, or exited abnormally (its answer file, if
    /// any, is then ignored).
    NoAnswer {
        exit_status: ExitStatus,
        /// The end of the probe's output (stderr, and stdout, which shares its pipe), raw: the
        /// output boundary redacts it, then shows its last lines.
        output: AppText,
    },
    /// The answer file was not a valid answer.
    InvalidAnswer(String),
    /// A local I/O failure (temp dir, pipe, answer file).
    Io {
        action: &'static str,
        source: io::Error,
    },
}

impl fmt::Display for ProbeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PythonNotFound { tried } => write!(
                f,
                "no Python interpreter found (looked for {}); set {} to the app's python",
                tried.join(", "),
                crate::config::env::PYTHON
            ),
            Self::Spawn { python, source } => {
                write!(f, "could not start {}: {source}", python.display())
            }
            Self::TimedOut(timeout) => write!(
                f,
                "the probe did not finish within {} s and was stopped; if the app is just slow \
                 to start, raise {}",
                timeout.as_secs_f64(),
                crate::config::env::TIMEOUT
            ),
            Self::Interrupted { signal } => {
                write!(f, "interrupted by {}", signal_name(*signal))
            }
            Self::NoAnswer {
                exit_status,
                output,
            } => {
                write!(f, "the probe exited ({exit_status}) without an answer")?;
                if !output.trim().is_empty() {
                    write!(f, "; its last output:\n{output}")?;
                }
                Ok(())
            }
            Self::InvalidAnswer(reason) => write!(f, "the probe's answer is unreadable: {reason}"),
            Self::Io { action, source } => write!(f, "could not {action}: {source}"),
        }
    }
}

impl std::error::Error for ProbeFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Spawn { source, .. } | Self::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGTERM => "SIGTERM".to_string(),
        libc::SIGINT => "SIGINT".to_string(),
        libc::SIGHUP => "SIGHUP".to_string(),
        other => format!("signal {other}"),
    }
}

/// The interpreter to run the probe with: `override_` (`RELEASE_GUARD_PYTHON`, a path or a
/// command name), else `python` on `path` (heroku/python's venv puts it first), else `python3`.
///
/// # Errors
///
/// [`ProbeFailure::PythonNotFound`] listing what was looked for.
pub fn find_python(
    override_: Option<&OsStr>,
    path: Option<&OsStr>,
) -> Result<PathBuf, ProbeFailure> {
    let candidates: Vec<&OsStr> = match override_.filter(|value| !value.is_empty()) {
        Some(value) => vec![value],
        None => vec![OsStr::new("python"), OsStr::new("python3")],
    };
    for candidate in &candidates {
        let found = if Path::new(candidate).components().count() > 1 {
            Some(PathBuf::from(candidate)).filter(|path| is_executable(path))
        } else {
            path.and_then(|path| {
                std::env::split_paths(path)
                    .map(|dir| dir.join(candidate))
                    .find(|path| is_executable(path))
            })
        };
        if let Some(found) = found {
            return Ok(found);
        }
    }
    Err(ProbeFailure::PythonNotFound {
        tried: candidates
            .iter()
            .map(|candidate| candidate.to_string_lossy().into_owned())
            .collect(),
    })
}

fn is_executable(path: &Path) -> bool {
    path.metadata()
        .is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// Runs the probe and returns its answer: a snapshot, or the probe's structured error when
/// Django could not be loaded.
///
/// # Errors
///
/// A [`ProbeFailure`] when the probe gave no usable answer: it could not start, timed out, was
/// interrupted, died, or wrote something unreadable.
pub fn run(request: &ProbeRequest) -> Result<ProbeAnswer, ProbeFailure> {
    let private_dir = private_dir()?;
    let probe_path = write_probe(private_dir.path())?;
    let answer_path = private_dir.path().join("answer.json");

    let (output_reader, output_writer) = io::pipe().map_err(io_error("create a pipe"))?;
    let stderr_writer = output_writer
        .try_clone()
        .map_err(io_error("create a pipe"))?;
    let mut command = Command::new(&request.python);
    command
        .arg(&probe_path)
        .current_dir(&request.app_dir)
        .stdin(Stdio::null())
        .stdout(output_writer)
        .stderr(stderr_writer)
        // Its own group, so a timeout kills everything the app started and a terminal's
        // Ctrl-C reaches the probe only through us.
        .process_group(0)
        .envs(request.env.iter().map(|(name, value)| (name, value)))
        .env(ANSWER_PATH_ENV, &answer_path);
    if let Some(module) = &request.settings_module {
        command.env(crate::config::env::DJANGO_SETTINGS_MODULE, module);
    }

    let signals = SignalForwarding::register()?;
    let child = command.spawn().map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => ProbeFailure::PythonNotFound {
            tried: vec![request.python.display().to_string()],
        },
        _ => ProbeFailure::Spawn {
            python: request.python.clone(),
            source,
        },
    });
    // Close our copies of the pipe's write end, or the reader never sees end-of-file.
    drop(command);
    let mut child = child?;
    // Whatever the app started in the background ends with the probe, on every path out of
    // here (answer, timeout, signal, error). If the guard itself is killed, the probe's
    // watchdog (watchdog.py) ends the group.
    let group = ProcessGroup(child.id());
    let output = OutputTail::read_in_background(output_reader);
    let (exit_sender, exit_receiver) = mpsc::channel();
    thread::spawn(move || exit_sender.send(child.wait()));
    let exit_status = wait_for_exit(group.0, &exit_receiver, &signals, request.timeout)?;
    drop(signals);
    drop(group);

    // Only a probe that finished normally answers: a file left by a probe that died (or by app
    // code that wrote it and exited) is not an answer.
    let answer = if exit_status.success() {
        std::fs::read(&answer_path)
    } else {
        Err(io::ErrorKind::NotFound.into())
    };
    match answer {
        Ok(answer) => serde_json::from_slice(&answer)
            .map_err(|error| ProbeFailure::InvalidAnswer(error.to_string())),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Err(ProbeFailure::NoAnswer {
            exit_status,
            output: output.finish(),
        }),
        Err(error) => Err(io_error("read the probe's answer")(error)),
    }
}

/// Waits for the probe's exit, noticed the moment the waiting thread reports it. On timeout the
/// group is killed; a SIGTERM/SIGINT to us is passed on to the group.
fn wait_for_exit(
    group: u32,
    exit_receiver: &mpsc::Receiver<io::Result<ExitStatus>>,
    signals: &SignalForwarding,
    timeout: Duration,
) -> Result<ExitStatus, ProbeFailure> {
    // An absurdly long timeout (one that overflows `Instant`) means no timeout.
    let deadline = Instant::now().checked_add(timeout);
    loop {
        if let Some(signal) = signals.received() {
            let _ = signal_group(group, signal);
            if exit_receiver.recv_timeout(INTERRUPT_GRACE).is_err() {
                let _ = signal_group(group, libc::SIGKILL);
            }
            return Err(ProbeFailure::Interrupted { signal });
        }
        let mut wait = SIGNAL_POLL_INTERVAL;
        if let Some(deadline) = deadline {
            let now = Instant::now();
            if now >= deadline {
                let _ = signal_group(group, libc::SIGKILL);
                let _ = exit_receiver.recv();
                return Err(ProbeFailure::TimedOut(timeout));
            }
            wait = wait.min(deadline - now);
        }
        match exit_receiver.recv_timeout(wait) {
            Ok(status) => return status.map_err(io_error("wait for the probe")),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(ProbeFailure::Io {
                    action: "wait for the probe",
                    source: io::Error::other("the waiting thread ended"),
                });
            }
        }
    }
}

/// Writes the probe's package and bootstrap into `dir`; returns the bootstrap's path.
fn write_probe(dir: &Path) -> Result<PathBuf, ProbeFailure> {
    let package_dir = dir.join(PROBE_PACKAGE_NAME);
    std::fs::create_dir(&package_dir).map_err(io_error("write the probe"))?;
    for (name, source) in PROBE_PACKAGE {
        std::fs::write(package_dir.join(name), source).map_err(io_error("write the probe"))?;
    }
    let bootstrap = dir.join("bootstrap.py");
    std::fs::write(&bootstrap, PROBE_BOOTSTRAP).map_err(io_error("write the probe"))?;
    Ok(bootstrap)
}

fn io_error(action: &'static str) -> impl FnOnce(io::Error) -> ProbeFailure {
    move |source| ProbeFailure::Io { action, source }
}

/// Sends `signal` to every process in the probe's group.
#[expect(
    unsafe_code,
    reason = "std has no process-group kill; killpg only sends a signal and touches no memory"
)]
fn signal_group(group: u32, signal: libc::c_int) -> io::Result<()> {
    let group = libc::pid_t::try_from(group).map_err(io::Error::other)?;
    // SAFETY: killpg takes two integers and has no memory-safety preconditions. The group id is
    // the probe's pid, which the kernel does not reuse while the group has members.
    if unsafe { libc::killpg(group, signal) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The probe's process group, killed when dropped.
struct ProcessGroup(u32);

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        let _ = signal_group(self.0, libc::SIGKILL);
    }
}

/// A new directory only we can read (0700), removed with everything in it when dropped: it
/// holds the probe and its answer, which may carry secrets.
fn private_dir() -> Result<tempfile::TempDir, ProbeFailure> {
    tempfile::Builder::new()
        .prefix("release-guard-probe-")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()
        .map_err(io_error("create a private temporary directory"))
}

/// Records SIGTERM/SIGINT while a probe runs, so they can be passed on to its group.
///
/// The handlers are installed once per process and stay: signal-hook cannot give a signal its
/// default action back. So while no probe runs they emulate the default action (terminate),
/// and the guard behaves as if it had never touched the signals.
struct SignalForwarding {
    state: &'static SignalState,
}

struct SignalState {
    /// 0 while no signal arrived, else 1 + the index in [`FORWARDED_SIGNALS`].
    received: Arc<AtomicUsize>,
    /// True while no probe runs: a signal then takes its default action.
    idle: Arc<AtomicBool>,
    /// How many probes run (tests run several at once).
    running: Mutex<usize>,
}

impl SignalForwarding {
    fn register() -> Result<Self, ProbeFailure> {
        static STATE: OnceLock<Result<SignalState, String>> = OnceLock::new();
        let state = STATE
            .get_or_init(|| {
                let state = SignalState {
                    received: Arc::new(AtomicUsize::new(0)),
                    idle: Arc::new(AtomicBool::new(true)),
                    running: Mutex::new(0),
                };
                for (index, signal) in FORWARDED_SIGNALS.into_iter().enumerate() {
                    signal_hook::flag::register_usize(
                        signal,
                        Arc::clone(&state.received),
                        index + 1,
                    )
                    .and_then(|_| {
                        signal_hook::flag::register_conditional_default(
                            signal,
                            Arc::clone(&state.idle),
                        )
                    })
                    .map_err(|error| error.to_string())?;
                }
                Ok(state)
            })
            .as_ref()
            .map_err(|error| ProbeFailure::Io {
                action: "watch for signals",
                source: io::Error::other(error.clone()),
            })?;
        let mut running = state.running.lock().unwrap_or_else(PoisonError::into_inner);
        *running += 1;
        state.idle.store(false, Ordering::SeqCst);
        Ok(Self { state })
    }

    fn received(&self) -> Option<libc::c_int> {
        let marker = self.state.received.load(Ordering::SeqCst);
        marker
            .checked_sub(1)
            .and_then(|index| FORWARDED_SIGNALS.get(index).copied())
    }
}

impl Drop for SignalForwarding {
    fn drop(&mut self) {
        let mut running = self
            .state
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *running -= 1;
        if *running == 0 {
            self.state.idle.store(true, Ordering::SeqCst);
        }
    }
}

/// The last [`KEPT_OUTPUT_BYTES`] of the probe's output, read by a background thread.
struct OutputTail {
    tail: Arc<Mutex<VecDeque<u8>>>,
    /// Whether output was dropped from the front.
    cut: Arc<AtomicBool>,
    done: mpsc::Receiver<()>,
}

impl OutputTail {
    fn read_in_background(mut reader: io::PipeReader) -> Self {
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(OUTPUT_TAIL_BYTES)));
        let cut = Arc::new(AtomicBool::new(false));
        let writer_cut = Arc::clone(&cut);
        let (done_sender, done) = mpsc::channel();
        let writer_tail = Arc::clone(&tail);
        thread::spawn(move || {
            let mut buffer = [0_u8; 8192];
            while let Ok(read @ 1..) = reader.read(&mut buffer) {
                let mut tail = writer_tail.lock().unwrap_or_else(PoisonError::into_inner);
                tail.extend(&buffer[..read]);
                let excess = tail.len().saturating_sub(KEPT_OUTPUT_BYTES);
                if excess > 0 {
                    tail.drain(..excess);
                    writer_cut.store(true, Ordering::SeqCst);
                }
            }
            let _ = done_sender.send(());
        });
        Self { tail, cut, done }
    }

    /// The kept output as app text, uncut: the output boundary redacts it before it cuts.
    fn finish(self) -> AppText {
        let _ = self.done.recv_timeout(OUTPUT_DRAIN_WAIT);
        let tail = self.tail.lock().unwrap_or_else(PoisonError::into_inner);
        let bytes: Vec<u8> = tail.iter().copied().collect();
        AppText::output_tail(
            String::from_utf8_lossy(&bytes),
            self.cut.load(Ordering::SeqCst),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_of_a_request_hides_environment_values() {
        let mut request = ProbeRequest::new("/app", "/usr/bin/python3");
        request.env = vec![("SECRET_KEY".into(), "hunter2-hunter2".into())];
        assert_eq!(
            format!("{request:?}"),
            r#"ProbeRequest { app_dir: "/app", python: "/usr/bin/python3", settings_module: None, timeout: 300s, env: ["SECRET_KEY"] }"#
        );
    }

    #[test]
    fn private_dir_is_owner_only_and_removed() {
        let dir = private_dir().unwrap();
        let path = dir.path().to_path_buf();
        std::fs::write(path.join("answer.json"), "{}").unwrap();
        assert_eq!(path.metadata().unwrap().permissions().mode() & 0o777, 0o700);
        assert_ne!(private_dir().unwrap().path(), path);
        drop(dir);
        assert!(!path.exists());
    }

    #[test]
    fn finds_python_on_path_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (first, second) = (dir.path().join("first"), dir.path().join("second"));
        for bin in [&first, &second] {
            std::fs::create_dir_all(bin).unwrap();
        }
        let write_executable = |path: &Path| {
            std::fs::write(path, "#!/bin/sh\n").unwrap();
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        write_executable(&second.join("python"));
        write_executable(&first.join("python3"));
        std::fs::write(first.join("python"), "not executable").unwrap();
        let path = std::env::join_paths([&first, &second]).unwrap();

        assert_eq!(
            find_python(None, Some(&path)).unwrap(),
            second.join("python")
        );
        assert_eq!(
            find_python(Some(OsStr::new("python3")), Some(&path)).unwrap(),
            first.join("python3")
        );
        assert_eq!(
            find_python(Some(OsStr::new("")), Some(&path)).unwrap(),
            second.join("python")
        );
        let missing = find_python(None, Some(OsStr::new("/nonexistent"))).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "no Python interpreter found (looked for python, python3); set RELEASE_GUARD_PYTHON to the app's python"
        );
    }
}
