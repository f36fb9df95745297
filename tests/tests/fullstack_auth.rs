//! fullstack's auth app (Django's contrib.auth) through its public API, on every database
//! backend: logging in and out through the real forms with their CSRF tokens, the session key
//! changing at login, the open-redirect list, throttling and its reset (per client address over
//! a real socket too), the user cached in the session, a Django-made hash
//! logging in and being rehashed, permissions through groups, guards (302 for anonymous
//! visitors, 403 without the permission), a second backend, a password change ending the other
//! sessions, `user`/`perms` in templates, and `createsuperuser --noinput`.

mod backends;

use backends::migrate;

use backends::{TestDb, on_every_backend};
use fullstack::auth::{
    self, AuthBackend, AuthConfig, BackendFuture, Credentials, CurrentUser, Group, Hashers,
    Permission, User, UserPermissions,
};
use fullstack::query::prelude::*;
use fullstack::sessions::{self, Session};
use fullstack::{Database, Project, Settings};
use micro::routing::get;
use micro::{Templates, TestClient, TestResponse};

/// Django's `make_password('lètmein', 'seasalt', 'pbkdf2_sha256')` at 1,200,000 rounds.
const DJANGO_HASH: &str =
    "pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=";
const PASSWORD: &str = "correct horse battery";

/// A name nobody else uses: the servers' tables are shared by parallel tests and by runs.
fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// Accepts any existing user whose password is `open sesame`: a second backend.
struct SesameBackend;

impl AuthBackend for SesameBackend {
    fn name(&self) -> &str {
        "sesame"
    }

    fn authenticate<'a>(
        &'a self,
        db: &'a Database,
        _config: &'a AuthConfig,
        credentials: &'a Credentials,
    ) -> BackendFuture<'a, Option<User>> {
        Box::pin(async move {
            if credentials.password != "open sesame" {
                return Ok(None);
            }
            let user = User::objects()
                .filter(User::USERNAME.eq(credentials.username.clone()))
                .first(db)
                .await?;
            Ok(user.filter(|u| u.is_active))
        })
    }
}

fn project(settings: &str) -> Project {
    let mut settings = Settings::from_toml_str(settings).unwrap();
    settings.web.secret_key = Some(micro::Secret::new("auth test key"));
    Project::new("site")
        .settings(settings)
        .app(sessions::app())
        .app(auth::app_with(AuthConfig::default().backend(SesameBackend)))
        .web(|app| {
            app.get("/visit", |session: Session| async move {
                session.insert("visited", true)?;
                Ok::<_, micro::Error>("visited")
            });
            app.get("/visited", |session: Session| async move {
                format!("{:?}", session.get::<bool>("visited"))
            });
            app.route(
                "/private/",
                get(|user: CurrentUser| async move { format!("hello {}", user.username()) })
                    .guard(auth::login_required()),
            );
            app.route(
                "/change-user/",
                get(|| async { "may change users" })
                    .guard(auth::permission_required("auth.change_user")),
            );
            app.route(
                "/staff/",
                get(|| async { "staff only" }).guard(auth::staff_required()),
            );
            app.add_template(
                "whoami.html",
                "{{ user.username }}|{{ user.is_authenticated }}|{{ perms.auth.change_user }}|{% if perms.auth %}auth{% endif %}",
            )
            .unwrap();
            app.get("/whoami", |t: Templates| async move {
                t.render("whoami.html", ())
            });
        })
}

async fn client_with(t: &TestDb, settings: &str) -> TestClient {
    let project = project(settings);
    migrate(&project, &t.url).await;
    TestClient::new(project.web_app(&t.db).unwrap())
}

async fn client(t: &TestDb) -> TestClient {
    client_with(t, "").await
}

async fn make_user(db: &Database, password: &str) -> User {
    let mut user = User::new(Hashers::default().hash(password), unique("u"));
    user.email = format!("{}@example.com", user.username);
    User::objects().create(db, user).await.unwrap()
}

/// The CSRF token of the form on `page`.
fn token_in(page: &str) -> String {
    let input = page
        .find("name=\"csrfmiddlewaretoken\"")
        .expect("the form carries the CSRF token");
    let at = page[input..].find("value=\"").unwrap() + input + 7;
    let end = page[at..].find('"').unwrap() + at;
    page[at..end].to_owned()
}

