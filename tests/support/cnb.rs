//! The hand-driven CNB lifecycle: package, detect, build, launch.
//!
//! A small, faithful stand-in for `pack` + the CNB lifecycle (Buildpack API 0.10) on machines
//! without Docker: the buildpack is packaged by libcnb-package exactly as `cargo libcnb package`
//! does, `bin/detect` and `bin/build` get the lifecycle's environment and positional arguments
//! with the app as working directory, and processes are launched the way the launcher does
//! (layer `bin/` on PATH, env files with their suffix rules, launch.toml command + args).
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
use tempfile::TempDir;

/// The buildpack's id with `/` replaced, as libcnb-cargo names its directory, and as the
/// lifecycle names the buildpack's layers directory.
pub(crate) const BUILDPACK_DIR_NAME: &str = "release-guard_django";
/// The layers directory name of the simulated heroku/python buildpack.
pub(crate) const PYTHON_BUILDPACK_DIR_NAME: &str = "heroku_python";
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

/// A new directory in the scratch directory, removed (with its contents) when dropped.
pub(crate) fn temp_dir(label: &str) -> TempDir {
    let scratch = scratch_dir();
    fs::create_dir_all(&scratch).expect("the scratch directory is writable");
    tempfile::Builder::new()
        .prefix(&format!("{label}-"))
        .tempdir_in(scratch)
        .expect("the scratch directory is writable")
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
        let root = temp_dir("cnb");
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

    fn layers_root(&self) -> PathBuf {
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

    /// Runs `bin/detect <platform> <plan>`.
    pub(crate) fn detect(&self) -> Run {
        let plan = self.root.path().join("plan.toml");
        self.run_phase(
            "detect",
            &[&self.platform_dir(), &plan],
            &[("CNB_BUILD_PLAN_PATH", &plan)],
        )
    }

    /// Runs `bin/build <layers> <platform> <plan>`. Call it again for a rebuild: like the
    /// lifecycle's restorer, it keeps cached layers, keeps only the metadata of launch-only
    /// layers and drops launch.toml first.
    pub(crate) fn build(&self) -> Run {
        let layers_dir = self.layers_dir();
        fs::create_dir_all(&layers_dir).expect("the layers dir is writable");
        restore_layers(&layers_dir).expect("the layers dir is readable");
        let plan = self.root.path().join("buildpack-plan.toml");
        fs::write(&plan, "").expect("the temp dir is writable");
        self.run_phase(
            "build",
            &[&layers_dir, &self.platform_dir(), &plan],
            &[("CNB_LAYERS_DIR", &layers_dir), ("CNB_BP_PLAN_PATH", &plan)],
        )
    }

    /// The process definitions of this buildpack's launch.toml.
    pub(crate) fn launch_toml(&self) -> toml::Table {
        let source = fs::read_to_string(self.layers_dir().join("launch.toml"))
            .expect("the build wrote launch.toml");
        toml::from_str(&source).expect("launch.toml is valid TOML")
    }

    /// Starts a process type as the launcher does, with `config_vars` as the dyno's runtime
    /// config: the last buildpack defining the type wins; every launch layer's `bin/` is put on
    /// PATH and its `env/`, `env.launch/` and `env.launch/<type>/` files applied; then
    /// `command` + `args` run in `working-dir` (default: the app).
    pub(crate) fn launch(&self, process_type: &str, config_vars: &[(&str, &str)]) -> Run {
        let mut env = image_env();
        env.extend(
            config_vars
                .iter()
                .map(|(name, value)| ((*name).to_string(), (*value).to_string())),
        );
        let mut process = None;
        for buildpack in &self.group {
            let layers_dir = self.layers_root().join(buildpack);
            apply_layers(
                &mut env,
                &layers_dir,
                &LayerUse::Launch(process_type.to_string()),
            )
            .expect("launch layers are readable");
            if let Some(found) = find_process(&layers_dir, process_type) {
                process = Some(found);
            }
        }
        let process =
            process.unwrap_or_else(|| panic!("no buildpack defines a {process_type} process"));
        let program = which(
            &process.command[0],
            env.get("PATH").map_or("", String::as_str),
        )
        .unwrap_or_else(|| panic!("{} is not on the launch PATH", process.command[0]));
        let working_dir = process
            .working_dir
            .map_or_else(|| self.app_dir(), |dir| self.app_dir().join(dir));
        let output = Command::new(program)
            .args(&process.command[1..])
            .args(&process.args)
            .env_clear()
            .envs(&env)
            .current_dir(working_dir)
            .output()
            .expect("the process can be started");
        Run::from_output(&output)
    }
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
    let strings = |value: Option<&toml::Value>| -> Vec<String> {
        value
            .and_then(toml::Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
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

fn which(program: &str, path: &str) -> Option<PathBuf> {
    if program.contains('/') {
        return Some(PathBuf::from(program));
    }
    path.split(':')
        .map(|dir| Path::new(dir).join(program))
        .find(|candidate| candidate.is_file())
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
        let dir = temp_dir("env-dir");
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
        let layers_dir = temp_dir("layers");
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

    #[test]
    fn build_logs_are_normalized() {
        let log = "## X\n\n- A\n  - Running `x` . .. (1.2s)\n  - Kept (from manage.py)\n- Done (finished in < 0.1s)\n";
        assert_eq!(
            normalize_build_log(log),
            "## X\n\n- A\n  - Running `x` ... (<time>)\n  - Kept (from manage.py)\n- Done (finished in <time>)\n"
        );
    }
}
