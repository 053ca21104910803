use super::*;
use std::collections::BTreeMap;

/// An app's files in memory.
struct Files(BTreeMap<PathBuf, Result<String, String>>);

impl Files {
    fn new(files: &[(&str, &str)]) -> Self {
        Self(
            files
                .iter()
                .map(|(path, text)| (PathBuf::from(path), Ok((*text).to_string())))
                .collect(),
        )
    }
}

impl AppFiles for Files {
    fn read(&self, path: &Path) -> Result<Option<String>, String> {
        self.0.get(path).cloned().transpose()
    }

    fn exists(&self, path: &Path) -> bool {
        self.0.contains_key(path)
    }
}

const WSGI: &str =
    "os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"config.settings.production\")\n";

fn lookup(name: &str) -> Option<String> {
    (name == "PORT").then(|| "5000".to_string())
}

fn web(procfile: &str, files: &[(&str, &str)]) -> WebResolution {
    let mut all = vec![("Procfile", procfile)];
    all.extend_from_slice(files);
    resolve_web_process(&Files::new(&all), &lookup)
}

fn understood(procfile: &str, files: &[(&str, &str)]) -> WebProcess {
    match web(procfile, files) {
        WebResolution::Understood(process) => process,
        other => panic!("{procfile}: {other:?}"),
    }
}

fn unsure(procfile: &str, files: &[(&str, &str)]) -> String {
    match web(procfile, files) {
        WebResolution::Unsure { reason, .. } => reason,
        other => panic!("{procfile}: {other:?}"),
    }
}

/// (server and `module:attribute`, module file, `DJANGO_SETTINGS_MODULE` set by the command).
fn summary(process: &WebProcess) -> (String, String, Option<String>) {
    (
        process.describe(),
        process
            .module_file
            .as_ref()
            .map_or_else(String::new, |file| file.display().to_string()),
        process.explicit_settings().map(str::to_string),
    )
}

fn expect(describe: &str, file: &str, explicit: Option<&str>) -> (String, String, Option<String>) {
    (
        describe.to_string(),
        file.to_string(),
        explicit.map(str::to_string),
    )
}

const CONFIG_WSGI: (&str, &str) = ("config/wsgi.py", WSGI);
const CONFIG_ASGI: (&str, &str) = ("config/asgi.py", WSGI);

#[test]
fn every_server_form_names_its_module() {
    let gunicorn = expect("gunicorn config.wsgi:application", "config/wsgi.py", None);
    for procfile in [
        "web: gunicorn config.wsgi:application",
        "web: gunicorn config.wsgi",
        "web: gunicorn --preload -w 4 -b 0.0.0.0:$PORT config.wsgi --log-file -",
        "web: python -m gunicorn config.wsgi:application",
        "web: python3.12 -u -m gunicorn config.wsgi",
        "web: exec /app/.venv/bin/gunicorn config.wsgi",
        "web: newrelic-admin run-program gunicorn config.wsgi",
        "web: ddtrace-run gunicorn config.wsgi:application",
        "web: python manage.py migrate && exec gunicorn config.wsgi",
        "web : gunicorn 'config.wsgi:application' # comment",
    ] {
        assert_eq!(
            summary(&understood(procfile, &[CONFIG_WSGI])),
            gunicorn,
            "{procfile}"
        );
    }
    for (procfile, describe) in [
        (
            "web: uvicorn config.asgi:application --host 0.0.0.0 --port $PORT --proxy-headers",
            "uvicorn config.asgi:application",
        ),
        (
            "web: python -m uvicorn --factory config.asgi:application",
            "uvicorn config.asgi:application",
        ),
        (
            "web: daphne -b 0.0.0.0 -p $PORT --proxy-headers config.asgi:application",
            "daphne config.asgi:application",
        ),
        (
            "web: hypercorn config.asgi:application --bind 0.0.0.0:$PORT",
            "hypercorn config.asgi:application",
        ),
        ("web: hypercorn config.asgi", "hypercorn config.asgi:app"),
    ] {
        assert_eq!(
            summary(&understood(procfile, &[CONFIG_ASGI])),
            expect(describe, "config/asgi.py", None),
            "{procfile}"
        );
    }
    for procfile in [
        "web: waitress-serve --port=$PORT config.wsgi:application",
        "web: waitress-serve --call --app=config.wsgi:application",
    ] {
        assert_eq!(
            summary(&understood(procfile, &[CONFIG_WSGI])).1,
            "config/wsgi.py",
            "{procfile}"
        );
    }
}

