use micro::routing::post;
use micro::{App, Form, G, Json, Query, Request};

#[derive(serde::Deserialize)]
struct Login {
    name: String,
}

async fn request_first(req: Request, Form(login): Form<Login>, g: G) -> String {
    let _ = g;
    format!("{} {}", req.path(), login.name)
}

async fn body_first(Json(login): Json<Login>, Query(q): Query<Login>, req: Request) -> String {
    format!("{} {} {}", req.path(), login.name, q.name)
}

fn main() {
    let mut app = App::new();
    app.post("/a", request_first);
    app.route("/b", post(body_first).guard(|_: Option<Form<Login>>| async {}));
    app.before_request(|_: Request, _: micro::Bytes| async {});
}
