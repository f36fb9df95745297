//! `ModelForm<M>` on every backend: a foreign key as a select of the related rows (narrowed,
//! a forged or malformed id refused), `unique` and unique-together checked against the
//! database (the row being edited is not its own duplicate), a many-to-many relation as a
//! multiple select (a forged key refused, the links saved and shown again), the instance built
//! from the form (adjusted before saving), insert and update, initial values from an instance.

mod backends;

use backends::{Isolated, TestDb, migrate, on_every_backend};
use chrono::NaiveDate;
use fullstack::forms::{FormData, ModelFields, ModelForm};
use fullstack::query::prelude::*;
use fullstack::{AppConfig, ForeignKey, ManyToMany, Model, Project};

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "library")]
struct Author {
    id: i64,
    #[field(max_length = 100, unique)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "library")]
struct Genre {
    id: i64,
    #[field(max_length = 50)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(app = "library", unique = ["author", "title"])]
struct Book {
    id: i64,
    #[field(on_delete = cascade)]
    author: ForeignKey<Author>,
    #[field(max_length = 100)]
    title: String,
    published: NaiveDate,
    #[field(default = 100)]
    pages: i32,
    #[field(null)]
    isbn: Option<String>,
    #[field(max_length = 50, default = "")]
    added_by: String,
    genres: ManyToMany<Genre>,
}

/// A database of its own with the library's tables, made by makemigrations and migrate.
async fn library(t: &TestDb) -> (Isolated, tempfile::TempDir) {
    let isolated = Isolated::new(t, "mf").await;
    let dir = tempfile::tempdir().unwrap();
    let project = Project::new("site").app(
        AppConfig::new("library")
            .models(&[Author::META, Genre::META, Book::META])
            .migrations_dir(dir.path().join("library")),
    );
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = project
        .run_with(["site", "makemigrations", "--no-input"], &mut out, &mut err)
        .await;
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
    migrate(&project, &isolated.url).await;
    (isolated, dir)
}

fn body(pairs: &[(&str, &str)]) -> FormData {
    let mut data = FormData::new();
    for (k, v) in pairs {
        data.insert(*k, *v);
    }
    data
}

#[tokio::test]
async fn foreign_keys_unique_checks_and_saving() {
    on_every_backend("modelforms", |t| async move {
        let (isolated, _dir) = library(&t).await;
        let db = &isolated.db;
        let mut le_guin = Author {
            id: 0,
            name: "Ursula K. Le Guin".into(),
        };
        le_guin.save(db).await.unwrap();
        let mut banks = Author {
            id: 0,
            name: "Iain M. Banks".into(),
        };
        banks.save(db).await.unwrap();

        // The select offers only the narrowed authors, labelled as asked.
        let form = ModelForm::<Book>::builder(ModelFields::Exclude(&["added_by"]))
            .choices(
                "author",
                Author::objects().filter(Author::NAME.startswith("Ursula")),
                |a: &Author| a.name.clone(),
            )
            .build(db)
            .await
            .unwrap();
        let le_guin_id = le_guin.id.to_string();
        let banks_id = banks.id.to_string();
        for (author, expected) in [
            (
                banks_id.as_str(),
                "Select a valid choice. That choice is not one of the available choices.",
            ),
            (
                "x",
                "Select a valid choice. That choice is not one of the available choices.",
            ),
            (
                "1 OR 1=1",
                "Select a valid choice. That choice is not one of the available choices.",
            ),
            ("", "This field is required."),
        ] {
            let data = body(&[
                ("author", author),
                ("title", "Excession"),
                ("published", "1996-07-01"),
            ]);
            let refused = form.submit(db, data, None).await.unwrap().unwrap_err();
            assert_eq!(
                refused.errors().field("author"),
                [expected],
                "{author:?} on {}",
                t.name
            );
        }

        // Valid: the instance, unsaved, adjusted, then saved; defaults and NULL for the rest.
        let data = body(&[
            ("author", &le_guin_id),
            ("title", "The Dispossessed"),
            ("published", "1974-05-01"),
        ]);
        let mut valid = form.submit(db, data, None).await.unwrap().unwrap();
        let book = &mut valid.instance;
        assert_eq!((book.id, book.pages, book.isbn.clone()), (0, 100, None));
        assert_eq!(book.author.id(), le_guin.id);
        book.added_by = "librarian".into();
        let book = valid.save(db).await.unwrap();
        let stored = Book::objects().get(db).await.unwrap();
        assert_eq!(stored, book, "{}", t.name);

        // unique_together: the same title by the same author is a non-field error.
        let again = body(&[
            ("author", &le_guin_id),
            ("title", "The Dispossessed"),
            ("published", "1974-05-01"),
        ]);
        let refused = form.submit(db, again, None).await.unwrap().unwrap_err();
        assert_eq!(
            refused.errors().non_field(),
            ["Book with this Author and Title already exists."]
        );

        // Editing: the form shows the row, and the row is not its own duplicate.
        let shown = form.for_instance(db, &stored).await.unwrap();
        assert_eq!(shown.value("title"), Some("The Dispossessed"));
        assert_eq!(shown.value("published"), Some("1974-05-01"));
        assert_eq!(shown.value("author"), Some(le_guin_id.as_str()));
        let edit = body(&[
            ("author", &le_guin_id),
            ("title", "The Dispossessed"),
            ("published", "1974-05-01"),
            ("pages", "387"),
            ("isbn", "0-06-012563-2"),
        ]);
        let updated = form.save(db, edit, Some(&stored)).await.unwrap().unwrap();
        assert_eq!(updated.id, stored.id, "an update, not an insert");
        assert_eq!(
            updated.added_by, "librarian",
            "fields not in the form keep their values"
        );
        assert_eq!(Book::objects().count(db).await.unwrap(), 1);
        let reread = Book::objects().get(db).await.unwrap();
        assert_eq!(
            (reread.pages, reread.isbn.as_deref()),
            (387, Some("0-06-012563-2"))
        );

        // A unique field: a duplicate name is an error beside it; the same author edited is not.
        let authors = ModelForm::<Author>::builder(ModelFields::All)
            .build(db)
            .await
            .unwrap();
        let twice = authors
            .submit(db, body(&[("name", "Iain M. Banks")]), None)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(
            twice.errors().field("name"),
            ["Author with this Name already exists."]
        );
        let same = authors
            .save(db, body(&[("name", "Iain M. Banks")]), Some(&banks))
            .await
            .unwrap();
        assert!(same.is_ok(), "{:?}", same.err().map(|f| f.errors().clone()));

        // Without a narrowed queryset, every author is offered.
        let every =
            ModelForm::<Book>::builder(ModelFields::Only(&["author", "title", "published"]))
                .build(db)
                .await
                .unwrap();
        let data = body(&[
            ("author", &banks_id),
            ("title", "Excession"),
            ("published", "1996-07-01"),
        ]);
        let excession = every.save(db, data, None).await.unwrap().unwrap();
        assert_eq!(excession.author.id(), banks.id);

        // Many-to-many: a multiple select of the genres; a forged key is refused; the links
        // are saved with the row, and the edit form shows them.
        let mut fiction = Genre {
            id: 0,
            name: "Fiction".into(),
        };
        fiction.save(db).await.unwrap();
        let mut space = Genre {
            id: 0,
            name: "Space opera".into(),
        };
        space.save(db).await.unwrap();
        let (f, s) = (fiction.id.to_string(), space.id.to_string());
        let with_genres = ModelForm::<Book>::builder(ModelFields::Only(&[
            "author",
            "title",
            "published",
            "genres",
        ]))
        .build(db)
        .await
        .unwrap();
        let forged = body(&[
            ("author", &banks_id),
            ("title", "Matter"),
            ("published", "2008-02-07"),
            ("genres", &f),
            ("genres", "999999"),
        ]);
        let refused = with_genres
            .submit(db, forged, None)
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(
            refused.errors().field("genres"),
            ["Select a valid choice. 999999 is not one of the available choices."]
        );
        let data = body(&[
            ("author", &banks_id),
            ("title", "Matter"),
            ("published", "2008-02-07"),
            ("genres", &f),
            ("genres", &s),
        ]);
        let matter = with_genres.save(db, data, None).await.unwrap().unwrap();
        let mut linked: Vec<i64> = Book::GENRES
            .of(&matter)
            .all(db)
            .await
            .unwrap()
            .iter()
            .map(|g| g.id)
            .collect();
        linked.sort_unstable();
        assert_eq!(linked, [fiction.id, space.id], "{}", t.name);
        let shown = with_genres.for_instance(db, &matter).await.unwrap();
        assert!(shown.value("genres").is_some());
        // Saving again with one genre removes the other link.
        let data = body(&[
            ("author", &banks_id),
            ("title", "Matter"),
            ("published", "2008-02-07"),
            ("genres", &s),
        ]);
        with_genres
            .save(db, data, Some(&matter))
            .await
            .unwrap()
            .unwrap();
        let left = Book::GENRES.of(&matter).all(db).await.unwrap();
        assert_eq!(left.iter().map(|g| g.id).collect::<Vec<_>>(), [space.id]);
        isolated.done().await;
    })
    .await;
}
