//! The project's `manage.py`: `cargo run -p blog-fullstack` migrates `blog-fullstack.sqlite3`
//! and serves on 127.0.0.1:8000; `cargo run -p blog-fullstack -- seed FILE` loads a fixture.

fn main() -> std::process::ExitCode {
    match blog_fullstack::project() {
        Ok(project) => project.run(),
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
