//! The forms and their validation, written by hand with Django's messages word for word (the
//! Django-style blog shows the same ones). A form keeps what was typed, so an invalid one is
//! shown again as it was sent.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::{NewPost, Post, Tag};

/// Each invalid field's message, by field name; templates read `errors.title`.
pub type Errors = BTreeMap<&'static str, String>;

pub(crate) const REQUIRED: &str = "This field is required.";
const NULL_CHARACTERS: &str = "Null characters are not allowed.";
pub(crate) const SLUG: &str =
    "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.";
const SLUG_TAKEN: &str = "Post with this Slug already exists.";
const DATETIME: &str = "Enter a valid date/time.";

/// Django's `CharField`: stripped, required, at most `max` characters (as Python counts them,
/// by code point), and no NUL, which PostgreSQL refuses in text.
pub(crate) fn text<'a>(
    errors: &mut Errors,
    field: &'static str,
    value: &'a str,
    max: Option<usize>,
) -> &'a str {
    let value = value.trim();
    let length = value.chars().count();
    let error = if value.is_empty() {
        Some(REQUIRED.to_owned())
    } else if value.contains('\0') {
        Some(NULL_CHARACTERS.to_owned())
    } else {
        max.filter(|max| length > *max)
            .map(|max| format!("Ensure this value has at most {max} characters (it has {length})."))
    };
    if let Some(error) = error {
        errors.insert(field, error);
    }
    value
}

/// Django's `validate_slug`: ASCII letters, digits, `-` and `_`.
pub fn is_slug(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A `datetime-local` value (or ISO 8601 written by hand), read as UTC.
fn parse_datetime(value: &str) -> Option<DateTime<Utc>> {
    const FORMATS: [&str; 4] = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ];
    let naive = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(value, f).ok())
        .or_else(|| Some(NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?.into()))?;
    Some(naive.and_utc())
}

/// The comment form.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct CommentForm {
    /// Who writes.
    pub name: String,
    /// What they write.
    pub body: String,
}

impl CommentForm {
    /// The name and body, trimmed, or what is wrong.
    ///
    /// # Errors
    /// Each invalid field's message.
    pub fn validate(&self) -> Result<(&str, &str), Errors> {
        let mut errors = Errors::new();
        let name = text(&mut errors, "name", &self.name, Some(80));
        let body = text(&mut errors, "body", &self.body, Some(2000));
        if errors.is_empty() {
            Ok((name, body))
        } else {
            Err(errors)
        }
    }
}

/// The login form; `next` is where to go after.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct LoginForm {
    /// The username.
    pub username: String,
    /// The password; never shown again.
    #[serde(skip_serializing)]
    pub password: String,
    /// The path to go back to.
    pub next: String,
}

impl LoginForm {
    /// What is missing, as Django's `AuthenticationForm` says it.
    pub fn errors(&self) -> Errors {
        let mut errors = Errors::new();
        text(&mut errors, "username", &self.username, Some(150));
        if self.password.is_empty() {
            errors.insert("password", REQUIRED.to_owned());
        }
        errors
    }
}

/// The post form, as typed. `tags` repeats in the body (`tags=1&tags=3`), which a struct
/// cannot take from serde_urlencoded, so the handler reads the pairs and this sorts them.
#[derive(Debug, Default, Serialize)]
pub struct PostForm {
    /// The title.
    pub title: String,
    /// The slug.
    pub slug: String,
    /// The text.
    pub body: String,
    /// `YYYY-MM-DDTHH:MM`, UTC.
    pub published: String,
    /// The chosen tags' ids, as sent.
    pub tags: Vec<String>,
}

impl PostForm {
    /// The form a POST sent (the CSRF token and unknown fields left out).
    pub fn from_pairs(pairs: Vec<(String, String)>) -> PostForm {
        let mut form = PostForm::default();
        for (key, value) in pairs {
            match key.as_str() {
                "title" => form.title = value,
                "slug" => form.slug = value,
                "body" => form.body = value,
                "published" => form.published = value,
                "tags" => form.tags.push(value),
                _ => {}
            }
        }
        form
    }

    /// The form filled with `post`, for its edit page.
    pub fn from_post(post: &Post, tags: &[Tag]) -> PostForm {
        PostForm {
            title: post.title.clone(),
            slug: post.slug.clone(),
            body: post.body.clone(),
            published: datetime_local(post.published),
            tags: tags.iter().map(|t| t.id.to_string()).collect(),
        }
    }

    /// An empty form, its date now.
    pub fn new_post() -> PostForm {
        PostForm {
            published: datetime_local(Utc::now()),
            ..PostForm::default()
        }
    }

