//! The `polls` app: its models, pages, vote form and `seed` command.

mod models;

pub use models::{Choice, ChoiceByQuestion, Question};

use chrono::{DateTime, Duration, Utc};
use fullstack::messages::Messages;
use fullstack::query::prelude::*;
use std::sync::Arc;

use fullstack::forms::{BoundForm, Field, FormData, FormSpec, Widget};
use fullstack::{AppConfig, CommandContext, CommandFuture, Database, ForeignKey, Model};
use micro::{Either, Error, Html, Path, Redirect, State, Templates};
use serde::Serialize;

/// The app: models, migrations (made by `makemigrations`, embedded in the binary), routes,
/// templates and the `seed` command.
pub fn app() -> AppConfig {
    // Rooted at this crate's folder: `migrations/polls` and `templates` beside Cargo.toml, so
    // `makemigrations` writes here and the pages are found from any working directory.
    fullstack::app!("polls")
        .models(&[Question::META, Choice::META])
        .embedded_migrations(include!("../migrations/polls/embedded.rs"))
        .templates("templates")
        .routes(|app| {
            app.get("/", index);
            app.get("/questions/<int:id>/", detail);
            app.get("/questions/<int:id>/results/", results);
            app.post("/questions/<int:id>/vote", vote);
        })
        .command_fn(
            clap::Command::new("seed").about("Adds two sample questions with their choices"),
            seed,
        )
}

/// A question as the templates see it: its date formatted (a `Choice` goes to the templates as
/// it is, since it derives `Serialize`).
#[derive(Serialize)]
struct QuestionView {
    id: i64,
    question_text: String,
    pub_date: String,
}

impl From<&Question> for QuestionView {
    fn from(q: &Question) -> Self {
        QuestionView {
            id: q.id,
            question_text: q.question_text.clone(),
            pub_date: q.pub_date.format("%Y-%m-%d %H:%M UTC").to_string(),
        }
    }
}

/// The vote form of a question: one radio button per choice. Built at run time, since the
/// choices are the question's rows; a value that is not one of them is a field error.
fn vote_form(choices: &[Choice]) -> Arc<FormSpec> {
    let options = choices
        .iter()
        .map(|c| (c.id.to_string(), c.choice_text.clone()));
    Arc::new(
        FormSpec::new().field(
            Field::choice("choice", options)
                .widget(Widget::RadioSelect)
                .label("Your choice")
                // The Django tutorial's words.
                .message("required", "You didn't select a choice."),
        ),
    )
}

/// The list page's context.
#[derive(Serialize)]
struct IndexPage {
    latest: Vec<QuestionView>,
}

/// The detail and results pages' context.
#[derive(Serialize)]
struct QuestionPage {
    question: QuestionView,
    choices: Vec<Choice>,
    /// The vote form (the detail page only).
    form: Option<BoundForm>,
}

/// The five latest questions, newest first (the model's ordering, `-pub_date`).
async fn index(t: Templates, State(db): State<Database>) -> Result<Html<String>, Error> {
    let latest = Question::objects().limit(5).all(&db).await?;
    let latest: Vec<QuestionView> = latest.iter().map(QuestionView::from).collect();
    t.render("polls/index.html", IndexPage { latest })
}

/// A question with its choices (through the reverse accessor) and the vote form.
async fn detail(
    t: Templates,
    State(db): State<Database>,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    // A question that does not exist is a 404: the project maps the ORM's DoesNotExist
    // reaching `?` to one (Django's get_object_or_404, without the call).
    let question = Question::objects()
        .filter(Question::ID.eq(id))
        .get(&db)
        .await?;
    let choices = question.choice_set().all(&db).await?;
    let form = vote_form(&choices).unbound();
    render_detail(&t, &question, choices, form)
}

fn render_detail(
    t: &Templates,
    question: &Question,
    choices: Vec<Choice>,
    form: BoundForm,
) -> Result<Html<String>, Error> {
    t.render(
        "polls/detail.html",
        QuestionPage {
            question: QuestionView::from(question),
            choices,
            form: Some(form),
        },
    )
}

/// The votes so far.
async fn results(
    t: Templates,
    State(db): State<Database>,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    // One query for the question and its choices' `question_id IN (...)`: the prefetch.
    let mut found = Question::objects()
        .filter(Question::ID.eq(id))
        .prefetch_related(Choice::QUESTION)
        .all(&db)
        .await?;
    let (question, choices) = found.pop().ok_or_else(Error::not_found)?;
    t.render(
        "polls/results.html",
        QuestionPage {
            question: QuestionView::from(&question),
            choices,
            form: None,
        },
    )
}

/// Adds one vote in SQL (`votes = votes + 1`, no lost update), then redirects to the results,
/// which say "Thanks for voting." (a message, shown once). No choice, or one that is not this
/// question's, shows the question again with the error (status 200, as Django's tutorial).
async fn vote(
    t: Templates,
    messages: Messages,
    State(db): State<Database>,
    Path(id): Path<i64>,
    data: FormData,
) -> Result<Either<Redirect, Html<String>>, Error> {
    let question = Question::objects()
        .filter(Question::ID.eq(id))
        .get(&db)
        .await?;
    let choices = question.choice_set().all(&db).await?;
    let mut form = vote_form(&choices).bind(data);
    let chosen = form
        .is_valid()
        .then(|| form.take_cleaned())
        .and_then(|cleaned| cleaned.text("choice")?.parse::<i64>().ok());
    let Some(choice) = chosen else {
        return Ok(Either::Right(render_detail(&t, &question, choices, form)?));
    };
    // Filtered on both keys, so a choice deleted meanwhile (or of another question) is a 404.
    let changed = Choice::objects()
        .filter(Choice::ID.eq(choice) & Choice::QUESTION.eq(ForeignKey::new(id)))
        .update(&db, [Choice::VOTES.set(Choice::VOTES.f() + 1)])
        .await?;
    if changed == 0 {
        return Err(Error::not_found());
    }
    messages.success("Thanks for voting.");
    Ok(Either::Left(Redirect::see_other(format!(
        "/questions/{id}/results/"
    ))))
}

/// `seed`: two questions with their choices, in one transaction.
fn seed<'a>(ctx: &'a mut CommandContext<'_>) -> CommandFuture<'a> {
    Box::pin(async move {
        let db = ctx.database().await?;
        let now = Utc::now();
        let polls: [(&str, DateTime<Utc>, &[&str]); 2] = [
            (
                "What's your favourite web framework?",
                now - Duration::days(1),
                &["Django", "Flask", "fullstack"],
            ),
            ("Tabs or spaces?", now, &["Tabs", "Spaces"]),
        ];
        let mut tx = db.begin().await?;
        for (text, pub_date, answers) in polls {
            let mut q = Question {
                id: 0,
                question_text: text.to_owned(),
                pub_date,
            };
            q.save(&mut tx).await?;
            let choices = answers
                .iter()
                .map(|a| Choice {
                    id: 0,
                    question: ForeignKey::from(&q),
                    choice_text: (*a).to_owned(),
                    votes: 0,
                })
                .collect();
            Choice::objects().bulk_create(&mut tx, choices).await?;
            writeln!(ctx.out, "Created question {}: {text}", q.id)?;
        }
        tx.commit().await?;
        Ok(())
    })
}
