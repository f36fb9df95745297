//! Forms in a fullstack project, through the test client: a page shows the form, a valid POST
//! gets the typed value, an invalid one shows the page again (200) with the errors beside the
//! fields and the values kept, escaped; bad input is a field error or a clear 4xx, never a 500.

use fullstack::forms::{Choices, Form, FormErrors, FormResult};
use fullstack::{Database, Project, Settings};
use micro::routing::get;
use micro::{Error, IntoResponse, Response, Templates, TestClient, TestResponse, context};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Choices)]
enum Kind {
    Question,
    #[choice(value = "bug", label = "Bug report")]
    Bug,
}

#[derive(Debug, Form)]
#[form(clean = Self::check)]
struct Ticket {
    #[form(
        max_length = 20,
        label = "Subject",
        help_text = "A line that sums it up."
    )]
    title: String,
    #[form(kind = "email", placeholder = "you@example.com")]
    email: String,
    #[form(min = 1, max = 5)]
    priority: i32,
    kind: Kind,
    #[form(widget = "textarea", clean = Self::clean_body)]
    body: Option<String>,
    urgent: bool,
    #[form(widget = "hidden")]
    source: Option<String>,
}

impl Ticket {
    fn clean_body(body: Option<String>) -> Result<Option<String>, String> {
        match &body {
            Some(text) if text.contains("spam") => Err("No spam, please.".to_owned()),
            _ => Ok(body),
        }
    }

    fn check(&mut self, errors: &mut FormErrors) {
        if self.urgent && self.priority < 3 {
            errors.add_non_field("An urgent ticket has a priority of 3 or more.");
        }
        self.title = self.title.to_uppercase();
    }
}

async fn ticket(t: Templates, form: FormResult<Ticket>) -> Result<Response, Error> {
    match form {
        FormResult::Valid(ticket, _) => Ok(format!(
            "saved {} {} {} {:?} {:?} {} {:?}",
            ticket.title,
            ticket.email,
            ticket.priority,
            ticket.kind,
            ticket.body,
            ticket.urgent,
            ticket.source
        )
        .into_response()),
        FormResult::Unbound(form) | FormResult::Invalid(form) => {
            Ok(t.render("ticket.html", context! { form })?.into_response())
        }
    }
}

async fn parts(t: Templates, form: FormResult<Ticket>) -> Result<micro::Html<String>, Error> {
    t.render("parts.html", context! { form => form.valid().err() })
}

const PAGE: &str = r#"<form method="post">{{ csrf_input() }}{{ form }}</form>"#;

async fn client() -> TestClient {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut settings = Settings::from_toml_str("").unwrap();
    settings.web.secret_key = Some(micro::Secret::new("test key"));
    let project = Project::new("forms").settings(settings).web(|app| {
        app.add_template("ticket.html", PAGE).unwrap();
        app.add_template(
            "parts.html",
            r#"<form method="post">{{ csrf_input() }}{{ form.non_field_errors() }}
<p>{{ form.title.label_tag }} {{ form.title }}</p>{{ form.title.errors }}
<small>{{ form.title.help_text }}</small>{% for e in form.email.errors %}<b>{{ e }}</b>{% endfor %}
{% for field in form.hidden_fields() %}{{ field }}{% endfor %}</form>
<table>{{ form.as_table() }}</table>{{ form.as_p() }}{{ form.as_div() }}"#,
        )
        .unwrap();
        app.route("/ticket", get(ticket).post(ticket));
        app.route("/parts", get(parts).post(parts));
    });
    TestClient::new(project.web_app(&db).unwrap())
}

async fn post(c: &TestClient, path: &str, fields: &[(&str, &str)]) -> TestResponse {
    let token = c.csrf_token();
    let mut fields = fields.to_vec();
    fields.push(("csrfmiddlewaretoken", &token));
    c.post(path).form(&fields).await
}

const VALID: &[(&str, &str)] = &[
    ("title", "Printer"),
    ("email", "ada@example.com"),
    ("priority", "4"),
    ("kind", "bug"),
    ("body", "It jams."),
    ("urgent", "on"),
    ("source", "web"),
];