#[test]
fn runserver_loads_manage_py() {
    let process = understood(
        "web: python manage.py runserver 0.0.0.0:$PORT --settings=config.settings.heroku",
        &[],
    );
    assert_eq!(
        summary(&process),
        expect(
            "manage.py runserver",
            "manage.py",
            Some("config.settings.heroku")
        )
    );
    assert_eq!(process.app, None);
    assert_eq!(
        summary(&understood("web: cd src && ./manage.py runserver", &[])),
        expect("src/manage.py runserver", "src/manage.py", None)
    );
    assert_eq!(
        summary(&understood("web: django-admin runserver", &[])),
        expect("django-admin runserver", "", None)
    );
    assert!(unsure("web: python manage.py migrate", &[]).contains("other than runserver"));
}

#[test]
fn the_environment_the_command_sets() {
    let process = understood(
        "web: DJANGO_SETTINGS_MODULE=a.settings env B=1 gunicorn -e DJANGO_SETTINGS_MODULE=config.settings.web --env=C=2 config.wsgi",
        &[CONFIG_WSGI],
    );
    assert_eq!(process.explicit_settings(), Some("config.settings.web"));
    assert_eq!(
        process.environment,
        [
            ("DJANGO_SETTINGS_MODULE", "a.settings"),
            ("B", "1"),
            ("DJANGO_SETTINGS_MODULE", "config.settings.web"),
            ("C", "2"),
        ]
        .map(|(name, value)| (name.to_string(), value.to_string()))
    );
}

#[test]
fn gunicorn_chdir_pythonpath_and_config_move_the_module() {
    let in_src = [("src/config/wsgi.py", WSGI)];
    assert_eq!(
        understood("web: gunicorn --chdir src config.wsgi", &in_src).module_file,
        Some(PathBuf::from("src/config/wsgi.py"))
    );
    assert_eq!(
        understood("web: gunicorn --pythonpath src,lib config.wsgi", &in_src).module_file,
        Some(PathBuf::from("src/config/wsgi.py"))
    );
    assert_eq!(
        understood("web: cd src; gunicorn config.wsgi", &in_src).module_file,
        Some(PathBuf::from("src/config/wsgi.py"))
    );
    let package = [("config/wsgi/__init__.py", WSGI)];
    assert_eq!(
        understood("web: gunicorn config.wsgi", &package).module_file,
        Some(PathBuf::from("config/wsgi/__init__.py"))
    );
    let config = "wsgi_app = 'config.wsgi:application'\nraw_env = ['DJANGO_SETTINGS_MODULE=config.settings.web']\nchdir = 'src'\n";
    let process = understood(
        "web: gunicorn -c deploy/gunicorn.py",
        &[("deploy/gunicorn.py", config), in_src[0]],
    );
    assert_eq!(
        summary(&process),
        expect(
            "gunicorn config.wsgi:application",
            "src/config/wsgi.py",
            Some("config.settings.web")
        )
    );
    // gunicorn.conf.py is read when present, even unnamed.
    let process = understood(
        "web: gunicorn config.wsgi",
        &[("gunicorn.conf.py", config), in_src[0]],
    );
    assert_eq!(process.explicit_settings(), Some("config.settings.web"));
    // The command line's --env list replaces the config file's.
    let process = understood(
        "web: gunicorn -e A=1 config.wsgi",
        &[("gunicorn.conf.py", config), in_src[0]],
    );
    assert_eq!(process.explicit_settings(), None);
}

#[test]
fn gunicorn_cmd_args_count_between_config_and_command_line() {
    let files = Files::new(&[("Procfile", "web: gunicorn config.wsgi"), CONFIG_WSGI]);
    let lookup = |name: &str| {
        (name == "GUNICORN_CMD_ARGS")
            .then(|| "--env DJANGO_SETTINGS_MODULE=config.settings.env --workers 3".to_string())
    };
    let WebResolution::Understood(process) = resolve_web_process(&files, &lookup) else {
        panic!("not understood");
    };
    assert_eq!(process.explicit_settings(), Some("config.settings.env"));
}

