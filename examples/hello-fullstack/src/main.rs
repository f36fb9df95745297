//! The project's `manage.py`: `cargo run -p hello-fullstack` serves on 127.0.0.1:8000,
//! `cargo run -p hello-fullstack -- migrate` applies the migrations, `-- seed` adds questions.

fn main() -> std::process::ExitCode {
    hello_fullstack::project().run()
}