fn with(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut fields: Vec<_> = VALID
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .copied()
        .collect();
    fields.extend(changes.iter().filter(|(_, v)| !v.is_empty()));
    fields
}

#[tokio::test]
async fn get_shows_the_form_with_labels_tied_to_inputs() {
    let c = client().await;
    let page = c.get("/ticket").await;
    assert_eq!(page.status(), 200);
    let html = page.text();
    for part in [
        r#"<label for="id_title">Subject:</label>"#,
        r#"<input type="text" name="title" id="id_title" maxlength="20" required aria-describedby="id_title_helptext">"#,
        r#"<div class="helptext" id="id_title_helptext">A line that sums it up.</div>"#,
        r#"<input type="email" name="email" id="id_email" placeholder="you@example.com" required>"#,
        r#"<input type="number" name="priority" id="id_priority" min="1" max="5" required>"#,
        r#"<select name="kind" id="id_kind" required>"#,
        r#"<option value="question">Question</option>"#,
        r#"<option value="bug">Bug report</option>"#,
        r#"<textarea name="body" cols="40" rows="10" id="id_body">"#,
        r#"<label for="id_urgent">Urgent:</label>"#,
        r#"<input type="checkbox" name="urgent" id="id_urgent">"#,
        r#"<input type="hidden" name="source" id="id_source">"#,
        r#"name="csrfmiddlewaretoken""#,
    ] {
        assert!(html.contains(part), "{part} not in\n{html}");
    }
    assert!(!html.contains("errorlist"), "{html}");
}

#[tokio::test]
async fn a_valid_post_gives_the_typed_value_after_the_hooks() {
    let c = client().await;
    let res = post(&c, "/ticket", VALID).await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert_eq!(
        res.text(),
        r#"saved PRINTER ada@example.com 4 Bug Some("It jams.") true Some("web")"#
    );
    // Optional fields left out, an unchecked box, and extra fields ignored.
    let res = post(
        &c,
        "/ticket",
        &with(&[("body", ""), ("urgent", ""), ("source", ""), ("extra", "x")]),
    )
    .await;
    assert_eq!(
        res.text(),
        "saved PRINTER ada@example.com 4 Bug None false None"
    );
}

#[tokio::test]
async fn an_invalid_post_shows_the_page_again_with_errors_and_escaped_values() {
    let c = client().await;
    let res = post(
        &c,
        "/ticket",
        &with(&[
            ("title", r#"<script>alert("x")</script> and more"#),
            ("email", "not-an-email"),
            ("priority", "9"),
            ("kind", "<b>evil</b>"),
        ]),
    )
    .await;
    assert_eq!(res.status(), 200);
    let html = res.text();
    for part in [
        r#"<ul class="errorlist" id="id_title_error"><li>Ensure this value has at most 20 characters (it has 36).</li></ul>"#,
        r#"value="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; and more""#,
        r#"aria-invalid="true" aria-describedby="id_title_helptext id_title_error""#,
        "<li>Enter a valid email address.</li>",
        r#"value="not-an-email""#,
        "<li>Ensure this value is less than or equal to 5.</li>",
        r#"value="9""#,
        "<li>Select a valid choice. &lt;b&gt;evil&lt;/b&gt; is not one of the available choices.</li>",
        // The values that were valid are kept too.
        "It jams.</textarea>",
        r#"<input type="checkbox" name="urgent" checked id="id_urgent">"#,
        r#"<input type="hidden" name="source" value="web" id="id_source">"#,
    ] {
        assert!(html.contains(part), "{part} not in\n{html}");
    }
    assert!(!html.contains("<script>"), "{html}");
}

#[tokio::test]
async fn hooks_add_field_and_non_field_errors() {
    let c = client().await;
    let res = post(&c, "/ticket", &with(&[("body", "buy spam now")])).await;
    assert!(
        res.text().contains("<li>No spam, please.</li>"),
        "{}",
        res.text()
    );
    let res = post(&c, "/ticket", &with(&[("priority", "2")])).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text().contains(
            r#"<ul class="errorlist nonfield"><li>An urgent ticket has a priority of 3 or more.</li></ul>"#
        ),
        "{}",
        res.text()
    );
}

