//! The Heroku classic buildpack (`scripts/package-classic`), driven as a classic build drives
//! it (`bin/detect BUILD_DIR`, `bin/compile BUILD_DIR CACHE_DIR ENV_DIR`, `bin/release
//! BUILD_DIR`), then the slug's `release` process run as a release dyno runs it, under every
//! supported Django: the tutorial is blocked without `USE_SSL` and its migrations run once with
//! it, whether or not its Procfile has a `release:` line.

use crate::support::cnb::{Run, TempDir, temp_dir};
use crate::support::packaging::{
    add_python_profile, assert_run, classic_buildpack, procfile_release_command, release_dyno, run,
    tutorial_app,
};
use crate::support::python::{TUTORIAL_CONFIG_VARS, venvs};
use release_guard::app_files::parse_procfile;
use std::fs;
use std::path::Path;
use std::process::Command;

const VERSION_LINE: &str = concat!("-----> Django Release Guard ", env!("CARGO_PKG_VERSION"));
const INSTALLED: &str = "       Installed release-guard into .release-guard/bin (on PATH through .profile.d/release-guard.sh)";
const BREAK_GLASS: &str = "       Blocked releases are not deployed; break glass: heroku config:set RELEASE_GUARD_MODE=warn";

/// One classic build's directories: the app (`BUILD_DIR`, the future slug), its cache and the
/// config vars as files (`ENV_DIR`).
struct ClassicBuild {
    _root: TempDir,
    app: std::path::PathBuf,
    cache: std::path::PathBuf,
    env: std::path::PathBuf,
}

impl ClassicBuild {
    fn of_tutorial() -> Self {
        let (root, app) = tutorial_app("classic");
        let cache = root.path().join("cache");
        let env = root.path().join("env");
        for dir in [&cache, &env] {
            fs::create_dir_all(dir).expect("the temp dir is writable");
        }
        // Classic builds see config vars only as files in ENV_DIR; the guard needs none.
        fs::write(env.join("SECRET_KEY"), "not-read-at-build-time").expect("writable");
        Self {
            _root: root,
            app,
            cache,
            env,
        }
    }

    fn bin(name: &str) -> Command {
        let mut command = Command::new(classic_buildpack().join("bin").join(name));
        // The build image's environment: nothing of the developer's leaks in.
        command
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("STACK", "heroku-24")
            .current_dir(classic_buildpack());
        command
    }

    fn detect(&self) -> Run {
        run(Self::bin("detect").arg(&self.app))
    }

    fn compile(&self) -> Run {
        run(Self::bin("compile")
            .arg(&self.app)
            .arg(&self.cache)
            .arg(&self.env))
    }

    fn release(&self) -> Run {
        run(Self::bin("release").arg(&self.app))
    }

    fn procfile(&self) -> String {
        fs::read_to_string(self.app.join("Procfile")).expect("the slug has a Procfile")
    }

    fn write_procfile(&self, contents: &str) {
        fs::write(self.app.join("Procfile"), contents).expect("the app is writable");
    }
}

fn assert_ok(run: &Run, what: &str) {
    assert_eq!(run.code, Some(0), "{what}\n{}", run.transcript());
}

#[test]
fn detect_passes_on_manage_py_only() {
    let build = ClassicBuild::of_tutorial();
    let detect = build.detect();
    assert_ok(&detect, "detect on the tutorial");
    assert_eq!(detect.stdout, "Django Release Guard\n");

    fs::remove_file(build.app.join("manage.py")).expect("writable");
    let detect = build.detect();
    assert_eq!(detect.code, Some(1), "{}", detect.transcript());
    assert_eq!(
        detect.stderr,
        "Django Release Guard: no manage.py at the app root, so this is not a Django app\n"
    );
}

#[test]
fn compile_wraps_the_release_command_with_its_quoting_intact() {
    let build = ClassicBuild::of_tutorial();
    let command = r#"python manage.py migrate --noinput && echo "it's $HOME" | tr a-z A-Z"#;
    build.write_procfile(&format!(
        "web: gunicorn mysite.wsgi\nrelease: {command}\r\nworker: python worker.py"
    ));
    let compile = build.compile();
    assert_ok(&compile, "compile");
    let wrapped = r#"release: release-guard release -- bash -c 'python manage.py migrate --noinput && echo "it'\''s $HOME" | tr a-z A-Z'"#;
    assert_eq!(
        build.procfile(),
        format!("web: gunicorn mysite.wsgi\n{wrapped}\r\nworker: python worker.py\n")
    );
    assert_eq!(
        compile.stdout,
        format!(
            "{VERSION_LINE}\n{INSTALLED}\n       Procfile: the release command now runs only after the guard passes:\n         {wrapped}\n{BREAK_GLASS}\n"
        )
    );
    // The dyno's bash removes exactly the quoting compile added: the inner bash gets the
    // command as typed.
    let shell = Command::new("bash")
        .args([
            "-c",
            &format!(
                "printf '%s' {}",
                &wrapped[wrapped.find('\'').unwrap_or(0)..]
            ),
        ])
        .output()
        .expect("bash runs");
    assert_eq!(String::from_utf8_lossy(&shell.stdout), command);

    // Idempotent: a second compile of the same slug with the reused cache changes nothing.
    let again = build.compile();
    assert_ok(&again, "second compile");
    assert!(
        again.stdout.contains(&format!(
            "       Procfile: the release command already runs release-guard; left as it is:\n         {wrapped}\n"
        )),
        "{}",
        again.transcript()
    );
    assert_eq!(
        build.procfile(),
        format!("web: gunicorn mysite.wsgi\n{wrapped}\r\nworker: python worker.py\n")
    );
}

