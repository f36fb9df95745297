//! Bearer tokens for JSON APIs, on every database backend: a token made by the API or by
//! `createtoken` authenticates its user in one query; a missing, unknown, malformed, expired
//! or revoked token, or an inactive user, is a 401 with `WWW-Authenticate: Bearer`, never a
//! 500; only the digest is stored; a `csrf_exempt` route taking the token needs no CSRF token.

mod backends;

use backends::{TestDb, migrate, on_every_backend};
use fullstack::auth::{self, ApiToken, Hashers, TokenUser, User};
use fullstack::query::prelude::*;
use fullstack::{Project, Settings, sessions};
use micro::routing::post;
use micro::{Json, TestClient};

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

fn project() -> Project {
    let mut settings = Settings::default();
    settings.web.secret_key = Some(micro::Secret::new("token test key"));
    Project::new("site")
        .settings(settings)
        .app(sessions::app())
        .app(auth::app())
        .web(|app| {
            app.get("/api/me", |who: TokenUser| async move {
                Json(serde_json::json!({ "username": who.user.username, "token": who.token.name }))
            });
            app.get("/api/hello", |who: Option<TokenUser>| async move {
                match who {
                    Some(who) => format!("hello, {}", who.user.username),
                    None => "hello, stranger".to_owned(),
                }
            });
            app.route(
                "/api/items",
                post(|who: TokenUser| async move { format!("created by {}", who.user.username) })
                    .csrf_exempt(),
            );
        })
}

async fn site(t: &TestDb) -> (TestClient, Project) {
    let project = project();
    migrate(&project, &t.url).await;
    (TestClient::new(project.web_app(&t.db).unwrap()), project)
}

async fn make_user(t: &TestDb) -> User {
    let user = User::new(Hashers::default().hash("a long password"), unique("api"));
    User::objects().create(&t.db, user).await.unwrap()
}

async fn get_with(c: &TestClient, path: &str, authorization: &str) -> micro::TestResponse {
    c.get(path)
        .header("authorization", authorization)
        .send()
        .await
}

fn assert_refused(res: &micro::TestResponse, invalid: bool, what: &str) {
    assert_eq!(res.status(), 401, "{what}: {}", res.text());
    let challenge = res.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer realm=\"api\""),
        "{what}: {challenge}"
    );
    assert_eq!(
        challenge.contains("invalid_token"),
        invalid,
        "{what}: {challenge}"
    );
}

#[tokio::test]
async fn a_bearer_token_authenticates_its_user_until_revoked() {
    on_every_backend("auth_tokens", |t| async move {
        let (c, _) = site(&t).await;
        let user = make_user(&t).await;
        let (row, token) = ApiToken::create(&t.db, &user, "deploy script", None)
            .await
            .unwrap();
        assert!(
            token.starts_with(auth::TOKEN_PREFIX) && token.len() > 40,
            "{token}"
        );
        // Only the digest is kept, and a prefix too short to use.
        let stored = ApiToken::objects()
            .filter(ApiToken::ID.eq(row.id))
            .get(&t.db)
            .await
            .unwrap();
        assert_ne!(stored.digest, token);
        assert!(!stored.digest.contains(&token[..20]));
        assert!(token.starts_with(&stored.prefix) && stored.prefix.len() < 10);
        assert_eq!(stored.last_used, None);

        let res = get_with(&c, "/api/me", &format!("Bearer {token}")).await;
        assert_eq!(res.status(), 200, "{}: {}", t.name, res.text());
        let body: serde_json::Value = serde_json::from_str(&res.text()).unwrap();
        assert_eq!(body["username"], user.username.as_str());
        assert_eq!(body["token"], "deploy script");
        let used = ApiToken::objects()
            .filter(ApiToken::ID.eq(row.id))
            .get(&t.db)
            .await
            .unwrap();
        assert!(used.last_used.is_some(), "the first use is recorded");

        // A request whose use was just recorded: the token with its user, one query.
        let (res, queries) = fullstack::capture_queries(
            c.get("/api/me")
                .header("authorization", format!("bearer {token}"))
                .send(),
        )
        .await;
        assert_eq!(res.status(), 200, "the scheme is case-insensitive");
        assert_eq!(queries.len(), 1, "{}: {queries:?}", t.name);

        // Refusals, each a 401 with the challenge, none a 500.
        assert_refused(&c.get("/api/me").await, false, "no header");
        for (header, what) in [
            (format!("Bearer {token}x"), "unknown token"),
            ("Bearer fst_".to_owned(), "prefix only"),
            ("Bearer nottoken".to_owned(), "not one of ours"),
            ("Bearer".to_owned(), "no token"),
            (format!("Bearer {token} {token}"), "two words"),
            ("Basic dXNlcjpwYXNz".to_owned(), "another scheme"),
            (format!("Token {token}"), "DRF's scheme name"),
        ] {
            assert_refused(&get_with(&c, "/api/me", &header).await, true, what);
        }
        // Optional: the handler decides.
        assert_eq!(c.get("/api/hello").await.text(), "hello, stranger");
        assert_eq!(
            get_with(&c, "/api/hello", &format!("Bearer {token}"))
                .await
                .text(),
            format!("hello, {}", user.username)
        );

        // An unsafe method on an exempt route: the bearer token is the proof, no CSRF token.
        let res = c
            .post("/api/items")
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await;
        assert_eq!(res.status(), 200, "{}", res.text());
        assert_eq!(res.text(), format!("created by {}", user.username));
        assert_refused(
            &c.post("/api/items").body("{}").send().await,
            false,
            "POST, no token",
        );

        // Revoked: the next request is refused.
        row.revoke(&t.db).await.unwrap();
        assert_refused(
            &get_with(&c, "/api/me", &format!("Bearer {token}")).await,
            true,
            "revoked",
        );
    })
    .await;
}

