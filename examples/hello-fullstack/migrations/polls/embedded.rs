// Written by makemigrations: this app's migrations, embedded in the binary.
// Use: AppConfig::embedded_migrations(include!("<this file>"))
&[
    ("polls", "0001_initial", include_str!("0001_initial.json")),
    ("polls", "0002_alter_choice_question", include_str!("0002_alter_choice_question.json")),
]