#[test]
fn compile_leaves_the_pip_recipe_release_line_alone() {
    let build = ClassicBuild::of_tutorial();
    let procfile = "release: release-guard release -- python manage.py migrate --noinput\n";
    build.write_procfile(procfile);
    assert_ok(&build.compile(), "compile");
    assert_eq!(build.procfile(), procfile);
}

#[test]
fn release_declares_no_process_types() {
    let build = ClassicBuild::of_tutorial();
    let release = build.release();
    assert_ok(&release, "bin/release");
    assert_eq!(release.stdout, "--- {}\n");
}

/// Builds the tutorial with `procfile` as a classic build would (heroku-buildpack-python's
/// `.profile.d` stand-in, then detect, compile, release) and returns the build and its log.
fn classic_slug(python_venv: &Path, procfile: &str) -> (ClassicBuild, Run) {
    let build = ClassicBuild::of_tutorial();
    build.write_procfile(procfile);
    add_python_profile(&build.app, python_venv);
    assert_ok(&build.detect(), "detect");
    let compile = build.compile();
    assert_ok(&compile, "compile");
    assert_ok(&build.release(), "release");
    (build, compile)
}

fn release_process(build: &ClassicBuild, config_vars: &[(&str, &str)]) -> Run {
    let command = procfile_release_command(&build.app)
        .expect("compile leaves a release: line in the slug's Procfile");
    release_dyno(&build.app, config_vars, &command)
}

#[test]
fn tutorial_release_is_blocked_without_ssl_and_migrates_once_with_it() {
    let with_ssl = [TUTORIAL_CONFIG_VARS.as_slice(), &[("USE_SSL", "true")]].concat();
    for venv in venvs() {
        let (build, compile) = classic_slug(
            &venv.dir,
            "web: gunicorn mysite.wsgi\nrelease: python manage.py migrate --noinput\n",
        );
        assert!(
            compile.stdout.contains("         release: release-guard release -- bash -c 'python manage.py migrate --noinput'\n"),
            "{}: {}",
            venv.name,
            compile.transcript()
        );
        let database = build.app.join("db.sqlite3");

        let blocked = release_process(&build, &TUTORIAL_CONFIG_VARS);
        assert_run(
            &blocked,
            1,
            &[
                "\nThe release command was not run: bash -c 'python manage.py migrate --noinput'\n",
                "\nRelease blocked: 4 problems\n",
            ],
            venv.name,
        );
        assert!(
            !database.exists(),
            "{}: migrate ran although blocked",
            venv.name
        );

        let passed = release_process(&build, &with_ssl);
        assert_run(
            &passed,
            0,
            &[
                "\nRelease passed with 2 warnings\nRunning the release command: bash -c 'python manage.py migrate --noinput'\n",
            ],
            venv.name,
        );
        assert_eq!(
            passed
                .stdout
                .matches("Applying sessions.0001_initial... OK")
                .count(),
            1,
            "{}: migrate must run exactly once\n{}",
            venv.name,
            passed.transcript()
        );
        assert!(database.exists(), "{}: migrate left no database", venv.name);
    }
}

#[test]
fn tutorial_without_a_release_line_gets_one_that_gates_every_release() {
    let with_ssl = [TUTORIAL_CONFIG_VARS.as_slice(), &[("USE_SSL", "true")]].concat();
    for venv in venvs() {
        let (build, compile) = classic_slug(&venv.dir, "web: gunicorn mysite.wsgi");
        assert_eq!(
            build.procfile(),
            "web: gunicorn mysite.wsgi\nrelease: release-guard release\n",
            "{}",
            venv.name
        );
        assert!(
            compile.stdout.contains("       Procfile: no release: line, so one was added to gate every release:\n         release: release-guard release\n"),
            "{}: {}",
            venv.name,
            compile.transcript()
        );

        // DYNO is set: the fix is written as a Heroku command.
        let blocked = release_process(&build, &TUTORIAL_CONFIG_VARS);
        assert_run(
            &blocked,
            1,
            &[
                "\nRelease blocked: 4 problems\nFix: heroku config:set USE_SSL=true\nDeploy anyway: heroku config:set RELEASE_GUARD_MODE=warn\n",
            ],
            venv.name,
        );
        let passed = release_process(&build, &with_ssl);
        assert_run(
            &passed,
            0,
            &["\nRelease passed with 2 warnings\n"],
            venv.name,
        );
        assert!(
            !passed.stdout.contains("Running the release command"),
            "{}: there is no release command to run\n{}",
            venv.name,
            passed.transcript()
        );
        assert!(!build.app.join("db.sqlite3").exists(), "{}", venv.name);
    }
}

