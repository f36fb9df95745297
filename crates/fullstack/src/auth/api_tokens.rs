//! Bearer tokens for JSON APIs (Django REST framework's `TokenAuthentication`, stored hashed as
//! django-rest-knox does): [`ApiToken::create`] hands out a random token once and keeps its
//! SHA-256; the [`TokenUser`] extractor reads `Authorization: Bearer <token>` and answers 401
//! with `WWW-Authenticate` (RFC 6750) when the token is missing, unknown, expired or revoked,
//! or its user inactive.
//!
//! A token is 32 random bytes: no slow hash is needed to store it (a password is slow-hashed
//! because it is guessable; a token is not), so a request costs one indexed query, the token
//! read with its user.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use micro::StatusCode;
use micro::http::HeaderValue;
use micro::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use sha2::{Digest, Sha256};

use super::{ApiToken, User};
use crate::query::prelude::*;
use crate::{Database, Error, ForeignKey};

/// What every token starts with, so a leaked one is recognisable (secret scanners look for
/// such prefixes).
pub const TOKEN_PREFIX: &str = "fst_";

/// How many characters of a token its row keeps to tell it apart: the prefix and four more.
const SHOWN: usize = TOKEN_PREFIX.len() + 4;

/// `last_used` is written at most this often, so an API client's requests are not each a
/// write.
const LAST_USED_EVERY: Duration = Duration::seconds(60);

fn digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl ApiToken {
    /// Makes a token for `user`, named `name` (what it is for), working until `expires` (or
    /// until revoked when `None`). Returns the row and the token itself: show it to the user
    /// now, it cannot be read again.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn create(
        db: &Database,
        user: &User,
        name: &str,
        expires: Option<DateTime<Utc>>,
    ) -> Result<(ApiToken, String), Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        let row = ApiToken::objects()
            .create(
                db,
                ApiToken {
                    id: 0,
                    user: ForeignKey::from(user),
                    name: name.to_owned(),
                    prefix: token[..SHOWN].to_owned(),
                    digest: digest(&token),
                    created: Utc::now(),
                    last_used: None,
                    expires,
                },
            )
            .await?;
        Ok((row, token))
    }

    /// The token's row and its user when `token` is a live token of an active user, in one
    /// query (and a write of `last_used`, at most once a minute).
    ///
    /// # Errors
    /// The driver's error.
    pub async fn authenticate(
        db: &Database,
        token: &str,
    ) -> Result<Option<(ApiToken, User)>, Error> {
        if !token.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let found = ApiToken::objects()
            .filter(ApiToken::DIGEST.eq(digest(token)))
            .select_related::<User, _>(ApiToken::USER)
            .all(db)
            .await?;
        let Some((mut row, Some(user))) = found.into_iter().next() else {
            return Ok(None);
        };
        let now = Utc::now();
        if row.expires.is_some_and(|at| at <= now) || !user.is_active {
            return Ok(None);
        }
        if row.last_used.is_none_or(|at| now - at >= LAST_USED_EVERY) {
            ApiToken::objects()
                .filter(ApiToken::ID.eq(row.id))
                .update(db, [ApiToken::LAST_USED.set(Some(now))])
                .await?;
            row.last_used = Some(now);
        }
        Ok(Some((row, user)))
    }

    /// The user's tokens, newest first.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn of_user(db: &Database, user: &User) -> Result<Vec<ApiToken>, Error> {
        ApiToken::objects()
            .filter(ApiToken::USER.eq(ForeignKey::from(user)))
            .order_by([ApiToken::CREATED.desc(), ApiToken::ID.desc()])
            .all(db)
            .await
    }

    /// Revokes the token: the next request with it is a 401.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn revoke(&self, db: &Database) -> Result<(), Error> {
        ApiToken::objects()
            .filter(ApiToken::ID.eq(self.id))
            .delete(db)
            .await
            .map(drop)
    }

    /// Revokes every token of `user` (at a password change, or when the account is
    /// compromised); returns how many there were.
    ///
    /// # Errors
    /// The driver's error.
    pub async fn revoke_all(db: &Database, user: &User) -> Result<u64, Error> {
        ApiToken::objects()
            .filter(ApiToken::USER.eq(ForeignKey::from(user)))
            .delete(db)
            .await
    }
}

