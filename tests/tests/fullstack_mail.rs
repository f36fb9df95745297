//! fullstack's mail through its public API: the SMTP backend talks to a real socket (a tiny
//! SMTP server in the test speaking EHLO/MAIL/RCPT/DATA/QUIT), and a refusal is an error.

use std::time::Duration;

use fullstack::Settings;
use fullstack::mail::{EmailMessage, Mailer, SmtpOptions};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the server received: the envelope and the DATA text.
#[derive(Debug, Default)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

/// Serves one SMTP session on a fresh port; refuses `RCPT` for addresses starting `nobody`.
async fn smtp_server() -> (u16, tokio::task::JoinHandle<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.unwrap();
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        let mut got = Received::default();
        write.write_all(b"220 test ESMTP\r\n").await.unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.unwrap() == 0 {
                break;
            }
            let command = line.trim_end().to_owned();
            let upper = command.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-test\r\n250 8BITMIME\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                got.mail_from = command[10..].to_owned();
                b"250 OK\r\n"
            } else if upper.starts_with("RCPT TO:") {
                let to = command[8..].to_owned();
                if to.contains("nobody") {
                    b"550 No such user\r\n"
                } else {
                    got.rcpt_to.push(to);
                    b"250 OK\r\n"
                }
            } else if upper == "DATA" {
                write.write_all(b"354 go ahead\r\n").await.unwrap();
                loop {
                    line.clear();
                    lines.read_line(&mut line).await.unwrap();
                    if line == ".\r\n" {
                        break;
                    }
                    got.data.push_str(&line);
                }
                b"250 queued\r\n"
            } else if upper == "QUIT" {
                write.write_all(b"221 bye\r\n").await.unwrap();
                break;
            } else if upper == "RSET" {
                b"250 OK\r\n"
            } else {
                b"502 unknown\r\n"
            };
            write.write_all(reply).await.unwrap();
        }
        got
    });
    (port, task)
}

fn options(port: u16) -> SmtpOptions {
    SmtpOptions {
        host: "127.0.0.1".into(),
        port,
        user: String::new(),
        password: None,
        use_tls: false,
        use_ssl: false,
        timeout: Some(Duration::from_secs(5)),
    }
}

#[tokio::test]
async fn smtp_delivers_to_a_real_socket() {
    let (port, server) = smtp_server().await;
    let settings = Settings::from_toml_str(&format!(
        "EMAIL_BACKEND = \"smtp\"\nEMAIL_HOST = \"127.0.0.1\"\nEMAIL_PORT = {port}\n\
         EMAIL_TIMEOUT = 5\nDEFAULT_FROM_EMAIL = \"Site <site@example.com>\""
    ))
    .unwrap();
    let mailer = Mailer::from_settings(&settings).unwrap();
    let message = EmailMessage::new("Greetings", "Plain hello", ["Ada <ada@example.com>"])
        .html("<p>HTML hello</p>")
        .reply_to(["help@example.com"]);
    mailer.send(&message).await.unwrap();
    let got = server.await.unwrap();
    assert_eq!(got.mail_from, "<site@example.com>");
    assert_eq!(got.rcpt_to, ["<ada@example.com>"]);
    assert!(got.data.contains("Subject: Greetings"), "{}", got.data);
    assert!(
        got.data.contains("From: Site <site@example.com>"),
        "{}",
        got.data
    );
    assert!(
        got.data.contains("Reply-To: help@example.com"),
        "{}",
        got.data
    );
    assert!(got.data.contains("Plain hello") && got.data.contains("<p>HTML hello</p>"));
}

#[tokio::test]
async fn a_refused_recipient_or_no_server_is_an_error() {
    let (port, server) = smtp_server().await;
    let mailer = Mailer::smtp(&options(port)).unwrap();
    let err = mailer
        .send(&EmailMessage::new("s", "b", ["nobody@example.com"]).from("a@example.com"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("could not be sent"), "{err}");
    drop(mailer);
    server.abort();

    // Nothing listens on this port any more.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = listener.local_addr().unwrap().port();
    drop(listener);
    let mailer = Mailer::smtp(&options(closed)).unwrap();
    assert!(
        mailer
            .send(&EmailMessage::new("s", "b", ["a@example.com"]))
            .await
            .is_err()
    );
}