#[tokio::test]
async fn missing_fields_are_required_errors() {
    let c = client().await;
    let res = post(&c, "/ticket", &[]).await;
    assert_eq!(res.status(), 200);
    let html = res.text();
    assert_eq!(
        html.matches("<li>This field is required.</li>").count(),
        4,
        "{html}"
    );
}

#[tokio::test]
async fn bad_input_is_never_a_500() {
    let c = client().await;
    let token = c.csrf_token();
    // Numbers that do not fit, or are not numbers.
    for (priority, message) in [
        (
            "99999999999999999999999",
            "Ensure this value is less than or equal to 5.",
        ),
        (
            "3000000000",
            "Ensure this value is less than or equal to 5.",
        ),
        ("four", "Enter a whole number."),
        ("-0x1", "Enter a whole number."),
    ] {
        let res = post(&c, "/ticket", &with(&[("priority", priority)])).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().contains(message), "{priority}: {}", res.text());
    }
    // Bytes that are not UTF-8, and repeated keys (the last one counts).
    let body = format!(
        "title=%FF%FE&title=x&email=%C3%28&priority=1&priority=4&kind=bug&csrfmiddlewaretoken={token}"
    );
    let res = c
        .post("/ticket")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    let html = res.text();
    assert!(
        html.contains("<li>Enter text that is valid UTF-8.</li>"),
        "{html}"
    );
    assert_eq!(html.matches("valid UTF-8").count(), 2, "{html}");
    // A body that is not a form: a clear 415, not a 500.
    let res = c
        .post("/ticket")
        .header("content-type", "application/json")
        .header("x-csrftoken", &token)
        .body(r#"{"title": "x"}"#)
        .await;
    assert_eq!(res.status(), 415, "{}", res.text());
    // A malformed multipart body: a 400.
    let res = c
        .post("/ticket")
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .header("x-csrftoken", &token)
        .body("--XYZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nunterminated")
        .await;
    assert_eq!(res.status(), 400, "{}", res.text());
}

