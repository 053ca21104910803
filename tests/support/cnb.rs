//! The hand-driven CNB lifecycle: package, detect, build, launch.
//!
//! A small, faithful stand-in for `pack` + the CNB lifecycle (Buildpack API 0.10) on machines
//! without Docker: the buildpack is packaged by libcnb-package exactly as `cargo libcnb package`
//! does, `bin/detect` and `bin/build` get the lifecycle's environment and positional arguments
//! with the app as working directory, the group's build plan is resolved as the detector does,
//! and processes are launched the way the launcher does (layer `bin/` on PATH, env files with
//! their suffix rules, exec.d programs, then launch.toml command + args).
//!
//! Other buildpacks of the group are stand-ins written here (see [`StandIn`]): heroku/python's
//! venv layer, heroku/procfile and heroku/release-phase.
//!
//! Shared with `examples/` through `#[path]`, so it refers to nothing else in the test crate.

use libcnb_package::CargoProfile;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The buildpack's id with `/` replaced, as libcnb-cargo names its directory, and as the
/// lifecycle names the buildpack's layers directory.
pub(crate) const BUILDPACK_DIR_NAME: &str = "release-guard_django";
/// The layers directory name of the simulated heroku/python buildpack.
pub(crate) const PYTHON_BUILDPACK_DIR_NAME: &str = "heroku_python";
/// The lifecycle launcher's exit code when it cannot launch, e.g. when an exec.d program fails.
pub(crate) const LAUNCHER_EXIT_CODE: i32 = 82;
/// The environment of the run image (heroku/heroku:24) before any layer is applied.
const IMAGE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Cargo's scratch directory for tests (`target/tmp`); examples do not get the variable.
pub(crate) fn scratch_dir() -> PathBuf {
    option_env!("CARGO_TARGET_TMPDIR")
        .map_or_else(|| manifest_dir().join("target/tmp"), PathBuf::from)
}

/// A directory removed (with its contents) when dropped.
#[derive(Debug)]
pub(crate) struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub(crate) fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let path = scratch_dir().join(format!(
            "{label}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir_all(&path).expect("the scratch directory is writable");
        Self { path }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // Best effort: a leftover directory in target/tmp is harmless.
        let _ = fs::remove_dir_all(&self.path);
    }
}

/// The host's glibc triple (e.g. `x86_64-unknown-linux-gnu`): runs here without musl tools.
pub(crate) fn host_gnu_triple() -> String {
    format!("{}-unknown-linux-gnu", std::env::consts::ARCH)
}

/// Packages the buildpack (bin/build, bin/detect, buildpack.toml, package.toml and
/// `.libcnb-cargo/additional-bin/release-guard`) into `destination`, which is emptied first.
pub(crate) fn package_buildpack(profile: CargoProfile, destination: &Path) {
    if destination.exists() {
        fs::remove_dir_all(destination).expect("the old package can be removed");
    }
    fs::create_dir_all(destination).expect("the package directory can be created");
    libcnb_package::package::package_buildpack(
        manifest_dir(),
        profile,
        &host_gnu_triple(),
        &[],
        destination,
        &BTreeMap::new(),
    )
    .unwrap_or_else(|error| panic!("packaging the buildpack failed: {error}"));
}

/// The buildpack packaged once per test run (dev profile).
pub(crate) fn packaged_buildpack() -> &'static Path {
    static PACKAGED: OnceLock<PathBuf> = OnceLock::new();
    PACKAGED.get_or_init(|| {
        let destination = scratch_dir().join("packaged").join(BUILDPACK_DIR_NAME);
        package_buildpack(CargoProfile::Dev, &destination);
        destination
    })
}

