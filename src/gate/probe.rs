//! The probe runner: starts the probe once in the app's Python, in its own process group, and
//! reads its answer from a private channel.
//!
//! The channel is a pipe handed over as file descriptor 3: no path, no environment variable, so
//! app code finds no name for it, and the probe keeps it from the processes the app starts
//! (bootstrap.py). Not stdout: settings modules print, and a print must never corrupt the answer.
//! The child's stdout and stderr share one pipe whose tail is kept for diagnostics when the probe
//! dies without answering. It is app text: the output boundary redacts it, then cuts it.
//!
//! The process started is the run's reaper (bootstrap.py): marked as the child subreaper here
//! before it runs, it holds every process the app starts, whatever its group or session, and ends
//! them all when the probe ends, when it is told to stop, or when the guard is gone.

use crate::config::ProxySslHeader;
use crate::gate::snapshot::ProbeAnswer;
use crate::redact::{AppText, OUTPUT_TAIL_BYTES};
use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt::{self, Write as _};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
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
/// [`PROBE_PACKAGE_DIR`] and loaded by bootstrap.py from there, by file location, under a random
/// name. A new module is one more line here.
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
    ("recording.py", include_str!("probe/recording.py")),
    ("rerun.py", include_str!("probe/rerun.py")),
    (
        "config_var_error.py",
        include_str!("probe/config_var_error.py"),
    ),
    ("secrets.py", include_str!("probe/secrets.py")),
    ("web.py", include_str!("probe/web.py")),
];
/// The script that loads the package and becomes the run's reaper.
pub const PROBE_BOOTSTRAP: &str = include_str!("probe/bootstrap.py");
/// The package's directory beside bootstrap.py. Not an import name: nothing imports it by name.
const PROBE_PACKAGE_DIR: &str = "probe";
/// The file descriptor the probe writes its answer to (`ANSWER_FD` in bootstrap.py).
const ANSWER_FD: libc::c_int = 3;
/// The largest answer read: far above any real one (the probe bounds the app text it carries).
const MAX_ANSWER_BYTES: u64 = 64 * 1024 * 1024;
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
/// How long the reaper gets to end the run's processes, once told to stop, before the guard
/// kills the process group itself.
const STOP_GRACE: Duration = Duration::from_secs(3);
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
    /// The probe is killed once this long has passed since `started`.
    pub timeout: Duration,
    /// When the run's clock started: the timeout counts from here, so that reading the app's
    /// files before the probe counts too.
    pub started: Instant,
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
            started: Instant::now(),
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
            .finish_non_exhaustive()
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
    let (bootstrap, digests) = write_probe(private_dir.path())?;

    let (output_reader, output_writer) = io::pipe().map_err(io_error("create a pipe"))?;
    let stderr_writer = output_writer
        .try_clone()
        .map_err(io_error("create a pipe"))?;
    let (answer_reader, answer_writer) = io::pipe().map_err(io_error("create a pipe"))?;
    let mut command = Command::new(&request.python);
    command
        .arg(&bootstrap)
        .args(digests)
        .current_dir(&request.app_dir)
        .stdin(Stdio::null())
        .stdout(output_writer)
        .stderr(stderr_writer)
        // Its own group, so a terminal's Ctrl-C reaches the probe only through us, and the
        // group is the last resort when the reaper cannot end the run.
        .process_group(0)
        .envs(request.env.iter().map(|(name, value)| (name, value)));
    if let Some(module) = &request.settings_module {
        command.env(crate::config::env::DJANGO_SETTINGS_MODULE, module);
    }
    become_reaper_with_answer_channel(&mut command, answer_writer.as_raw_fd());

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
    // Close our copies of the pipes' write ends, or the readers never see end-of-file.
    drop(command);
    drop(answer_writer);
    let mut child = child?;
    // On every path out of here (answer, timeout, signal, error) the group is killed too, a last
    // resort: the reaper has normally ended every process of the run by then.
    let group = ProcessGroup(child.id());
    let output = OutputTail::read_in_background(output_reader);
    let answer = read_answer_in_background(answer_reader);
    let (exit_sender, exit_receiver) = mpsc::channel();
    thread::spawn(move || exit_sender.send(child.wait()));
    let deadline = request.started.checked_add(request.timeout);
    let exit_status = wait_for_exit(group.0, &exit_receiver, &signals, deadline)
        .map_err(|stop| stop.into_failure(request.timeout))?;
    drop(signals);
    drop(group);

    // Only a probe that finished normally answers: what a probe that died wrote (or app code
    // that wrote to the channel and exited) is not an answer.
    let answer = if exit_status.success() {
        answer
            .recv_timeout(OUTPUT_DRAIN_WAIT)
            .unwrap_or_else(|_| Err(io::Error::other("the answer channel stayed open")))
            .map_err(io_error("read the probe's answer"))?
    } else {
        Vec::new()
    };
    if answer.is_empty() {
        return Err(ProbeFailure::NoAnswer {
            exit_status,
            output: output.finish(),
        });
    }
    if answer.len() as u64 > MAX_ANSWER_BYTES {
        return Err(ProbeFailure::InvalidAnswer(format!(
            "it is larger than {} MiB",
            MAX_ANSWER_BYTES / (1024 * 1024)
        )));
    }
    serde_json::from_slice(&answer).map_err(|error| ProbeFailure::InvalidAnswer(error.to_string()))
}

