//! Static files and `send_file`: content types, conditional and range requests, HEAD, caching,
//! `url_for("static")`, downloads, and every way of reaching a file outside the folder.

use std::path::PathBuf;
use std::time::Duration;

use http_body_util::{BodyExt, Empty};
use micro::{App, Blueprint, Request, TestClient, send_file, send_from_directory};

const HELLO: &str = "Hello, static world!\n";

/// A fresh folder under the system's temp dir, removed when dropped:
///
/// ```text
/// <root>/secret.txt                  outside the static folder
/// <root>/report.pdf                  for send_file
/// <root>/static/hello.txt            HELLO
/// <root>/static/css/site.css
/// <root>/static/js/app.js
/// <root>/static/img/logo.png
/// <root>/static/data.unknownext
/// <root>/static/100%.txt
/// <root>/static/link-in   -> hello.txt      (stays inside)
/// <root>/static/link-out  -> ../secret.txt  (leads outside)
/// <root>/static/dir-out   -> ..             (a directory outside)
/// ```
struct Site {
    root: PathBuf,
}

impl Site {
    fn new(name: &str) -> Site {
        let root = std::env::temp_dir().join(format!(
            "micro-static-{name}-{}-{}",
            std::process::id(),
            unique_suffix()
        ));
        let _ = std::fs::remove_dir_all(&root);
        let files = root.join("static");
        std::fs::create_dir_all(files.join("css")).unwrap();
        std::fs::create_dir_all(files.join("js")).unwrap();
        std::fs::create_dir_all(files.join("img")).unwrap();
        std::fs::write(root.join("secret.txt"), "top secret").unwrap();
        std::fs::write(root.join("report.pdf"), "%PDF-1.4 fake").unwrap();
        std::fs::write(files.join("hello.txt"), HELLO).unwrap();
        std::fs::write(files.join("css/site.css"), "body { color: teal }").unwrap();
        std::fs::write(files.join("js/app.js"), "console.log(1)").unwrap();
        std::fs::write(files.join("img/logo.png"), [0x89, b'P', b'N', b'G']).unwrap();
        std::fs::write(files.join("data.unknownext"), "?").unwrap();
        std::fs::write(files.join("100%.txt"), "percent").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("hello.txt", files.join("link-in")).unwrap();
            std::os::unix::fs::symlink("../secret.txt", files.join("link-out")).unwrap();
            std::os::unix::fs::symlink("..", files.join("dir-out")).unwrap();
        }
        Site { root }
    }

    fn static_dir(&self) -> PathBuf {
        self.root.join("static")
    }

    fn app(&self) -> App {
        let mut app = App::new();
        app.static_folder(self.static_dir());
        app
    }

    fn client(&self) -> TestClient {
        TestClient::new(self.app())
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Tests run in parallel in one process: each site needs its own folder.
fn unique_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test]
async fn serves_files_with_a_content_type_from_the_extension() {
    let site = Site::new("types");
    let client = site.client();

    let res = client.get("/static/hello.txt").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), HELLO);
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        res.header("content-length"),
        Some(&*HELLO.len().to_string())
    );
    assert_eq!(res.header("accept-ranges"), Some("bytes"));

    let css = client.get("/static/css/site.css").await;
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    let js = client.get("/static/js/app.js").await;
    assert!(
        js.header("content-type").unwrap().contains("javascript"),
        "{:?}",
        js.header("content-type")
    );
    let png = client.get("/static/img/logo.png").await;
    assert_eq!(png.header("content-type"), Some("image/png"));
    let unknown = client.get("/static/data.unknownext").await;
    assert_eq!(
        unknown.header("content-type"),
        Some("application/octet-stream")
    );

    // A literal `%` in a file name survives micro's decoding and ServeDir's.
    let percent = client.get("/static/100%25.txt").await;
    assert_eq!(percent.status(), 200);
    assert_eq!(percent.text(), "percent");
}