/// What a phase or process printed, and how it exited.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    fn from_output(output: &Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// stdout followed by stderr, for assertion messages.
    pub(crate) fn transcript(&self) -> String {
        format!(
            "exit code: {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// One app going through detect, build (and rebuilds) and launch, in its own directory tree:
/// `workspace/` (a copy of the fixture), `platform/env/`, `layers/<buildpack>/`.
pub(crate) struct Lifecycle {
    buildpack_dir: PathBuf,
    root: TempDir,
    /// Buildpacks of the group that have layers, in execution order.
    group: Vec<&'static str>,
}

impl Lifecycle {
    /// Copies the fixture into a fresh workspace, to build with `buildpack_dir`.
    pub(crate) fn new(buildpack_dir: &Path, fixture: &Path) -> Self {
        let root = TempDir::new("cnb");
        copy_dir(fixture, &root.path().join("workspace"))
            .unwrap_or_else(|error| panic!("copying fixture {}: {error}", fixture.display()));
        for dir in ["platform/env", "layers"] {
            fs::create_dir_all(root.path().join(dir)).expect("the temp dir is writable");
        }
        Self {
            buildpack_dir: buildpack_dir.to_path_buf(),
            root,
            group: vec![BUILDPACK_DIR_NAME],
        }
    }

    pub(crate) fn app_dir(&self) -> PathBuf {
        self.root.path().join("workspace")
    }

    fn platform_dir(&self) -> PathBuf {
        self.root.path().join("platform")
    }

    /// The lifecycle's layers directory, one directory per buildpack.
    pub(crate) fn layers_root(&self) -> PathBuf {
        self.root.path().join("layers")
    }

    /// This buildpack's layers directory (`CNB_LAYERS_DIR`).
    pub(crate) fn layers_dir(&self) -> PathBuf {
        self.layers_root().join(BUILDPACK_DIR_NAME)
    }

    /// Writes (or replaces) a file in the app, e.g. a project.toml for one test.
    pub(crate) fn write_app_file(&self, name: &str, contents: &str) {
        fs::write(self.app_dir().join(name), contents).expect("the workspace is writable");
    }

    /// A user env var for detect and build: `<platform>/env/<NAME>`.
    pub(crate) fn set_platform_env(&self, name: &str, value: &str) {
        fs::write(self.platform_dir().join("env").join(name), value)
            .expect("the platform dir is writable");
    }

    /// Simulates heroku/python having run earlier in the group: its `venv` layer (build and
    /// launch) is the given virtualenv, so `python` with Django is on PATH for this buildpack's
    /// build and for launched processes, as it is on Heroku.
    pub(crate) fn add_python_venv_layer(&mut self, venv_dir: &Path) {
        let python_layers = self.layers_root().join(PYTHON_BUILDPACK_DIR_NAME);
        fs::create_dir_all(&python_layers).expect("the layers dir is writable");
        // A symlinked layer keeps the venv's pyvenv.cfg next to its bin/, so Python finds it.
        std::os::unix::fs::symlink(venv_dir, python_layers.join("venv"))
            .expect("the venv layer can be linked");
        fs::write(
            python_layers.join("venv.toml"),
            "[types]\nbuild = true\nlaunch = true\ncache = false\n",
        )
        .expect("the layers dir is writable");
        self.group.insert(0, PYTHON_BUILDPACK_DIR_NAME);
    }

    /// Writes the launch.toml of another buildpack in the group, e.g. the processes
    /// heroku/procfile would declare.
    pub(crate) fn write_launch_toml(&self, buildpack_dir_name: &str, contents: &str) {
        let layers_dir = self.layers_root().join(buildpack_dir_name);
        fs::create_dir_all(&layers_dir).expect("the layers dir is writable");
        fs::write(layers_dir.join("launch.toml"), contents).expect("the layers dir is writable");
    }

    /// Puts a stand-in buildpack into the group, right before or right after this buildpack.
    pub(crate) fn add_stand_in(&mut self, stand_in: StandIn, order: Order) {
        let guard = self
            .group
            .iter()
            .position(|name| *name == BUILDPACK_DIR_NAME)
            .expect("the group holds this buildpack");
        let position = match order {
            Order::BeforeGuard => guard,
            Order::AfterGuard => guard + 1,
        };
        self.group.insert(position, stand_in.dir_name());
    }

    fn cnb_env(&self) -> Vec<(String, PathBuf)> {
        vec![
            ("CNB_BUILDPACK_DIR".to_string(), self.buildpack_dir.clone()),
            ("CNB_PLATFORM_DIR".to_string(), self.platform_dir()),
            ("CNB_TARGET_OS".to_string(), PathBuf::from("linux")),
            ("CNB_TARGET_ARCH".to_string(), PathBuf::from(target_arch())),
            (
                "CNB_TARGET_DISTRO_NAME".to_string(),
                PathBuf::from("ubuntu"),
            ),
            (
                "CNB_TARGET_DISTRO_VERSION".to_string(),
                PathBuf::from("24.04"),
            ),
        ]
    }

    /// The process env the lifecycle gives a phase: the image env, the user's platform env
    /// (Buildpack API 0.10 without clear-env), then earlier buildpacks' build layers.
    fn phase_env(&self) -> BTreeMap<String, String> {
        let mut env = image_env();
        env.extend(read_platform_env(&self.platform_dir()));
        for buildpack in self
            .group
            .iter()
            .take_while(|name| **name != BUILDPACK_DIR_NAME)
        {
            apply_layers(
                &mut env,
                &self.layers_root().join(buildpack),
                &LayerUse::Build,
            )
            .expect("earlier buildpacks' layers are readable");
        }
        env
    }

    /// Runs `bin/<phase>` as the lifecycle does: its positional `args`, the phase env, the
    /// `CNB_*` variables every phase gets plus the phase's own, in the app directory.
    fn run_phase(&self, phase: &str, args: &[&Path], phase_vars: &[(&str, &Path)]) -> Run {
        let output = Command::new(self.buildpack_dir.join("bin").join(phase))
            .args(args)
            .env_clear()
            .envs(self.phase_env())
            .envs(self.cnb_env())
            .envs(phase_vars.iter().copied())
            .current_dir(self.app_dir())
            .output()
            .unwrap_or_else(|error| panic!("bin/{phase} cannot be started: {error}"));
        Run::from_output(&output)
    }

    /// The build plan this buildpack's last detect wrote.
    pub(crate) fn detected_plan(&self) -> String {
        fs::read_to_string(self.root.path().join("plan.toml")).expect("detect wrote plan.toml")
    }

    /// Runs `bin/detect <platform> <plan>`.
    pub(crate) fn detect(&self) -> Run {
        let plan = self.root.path().join("plan.toml");
        self.run_phase(
            "detect",
            &[&self.platform_dir(), &plan],
            &[("CNB_BUILD_PLAN_PATH", &plan)],
        )
    }

    /// Builds the group in order and returns this buildpack's `bin/build <layers> <platform>
    /// <plan>` run. Its buildpack plan holds the entries it provides, resolved from the plan its
    /// last [`Self::detect`] wrote (none without one) and the stand-ins' plans. Call it again for
    /// a rebuild: like the lifecycle's restorer, it keeps cached layers, keeps only the metadata
    /// of launch-only layers and drops launch.toml first.
    pub(crate) fn build(&self) -> Run {
        let mut plans = self.resolve_build_plan();
        let mut guard_build = None;
        for buildpack in &self.group {
            let layers_dir = self.layers_root().join(buildpack);
            let entries = plans.remove(*buildpack).unwrap_or_default();
            if let Some(stand_in) = StandIn::from_dir_name(buildpack) {
                stand_in.build(&self.app_dir(), &layers_dir, &entries);
            } else if *buildpack == BUILDPACK_DIR_NAME {
                let build = self.run_build(&layers_dir, &entries);
                if build.code != Some(0) {
                    return build;
                }
                guard_build = Some(build);
            }
        }
        guard_build.expect("the group holds this buildpack")
    }

    fn run_build(&self, layers_dir: &Path, entries: &[toml::Table]) -> Run {
        fs::create_dir_all(layers_dir).expect("the layers dir is writable");
        restore_layers(layers_dir).expect("the layers dir is readable");
        let plan = self.root.path().join("buildpack-plan.toml");
        let plan_toml = toml::to_string(&toml::Table::from_iter([(
            "entries".to_string(),
            toml::Value::Array(entries.iter().cloned().map(toml::Value::Table).collect()),
        )]))
        .expect("the plan is TOML");
        fs::write(&plan, plan_toml).expect("the temp dir is writable");
        self.run_phase(
            "build",
            &[layers_dir, &self.platform_dir(), &plan],
            &[("CNB_LAYERS_DIR", layers_dir), ("CNB_BP_PLAN_PATH", &plan)],
        )
    }

    /// The detect outputs of the group: this buildpack's plan.toml, the stand-ins' plans;
    /// heroku/python's layers are pre-made and take no part.
    fn detected_plans(&self) -> Vec<(&'static str, Vec<PlanSections>)> {
        let mut detected = Vec::new();
        for buildpack in &self.group {
            if *buildpack == BUILDPACK_DIR_NAME {
                let source =
                    fs::read_to_string(self.root.path().join("plan.toml")).unwrap_or_default();
                let plan: toml::Table = toml::from_str(&source).expect("plan.toml is TOML");
                detected.push((*buildpack, plan_options(&plan)));
            } else if let Some(stand_in) = StandIn::from_dir_name(buildpack)
                && let Some(options) = stand_in.detect(&self.app_dir())
            {
                detected.push((*buildpack, options));
            }
        }
        detected
    }

    /// The entries each buildpack's build gets, as the detector resolves them.
    fn resolve_build_plan(&self) -> BTreeMap<&'static str, Vec<toml::Table>> {
        let detected = self.detected_plans();
        let options: Vec<&[PlanSections]> = detected
            .iter()
            .map(|(_, options)| options.as_slice())
            .collect();
        let trial = first_valid_trial(&options, &mut Vec::new())
            .expect("the group's build plans can be resolved");
        let sections: Vec<&PlanSections> = trial
            .iter()
            .zip(&options)
            .map(|(choice, options)| &options[*choice])
            .collect();
        detected
            .iter()
            .enumerate()
            .map(|(position, (buildpack, _))| (*buildpack, plan_entries(&sections, position)))
            .collect()
    }

    /// The process definitions of this buildpack's launch.toml.
    pub(crate) fn launch_toml(&self) -> toml::Table {
        let source = fs::read_to_string(self.layers_dir().join("launch.toml"))
            .expect("the build wrote launch.toml");
        toml::from_str(&source).expect("launch.toml is valid TOML")
    }

    /// Starts a process type as the launcher does, with `config_vars` as the dyno's runtime
    /// config: the last buildpack defining the type wins; every launch layer's `bin/` is put on
    /// PATH and its `env/`, `env.launch/` and `env.launch/<type>/` files applied; then every
    /// launch layer's `exec.d/` and `exec.d/<type>/` programs run (see [`LAUNCHER`]); then
    /// `command` + `args` replace the launcher in `working-dir` (default: the app).
    pub(crate) fn launch(&self, process_type: &str, config_vars: &[(&str, &str)]) -> Run {
        let mut env = image_env();
        env.extend(
            config_vars
                .iter()
                .map(|(name, value)| ((*name).to_string(), (*value).to_string())),
        );
        let mut process = None;
        let mut exec_d = Vec::new();
        for buildpack in &self.group {
            let layers_dir = self.layers_root().join(buildpack);
            apply_layers(
                &mut env,
                &layers_dir,
                &LayerUse::Launch(process_type.to_string()),
            )
            .expect("launch layers are readable");
            exec_d.extend(exec_d_programs(&layers_dir, process_type).expect("exec.d is readable"));
            if let Some(found) = find_process(&layers_dir, process_type) {
                process = Some(found);
            }
        }
        let process =
            process.unwrap_or_else(|| panic!("no buildpack defines a {process_type} process"));
        let working_dir = process
            .working_dir
            .map_or_else(|| self.app_dir(), |dir| self.app_dir().join(dir));
        let argv = [process.command, process.args].concat();
        let spec = serde_json::json!({
            "app_dir": self.app_dir(),
            "env": env,
            "exec_d": exec_d,
            "argv": argv,
            "working_dir": working_dir,
        });
        let output = Command::new(launcher_python())
            .args(["-I", "-c", LAUNCHER, &spec.to_string()])
            .env_clear()
            .current_dir(self.app_dir())
            .output()
            .expect("the launcher can be started");
        Run::from_output(&output)
    }
}

/// The launcher's last step, after the environment is set up: exec.d, then exec. It runs in a
/// process of its own because the process it launches must replace it (same pid, as exec.d
/// programs expect of their parent), and Python's tomllib reads exec.d output as the launcher
/// does. Messages and exit code are the lifecycle's (`launch/exec_d.go`, `cmd/exit.go`).
const LAUNCHER: &str = r#"
import json, os, shutil, signal, subprocess, sys, tomllib

spec = json.loads(sys.argv[1])
env = spec["env"]

def fail(message):
    print(f"ERROR: failed to launch: {message}", flush=True)
    sys.exit(82)

def fd3_pipe():
    """A pipe whose write end is fd 3, inheritable; returns the read end."""
    read_end, write_end = os.pipe()
    if write_end != 3:
        if read_end == 3:
            read_end, old = os.dup(read_end), read_end
            os.close(old)
        os.dup2(write_end, 3)
        os.close(write_end)
    return read_end

os.chdir(spec["app_dir"])
for program in spec["exec_d"]:
    read_end = fd3_pipe()
    child = subprocess.Popen([program], env=env, stdin=subprocess.DEVNULL, pass_fds=(3,))
    os.close(3)
    with os.fdopen(read_end, "rb") as output:
        written = output.read()
    status = child.wait()
    where = f"exec.d file at path '{program}'"
    if status > 0:
        fail(f"exec.d: failed to execute {where}: exit status {status}")
    if status < 0:
        fail(f"exec.d: failed to execute {where}: signal: {signal.strsignal(-status).lower()}")
    try:
        values = tomllib.loads(written.decode())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        fail(f"exec.d: failed to decode output from {where}: {error}")
    if not all(isinstance(value, str) for value in values.values()):
        fail(f"exec.d: failed to decode output from {where}: values must be strings")
    env.update(values)

argv = spec["argv"]
binary = shutil.which(argv[0], path=env.get("PATH", ""))
if binary is None:
    fail(f'path lookup: exec: "{argv[0]}": executable file not found in $PATH')
os.chdir(spec["working_dir"])
os.execve(binary, argv, env)
"#;

/// An interpreter with tomllib (Python >= 3.11) for [`LAUNCHER`], resolved once from `python3`
/// on the harness's PATH so that no version manager's shim stands between.
fn launcher_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let output = Command::new("python3")
            .args(["-c", "import sys, tomllib; print(sys.executable)"])
            .output()
            .expect("python3 (3.11 or newer) is on PATH for the launcher");
        assert!(
            output.status.success(),
            "the launcher needs Python 3.11 or newer as python3: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        PathBuf::from(String::from_utf8_lossy(&output.stdout).trim())
    })
}

