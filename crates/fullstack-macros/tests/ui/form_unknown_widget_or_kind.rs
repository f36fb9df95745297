use fullstack::forms::Form;

#[derive(Form)]
struct Contact {
    #[form(widget = "richtext")]
    body: String,
    #[form(kind = "phone")]
    phone: String,
}

fn main() {}
