//! The token a form posted, read without taking the body from the handler: the bytes read are
//! put back as the request's body, so its `Form` or `MultipartForm` reads them again.

use bytes::Bytes;

use crate::{Body, Error, Request};

/// The first value of the field `name` in an urlencoded or multipart body; `None` for other
/// bodies or when the field is absent.
///
/// # Errors
/// A 413 when an urlencoded body is over the request's body limit, as the handler's `Form`
/// would answer.
pub(super) async fn token_from_body(
    req: &mut Request,
    name: &str,
) -> Result<Option<String>, Error> {
    match crate::extract::media_type(req).as_deref() {
        Some("application/x-www-form-urlencoded") => {
            let bytes = crate::extract::read_body(req, "the CSRF check").await?;
            let token = form_urlencoded::parse(&bytes)
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned());
            req.replace_body(Body::from(bytes));
            Ok(token)
        }
        #[cfg(feature = "multipart")]
        Some("multipart/form-data") => Ok(multipart::token(req, name).await),
        _ => Ok(None),
    }
}

#[cfg(feature = "multipart")]
mod multipart {
    use std::pin::Pin;
    use std::task::{Context, Poll, ready};

    use futures_util::StreamExt;
    use http_body::Body as _;

    use super::*;
    use crate::BoxError;

    /// Parses the multipart body up to the field `name` (or the request's body limit), keeping
    /// every chunk read; the body becomes those chunks followed by the unread rest. Forms put
    /// `csrf_input()` first, so this reads a few hundred bytes, whatever files follow.
    pub(super) async fn token(req: &mut Request, name: &str) -> Option<String> {
        let content_type = req.header(http::header::CONTENT_TYPE)?.to_owned();
        let boundary = multer::parse_boundary(content_type).ok()?;
        let limit = req.body_limit();
        let mut body = req.take_body();
        let mut seen = Vec::new();
        let token = {
            let tee = Tee {
                body: &mut body,
                seen: &mut seen,
                left: limit,
            };
            let mut fields = multer::Multipart::new(tee, boundary);
            loop {
                match fields.next_field().await {
                    Ok(Some(field)) if field.name() == Some(name) => {
                        break field.text().await.ok();
                    }
                    Ok(Some(_)) => {}
                    Ok(None) | Err(_) => break None,
                }
            }
        };
        let replay = futures_util::stream::iter(seen.into_iter().map(Ok::<_, BoxError>));
        let rest = http_body_util::BodyExt::into_data_stream(body);
        req.replace_body(Body::from_stream(replay.chain(rest)));
        token
    }

    /// The body as a stream of chunks, each kept in `seen`; an error once over `left` bytes.
    struct Tee<'a> {
        body: &'a mut Body,
        seen: &'a mut Vec<Bytes>,
        left: usize,
    }

    impl futures_util::Stream for Tee<'_> {
        type Item = Result<Bytes, BoxError>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            loop {
                let frame = ready!(Pin::new(&mut *self.body).poll_frame(cx));
                let Some(frame) = frame else {
                    return Poll::Ready(None);
                };
                let Ok(data) = frame?.into_data() else {
                    continue; // trailers
                };
                if data.len() > self.left {
                    self.seen.push(data);
                    return Poll::Ready(Some(Err(
                        "the CSRF token is not within the body limit".into()
                    )));
                }
                self.left -= data.len();
                self.seen.push(data.clone());
                return Poll::Ready(Some(Ok(data)));
            }
        }
    }
}
