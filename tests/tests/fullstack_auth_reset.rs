//! Password reset by email, on every database backend: the whole flow through the real forms
//! with their CSRF tokens and a memory mailer's outbox, the token moved into the session, the
//! link single use, dead after a login, an unknown address still redirected and sent nothing,
//! and bad links answered with the invalid-link page (200), never a 500.

mod backends;

use backends::{TestDb, migrate, on_every_backend};
use fullstack::auth::{self, Hashers, User};
use fullstack::mail::Mailer;
use fullstack::query::prelude::*;
use fullstack::{Project, Settings, sessions};
use micro::TestClient;

const PASSWORD: &str = "correct horse battery";
const NEW_PASSWORD: &str = "a brand new secret";

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

async fn site(t: &TestDb) -> (TestClient, Mailer) {
    let mut settings = Settings::default();
    settings.web.secret_key = Some(micro::Secret::new("reset test key"));
    let mailer = Mailer::memory().default_from("site@example.com");
    let shared = mailer.clone();
    let project = Project::new("site")
        .settings(settings)
        .app(sessions::app())
        .app(auth::app())
        .web(move |app| {
            app.state(shared.clone());
        });
    migrate(&project, &t.url).await;
    (TestClient::new(project.web_app(&t.db).unwrap()), mailer)
}

async fn make_user(t: &TestDb) -> User {
    let mut user = User::new(Hashers::default().hash(PASSWORD), unique("u"));
    user.email = format!("{}@example.com", user.username);
    User::objects().create(&t.db, user).await.unwrap()
}

fn token_in(page: &str) -> String {
    let input = page
        .find("name=\"csrfmiddlewaretoken\"")
        .expect("the form carries the CSRF token");
    let at = page[input..].find("value=\"").unwrap() + input + 7;
    let end = page[at..].find('"').unwrap() + at;
    page[at..end].to_owned()
}

/// Asks for a reset of `email` through the form; the response must redirect to done.
async fn ask(c: &TestClient, email: &str) {
    let page = c.get("/accounts/password_reset/").await;
    assert_eq!(page.status(), 200);
    let token = token_in(&page.text());
    let res = c
        .post("/accounts/password_reset/")
        .form(&[("csrfmiddlewaretoken", token.as_str()), ("email", email)])
        .await;
    assert_eq!(res.status(), 302, "{}", res.text());
    assert_eq!(
        res.header("location"),
        Some("/accounts/password_reset/done/")
    );
}

/// The path of the link in the last email.
fn link_in(mailer: &Mailer) -> String {
    let sent = mailer.outbox().unwrap().messages();
    let body = &sent.last().expect("an email was sent").body;
    let at = body
        .find("/accounts/reset/")
        .expect("the email has the link");
    body[at..].split_whitespace().next().unwrap().to_owned()
}

/// Follows `link` to the set-password form and posts `new1`/`new2`.
async fn set_password(c: &TestClient, link: &str, new1: &str, new2: &str) -> micro::TestResponse {
    let res = c.get(link).await;
    assert_eq!(res.status(), 302, "{link}: {}", res.text());
    let form_url = res.header("location").unwrap().to_owned();
    assert!(form_url.ends_with("/set-password/"), "{form_url}");
    let page = c.get(&form_url).await;
    assert_eq!(page.status(), 200);
    assert!(
        page.text().contains("Enter new password"),
        "{}",
        page.text()
    );
    let token = token_in(&page.text());
    c.post(&form_url)
        .form(&[
            ("csrfmiddlewaretoken", token.as_str()),
            ("new_password1", new1),
            ("new_password2", new2),
        ])
        .await
}