/// The exec.d programs of one buildpack's launch layers, in the launcher's order: layer by
/// layer (alphabetically), `exec.d/` then `exec.d/<type>/`, files by name.
fn exec_d_programs(layers_dir: &Path, process_type: &str) -> io::Result<Vec<PathBuf>> {
    let mut programs = Vec::new();
    for (layer_dir, types) in layers(layers_dir)? {
        if !flag(&types, "launch") {
            continue;
        }
        for dir in [
            layer_dir.join("exec.d"),
            layer_dir.join("exec.d").join(process_type),
        ] {
            let Ok(entries) = fs::read_dir(&dir) else {
                continue;
            };
            let mut files = BTreeSet::new();
            for entry in entries {
                let entry = entry?;
                if !entry.file_type()?.is_dir() {
                    files.insert(entry.path());
                }
            }
            programs.extend(files);
        }
    }
    Ok(programs)
}

fn target_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "arm64",
        _ => "amd64",
    }
}

fn image_env() -> BTreeMap<String, String> {
    let mut env = BTreeMap::from([
        ("PATH".to_string(), IMAGE_PATH.to_string()),
        ("LANG".to_string(), "C.UTF-8".to_string()),
    ]);
    if let Some(home) = std::env::var_os("HOME") {
        env.insert("HOME".to_string(), home.to_string_lossy().into_owned());
    }
    env
}