#[test]
fn what_cannot_be_read_for_certain_is_unsure_with_the_reason() {
    for (procfile, files, reason) in [
        (
            "web: bin/start-nginx gunicorn config.wsgi",
            &[CONFIG_WSGI][..],
            "it starts `bin/start-nginx`, which the guard cannot see into",
        ),
        (
            "web: bin/start-web",
            &[],
            "it starts `bin/start-web`, which the guard cannot see into",
        ),
        (
            "web: gunicorn $(cat module)",
            &[],
            "it runs a command substitution ($(...) or `...`)",
        ),
        (
            "web: gunicorn other.wsgi",
            &[CONFIG_WSGI],
            "its app module other.wsgi is not a file in the app (looked for other/wsgi.py, other/wsgi/__init__.py)",
        ),
        (
            "web: gunicorn $WSGI_MODULE",
            &[],
            "no app module found in its gunicorn options",
        ),
        (
            "web: /app/manage.py runserver",
            &[],
            "its manage.py path `/app/manage.py` points outside the app or cannot be followed",
        ),
        (
            "web: gunicorn --some-new-flag config.wsgi",
            &[CONFIG_WSGI],
            "no app module found in its gunicorn options",
        ),
        (
            "web: uvicorn config.asgi",
            &[CONFIG_ASGI],
            "its app `config.asgi` names no object (module:object)",
        ),
        (
            "web: uvicorn --env-file .env config.asgi:application",
            &[CONFIG_ASGI],
            "uvicorn loads variables from --env-file",
        ),
        (
            "web: gunicorn --chdir /app config.wsgi",
            &[],
            "its --chdir `/app` points outside the app or cannot be followed",
        ),
        (
            "web: gunicorn --chdir ../x config.wsgi",
            &[],
            "its --chdir `../x` points outside the app or cannot be followed",
        ),
        (
            "web: gunicorn -c python:conf config.wsgi",
            &[],
            "its gunicorn config is the module python:conf, which the guard does not read",
        ),
        (
            "web: gunicorn -c missing.py config.wsgi",
            &[],
            "its gunicorn config missing.py does not exist",
        ),
        (
            "web: gunicorn config.wsgi",
            &[("gunicorn.conf.py", "raw_env = env_list()\n")],
            "gunicorn.conf.py sets raw_env in a way only running it would tell",
        ),
        (
            "web: gunicorn config/wsgi.py",
            &[],
            "its app `config/wsgi.py` is not a module:object the guard can load",
        ),
        ("web: python app.py", &[], "it runs Python with `app.py`"),
        (
            "web: python -m flask run",
            &[],
            "it runs the Python module flask",
        ),
        (
            "web: exec -a name gunicorn x.wsgi",
            &[],
            "it passes options to exec",
        ),
        ("web: A=1", &[], "it sets variables but runs nothing"),
        (
            "web: gunicorn x.wsgi | cat",
            &[],
            "it pipes or chains commands with | or ||",
        ),
    ] {
        assert_eq!(unsure(procfile, files), reason, "{procfile}");
    }
}

#[test]
fn without_a_procfile_or_web_line_or_a_readable_procfile() {
    assert_eq!(
        resolve_web_process(&Files::new(&[]), &lookup),
        WebResolution::NoProcfile
    );
    assert_eq!(
        web("release: x\nworker: y\n", &[]),
        WebResolution::NoWebCommand
    );
    let mut files = Files::new(&[]);
    files.0.insert(
        PathBuf::from("Procfile"),
        Err("Procfile could not be read: it is not a regular file".to_string()),
    );
    assert_eq!(
        resolve_web_process(&files, &lookup),
        WebResolution::Unsure {
            command: None,
            reason: "Procfile could not be read: it is not a regular file".to_string()
        }
    );
}

#[test]
fn the_settings_default_comes_from_the_module_file() {
    let process = understood("web: gunicorn config.wsgi", &[CONFIG_WSGI]);
    let files = Files::new(&[CONFIG_WSGI]);
    assert_eq!(
        process
            .settings_default(&files)
            .unwrap()
            .map(|module| module.to_string()),
        Some("config.settings.production".to_string())
    );
    let bare = Files::new(&[("config/wsgi.py", "application = None\n")]);
    assert_eq!(process.settings_default(&bare), Ok(None));
}

#[test]
fn the_import_root_holds_the_top_package() {
    let root = |procfile: &str, files: &[(&str, &str)]| {
        understood(procfile, files)
            .import_root()
            .map(|root| root.display().to_string())
    };
    assert_eq!(
        root("web: gunicorn config.wsgi", &[CONFIG_WSGI]).as_deref(),
        Some("")
    );
    assert_eq!(
        root(
            "web: gunicorn --chdir src config.wsgi",
            &[("src/config/wsgi.py", WSGI)]
        )
        .as_deref(),
        Some("src")
    );
    assert_eq!(
        root(
            "web: gunicorn config.wsgi",
            &[("config/wsgi/__init__.py", WSGI)]
        )
        .as_deref(),
        Some("")
    );
    assert_eq!(
        root("web: cd src && python manage.py runserver", &[]).as_deref(),
        Some("src")
    );
    assert_eq!(root("web: django-admin runserver", &[]), None);
}
