//! End-to-end tests with `pack` and heroku/builder:24 (libcnb-test). They need a Docker daemon,
//! `pack` >= 0.35.1 and the musl target, so they are ignored by default; run them with
//! `cargo test --test integration -- --ignored libcnb_integration_test`.

use crate::support::python::fixture;
use libcnb_test::{
    BuildConfig, BuildpackReference, ContainerConfig, TestContext, TestRunner, assert_contains,
    assert_not_contains,
};

const BUILDER: &str = "heroku/builder:24";

/// The group a Django app on Fir uses: heroku/python, heroku/procfile, then the guard. Its
/// `release` process wins and chains the Procfile command; the exec.d program checks first.
fn django_build(fixture_name: &str) -> BuildConfig {
    django_build_in_order(fixture_name, GuardPlace::AfterProcfile)
}

#[derive(Debug, Clone, Copy)]
enum GuardPlace {
    /// heroku/procfile's `release` (`bash -c <line>`) wins.
    BeforeProcfile,
    /// The guard's `release` wins.
    AfterProcfile,
}

fn django_build_in_order(fixture_name: &str, place: GuardPlace) -> BuildConfig {
    let python = BuildpackReference::Other("heroku/python".to_string());
    let procfile = BuildpackReference::Other("heroku/procfile".to_string());
    let mut config = BuildConfig::new(BUILDER, fixture(fixture_name));
    config.buildpacks(match place {
        GuardPlace::BeforeProcfile => [python, BuildpackReference::CurrentCrate, procfile],
        GuardPlace::AfterProcfile => [python, procfile, BuildpackReference::CurrentCrate],
    });
    config
}

/// The tutorial's config vars (see tests/support/python.rs), as `-e` pairs.
fn tutorial_config_vars(use_ssl: bool) -> Vec<(&'static str, &'static str)> {
    let mut vars = crate::support::python::TUTORIAL_CONFIG_VARS.to_vec();
    if use_ssl {
        vars.push(("USE_SSL", "true"));
    }
    vars
}

/// Runs the image's `release` process with the given config vars and returns its output.
fn run_release(context: &TestContext, config_vars: &[(&str, &str)]) -> String {
    let mut container = ContainerConfig::new();
    container
        .entrypoint("release")
        .envs(config_vars.iter().copied());
    let mut logs = String::new();
    context.start_container(container, |container| {
        let output = container.logs_wait();
        logs = format!("{}{}", output.stdout, output.stderr);
    });
    logs
}

#[test]
#[ignore = "integration test"]
fn release_process_blocks_insecure_settings_before_the_procfile_command() {
    TestRunner::default().build(django_build("procfile_release"), |context| {
        assert_contains!(context.pack_stdout, "## Django Release Guard");
        assert_contains!(
            context.pack_stdout,
            "Runs the Procfile release command after the guard passes"
        );
        // heroku/python's venv is on PATH during the build, so the preview ran the gate.
        assert_contains!(context.pack_stdout, "`security.W008`");

        let logs = run_release(&context, &[]);
        assert_contains!(logs, "SECURE_SSL_REDIRECT");
        assert_contains!(
            logs,
            // After the launcher's `ERROR: `, which may be coloured.
            "failed to launch: exec.d: failed to execute exec.d file"
        );
        assert_not_contains!(logs, "Running release tasks");
    });
}

#[test]
#[ignore = "integration test"]
fn tutorial_is_gated_once_whichever_release_process_wins() {
    for place in [GuardPlace::BeforeProcfile, GuardPlace::AfterProcfile] {
        TestRunner::default().build(django_build_in_order("tutorial", place), |context| {
            assert_contains!(
                context.pack_stdout,
                "Installed for the `release` process type (exec.d)"
            );
            let blocked = run_release(&context, &tutorial_config_vars(false));
            assert_contains!(blocked, "Release blocked: 4 problems");
            assert_contains!(
                blocked,
                "The release process was not started: the guard exited with 1 (blocked)"
            );
            assert_not_contains!(blocked, "Operations to perform:");

            let passed = run_release(&context, &tutorial_config_vars(true));
            assert_contains!(passed, "Release passed with 2 warnings");
            assert_contains!(passed, "Applying sessions.0001_initial... OK");
            assert_eq!(
                passed.matches("Django Release Guard 0.1.0 | ").count(),
                1,
                "{place:?}: the gate runs once\n{passed}"
            );
        });
    }
}

#[test]
#[ignore = "integration test"]
fn release_process_in_off_mode_runs_the_procfile_command() {
    TestRunner::default().build(django_build("procfile_release"), |context| {
        let logs = run_release(&context, &[("RELEASE_GUARD_MODE", "off")]);
        assert_contains!(logs, "Running release tasks");
    });
}

#[test]
#[ignore = "integration test"]
fn rebuild_reuses_the_guard_layer() {
    TestRunner::default().build(django_build("procfile_release"), |context| {
        assert_contains!(context.pack_stdout, "Installing `release-guard` 0.1.0");
        let config = context.config.clone();
        context.rebuild(config, |rebuilt| {
            assert_contains!(
                rebuilt.pack_stdout,
                "Reusing `release-guard` 0.1.0 (buildpack version unchanged)"
            );
        });
    });
}

#[test]
#[ignore = "integration test"]
fn tutorial_release_is_blocked_without_use_ssl_and_passes_with_it() {
    TestRunner::default().build(django_build("tutorial"), |context| {
        // Through the launcher, so the guard's layer env applies; config vars set inline.
        let release = |config_vars: &str| {
            context
                .run_shell_command(format!(
                    "{config_vars} release-guard release; echo \"release exit status: $?\""
                ))
                .stdout
        };
        let secret = "SECRET_KEY=integration-test-7hQ2vN9xL4pR8sT1wY6zB3cF5jK0mDa4Ge8Uc2Xn6Vs";
        let blocked = release(secret);
        assert_contains!(blocked, "SECURE_SSL_REDIRECT");
        assert_contains!(blocked, "release exit status: 1");

        let passed = release(&format!("{secret} USE_SSL=true"));
        assert_contains!(passed, "release exit status: 0");
    });
}