fn read_platform_env(platform_dir: &Path) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    if let Ok(entries) = fs::read_dir(platform_dir.join("env")) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Ok(value) = fs::read_to_string(entry.path()) {
                env.insert(name, value);
            }
        }
    }
    env
}

/// A process from launch.toml.
#[derive(Debug)]
struct LaunchProcess {
    command: Vec<String>,
    args: Vec<String>,
    working_dir: Option<String>,
}

fn find_process(layers_dir: &Path, process_type: &str) -> Option<LaunchProcess> {
    let source = fs::read_to_string(layers_dir.join("launch.toml")).ok()?;
    let launch: toml::Table = toml::from_str(&source).expect("launch.toml is valid TOML");
    launch
        .get("processes")?
        .as_array()?
        .iter()
        .filter_map(toml::Value::as_table)
        // Process types are unique within a buildpack's launch.toml.
        .find(|process| process.get("type").and_then(toml::Value::as_str) == Some(process_type))
        .map(|process| LaunchProcess {
            command: strings(process.get("command")),
            args: strings(process.get("args")),
            working_dir: process
                .get("working-dir")
                .and_then(toml::Value::as_str)
                .map(str::to_string),
        })
}

/// The strings of a TOML array (nothing when absent).
fn strings(value: Option<&toml::Value>) -> Vec<String> {
    value
        .and_then(toml::Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// One alternative of a detect plan: what a buildpack provides and requires (`name` plus
/// `metadata` tables, as they go into the buildpack plan's `[[entries]]`).
#[derive(Debug, Clone, Default)]
pub(crate) struct PlanSections {
    provides: Vec<String>,
    requires: Vec<toml::Table>,
}

fn plan_name(table: &toml::Table) -> &str {
    table
        .get("name")
        .and_then(toml::Value::as_str)
        .unwrap_or_default()
}

/// The plan's sections, then each `[[or]]` alternative.
fn plan_options(plan: &toml::Table) -> Vec<PlanSections> {
    let sections = |table: &toml::Table| PlanSections {
        provides: table
            .get("provides")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(toml::Value::as_table)
            .map(|provide| plan_name(provide).to_string())
            .collect(),
        requires: table
            .get("requires")
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(toml::Value::as_table)
            .cloned()
            .collect(),
    };
    let alternatives = plan
        .get("or")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table);
    std::iter::once(plan)
        .chain(alternatives)
        .map(sections)
        .collect()
}

/// The detector's trials: one alternative per buildpack, earlier alternatives first, depth
/// first in group order; the first trial that follows the build plan rules wins. (The detector
/// also drops optional buildpacks that break the rules; the stand-ins never do.)
fn first_valid_trial(options: &[&[PlanSections]], chosen: &mut Vec<usize>) -> Option<Vec<usize>> {
    let Some(alternatives) = options.get(chosen.len()) else {
        let sections: Vec<&PlanSections> = chosen
            .iter()
            .zip(options)
            .map(|(choice, alternatives)| &alternatives[*choice])
            .collect();
        return follows_plan_rules(&sections).then(|| chosen.clone());
    };
    for choice in 0..alternatives.len() {
        chosen.push(choice);
        if let Some(trial) = first_valid_trial(options, chosen) {
            return Some(trial);
        }
        chosen.pop();
    }
    None
}

/// Every require is provided by the same or an earlier buildpack; every provide is required by
/// the same or a later one.
fn follows_plan_rules(sections: &[&PlanSections]) -> bool {
    sections.iter().enumerate().all(|(position, section)| {
        let provided_so_far = |name: &str| {
            sections[..=position]
                .iter()
                .any(|earlier| earlier.provides.iter().any(|provide| provide == name))
        };
        let required_from_here = |name: &str| {
            sections[position..].iter().any(|later| {
                later
                    .requires
                    .iter()
                    .any(|require| plan_name(require) == name)
            })
        };
        section
            .requires
            .iter()
            .all(|require| provided_so_far(plan_name(require)))
            && section
                .provides
                .iter()
                .all(|provide| required_from_here(provide))
    })
}

/// A buildpack's `[[entries]]`: every require of the names it provides.
fn plan_entries(sections: &[&PlanSections], position: usize) -> Vec<toml::Table> {
    sections[position]
        .provides
        .iter()
        .flat_map(|provided| {
            sections
                .iter()
                .flat_map(|section| &section.requires)
                .filter(move |require| plan_name(require) == provided)
                .cloned()
        })
        .collect()
}

/// Other buildpacks of a Django app's group, small stand-ins that detect and build here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StandIn {
    /// heroku/procfile: detect passes when the app has a Procfile; build turns every line into
    /// a process `bash -c <line>` (the last of duplicate keys wins), `web` (or a lone process)
    /// the default.
    Procfile,
    /// heroku/release-phase: detect always passes, providing and requiring `release-phase`;
    /// build defines `release` as a runner of the `release` commands that buildpacks require
    /// in the build plan, then project.toml's `[[com.heroku.phase.release]]`, when there are
    /// any. The runner runs them in order as child processes and stops at the first failure.
    ReleasePhase,
}

