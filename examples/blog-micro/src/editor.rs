//! The `editor` blueprint: writing, editing and deleting posts, in place of an admin site. Every
//! page needs a login ([`LoggedIn`]); editing and deleting are for the post's author only, on
//! GET as on POST.

use micro::routing::get;
use micro::{
    Blueprint, Either, Error, Form, Html, Path, Redirect, Request, Session, State, Templates,
    abort, context,
};

use crate::auth::{LoggedIn, User};
use crate::db::{Db, Post, post_url};
use crate::forms::{Errors, PostForm};

pub(crate) fn blueprint() -> Blueprint {
    let mut bp = Blueprint::new("editor", "/posts");
    bp.route("/new/", get(new_form).post(create).name("new"));
    bp.route("/edit/<int:id>/", get(edit_form).post(update).name("edit"));
    bp.route(
        "/delete/<int:id>/",
        get(confirm_delete).post(delete).name("delete"),
    );
    bp
}

/// Post `id`, if `user` wrote it: 404 when there is no such post, 403 when it is another's.
async fn own_post(db: &Db, id: i64, user: &User) -> Result<Post, Error> {
    let post = db.post(id).await?.ok_or(abort(404))?;
    // measure: security
    if post.author != user.username {
        return Err(abort(403));
    }
    // end measure: security
    Ok(post)
}

/// The form page, with every tag to choose from.
async fn render_form(
    t: &Templates,
    db: &Db,
    form: &PostForm,
    errors: &Errors,
    post: Option<&Post>,
) -> Result<Html<String>, Error> {
    let tags = db.tags().await?;
    t.render("post_form.html", context! { form, errors, post, tags })
}

async fn new_form(t: Templates, db: State<Db>, _: LoggedIn) -> Result<Html<String>, Error> {
    render_form(&t, &db, &PostForm::new_post(), &Errors::new(), None).await
}

async fn create(
    t: Templates,
    db: State<Db>,
    session: Session,
    LoggedIn(user): LoggedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Either<Html<String>, Redirect>, Error> {
    let form = PostForm::from_pairs(pairs);
    let taken = db.slug_taken(form.slug.trim(), None).await?;
    match form.validate(&db.tags().await?, taken) {
        Ok(new) => {
            db.create_post(user.id, &new).await?;
            session.flash("The post was saved.");
            let url = post_url(new.published, &new.slug);
            Ok(Either::Right(Redirect::see_other(url)))
        }
        Err(errors) => Ok(Either::Left(
            render_form(&t, &db, &form, &errors, None).await?,
        )),
    }
}

async fn edit_form(
    t: Templates,
    db: State<Db>,
    LoggedIn(user): LoggedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    let post = own_post(&db, id, &user).await?;
    let form = PostForm::from_post(&post, &db.tags_of(id).await?);
    render_form(&t, &db, &form, &Errors::new(), Some(&post)).await
}

async fn update(
    t: Templates,
    db: State<Db>,
    session: Session,
    LoggedIn(user): LoggedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Either<Html<String>, Redirect>, Error> {
    let post = own_post(&db, id, &user).await?;
    let form = PostForm::from_pairs(pairs);
    let taken = db.slug_taken(form.slug.trim(), Some(id)).await?;
    match form.validate(&db.tags().await?, taken) {
        Ok(new) => {
            db.update_post(id, &new).await?;
            session.flash("The post was saved.");
            let url = post_url(new.published, &new.slug);
            Ok(Either::Right(Redirect::see_other(url)))
        }
        Err(errors) => Ok(Either::Left(
            render_form(&t, &db, &form, &errors, Some(&post)).await?,
        )),
    }
}

async fn confirm_delete(
    t: Templates,
    db: State<Db>,
    LoggedIn(user): LoggedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    let post = own_post(&db, id, &user).await?;
    t.render("post_delete.html", context! { post })
}

async fn delete(
    db: State<Db>,
    session: Session,
    LoggedIn(user): LoggedIn,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Redirect, Error> {
    own_post(&db, id, &user).await?;
    db.delete_post(id).await?;
    session.flash("The post was deleted.");
    Ok(Redirect::see_other(req.url_for("blog.index", ())?))
}
