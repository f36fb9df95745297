//! The pages that are not generic views: a post with its comments and comment form, a tag's
//! posts, and writing, editing and deleting posts (their author only) on ModelForms, what a
//! Django developer writes by overriding `form_valid` and `test_func`.

use chrono::Utc;
use fullstack::auth::CurrentUser;
use fullstack::forms::{BoundForm, FormData, ModelFields, ModelForm};
use fullstack::pagination::{PageNumber, Paginator};
use fullstack::query::prelude::*;
use fullstack::views::generic::{DateDetailView, UrlVariables};
use fullstack::{Database, ForeignKey};
use micro::http::{Method, StatusCode};
use micro::{Html, IntoResponse, Path, Redirect, Response, State, Templates, context};
use serde::Serialize;

use super::{Comment, CommentByPost, Post, Tag};

/// A post as its page shows it.
#[derive(Serialize)]
struct PostPage {
    id: i64,
    title: String,
    url: String,
    published: String,
    author: String,
    paragraphs: Vec<String>,
    tags: Vec<Tag>,
}

impl PostPage {
    async fn of(db: &Database, post: &Post) -> Result<PostPage, micro::Error> {
        Ok(PostPage {
            id: post.id,
            title: post.title.clone(),
            url: post.url(),
            published: post.published.format("%Y-%m-%d %H:%M UTC").to_string(),
            author: post.author.get(db).await?.username,
            paragraphs: post.body.split("\n\n").map(str::to_owned).collect(),
            tags: Post::TAGS.of(post).all(db).await?,
        })
    }
}

/// The comment form; no foreign key among its fields, so building it reads nothing.
async fn comment_form(db: &Database) -> Result<ModelForm<Comment>, micro::Error> {
    Ok(
        ModelForm::<Comment>::builder(ModelFields::Only(&["name", "body"]))
            .build(db)
            .await?,
    )
}

/// A post, its comments oldest first, and the comment form; a valid comment is saved and
/// the page reloaded (303), an invalid one shown again with its errors.
pub(super) async fn post_page(
    t: Templates,
    State(db): State<Database>,
    user: CurrentUser,
    vars: UrlVariables,
    method: Method,
    data: Option<FormData>,
) -> Result<Response, micro::Error> {
    let view = DateDetailView::new(Post::objects(), Post::PUBLISHED).slug_field(Post::SLUG);
    let post = view.object(&db, &vars).await?;
    let form = comment_form(&db).await?;
    let form = match data.filter(|_| method == Method::POST) {
        None => form.unbound(),
        Some(data) => match form.submit(&db, data, None).await? {
            Ok(mut valid) => {
                valid.instance.post = ForeignKey::from(&post);
                valid.instance.created = Utc::now();
                valid.save(&db).await?;
                return Ok(Redirect::see_other(post.url()).into_response());
            }
            Err(form) => form,
        },
    };
    let comments = post.comment_set().all(&db).await?;
    let page = t.render(
        "blog/post_detail.html",
        context! {
            post => PostPage::of(&db, &post).await?,
            comments,
            form,
            is_author => user.user().is_some_and(|u| u.id == post.author.id()),
        },
    )?;
    Ok(page.into_response())
}

/// A tag's published posts, 5 a page.
pub(super) async fn tag_page(
    t: Templates,
    State(db): State<Database>,
    Path(slug): Path<String>,
    page: PageNumber,
) -> Result<Html<String>, micro::Error> {
    let tag = Tag::objects().filter(Tag::SLUG.eq(slug)).get(&db).await?;
    let posts = Post::TAGS
        .owners_of(&tag)
        .filter(Post::PUBLISHED.lte(Utc::now()));
    let paginator = Paginator::for_queryset(&posts, &db, 5).await?;
    let number = paginator.parse_number(page.as_deref())?;
    let page_obj = paginator.page_of_queryset(&posts, &db, number).await?;
    t.render("blog/tag.html", context! { tag, page_obj })
}

/// The post form: its tags offered by name (one query for them).
async fn post_form(db: &Database) -> Result<ModelForm<Post>, micro::Error> {
    let fields = ModelFields::Only(&["title", "slug", "body", "published", "tags"]);
    Ok(ModelForm::<Post>::builder(fields)
        .choices("tags", Tag::objects(), |t: &Tag| t.name.clone())
        .build(db)
        .await?)
}

fn render_form(
    t: &Templates,
    form: BoundForm,
    post: Option<&Post>,
) -> Result<Response, micro::Error> {
    let title = if post.is_some() {
        "Edit the post"
    } else {
        "A new post"
    };
    Ok(t.render("blog/post_form.html", context! { form, title })?
        .into_response())
}

/// A new post by the logged-in user.
pub(super) async fn new_post(
    t: Templates,
    State(db): State<Database>,
    user: CurrentUser,
    method: Method,
    data: Option<FormData>,
) -> Result<Response, micro::Error> {
    let form = post_form(&db).await?;
    let Some(data) = data.filter(|_| method == Method::POST) else {
        return render_form(&t, form.unbound(), None);
    };
    match form.submit(&db, data, None).await? {
        Ok(mut valid) => {
            // The route's guard let only a logged-in user in.
            let author = user
                .user()
                .ok_or_else(|| micro::Error::new(StatusCode::FORBIDDEN, "Log in to write."))?;
            valid.instance.author = ForeignKey::from(author);
            let post = valid.save(&db).await?;
            Ok(Redirect::see_other(post.url()).into_response())
        }
        Err(form) => render_form(&t, form, None),
    }
}

/// The post `id`, if `user` wrote it: a 404 when there is no such post, a 403 when another
/// user did (Django's `UserPassesTestMixin`).
async fn own_post(db: &Database, user: &CurrentUser, id: i64) -> Result<Post, micro::Error> {
    let post = Post::objects().filter(Post::ID.eq(id)).get(db).await?;
    // measure: security
    if user.user().is_none_or(|u| u.id != post.author.id()) {
        return Err(micro::Error::new(
            StatusCode::FORBIDDEN,
            "Only the author of a post may change it.",
        ));
    }
    // end measure: security
    Ok(post)
}

/// Edits a post (its author only).
pub(super) async fn edit_post(
    t: Templates,
    State(db): State<Database>,
    user: CurrentUser,
    Path(id): Path<i64>,
    method: Method,
    data: Option<FormData>,
) -> Result<Response, micro::Error> {
    let post = own_post(&db, &user, id).await?;
    let form = post_form(&db).await?;
    let Some(data) = data.filter(|_| method == Method::POST) else {
        let shown = form.for_instance(&db, &post).await?;
        return render_form(&t, shown, Some(&post));
    };
    match form.submit(&db, data, Some(&post)).await? {
        Ok(valid) => {
            let post = valid.save(&db).await?;
            Ok(Redirect::see_other(post.url()).into_response())
        }
        Err(form) => render_form(&t, form, Some(&post)),
    }
}

/// Asks, then deletes a post and its comments (its author only).
pub(super) async fn delete_post(
    t: Templates,
    State(db): State<Database>,
    user: CurrentUser,
    Path(id): Path<i64>,
    method: Method,
) -> Result<Response, micro::Error> {
    let post = own_post(&db, &user, id).await?;
    if method != Method::POST {
        let page = t.render(
            "blog/post_confirm_delete.html",
            context! { post => PostPage::of(&db, &post).await? },
        )?;
        return Ok(page.into_response());
    }
    Post::objects()
        .filter(Post::ID.eq(post.id))
        .delete(&db)
        .await?;
    Ok(Redirect::see_other("/").into_response())
}