/// Logs in through the login page, as a browser does: GET the form, POST it with its token.
async fn log_in(c: &TestClient, username: &str, password: &str, next: &str) -> TestResponse {
    let page = c.get("/accounts/login/").await;
    assert_eq!(page.status(), 200);
    let token = token_in(&page.text());
    c.post("/accounts/login/")
        .form(&[
            ("csrfmiddlewaretoken", token.as_str()),
            ("username", username),
            ("password", password),
            ("next", next),
        ])
        .await
}

#[tokio::test]
async fn login_and_logout_through_the_forms() {
    on_every_backend("loginout", |t| async move {
        let c = client(&t).await;
        let user = make_user(&t.db, PASSWORD).await;

        let anonymous = c.get("/private/").await;
        assert_eq!(anonymous.status(), 302);
        assert_eq!(
            anonymous.header("location"),
            Some("/accounts/login/?next=%2Fprivate%2F")
        );

        c.get("/visit").await;
        let before = c.cookie("sessionid").unwrap();
        let res = log_in(&c, &user.username, PASSWORD, "/private/").await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(res.header("location"), Some("/private/"));
        let after = c.cookie("sessionid").unwrap();
        assert_ne!(
            before, after,
            "{}: the session key changes at login",
            t.name
        );

        let res = c.get("/private/").await;
        assert_eq!(res.status(), 200);
        assert_eq!(res.text(), format!("hello {}", user.username));
        assert_eq!(
            c.get("/visited").await.text(),
            "Some(true)",
            "the anonymous data stays"
        );
        // Another user logging in on this browser drops the first one's data.
        let second = make_user(&t.db, PASSWORD).await;
        assert_eq!(
            log_in(&c, &second.username, PASSWORD, "").await.status(),
            302
        );
        assert_eq!(c.get("/visited").await.text(), "None");
        assert_eq!(
            c.get("/private/").await.text(),
            format!("hello {}", second.username)
        );
        assert_eq!(log_in(&c, &user.username, PASSWORD, "").await.status(), 302);
        let stored = User::objects()
            .filter(User::PK.eq(user.id))
            .get(&t.db)
            .await
            .unwrap();
        assert!(stored.last_login.is_some(), "last_login is set");

        // Logging out is a POST (Django 5): a GET is refused, a POST without a token too.
        assert_eq!(c.get("/accounts/logout/").await.status(), 405);
        assert_eq!(c.post("/accounts/logout/").await.status(), 403);
        let res = c.post("/accounts/logout/").with_csrf_token().await;
        assert_eq!(res.status(), 200, "{}", res.text());
        assert!(res.text().contains("You have been logged out"));
        assert_eq!(c.get("/private/").await.status(), 302);
    })
    .await;
}

#[tokio::test]
async fn wrong_credentials_show_the_form_again_with_the_values_escaped() {
    on_every_backend("wrong", |t| async move {
        let c = client(&t).await;
        let user = make_user(&t.db, PASSWORD).await;
        let res = log_in(&c, &user.username, "not it", "").await;
        assert_eq!(res.status(), 200);
        let page = res.text();
        assert!(
            page.contains("Please enter a correct username and password."),
            "{page}"
        );
        assert!(page.contains(&format!("value=\"{}\"", user.username)));
        assert!(!page.contains("not it"), "a password is never shown again");
        assert!(
            page.contains("csrfmiddlewaretoken"),
            "the form again has its token"
        );

        let res = log_in(&c, "<script>x</script>", "pw", "").await;
        assert_eq!(res.status(), 200);
        assert!(!res.text().contains("<script>x"), "{}", res.text());
        assert!(res.text().contains("&lt;script&gt;x"));

        let res = log_in(&c, "", "", "").await;
        assert_eq!(res.status(), 200);
        assert!(res.text().contains("This field is required."));

        // An inactive user cannot log in, nor can an unusable password.
        User::objects()
            .filter(User::PK.eq(user.id))
            .update(&t.db, [User::IS_ACTIVE.set(false)])
            .await
            .unwrap();
        let res = log_in(&c, &user.username, PASSWORD, "").await;
        assert_eq!(res.status(), 200);
        assert_eq!(c.get("/private/").await.status(), 302);
    })
    .await;
}