/// The user of a request authenticated by `Authorization: Bearer <token>`: an extractor for
/// JSON APIs. A request without a live token is refused with 401 and `WWW-Authenticate:
/// Bearer` before the handler runs; wrap it in `Option` for a route that also serves anonymous
/// clients. It never reads cookies, so a route that takes only it can be `csrf_exempt()`: a
/// browser does not attach a bearer token to a forged cross-site request.
///
/// ```
/// use fullstack::auth::TokenUser;
/// use micro::Json;
/// use micro::routing::post;
///
/// async fn me(who: TokenUser) -> Json<serde_json::Value> {
///     Json(serde_json::json!({ "username": who.user.username }))
/// }
///
/// # fn routes(app: &mut micro::App) {
/// app.get("/api/me", me);
/// app.route("/api/items", post(|_: TokenUser| async { "created" }).csrf_exempt());
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct TokenUser {
    /// The token's owner.
    pub user: User,
    /// The token the request came with (its name, when it expires).
    pub token: ApiToken,
}

/// DRF's words for each refusal.
const NOT_PROVIDED: &str = "Authentication credentials were not provided.";
const INVALID: &str = "Invalid token.";

fn unauthorized(message: &'static str, invalid: bool) -> micro::Error {
    let challenge = if invalid {
        r#"Bearer realm="api", error="invalid_token""#
    } else {
        r#"Bearer realm="api""#
    };
    micro::Error::new(StatusCode::UNAUTHORIZED, message)
        .with_header(WWW_AUTHENTICATE, HeaderValue::from_static(challenge))
}

/// The token of an `Authorization` header: `Ok(None)` without one, `Err` for another scheme
/// or a malformed value.
fn bearer(header: Option<&HeaderValue>) -> Result<Option<&str>, ()> {
    let Some(header) = header else {
        return Ok(None);
    };
    let value = header.to_str().map_err(drop)?;
    let (scheme, token) = value.split_once(' ').ok_or(())?;
    let token = token.trim();
    // The scheme is case-insensitive (RFC 9110); a token is one word.
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains(' ') {
        return Err(());
    }
    Ok(Some(token))
}

impl micro::FromRequest for TokenUser {
    type Rejection = micro::Error;

    async fn from_request(req: &mut micro::Request) -> Result<Self, micro::Error> {
        let token = match bearer(req.headers().get(AUTHORIZATION)) {
            Ok(Some(token)) => token.to_owned(),
            Ok(None) => return Err(unauthorized(NOT_PROVIDED, false)),
            Err(()) => return Err(unauthorized(INVALID, true)),
        };
        let Some(db) = req.state::<Database>().cloned() else {
            return Err(micro::Error::internal(
                "fullstack::auth::TokenUser needs the project's database in the app's state",
            ));
        };
        match ApiToken::authenticate(&db, &token).await {
            Ok(Some((token, user))) => Ok(TokenUser { user, token }),
            Ok(None) => Err(unauthorized(INVALID, true)),
            Err(e) => Err(e.http_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_single_bearer_token_is_read() {
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert_eq!(bearer(None), Ok(None));
        assert_eq!(bearer(Some(&h("Bearer fst_abc"))), Ok(Some("fst_abc")));
        assert_eq!(bearer(Some(&h("bearer  fst_abc "))), Ok(Some("fst_abc")));
        for bad in [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer ",
            "Bearer a b",
            "fst_abc",
        ] {
            assert_eq!(bearer(Some(&h(bad))), Err(()), "{bad:?}");
        }
    }

    #[test]
    fn a_token_is_stored_as_its_digest() {
        let d = digest("fst_x");
        assert_eq!(d.len(), 64);
        assert_ne!(d, digest("fst_y"));
        assert!(!d.contains("fst_"));
    }
}
