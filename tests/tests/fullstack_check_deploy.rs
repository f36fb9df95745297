//! `check --deploy` through `Project::run_with`: an insecure settings file fails with Django's
//! ids and hints, a secure one passes, and `--fail-level WARNING` fails on warnings alone.

use fullstack::{Project, Settings};

const SECURE: &str = r#"
SECRET_KEY = "v9Jq2LrX7pZ0cWm4Hs8Tk1Ny6Bd3Fg5Qa-Ue_Ri+Oo/Pl=Zx!Cv@Ke#"
ALLOWED_HOSTS = ["example.com"]
SESSION_COOKIE_SECURE = true
CSRF_COOKIE_SECURE = true
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = true
SECURE_HSTS_PRELOAD = true
SECURE_SSL_REDIRECT = true
SECURE_CSP = { default-src = ["'self'"] }
"#;

const INSECURE: &str = r#"
DEBUG = true
SECRET_KEY = "change me"
X_FRAME_OPTIONS = "SAMEORIGIN"
"#;

struct Run {
    code: i32,
    out: String,
    err: String,
}

/// Runs `manage ARGS` for a project whose `settings.toml` is `settings`.
async fn run(settings: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(Settings::FILE), settings).unwrap();
    let settings = Settings::load_from(dir.path()).unwrap();
    let project = Project::new("site").settings(settings);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = std::iter::once("manage").chain(args.iter().copied());
    let code = project.run_with(argv, &mut out, &mut err).await;
    Run {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

#[tokio::test]
async fn insecure_settings_fail_the_deploy_check_with_ids_and_hints() {
    let r = run(INSECURE, &["check", "--deploy"]).await;
    assert_eq!(r.code, 1, "out:\n{}\nerr:\n{}", r.out, r.err);
    for id in [
        "W004", "W008", "W009", "W012", "W016", "W018", "W019", "W020", "W026",
    ] {
        assert!(
            r.err.contains(&format!("(security.{id})")),
            "{id}:\n{}",
            r.err
        );
    }
    assert!(
        r.err.contains("(security.W018) ERROR: DEBUG is true"),
        "{}",
        r.err
    );
    assert!(r.err.contains("HINT: Set DEBUG = false"), "{}", r.err);
    assert!(
        r.err.contains("System check identified 9 issue(s):"),
        "{}",
        r.err
    );
    // The key itself is never printed.
    assert!(!r.err.contains("change me"), "{}", r.err);
}

#[tokio::test]
async fn plain_check_ignores_the_settings() {
    let r = run(INSECURE, &["check"]).await;
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.out.contains("no issues"), "{}", r.out);
}

#[tokio::test]
async fn secure_settings_pass_the_deploy_check() {
    let r = run(SECURE, &["check", "--deploy", "--fail-level", "WARNING"]).await;
    assert_eq!(
        (r.code, r.out.as_str()),
        (0, "System check identified no issues.\n"),
        "{}",
        r.err
    );
}

#[tokio::test]
async fn warnings_fail_only_at_fail_level_warning() {
    let without_csp = SECURE.replace("SECURE_CSP", "SECURE_CSP_REPORT_ONLY");
    let r = run(&without_csp, &["check", "--deploy"]).await;
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.err.contains("(security.W026) WARNING"), "{}", r.err);
    let r = run(
        &without_csp,
        &["check", "--deploy", "--fail-level", "warning"],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.err);
    let r = run(&without_csp, &["check", "--deploy", "--fail-level", "INFO"]).await;
    assert_eq!(r.code, 2, "{}", r.err);
}
