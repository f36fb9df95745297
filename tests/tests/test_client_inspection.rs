//! What the test client adds to a request and reads back from a response: a `Host` header
//! (Django's `testserver`) unless the request sets its own, and the templates rendered for the
//! request with their context (Django's `response.templates` and `response.context`).

use micro::{App, Error, HeaderMap, Templates, TestClient, context};

fn host_app() -> TestClient {
    let mut app = App::new();
    app.get("/host", |headers: HeaderMap| async move {
        headers
            .get("host")
            .map_or("none".to_owned(), |h| h.to_str().unwrap().to_owned())
    });
    app.post("/form", || async { "taken" });
    TestClient::new(app)
}

#[tokio::test]
async fn requests_carry_host_testserver_unless_they_set_one() {
    let client = host_app();
    assert_eq!(micro::TEST_HOST, "testserver");
    assert_eq!(client.get("/host").await.text(), "testserver");
    let res = client.get("/host").header("host", "shop.example").await;
    assert_eq!(res.text(), "shop.example");
}

#[tokio::test]
async fn a_form_posted_from_the_test_servers_own_origin_passes_the_cross_origin_check() {
    // Without Sec-Fetch-Site, the check compares Origin with Host: the Host the client sends
    // is what makes a same-origin form post from a test pass.
    let client = host_app();
    let same = client
        .post("/form")
        .header("origin", "http://testserver")
        .await;
    assert_eq!(same.status(), 200);
    let other = client
        .post("/form")
        .header("origin", "http://evil.example")
        .await;
    assert_eq!(other.status(), 403);
}

fn template_app() -> TestClient {
    let mut app = App::new();
    app.context_processor(|| async {
        context! { site => "Polls", user => "anonymous" }
    });
    app.add_template(
        "layout.html",
        "<title>{{ site }}</title>{% block body %}{% endblock %}",
    )
    .unwrap();
    app.add_template(
        "index.html",
        "{% extends 'layout.html' %}{% block body %}{{ user }}: {{ questions|length }}{% endblock %}",
    )
    .unwrap();
    app.add_template("nav.html", "nav").unwrap();
    app.add_template("404.html", "no page at {{ request.path }}")
        .unwrap();
    app.get("/", |t: Templates| async move {
        let nav = t.render_string("nav.html", ())?;
        let questions = vec![serde_json::json!({"id": 1, "text": "What's new?"})];
        t.render("index.html", context! { questions, user => "ada", nav })
    });
    app.get("/plain", || async { "no template" });
    app.error_handler(404, |_err, req| {
        Templates::for_request(req)?.render("404.html", context! { missing => true })
    });
    TestClient::new(app)
}

#[tokio::test]
async fn a_response_names_its_templates_and_the_context_they_got() {
    let res = template_app().get("/").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "<title>Polls</title>ada: 1");
    // The names asked for, in order; the page last.
    assert_eq!(res.templates(), ["nav.html", "index.html"]);
    assert_eq!(res.template(), Some("index.html"));
    let context = res.context();
    assert_eq!(context["questions"][0]["text"], "What's new?");
    // A processor's value, and the handler's winning over a processor's.
    assert_eq!(context["site"], "Polls");
    assert_eq!(context["user"], "ada");
    // micro's globals are not the handler's context.
    assert!(context.get("request").is_none(), "{context}");
    assert_eq!(
        res.context_of("nav.html"),
        Some(&serde_json::json!({"site": "Polls", "user": "anonymous"}))
    );
}

#[tokio::test]
async fn an_error_page_rendered_from_a_template_is_recorded_too() {
    let res = template_app().get("/nowhere").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.template(), Some("404.html"));
    assert_eq!(res.context()["missing"], true);
}

#[tokio::test]
async fn a_response_without_templates_says_so() {
    let client = template_app();
    let res = client.get("/plain").await;
    assert!(res.templates().is_empty());
    assert_eq!(res.template(), None);
    let panic = std::panic::catch_unwind(|| res.context().clone()).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(message.contains("no template was rendered"), "{message}");
    // Nothing carries over from an earlier request.
    client.get("/").await;
    assert!(client.get("/plain").await.templates().is_empty());
}

#[tokio::test]
async fn a_template_error_is_a_500_and_still_names_the_template() -> Result<(), Error> {
    let mut app = App::new();
    app.add_template("broken.html", "{{ 1 / 0 }}")?;
    app.get("/", |t: Templates| async move {
        t.render("broken.html", context! { n => 1 })
    });
    let res = TestClient::new(app).get("/").await;
    assert_eq!(res.status(), 500);
    assert_eq!(res.template(), Some("broken.html"));
    Ok(())
}
