//! micro's CSRF token check, ported from Django's `tests/csrf_tests`: a token in the form or the
//! header, wrong, missing, badly formed, masked differently at each render; the cookie missing or
//! bad; `Origin` and, on HTTPS, `Referer`; exemptions; safe methods; the JSON failure; multipart
//! forms; and a browser's round trip over a real socket.

mod common;

use micro::http::HeaderName;
use micro::routing::post;
use micro::{
    App, Blueprint, Csrf, CsrfFailure, Form, MultipartForm, StatusCode, Templates, TestClient,
};
use serde_json::Value;

use common::{TestServer, chunked, full, http1_connect};

const FORM: &str = r#"<form method="post">{{ csrf_input() }}<input name="choice"></form>"#;

#[derive(serde::Deserialize)]
struct Vote {
    choice: String,
}

fn app_with(csrf: Csrf) -> App {
    let mut app = App::new();
    app.csrf_protect_with(csrf);
    app.add_template("form.html", FORM).unwrap();
    app.add_template("two.html", "{{ csrf_token() }} {{ csrf_token() }}")
        .unwrap();
    app.add_template("plain.html", "no form here").unwrap();
    app.get(
        "/form",
        |t: Templates| async move { t.render("form.html", ()) },
    );
    app.get(
        "/two",
        |t: Templates| async move { t.render("two.html", ()) },
    );
    app.get("/plain", |t: Templates| async move {
        t.render("plain.html", ())
    });
    // The handler still reads the form the check read.
    app.route(
        "/vote",
        post(|Form(v): Form<Vote>| async move { format!("voted {}", v.choice) })
            .put(|| async { "put" })
            .delete(|| async { "deleted" })
            .patch(|| async { "patched" }),
    );
    app.route("/webhook", post(|| async { "hooked" }).csrf_exempt());
    let mut api = Blueprint::new("api", "/api");
    api.post("/items", || async { "created" });
    let mut nested = Blueprint::new("v2", "/v2");
    nested.post("/items", || async { "created v2" });
    api.register_blueprint(nested);
    api.csrf_exempt();
    app.register_blueprint(api);
    app.post("/upload", |form: MultipartForm| async move {
        let texts: Vec<String> = form.texts().map(|(k, v)| format!("{k}={v}")).collect();
        let files: Vec<String> = form
            .files()
            .iter()
            .map(|f| format!("{}:{}", f.name(), f.len()))
            .collect();
        format!("{} | {}", texts.join(","), files.join(","))
    });
    app
}

fn client() -> TestClient {
    TestClient::new(app_with(Csrf::new()))
}

/// The token a rendered form carries.
fn token_in(page: &str) -> String {
    let start = page.find("value=\"").expect("a hidden input") + 7;
    page[start..start + 64].to_owned()
}

/// Asserts a 403 whose page says `reason`.
fn refused(res: &micro::TestResponse, reason: &str) {
    assert_eq!(res.status(), 403, "{}", res.text());
    assert!(res.text().contains(reason), "{reason}: {}", res.text());
}