#[tokio::test]
async fn next_goes_only_to_this_site() {
    on_every_backend("next", |t| async move {
        let c = client(&t).await;
        let user = make_user(&t.db, PASSWORD).await;
        for evil in [
            "//evil.com",
            "https://evil.com",
            "/\\evil.com",
            "javascript:alert(1)",
            "/%2F/evil.com",
            "%2F%2Fevil.com",
            "/%5Cevil.com",
            "javascript%3Aalert(1)",
            "http://localhost@evil.com/",
        ] {
            let res = log_in(&c, &user.username, PASSWORD, evil).await;
            assert_eq!(res.status(), 302, "{evil}");
            assert_eq!(
                res.header("location"),
                Some("/accounts/profile/"),
                "{evil} must go to LOGIN_REDIRECT_URL"
            );
        }
        let res = log_in(&c, &user.username, PASSWORD, "/polls/?page=2").await;
        assert_eq!(res.header("location"), Some("/polls/?page=2"));
    })
    .await;
}

/// `TEST_REDIS_URL`, or a line saying the Redis parts were not tested.
fn redis_url() -> Option<String> {
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            println!("NOT TESTED: the login throttle in Redis (set TEST_REDIS_URL)");
            None
        }
    }
}

#[tokio::test]
async fn the_throttle_in_redis_is_shared_by_instances_and_reset_by_a_success() {
    let Some(url) = redis_url() else {
        return;
    };
    on_every_backend("throttle_redis", |t| {
        let url = url.clone();
        async move {
            let prefix = format!("test.{}:", unique("throttle"));
            let toml = format!(
                "AUTH_THROTTLE_FAILURES = 3\nAUTH_THROTTLE_WINDOW = 600\n\
                 AUTH_THROTTLE_STORE = \"cache\"\nAUTH_THROTTLE_REDIS_PREFIX = \"{prefix}\"\n\
                 SESSION_REDIS_URL = \"{url}\""
            );
            // Two instances of the site: two web apps, each with its own throttle and
            // connection, on the same database and the same Redis.
            let a = client_with(&t, &toml).await;
            let b = client_with(&t, &toml).await;
            let user = make_user(&t.db, PASSWORD).await;
            let name = user.username.as_str();

            assert_eq!(log_in(&a, name, "wrong", "").await.status(), 200);
            assert_eq!(log_in(&b, name, "wrong", "").await.status(), 200);
            // A success on either clears the count for both...
            assert_eq!(log_in(&b, name, PASSWORD, "").await.status(), 302);
            assert_eq!(log_in(&a, name, "wrong", "").await.status(), 200);
            assert_eq!(log_in(&a, name, "wrong", "").await.status(), 200);
            assert_eq!(log_in(&a, name, PASSWORD, "").await.status(), 302);
            // ...and failures on both add up: three, and both instances refuse.
            for c in [&a, &b, &a] {
                assert_eq!(log_in(c, name, "wrong", "").await.status(), 200);
            }
            for c in [&a, &b] {
                let res = log_in(c, name, PASSWORD, "").await;
                assert_eq!(res.status(), 429, "{}", t.name);
                let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
                assert!((590..=600).contains(&retry), "{retry}");
            }

            // Counted in Redis, with the window as the key's life; nothing in the table.
            let mut redis = redis::Client::open(url.as_str())
                .unwrap()
                .get_multiplexed_async_connection()
                .await
                .unwrap();
            let key = format!("{prefix}user:{}", user.username.to_lowercase());
            let (members, ttl): (u64, i64) = redis::pipe()
                .cmd("ZCARD")
                .arg(&key)
                .cmd("PTTL")
                .arg(&key)
                .query_async(&mut redis)
                .await
                .unwrap();
            assert_eq!(members, 3);
            assert!((590_000..=600_000).contains(&ttl), "{ttl}");
            let rows = auth::LoginFailure::objects()
                .filter(auth::LoginFailure::USERNAME.eq(user.username.to_lowercase()))
                .count(&t.db)
                .await
                .unwrap();
            assert_eq!(rows, 0);

            // Per address, through the API.
            let settings = Settings::from_toml_str(&toml).unwrap();
            let throttle = auth::Throttle::from_settings(&settings).unwrap();
            let addr: std::net::IpAddr = "10.9.8.7".parse().unwrap();
            for n in 0..3 {
                let someone = format!("{}{n}", unique("a"));
                assert!(
                    throttle
                        .check(&t.db, &someone, Some(addr))
                        .await
                        .unwrap()
                        .is_ok()
                );
                throttle
                    .record_failure(&t.db, &someone, Some(addr))
                    .await
                    .unwrap();
            }
            let refused = throttle
                .check(&t.db, &unique("new"), Some(addr))
                .await
                .unwrap();
            assert!(refused.is_err(), "the address has three failures");
            let _: () = redis::cmd("DEL")
                .arg(&key)
                .arg(format!("{prefix}addr:{addr}"))
                .query_async(&mut redis)
                .await
                .unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn a_throttle_redis_that_does_not_answer_is_a_503_not_a_login() {
    if redis_url().is_none() {
        return;
    }
    on_every_backend("throttle_redis_down", |t| async move {
        // A port nobody listens on: bound, then closed.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let c = client_with(
            &t,
            &format!(
                "AUTH_THROTTLE_STORE = \"cache\"\nSESSION_REDIS_URL = \"redis://127.0.0.1:{port}\"\n\
                 SESSION_STORE_TIMEOUT = 0.5"
            ),
        )
        .await;
        let user = make_user(&t.db, PASSWORD).await;
        for password in ["wrong", PASSWORD] {
            let res = log_in(&c, &user.username, password, "").await;
            assert_eq!(res.status(), 503, "{password}: {}", res.text());
            assert!(res.header("retry-after").is_some());
        }
    })
    .await;
}

#[tokio::test]
async fn repeated_failures_are_throttled_and_a_success_resets_the_count() {
    on_every_backend("throttle", |t| async move {
        let c = client_with(&t, "AUTH_THROTTLE_FAILURES = 3\nAUTH_THROTTLE_WINDOW = 600").await;
        let user = make_user(&t.db, PASSWORD).await;
        let name = user.username.as_str();
        for _ in 0..2 {
            assert_eq!(log_in(&c, name, "wrong", "").await.status(), 200);
        }
        // A success clears the two failures...
        assert_eq!(log_in(&c, name, PASSWORD, "").await.status(), 302);
        for _ in 0..2 {
            assert_eq!(log_in(&c, name, "wrong", "").await.status(), 200);
        }
        // ...so two more are still under the limit of three.
        assert_eq!(log_in(&c, name, PASSWORD, "").await.status(), 302);
        for _ in 0..3 {
            assert_eq!(log_in(&c, name, "wrong", "").await.status(), 200);
        }
        let res = log_in(&c, name, PASSWORD, "").await;
        assert_eq!(
            res.status(),
            429,
            "{}: even the right password waits",
            t.name
        );
        let retry: u64 = res.header("retry-after").unwrap().parse().unwrap();
        assert!((1..=600).contains(&retry), "{retry}");
        assert!(res.text().contains("Too many failed login attempts"));
        // Another username is not throttled by this one's failures.
        let other = make_user(&t.db, PASSWORD).await;
        assert_eq!(
            log_in(&c, &other.username, PASSWORD, "").await.status(),
            302
        );

        // By client address, through the API (the test client has no address).
        let throttle = auth::Throttle::new(&fullstack::settings::AuthSettings {
            throttle_failures: 2,
            throttle_window: 600,
            ..Default::default()
        });
        let addr: std::net::IpAddr = format!(
            "10.{}.{}.{}",
            fastrand_byte(),
            fastrand_byte(),
            fastrand_byte()
        )
        .parse()
        .unwrap();
        for n in 0..2 {
            assert!(
                throttle
                    .check(&t.db, &unique("a"), Some(addr))
                    .await
                    .unwrap()
                    .is_ok()
            );
            throttle
                .record_failure(&t.db, &format!("{}{n}", unique("a")), Some(addr))
                .await
                .unwrap();
        }
        let fresh = unique("a");
        assert!(
            throttle
                .check(&t.db, &fresh, Some(addr))
                .await
                .unwrap()
                .is_err()
        );
        assert!(throttle.check(&t.db, &fresh, None).await.unwrap().is_ok());
    })
    .await;
}

fn fastrand_byte() -> u8 {
    uuid::Uuid::new_v4().as_bytes()[0]
}

#[tokio::test]
async fn a_django_hash_logs_in_and_is_rehashed_to_argon2() {
    on_every_backend("django", |t| async move {
        let c = client(&t).await;
        let user = User::objects()
            .create(&t.db, User::new(DJANGO_HASH.to_owned(), unique("dj")))
            .await
            .unwrap();
        let res = log_in(&c, &user.username, "lètmein", "").await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let stored = User::objects()
            .filter(User::PK.eq(user.id))
            .get(&t.db)
            .await
            .unwrap();
        assert!(
            stored.password.starts_with("argon2$argon2id$v=19$"),
            "{}",
            stored.password
        );
        // Still this session's user (the rehash came before the session hash), and the new
        // hash logs in from elsewhere.
        assert_eq!(c.get("/private/").await.status(), 200);
        let other = client(&t).await;
        assert_eq!(
            log_in(&other, &user.username, "lètmein", "").await.status(),
            302
        );
    })
    .await;
}

#[tokio::test]
async fn permissions_through_groups_and_the_guards() {
    on_every_backend("perms", |t| async move {
        let c = client(&t).await;
        // Made by `migrate` for every model of every installed app.
        for perm in [
            "add_user",
            "change_user",
            "delete_user",
            "view_user",
            "change_group",
        ] {
            assert!(
                Permission::objects()
                    .filter(Permission::APP_LABEL.eq("auth") & Permission::CODENAME.eq(perm))
                    .exists(&t.db)
                    .await
                    .unwrap(),
                "{perm}"
            );
        }
        assert!(
            Permission::objects()
                .filter(Permission::APP_LABEL.eq("sessions"))
                .exists(&t.db)
                .await
                .unwrap()
        );
        let change_user = Permission::objects()
            .filter(Permission::APP_LABEL.eq("auth") & Permission::CODENAME.eq("change_user"))
            .get(&t.db)
            .await
            .unwrap();
        let group = Group::objects()
            .create(&t.db, Group::new(unique("editors")))
            .await
            .unwrap();
        Group::PERMISSIONS
            .add(&t.db, &group, [&change_user])
            .await
            .unwrap();

        let member = make_user(&t.db, PASSWORD).await;
        User::GROUPS.add(&t.db, &member, [&group]).await.unwrap();
        let outsider = make_user(&t.db, PASSWORD).await;
        assert!(member.has_perm(&t.db, "auth.change_user").await.unwrap());
        assert!(!member.has_perm(&t.db, "auth.delete_user").await.unwrap());
        assert!(!outsider.has_perm(&t.db, "auth.change_user").await.unwrap());
        assert!(member.has_module_perms(&t.db, "auth").await.unwrap());
        assert_eq!(
            member
                .all_perms(&t.db)
                .await
                .unwrap()
                .into_iter()
                .collect::<Vec<_>>(),
            ["auth.change_user"]
        );
        let mut boss = make_user(&t.db, PASSWORD).await;
        boss.is_superuser = true;
        assert!(boss.has_perm(&t.db, "anything.at_all").await.unwrap());
        boss.is_active = false;
        assert!(!boss.has_perm(&t.db, "auth.change_user").await.unwrap());
        let mut inactive_member = member.clone();
        inactive_member.is_active = false;
        assert!(
            !inactive_member
                .has_perm(&t.db, "auth.change_user")
                .await
                .unwrap()
        );

        // The guards: anonymous 302, without the permission 403, with it 200.
        assert_eq!(c.get("/change-user/").await.status(), 302);
        assert_eq!(c.get("/staff/").await.status(), 302);
        log_in(&c, &outsider.username, PASSWORD, "").await;
        assert_eq!(c.get("/change-user/").await.status(), 403);
        assert_eq!(c.get("/staff/").await.status(), 403);
        assert_eq!(
            c.get("/whoami").await.text(),
            format!("{}|True|False|", outsider.username)
        );
        let c = client(&t).await;
        log_in(&c, &member.username, PASSWORD, "").await;
        assert_eq!(c.get("/change-user/").await.status(), 200);
        assert_eq!(
            c.get("/whoami").await.text(),
            format!("{}|True|True|auth", member.username)
        );
        let anonymous = client(&t).await;
        assert_eq!(anonymous.get("/whoami").await.text(), "|False|False|");
    })
    .await;
}

#[tokio::test]
async fn a_second_backend_logs_in_and_its_sessions_load_the_user() {
    on_every_backend("sesame", |t| async move {
        let c = client(&t).await;
        let user = make_user(&t.db, PASSWORD).await;
        let res = log_in(&c, &user.username, "open sesame", "/private/").await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(
            c.get("/private/").await.text(),
            format!("hello {}", user.username)
        );
        let res = log_in(&client(&t).await, &unique("nobody"), "open sesame", "").await;
        assert_eq!(res.status(), 200);
    })
    .await;
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_one() {
    on_every_backend("pwchange", |t| async move {
        let here = client(&t).await;
        let elsewhere = client(&t).await;
        let user = make_user(&t.db, PASSWORD).await;
        log_in(&here, &user.username, PASSWORD, "").await;
        log_in(&elsewhere, &user.username, PASSWORD, "").await;
        assert_eq!(elsewhere.get("/private/").await.status(), 200);

        let page = here.get("/accounts/password_change/").await;
        assert_eq!(page.status(), 200);
        let token = token_in(&page.text());
        let post = |old: &str, new1: &str, new2: &str| {
            here.post("/accounts/password_change/").form(&[
                ("csrfmiddlewaretoken", token.clone()),
                ("old_password", old.to_owned()),
                ("new_password1", new1.to_owned()),
                ("new_password2", new2.to_owned()),
            ])
        };
        let res = post("wrong", "a new long secret", "a new long secret").await;
        assert_eq!(res.status(), 200);
        assert!(
            res.text()
                .contains("Your old password was entered incorrectly.")
        );
        // The error is the old password field's, printed beside it.
        let page = res.text();
        let error = page.find("Your old password").unwrap();
        let after = &page[error..];
        assert!(
            after.find("id=\"id_old_password\"").unwrap() < after.find("id_new_password1").unwrap(),
            "{page}"
        );
        let res = post(PASSWORD, "a new long secret", "another").await;
        assert!(res.text().contains("The two password fields didn’t match."));
        let res = post(PASSWORD, "12345678", "12345678").await;
        assert!(res.text().contains("This password is too common."));
        assert!(res.text().contains("This password is entirely numeric."));
        let res = post(PASSWORD, "a new long secret", "a new long secret").await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(
            res.header("location"),
            Some("/accounts/password_change/done/")
        );

        assert_eq!(
            here.get("/private/").await.status(),
            200,
            "this session stays"
        );
        assert_eq!(
            elsewhere.get("/private/").await.status(),
            302,
            "the other ends"
        );
        let again = client(&t).await;
        assert_eq!(
            log_in(&again, &user.username, PASSWORD, "").await.status(),
            200
        );
        assert_eq!(
            log_in(&again, &user.username, "a new long secret", "")
                .await
                .status(),
            302
        );
    })
    .await;
}

#[tokio::test]
async fn a_user_cached_in_the_session_costs_one_query_and_never_outlives_a_password_change() {
    on_every_backend("usercache", |t| async move {
        let here = client_with(&t, "AUTH_USER_CACHE = 300").await;
        let user = make_user(&t.db, PASSWORD).await;
        assert_eq!(
            log_in(&here, &user.username, PASSWORD, "").await.status(),
            302
        );
        // The first request reads the row and keeps a copy in the session; the next ones read
        // the session only.
        assert_eq!(
            here.get("/private/").await.text(),
            format!("hello {}", user.username)
        );
        let (res, queries) = fullstack::capture_queries(here.get("/private/").send()).await;
        assert_eq!(res.text(), format!("hello {}", user.username));
        assert_eq!(queries.len(), 1, "{}: {queries:?}", t.name);
        let (res, _) = fullstack::capture_queries(here.get("/whoami").send()).await;
        assert!(
            res.text().starts_with(&format!("{}|True|", user.username)),
            "{}",
            res.text()
        );
        // The copy holds no password hash (a cookie session would show it to its client).
        let sessions =
            t.db.fetch_all("SELECT session_data FROM django_session", Vec::new())
                .await
                .unwrap();
        let data: Vec<String> = sessions
            .iter()
            .map(|r| r.get::<String>(0).unwrap_or_default())
            .collect();
        assert!(
            data.iter().any(|d| d.contains("_auth_user_cache")),
            "{data:?}"
        );
        let hash = User::objects()
            .filter(User::ID.eq(user.id))
            .get(&t.db)
            .await
            .unwrap()
            .password;
        assert!(!data.iter().any(|d| d.contains(&hash[hash.len() - 20..])));

        // A password change in this session needs the row (the copy has no hash), then drops
        // the copy: the next request reads the row again and stays logged in.
        let page = here.get("/accounts/password_change/").await;
        let token = token_in(&page.text());
        let res = here
            .post("/accounts/password_change/")
            .form(&[
                ("csrfmiddlewaretoken", token.as_str()),
                ("old_password", PASSWORD),
                ("new_password1", "a new long secret"),
                ("new_password2", "a new long secret"),
            ])
            .await;
        assert_eq!(res.status(), 302, "{}", res.text());
        let (res, queries) = fullstack::capture_queries(here.get("/private/").send()).await;
        assert_eq!(res.status(), 200);
        assert!(queries.len() >= 2, "the row is read again: {queries:?}");
    })
    .await;
}

#[tokio::test]
async fn createsuperuser_noinput() {
    on_every_backend("createsuperuser", |t| async move {
        let project = project("");
        migrate(&project, &t.url).await;
        let name = unique("admin");
        let run = |args: Vec<String>| {
            let project = &project;
            async move {
                let (mut out, mut err) = (Vec::new(), Vec::new());
                let code = project.run_with(args, &mut out, &mut err).await;
                (
                    code,
                    String::from_utf8_lossy(&out).into_owned(),
                    String::from_utf8_lossy(&err).into_owned(),
                )
            }
        };
        let args = |name: &str| {
            [
                "site",
                "createsuperuser",
                "--noinput",
                "--username",
                name,
                "--email",
                "a@example.com",
                "--database-url",
                &t.url,
            ]
            .map(str::to_owned)
            .to_vec()
        };
        let (code, out, err) = run(args(&name)).await;
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("Superuser created successfully."));
        let admin = User::objects()
            .filter(User::USERNAME.eq(name.clone()))
            .get(&t.db)
            .await
            .unwrap();
        assert!(admin.is_superuser && admin.is_staff && admin.is_active);
        assert_eq!(admin.email, "a@example.com");
        // No SUPERUSER_PASSWORD in this process: an unusable password, as Django's.
        assert!(
            !auth::hashers::is_usable(&admin.password),
            "{}",
            admin.password
        );

        let (code, _, err) = run(args(&name)).await;
        assert_eq!(code, 1);
        assert!(err.contains("That username is already taken."), "{err}");
        let (code, _, err) = run(args("bad name!")).await;
        assert_eq!(code, 1);
        assert!(err.contains("Enter a valid username."), "{err}");
    })
    .await;
}

#[tokio::test]
async fn overridden_templates_guarded_blueprints_bad_bodies_and_query_counts() {
    on_every_backend("extras", |t| async move {
        let project = project("").web(|app| {
            app.add_template(
                "registration/login.html",
                "<h1>Our own login</h1><form method=post>{{ csrf_input() }}{{ form.non_field_errors() }}{{ form.username }}{{ form.password }}</form>",
            )
            .unwrap();
            let mut bp = micro::Blueprint::new("members", "/members");
            bp.before_request(auth::login_required());
            bp.get("/", |user: CurrentUser| async move { format!("member {}", user.username()) });
            app.register_blueprint(bp);
        });
        migrate(&project, &t.url).await;
        let c = TestClient::new(project.web_app(&t.db).unwrap());

        let page = c.get("/accounts/login/").await;
        assert!(page.text().contains("Our own login"), "{}", page.text());

        let res = c.get("/members/").await;
        assert_eq!(res.status(), 302);
        assert_eq!(res.header("location"), Some("/accounts/login/?next=%2Fmembers%2F"));

        // A body that is not a form is a 4xx, never a 500.
        for (content_type, body) in [
            ("application/x-www-form-urlencoded", &b"username=%ZZ&password=\xff\xfe"[..]),
            ("application/json", &b"{\"username\": 1}"[..]),
        ] {
            let res = c
                .post("/accounts/login/")
                .with_csrf_token()
                .header("content-type", content_type)
                .body(bytes::Bytes::copy_from_slice(body))
                .await;
            assert!(res.status().is_client_error() || res.status() == 200, "{}: {}", res.status(), res.text());
        }

        let user = make_user(&t.db, PASSWORD).await;
        assert_eq!(log_in(&c, &user.username, PASSWORD, "").await.status(), 302);
        assert_eq!(c.get("/members/").await.text(), format!("member {}", user.username));
        // A logged-in request: the session read and the user, two queries.
        let (res, queries) = fullstack::capture_queries(c.get("/private/").send()).await;
        assert_eq!(res.status(), 200);
        assert_eq!(queries.len(), 2, "{}: {queries:?}", t.name);
    })
    .await;
}

#[tokio::test]
async fn a_template_in_the_projects_folder_replaces_the_embedded_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("templates/registration")).unwrap();
    std::fs::write(
        dir.path().join("templates/registration/logged_out.html"),
        "<p>See you soon</p>",
    )
    .unwrap();
    let db_path = dir.path().join("db.sqlite3");
    let url = format!("sqlite://{}?mode=rwc", db_path.display());
    let project = project("").root(dir.path());
    migrate(&project, &url).await;
    let db = Database::connect(&url).await.unwrap();
    let c = TestClient::new(project.web_app(&db).unwrap());
    let res = c.post("/accounts/logout/").with_csrf_token().await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "<p>See you soon</p>");
    // The others are still the embedded ones.
    assert!(
        c.get("/accounts/login/")
            .await
            .text()
            .contains("csrfmiddlewaretoken")
    );
}

