//! The project's `manage.py`: `cargo run -p shop` migrates `shop.sqlite3` and serves on
//! 127.0.0.1:8000; `cargo run -p shop -- seed` adds a catalogue, the staff roles and two demo
//! staff users; `cargo run -p shop -- roles` makes (or repairs) the roles alone.

fn main() -> std::process::ExitCode {
    match shop::project() {
        Ok(project) => project.run(),
        Err(e) => {
            eprintln!("Error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
