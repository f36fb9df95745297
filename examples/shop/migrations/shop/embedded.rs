// Written by makemigrations: this app's migrations, embedded in the binary.
// Use: AppConfig::embedded_migrations(include!("<this file>"))
&[
    ("shop", "0001_initial", include_str!("0001_initial.json")),
]