#[tokio::test]
async fn etag_and_if_none_match_give_304() {
    let site = Site::new("etag");
    let client = site.client();

    let first = client.get("/static/hello.txt").await;
    let etag = first.header("etag").expect("an ETag").to_owned();

    let again = client
        .get("/static/hello.txt")
        .header("if-none-match", etag.as_str())
        .await;
    assert_eq!(again.status(), 304);
    assert!(again.bytes().is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    assert_eq!(again.header("cache-control"), Some("no-cache"));

    let other = client
        .get("/static/hello.txt")
        .header("if-none-match", "\"something-else\"")
        .await;
    assert_eq!(other.status(), 200);
    assert_eq!(other.text(), HELLO);
}

#[tokio::test]
async fn last_modified_and_if_modified_since_give_304() {
    let site = Site::new("lastmod");
    let client = site.client();

    let first = client.get("/static/hello.txt").await;
    let last_modified = first
        .header("last-modified")
        .expect("Last-Modified")
        .to_owned();

    let again = client
        .get("/static/hello.txt")
        .header("if-modified-since", last_modified.as_str())
        .await;
    assert_eq!(again.status(), 304);
    assert!(again.bytes().is_empty());

    let old = client
        .get("/static/hello.txt")
        .header("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")
        .await;
    assert_eq!(old.status(), 200);
}

#[tokio::test]
async fn range_gives_206_with_content_range() {
    let site = Site::new("range");
    let client = site.client();
    let len = HELLO.len();

    let res = client
        .get("/static/hello.txt")
        .header("range", "bytes=0-4")
        .await;
    assert_eq!(res.status(), 206);
    assert_eq!(res.text(), "Hello");
    assert_eq!(
        res.header("content-range"),
        Some(&*format!("bytes 0-4/{len}"))
    );
    assert_eq!(res.header("content-length"), Some("5"));

    let suffix = client
        .get("/static/hello.txt")
        .header("range", "bytes=-7")
        .await;
    assert_eq!(suffix.status(), 206);
    assert_eq!(suffix.text(), "world!\n");

    // Several ranges are valid HTTP: the whole file is an allowed answer.
    let multi = client
        .get("/static/hello.txt")
        .header("range", "bytes=0-1,3-4")
        .await;
    assert_eq!(multi.status(), 200);
    assert_eq!(multi.text(), HELLO);
}

#[tokio::test]
async fn unsatisfiable_range_gives_416() {
    let site = Site::new("range416");
    let client = site.client();

    let res = client
        .get("/static/hello.txt")
        .header("range", "bytes=1000-2000")
        .await;
    assert_eq!(res.status(), 416);
    assert_eq!(
        res.header("content-range"),
        Some(&*format!("bytes */{}", HELLO.len()))
    );

    let garbage = client
        .get("/static/hello.txt")
        .header("range", "lines=1-2")
        .await;
    assert_eq!(garbage.status(), 416);
}

#[tokio::test]
async fn if_range_with_a_stale_validator_gets_the_whole_file() {
    let site = Site::new("ifrange");
    let client = site.client();
    let etag = client
        .get("/static/hello.txt")
        .await
        .header("etag")
        .unwrap()
        .to_owned();

    let fresh = client
        .get("/static/hello.txt")
        .header("range", "bytes=0-4")
        .header("if-range", etag.as_str())
        .await;
    assert_eq!(fresh.status(), 206);
    assert_eq!(fresh.text(), "Hello");

    let stale = client
        .get("/static/hello.txt")
        .header("range", "bytes=0-4")
        .header("if-range", "\"an-old-version\"")
        .await;
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.text(), HELLO);
}

#[tokio::test]
async fn head_has_the_headers_and_no_body() {
    let site = Site::new("head");
    let res = site.client().head("/static/css/site.css").await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().is_empty());
    assert_eq!(
        res.header("content-length"),
        Some(&*"body { color: teal }".len().to_string())
    );
    assert_eq!(res.header("content-type"), Some("text/css; charset=utf-8"));
    assert!(res.header("etag").is_some());
}

#[tokio::test]
async fn other_methods_get_405() {
    let site = Site::new("methods");
    let res = site.client().post("/static/hello.txt").await;
    assert_eq!(res.status(), 405);
    assert!(res.header("allow").unwrap().contains("GET"));
}

#[tokio::test]
async fn cache_control_is_no_cache_unless_a_max_age_is_set() {
    let site = Site::new("cache");
    let res = site.client().get("/static/hello.txt").await;
    assert_eq!(res.header("cache-control"), Some("no-cache"));

    let mut app = site.app();
    app.static_max_age(Duration::from_secs(3600));
    let res = TestClient::new(app).get("/static/hello.txt").await;
    assert_eq!(res.header("cache-control"), Some("public, max-age=3600"));
}