    /// The post to store, or what is wrong; `tags` are those to choose from, and `slug_taken`
    /// says whether another post has this slug (the database knows).
    ///
    /// # Errors
    /// Each invalid field's message.
    pub fn validate(&self, tags: &[Tag], slug_taken: bool) -> Result<NewPost, Errors> {
        let mut errors = Errors::new();
        let title = text(&mut errors, "title", &self.title, Some(200));
        let slug = text(&mut errors, "slug", &self.slug, Some(200));
        // As Django: the uniqueness is checked only for a slug that is valid otherwise.
        if !errors.contains_key("slug") && !is_slug(slug) {
            errors.insert("slug", SLUG.to_owned());
        } else if !errors.contains_key("slug") && slug_taken {
            errors.insert("slug", SLUG_TAKEN.to_owned());
        }
        let body = text(&mut errors, "body", &self.body, None);
        let published = self.published.trim();
        let published = if published.is_empty() {
            errors.insert("published", REQUIRED.to_owned());
            None
        } else {
            let parsed = parse_datetime(published);
            if parsed.is_none() {
                errors.insert("published", DATETIME.to_owned());
            }
            parsed
        };
        let mut chosen = Vec::new();
        for value in &self.tags {
            match value
                .parse()
                .ok()
                .filter(|id| tags.iter().any(|t| t.id == *id))
            {
                Some(id) if !chosen.contains(&id) => chosen.push(id),
                Some(_) => {}
                None => {
                    let message = format!(
                        "Select a valid choice. {value} is not one of the available choices."
                    );
                    errors.insert("tags", message);
                }
            }
        }
        match published {
            Some(published) if errors.is_empty() => Ok(NewPost {
                title: title.to_owned(),
                slug: slug.to_owned(),
                body: body.to_owned(),
                published,
                tags: chosen,
            }),
            _ => Err(errors),
        }
    }
}

/// The value of a `datetime-local` input; seconds only when there are some.
fn datetime_local(at: DateTime<Utc>) -> String {
    let format = if at.timestamp() % 60 == 0 {
        "%Y-%m-%dT%H:%M"
    } else {
        "%Y-%m-%dT%H:%M:%S"
    };
    at.format(format).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags() -> Vec<Tag> {
        vec![Tag {
            id: 1,
            name: "Rust".into(),
            slug: "rust".into(),
        }]
    }

    fn form(title: &str, slug: &str, published: &str) -> PostForm {
        PostForm {
            title: title.into(),
            slug: slug.into(),
            body: "text".into(),
            published: published.into(),
            tags: vec!["1".into()],
        }
    }

    #[test]
    fn post_form_errors_are_djangos() {
        let errors = form(" ", "a b", "2021-02-30T10:00")
            .validate(&tags(), false)
            .unwrap_err();
        assert_eq!(errors["title"], REQUIRED);
        assert_eq!(errors["slug"], SLUG);
        assert_eq!(errors["published"], DATETIME);
        let errors = form(&"é".repeat(201), "ok", "")
            .validate(&tags(), false)
            .unwrap_err();
        assert_eq!(
            errors["title"],
            "Ensure this value has at most 200 characters (it has 201)."
        );
        assert_eq!(errors["published"], REQUIRED);
        let mut bad_tag = form("T", "ok", "2021-09-01T09:00");
        bad_tag.tags = vec!["99".into()];
        assert_eq!(
            bad_tag.validate(&tags(), false).unwrap_err()["tags"],
            "Select a valid choice. 99 is not one of the available choices."
        );
    }

    #[test]
    fn a_valid_post_is_trimmed_and_read_as_utc() {
        let post = form(" Hello ", "hello-blog_2", "2021-09-01T09:00")
            .validate(&tags(), false)
            .unwrap();
        assert_eq!(
            (post.title.as_str(), post.slug.as_str()),
            ("Hello", "hello-blog_2")
        );
        assert_eq!(post.published.to_rfc3339(), "2021-09-01T09:00:00+00:00");
        assert_eq!(post.tags, [1]);
        let taken = form("T", "hello", "2021-09-01T09:00").validate(&tags(), true);
        assert_eq!(taken.unwrap_err()["slug"], SLUG_TAKEN);
        for ok in ["2021-09-01T09:00:30", "2021-09-01 09:00", "2021-09-01"] {
            assert!(parse_datetime(ok).is_some(), "{ok}");
        }
        assert_eq!(datetime_local(post.published), "2021-09-01T09:00");
    }

    #[test]
    fn comments_are_limited() {
        let long = CommentForm {
            name: "n".repeat(81),
            body: "b\0".into(),
        };
        let errors = long.validate().unwrap_err();
        assert_eq!(
            errors["name"],
            "Ensure this value has at most 80 characters (it has 81)."
        );
        assert_eq!(errors["body"], NULL_CHARACTERS);
    }
}
