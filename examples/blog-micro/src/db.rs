//! The database: hand-written SQL through sqlx's `Any` driver, so one pool type serves SQLite and
//! PostgreSQL, chosen by the URL.
//!
//! Portability rules kept by every statement: `$1` placeholders (SQLite takes them too), values
//! always bound, never spliced into the text; times as Unix seconds in a `BIGINT`, so date
//! ranges are integer comparisons on both; `RETURNING id` for new rows (SQLite 3.35+).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::AnyPool;
use sqlx::any::AnyPoolOptions;
use sqlx::{AssertSqlSafe, FromRow};

/// The schema, applied at every start like Flask's `init-db`, minus the drop. `ID` is the one
/// word the two databases spell differently: an auto-incrementing primary key.
const SCHEMA: [&str; 7] = [
    "CREATE TABLE IF NOT EXISTS users (
        id ID, username VARCHAR(150) NOT NULL UNIQUE, password TEXT NOT NULL)",
    // measure: tags-admin
    "CREATE TABLE IF NOT EXISTS tags (
        id ID, name VARCHAR(50) NOT NULL, slug VARCHAR(50) NOT NULL UNIQUE)",
    // end measure: tags-admin
    "CREATE TABLE IF NOT EXISTS posts (
        id ID, author_id BIGINT NOT NULL REFERENCES users (id),
        title VARCHAR(200) NOT NULL, slug VARCHAR(200) NOT NULL UNIQUE,
        body TEXT NOT NULL, published BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS posts_published ON posts (published)",
    "CREATE TABLE IF NOT EXISTS post_tags (
        post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
        PRIMARY KEY (post_id, tag_id))",
    "CREATE TABLE IF NOT EXISTS comments (
        id ID, post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
        name VARCHAR(80) NOT NULL, body TEXT NOT NULL, created BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS comments_post ON comments (post_id)",
];

/// A post's columns and its author's name; the rest of the statement follows. Lists are
/// ordered newest first, then the highest id (two posts in the same second).
macro_rules! select_posts {
    ($($rest:literal),*) => {
        concat!(
            "SELECT p.id, u.username AS author, p.title, p.slug, p.body, p.published \
             FROM posts p JOIN users u ON u.id = p.author_id ",
            $($rest),*
        )
    };
}

/// The connection pool, shared by every request (`State<Db>`).
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
}

/// A user, with the password's hash.
#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub username: String,
    /// The Argon2 PHC string.
    pub password: String,
}

// measure: tags-admin
/// A tag.
#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Tag {
    /// Its id.
    pub id: i64,
    /// What is shown.
    pub name: String,
    /// What its URL has.
    pub slug: String,
}
// end measure: tags-admin

#[derive(FromRow)]
struct PostRow {
    id: i64,
    author: String,
    title: String,
    slug: String,
    body: String,
    published: i64,
}

/// A post as the pages, feeds and API show it.
#[derive(Clone, Debug, Serialize)]
pub struct Post {
    /// Its id.
    pub id: i64,
    /// Its author's username.
    pub author: String,
    /// Its title.
    pub title: String,
    /// Its slug.
    pub slug: String,
    /// Its text.
    pub body: String,
    /// When it is (or will be) published; RFC 3339 with `Z` once serialised.
    pub published: DateTime<Utc>,
    /// Its page: `/posts/YYYY/MM/DD/SLUG/`.
    pub url: String,
}

/// The page of the post `slug` published at `published`: `/posts/YYYY/MM/DD/SLUG/`, the day in
/// UTC. Built by hand rather than with `url_for`, because micro's `int(fixed_digits=2)` checks
/// two digits but does not pad them; slugs are URL-safe by validation.
pub fn post_url(published: DateTime<Utc>, slug: &str) -> String {
    format!("/posts/{}/{slug}/", published.format("%Y/%m/%d"))
}

impl From<PostRow> for Post {
    fn from(row: PostRow) -> Post {
        let published = timestamp(row.published);
        Post {
            url: post_url(published, &row.slug),
            id: row.id,
            author: row.author,
            title: row.title,
            slug: row.slug,
            body: row.body,
            published,
        }
    }
}

/// A comment.
#[derive(Clone, Debug, FromRow, Serialize)]
pub struct Comment {
    /// Who wrote it.
    pub name: String,
    /// What they wrote.
    pub body: String,
    /// When, in Unix seconds.
    pub created: i64,
}

/// What a valid post form (or the fixture) gives to store.
#[derive(Clone, Debug)]
pub struct NewPost {
    /// The title.
    pub title: String,
    /// The slug.
    pub slug: String,
    /// The text.
    pub body: String,
    /// The moment it is published.
    pub published: DateTime<Utc>,
    /// The ids of its tags.
    pub tags: Vec<i64>,
}

