//! The packaged buildpack driven through detect, build and launch by the CNB harness
//! (tests/support/cnb.rs): exact build logs, launch.toml, layer reuse, configuration errors and
//! the `release` process as the launcher would start it.

use crate::support::cnb::{
    BUILDPACK_DIR_NAME, LAUNCHER_EXIT_CODE, Lifecycle, Order, PYTHON_BUILDPACK_DIR_NAME, StandIn,
    normalize_build_log, packaged_buildpack,
};
use crate::support::python::{default_venv, fixture};
use indoc::{formatdoc, indoc};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// The build log's line about the exec.d program.
const EXEC_D_LINE: &str = "Installed for the `release` process type (exec.d): the guard runs \
    before any release command, whichever buildpack defines it, in any buildpack order";

fn lifecycle(fixture_name: &str) -> Lifecycle {
    Lifecycle::new(packaged_buildpack(), &fixture(fixture_name))
}

/// For the tests that are not about the preview, which would otherwise run in every build and
/// add its lines to the log.
fn lifecycle_without_preview(fixture_name: &str) -> Lifecycle {
    let app = lifecycle(fixture_name);
    app.write_app_file("project.toml", "[com.release-guard]\npreview = false\n");
    app
}

/// `app` after heroku/python in the group, as on Heroku: its venv, with Django, is on PATH
/// during the build and for launched processes.
fn after_heroku_python(mut app: Lifecycle) -> Lifecycle {
    app.add_python_venv_layer(&default_venv().dir);
    app
}

/// Builds and asserts success, returning the normalised log.
fn build_log(app: &Lifecycle) -> String {
    let build = app.build();
    assert_eq!(build.code, Some(0), "{}", build.transcript());
    normalize_build_log(&build.stdout)
}

/// Compares this buildpack's launch.toml with `expected` as TOML.
fn assert_launch_toml(app: &Lifecycle, expected: &str) {
    let expected: toml::Table = toml::from_str(expected).expect("the expected launch.toml is TOML");
    assert_eq!(app.launch_toml(), expected);
}

