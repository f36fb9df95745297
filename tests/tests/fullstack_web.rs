//! The fullstack web app's defaults: an ORM "does not exist" reaching a handler's `?` is a 404
//! (Django's get_object_or_404 without the boilerplate); other database errors stay 500s.

use fullstack::{Database, Error, Project};
use micro::{State, TestClient};

async fn client(custom_404: bool) -> TestClient {
    let db = Database::connect("sqlite::memory:").await.unwrap();
    let project = Project::new("web-defaults").web(move |app| {
        app.get("/missing", || async {
            Err::<String, micro::Error>(Error::DoesNotExist { model: "Question" }.into())
        });
        app.get("/broken", |State(db): State<Database>| async move {
            db.execute("SELECT * FROM no_such_table", vec![]).await?;
            Ok::<_, micro::Error>("unreachable")
        });
        if custom_404 {
            app.error_handler(404, |_err, _req| "custom not found page");
        }
    });
    TestClient::new(project.web_app(&db).unwrap())
}

#[tokio::test]
async fn does_not_exist_is_a_404_with_the_model_named() {
    let res = client(false)
        .await
        .get("/missing")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), 404);
    let body: serde_json::Value = res.json();
    assert_eq!(body["details"]["model"], "Question");
}

#[tokio::test]
async fn the_apps_own_404_page_still_applies() {
    let res = client(true).await.get("/missing").await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.text(), "custom not found page");
}

#[tokio::test]
async fn other_database_errors_stay_500_without_leaking_sql() {
    let res = client(false)
        .await
        .get("/broken")
        .header("accept", "application/json")
        .await;
    assert_eq!(res.status(), 500);
    assert!(!res.text().contains("no_such_table"), "{}", res.text());
}
