//! Strict slashes as in Flask: a rule ending in `/` redirects the slash-less URL with 308 (query
//! kept); a rule without one gives 404 for the slashed URL.

use micro::{App, Path, StatusCode, TestClient};

fn client() -> TestClient {
    let mut app = App::new();
    app.get("/about/", || async { "about" });
    app.post("/submit/", || async { "submitted" });
    app.get("/contact", || async { "contact" });
    app.get("/users/<int:id>/", |Path(id): Path<u32>| async move {
        format!("user {id}")
    });
    app.get("/café/", || async { "coffee" });
    app.get("/both", || async { "no slash" });
    app.get("/both/", || async { "slash" });
    TestClient::new(app)
}

#[tokio::test]
async fn slash_less_request_redirects_with_308() {
    let c = client();
    let res = c.get("/about").await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.header("location"), Some("/about/"));

    let res = c.get("/about").follow_redirects(true).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text(), "about");
}

#[tokio::test]
async fn the_query_string_is_kept() {
    let c = client();
    let res = c.get("/about?x=1&y=a%20b").await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.header("location"), Some("/about/?x=1&y=a%20b"));
}

#[tokio::test]
async fn redirect_works_for_rules_with_variables_and_other_methods() {
    let c = client();
    let res = c.get("/users/7").await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.header("location"), Some("/users/7/"));

    // A value the converter refuses does not redirect.
    assert_eq!(c.get("/users/x").await.status(), StatusCode::NOT_FOUND);

    let res = c.post("/submit").await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.header("location"), Some("/submit/"));
    // 308 keeps the method.
    let res = c.post("/submit").follow_redirects(true).await;
    assert_eq!(res.text(), "submitted");
}

#[tokio::test]
async fn redirect_location_is_percent_encoded() {
    let c = client();
    let res = c.get("/caf%C3%A9").await;
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(res.header("location"), Some("/caf%C3%A9/"));
}

#[tokio::test]
async fn rule_without_trailing_slash_gives_404_for_the_slashed_url() {
    let c = client();
    assert_eq!(c.get("/contact").await.text(), "contact");
    let res = c.get("/contact/").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.header("location"), None);
}

#[tokio::test]
async fn both_forms_registered_means_no_redirect() {
    let c = client();
    assert_eq!(c.get("/both").await.text(), "no slash");
    assert_eq!(c.get("/both/").await.text(), "slash");
}
