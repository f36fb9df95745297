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

#[tokio::test]
async fn an_inline_formset_edits_a_parents_rows() {
    use fullstack::forms::InlineFormSet;
    on_every_backend("inlineforms", |t| async move {
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
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut rows = Vec::new();
        for (author, title, date) in [
            (&le_guin, "A Wizard of Earthsea", "1968-11-01"),
            (&le_guin, "The Lathe of Heaven", "1971-01-01"),
            (&banks, "Excession", "1996-07-01"),
        ] {
            let mut b = Book {
                id: 0,
                author: ForeignKey::from(author),
                title: title.into(),
                published: day(date),
                pages: 100,
                isbn: None,
                added_by: String::new(),
                genres: Default::default(),
            };
            b.save(db).await.unwrap();
            rows.push(b);
        }
        let inline = InlineFormSet::<Author, Book>::build(
            db,
            "author",
            ModelFields::Only(&["title", "published"]),
            |f| f.extra(2).can_delete(true),
        )
        .await
        .unwrap();
        assert!(
            InlineFormSet::<Author, Book>::build(db, "title", ModelFields::All, |f| f)
                .await
                .is_err(),
            "not a foreign key"
        );

        // The parent's rows first, with their keys, then the extra forms.
        let shown = inline.for_parent(db, &le_guin).await.unwrap();
        assert_eq!((shown.forms().len(), shown.initial_form_count()), (4, 2));
        assert_eq!(
            shown.forms()[0].value("title"),
            Some("A Wizard of Earthsea")
        );
        let (a, b, other) = (
            rows[0].id.to_string(),
            rows[1].id.to_string(),
            rows[2].id.to_string(),
        );
        assert_eq!(shown.forms()[1].value("id"), Some(b.as_str()));

        let post = |first_id: &str, new_title: &str| {
            body(&[
                ("library_book-TOTAL_FORMS", "4"),
                ("library_book-INITIAL_FORMS", "2"),
                ("library_book-0-id", first_id),
                ("library_book-0-title", "A Wizard of Earthsea (revised)"),
                ("library_book-0-published", "1968-11-01"),
                ("library_book-1-id", &b),
                ("library_book-1-title", "The Lathe of Heaven"),
                ("library_book-1-published", "1971-01-01"),
                ("library_book-1-DELETE", "on"),
                ("library_book-2-title", new_title),
                ("library_book-2-published", "1974-05-01"),
                ("library_book-3-title", ""),
                ("library_book-3-published", ""),
            ])
        };

        // Another parent's row named in a form: refused, nothing changed.
        let forged = inline
            .save(db, &le_guin, post(&other, "The Dispossessed"))
            .await
            .unwrap();
        let forged = forged.unwrap_err();
        assert!(
            forged.non_form_errors()[0].contains("tampered with"),
            "{:?}",
            forged.non_form_errors()
        );
        // A new row that duplicates a kept one (unique together): the form's error.
        let dup = inline
            .save(db, &le_guin, post(&a, "A Wizard of Earthsea"))
            .await
            .unwrap();
        assert!(dup.is_err(), "{}", t.name);
        assert_eq!(Book::objects().count(db).await.unwrap(), 3, "nothing saved");

        // Valid: one changed, one deleted, one added for this parent, the blank one skipped.
        let saved = inline
            .save(db, &le_guin, post(&a, "The Dispossessed"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(saved.len(), 2);
        let mut titles: Vec<String> = Book::objects()
            .filter(Book::AUTHOR.eq(ForeignKey::from(&le_guin)))
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.title)
            .collect();
        titles.sort();
        assert_eq!(
            titles,
            ["A Wizard of Earthsea (revised)", "The Dispossessed"],
            "{}",
            t.name
        );
        assert_eq!(
            Book::objects().count(db).await.unwrap(),
            3,
            "the other author's row stays"
        );

        // Tampered management data: the formset's error, never a 500.
        let tampered = inline
            .save(db, &le_guin, body(&[("library_book-TOTAL_FORMS", "x")]))
            .await
            .unwrap()
            .unwrap_err();
        assert!(!tampered.non_form_errors().is_empty());

        // A save the database refuses halfway (here a unique index the model does not
        // declare, so only the database checks it) keeps nothing of the formset: the delete and
        // the update before the failing insert are rolled back.
        let kept: Vec<Book> = Book::objects()
            .filter(Book::AUTHOR.eq(ForeignKey::from(&le_guin)))
            .order_by([Book::ID.asc()])
            .all(db)
            .await
            .unwrap();
        let (first, second) = (kept[0].id.to_string(), kept[1].id.to_string());

        // Two new forms with the same title: the database could not tell before saving either.
        let twice = inline
            .save(
                db,
                &le_guin,
                body(&[
                    ("library_book-TOTAL_FORMS", "4"),
                    ("library_book-INITIAL_FORMS", "2"),
                    ("library_book-0-id", &first),
                    ("library_book-0-title", &kept[0].title),
                    ("library_book-0-published", "1968-11-01"),
                    ("library_book-1-id", &second),
                    ("library_book-1-title", &kept[1].title),
                    ("library_book-1-published", "1974-05-01"),
                    ("library_book-2-title", "The Word for World Is Forest"),
                    ("library_book-2-published", "1972-01-01"),
                    ("library_book-3-title", "The Word for World Is Forest"),
                    ("library_book-3-published", "1976-01-01"),
                ]),
            )
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(
            twice.non_form_errors(),
            ["Please correct the duplicate data for title."]
        );
        assert_eq!(
            twice.forms()[3].errors().non_field(),
            ["Please correct the duplicate values below."]
        );
        assert!(twice.forms()[2].errors().non_field().is_empty());
        assert_eq!(Book::objects().count(db).await.unwrap(), 3, "nothing saved");

        db.execute("UPDATE library_book SET pages = id", Vec::new())
            .await
            .unwrap();
        db.execute(
            &format!(
                "UPDATE library_book SET pages = 100 WHERE id = {}",
                rows[2].id
            ),
            Vec::new(),
        )
        .await
        .unwrap();
        db.execute(
            "CREATE UNIQUE INDEX library_book_pages_once ON library_book (pages)",
            Vec::new(),
        )
        .await
        .unwrap();
        let refused = inline
            .save(
                db,
                &le_guin,
                body(&[
                    ("library_book-TOTAL_FORMS", "3"),
                    ("library_book-INITIAL_FORMS", "2"),
                    ("library_book-0-id", &first),
                    ("library_book-0-title", "Renamed"),
                    ("library_book-0-published", "1968-11-01"),
                    ("library_book-1-id", &second),
                    ("library_book-1-title", &kept[1].title),
                    ("library_book-1-published", "1974-05-01"),
                    ("library_book-1-DELETE", "on"),
                    ("library_book-2-title", "Always Coming Home"),
                    ("library_book-2-published", "1985-01-01"),
                ]),
            )
            .await
            .unwrap_err();
        assert!(refused.is_unique_violation(), "{refused} on {}", t.name);
        assert_eq!(refused.http_error().status(), 409);
        let after: Vec<String> = Book::objects()
            .filter(Book::AUTHOR.eq(ForeignKey::from(&le_guin)))
            .order_by([Book::ID.asc()])
            .all(db)
            .await
            .unwrap()
            .into_iter()
            .map(|b| b.title)
            .collect();
        assert_eq!(
            after,
            kept.iter().map(|b| b.title.clone()).collect::<Vec<_>>(),
            "nothing of the refused save is kept on {}",
            t.name
        );
        isolated.done().await;
    })
    .await;
}

#[tokio::test]
async fn a_row_saved_meanwhile_with_the_same_unique_value_is_a_conflict() {
    on_every_backend("modelformrace", |t| async move {
        let (isolated, _dir) = library(&t).await;
        let db = &isolated.db;
        let form = ModelForm::<Author>::builder(ModelFields::All)
            .build(db)
            .await
            .unwrap();
        // The form's check passes: nobody has the name yet.
        let valid = form
            .submit(db, body(&[("name", "Octavia E. Butler")]), None)
            .await
            .unwrap()
            .unwrap();
        // Another request saves the same name before this one does.
        let mut other = Author {
            id: 0,
            name: "Octavia E. Butler".into(),
        };
        other.save(db).await.unwrap();
        let err = valid.save(db).await.unwrap_err();
        assert!(err.is_unique_violation(), "{err} on {}", t.name);
        assert_eq!(err.http_error().status(), 409, "never a 500");
        assert_eq!(Author::objects().count(db).await.unwrap(), 1);
        isolated.done().await;
    })
    .await;
}