#[tokio::test]
async fn a_form_posted_with_the_token_of_its_page_passes_and_the_handler_reads_it() {
    let client = client();
    let page = client.get("/form").await;
    assert_eq!(page.status(), 200);
    let text = page.text();
    assert!(
        text.contains(r#"<input type="hidden" name="csrfmiddlewaretoken" value=""#),
        "{text}"
    );
    let token = token_in(&text);
    let res = client
        .post("/vote")
        .form(&[("csrfmiddlewaretoken", token.as_str()), ("choice", "blue")])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(res.text(), "voted blue");
}

#[tokio::test]
async fn the_token_in_the_header_passes_for_every_unsafe_method() {
    let client = client();
    let token = client.csrf_token();
    let res = client
        .post("/vote")
        .header("x-csrftoken", token.as_str())
        .form(&[("choice", "red")])
        .await;
    assert_eq!(res.text(), "voted red");
    for (method, body) in [
        (micro::Method::PUT, "put"),
        (micro::Method::DELETE, "deleted"),
        (micro::Method::PATCH, "patched"),
    ] {
        let res = client.request(method.clone(), "/vote").await;
        assert_eq!(res.status(), 403, "{method}");
        let res = client
            .request(method.clone(), "/vote")
            .with_csrf_token()
            .await;
        assert_eq!(res.text(), body, "{method}");
    }
}

#[tokio::test]
async fn tokens_are_masked_afresh_at_each_render_and_all_are_valid() {
    let client = client();
    let both = client.get("/two").await.text();
    let (a, b) = both.split_once(' ').unwrap();
    let c = token_in(&client.get("/form").await.text());
    assert_eq!(a.len(), 64);
    assert!(a != b && b != c && a != c);
    for token in [a, b, c.as_str()] {
        let res = client
            .post("/vote")
            .form(&[("csrfmiddlewaretoken", token), ("choice", "x")])
            .await;
        assert_eq!(res.status(), 200, "{token}: {}", res.text());
    }
    // The unmasked secret of the cookie is accepted too, as in Django.
    let secret = client.cookie("csrftoken").unwrap();
    assert_eq!(secret.len(), 32);
    let res = client
        .post("/vote")
        .header("x-csrftoken", secret.as_str())
        .form(&[("choice", "x")])
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn django_reasons_for_missing_wrong_and_malformed_tokens() {
    let client = client();
    let _ = client.csrf_token(); // the cookie
    for (form, expected) in [
        (vec![("choice", "x")], "CSRF token missing."),
        (
            vec![("csrfmiddlewaretoken", ""), ("choice", "x")],
            "CSRF token missing.",
        ),
        (
            vec![("csrfmiddlewaretoken", "short")],
            "CSRF token from POST has incorrect length.",
        ),
        (
            vec![("csrfmiddlewaretoken", &"a".repeat(65))],
            "CSRF token from POST has incorrect length.",
        ),
    ] {
        let res = client.post("/vote").form(&form).await;
        assert_eq!(res.status(), 403, "{form:?}");
        assert!(res.text().contains(expected), "{form:?}: {}", res.text());
    }
    // An empty field falls back to the header, as in Django.
    let res = client
        .post("/vote")
        .header("x-csrftoken", client.csrf_token())
        .form(&[("csrfmiddlewaretoken", ""), ("choice", "y")])
        .await;
    assert_eq!(res.text(), "voted y");
    let bad_chars = "!".repeat(64);
    let res = client
        .post("/vote")
        .form(&[("csrfmiddlewaretoken", bad_chars.as_str())])
        .await;
    refused(&res, "CSRF token from POST has invalid characters.");
    let res = client
        .post("/vote")
        .header("x-csrftoken", bad_chars.as_str())
        .await;
    assert!(
        res.text().contains(
            "CSRF token from the &#x27;X-Csrftoken&#x27; HTTP header has invalid characters."
        ) || res
            .text()
            .contains("CSRF token from the 'X-Csrftoken' HTTP header has invalid characters."),
        "{}",
        res.text()
    );
    // A well-formed token for another secret.
    let other = TestClient::new(app_with(Csrf::new())).csrf_token();
    let res = client
        .post("/vote")
        .form(&[("csrfmiddlewaretoken", other.as_str())])
        .await;
    refused(&res, "CSRF token from POST incorrect.");
    let res = client
        .post("/vote")
        .header("x-csrftoken", other.as_str())
        .await;
    refused(&res, "HTTP header incorrect.");
}

#[tokio::test]
async fn without_the_cookie_or_with_a_bad_one_the_reason_is_the_cookie() {
    let client = client();
    let token = TestClient::new(app_with(Csrf::new())).csrf_token();
    let res = client
        .post("/vote")
        .header("x-csrftoken", token.as_str())
        .await;
    refused(&res, "CSRF cookie not set.");
    let res = client
        .post("/vote")
        .header("cookie", "csrftoken=tooshort")
        .header("x-csrftoken", token.as_str())
        .await;
    refused(&res, "CSRF cookie has incorrect length.");
    let res = client
        .post("/vote")
        .header("cookie", format!("csrftoken={}", "$".repeat(32)))
        .header("x-csrftoken", token.as_str())
        .await;
    refused(&res, "CSRF cookie has invalid characters.");
}

#[tokio::test]
async fn safe_methods_are_never_checked() {
    let client = client();
    for method in [
        micro::Method::GET,
        micro::Method::HEAD,
        micro::Method::OPTIONS,
    ] {
        let res = client.request(method.clone(), "/form").await;
        assert!(res.status().is_success(), "{method}: {}", res.status());
    }
}

#[tokio::test]
async fn a_page_without_a_token_sets_no_cookie_and_one_with_a_token_sets_it() {
    let client = client();
    let res = client.get("/plain").await;
    assert!(res.header("set-cookie").is_none());
    assert!(client.cookie("csrftoken").is_none());
    let res = client.get("/form").await;
    let cookie = res.header("set-cookie").expect("the secret's cookie");
    assert!(cookie.starts_with("csrftoken="), "{cookie}");
    assert!(cookie.contains("Max-Age=31449600"), "{cookie}");
    assert!(
        cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("HttpOnly") && !cookie.contains("Secure"),
        "{cookie}"
    );
    assert_eq!(res.header("vary"), Some("Cookie"));
    // The same secret on the next page.
    let secret = client.cookie("csrftoken").unwrap();
    client.get("/form").await;
    assert_eq!(client.cookie("csrftoken").unwrap(), secret);
}

#[tokio::test]
async fn exempt_routes_and_blueprints_take_posts_without_a_token() {
    let client = client();
    assert_eq!(client.post("/webhook").await.text(), "hooked");
    assert_eq!(client.post("/api/items").await.text(), "created");
    assert_eq!(client.post("/api/v2/items").await.text(), "created v2");
    // The cross-origin check still runs on them.
    let res = client
        .post("/api/items")
        .cross_site("https://evil.example")
        .await;
    refused(&res, "cross-origin");
}

#[tokio::test]
async fn a_json_client_gets_the_reason_as_json() {
    let client = client();
    let res = client
        .post("/vote")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json();
    assert_eq!(body["status"], 403);
    assert_eq!(body["message"], "CSRF cookie not set.");
}

#[tokio::test]
async fn origin_is_checked_against_the_host_and_the_trusted_origins() {
    let mut csrf = Csrf::new();
    csrf.trusted_origin("https://dashboard.example.com")
        .unwrap();
    csrf.trusted_origin("https://*.example.org").unwrap();
    let client = TestClient::new(app_with(csrf));
    let post = |origin: &str| {
        client
            .post("/vote")
            .header("origin", origin)
            .with_csrf_token()
            .form(&[("choice", "x")])
    };
    assert_eq!(post("http://testserver").await.status(), 200);
    for bad in [
        "https://evil.example",
        "null",
        "http://dashboard.example.com",
        "https://testserver",
    ] {
        let res = post(bad).header("sec-fetch-site", "same-origin").await;
        assert_eq!(res.status(), 403, "{bad}");
        let expected =
            format!("Origin checking failed - {bad} does not match any trusted origins.");
        assert!(res.text().contains(&expected), "{bad}: {}", res.text());
    }
    // Trusted for the cross-origin check too: one list for both.
    for good in [
        "https://dashboard.example.com",
        "https://foo.example.org",
        "https://example.org",
    ] {
        let res = post(good).await;
        assert_eq!(res.status(), 200, "{good}: {}", res.text());
        let res = post(good).header("sec-fetch-site", "same-site").await;
        assert_eq!(res.status(), 200, "{good}: {}", res.text());
    }
}

#[tokio::test]
async fn on_https_without_origin_the_referer_must_be_this_site() {
    let mut csrf = Csrf::new();
    csrf.proxy_ssl_header(HeaderName::from_static("x-forwarded-proto"), "https");
    csrf.trusted_origin("https://*.example.org").unwrap();
    let client = TestClient::new(app_with(csrf));
    let post = |referer: Option<&str>| {
        let mut req = client
            .post("/vote")
            .header("x-forwarded-proto", "https")
            .with_csrf_token()
            .form(&[("choice", "x")]);
        if let Some(r) = referer {
            req = req.header("referer", r);
        }
        req
    };
    assert_eq!(
        post(Some("https://testserver/polls/1/")).await.status(),
        200
    );
    assert_eq!(post(Some("https://a.example.org/")).await.status(), 200);
    for (referer, expected) in [
        (None, "Referer checking failed - no Referer."),
        (
            Some("https://evil.example/page"),
            "Referer checking failed - https://evil.example/page does not match any trusted origins.",
        ),
        (
            Some("http://testserver/"),
            "Referer checking failed - Referer is insecure while host is secure.",
        ),
        (
            Some("https://"),
            "Referer checking failed - Referer is malformed.",
        ),
        (
            Some("//testserver/"),
            "Referer checking failed - Referer is malformed.",
        ),
    ] {
        let res = post(referer).await;
        assert_eq!(res.status(), 403, "{referer:?}");
        assert!(res.text().contains(expected), "{referer:?}: {}", res.text());
    }
    // Over plain HTTP there is no Referer check.
    let res = client
        .post("/vote")
        .with_csrf_token()
        .form(&[("choice", "x")])
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_multipart_form_carries_the_token_and_the_handler_still_gets_every_part() {
    let client = client();
    let token = client.csrf_token();
    let boundary = "csrf-test-boundary";
    let big = "z".repeat(100_000);
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n{big}\r\n\
         --{boundary}--\r\n"
    );
    let content_type = format!("multipart/form-data; boundary={boundary}");
    let res = client
        .post("/upload")
        .header("content-type", content_type.as_str())
        .body(body.clone())
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(
        res.text(),
        format!("csrfmiddlewaretoken={token},title=holiday | photo:100000")
    );
    let res = client
        .post("/upload")
        .header("content-type", content_type.as_str())
        .body(body.replace(&token, &"a".repeat(64)))
        .await;
    refused(&res, "CSRF token from POST incorrect.");
}

#[tokio::test]
async fn the_cross_origin_check_runs_first() {
    let client = client();
    let res = client
        .post("/vote")
        .cross_site("https://evil.example")
        .with_csrf_token()
        .await;
    refused(&res, "cross-origin");
}

#[tokio::test]
async fn rotate_token_gives_a_new_secret_and_old_tokens_stop_matching() {
    let mut app = app_with(Csrf::new());
    app.route(
        "/login",
        post(|mut req: micro::Request| async move {
            micro::rotate_token(&mut req);
            "logged in"
        }),
    );
    let client = TestClient::new(app);
    let before = client.csrf_token();
    let old_secret = client.cookie("csrftoken").unwrap();
    let res = client
        .post("/login")
        .header("x-csrftoken", before.as_str())
        .await;
    assert_eq!(res.text(), "logged in");
    let new_secret = client.cookie("csrftoken").unwrap();
    assert_ne!(old_secret, new_secret);
    let res = client
        .post("/vote")
        .header("x-csrftoken", before.as_str())
        .form(&[("choice", "x")])
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn a_failure_template_and_error_handlers_see_the_reason() {
    let mut csrf = Csrf::new();
    csrf.failure_template("403_csrf.html");
    let mut app = app_with(csrf);
    app.add_template("403_csrf.html", "<h1>Forbidden</h1><p>{{ reason }}</p>")
        .unwrap();
    let client = TestClient::new(app);
    let res = client.post("/vote").await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.text(), "<h1>Forbidden</h1><p>CSRF cookie not set.</p>");
    // JSON clients still get JSON.
    let res = client
        .post("/vote")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.json::<Value>()["message"], "CSRF cookie not set.");

    let mut app = app_with(Csrf::new());
    app.error_handler(403, |err, _req| {
        let reason = err
            .downcast_ref::<CsrfFailure>()
            .map(|f| f.reason().to_owned());
        format!("custom: {reason:?}")
    });
    let res = TestClient::new(app).post("/vote").await;
    assert_eq!(res.text(), "custom: Some(\"CSRF cookie not set.\")");
}

#[tokio::test]
async fn configured_names_are_used() {
    let mut csrf = Csrf::new();
    csrf.cookie_name("xsrf")
        .header_name(HeaderName::from_static("x-xsrf-token"))
        .field_name("csrf_token")
        .cookie_httponly(true)
        .cookie_secure(true)
        .cookie_samesite(Some(micro::SameSite::Strict))
        .cookie_age(None)
        .cookie_path("/app");
    let client = TestClient::new(app_with(csrf));
    let res = client.get("/form").await;
    let cookie = res.header("set-cookie").unwrap().to_owned();
    assert!(
        cookie.starts_with("xsrf=") && cookie.contains("HttpOnly") && cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(
        cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/app")
            && !cookie.contains("Max-Age"),
        "{cookie}"
    );
    assert!(
        res.text().contains(r#"name="csrf_token""#),
        "{}",
        res.text()
    );
    let token = client.csrf_token();
    let res = client
        .post("/vote")
        .header(
            "cookie",
            format!("xsrf={}", &cookie["xsrf=".len()..cookie.find(';').unwrap()]),
        )
        .header("x-xsrf-token", token.as_str())
        .form(&[("choice", "x")])
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
}

#[tokio::test]
async fn a_browser_round_trip_over_a_real_socket() {
    let server = TestServer::start(app_with(Csrf::new())).await;
    let mut conn = http1_connect(server.addr).await;
    let page = conn.get("/form").await;
    let set_cookie = page.header("set-cookie").expect("cookie").to_owned();
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let token = token_in(&page.text());
    let host = server.addr.to_string();
    let send = |body: String, with_cookie: bool| {
        let mut req = http::Request::post("/vote")
            .header("host", host.as_str())
            .header("origin", format!("http://{host}"))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded");
        if with_cookie {
            req = req.header("cookie", cookie.as_str());
        }
        req.body(full(body)).unwrap()
    };
    let ok = conn
        .send(send(
            format!("csrfmiddlewaretoken={token}&choice=green"),
            true,
        ))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.text(), "voted green");
    let refused = conn
        .send(send(
            format!("csrfmiddlewaretoken={token}&choice=green"),
            false,
        ))
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.text().contains("CSRF cookie not set."),
        "{}",
        refused.text()
    );
    let refused = conn.send(send("choice=green".into(), true)).await;
    assert!(
        refused.text().contains("CSRF token missing."),
        "{}",
        refused.text()
    );
}

#[tokio::test]
async fn a_bad_cookie_is_replaced_by_the_next_page_that_uses_a_token() {
    // Django's test_invalid_cookie_replaced_on_GET and test_masked_secret_accepted_and_replaced.
    let client = client();
    let res = client
        .get("/form")
        .header("cookie", "csrftoken=not-a-secret")
        .await;
    let set = res.header("set-cookie").expect("a new cookie").to_owned();
    let secret = &set["csrftoken=".len()..set.find(';').unwrap()];
    assert_eq!(secret.len(), 32, "{set}");
    let masked = client.csrf_token();
    let res = TestClient::new(app_with(Csrf::new()))
        .get("/form")
        .header("cookie", format!("csrftoken={masked}"))
        .await;
    let set = res.header("set-cookie").unwrap();
    assert!(
        set.starts_with(&format!(
            "csrftoken={}",
            client.cookie("csrftoken").unwrap()
        )),
        "{set}"
    );
}

#[tokio::test]
async fn malformed_and_foreign_origins_are_refused() {
    let mut csrf = Csrf::new();
    csrf.trusted_origin("http://no-match.com").unwrap();
    let client = TestClient::new(app_with(csrf));
    // Django's test_bad_origin_cannot_be_parsed, _bad_protocol, _csrf_trusted_origin_bad_protocol.
    for origin in [
        "https://[",
        "ftp://testserver",
        "https://no-match.com",
        "http://testserver.evil",
    ] {
        let res = client
            .post("/vote")
            .header("origin", origin)
            .same_origin()
            .with_csrf_token()
            .form(&[("choice", "x")])
            .await;
        assert_eq!(res.status(), 403, "{origin}");
        assert!(
            res.text().contains("Origin checking failed"),
            "{origin}: {}",
            res.text()
        );
    }
}

#[tokio::test]
async fn a_token_check_is_not_a_reason_to_hide_a_404() {
    let client = client();
    assert_eq!(client.post("/no-such-page").await.status(), 404);
}

/// A multipart body with the token where `token_first` says, and a file of `size` bytes.
fn multipart(token: &str, token_first: bool, size: usize) -> String {
    let b = "csrf-test-boundary";
    let token_part = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
    );
    let file = format!(
        "--{b}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.bin\"\r\n\r\n{}\r\n",
        "z".repeat(size)
    );
    let (first, second) = if token_first {
        (&token_part, &file)
    } else {
        (&file, &token_part)
    };
    format!("{first}{second}--{b}--\r\n")
}

