use fullstack::forms::{Choices, Form};

#[derive(Form)]
enum Contact {
    A,
}

#[derive(Choices)]
enum Color {
    Red,
    Custom(String),
}

#[derive(Choices)]
struct NotAnEnum;

fn main() {}
