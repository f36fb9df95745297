use fullstack::Model;

struct Color(u8, u8, u8);

#[derive(Model)]
struct Theme {
    id: i64,
    color: Color,
}

fn main() {}