#[tokio::test]
async fn a_multipart_token_after_the_file_is_found_within_the_body_limit() {
    let mut app = app_with(Csrf::new());
    app.body_limit(64 * 1024);
    let client = TestClient::new(app);
    let token = client.csrf_token();
    let content_type = "multipart/form-data; boundary=csrf-test-boundary";
    let res = client
        .post("/upload")
        .header("content-type", content_type)
        .body(multipart(&token, false, 10_000))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(
        res.text(),
        format!("csrfmiddlewaretoken={token} | photo:10000")
    );
    // Past the limit the check stops looking: put `csrf_input()` first in the form.
    let res = client
        .post("/upload")
        .header("content-type", content_type)
        .body(multipart(&token, false, 100_000))
        .await;
    refused(&res, "CSRF token missing.");
}

#[tokio::test]
async fn a_multipart_form_streamed_over_a_socket() {
    let server = TestServer::start(app_with(Csrf::new())).await;
    let mut conn = http1_connect(server.addr).await;
    let page = conn.get("/form").await;
    let cookie = page
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = token_in(&page.text());
    // Sent in small chunks, so the check reads the token from a stream and the handler
    // reads the replayed chunks and then the rest of the stream.
    let body: &'static str = Box::leak(multipart(&token, true, 300_000).into_boxed_str());
    let chunks: Vec<&'static str> = (0..body.len())
        .step_by(1000)
        .map(|i| &body[i..(i + 1000).min(body.len())])
        .collect();
    let req = http::Request::post("/upload")
        .header("host", server.addr.to_string())
        .header("cookie", cookie)
        .header(
            "content-type",
            "multipart/form-data; boundary=csrf-test-boundary",
        )
        .body(chunked(chunks))
        .unwrap();
    let res = conn.send(req).await;
    assert_eq!(res.status, 200, "{}", res.text());
    assert_eq!(
        res.text(),
        format!("csrfmiddlewaretoken={token} | photo:300000")
    );
}
