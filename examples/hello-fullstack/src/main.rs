//! The project's `manage.py`: `cargo run -p hello-fullstack` migrates `db.sqlite3` and serves
//! on 127.0.0.1:8000, `cargo run -p hello-fullstack -- seed` adds questions.

fn main() -> std::process::ExitCode {
    hello_fullstack::project().run()
}
