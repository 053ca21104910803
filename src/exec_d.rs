//! The gate as an exec.d program of the `release` process type.
//!
//! The buildpack links `<layer>/exec.d/release/release-guard-exec-d` to the `release-guard`
//! binary. The CNB launcher runs it, with the app's environment and working directory and no
//! arguments, before whatever `release` process the image has (the guard's own, heroku/procfile's
//! `bash -c <line>`, heroku/release-phase's), so the gate no longer depends on buildpack order.
//! A non-zero exit stops the launch, and the launcher then exits with its own code (82): the
//! release log is where blocked and could-not-evaluate stay distinct.
//!
//! When the gate lets the release through, the program leaves a mark for the process about to
//! start (exec.d output on fd 3), so that `release-guard release` does not run the gate a second
//! time. The mark names the launcher's process: its pid (the launcher `exec`s the release
//! process, which keeps that pid), its start time and the kernel's boot id. A config var cannot
//! forge it: it would have to predict when the dyno's launcher starts.

use crate::config::Mode;
use crate::gate::{Environment, GateOptions, GateRun};
use crate::report::{self, Exit, Format};
use std::ffi::OsStr;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

/// The exec.d program's file name, which is how the binary knows it was started by the launcher.
pub const PROGRAM_NAME: &str = "release-guard-exec-d";
/// The process type whose exec.d directory holds the program.
pub const PROCESS_TYPE: &str = "release";
/// The mark, set for the release process through fd 3.
pub const CHECKED: &str = "RELEASE_GUARD_CHECKED";
/// exec.d programs write `NAME = "value"` TOML to this file descriptor (Buildpack API 0.5+).
const OUTPUT_FD: &str = "/dev/fd/3";
/// The launcher's exit code when an exec.d program fails (lifecycle `LaunchError`).
pub const LAUNCHER_EXIT_CODE: u8 = 82;
/// How far up the process tree the mark is looked for: heroku/release-phase's runner starts
/// `release-guard release` as a child of the process the launcher checked.
const MAX_ANCESTORS: usize = 16;

/// Whether the binary was started as the exec.d program: by that file name, with no arguments.
#[must_use]
pub fn started_as_exec_d(program: Option<&OsStr>, argument_count: usize) -> bool {
    argument_count == 0
        && program.and_then(|path| Path::new(path).file_name()) == Some(OsStr::new(PROGRAM_NAME))
}

/// Runs the gate for the release process the launcher is about to start.
#[must_use]
pub fn main() -> ExitCode {
    let GateRun {
        mut report,
        exit,
        redactor,
    } = crate::gate::run_here(&GateOptions::default(), &crate::verify::live::LiveClient);
    if let Some(note) = not_started_note(exit) {
        report.notes.push(note);
    }
    report::print(&report, Format::Text, &redactor);
    if exit == Exit::Pass
        && let Err(error) = leave_mark()
    {
        // The release still goes ahead; `release-guard release`, if it is the process, checks
        // again instead of trusting a mark it did not get.
        eprintln!("release-guard: could not pass the check on to the release process: {error}");
    }
    exit.into()
}

/// The launcher turns every failure into 82, so the log says which failure it was.
fn not_started_note(exit: Exit) -> Option<String> {
    let meaning = match exit {
        Exit::Pass => return None,
        Exit::Blocked => "blocked",
        Exit::CouldNotEvaluate => "could not evaluate",
    };
    Some(format!(
        "The release process was not started: the guard exited with {} ({meaning}), \
         which the launcher reports as exit status {LAUNCHER_EXIT_CODE}.",
        exit as u8
    ))
}

/// Writes the mark for the launcher's process as exec.d output.
fn leave_mark() -> io::Result<()> {
    let launcher = std::os::unix::process::parent_id();
    let mark = ProcessIdentity::of(launcher)?.to_string();
    let output = toml::to_string(&std::collections::BTreeMap::from([(CHECKED, mark)]))
        .map_err(io::Error::other)?;
    std::fs::OpenOptions::new()
        .write(true)
        .open(OUTPUT_FD)?
        .write_all(output.as_bytes())
}

/// Whether the launcher's exec.d program already ran the gate for this process, or for the
/// process that started it (heroku/release-phase's runner), and let it through.
#[must_use]
pub fn checked_by_launcher(environment: &Environment) -> bool {
    let Some(mark) = environment.get(CHECKED).and_then(OsStr::to_str) else {
        return false;
    };
    let mut pid = std::process::id();
    for _ in 0..MAX_ANCESTORS {
        let Ok(identity) = ProcessIdentity::of(pid) else {
            return false;
        };
        if identity.to_string() == mark {
            return true;
        }
        match identity.parent {
            0 => return false,
            parent => pid = parent,
        }
    }
    false
}