/// Makes the started process the run's child subreaper and hands it the answer channel as
/// [`ANSWER_FD`], between fork and exec.
#[expect(
    unsafe_code,
    reason = "std has no subreaper flag nor a way to place an inherited descriptor"
)]
fn become_reaper_with_answer_channel(command: &mut Command, answer_writer: RawFd) {
    let place_channel_and_become_reaper = move || {
        // SAFETY (all three calls): between fork and exec only async-signal-safe calls are
        // allowed; prctl, dup2 and fcntl are plain system calls on integers, touching no memory
        // of ours. The flag survives exec: every orphan of the app's processes is then
        // reparented to the probe's reaper, not to init.
        if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // The pipe was made close-on-exec; the copy at ANSWER_FD is not. If it already is
        // ANSWER_FD, dup2 would do nothing, so the flag is cleared instead.
        let placed = if answer_writer == ANSWER_FD {
            unsafe { libc::fcntl(ANSWER_FD, libc::F_SETFD, 0) }
        } else {
            unsafe { libc::dup2(answer_writer, ANSWER_FD) }
        };
        if placed == -1 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    };
    // SAFETY: the closure only makes async-signal-safe system calls (see above).
    unsafe {
        command.pre_exec(place_channel_and_become_reaper);
    }
}

/// Reads the whole answer (a bounded amount: one byte past the cap tells it was too large)
/// until every writer closed the channel.
fn read_answer_in_background(reader: io::PipeReader) -> mpsc::Receiver<io::Result<Vec<u8>>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut answer = Vec::new();
        let read = reader
            .take(MAX_ANSWER_BYTES + 1)
            .read_to_end(&mut answer)
            .map(|_| answer);
        let _ = sender.send(read);
    });
    receiver
}

/// Why the wait ended without the probe's own exit.
enum Stopped {
    TimedOut,
    Interrupted(libc::c_int),
    Failed(ProbeFailure),
}

impl Stopped {
    fn into_failure(self, timeout: Duration) -> ProbeFailure {
        match self {
            Self::TimedOut => ProbeFailure::TimedOut(timeout),
            Self::Interrupted(signal) => ProbeFailure::Interrupted { signal },
            Self::Failed(failure) => failure,
        }
    }
}