#[tokio::test]
async fn url_for_static_builds_the_files_url() {
    let site = Site::new("urlfor");
    let mut app = site.app();
    assert_eq!(
        app.url_for("static", [("filename", "css/site.css")])
            .unwrap(),
        "/static/css/site.css"
    );
    app.get("/", |req: Request| async move {
        req.url_for("static", [("filename", "css/site.css")])
            .map_err(micro::Error::from)
    });
    let client = TestClient::new(app);
    let link = client.get("/").await.text();
    assert_eq!(link, "/static/css/site.css");
    assert_eq!(client.get(&link).await.status(), 200);
}

#[tokio::test]
async fn folder_and_url_path_are_configurable() {
    let site = Site::new("config");
    let mut app = App::new();
    // The order of the calls does not matter.
    app.static_url_path("/assets")
        .static_folder(site.static_dir());
    assert_eq!(
        app.url_for("static", [("filename", "hello.txt")]).unwrap(),
        "/assets/hello.txt"
    );
    let client = TestClient::new(app);
    assert_eq!(client.get("/assets/hello.txt").await.text(), HELLO);
    assert_eq!(client.get("/static/hello.txt").await.status(), 404);
}

#[tokio::test]
async fn the_default_folder_is_static_in_the_current_directory() {
    // The tests run in the package folder, which has no `static/`: the route exists, files 404.
    let app = App::new();
    assert_eq!(
        app.static_files("static").unwrap().folder(),
        std::env::current_dir().unwrap().join("static")
    );
    let res = TestClient::new(app).get("/static/anything.css").await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
#[should_panic(expected = "already used by the rule `/static/<path:filename>`")]
async fn a_rule_named_static_clashes_with_the_static_route() {
    let mut app = App::new();
    app.route(
        "/files/<path:f>",
        micro::routing::get(|| async { "" }).name("static"),
    );
}

#[tokio::test]
async fn disabling_static_files_frees_the_url_and_the_name() {
    let mut app = App::new();
    app.disable_static_files();
    assert!(app.url_for("static", [("filename", "x")]).is_err());
    app.get(
        "/static/<path:name>",
        |micro::Path(name): micro::Path<String>| async move { format!("mine: {name}") },
    );
    let res = TestClient::new(app).get("/static/a/b").await;
    assert_eq!(res.text(), "mine: a/b");
}

#[tokio::test]
async fn traversal_attempts_are_all_404() {
    let site = Site::new("traversal");
    let client = site.client();
    let mut attempts = vec![
        "/static/../secret.txt",
        "/static/../../Cargo.toml",
        "/static/%2e%2e/secret.txt",
        "/static/%2E%2E/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/..%2Fsecret.txt",
        "/static/css/..%2f..%2fsecret.txt",
        "/static/%252e%252e/secret.txt",
        "/static/a%5C..%5C..%5Csecret.txt",
        "/static/..%5Csecret.txt",
        "/static//etc/passwd",
        "/static/%2fetc/passwd",
        "/static/./hello.txt",
        "/static/hello.txt%00.png",
    ];
    // A raw backslash is not valid in a URI; send it if the client accepts it.
    let raw_backslash = "/static/a\\..\\..\\secret.txt";
    if http::Uri::try_from(raw_backslash).is_ok() {
        attempts.push(raw_backslash);
    }
    for uri in attempts {
        let res = client.get(uri).await;
        assert_eq!(res.status(), 404, "{uri} gave {}", res.status());
        assert!(!res.text().contains("top secret"), "{uri}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_may_not_lead_out_of_the_folder() {
    let site = Site::new("symlinks");
    let client = site.client();
    let inside = client.get("/static/link-in").await;
    assert_eq!(inside.status(), 200);
    assert_eq!(inside.text(), HELLO);

    for uri in ["/static/link-out", "/static/dir-out/secret.txt"] {
        let res = client.get(uri).await;
        assert_eq!(res.status(), 404, "{uri}");
        assert!(!res.text().contains("top secret"), "{uri}");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_static_folder_that_is_itself_a_symlink_is_served() {
    let site = Site::new("linkedroot");
    let link = site.root.join("public");
    std::os::unix::fs::symlink(site.static_dir(), &link).unwrap();
    let mut app = App::new();
    app.static_folder(&link);
    let client = TestClient::new(app);
    assert_eq!(client.get("/public/hello.txt").await.text(), HELLO);
    assert_eq!(client.get("/public/link-out").await.status(), 404);
}

#[tokio::test]
async fn missing_files_and_directories_are_404() {
    let site = Site::new("missing");
    let client = site.client();
    for uri in [
        "/static/nope.txt",
        "/static/css",
        "/static/css/",
        "/static/css/nope/deeper.css",
        "/static/hello.txt/more",
        "/static/",
        "/static",
    ] {
        assert_eq!(client.get(uri).await.status(), 404, "{uri}");
    }
    let long = format!("/static/{}", "a".repeat(5000));
    assert_eq!(client.get(&long).await.status(), 404);
}

#[tokio::test]
async fn static_404s_go_through_the_apps_error_handler() {
    let site = Site::new("handler");
    let mut app = site.app();
    app.error_handler(404, |_err, req| {
        micro::Html(format!(
            "<h1>custom: nothing at {}</h1>",
            micro::escape(req.path())
        ))
    });
    let client = TestClient::new(app);
    for uri in ["/static/nope.txt", "/static/../secret.txt", "/static/css"] {
        let res = client.get(uri).await;
        assert_eq!(res.status(), 404);
        assert!(
            res.text().starts_with("<h1>custom: nothing at"),
            "{uri}: {}",
            res.text()
        );
    }
    // Without a handler, a JSON client gets micro's JSON error.
    let res = site
        .client()
        .get("/static/nope.txt")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.json::<serde_json::Value>()["status"], 404);
}

#[tokio::test]
async fn send_file_sends_a_download() {
    let site = Site::new("sendfile");
    let report = site.root.join("report.pdf");
    let mut app = App::new();
    let path = report.clone();
    app.get("/report", move |req: Request| {
        send_file(&path)
            .download_name("Rapport trimestriel é.pdf")
            .max_age(Duration::from_secs(60))
            .send(&req)
    });
    let path = site.root.join("secret.txt");
    app.get("/typed", move |req: Request| {
        send_file(&path)
            .content_type("application/x-secret")
            .send(&req)
    });
    let missing = site.root.join("missing.pdf");
    app.get("/missing", move |req: Request| {
        send_file(&missing).send(&req)
    });
    let dir = site.root.clone();
    app.post("/export", move |req: Request| {
        send_file(dir.join("report.pdf")).send(&req)
    });
    let client = TestClient::new(app);

    let res = client.get("/report").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "%PDF-1.4 fake");
    assert_eq!(res.header("content-type"), Some("application/pdf"));
    assert_eq!(
        res.header("content-disposition"),
        Some(
            "attachment; filename=\"Rapport trimestriel _.pdf\"; filename*=UTF-8''Rapport%20trimestriel%20%C3%A9.pdf"
        )
    );
    assert_eq!(res.header("cache-control"), Some("max-age=60"));
    let etag = res.header("etag").unwrap().to_owned();
    let cached = client
        .get("/report")
        .header("if-none-match", etag.as_str())
        .await;
    assert_eq!(cached.status(), 304);
    let part = client.get("/report").header("range", "bytes=0-3").await;
    assert_eq!(part.status(), 206);
    assert_eq!(part.text(), "%PDF");

    let typed = client.get("/typed").await;
    assert_eq!(typed.header("content-type"), Some("application/x-secret"));
    assert_eq!(client.get("/missing").await.status(), 404);

    // A file sent in answer to a POST is sent whole, whatever the conditional headers say.
    let export = client
        .post("/export")
        .header("if-none-match", etag.as_str())
        .header("range", "bytes=0-3")
        .await;
    assert_eq!(export.status(), 200);
    assert_eq!(export.text(), "%PDF-1.4 fake");
}

#[tokio::test]
async fn send_from_directory_refuses_names_that_leave_it() {
    let site = Site::new("fromdir");
    let mut app = App::new();
    let dir = site.static_dir();
    app.get(
        "/files/<path:name>",
        move |micro::Path(name): micro::Path<String>, req: Request| {
            send_from_directory(&dir, name).send(&req)
        },
    );
    let client = TestClient::new(app);
    assert_eq!(client.get("/files/css/site.css").await.status(), 200);
    for uri in [
        "/files/../secret.txt",
        "/files/%2e%2e/secret.txt",
        "/files/..%2fsecret.txt",
        "/files/%2fetc%2fpasswd",
        "/files/css",
    ] {
        assert_eq!(client.get(uri).await.status(), 404, "{uri}");
    }
}

#[tokio::test]
async fn blueprints_serve_their_own_static_folder() {
    let site = Site::new("blueprint");
    let mut admin = Blueprint::new("admin", "/admin");
    admin.static_folder(site.static_dir().join("css"));
    admin.error_handler(404, |_, _| "admin: no such file");
    let mut app = App::new();
    app.register_blueprint(admin);
    assert_eq!(
        app.url_for("admin.static", [("filename", "site.css")])
            .unwrap(),
        "/admin/css/site.css"
    );
    assert!(app.static_files("admin.static").is_some());
    let client = TestClient::new(app);
    let res = client.get("/admin/css/site.css").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "body { color: teal }");
    let missing = client.get("/admin/css/nope.css").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.text(), "admin: no such file");
}

#[tokio::test]
async fn a_blueprint_static_folder_without_a_prefix_clashes_with_the_apps() {
    let mut bp = Blueprint::new("bp", "");
    bp.static_folder("static");
    let mut app = App::new();
    let err = app.try_register_blueprint(bp).unwrap_err();
    assert!(
        err.reason.contains("static folder of blueprint `bp`"),
        "{err}"
    );
}

#[tokio::test]
async fn versioned_urls_change_with_the_content() {
    let site = Site::new("versioned");
    let app = site.app();
    let files = app.static_files("static").unwrap().clone();
    let first = files.versioned_url("css/site.css");
    assert!(first.starts_with("/static/css/site.css?v="), "{first}");
    assert_eq!(
        files.versioned_url("css/site.css"),
        first,
        "cached and stable"
    );

    // A different size is enough to notice the change, whatever the clock's resolution.
    std::fs::write(
        site.static_dir().join("css/site.css"),
        "body { color: rebeccapurple }",
    )
    .unwrap();
    let second = files.versioned_url("css/site.css");
    assert_ne!(second, first);

    // Unsafe or missing names get the plain URL.
    assert_eq!(
        files.versioned_url("../secret.txt"),
        "/static/../secret.txt"
    );
    assert_eq!(files.versioned_url("nope.css"), "/static/nope.css");

    // The version is only a query string: the file is served as usual.
    let client = TestClient::new(app);
    let res = client.get(&second).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "body { color: rebeccapurple }");
}

