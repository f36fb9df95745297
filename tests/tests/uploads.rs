//! Multipart uploads: fields and files, memory and disk, file names, limits and bad bodies.

mod common;

use micro::{App, Error, Multipart, MultipartConfig, MultipartForm, TestClient};
use serde_json::{Value, json};

const BOUNDARY: &str = "micro-test-boundary-7MA4YWxk";

/// One part: field name, file name (for files), content.
type Part<'a> = (&'a str, Option<&'a str>, &'a [u8]);

fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// A multipart body as a browser builds it.
fn body(parts: &[Part<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, data) in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match filename {
            Some(filename) => out.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// What the form held, as JSON the tests can compare.
async fn describe(form: MultipartForm) -> Result<micro::Json<Value>, Error> {
    let mut files = Vec::new();
    for file in form.files() {
        files.push(json!({
            "field": file.name(),
            "filename": file.filename(),
            "raw": file.raw_filename(),
            "type": file.content_type(),
            "len": file.len(),
            "in_memory": file.in_memory().is_some(),
            "data": String::from_utf8_lossy(&file.bytes().await?),
        }));
    }
    let texts: Vec<Value> = form.texts().map(|(k, v)| json!([k, v])).collect();
    Ok(micro::Json(json!({ "texts": texts, "files": files })))
}

fn app() -> App {
    let mut app = App::new();
    app.post("/upload", describe);
    app
}

async fn post(client: &TestClient, parts: &[Part<'_>]) -> micro::TestResponse {
    client
        .post("/upload")
        .header("content-type", content_type())
        .body(body(parts))
        .await
}

#[tokio::test]
async fn text_fields_and_files_in_memory() {
    let client = TestClient::new(app());
    let res = post(
        &client,
        &[
            ("title", None, b"Holiday"),
            ("tag", None, b"sea"),
            ("tag", None, b"sun"),
            ("photo", Some("beach.jpg"), b"\x89JPEGDATA"),
        ],
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    let got: Value = res.json();
    assert_eq!(
        got["texts"],
        json!([["title", "Holiday"], ["tag", "sea"], ["tag", "sun"]])
    );
    let photo = &got["files"][0];
    assert_eq!(photo["field"], "photo");
    assert_eq!(photo["filename"], "beach.jpg");
    assert_eq!(photo["type"], "application/octet-stream");
    assert_eq!(photo["len"], 9);
    assert_eq!(photo["in_memory"], true);
}

#[tokio::test]
async fn lookups_like_request_form_and_request_files() {
    let mut app = App::new();
    app.post("/upload", |mut form: MultipartForm| async move {
        let tags: Vec<&str> = form.text_all("tag").collect();
        let summary = format!(
            "{} {:?} {} {}",
            form.text("title").unwrap_or("-"),
            tags,
            form.file_all("docs").count(),
            form.file("missing").is_none(),
        );
        let taken = form.take_file("docs").map(|f| f.raw_filename().to_owned());
        format!("{summary} {taken:?} {}", form.files().len())
    });
    let client = TestClient::new(app);
    let res = post(
        &client,
        &[
            ("title", None, b"t"),
            ("tag", None, b"a"),
            ("tag", None, b"b"),
            ("docs", Some("one.txt"), b"1"),
            ("docs", Some("two.txt"), b"2"),
        ],
    )
    .await;
    assert_eq!(res.text(), r#"t ["a", "b"] 2 true Some("one.txt") 1"#);
}

#[tokio::test]
async fn an_empty_file_input_is_left_out() {
    let client = TestClient::new(app());
    let res = post(&client, &[("title", None, b"x"), ("photo", Some(""), b"")]).await;
    assert_eq!(res.json::<Value>()["files"], json!([]));
}

#[tokio::test]
async fn large_files_spool_to_disk_and_are_saved_and_cleaned_up() {
    let temp = tempfile::tempdir().unwrap();
    let dest = tempfile::tempdir().unwrap();
    let dest_dir = dest.path().to_owned();
    let mut app = App::new();
    // Kept in memory up to 8 bytes, on disk beyond.
    app.state(
        MultipartConfig::new()
            .memory_threshold(8)
            .temp_dir(temp.path()),
    );
    app.post("/upload", move |mut form: MultipartForm| {
        let dest_dir = dest_dir.clone();
        async move {
            let small = form.take_file("small").unwrap();
            let big = form.take_file("big").unwrap();
            let spooled = big.path().map(|p| p.to_owned());
            assert!(small.in_memory().is_some());
            small.save(dest_dir.join(small.filename())).await?;
            let big_dest = dest_dir.join(big.filename());
            big.persist(big_dest).await?;
            Ok::<_, Error>(format!("{}", spooled.is_some()))
        }
    });
    let client = TestClient::new(app);
    let big = vec![b'x'; 64 * 1024];
    let res = client
        .post("/upload")
        .header("content-type", content_type())
        .body(body(&[
            ("small", Some("small.txt"), b"tiny"),
            ("big", Some("big.bin"), &big),
        ]))
        .await;
    assert_eq!(res.text(), "true");
    assert_eq!(
        std::fs::read(dest.path().join("small.txt")).unwrap(),
        b"tiny"
    );
    assert_eq!(std::fs::read(dest.path().join("big.bin")).unwrap(), big);
    let left: Vec<_> = std::fs::read_dir(temp.path()).unwrap().collect();
    assert!(left.is_empty(), "temporary files left behind: {left:?}");
}

#[tokio::test]
async fn temporary_files_are_deleted_when_the_form_is_dropped() {
    let temp = tempfile::tempdir().unwrap();
    let mut app = App::new();
    app.state(MultipartConfig::new().on_disk().temp_dir(temp.path()));
    app.post("/upload", |form: MultipartForm| async move {
        let path = form.file("doc").and_then(|f| f.path()).map(|p| p.exists());
        format!("{path:?}")
    });
    let client = TestClient::new(app);
    let res = client
        .post("/upload")
        .header("content-type", content_type())
        .body(body(&[("doc", Some("a.txt"), b"on disk")]))
        .await;
    assert_eq!(res.text(), "Some(true)");
    assert_eq!(std::fs::read_dir(temp.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn file_names_are_sanitised_and_the_raw_name_is_kept() {
    let client = TestClient::new(app());
    let res = post(
        &client,
        &[
            ("a", Some("../../etc/passwd"), b"1"),
            ("b", Some("C:\\x\\y.txt"), b"2"),
            ("c", Some("r\u{e9}sum\u{e9} \u{fc}ber.pdf"), b"3"),
            ("d", Some("\u{65e5}\u{672c}.txt"), b"4"),
        ],
    )
    .await;
    let files = res.json::<Value>()["files"].clone();
    let names: Vec<(&str, &str)> = files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["filename"].as_str().unwrap(), f["raw"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("etc_passwd", "../../etc/passwd"),
            ("C_x_y.txt", "C:\\x\\y.txt"),
            ("resume_uber.pdf", "r\u{e9}sum\u{e9} \u{fc}ber.pdf"),
            ("txt", "\u{65e5}\u{672c}.txt"),
        ]
    );
}

#[tokio::test]
async fn a_file_over_its_limit_is_413_naming_the_field() {
    let mut app = app();
    app.state(MultipartConfig::new().max_file_size(10));
    let client = TestClient::new(app);
    let res = post(&client, &[("photo", Some("p.jpg"), &[0u8; 11])]).await;
    assert_eq!(res.status(), 413);
    assert!(res.text().contains("photo"), "{}", res.text());
    let res = post(&client, &[("photo", Some("p.jpg"), &[0u8; 10])]).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_text_field_over_its_limit_is_413() {
    let mut app = app();
    app.state(MultipartConfig::new().max_text_size(4));
    let client = TestClient::new(app);
    let res = client
        .post("/upload")
        .header("content-type", content_type())
        .header("accept", "application/json")
        .body(body(&[("note", None, b"too long")]))
        .await;
    assert_eq!(res.status(), 413);
    assert_eq!(res.json::<Value>()["details"][0]["field"], "note");
}

#[tokio::test]
async fn too_many_parts_is_413() {
    let mut app = app();
    app.state(MultipartConfig::new().max_parts(2));
    let client = TestClient::new(app);
    let res = post(
        &client,
        &[("a", None, b"1"), ("b", None, b"2"), ("c", None, b"3")],
    )
    .await;
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn the_body_limit_bounds_the_whole_body_inside_the_parser() {
    let mut app = app();
    app.body_limit(1024);
    let client = TestClient::new(app);
    // No Content-Length header: the limit is hit while multer reads, and must still be a 413.
    let res = post(&client, &[("photo", Some("big.bin"), &[7u8; 4096])]).await;
    assert_eq!(res.status(), 413, "{}", res.text());
    let res = post(&client, &[("photo", Some("ok.bin"), &[7u8; 512])]).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_up_front() {
    let mut app = app();
    app.body_limit(1024);
    let client = TestClient::new(app);
    let data = body(&[("photo", Some("big.bin"), &[7u8; 4096])]);
    let res = client
        .post("/upload")
        .header("content-type", content_type())
        .header("content-length", data.len().to_string())
        .body(data)
        .await;
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413_over_a_socket() {
    let mut app = app();
    app.body_limit(1024);
    let mut server = common::TestServer::start(app).await;
    let data = body(&[("photo", Some("big.bin"), &[7u8; 4096])]);
    let mut request = format!(
        "POST /upload HTTP/1.1\r\nHost: test\r\nContent-Type: {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        content_type()
    )
    .into_bytes();
    for chunk in data.chunks(500) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let response = raw(server.addr, &request).await;
    assert_eq!(common::raw_status(response.as_bytes()), 413, "{response}");
    server.trigger_shutdown();
    server.stopped_within(common::WAIT).await.unwrap();
}

#[tokio::test]
async fn wrong_content_type_is_415() {
    let client = TestClient::new(app());
    let res = client
        .post("/upload")
        .header("content-type", "application/json")
        .body("{}")
        .await;
    assert_eq!(res.status(), 415);
    assert!(res.text().contains("multipart/form-data"));
    let res = client.post("/upload").body("x").await;
    assert_eq!(res.status(), 415);
}

#[tokio::test]
async fn a_missing_boundary_is_400() {
    let client = TestClient::new(app());
    let res = client
        .post("/upload")
        .header("content-type", "multipart/form-data")
        .body(body(&[("a", None, b"1")]))
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().contains("boundary"), "{}", res.text());
}

#[tokio::test]
async fn a_malformed_body_is_400() {
    let client = TestClient::new(app());
    // Cut off before the closing boundary.
    let cut = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue");
    let res = client
        .post("/upload")
        .header("content-type", content_type())
        .body(cut)
        .await;
    assert_eq!(res.status(), 400, "{}", res.text());
    // Headers that never end.
    let garbage = format!("--{BOUNDARY}\r\nno headers here");
    let res = client
        .post("/upload")
        .header("content-type", content_type())
        .body(garbage)
        .await;
    assert_eq!(res.status(), 400, "{}", res.text());
}

#[tokio::test]
async fn the_streaming_extractor_yields_fields_in_order() {
    let mut app = App::new();
    app.post("/upload", |mut multipart: Multipart| async move {
        let mut seen = Vec::new();
        while let Some(mut field) = multipart.next_field().await? {
            let mut size = 0;
            while let Some(chunk) = field.chunk().await? {
                size += chunk.len();
            }
            seen.push(format!("{}:{:?}:{size}", field.name(), field.file_name()));
        }
        Ok::<_, Error>(seen.join(" "))
    });
    let client = TestClient::new(app);
    let res = post(
        &client,
        &[("a", None, b"12"), ("f", Some("x.bin"), &[0u8; 1000])],
    )
    .await;
    assert_eq!(res.text(), r#"a:None:2 f:Some("x.bin"):1000"#);
}

#[tokio::test]
async fn a_per_handler_config_overrides_the_app() {
    let mut app = App::new();
    app.state(MultipartConfig::new().max_file_size(1_000_000));
    app.post("/avatar", |mut req: micro::Request| async move {
        let config = MultipartConfig::new().max_file_size(4);
        let form = Multipart::with_config(&mut req, config)?
            .into_form()
            .await?;
        Ok::<_, Error>(form.files().len().to_string())
    });
    let client = TestClient::new(app);
    let res = client
        .post("/avatar")
        .header("content-type", content_type())
        .body(body(&[("avatar", Some("a.png"), b"12345")]))
        .await;
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn text_fields_deserialise_into_a_struct() {
    #[derive(serde::Deserialize)]
    struct Meta {
        title: String,
        year: u16,
    }
    let mut app = App::new();
    app.post("/upload", |form: MultipartForm| async move {
        let meta: Meta = form.deserialize()?;
        Ok::<_, Error>(format!("{} {}", meta.title, meta.year))
    });
    let client = TestClient::new(app);
    let res = post(
        &client,
        &[("title", None, b"Dune"), ("year", None, b"1965")],
    )
    .await;
    assert_eq!(res.text(), "Dune 1965");
    let res = post(
        &client,
        &[("title", None, b"Dune"), ("year", None, b"soon")],
    )
    .await;
    assert_eq!(res.status(), 422);
}

/// A raw request on a fresh connection; the whole response as text.
async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> String {
    String::from_utf8_lossy(&common::raw_exchange(addr, request).await).into_owned()
}