#[tokio::test]
async fn expired_tokens_and_inactive_users_are_refused() {
    on_every_backend("auth_tokens_dead", |t| async move {
        let (c, _) = site(&t).await;
        let mut user = make_user(&t).await;
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        let future = chrono::Utc::now() + chrono::Duration::days(1);
        let (_, expired) = ApiToken::create(&t.db, &user, "old", Some(past))
            .await
            .unwrap();
        let (_, live) = ApiToken::create(&t.db, &user, "new", Some(future))
            .await
            .unwrap();
        assert_refused(
            &get_with(&c, "/api/me", &format!("Bearer {expired}")).await,
            true,
            "expired",
        );
        assert_eq!(
            get_with(&c, "/api/me", &format!("Bearer {live}"))
                .await
                .status(),
            200
        );
        let mine = ApiToken::of_user(&t.db, &user).await.unwrap();
        assert_eq!(
            mine.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["new", "old"]
        );

        user.is_active = false;
        user.save(&t.db).await.unwrap();
        assert_refused(
            &get_with(&c, "/api/me", &format!("Bearer {live}")).await,
            true,
            "inactive user",
        );
        assert_eq!(ApiToken::revoke_all(&t.db, &user).await.unwrap(), 2);
        assert!(ApiToken::of_user(&t.db, &user).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn createtoken_prints_a_working_token() {
    on_every_backend("auth_createtoken", |t| async move {
        let (c, project) = site(&t).await;
        let user = make_user(&t).await;
        let run = |args: Vec<String>| {
            let project = &project;
            let url = t.url.clone();
            async move {
                let (mut out, mut err) = (Vec::new(), Vec::new());
                let mut all = vec!["site".to_owned()];
                all.extend(args);
                all.extend(["--database-url".to_owned(), url]);
                let code = project.run_with(all, &mut out, &mut err).await;
                (
                    code,
                    String::from_utf8_lossy(&out).into_owned(),
                    String::from_utf8_lossy(&err).into_owned(),
                )
            }
        };
        let (code, out, err) = run(vec![
            "createtoken".into(),
            user.username.clone(),
            "--name".into(),
            "ci".into(),
            "--days".into(),
            "30".into(),
        ])
        .await;
        assert_eq!(code, 0, "{err}");
        let token = out.trim();
        let res = get_with(&c, "/api/me", &format!("Bearer {token}")).await;
        assert_eq!(res.status(), 200, "{}", res.text());
        let row = &ApiToken::of_user(&t.db, &user).await.unwrap()[0];
        assert_eq!(row.name, "ci");
        assert!(
            row.expires
                .is_some_and(|at| at > chrono::Utc::now() + chrono::Duration::days(29))
        );

        let (code, _, err) = run(vec!["createtoken".into(), "nobody-here".into()]).await;
        assert_ne!(code, 0);
        assert!(err.contains("does not exist"), "{err}");
    })
    .await;
}