/// The guard's launch.toml for `procfile_release`: its `release` process chains the Procfile's.
const PROCFILE_RELEASE_LAUNCH_TOML: &str = indoc! {r#"
    [[processes]]
    type = "release"
    command = ["release-guard", "release"]
    args = ["--", "bash", "-c", 'echo "Running release tasks" && exit "${RELEASE_TASKS_STATUS:-0}"']
"#};

/// The build log of `procfile_release` with `preview = false`.
fn procfile_release_build_log() -> String {
    formatdoc! {r#"

        ## Django Release Guard

        - Django app
          - Settings module `mysite.settings` (from mysite/wsgi.py)
          - Procfile `release:` command `echo "Running release tasks" && exit "${{RELEASE_TASKS_STATUS:-0}}"`
        - Release guard
          - Installing `release-guard` 0.1.0
          - Configuration from project.toml: preview = false
          - Writing `release-guard.toml` (read at release time through RELEASE_GUARD_CONFIG)
          - {EXEC_D_LINE}
        - Process type `release`: `release-guard release`
          - Runs the Procfile release command after the guard passes
        - Release preview (advisory: never fails the build)
          - Skipped: preview = false in project.toml
        - Done (finished in <time>)
    "#}
}

#[test]
fn packaged_layout() {
    let dir = packaged_buildpack();
    assert_eq!(dir.file_name().unwrap(), BUILDPACK_DIR_NAME);
    assert!(dir.join("bin/build").is_file());
    assert_eq!(
        fs::read_link(dir.join("bin/detect")).unwrap().to_str(),
        Some("build")
    );
    assert_eq!(
        fs::read_to_string(dir.join("buildpack.toml")).unwrap(),
        fs::read_to_string(fixture("../buildpack.toml")).unwrap()
    );
    assert_eq!(
        fs::read_to_string(dir.join("package.toml")).unwrap(),
        "[buildpack]\nuri = \".\"\n"
    );
    let tool = dir.join(".libcnb-cargo/additional-bin/release-guard");
    let mode = fs::metadata(&tool).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "release-guard is executable");
}

#[test]
fn detect_passes_on_manage_py() {
    let app = lifecycle("settings_package");
    let detect = app.detect();
    assert_eq!(detect.code, Some(0), "{}", detect.transcript());
    assert_eq!(detect.stdout, "");
    // The plan that offers heroku/release-phase the release command (see its unit test).
    let plan = release_guard::buildpack::release_process::build_plan().unwrap();
    assert_eq!(app.detected_plan(), toml::to_string(&plan).unwrap());
}

#[test]
fn detect_fails_without_manage_py() {
    let detect = lifecycle("non_django").detect();
    assert_eq!(detect.code, Some(100), "{}", detect.transcript());
    assert_eq!(
        detect.stdout,
        "No manage.py at the app root, so this is not a Django app: Django Release Guard does not apply.\n"
    );
    assert_eq!(detect.stderr, "");
}

#[test]
fn build_log_with_procfile_release_command() {
    let app = lifecycle_without_preview("procfile_release");
    assert_eq!(build_log(&app), procfile_release_build_log());
}

#[test]
fn launch_toml_chains_the_procfile_release_command() {
    let app = lifecycle_without_preview("procfile_release");
    build_log(&app);
    assert_launch_toml(&app, PROCFILE_RELEASE_LAUNCH_TOML);
}

#[test]
fn build_without_procfile_and_settings_from_platform_env() {
    let app = lifecycle_without_preview("settings_package");
    app.set_platform_env("DJANGO_SETTINGS_MODULE", "config.settings.staging");
    assert_eq!(
        build_log(&app),
        indoc! {"

            ## Django Release Guard

            - Django app
              - Settings module `config.settings.staging` (from DJANGO_SETTINGS_MODULE)
              - No Procfile `release:` command
            - Release guard
              - Installing `release-guard` 0.1.0
              - Configuration from project.toml: preview = false
              - Writing `release-guard.toml` (read at release time through RELEASE_GUARD_CONFIG)
              - Installed for the `release` process type (exec.d): the guard runs before any release command, whichever buildpack defines it, in any buildpack order
            - Process type `release`: `release-guard release`
              - So that every release is checked, even without a Procfile `release:` command
            - Release preview (advisory: never fails the build)
              - Skipped: preview = false in project.toml
            - Done (finished in <time>)
        "}
    );
    assert_launch_toml(
        &app,
        indoc! {r#"
            [[processes]]
            type = "release"
            command = ["release-guard", "release"]
        "#},
    );
}

#[test]
fn launch_config_and_env_point_the_gate_at_the_build_results() {
    let app = lifecycle("settings_package");
    app.write_app_file(
        "project.toml",
        indoc! {r#"
            [com.release-guard]
            mode = "warn"
            ignore = ["security.W021"]
            timeout = 90
            preview = false
        "#},
    );
    build_log(&app);
    let layer = app.layers_dir().join("release-guard");
    assert_eq!(
        fs::read_to_string(layer.join("release-guard.toml")).unwrap(),
        indoc! {r#"
            settings-module = "config.settings.production"

            [guard]
            mode = "warn"
            ignore = ["security.W021"]
            timeout = 90
            preview = false
        "#}
    );
    assert_eq!(
        fs::read_to_string(layer.join("env.launch/RELEASE_GUARD_CONFIG.override")).unwrap(),
        layer.join("release-guard.toml").to_str().unwrap()
    );
    // Only for the `release` process type; the name tells the binary to act as exec.d program.
    assert_eq!(
        fs::read_dir(layer.join("exec.d"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect::<Vec<_>>(),
        ["release"]
    );
    assert_eq!(
        fs::read_link(layer.join("exec.d/release/release-guard-exec-d")).unwrap(),
        Path::new("../../bin/release-guard")
    );
    assert_eq!(
        fs::read_to_string(app.layers_dir().join("release-guard.toml")).unwrap(),
        indoc! {r#"
            [types]
            launch = true
            build = false
            cache = true

            [metadata]
            buildpack_version = "0.1.0"
            arch = "amd64"
        "#}
    );
}

#[test]
fn no_settings_module_still_builds() {
    let app = lifecycle_without_preview("settings_package");
    app.write_app_file("manage.py", "import sys\n");
    let log = build_log(&app);
    assert!(
        log.contains(
            "  - No settings module in project.toml, DJANGO_SETTINGS_MODULE or manage.py: \
             the guard resolves it at release time\n"
        ),
        "{log}"
    );
}

#[test]
fn rebuild_reuses_the_layer_and_rewrites_the_config() {
    let app = lifecycle_without_preview("procfile_release");
    assert!(build_log(&app).contains("  - Installing `release-guard` 0.1.0\n"));

    app.write_app_file(
        "project.toml",
        "[com.release-guard]\npreview = false\nmode = \"off\"\n",
    );
    let log = build_log(&app);
    assert!(
        log.contains("  - Reusing `release-guard` 0.1.0 (buildpack version unchanged)\n"),
        "{log}"
    );
    let config = app.layers_dir().join("release-guard/release-guard.toml");
    assert!(
        fs::read_to_string(&config)
            .unwrap()
            .contains("mode = \"off\"\n"),
        "the configuration is rewritten on a cache hit"
    );
    assert!(
        app.layers_dir()
            .join("release-guard/bin/release-guard")
            .is_file()
    );

    let metadata = app.layers_dir().join("release-guard.toml");
    let older = fs::read_to_string(&metadata).unwrap().replace(
        "buildpack_version = \"0.1.0\"",
        "buildpack_version = \"0.0.9\"",
    );
    fs::write(&metadata, older).unwrap();
    let log = build_log(&app);
    assert!(
        log.contains(
            "  - Replacing `release-guard` with 0.1.0 (buildpack version changed from 0.0.9 to 0.1.0)\n"
        ),
        "{log}"
    );
    assert!(
        app.layers_dir()
            .join("release-guard/bin/release-guard")
            .is_file()
    );
}

#[test]
fn bad_project_toml_fails_the_build() {
    // (the line, where toml points in it, toml's message); the table starts on line 4.
    let cases = [
        (
            "modes = \"warn\"",
            (1, 5),
            "unknown field `modes`, expected one of `settings-module`, `mode`, `block`, `ignore`, `timeout`, `preview`, `fail-level`, `proxy-ssl-header`, `live-url`",
        ),
        (
            "mode = \"strict\"",
            (8, 8),
            "`mode` must be enforce, warn or off",
        ),
        (
            "timeout = -1",
            (11, 2),
            "`timeout` must be a positive whole number of seconds, such as 120",
        ),
        (
            "settings-module = \"mysite/settings.py\"",
            (19, 20),
            "`settings-module` must be a dotted Python module path such as \"mysite.settings\"",
        ),
        (
            "ignore = [\"security.w021\"]",
            (10, 17),
            "`security.w021` is not a finding ID Release Guard knows; did you mean `security.W021`?",
        ),
    ];
    for (line, (column, width), message) in cases {
        // The configuration is checked first, so any Django app will do.
        let app = lifecycle("settings_package");
        app.write_app_file(
            "project.toml",
            &format!("[_]\nschema-version = \"0.2\"\n\n[com.release-guard]\n{line}\n"),
        );
        let build = app.build();
        assert_eq!(build.code, Some(1), "{}", build.transcript());
        assert_eq!(
            normalize_build_log(&build.stdout),
            "\n## Django Release Guard\n\n",
            "{}",
            build.transcript()
        );
        let caret = format!("{}{}", " ".repeat(column), "^".repeat(width));
        assert_eq!(
            normalize_build_log(&build.stderr),
            formatdoc! {"

                ! Django Release Guard: invalid configuration in project.toml
                !
                ! TOML parse error at line 5, column {column}
                !   |
                ! 5 | {line}
                !   |{caret}
                ! {message}
                !
                ! Fix the [com.release-guard] table in project.toml and build again.

            "},
            "{}",
            build.transcript()
        );
        assert!(!app.layers_dir().join("launch.toml").exists());
    }
}

#[test]
fn release_process_in_off_mode_runs_the_chained_command() {
    let app = lifecycle_without_preview("procfile_release");
    build_log(&app);
    for (status, expected_code) in [("0", 0), ("3", 3)] {
        let release = app.launch(
            "release",
            &[
                ("RELEASE_GUARD_MODE", "off"),
                ("RELEASE_TASKS_STATUS", status),
            ],
        );
        assert_eq!(
            release.code,
            Some(expected_code),
            "{}",
            release.transcript()
        );
        assert_eq!(
            release.stdout,
            indoc! {"
                Django Release Guard 0.1.0: RELEASE_GUARD_MODE=off, no checks run; the release goes ahead unchecked.
                Running release tasks
            "},
            "{}",
            release.transcript()
        );
    }
}

#[test]
fn release_process_blocks_before_the_chained_command() {
    // The fixture has none of the HTTPS settings.
    let app = after_heroku_python(lifecycle_without_preview("procfile_release"));
    build_log(&app);
    let release = app.launch("release", &[]);
    // The exec.d program stops the launch; the launcher says so and exits 82, and the log says
    // what the guard's own exit status was.
    assert_eq!(
        release.code,
        Some(LAUNCHER_EXIT_CODE),
        "{}",
        release.transcript()
    );
    assert!(
        release.stdout.contains("SECURE_SSL_REDIRECT"),
        "{}",
        release.transcript()
    );
    let exec_d_program = app
        .layers_dir()
        .join("release-guard/exec.d/release/release-guard-exec-d");
    assert!(
        release.stdout.ends_with(&formatdoc! {"
            The release process was not started: the guard exited with 1 (blocked), which the launcher reports as exit status 82.
            Release blocked: 4 problems
            Fix: change mysite/settings.py as shown above, then deploy again
            Deploy anyway: RELEASE_GUARD_MODE=warn
            ERROR: failed to launch: exec.d: failed to execute exec.d file at path '{}': exit status 1
        ", exec_d_program.display()}),
        "{}",
        release.transcript()
    );
    assert!(
        !release
            .stdout
            .lines()
            .any(|line| line == "Running release tasks"),
        "the chained command must not run when the guard blocks\n{}",
        release.transcript()
    );
}

#[test]
fn preview_lists_findings_without_failing_the_build() {
    let app = after_heroku_python(lifecycle("procfile_release"));
    let log = build_log(&app);
    let preview = &log[log.find("- Release preview").expect("a preview section")..];
    assert_eq!(
        preview,
        indoc! {r#"
            - Release preview (advisory: never fails the build)
              - Running `release-guard check` ... (<time>)
              - BLOCK `security.W004` (SECURE_HSTS_SECONDS): You have not set a value for the SECURE_HSTS_SECONDS setting.
                Fix: SECURE_HSTS_SECONDS = 3600
              - BLOCK `security.W008` (SECURE_SSL_REDIRECT): Your SECURE_SSL_REDIRECT setting is not set to True.
                Fix: SECURE_SSL_REDIRECT = True
                     SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
              - BLOCK `security.W012` (SESSION_COOKIE_SECURE): SESSION_COOKIE_SECURE is not set to True.
                Fix: SESSION_COOKIE_SECURE = True
              - BLOCK `security.W016` (CSRF_COOKIE_SECURE): You have 'django.middleware.csrf.CsrfViewMiddleware' in your MIDDLEWARE, but you have not set CSRF_COOKIE_SECURE to True.
                Fix: CSRF_COOKIE_SECURE = True
              - INFO `guard.database_checks_not_run`: Django's database checks were not run (django.core.checks.database.check_database_backends): Release Guard never connects to a database.
                Fix: python manage.py check --database default  # where the database is reachable, e.g. in CI
              - The release would be blocked by 4 blocking findings
            - Done (finished in <time>)
        "#},
        "{log}"
    );
}

#[test]
fn preview_without_django_is_one_line() {
    // No heroku/python layer: `python` with Django is not on the build PATH.
    let app = lifecycle("procfile_release");
    let log = build_log(&app);
    let preview: Vec<&str> = log
        .lines()
        .skip_while(|line| !line.starts_with("- Release preview"))
        .collect();
    assert_eq!(preview.len(), 4, "{log}");
    assert_eq!(preview[1], "  - Running `release-guard check` ... (<time>)");
    assert!(preview[2].starts_with("  - Preview skipped: "), "{log}");
    assert!(preview[3].starts_with("- Done (finished in "), "{log}");
}

#[test]
fn launcher_puts_the_python_layer_on_path_and_the_last_definition_wins() {
    let app = after_heroku_python(lifecycle_without_preview("procfile_release"));
    // An earlier buildpack (as heroku/procfile would, were it first) defines both types.
    app.write_launch_toml(
        PYTHON_BUILDPACK_DIR_NAME,
        indoc! {r#"
            [[processes]]
            type = "web"
            command = ["python", "-c", "import django, os; print(django.VERSION[:2], os.environ['RELEASE_GUARD_CONFIG'])"]

            [[processes]]
            type = "release"
            command = ["bash", "-c", "echo earlier definition"]
        "#},
    );
    build_log(&app);
    let web = app.launch("web", &[]);
    let config = app.layers_dir().join("release-guard/release-guard.toml");
    assert_eq!(
        web.stdout,
        format!("(5, 2) {}\n", config.display()),
        "{}",
        web.transcript()
    );
    let release = app.launch("release", &[("RELEASE_GUARD_MODE", "off")]);
    assert!(
        !release.stdout.contains("earlier definition"),
        "{}",
        release.transcript()
    );
}

/// `procfile_release` with the heroku/release-phase stand-in, detected (the plan resolved).
fn detected_with_release_phase(order: Order) -> Lifecycle {
    let mut app = lifecycle_without_preview("procfile_release");
    app.add_stand_in(StandIn::ReleasePhase, order);
    let detect = app.detect();
    assert_eq!(detect.code, Some(0), "{}", detect.transcript());
    app
}

#[test]
fn heroku_release_phase_earlier_in_the_group_owns_the_release_process() {
    let app = detected_with_release_phase(Order::BeforeGuard);
    let log = build_log(&app);
    let process = &log[log.find("- Process type").expect("a process section")..];
    assert_eq!(
        process,
        indoc! {"
            - Process type `release`: left to `heroku/release-phase`
              - Adds `release-guard release` to its release commands, so that every release is checked
            - Release preview (advisory: never fails the build)
              - Skipped: preview = false in project.toml
            - Done (finished in <time>)
        "},
        "{log}"
    );
    assert!(!app.layers_dir().join("launch.toml").exists());
    let release_phase = app.layers_root().join(StandIn::ReleasePhase.dir_name());
    assert_eq!(
        fs::read_to_string(release_phase.join("main/release-commands")).unwrap(),
        "'release-guard' 'release'\n"
    );
}

#[test]
fn heroku_release_phase_later_in_the_group_leaves_the_guard_its_process() {
    // The build plan rules need the provider of `release-phase` first, so the `[[or]]`
    // alternative wins: the guard declares `release`, and heroku/release-phase gets no command.
    let app = detected_with_release_phase(Order::AfterGuard);
    assert_eq!(build_log(&app), procfile_release_build_log());
    assert_launch_toml(&app, PROCFILE_RELEASE_LAUNCH_TOML);
    let release_phase = app.layers_root().join(StandIn::ReleasePhase.dir_name());
    assert!(!release_phase.join("launch.toml").exists());
}
