use micro::routing::post;
use micro::{App, Bytes, Form, Path};

#[derive(serde::Deserialize)]
struct Comment {
    text: String,
}

async fn comment(Path(id): Path<u32>, form: Option<Form<Comment>>, raw: Bytes) -> String {
    format!("{id} {} {}", form.is_some(), raw.len())
}

fn main() {
    let mut app = App::new();
    app.route("/posts/<int:id>/comments", post(comment));
}