/// Where a stand-in goes in the group, relative to this buildpack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    BeforeGuard,
    AfterGuard,
}

const RELEASE_PHASE_PLAN: &str = "release-phase";

/// The stand-in's `exec-release-commands`: one shell-quoted command per line of its file.
const RELEASE_COMMANDS_RUNNER: &str = r#"#!/usr/bin/env bash
while IFS= read -r command <&9; do
  eval "$command" 9<&- || {
    status=$?
    echo "release-phase failed: \`$command\` exited with status $status" >&2
    exit 1
  }
done 9<"$1"
"#;

impl StandIn {
    const ALL: [Self; 2] = [Self::Procfile, Self::ReleasePhase];

    /// The buildpack's layers directory name (its id with `/` replaced).
    pub(crate) fn dir_name(self) -> &'static str {
        match self {
            Self::Procfile => "heroku_procfile",
            Self::ReleasePhase => "heroku_release-phase",
        }
    }

    fn from_dir_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|stand_in| stand_in.dir_name() == name)
    }

    /// The plan alternatives when detect passes.
    fn detect(self, app_dir: &Path) -> Option<Vec<PlanSections>> {
        match self {
            Self::Procfile => app_dir
                .join("Procfile")
                .is_file()
                .then(|| vec![PlanSections::default()]),
            Self::ReleasePhase => Some(vec![PlanSections {
                provides: vec![RELEASE_PHASE_PLAN.to_string()],
                requires: vec![toml::Table::from_iter([(
                    "name".to_string(),
                    RELEASE_PHASE_PLAN.into(),
                )])],
            }]),
        }
    }

    /// Writes the stand-in's layers and launch.toml afresh (its layers are launch-only).
    fn build(self, app_dir: &Path, layers_dir: &Path, entries: &[toml::Table]) {
        if layers_dir.exists() {
            fs::remove_dir_all(layers_dir).expect("the layers dir is writable");
        }
        fs::create_dir_all(layers_dir).expect("the layers dir is writable");
        let processes = match self {
            Self::Procfile => {
                let source = fs::read_to_string(app_dir.join("Procfile")).unwrap_or_default();
                procfile_processes(&source)
            }
            Self::ReleasePhase => release_phase_process(app_dir, layers_dir, entries)
                .into_iter()
                .collect(),
        };
        if processes.is_empty() {
            return;
        }
        let launch = toml::Table::from_iter([(
            "processes".to_string(),
            toml::Value::Array(processes.into_iter().map(toml::Value::Table).collect()),
        )]);
        fs::write(
            layers_dir.join("launch.toml"),
            toml::to_string(&launch).expect("launch.toml is TOML"),
        )
        .expect("the layers dir is writable");
    }
}

fn launch_process(kind: &str, command: &[&str], args: &[&str], default: bool) -> toml::Table {
    let array =
        |words: &[&str]| toml::Value::Array(words.iter().map(|word| (*word).into()).collect());
    toml::Table::from_iter([
        ("type".to_string(), kind.into()),
        ("command".to_string(), array(command)),
        ("args".to_string(), array(args)),
        ("default".to_string(), default.into()),
    ])
}

/// heroku/procfile's processes for a Procfile.
fn procfile_processes(source: &str) -> Vec<toml::Table> {
    let mut lines: Vec<(String, &str)> = Vec::new();
    for line in source.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some((key, command)) = line.split_once(':') {
            let key = key.trim().to_lowercase().replace('_', "-");
            lines.retain(|(earlier, _)| *earlier != key);
            lines.push((key, command.trim()));
        }
    }
    let lone = lines.len() == 1;
    lines
        .iter()
        .map(|(key, command)| {
            launch_process(key, &["bash", "-c"], &[command], lone || key == "web")
        })
        .collect()
}

