use micro::{App, Form, Json};

#[derive(serde::Deserialize)]
struct Login {
    name: String,
}

async fn login(Form(form): Form<Login>, Json(json): Json<Login>) -> String {
    format!("{} {}", form.name, json.name)
}

fn main() {
    let mut app = App::new();
    app.post("/login", login);
}