/// A named function at module level, so the request knows its endpoint (`docs.static_urls`) and
/// `.static` resolves against its blueprint.
async fn static_urls(req: Request) -> String {
    let own = req.static_files(".static").map(|f| f.url("a.css"));
    let app = req.static_files("static").map(|f| f.url("a.css"));
    format!("{own:?} {app:?}")
}

#[tokio::test]
async fn request_static_files_resolves_relative_names() {
    let site = Site::new("reqstatic");
    let mut bp = Blueprint::new("docs", "/docs");
    bp.static_folder(site.static_dir());
    bp.get("/", static_urls);
    let mut app = site.app();
    app.register_blueprint(bp);
    let text = TestClient::new(app).get("/docs/").await.text();
    assert_eq!(text, "Some(\"/docs/static/a.css\") Some(\"/static/a.css\")");
}

/// One request over a real socket, with hyper's client.
async fn over_socket(
    addr: std::net::SocketAddr,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
) -> (http::StatusCode, http::HeaderMap, bytes::Bytes) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let io = hyper_util::rt::TokioIo::new(stream);
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io).await.unwrap();
    tokio::spawn(conn);
    let mut req = http::Request::builder()
        .method(method)
        .uri(uri)
        .header("host", addr.to_string());
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = sender
        .send_request(req.body(Empty::<bytes::Bytes>::new()).unwrap())
        .await
        .unwrap();
    let (parts, body) = res.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    (parts.status, parts.headers, body)
}

#[tokio::test]
async fn files_over_a_real_socket() {
    let site = Site::new("socket");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        micro::serve(listener, site.app().into_service())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );

    let (status, headers, body) = over_socket(addr, "GET", "/static/hello.txt", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, HELLO);
    assert_eq!(headers["content-length"], HELLO.len().to_string().as_str());

    let (status, headers, body) = over_socket(addr, "HEAD", "/static/hello.txt", &[]).await;
    assert_eq!(status, 200);
    assert!(body.is_empty());
    assert_eq!(headers["content-length"], HELLO.len().to_string().as_str());

    let (status, headers, body) =
        over_socket(addr, "GET", "/static/hello.txt", &[("range", "bytes=7-12")]).await;
    assert_eq!(status, 206);
    assert_eq!(body, "static");
    assert_eq!(
        headers["content-range"],
        format!("bytes 7-12/{}", HELLO.len()).as_str()
    );

    let etag = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, body) = over_socket(
        addr,
        "GET",
        "/static/hello.txt",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, 304);
    assert!(body.is_empty());

    for uri in [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/link-out",
    ] {
        let (status, _, body) = over_socket(addr, "GET", uri, &[]).await;
        assert_eq!(status, 404, "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("top secret"));
    }

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
