use fullstack::forms::Form;

#[derive(Form)]
struct Contact {
    #[form(maxlength = 100)]
    subject: String,
}

#[derive(Form)]
#[form(validate = Self::check)]
struct Other {
    name: String,
}

fn main() {}
