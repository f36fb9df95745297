//! Bearer-token authentication.
//!
//! Tokens come from the configuration (`[APP] tokens`, or `MICRO_APP_TOKENS`); see
//! [`Settings`](crate::Settings). Any configured token may write. A request proves it holds one by
//! sending `Authorization: Bearer <token>`; handlers that need that proof take the
//! [`Authenticated`] extractor, the Rust way to write Flask's `login_required`.

use std::sync::Arc;

use micro::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use micro::http::{HeaderValue, StatusCode};
use micro::{Error, FromRequest, Request, Secret};

/// The tokens that may write, shared as app state. Never printed: `Debug` shows only how many.
#[derive(Clone)]
pub struct Tokens(Arc<[Secret]>);

impl Tokens {
    /// The accepted tokens.
    pub fn new(tokens: impl IntoIterator<Item = Secret>) -> Self {
        Tokens(tokens.into_iter().collect())
    }

    /// Whether `presented` is one of the tokens.
    ///
    /// Every token is compared, in constant time, and a match does not stop the loop: how long
    /// this takes says nothing about which token matched or how much of one was right.
    pub fn verify(&self, presented: &str) -> bool {
        self.0.iter().fold(false, |found, token| {
            found | constant_time_eq(token.expose().as_bytes(), presented.as_bytes())
        })
    }

    /// How many tokens there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none (then nobody can write).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tokens({} configured)", self.0.len())
    }
}

/// Compares two byte strings in time that depends only on their lengths, never on where they
/// first differ. Lengths are not secret enough to hide: the loop runs over the longer one.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    // Keep the optimiser from turning the loop into an early-exit comparison.
    std::hint::black_box(diff) == 0
}

/// Proof that the request carried a valid bearer token. Take it as a handler's first argument:
/// it is checked before the body is read, so a client without a token gets 401, never a 400
/// about its JSON.
///
/// Fails with **401** and `WWW-Authenticate: Bearer ...` (RFC 6750): without `error` when the
/// header is missing, with `error="invalid_token"` when the token is wrong or the scheme is not
/// `Bearer`.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated(());

impl FromRequest for Authenticated {
    type Rejection = Error;

    async fn from_request(req: &mut Request) -> Result<Self, Error> {
        let Some(tokens) = req.state::<Tokens>() else {
            return Err(Error::internal(
                "Authenticated needs the Tokens state: call app.state(Tokens::new(..))",
            ));
        };
        let Some(header) = req.headers().get(AUTHORIZATION) else {
            return Err(unauthorized(false));
        };
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim());
        match token {
            Some(token) if tokens.verify(token) => Ok(Authenticated(())),
            _ => Err(unauthorized(true)),
        }
    }
}

fn unauthorized(invalid: bool) -> Error {
    let (message, challenge) = if invalid {
        (
            "The bearer token is not valid.",
            r#"Bearer realm="api-micro", error="invalid_token""#,
        )
    } else {
        (
            "This endpoint needs a token: send `Authorization: Bearer <token>`.",
            r#"Bearer realm="api-micro""#,
        )
    };
    Error::new(StatusCode::UNAUTHORIZED, message)
        .with_header(WWW_AUTHENTICATE, HeaderValue::from_static(challenge))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_is_plain_equality() {
        assert!(constant_time_eq(b"", b""));
        assert!(constant_time_eq(b"secret", b"secret"));
        assert!(!constant_time_eq(b"secret", b"secreT"));
        assert!(!constant_time_eq(b"secret", b"secret2"));
        assert!(!constant_time_eq(b"secret", b""));
        assert!(
            !constant_time_eq(b"a\0", b"a"),
            "padding must not make them equal"
        );
    }

    #[test]
    fn verify_accepts_any_configured_token() {
        let tokens = Tokens::new([Secret::new("first-token"), Secret::new("second-token")]);
        assert!(tokens.verify("first-token"));
        assert!(tokens.verify("second-token"));
        assert!(!tokens.verify("third-token"));
        assert!(!tokens.verify(""));
        assert!(!Tokens::new([]).verify(""));
        assert!(!format!("{tokens:?}").contains("first"));
    }
}