/// A process as the kernel knows it: its pid is reused over time, its start time (clock ticks
/// since boot) within one boot is not, and the boot id is random for every boot.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ProcessIdentity {
    pid: u32,
    start_time: u64,
    boot_id: String,
    parent: u32,
}

impl ProcessIdentity {
    fn of(pid: u32) -> io::Result<Self> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
        let boot_id = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")?;
        parse_stat(pid, &stat, boot_id.trim())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "unreadable /proc stat"))
    }
}

impl std::fmt::Display for ProcessIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.pid, self.start_time, self.boot_id)
    }
}

/// `/proc/<pid>/stat`: `pid (comm) state ppid ...`; the command name may hold spaces and
/// parentheses, so the fields are counted from the last `)`. ppid is field 4, starttime 22.
fn parse_stat(pid: u32, stat: &str, boot_id: &str) -> Option<ProcessIdentity> {
    let (_, after_name) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    Some(ProcessIdentity {
        pid,
        parent: fields.get(1)?.parse().ok()?,
        start_time: fields.get(19)?.parse().ok()?,
        boot_id: boot_id.to_string(),
    })
}

/// Whether the release log should announce the chained command: not in off mode, which
/// promises a single line.
#[must_use]
pub fn announces_command(options: &GateOptions, environment: &Environment, cwd: &Path) -> bool {
    crate::gate::resolve(options, environment, cwd)
        .map_or(true, |resolved| resolved.mode != Mode::Off)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn started_as_exec_d_only_by_name_and_without_arguments() {
        let exec_d = OsStr::new(
            "/layers/release-guard_django/release-guard/exec.d/release/release-guard-exec-d",
        );
        assert!(started_as_exec_d(Some(exec_d), 0));
        assert!(!started_as_exec_d(Some(exec_d), 1));
        assert!(!started_as_exec_d(Some(OsStr::new("release-guard")), 0));
        assert!(!started_as_exec_d(
            Some(OsStr::new("/usr/bin/release-guard")),
            0
        ));
        assert!(!started_as_exec_d(None, 0));
    }

    #[test]
    fn stat_fields_are_counted_from_the_last_parenthesis() {
        let stat = "4242 (odd) name (x)) S 17 4242 4242 0 -1 4194560 120 0 0 0 1 0 0 0 20 0 1 0 987654 5005312 300\n";
        assert_eq!(
            parse_stat(4242, stat, "a1b2"),
            Some(ProcessIdentity {
                pid: 4242,
                start_time: 987_654,
                boot_id: "a1b2".to_string(),
                parent: 17,
            })
        );
        assert_eq!(parse_stat(1, "1 (init S 0", "a1b2"), None);
        assert_eq!(
            parse_stat(4242, stat, "a1b2").unwrap().to_string(),
            "4242:987654:a1b2"
        );
    }

    #[test]
    fn this_process_and_its_parent_are_marks_a_config_var_cannot_guess() {
        let me = ProcessIdentity::of(std::process::id()).unwrap();
        let environment =
            |mark: &str| -> Environment { [(CHECKED.into(), mark.into())].into_iter().collect() };
        assert!(checked_by_launcher(&environment(&me.to_string())));
        let parent = ProcessIdentity::of(me.parent).unwrap();
        assert!(checked_by_launcher(&environment(&parent.to_string())));
        // Right pid, guessed start time; a plain value; no mark.
        let guessed = format!("{}:{}:{}", me.pid, me.start_time + 1, me.boot_id);
        assert!(!checked_by_launcher(&environment(&guessed)));
        assert!(!checked_by_launcher(&environment("1")));
        assert!(!checked_by_launcher(&Environment::default()));
    }

    #[test]
    fn the_log_says_which_failure_the_launcher_reports_as_82() {
        assert_eq!(not_started_note(Exit::Pass), None);
        assert_eq!(
            not_started_note(Exit::Blocked).as_deref(),
            Some(
                "The release process was not started: the guard exited with 1 (blocked), \
                 which the launcher reports as exit status 82."
            )
        );
        assert_eq!(
            not_started_note(Exit::CouldNotEvaluate).as_deref(),
            Some(
                "The release process was not started: the guard exited with 2 (could not \
                 evaluate), which the launcher reports as exit status 82."
            )
        );
    }
}