#[tokio::test]
async fn multipart_posts_bind_too() {
    let c = client().await;
    let token = c.csrf_token();
    let mut body = String::new();
    for (name, value) in with(&[("csrfmiddlewaretoken", &*Box::leak(token.into_boxed_str()))]) {
        body.push_str(&format!(
            "--XYZ\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str("--XYZ--\r\n");
    let res = c
        .post("/ticket")
        .header("content-type", "multipart/form-data; boundary=XYZ")
        .body(body)
        .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    assert!(res.text().starts_with("saved PRINTER"), "{}", res.text());
}

#[tokio::test]
async fn one_field_its_parts_and_each_layout() {
    let c = client().await;
    let res = post(
        &c,
        "/parts",
        &with(&[("title", ""), ("email", "x"), ("priority", "1")]),
    )
    .await;
    assert_eq!(res.status(), 200, "{}", res.text());
    let html = res.text();
    for part in [
        r#"<p><label for="id_title">Subject:</label> <input type="text" name="title" id="id_title""#,
        r#"<ul class="errorlist" id="id_title_error"><li>This field is required.</li></ul>"#,
        "<small>A line that sums it up.</small>",
        "<b>Enter a valid email address.</b>",
        r#"<input type="hidden" name="source" value="web" id="id_source">"#,
        r#"<tr>
  <th><label for="id_title">Subject:</label></th>"#,
        r#"<span class="helptext" id="id_title_helptext">A line that sums it up.</span>"#,
    ] {
        assert!(html.contains(part), "{part} not in\n{html}");
    }
}

#[tokio::test]
async fn the_project_overrides_a_widget_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("forms/widgets")).unwrap();
    std::fs::write(
        dir.path().join("forms/widgets/input.html"),
        r#"<input class="fancy" name="{{ widget.name }}" value="{{ widget.value or '' }}">"#,
    )
    .unwrap();
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut settings = Settings::from_toml_str("").unwrap();
    settings.web.secret_key = Some(micro::Secret::new("test key"));
    let folder = dir.path().to_path_buf();
    let project = Project::new("forms").settings(settings).web(move |app| {
        app.templates_folder(&folder);
        app.add_template("ticket.html", PAGE).unwrap();
        app.route("/ticket", get(ticket).post(ticket));
    });
    let c = TestClient::new(project.web_app(&db).unwrap());
    let html = c.get("/ticket").await.text();
    assert!(
        html.contains(r#"<input class="fancy" name="title" value="">"#),
        "{html}"
    );
    // The widgets not overridden keep the embedded template.
    assert!(html.contains(r#"<select name="kind""#), "{html}");
}

#[test]
fn the_spec_comes_from_the_struct() {
    let spec = Ticket::spec();
    let names: Vec<_> = spec.fields().iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "title", "email", "priority", "kind", "body", "urgent", "source"
        ]
    );
    assert!(!spec.get("body").unwrap().required);
    assert_eq!(
        Kind::choices(),
        [
            ("question".to_owned(), "Question".to_owned()),
            ("bug".to_owned(), "Bug report".to_owned())
        ]
    );
}

#[derive(Form)]
struct Upload {
    #[form(max_size = 16, content_types = ["text/plain", "text/*"])]
    notes: micro::UploadedFile,
    #[form(kind = "image")]
    photo: Option<micro::UploadedFile>,
}

async fn upload(t: Templates, form: FormResult<Upload>) -> Result<Response, Error> {
    match form {
        FormResult::Valid(up, _) => Ok(format!(
            "{} {} {}",
            up.notes.filename(),
            up.notes.len(),
            up.photo.map_or(0, |p| p.len())
        )
        .into_response()),
        FormResult::Unbound(form) | FormResult::Invalid(form) => {
            Ok(t.render("ticket.html", context! { form })?.into_response())
        }
    }
}

/// A multipart body of `(name, filename, content type, bytes)` parts.
fn multipart(token: &str, parts: &[(&str, &str, &str, &[u8])]) -> Vec<u8> {
    let mut body = format!(
        "--XYZ\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
    )
    .into_bytes();
    for (name, filename, media, bytes) in parts {
        body.extend(
            format!(
                "--XYZ\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {media}\r\n\r\n"
            )
            .bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(b"--XYZ--\r\n");
    body
}

#[tokio::test]
async fn uploads_with_size_type_and_image_checks() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut settings = Settings::from_toml_str("").unwrap();
    settings.web.secret_key = Some(micro::Secret::new("test key"));
    let project = Project::new("forms").settings(settings).web(|app| {
        app.add_template("ticket.html", PAGE).unwrap();
        app.route("/upload", get(upload).post(upload));
    });
    let c = TestClient::new(project.web_app(&db).unwrap());
    let page = c.get("/upload").await.text();
    assert!(
        page.contains(
            r#"<input type="file" name="notes" id="id_notes" required accept="text/plain,text/*">"#
        ),
        "{page}"
    );
    let token = c.csrf_token();
    let send = |parts: Vec<u8>| {
        c.post("/upload")
            .header("content-type", "multipart/form-data; boundary=XYZ")
            .body(parts)
    };
    let png: &[u8] = b"\x89PNG\r\n\x1a\n0000";
    let res = send(multipart(
        &token,
        &[
            ("notes", "a.txt", "text/plain", b"hello"),
            ("photo", "p.png", "image/png", png),
        ],
    ))
    .await;
    assert_eq!(res.text(), "a.txt 5 12");
    for (parts, message) in [
        (
            vec![(
                "notes",
                "a.txt",
                "text/plain",
                &b"far more than sixteen bytes"[..],
            )],
            "Ensure this file has at most 16 bytes (it has 27).",
        ),
        (
            vec![("notes", "a.exe", "application/x-msdownload", &b"MZ"[..])],
            "Files of type “application/x-msdownload” are not allowed.",
        ),
        (
            vec![
                ("notes", "a.txt", "text/plain", &b"hi"[..]),
                ("photo", "p.png", "image/png", &b"<svg onload=alert(1)>"[..]),
            ],
            "Upload a valid image. The file you uploaded was either not an image or a corrupted image.",
        ),
        (vec![], "This field is required."),
    ] {
        let res = send(multipart(&token, &parts)).await;
        assert_eq!(res.status(), 200);
        assert!(res.text().contains(message), "{message}: {}", res.text());
    }
    // Sent urlencoded, a file field has no file: Django's hint about the encoding type.
    let res = c
        .post("/upload")
        .form(&[("notes", "a.txt"), ("csrfmiddlewaretoken", &token)])
        .await;
    assert!(
        res.text()
            .contains("No file was submitted. Check the encoding type on the form."),
        "{}",
        res.text()
    );
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Choices)]
enum Size {
    Small,
    Large,
}

#[derive(Debug, Form)]
struct Prefs {
    #[form(widget = "radio")]
    size: Size,
    #[form(widget = "checkboxes")]
    extras: Vec<Size>,
    #[form(choices = [("r", "Red"), ("g", "Green")])]
    colors: Vec<String>,
    #[form(widget = "password", min_length = 4)]
    secret: String,
    day: Option<chrono::NaiveDate>,
    #[form(max_digits = 5, decimal_places = 2)]
    price: Option<fullstack::Decimal>,
    maybe: Option<Size>,
}

async fn prefs(t: Templates, form: FormResult<Prefs>) -> Result<Response, Error> {
    match form {
        FormResult::Valid(p, _) => Ok(format!(
            "{:?} {:?} {:?} {} {:?} {:?} {:?}",
            p.size, p.extras, p.colors, p.secret, p.day, p.price, p.maybe
        )
        .into_response()),
        FormResult::Unbound(form) | FormResult::Invalid(form) => {
            Ok(t.render("ticket.html", context! { form })?.into_response())
        }
    }
}

#[tokio::test]
async fn choice_widgets_passwords_dates_and_decimals() {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut settings = Settings::from_toml_str("").unwrap();
    settings.web.secret_key = Some(micro::Secret::new("test key"));
    let project = Project::new("forms").settings(settings).web(|app| {
        app.add_template("ticket.html", PAGE).unwrap();
        app.route("/prefs", get(prefs).post(prefs));
    });
    let c = TestClient::new(project.web_app(&db).unwrap());
    let html = c.get("/prefs").await.text();
    for part in [
        r#"<label>Size:</label>"#,
        r#"<div><label for="id_size_0"><input type="radio" name="size" value="small" id="id_size_0" required>"#,
        r#"<input type="checkbox" name="extras" value="large" id="id_extras_1">"#,
        r#"<select name="colors" multiple id="id_colors" required>"#,
        r#"<input type="password" name="secret" id="id_secret" minlength="4" required>"#,
        r#"<input type="date" name="day" id="id_day">"#,
        r#"<input type="number" name="price" id="id_price" step="0.01">"#,
        r#"<option value="">---------</option>"#,
    ] {
        assert!(html.contains(part), "{part} not in\n{html}");
    }
    let res = post(
        &c,
        "/prefs",
        &[
            ("size", "large"),
            ("extras", "small"),
            ("extras", "large"),
            ("colors", "g"),
            ("secret", "hunter2"),
            ("day", "2026-12-02"),
            ("price", "12.5"),
            ("maybe", ""),
        ],
    )
    .await;
    assert_eq!(
        res.text(),
        "Large [Small, Large] [\"g\"] hunter2 Some(2026-12-02) Some(12.5) None"
    );
    let res = post(
        &c,
        "/prefs",
        &[
            ("size", "large"),
            ("extras", "small"),
            ("extras", "huge"),
            ("colors", "g"),
            ("secret", "hunter2"),
            ("day", "2026-13-01"),
            ("price", "1000.5"),
        ],
    )
    .await;
    let html = res.text();
    for part in [
        // The choices sent stay chosen, the password is not shown again.
        r#"value="large" id="id_size_1" required checked>"#,
        r#"value="small" id="id_extras_0" checked>"#,
        r#"<option value="g" selected>Green</option>"#,
        r#"<input type="password" name="secret" id="id_secret" minlength="4" required>"#,
        "Select a valid choice. huge is not one of the available choices.",
        "Enter a valid date.",
        "Ensure that there are no more than 3 digits before the decimal point.",
    ] {
        assert!(html.contains(part), "{part} not in\n{html}");
    }
}
