// measure: tags-admin
//! The `tags_admin` blueprint: the tags' list, and adding, editing and deleting one, written by
//! hand where `blog-fullstack` registers a `ModelAdmin::<Tag>`. Every page needs a login
//! ([`LoggedIn`]), as the post editor's; anyone logged in may use them (there are no staff).

use micro::routing::get;
use micro::{
    Blueprint, Either, Error, Form, Html, Path, Redirect, Request, Session, State, Templates,
    abort, context,
};
use serde::{Deserialize, Serialize};

use crate::auth::LoggedIn;
use crate::db::{Db, Tag};
use crate::forms::{Errors, SLUG, is_slug, text};

const NAME_TAKEN: &str = "Tag with this Name already exists.";
const SLUG_TAKEN: &str = "Tag with this Slug already exists.";

/// `/manage/tags/`, `/manage/tags/new/`, `/manage/tags/edit/ID/`, `/manage/tags/delete/ID/`.
pub(crate) fn blueprint() -> Blueprint {
    let mut bp = Blueprint::new("tags_admin", "/manage/tags");
    bp.route("/", get(list).name("list"));
    bp.route("/new/", get(new_form).post(create).name("new"));
    bp.route("/edit/<int:id>/", get(edit_form).post(update).name("edit"));
    bp.route(
        "/delete/<int:id>/",
        get(confirm_delete).post(delete).name("delete"),
    );
    bp
}

/// The tag form, as typed.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
struct TagForm {
    name: String,
    slug: String,
}

impl TagForm {
    /// The name and slug, trimmed, or what is wrong; `taken` says whether another tag has this
    /// name, and this slug (the database knows).
    fn validate(&self, (name_taken, slug_taken): (bool, bool)) -> Result<(&str, &str), Errors> {
        let mut errors = Errors::new();
        let name = text(&mut errors, "name", &self.name, Some(50));
        let slug = text(&mut errors, "slug", &self.slug, Some(50));
        if !errors.contains_key("slug") && !is_slug(slug) {
            errors.insert("slug", SLUG.to_owned());
        }
        // As Django: the uniqueness is checked only for a value that is valid otherwise.
        if !errors.contains_key("name") && name_taken {
            errors.insert("name", NAME_TAKEN.to_owned());
        }
        if !errors.contains_key("slug") && slug_taken {
            errors.insert("slug", SLUG_TAKEN.to_owned());
        }
        if errors.is_empty() {
            Ok((name, slug))
        } else {
            Err(errors)
        }
    }
}

/// The list's URL.
fn list_url(req: &Request) -> Result<String, Error> {
    Ok(req.url_for("tags_admin.list", ())?)
}

/// Tag `id`, or a 404.
async fn tag_or_404(db: &Db, id: i64) -> Result<Tag, Error> {
    db.tag_by_id(id).await?.ok_or(abort(404))
}

async fn list(t: Templates, db: State<Db>, _: LoggedIn) -> Result<Html<String>, Error> {
    let tags = db.tags().await?;
    t.render("tag_list.html", context! { tags })
}

async fn new_form(t: Templates, _: LoggedIn) -> Result<Html<String>, Error> {
    let form = TagForm::default();
    t.render("tag_form.html", context! { form, errors => Errors::new() })
}

/// Stores a valid `form` as `tag` (a new tag for `None`) and goes back to the list at `back`;
/// an invalid one is shown again.
async fn save(
    t: &Templates,
    db: &Db,
    session: &Session,
    back: String,
    form: TagForm,
    tag: Option<Tag>,
) -> Result<Either<Html<String>, Redirect>, Error> {
    let id = tag.as_ref().map(|tag| tag.id);
    let taken = db.tag_taken(form.name.trim(), form.slug.trim(), id).await?;
    match form.validate(taken) {
        Ok((name, slug)) => {
            match id {
                Some(id) => db.update_tag(id, name, slug).await?,
                None => {
                    db.create_tag(name, slug).await?;
                }
            }
            session.flash("The tag was saved.");
            Ok(Either::Right(Redirect::see_other(back)))
        }
        Err(errors) => Ok(Either::Left(
            t.render("tag_form.html", context! { form, errors, tag })?,
        )),
    }
}

async fn create(
    t: Templates,
    db: State<Db>,
    session: Session,
    _: LoggedIn,
    req: Request,
    Form(form): Form<TagForm>,
) -> Result<Either<Html<String>, Redirect>, Error> {
    save(&t, &db, &session, list_url(&req)?, form, None).await
}

async fn edit_form(
    t: Templates,
    db: State<Db>,
    _: LoggedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    let tag = tag_or_404(&db, id).await?;
    let form = TagForm {
        name: tag.name.clone(),
        slug: tag.slug.clone(),
    };
    t.render(
        "tag_form.html",
        context! { form, errors => Errors::new(), tag },
    )
}

async fn update(
    t: Templates,
    db: State<Db>,
    session: Session,
    _: LoggedIn,
    Path(id): Path<i64>,
    req: Request,
    Form(form): Form<TagForm>,
) -> Result<Either<Html<String>, Redirect>, Error> {
    let tag = tag_or_404(&db, id).await?;
    save(&t, &db, &session, list_url(&req)?, form, Some(tag)).await
}

async fn confirm_delete(
    t: Templates,
    db: State<Db>,
    _: LoggedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    let tag = tag_or_404(&db, id).await?;
    t.render("tag_delete.html", context! { tag })
}

async fn delete(
    db: State<Db>,
    session: Session,
    _: LoggedIn,
    Path(id): Path<i64>,
    req: Request,
) -> Result<Redirect, Error> {
    tag_or_404(&db, id).await?;
    db.delete_tag(id).await?;
    session.flash("The tag was deleted.");
    Ok(Redirect::see_other(list_url(&req)?))
}
// end measure: tags-admin