/// The moment of Unix time `secs` (the epoch for values out of chrono's range, which no form
/// lets in).
pub fn timestamp(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

impl Db {
    /// Opens a pool on `url`: `sqlite://FILE?mode=rwc` or `postgres://...`.
    ///
    /// # Errors
    /// When the database cannot be reached.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new()
            .max_connections(5)
            .connect(url)
            .await?;
        Ok(Db { pool })
    }

    /// Creates the tables that are missing.
    ///
    /// # Errors
    /// When a statement fails.
    pub async fn create_schema(&self) -> Result<(), sqlx::Error> {
        let postgres = self.pool.connect_options().database_url.scheme() != "sqlite";
        // SQLite makes `INTEGER PRIMARY KEY` the rowid; PostgreSQL wants an identity column.
        let id = if postgres {
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
        } else {
            "INTEGER PRIMARY KEY"
        };
        for statement in SCHEMA {
            // DDL of this file's own text, no value in it: safe to assert.
            let sql = AssertSqlSafe(statement.replace("id ID", &format!("id {id}")));
            sqlx::query(sql).execute(&self.pool).await?;
        }
        Ok(())
    }

    /// The user called `username`.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn user(&self, username: &str) -> Result<Option<UserRow>, sqlx::Error> {
        sqlx::query_as("SELECT id, username, password FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.pool)
            .await
    }

    /// Adds a user whose password is already hashed; its id.
    ///
    /// # Errors
    /// When the query fails (a username taken).
    pub async fn create_user(&self, username: &str, hash: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("INSERT INTO users (username, password) VALUES ($1, $2) RETURNING id")
            .bind(username)
            .bind(hash)
            .fetch_one(&self.pool)
            .await
    }

    /// Every tag, by name.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn tags(&self) -> Result<Vec<Tag>, sqlx::Error> {
        sqlx::query_as("SELECT id, name, slug FROM tags ORDER BY name, id")
            .fetch_all(&self.pool)
            .await
    }

    /// The tag whose slug is `slug`.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn tag(&self, slug: &str) -> Result<Option<Tag>, sqlx::Error> {
        sqlx::query_as("SELECT id, name, slug FROM tags WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&self.pool)
            .await
    }

    // measure: tags-admin
    /// Adds a tag; its id.
    ///
    /// # Errors
    /// When the query fails (a slug taken).
    pub async fn create_tag(&self, name: &str, slug: &str) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("INSERT INTO tags (name, slug) VALUES ($1, $2) RETURNING id")
            .bind(name)
            .bind(slug)
            .fetch_one(&self.pool)
            .await
    }

    /// The tag whose id is `id`.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn tag_by_id(&self, id: i64) -> Result<Option<Tag>, sqlx::Error> {
        sqlx::query_as("SELECT id, name, slug FROM tags WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Whether a tag other than `except` is called `name`, and whether one has the slug `slug`.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn tag_taken(
        &self,
        name: &str,
        slug: &str,
        except: Option<i64>,
    ) -> Result<(bool, bool), sqlx::Error> {
        let (names, slugs): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(CASE WHEN name = $1 THEN 1 END), COUNT(CASE WHEN slug = $2 THEN 1 END) \
             FROM tags WHERE id <> $3",
        )
        .bind(name)
        .bind(slug)
        .bind(except.unwrap_or(0))
        .fetch_one(&self.pool)
        .await?;
        Ok((names > 0, slugs > 0))
    }

    /// Renames tag `id`.
    ///
    /// # Errors
    /// When the query fails (a slug taken).
    pub async fn update_tag(&self, id: i64, name: &str, slug: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE tags SET name = $1, slug = $2 WHERE id = $3")
            .bind(name)
            .bind(slug)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Deletes tag `id` and its links to posts; the posts stay.
    ///
    /// # Errors
    /// When a query fails; nothing is deleted then.
    pub async fn delete_tag(&self, id: i64) -> Result<(), sqlx::Error> {
        // Explicit, as for posts: SQLite cascades only when foreign keys are on.
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM post_tags WHERE tag_id = $1",
            "DELETE FROM tags WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await
    }
    // end measure: tags-admin

    /// The tags of post `id`, by slug (the API's order).
    ///
    /// # Errors
    /// When the query fails.
    pub async fn tags_of(&self, id: i64) -> Result<Vec<Tag>, sqlx::Error> {
        sqlx::query_as(
            "SELECT t.id, t.name, t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id \
             WHERE pt.post_id = $1 ORDER BY t.slug",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
    }

    /// How many posts are published at `now`.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn count_published(&self, now: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE published <= $1")
            .bind(now)
            .fetch_one(&self.pool)
            .await
    }

    /// A page of the posts published at `now`, newest first.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn published(
        &self,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Post>, sqlx::Error> {
        let sql = select_posts!(
            "WHERE p.published <= $1 ORDER BY p.published DESC, p.id DESC LIMIT $2 OFFSET $3"
        );
        let rows: Vec<PostRow> = sqlx::query_as(sql)
            .bind(now)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    /// The posts published in `[start, end)` and by `now`, newest first: the date archives.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn published_between(
        &self,
        start: i64,
        end: i64,
        now: i64,
    ) -> Result<Vec<Post>, sqlx::Error> {
        let sql = select_posts!(
            "WHERE p.published >= $1 AND p.published < $2 AND p.published <= $3 ",
            "ORDER BY p.published DESC, p.id DESC"
        );
        let rows: Vec<PostRow> = sqlx::query_as(sql)
            .bind(start)
            .bind(end)
            .bind(now)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    /// How many posts tagged `tag` are published at `now`.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn count_tagged(&self, tag: i64, now: i64) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM posts p JOIN post_tags pt ON pt.post_id = p.id \
             WHERE pt.tag_id = $1 AND p.published <= $2",
        )
        .bind(tag)
        .bind(now)
        .fetch_one(&self.pool)
        .await
    }

    /// A page of the posts tagged `tag` and published at `now`, newest first.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn tagged(
        &self,
        tag: i64,
        now: i64,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<Post>, sqlx::Error> {
        let sql = select_posts!(
            "JOIN post_tags pt ON pt.post_id = p.id WHERE pt.tag_id = $1 AND p.published <= $2 ",
            "ORDER BY p.published DESC, p.id DESC LIMIT $3 OFFSET $4"
        );
        let rows: Vec<PostRow> = sqlx::query_as(sql)
            .bind(tag)
            .bind(now)
            .bind(limit)
            .bind(offset)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Post::from).collect())
    }

    /// Post `id`, published or not (its author edits it before its date).
    ///
    /// # Errors
    /// When the query fails.
    pub async fn post(&self, id: i64) -> Result<Option<Post>, sqlx::Error> {
        let row: Option<PostRow> = sqlx::query_as(select_posts!("WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Post::from))
    }

    /// The post whose slug is `slug`, published or not.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn post_by_slug(&self, slug: &str) -> Result<Option<Post>, sqlx::Error> {
        let row: Option<PostRow> = sqlx::query_as(select_posts!("WHERE p.slug = $1"))
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Post::from))
    }

    /// Whether a post other than `except` has the slug `slug`.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn slug_taken(&self, slug: &str, except: Option<i64>) -> Result<bool, sqlx::Error> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts WHERE slug = $1 AND id <> $2")
            .bind(slug)
            .bind(except.unwrap_or(0))
            .fetch_one(&self.pool)
            .await?;
        Ok(n > 0)
    }

    /// Adds a post by `author` with its tags; its id.
    ///
    /// # Errors
    /// When a query fails; nothing is stored then.
    pub async fn create_post(&self, author: i64, post: &NewPost) -> Result<i64, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO posts (author_id, title, slug, body, published) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(author)
        .bind(&post.title)
        .bind(&post.slug)
        .bind(&post.body)
        .bind(post.published.timestamp())
        .fetch_one(&mut *tx)
        .await?;
        for tag in &post.tags {
            sqlx::query("INSERT INTO post_tags (post_id, tag_id) VALUES ($1, $2)")
                .bind(id)
                .bind(tag)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// Replaces post `id`'s fields and tags.
    ///
    /// # Errors
    /// When a query fails; nothing is changed then.
    pub async fn update_post(&self, id: i64, post: &NewPost) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE posts SET title = $1, slug = $2, body = $3, published = $4 WHERE id = $5",
        )
        .bind(&post.title)
        .bind(&post.slug)
        .bind(&post.body)
        .bind(post.published.timestamp())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM post_tags WHERE post_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for tag in &post.tags {
            sqlx::query("INSERT INTO post_tags (post_id, tag_id) VALUES ($1, $2)")
                .bind(id)
                .bind(tag)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    }

    /// Deletes post `id` and its comments.
    ///
    /// # Errors
    /// When a query fails; nothing is deleted then.
    pub async fn delete_post(&self, id: i64) -> Result<(), sqlx::Error> {
        // Explicit rather than trusting ON DELETE CASCADE: SQLite enforces foreign keys only
        // when the connection turned them on.
        let mut tx = self.pool.begin().await?;
        for sql in [
            "DELETE FROM comments WHERE post_id = $1",
            "DELETE FROM post_tags WHERE post_id = $1",
            "DELETE FROM posts WHERE id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await
    }

    /// The comments of post `id`, oldest first.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn comments(&self, post: i64) -> Result<Vec<Comment>, sqlx::Error> {
        sqlx::query_as(
            "SELECT name, body, created FROM comments WHERE post_id = $1 ORDER BY created, id",
        )
        .bind(post)
        .fetch_all(&self.pool)
        .await
    }

    /// Adds a comment to post `post`.
    ///
    /// # Errors
    /// When the query fails.
    pub async fn add_comment(
        &self,
        post: i64,
        name: &str,
        body: &str,
        created: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO comments (post_id, name, body, created) VALUES ($1, $2, $3, $4)")
            .bind(post)
            .bind(name)
            .bind(body)
            .bind(created.timestamp())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