#[tokio::test]
async fn the_whole_flow_and_a_single_use_link() {
    on_every_backend("reset_flow", |t| async move {
        let (c, mailer) = site(&t).await;
        let user = make_user(&t).await;
        ask(&c, &user.email).await;
        let sent = mailer.outbox().unwrap().messages();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].to.len(), 1);
        assert_eq!(sent[0].to[0], user.email);
        assert!(
            sent[0].subject.starts_with("Password reset on"),
            "{}",
            sent[0].subject
        );
        assert!(sent[0].body.contains(&user.username));
        let link = link_in(&mailer);

        // Mismatched and too-common passwords show the form again with the errors.
        let res = set_password(&c, &link, NEW_PASSWORD, "other").await;
        assert_eq!(res.status(), 200);
        assert!(res.text().contains("The two password fields didn’t match."));
        let res = set_password(&c, &link, "12345678", "12345678").await;
        assert!(res.text().contains("This password is entirely numeric."));

        let res = set_password(&c, &link, NEW_PASSWORD, NEW_PASSWORD).await;
        assert_eq!(res.status(), 302, "{}", res.text());
        assert_eq!(res.header("location"), Some("/accounts/reset/done/"));
        assert_eq!(c.get("/accounts/reset/done/").await.status(), 200);
        let saved = User::objects()
            .filter(User::PK.eq(user.id))
            .get(&t.db)
            .await
            .unwrap();
        assert!(Hashers::default().verify(NEW_PASSWORD, &saved.password).ok);

        // Used once, the link is dead.
        let res = c.get(&link).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().contains("The password reset link was invalid"));
    })
    .await;
}

#[tokio::test]
async fn a_login_kills_the_link_and_unknown_addresses_get_nothing() {
    on_every_backend("reset_login", |t| async move {
        let (c, mailer) = site(&t).await;
        let user = make_user(&t).await;
        ask(&c, "nobody-at-all@example.com").await;
        assert!(mailer.outbox().unwrap().is_empty(), "no account, no email");

        ask(&c, &user.email).await;
        let link = link_in(&mailer);
        User::objects()
            .filter(User::PK.eq(user.id))
            .update(&t.db, [User::LAST_LOGIN.set(Some(chrono::Utc::now()))])
            .await
            .unwrap();
        let res = c.get(&link).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().contains("The password reset link was invalid"));

        // Bad uidb64s and tokens: the same page, never a 500; set-password without a token
        // in the session too.
        let uid = link.split('/').nth(3).unwrap().to_owned();
        for bad in [
            "/accounts/reset/!!!/abc-123/".to_owned(),
            "/accounts/reset/OTk5OTk5OTk5/abc-123/".to_owned(),
            "/accounts/reset/YWJj/abc-123/".to_owned(),
            format!("/accounts/reset/{uid}/zz-00/"),
            format!("/accounts/reset/{uid}/set-password/"),
        ] {
            let res = c.get(&bad).await;
            assert_eq!(res.status(), 200, "{bad}: {}", res.text());
            assert!(
                res.text().contains("The password reset link was invalid"),
                "{bad}"
            );
        }
        // An invalid email address is an error beside the field.
        let page = c.get("/accounts/password_reset/").await;
        let token = token_in(&page.text());
        let res = c
            .post("/accounts/password_reset/")
            .form(&[
                ("csrfmiddlewaretoken", token.as_str()),
                ("email", "not-an-email"),
            ])
            .await;
        assert_eq!(res.status(), 200);
        assert!(res.text().contains("Enter a valid email address."));
    })
    .await;
}

#[tokio::test]
async fn addresses_match_without_case_and_an_old_link_has_expired() {
    on_every_backend("reset_expiry", |t| async move {
        let (c, mailer) = site(&t).await;
        let user = make_user(&t).await;
        // Django's `email__iexact`: the address as the user remembers it.
        ask(&c, &user.email.to_uppercase()).await;
        let sent = mailer.outbox().unwrap().messages();
        assert_eq!(sent.len(), 1, "{}", t.name);
        assert_eq!(sent[0].to[0], user.email, "sent to the address on file");

        // A link made four days ago (past PASSWORD_RESET_TIMEOUT's three days), through the
        // view: the invalid-link page; the same link made now works.
        let settings = {
            let mut s = Settings::default();
            s.web.secret_key = Some(micro::Secret::new("reset test key"));
            s
        };
        let four_days_ago = chrono::Utc::now() - chrono::Duration::days(4);
        let old = auth::PasswordResetTokenGenerator::from_settings(&settings)
            .with_clock(move || four_days_ago)
            .make_token(&user);
        let uid = auth::tokens::uid_to_base64(user.id);
        let res = c.get(&format!("/accounts/reset/{uid}/{old}/")).await;
        assert_eq!(res.status(), 200);
        assert!(
            res.text().contains("The password reset link was invalid"),
            "{}",
            res.text()
        );
        let fresh = auth::PasswordResetTokenGenerator::from_settings(&settings).make_token(&user);
        let res = c.get(&format!("/accounts/reset/{uid}/{fresh}/")).await;
        assert_eq!(
            res.status(),
            302,
            "a live link moves its token into the session"
        );
    })
    .await;
}