/// heroku/release-phase's `release` process and its `main` layer, when any command is
/// configured.
fn release_phase_process(
    app_dir: &Path,
    layers_dir: &Path,
    entries: &[toml::Table],
) -> Option<toml::Table> {
    let project: toml::Table = fs::read_to_string(app_dir.join("project.toml"))
        .map(|source| toml::from_str(&source).expect("project.toml is TOML"))
        .unwrap_or_default();
    let from_project = ["com", "heroku", "phase", "release"]
        .iter()
        .try_fold(&toml::Value::Table(project.clone()), |value, key| {
            value.get(key)
        })
        .and_then(toml::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let from_plan = entries
        .iter()
        .filter(|entry| plan_name(entry) == RELEASE_PHASE_PLAN)
        .filter_map(|entry| entry.get("metadata")?.get("release")?.as_array().cloned())
        .flatten();
    let commands: Vec<String> = from_plan
        .chain(from_project)
        .filter_map(|command| {
            let command = command.as_table()?;
            let mut words = vec![command.get("command")?.as_str()?.to_string()];
            words.extend(strings(command.get("args")));
            Some(
                words
                    .iter()
                    .map(|word| shell_quote(word))
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })
        .collect();
    if commands.is_empty() {
        return None;
    }
    let layer = layers_dir.join("main");
    fs::create_dir_all(layer.join("bin")).expect("the layers dir is writable");
    fs::write(layers_dir.join("main.toml"), "[types]\nlaunch = true\n")
        .expect("the layers dir is writable");
    let runner = layer.join("bin/exec-release-commands");
    fs::write(&runner, RELEASE_COMMANDS_RUNNER).expect("the layers dir is writable");
    fs::set_permissions(&runner, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("the runner can be made executable");
    let commands_file = layer.join("release-commands");
    fs::write(&commands_file, commands.join("\n") + "\n").expect("the layers dir is writable");
    let commands_file = commands_file.to_string_lossy();
    Some(launch_process(
        "release",
        &["exec-release-commands", &commands_file],
        &[],
        false,
    ))
}

/// A word as bash reads it back: in single quotes.
fn shell_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// Which layers apply, and which env directories of theirs.
#[derive(Debug)]
pub(crate) enum LayerUse {
    /// For later buildpacks' builds: `build = true` layers; `env/`, `env.build/`.
    Build,
    /// For a launched process: `launch = true` layers; `env/`, `env.launch/`,
    /// `env.launch/<process>/`.
    Launch(String),
}

/// The layers of one buildpack, alphabetically, with their `[types]` flags.
fn layers(layers_dir: &Path) -> io::Result<Vec<(PathBuf, toml::Table)>> {
    let mut found = Vec::new();
    let Ok(entries) = fs::read_dir(layers_dir) else {
        return Ok(found);
    };
    let mut names = BTreeSet::new();
    for entry in entries {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(layer) = name.strip_suffix(".toml")
            && !matches!(layer, "launch" | "build" | "store")
        {
            names.insert(layer.to_string());
        }
    }
    for name in names {
        let source = fs::read_to_string(layers_dir.join(format!("{name}.toml")))?;
        let metadata: toml::Table = toml::from_str(&source)
            .map_err(|error| io::Error::new(io::ErrorKind::InvalidData, error))?;
        let types = metadata
            .get("types")
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default();
        found.push((layers_dir.join(name), types));
    }
    Ok(found)
}

fn flag(types: &toml::Table, name: &str) -> bool {
    types.get(name).and_then(toml::Value::as_bool) == Some(true)
}

/// Applies one buildpack's layers to `env`, in the order the lifecycle does.
pub(crate) fn apply_layers(
    env: &mut BTreeMap<String, String>,
    layers_dir: &Path,
    layer_use: &LayerUse,
) -> io::Result<()> {
    for (layer_dir, types) in layers(layers_dir)? {
        let (wanted, env_dirs) = match layer_use {
            LayerUse::Build => (
                "build",
                vec![layer_dir.join("env"), layer_dir.join("env.build")],
            ),
            LayerUse::Launch(process) => (
                "launch",
                vec![
                    layer_dir.join("env"),
                    layer_dir.join("env.launch"),
                    layer_dir.join("env.launch").join(process),
                ],
            ),
        };
        if !flag(&types, wanted) || !layer_dir.is_dir() {
            continue;
        }
        if layer_dir.join("bin").is_dir() {
            prepend_path(env, "PATH", &layer_dir.join("bin"));
        }
        if layer_dir.join("lib").is_dir() {
            prepend_path(env, "LD_LIBRARY_PATH", &layer_dir.join("lib"));
        }
        for dir in env_dirs {
            apply_env_dir(env, &dir)?;
        }
    }
    Ok(())
}

fn prepend_path(env: &mut BTreeMap<String, String>, name: &str, dir: &Path) {
    let dir = dir.to_string_lossy();
    let value = match env.get(name) {
        Some(existing) if !existing.is_empty() => format!("{dir}:{existing}"),
        _ => dir.into_owned(),
    };
    env.insert(name.to_string(), value);
}

/// Applies a layer env directory (Buildpack API 0.10): the variable is the file name up to the
/// first `.`; no suffix or `.override` overrides, `.default` sets only when unset, `.append`
/// and `.prepend` concatenate with the contents of `<NAME>.delim` (nothing if absent). File
/// contents are used verbatim, never shell-evaluated. A missing directory changes nothing.
pub(crate) fn apply_env_dir(env: &mut BTreeMap<String, String>, dir: &Path) -> io::Result<()> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    let mut files = BTreeSet::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            files.insert(entry.file_name().to_string_lossy().into_owned());
        }
    }
    for file in &files {
        let (name, suffix) = file
            .split_once('.')
            .map_or((file.as_str(), None), |(name, suffix)| (name, Some(suffix)));
        if suffix == Some("delim") {
            continue;
        }
        let value = fs::read_to_string(dir.join(file))?;
        let delimiter = fs::read_to_string(dir.join(format!("{name}.delim"))).unwrap_or_default();
        let existing = env.get(name).cloned();
        let new_value = match (suffix, existing) {
            (None | Some("override"), _) | (Some("default" | "append" | "prepend"), None) => value,
            (Some("default"), Some(existing)) => existing,
            (Some("append"), Some(existing)) => format!("{existing}{delimiter}{value}"),
            (Some("prepend"), Some(existing)) => format!("{value}{delimiter}{existing}"),
            (Some(_), _) => continue,
        };
        env.insert(name.to_string(), new_value);
    }
    Ok(())
}

