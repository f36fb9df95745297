//! The `blog` blueprint: what everyone reads. The front page, the date archives, a post with its
//! comments (and the form to add one), and the tag pages. Only published posts are shown:
//! every query here is bounded by now.

use chrono::{NaiveDate, Utc};
use micro::routing::get;
use micro::{
    Blueprint, Either, Error, Form, Html, Path, Query, Redirect, Session, State, Templates, abort,
    context,
};

use crate::db::{Db, Post};
use crate::forms::{CommentForm, Errors};
use crate::pagination::{Page, PageQuery};

const PER_PAGE: i64 = 5;
const YEAR: &str = "/posts/<int(fixed_digits=4):year>/";
const MONTH: &str = "<int(fixed_digits=2, min=1, max=12):month>/";
const DAY: &str = "<int(fixed_digits=2, min=1, max=31):day>/";

pub(crate) fn blueprint() -> Blueprint {
    let mut bp = Blueprint::new("blog", "");
    bp.get("/", index);
    bp.get(YEAR, year_archive);
    bp.get(&format!("{YEAR}{MONTH}"), month_archive);
    bp.get(&format!("{YEAR}{MONTH}{DAY}"), day_archive);
    bp.route(
        &format!("{YEAR}{MONTH}{DAY}<slug:slug>/"),
        get(show).post(comment).name("post"),
    );
    bp.get("/tags/<slug:slug>/", tag);
    bp
}

fn now() -> i64 {
    Utc::now().timestamp()
}

async fn index(
    t: Templates,
    db: State<Db>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, Error> {
    let now = now();
    let page = Page::of(&q, db.count_published(now).await?, PER_PAGE).ok_or(abort(404))?;
    let posts = db.published(now, page.limit(), page.offset()).await?;
    t.render(
        "post_list.html",
        context! { posts, page, heading => "Latest posts" },
    )
}

/// The posts of `[start, end)`; a period without any is a 404, as Django's date archives.
async fn archive(
    t: &Templates,
    db: &Db,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    heading: String,
) -> Result<Html<String>, Error> {
    // `None`: a date that does not exist (the 30th of February).
    let (Some(start), Some(end)) = (start, end) else {
        return Err(abort(404));
    };
    let seconds = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    let posts = db
        .published_between(seconds(start), seconds(end), now())
        .await?;
    if posts.is_empty() {
        return Err(abort(404));
    }
    t.render("post_list.html", context! { posts, heading })
}

async fn year_archive(
    t: Templates,
    db: State<Db>,
    Path(year): Path<i32>,
) -> Result<Html<String>, Error> {
    let start = NaiveDate::from_ymd_opt(year, 1, 1);
    let end = NaiveDate::from_ymd_opt(year + 1, 1, 1);
    archive(&t, &db, start, end, format!("Posts of {year}")).await
}

async fn month_archive(
    t: Templates,
    db: State<Db>,
    Path((year, month)): Path<(i32, u32)>,
) -> Result<Html<String>, Error> {
    let start = NaiveDate::from_ymd_opt(year, month, 1);
    let end = start.and_then(|d| d.checked_add_months(chrono::Months::new(1)));
    archive(&t, &db, start, end, format!("Posts of {year}-{month:02}")).await
}

async fn day_archive(
    t: Templates,
    db: State<Db>,
    Path((year, month, day)): Path<(i32, u32, u32)>,
) -> Result<Html<String>, Error> {
    let start = NaiveDate::from_ymd_opt(year, month, day);
    let end = start.and_then(|d| d.succ_opt());
    let heading = format!("Posts of {year}-{month:02}-{day:02}");
    archive(&t, &db, start, end, heading).await
}

/// A post's URL: year, month, day, slug.
type PostPath = (i32, u32, u32, String);

/// The published post at this URL: its slug, on its day.
async fn published_post(db: &Db, (year, month, day, slug): PostPath) -> Result<Post, Error> {
    let post = db.post_by_slug(&slug).await?.ok_or(abort(404))?;
    let on_its_day = NaiveDate::from_ymd_opt(year, month, day) == Some(post.published.date_naive());
    if !on_its_day || post.published > Utc::now() {
        return Err(abort(404));
    }
    Ok(post)
}

/// The post page, with `form` (empty, or as sent with its `errors`).
async fn render_post(
    t: &Templates,
    db: &Db,
    post: &Post,
    form: &CommentForm,
    errors: &Errors,
) -> Result<Html<String>, Error> {
    let tags = db.tags_of(post.id).await?;
    let comments = db.comments(post.id).await?;
    // Django's `linebreaks`: a paragraph per run of text between blank lines.
    let body = post.body.replace("\r\n", "\n");
    let paragraphs: Vec<&str> = body
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    t.render(
        "post.html",
        context! { post, paragraphs, tags, comments, form, errors },
    )
}

async fn show(
    t: Templates,
    db: State<Db>,
    Path(path): Path<PostPath>,
) -> Result<Html<String>, Error> {
    let post = published_post(&db, path).await?;
    render_post(&t, &db, &post, &CommentForm::default(), &Errors::new()).await
}

async fn comment(
    t: Templates,
    db: State<Db>,
    session: Session,
    Path(path): Path<PostPath>,
    Form(form): Form<CommentForm>,
) -> Result<Either<Html<String>, Redirect>, Error> {
    let post = published_post(&db, path).await?;
    match form.validate() {
        Ok((name, body)) => {
            db.add_comment(post.id, name, body, Utc::now()).await?;
            session.flash("Your comment was added.");
            Ok(Either::Right(Redirect::see_other(post.url)))
        }
        Err(errors) => Ok(Either::Left(
            render_post(&t, &db, &post, &form, &errors).await?,
        )),
    }
}

async fn tag(
    t: Templates,
    db: State<Db>,
    Path(slug): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Html<String>, Error> {
    let tag = db.tag(&slug).await?.ok_or(abort(404))?;
    let now = now();
    let count = db.count_tagged(tag.id, now).await?;
    let page = Page::of(&q, count, PER_PAGE).ok_or(abort(404))?;
    let posts = db.tagged(tag.id, now, page.limit(), page.offset()).await?;
    let heading = format!("Posts tagged {}", tag.name);
    t.render("post_list.html", context! { posts, page, heading })
}