/// One HTTP/1.1 exchange over a real socket: the status line's code, the `Set-Cookie` values
/// (name=value) and the body.
async fn exchange(addr: std::net::SocketAddr, request: String) -> (u16, Vec<String>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let cookies = head
        .lines()
        .filter_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("set-cookie")
                .then(|| value.trim().split(';').next().unwrap_or("").to_owned())
        })
        .collect();
    (status, cookies, body.to_owned())
}

#[tokio::test]
async fn failures_from_one_address_over_a_real_socket_are_throttled() {
    on_every_backend("throttle_socket", |t| async move {
        let isolated = backends::Isolated::new(&t, "thr").await;
        let project = project("AUTH_THROTTLE_FAILURES = 3\nAUTH_THROTTLE_WINDOW = 600");
        migrate(&project, &isolated.url).await;
        let user = make_user(&isolated.db, PASSWORD).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = project.web_app(&isolated.db).unwrap();
        let server = tokio::spawn(std::future::IntoFuture::into_future(micro::serve(
            listener,
            app.into_service(),
        )));
        let attempt = |username: String, password: &'static str| async move {
            let get =
                "GET /accounts/login/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .to_owned();
            let (status, cookies, page) = exchange(addr, get).await;
            assert_eq!(status, 200, "{page}");
            let token = token_in(&page);
            let body = format!(
                "csrfmiddlewaretoken={token}&username={username}&password={}",
                password.replace(' ', "+")
            );
            let post = format!(
                "POST /accounts/login/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
                 Cookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                cookies.join("; "),
                body.len()
            );
            exchange(addr, post).await
        };
        // Three usernames tried and failed from 127.0.0.1: each the form again.
        for i in 0..3 {
            let (status, _, page) = attempt(unique(&format!("nobody{i}-")), "wrong").await;
            assert_eq!(status, 200, "{page}");
        }
        // The address is throttled now, whichever account it tries, even with the right
        // password: 429 with Retry-After.
        let (status, _, page) = attempt(user.username.clone(), PASSWORD).await;
        assert_eq!(status, 429, "{} on {}", page, t.name);
        assert!(page.contains("Too many failed login attempts"), "{page}");
        server.abort();
        isolated.done().await;
    })
    .await;
}
