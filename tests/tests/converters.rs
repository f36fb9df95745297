//! Converters: string (default), int, float, path, uuid, any(...) and a user-defined one; a value
//! that does not convert is a 404.

use micro::{App, Converter, Path, StatusCode, TestClient};

fn client() -> TestClient {
    let mut app = App::new();
    app.get("/s/<value>", |Path(v): Path<String>| async move {
        format!("string {v}")
    });
    app.get("/s2/<string:value>", |Path(v): Path<String>| async move {
        format!("string {v}")
    });
    app.get("/i/<int:value>", |Path(v): Path<u64>| async move {
        format!("int {v}")
    });
    app.get(
        "/month/<int(min=1, max=12):m>",
        |Path(v): Path<u8>| async move { format!("month {v}") },
    );
    app.get("/f/<float:value>", |Path(v): Path<f64>| async move {
        format!("float {v}")
    });
    app.get("/p/<path:value>", |Path(v): Path<String>| async move {
        format!("path {v}")
    });
    app.get("/u/<uuid:value>", |Path(v): Path<String>| async move {
        format!("uuid {v}")
    });
    app.get(
        "/<any(about, help):page>",
        |Path(v): Path<String>| async move { format!("any {v}") },
    );
    TestClient::new(app)
}

async fn check(client: &TestClient, path: &str, expected: Option<&str>) {
    let res = client.get(path).await;
    match expected {
        Some(body) => {
            assert_eq!(res.status(), StatusCode::OK, "GET {path}: {}", res.text());
            assert_eq!(res.text(), body, "GET {path}");
        }
        None => assert_eq!(
            res.status(),
            StatusCode::NOT_FOUND,
            "GET {path} should not match: {}",
            res.text()
        ),
    }
}

#[tokio::test]
async fn string_is_the_default_and_takes_no_slash() {
    let c = client();
    check(&c, "/s/hello", Some("string hello")).await;
    check(&c, "/s2/hello", Some("string hello")).await;
    check(&c, "/s/a/b", None).await;
    check(&c, "/s/", None).await;
}

#[tokio::test]
async fn int_takes_unsigned_digits_within_bounds() {
    let c = client();
    check(&c, "/i/42", Some("int 42")).await;
    check(&c, "/i/-1", None).await;
    check(&c, "/i/4x", None).await;
    check(&c, "/i/1.5", None).await;
    check(&c, "/month/12", Some("month 12")).await;
    check(&c, "/month/13", None).await;
    check(&c, "/month/0", None).await;
}

#[tokio::test]
async fn float_needs_a_decimal_point() {
    let c = client();
    check(&c, "/f/1.5", Some("float 1.5")).await;
    check(&c, "/f/1", None).await;
    check(&c, "/f/abc", None).await;
}

#[tokio::test]
async fn path_takes_slashes() {
    let c = client();
    check(&c, "/p/a/b/c.txt", Some("path a/b/c.txt")).await;
    check(&c, "/p/single", Some("path single")).await;
}

#[tokio::test]
async fn uuid_takes_the_hyphenated_hex_form() {
    let c = client();
    check(
        &c,
        "/u/67e55044-10b1-426f-9247-bb680e5fe0c8",
        Some("uuid 67e55044-10b1-426f-9247-bb680e5fe0c8"),
    )
    .await;
    check(&c, "/u/67e55044-10b1-426f-9247-bb680e5fe0c", None).await;
    check(&c, "/u/not-a-uuid", None).await;
}

#[tokio::test]
async fn any_takes_one_of_its_words() {
    let c = client();
    check(&c, "/about", Some("any about")).await;
    check(&c, "/help", Some("any help")).await;
    check(&c, "/other", None).await;
}

/// Lower-case hexadecimal numbers, handed to `Path` as a number.
struct Hex;

impl Converter for Hex {
    fn accepts(&self, value: &str) -> bool {
        !value.is_empty()
            && value.len() <= 8
            && value
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    }

    fn to_value(&self, value: &str) -> serde_json::Value {
        u32::from_str_radix(value, 16).map_or(serde_json::Value::Null, serde_json::Value::from)
    }
}

#[tokio::test]
async fn user_defined_converter() {
    let mut app = App::new();
    app.converter("hex", Hex);
    app.get("/color/<hex:rgb>", |Path(rgb): Path<u32>| async move {
        format!("rgb {rgb}")
    });
    let client = TestClient::new(app);

    check(&client, "/color/ff", Some("rgb 255")).await;
    check(&client, "/color/10", Some("rgb 16")).await;
    check(&client, "/color/xyz", None).await;
    check(&client, "/color/FF", None).await;
}

#[test]
fn unregistered_converter_is_refused_at_registration() {
    let mut app = App::new();
    let err = app
        .try_route("/c/<hex:rgb>", micro::routing::get(|| async { "" }))
        .expect_err("hex is not registered yet");
    assert!(err.to_string().contains("hex"), "{err}");
}
