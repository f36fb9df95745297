use micro::{App, Json};

fn main() {
    let mut app = App::new();
    app.before_request(|text: String, Json(value): Json<serde_json::Value>| async move {
        let _ = (text, value);
    });
}
