//! Formsets through the test client: a page shows the management form and the forms, a valid
//! POST gives the typed values, an invalid one shows the page again (200) with the values kept
//! and the errors, and missing or tampered management data is a non-form error on the page,
//! never a 500.

use fullstack::forms::{Form, FormData, FormSet};
use fullstack::{Database, Project, Settings};
use micro::routing::get;
use micro::{Error, IntoResponse, Method, Request, Response, Templates, TestClient, context};

#[derive(Debug, Form)]
struct Book {
    #[form(max_length = 20)]
    title: String,
    pages: Option<i64>,
}

fn books() -> FormSet {
    FormSet::of::<Book>().extra(2).can_delete(true)
}

async fn shelf(t: Templates, req: Request, data: FormData) -> Result<Response, Error> {
    if req.method() == Method::GET {
        let formset = books().unbound();
        return Ok(t
            .render("shelf.html", context! { formset })?
            .into_response());
    }
    match books().bind(data).into_typed::<Book>() {
        Ok(books) => {
            let saved: Vec<String> = books
                .iter()
                .map(|b| format!("{}:{:?}", b.title, b.pages))
                .collect();
            Ok(format!("saved {}", saved.join(",")).into_response())
        }
        Err(formset) => Ok(t
            .render("shelf.html", context! { formset })?
            .into_response()),
    }
}

async fn client() -> TestClient {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let mut settings = Settings::from_toml_str("").unwrap();
    settings.web.secret_key = Some(micro::Secret::new("test key"));
    let project = Project::new("formsets").settings(settings).web(|app| {
        app.add_template(
            "shelf.html",
            r#"<form method="post">{{ csrf_input() }}{{ formset }}</form>"#,
        )
        .unwrap();
        app.route("/shelf", get(shelf).post(shelf));
    });
    TestClient::new(project.web_app(&db).unwrap())
}

async fn post(c: &TestClient, fields: &[(&str, &str)]) -> micro::TestResponse {
    let token = c.csrf_token();
    let mut fields = fields.to_vec();
    fields.push(("csrfmiddlewaretoken", &token));
    c.post("/shelf").form(&fields).await
}

#[tokio::test]
async fn get_shows_the_management_form_and_the_extra_forms() {
    let c = client().await;
    let page = c.get("/shelf").await;
    assert_eq!(page.status(), 200);
    let html = page.text();
    for part in [
        r#"<input type="hidden" name="form-TOTAL_FORMS" value="2" id="id_form-TOTAL_FORMS">"#,
        r#"<input type="hidden" name="form-INITIAL_FORMS" value="0" id="id_form-INITIAL_FORMS">"#,
        r#"<input type="text" name="form-0-title" id="id_form-0-title" maxlength="20">"#,
        r#"<label for="id_form-1-title">Title:</label>"#,
        r#"<input type="checkbox" name="form-1-DELETE" id="id_form-1-DELETE">"#,
        r#"name="csrfmiddlewaretoken""#,
    ] {
        assert!(html.contains(part), "{part} not in {html}");
    }
}

#[tokio::test]
async fn a_valid_post_gives_the_filled_forms_less_the_deleted() {
    let c = client().await;
    let page = post(
        &c,
        &[
            ("form-TOTAL_FORMS", "3"),
            ("form-INITIAL_FORMS", "0"),
            ("form-0-title", "Dune"),
            ("form-0-pages", "412"),
            ("form-1-title", "Gone"),
            ("form-1-DELETE", "on"),
            ("form-2-title", ""),
        ],
    )
    .await;
    assert_eq!(page.status(), 200);
    assert_eq!(page.text(), "saved Dune:Some(412)");
}

#[tokio::test]
async fn an_invalid_post_shows_the_page_again_with_values_and_errors() {
    let c = client().await;
    let page = post(
        &c,
        &[
            ("form-TOTAL_FORMS", "2"),
            ("form-INITIAL_FORMS", "0"),
            ("form-0-title", "<b>Dune</b>"),
            ("form-0-pages", "many"),
            ("form-1-pages", "3"),
        ],
    )
    .await;
    assert_eq!(page.status(), 200);
    let html = page.text();
    for part in [
        r#"name="form-0-title" value="&lt;b&gt;Dune&lt;/b&gt;""#,
        r#"name="form-0-pages" value="many""#,
        "Enter a whole number.",
        r#"<ul class="errorlist" id="id_form-1-title_error"><li>This field is required.</li></ul>"#,
        r#"name="form-TOTAL_FORMS" value="2""#,
    ] {
        assert!(html.contains(part), "{part} not in {html}");
    }
    assert!(!html.contains("<b>Dune"), "{html}");
}

#[tokio::test]
async fn tampered_management_data_is_a_non_form_error_on_the_page() {
    let c = client().await;
    let tampered = "ManagementForm data is missing or has been tampered with. Missing fields: \
                    form-TOTAL_FORMS, form-INITIAL_FORMS. You may need to file a bug report if \
                    the issue persists.";
    for (total, initial) in [("", ""), ("abc", "abc"), ("-1", "-1")] {
        let mut fields = vec![("form-0-title", "Dune")];
        if !total.is_empty() {
            fields.extend([("form-TOTAL_FORMS", total), ("form-INITIAL_FORMS", initial)]);
        }
        let page = post(&c, &fields).await;
        assert_eq!(page.status(), 200, "{total}");
        let html = page.text();
        assert!(
            html.contains(&format!(
                r#"<ul class="errorlist nonform"><li>{tampered}</li></ul>"#
            )),
            "{total}: {html}"
        );
    }
    let huge = post(
        &c,
        &[
            ("form-TOTAL_FORMS", "1000000000"),
            ("form-INITIAL_FORMS", "0"),
        ],
    )
    .await;
    assert_eq!(huge.status(), 200);
    let html = huge.text();
    assert!(
        html.contains(
            r#"<ul class="errorlist nonform"><li>Please submit at most 1000 forms.</li></ul>"#
        ),
        "{html}"
    );
    // Only absolute_max forms are built and shown again.
    assert!(html.contains(r#"name="form-1999-title""#));
    assert!(!html.contains(r#"name="form-2000-title""#));
}