/// Like the restorer before a rebuild: cached layers stay; layers with `launch` but not `cache`
/// keep only their metadata (`<layer>.toml`); everything else, and launch.toml, goes.
fn restore_layers(layers_dir: &Path) -> io::Result<()> {
    for (layer_dir, types) in layers(layers_dir)? {
        if flag(&types, "cache") {
            continue;
        }
        if layer_dir.exists() {
            fs::remove_dir_all(&layer_dir)?;
        }
        if !flag(&types, "launch") {
            fs::remove_file(layer_dir.with_extension("toml"))?;
        }
    }
    for file in ["launch.toml", "build.toml"] {
        let path = layers_dir.join(file);
        if path.exists() {
            fs::remove_file(path)?;
        }
    }
    Ok(())
}

/// Copies a directory tree (files, directories, symlinks as links).
pub(crate) fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            if entry.file_name() != OsStr::new("__pycache__") {
                copy_dir(&entry.path(), &target)?;
            }
        } else if file_type.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// A build log as text that does not change between runs: ANSI codes stripped, durations
/// replaced by `<time>`, and the timer's progress dots collapsed.
pub(crate) fn normalize_build_log(log: &str) -> String {
    bullet_stream::strip_ansi(log)
        .lines()
        .map(|line| {
            if let Some(start) = line.find("(finished in ") {
                return format!("{}(finished in <time>)", &line[..start]);
            }
            let Some(open) = line.rfind(" (").filter(|_| line.ends_with(')')) else {
                return line.to_string();
            };
            let inner = &line[open + 2..line.len() - 1];
            let is_duration = inner == "< 0.1s"
                || (inner.ends_with('s')
                    && inner
                        .chars()
                        .all(|c| c.is_ascii_digit() || matches!(c, '.' | ' ' | 'h' | 'm' | 's')));
            if is_duration {
                format!("{} ... (<time>)", line[..open].trim_end_matches([' ', '.']))
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_string(), (*value).to_string()))
            .collect()
    }

    fn env_dir(files: &[(&str, &str)]) -> TempDir {
        let dir = TempDir::new("env-dir");
        for (name, contents) in files {
            fs::write(dir.path().join(name), contents).unwrap();
        }
        dir
    }

    #[test]
    fn env_file_suffix_rules() {
        let dir = env_dir(&[
            ("PLAIN", "plain"),
            ("OVERRIDDEN.override", "new"),
            ("KEPT.default", "ignored"),
            ("FRESH.default", "fresh"),
            ("PATH.prepend", "/layer/bin"),
            ("PATH.delim", ":"),
            ("FLAGS.append", "-v"),
            ("FLAGS.delim", " "),
            ("NODELIM.append", "b"),
            ("NEW.append", "only"),
            ("NEW.delim", ":"),
        ]);
        let mut env = env_of(&[
            ("PLAIN", "old"),
            ("OVERRIDDEN", "old"),
            ("KEPT", "kept"),
            ("PATH", "/usr/bin"),
            ("FLAGS", "-q"),
            ("NODELIM", "a"),
        ]);
        apply_env_dir(&mut env, dir.path()).unwrap();
        assert_eq!(
            env,
            env_of(&[
                ("PLAIN", "plain"),
                ("OVERRIDDEN", "new"),
                ("KEPT", "kept"),
                ("FRESH", "fresh"),
                ("PATH", "/layer/bin:/usr/bin"),
                ("FLAGS", "-q -v"),
                ("NODELIM", "ab"),
                ("NEW", "only"),
            ])
        );
    }

    #[test]
    fn env_values_are_verbatim_and_missing_dirs_are_no_ops() {
        let dir = env_dir(&[("QUOTED", "$HOME \"x\"\n")]);
        let mut env = BTreeMap::new();
        apply_env_dir(&mut env, dir.path()).unwrap();
        assert_eq!(env, env_of(&[("QUOTED", "$HOME \"x\"\n")]));
        apply_env_dir(&mut env, &dir.path().join("missing")).unwrap();
        assert_eq!(env.len(), 1);
    }

    #[test]
    fn layers_apply_by_type_and_process() {
        let layers_dir = TempDir::new("layers");
        let layer = layers_dir.path().join("tool");
        for dir in ["bin", "env.launch/release", "env.launch/web", "env.build"] {
            fs::create_dir_all(layer.join(dir)).unwrap();
        }
        fs::write(layer.join("env.launch/release/ONLY_RELEASE"), "yes").unwrap();
        fs::write(layer.join("env.launch/web/ONLY_WEB"), "yes").unwrap();
        fs::write(layer.join("env.build/ONLY_BUILD"), "yes").unwrap();
        fs::write(
            layers_dir.path().join("tool.toml"),
            "[types]\nlaunch = true\n",
        )
        .unwrap();
        fs::write(layers_dir.path().join("launch.toml"), "").unwrap();

        let mut launch_env = env_of(&[("PATH", "/usr/bin")]);
        apply_layers(
            &mut launch_env,
            layers_dir.path(),
            &LayerUse::Launch("release".to_string()),
        )
        .unwrap();
        assert_eq!(
            launch_env,
            env_of(&[
                ("PATH", &format!("{}:/usr/bin", layer.join("bin").display())),
                ("ONLY_RELEASE", "yes"),
            ])
        );

        let mut build_env = env_of(&[("PATH", "/usr/bin")]);
        apply_layers(&mut build_env, layers_dir.path(), &LayerUse::Build).unwrap();
        assert_eq!(build_env, env_of(&[("PATH", "/usr/bin")]));
    }

    fn write_executable(path: &Path, script: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, script).unwrap();
        fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }

    #[test]
    fn launcher_runs_exec_d_of_the_process_type_then_replaces_itself_with_the_process() {
        let fixture = TempDir::new("empty-app");
        let app = Lifecycle::new(fixture.path(), fixture.path());
        let layer = app.layers_dir().join("tool");
        fs::create_dir_all(&layer).unwrap();
        fs::write(
            app.layers_dir().join("tool.toml"),
            "[types]\nlaunch = true\n",
        )
        .unwrap();
        write_executable(
            &layer.join("exec.d/1-every-process"),
            "#!/usr/bin/env bash\necho 'FLAT = \"for every process\"' >&3\n",
        );
        write_executable(
            &layer.join("exec.d/release/2-release"),
            indoc::indoc! {r#"
                #!/usr/bin/env bash
                echo "exec.d for release in $PWD"
                printf 'LAUNCHER_PID = "%s"\nSEEN_FLAT = "%s"\n' "$PPID" "$FLAT" >&3
            "#},
        );
        let web_exec_d = layer.join("exec.d/web/3-web");
        write_executable(
            &web_exec_d,
            "#!/usr/bin/env bash\necho 'web only' >&2\nexit 3\n",
        );
        app.write_launch_toml(
            BUILDPACK_DIR_NAME,
            indoc::indoc! {r#"
                [[processes]]
                type = "release"
                command = ["bash", "-c"]
                args = ['echo "$FLAT, $SEEN_FLAT, $([ "$LAUNCHER_PID" = "$$" ] && echo same pid)"']

                [[processes]]
                type = "web"
                command = ["bash", "-c"]
                args = ["echo web started"]
            "#},
        );

        let release = app.launch("release", &[]);
        assert_eq!(release.code, Some(0), "{}", release.transcript());
        assert_eq!(
            release.stdout,
            format!(
                "exec.d for release in {}\nfor every process, for every process, same pid\n",
                app.app_dir().display()
            )
        );

        let web = app.launch("web", &[]);
        assert_eq!(web.code, Some(LAUNCHER_EXIT_CODE), "{}", web.transcript());
        assert_eq!(
            web.stdout,
            format!(
                "ERROR: failed to launch: exec.d: failed to execute exec.d file at path '{}': exit status 3\n",
                web_exec_d.display()
            )
        );
        assert_eq!(web.stderr, "web only\n");
    }

    const GUARD_PLAN: &str = indoc::indoc! {r#"
        [[provides]]
        name = "release-guard"

        [[requires]]
        name = "release-guard"
        metadata = { release-process = "heroku/release-phase" }

        [[requires]]
        name = "release-phase"
        metadata = { release = [{ command = "release-guard", args = ["release"] }] }

        [[or]]
    "#};

    /// The entries each buildpack gets, for the groups `first` then `second`.
    fn resolve(first: &[PlanSections], second: &[PlanSections]) -> [Vec<toml::Table>; 2] {
        let options = [first, second];
        let trial = first_valid_trial(&options, &mut Vec::new()).unwrap();
        let sections = [&first[trial[0]], &second[trial[1]]];
        [plan_entries(&sections, 0), plan_entries(&sections, 1)]
    }

    #[test]
    fn build_plan_resolution_follows_the_group_order() {
        let guard = plan_options(&toml::from_str(GUARD_PLAN).unwrap());
        let release_phase = StandIn::ReleasePhase.detect(Path::new("/")).unwrap();
        let tables = |sources: &[&str]| -> Vec<toml::Table> {
            sources
                .iter()
                .map(|source| toml::from_str(source).unwrap())
                .collect()
        };

        let [release_phase_entries, guard_entries] = resolve(&release_phase, &guard);
        assert_eq!(
            release_phase_entries,
            tables(&[
                r#"name = "release-phase""#,
                r#"
                    name = "release-phase"
                    metadata = { release = [{ command = "release-guard", args = ["release"] }] }
                "#,
            ])
        );
        assert_eq!(
            guard_entries,
            tables(&[r#"
                name = "release-guard"
                metadata = { release-process = "heroku/release-phase" }
            "#])
        );

        // A provider after the requirement breaks the rules: the `[[or]]` alternative wins.
        let [guard_entries, release_phase_entries] = resolve(&guard, &release_phase);
        assert!(guard_entries.is_empty());
        assert_eq!(
            release_phase_entries,
            tables(&[r#"name = "release-phase""#])
        );
    }

    #[test]
    fn procfile_lines_become_bash_processes() {
        let processes = procfile_processes(indoc::indoc! {"
            # comment
            web: gunicorn mysite.wsgi

            release: echo first
            Worker_Queue: python worker.py
            release: python manage.py migrate
        "});
        let expected: toml::Table = toml::from_str(indoc::indoc! {r#"
            [[processes]]
            type = "web"
            command = ["bash", "-c"]
            args = ["gunicorn mysite.wsgi"]
            default = true

            [[processes]]
            type = "worker-queue"
            command = ["bash", "-c"]
            args = ["python worker.py"]
            default = false

            [[processes]]
            type = "release"
            command = ["bash", "-c"]
            args = ["python manage.py migrate"]
            default = false
        "#})
        .unwrap();
        assert_eq!(
            processes
                .into_iter()
                .map(toml::Value::Table)
                .collect::<Vec<_>>(),
            *expected["processes"].as_array().unwrap()
        );
        let lone = procfile_processes("release: python manage.py migrate\n");
        assert_eq!(lone[0].get("default"), Some(&toml::Value::Boolean(true)));
    }

    #[test]
    fn build_logs_are_normalized() {
        let log = "## X\n\n- A\n  - Running `x` . .. (1.2s)\n  - Kept (from manage.py)\n- Done (finished in < 0.1s)\n";
        assert_eq!(
            normalize_build_log(log),
            "## X\n\n- A\n  - Running `x` ... (<time>)\n  - Kept (from manage.py)\n- Done (finished in <time>)\n"
        );
    }
}
