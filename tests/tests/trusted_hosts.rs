//! `TRUSTED_HOSTS`: a request for a host the app does not answer to is a 400 before routing
//! (hooks and handlers never see it), through the test client and over a real socket, where
//! the test client's `testserver` is not let in; from the setting as from `App::trusted_hosts`;
//! and without either, every host is answered, as in Flask.

mod common;

use micro::{App, Config, HeaderMap, Request, TestClient};

use common::{TestServer, raw_exchange, raw_status};

fn app(hosts: Option<&[&str]>) -> App {
    let mut app = App::new();
    if let Some(hosts) = hosts {
        app.trusted_hosts(hosts.iter().copied());
    }
    // A hook that saw an untrusted host would panic: a 500, not the 400 expected.
    app.before_request(|headers: HeaderMap| async move {
        let host = headers.get("host").and_then(|h| h.to_str().ok());
        assert!(
            !host.is_some_and(|h| h.contains("evil")),
            "a hook saw {host:?}"
        );
    });
    app.get("/", |req: Request| async move {
        format!("http://{}/feed", req.host().unwrap_or("?"))
    });
    app
}

#[tokio::test]
async fn an_untrusted_host_is_a_400_and_a_trusted_one_is_answered() {
    let client = TestClient::new(app(Some(&["example.com", ".example.org"])));
    for host in [
        "example.com",
        "EXAMPLE.com:8000",
        "example.org",
        "www.example.org",
    ] {
        let res = client.get("/").header("host", host).await;
        assert_eq!(res.status(), 200, "{host}");
        assert_eq!(res.text(), format!("http://{host}/feed"));
    }
    for host in [
        "evil.tld",
        "example.com.evil.tld",
        "example.com@evil.tld",
        "example.com:80/evil",
        "notexample.org",
    ] {
        let res = client
            .get("/")
            .header("host", host)
            .header("accept", "application/json")
            .await;
        assert_eq!(res.status(), 400, "{host}");
        let body: serde_json::Value = res.json();
        assert_eq!(
            body["message"],
            format!("The host {host:?} is not trusted: add it to TRUSTED_HOSTS."),
            "{host}"
        );
    }
    // The test client's own host passes in process, as Django's `testserver` does.
    assert_eq!(client.get("/").await.status(), 200);
}

#[tokio::test]
async fn without_trusted_hosts_every_host_is_answered() {
    let client = TestClient::new(app(None));
    let res = client.get("/").header("host", "anything.tld").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.text(), "http://anything.tld/feed");
}

#[tokio::test]
async fn the_setting_turns_it_on() {
    let config = Config::from_toml_str(
        r#"
        SECRET_KEY = "k"
        TRUSTED_HOSTS = ["example.com"]
        "#,
    )
    .unwrap();
    assert_eq!(config.trusted_hosts, ["example.com"]);
    let mut app = App::from_config(config).unwrap();
    app.get("/", || async { "hi" });
    let client = TestClient::new(app);
    assert_eq!(
        client.get("/").header("host", "example.com").await.status(),
        200
    );
    assert_eq!(
        client.get("/").header("host", "evil.tld").await.status(),
        400
    );
}

#[tokio::test]
async fn over_a_socket_the_host_is_checked_and_testserver_is_not_let_in() {
    let server = TestServer::start(app(Some(&["localhost", "127.0.0.1"]))).await;
    let ask = |host: &str| format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    for (host, status) in [
        ("127.0.0.1", 200),
        ("localhost:8000", 200),
        ("evil.tld", 400),
        ("testserver", 400),
    ] {
        let reply = raw_exchange(server.addr, ask(host).as_bytes()).await;
        assert_eq!(raw_status(&reply), status, "{host}");
    }
    // HTTP/1.0 without a Host names nothing to poison.
    let reply = raw_exchange(server.addr, b"GET / HTTP/1.0\r\n\r\n").await;
    assert_eq!(raw_status(&reply), 200);
}