/// Waits for the reaper's exit, noticed the moment the waiting thread reports it. At the
/// deadline, or when a signal reached us, the reaper is told to end the run (a forwarded signal
/// reaches the whole group).
fn wait_for_exit(
    group: u32,
    exit_receiver: &mpsc::Receiver<io::Result<ExitStatus>>,
    signals: &SignalForwarding,
    deadline: Option<Instant>,
) -> Result<ExitStatus, Stopped> {
    loop {
        if let Some(signal) = signals.received() {
            let _ = signal_group(group, signal);
            stop_run(group, exit_receiver);
            return Err(Stopped::Interrupted(signal));
        }
        let mut wait = SIGNAL_POLL_INTERVAL;
        // No deadline (one that overflows `Instant`) means no timeout.
        if let Some(deadline) = deadline {
            let now = Instant::now();
            if now >= deadline {
                let _ = signal_process(group, libc::SIGTERM);
                stop_run(group, exit_receiver);
                return Err(Stopped::TimedOut);
            }
            wait = wait.min(deadline - now);
        }
        match exit_receiver.recv_timeout(wait) {
            Ok(status) => {
                return status
                    .map_err(|source| Stopped::Failed(io_error("wait for the probe")(source)));
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Stopped::Failed(ProbeFailure::Io {
                    action: "wait for the probe",
                    source: io::Error::other("the waiting thread ended"),
                }));
            }
        }
    }
}

/// Gives the reaper (told to stop) [`STOP_GRACE`] to end the run's processes and exit; then
/// kills the group.
fn stop_run(group: u32, exit_receiver: &mpsc::Receiver<io::Result<ExitStatus>>) {
    if exit_receiver.recv_timeout(STOP_GRACE).is_err() {
        let _ = signal_group(group, libc::SIGKILL);
        let _ = exit_receiver.recv();
    }
}

/// Writes the probe's package and bootstrap into `dir`; returns the bootstrap's path and the
/// `<file>:<sha256>` arguments by which bootstrap.py checks what it loaded.
fn write_probe(dir: &Path) -> Result<(PathBuf, Vec<String>), ProbeFailure> {
    let package_dir = dir.join(PROBE_PACKAGE_DIR);
    std::fs::create_dir(&package_dir).map_err(io_error("write the probe"))?;
    let mut digests = Vec::with_capacity(PROBE_PACKAGE.len());
    for (name, source) in PROBE_PACKAGE {
        std::fs::write(package_dir.join(name), source).map_err(io_error("write the probe"))?;
        digests.push(format!("{name}:{}", sha256_hex(source.as_bytes())));
    }
    let bootstrap = dir.join("bootstrap.py");
    std::fs::write(&bootstrap, PROBE_BOOTSTRAP).map_err(io_error("write the probe"))?;
    Ok((bootstrap, digests))
}

fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

fn io_error(action: &'static str) -> impl FnOnce(io::Error) -> ProbeFailure {
    move |source| ProbeFailure::Io { action, source }
}

/// Sends `signal` to every process in the probe's group.
fn signal_group(group: u32, signal: libc::c_int) -> io::Result<()> {
    send_signal(libc::killpg, group, signal)
}

/// Sends `signal` to the reaper alone (its group leader).
fn signal_process(pid: u32, signal: libc::c_int) -> io::Result<()> {
    send_signal(libc::kill, pid, signal)
}

#[expect(
    unsafe_code,
    reason = "std has no process-group kill, nor a kill with any signal but SIGKILL; kill and \
              killpg only send a signal and touch no memory"
)]
fn send_signal(
    send: unsafe extern "C" fn(libc::pid_t, libc::c_int) -> libc::c_int,
    target: u32,
    signal: libc::c_int,
) -> io::Result<()> {
    let target = libc::pid_t::try_from(target).map_err(io::Error::other)?;
    // SAFETY: kill and killpg take two integers and have no memory-safety preconditions. The
    // target is the reaper's pid (and group), which the kernel does not reuse before the reaper
    // is reaped and its group is empty.
    if unsafe { send(target, signal) } == 0 {
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
            r#"ProbeRequest { app_dir: "/app", python: "/usr/bin/python3", settings_module: None, timeout: 300s, env: ["SECRET_KEY"], .. }"#
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