/// `classic/bin/compile` from the source tree beside a stand-in `vendor/release-guard` (the
/// Procfile rewrite does not run it), so that many Procfiles can be compiled quickly.
struct SourceCompile {
    root: TempDir,
}

impl SourceCompile {
    fn new() -> Self {
        let root = temp_dir("classic-source");
        let buildpack = root.path().join("buildpack");
        fs::create_dir_all(buildpack.join("bin")).expect("writable");
        fs::create_dir_all(buildpack.join("vendor")).expect("writable");
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("classic/bin/compile");
        fs::copy(source, buildpack.join("bin/compile")).expect("the source tree has it");
        let stand_in = buildpack.join("vendor/release-guard");
        fs::write(
            &stand_in,
            "#!/bin/sh\necho 'Django Release Guard (stand-in)'\n",
        )
        .expect("writable");
        let mut permissions = fs::metadata(&stand_in).expect("written").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
        fs::set_permissions(&stand_in, permissions).expect("writable");
        Self { root }
    }

    /// The slug's Procfile after compiling an app whose Procfile is `procfile`.
    fn compiled(&self, procfile: &str) -> String {
        let app = self.root.path().join("app");
        let _ = fs::remove_dir_all(&app);
        fs::create_dir_all(&app).expect("writable");
        fs::write(app.join("Procfile"), procfile).expect("writable");
        let compile = run(Command::new(self.root.path().join("buildpack/bin/compile"))
            .args([
                &app,
                &self.root.path().join("cache"),
                &self.root.path().join("env"),
            ])
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("LANG", "C.UTF-8"));
        assert_eq!(
            compile.code,
            Some(0),
            "{procfile:?}\n{}",
            compile.transcript()
        );
        fs::read_to_string(app.join("Procfile")).expect("compile leaves a Procfile")
    }
}

/// What the slug's `release` process must be, by the guard's own Procfile parser: the
/// release command it read, gated (left alone when it already runs the guard), or the guard alone.
fn gated_release(procfile: &str) -> String {
    let runs_guard = |command: &str| {
        command.strip_prefix("release-guard").is_some_and(|rest| {
            rest.starts_with(|c: char| c.is_ascii_whitespace())
                && rest
                    .trim_start()
                    .strip_prefix("release")
                    .is_some_and(|rest| {
                        rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_whitespace())
                    })
        })
    };
    match parse_procfile(procfile).remove("release") {
        Some(command) if runs_guard(&command) => command,
        Some(command) => format!(
            "release-guard release -- bash -c '{}'",
            command.replace('\'', r"'\''")
        ),
        None => "release-guard release".to_string(),
    }
}

/// What the generated Procfiles are made of: the grammar's awkward pieces.
const PIECES: [&str; 22] = [
    "release",
    "Release",
    "RELEASE",
    "release_phase",
    "web",
    "re_lease",
    ":",
    " ",
    "\t",
    "\r",
    "#",
    "_",
    "-",
    "'",
    "\"",
    "$HOME",
    "release-guard release",
    "migrate",
    "&&",
    "x",
    "\u{b}",
    "\u{c}",
];

/// compile's shell reading of the Procfile agrees with the guard's parser (`parse_procfile`):
/// the release command the platform will run is the one the user wrote, gated, and every
/// other process type is untouched.
#[test]
fn compile_reads_the_procfile_as_the_guards_parser_does() {
    let compile = SourceCompile::new();
    let mut procfiles: Vec<String> = [
        "web: gunicorn x.wsgi\r\nrelease: python manage.py migrate\r\n",
        "# release: not this\nrelease: migrate\n",
        "web : gunicorn x.wsgi\nrelease : migrate\n",
        "release: first\nrelease: second\n",
        "release_phase: not a release\nweb: gunicorn x.wsgi",
        "  release:   indented   \n",
        "Release: capitalised\nRELEASE_: other type\n",
        "release:\nweb: x\n",
        "release:: colon first\n",
        "release: release-guard release -- migrate\nrelease: again\n",
        "release: release-guarded release\n",
        "\trelease:\tit's \"quoted\" $HOME\t\r\n",
        "release-1: x\nrelease : y\r",
        "",
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    // And Procfiles made of the grammar's awkward pieces, from a fixed seed.
    let mut state: u64 = 0x5eed;
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).expect("fits") % bound
    };
    for _ in 0..150 {
        let lines: Vec<String> = (0..=next(4))
            .map(|_| (0..=next(7)).map(|_| PIECES[next(PIECES.len())]).collect())
            .collect();
        let separator = if next(2) == 0 { "\n" } else { "\r\n" };
        procfiles.push(lines.join(separator));
    }
    for procfile in procfiles {
        let slug = compile.compiled(&procfile);
        let mut before = parse_procfile(&procfile);
        let mut after = parse_procfile(&slug);
        assert_eq!(
            after.remove("release"),
            Some(gated_release(&procfile)),
            "{procfile:?} compiled to {slug:?}"
        );
        before.remove("release");
        assert_eq!(after, before, "{procfile:?} compiled to {slug:?}");
    }
}
