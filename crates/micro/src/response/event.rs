//! One Server-Sent Event, framed as the `text/event-stream` format requires.

use std::time::Duration;

use bytes::Bytes;

/// A Server-Sent Event, built field by field; fields are written in the order of the calls.
///
/// ```
/// use std::time::Duration;
/// use micro::Event;
///
/// let event = Event::new()
///     .event("update")
///     .id("7")
///     .retry(Duration::from_secs(3))
///     .data("line one\nline two");
/// assert_eq!(
///     event.to_string(),
///     "event: update\nid: 7\nretry: 3000\ndata: line one\ndata: line two\n\n"
/// );
/// ```
///
/// Multi-line data becomes one `data:` line per line (`\n`, `\r\n` or `\r`), which the browser
/// joins back with `\n`. Line breaks cannot appear in `event` and `id`, where they would start a
/// new field: they are removed (and NUL from `id`, which browsers would reject).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    text: String,
}

impl Event {
    /// An empty event.
    pub fn new() -> Self {
        Event::default()
    }

    /// Adds data; each line becomes a `data:` line.
    pub fn data(mut self, data: impl AsRef<str>) -> Self {
        self.lines("data", data.as_ref());
        self
    }

    /// Adds a value serialised as JSON, on one `data:` line.
    ///
    /// ```
    /// let event = micro::Event::new().json_data(&serde_json::json!({"n": 1})).unwrap();
    /// assert_eq!(event.to_string(), "data: {\"n\":1}\n\n");
    /// ```
    ///
    /// # Errors
    /// When `value` cannot be serialised.
    pub fn json_data<T: serde::Serialize + ?Sized>(
        self,
        value: &T,
    ) -> Result<Self, serde_json::Error> {
        // Compact JSON has no raw line breaks (they are escaped inside strings).
        Ok(self.data(serde_json::to_string(value)?))
    }

    /// Sets the event type, dispatched to `addEventListener(name, ...)` in the browser.
    pub fn event(mut self, name: &str) -> Self {
        self.field("event", &single_line(name, false));
        self
    }

    /// Sets the event id, which the browser sends back as `Last-Event-ID` when it reconnects.
    pub fn id(mut self, id: &str) -> Self {
        self.field("id", &single_line(id, true));
        self
    }

    /// Tells the browser how long to wait before reconnecting.
    pub fn retry(mut self, after: Duration) -> Self {
        self.field("retry", &after.as_millis().to_string());
        self
    }

    /// Adds a comment, which clients ignore (useful to keep a connection alive, or for humans
    /// reading the stream).
    pub fn comment(mut self, text: &str) -> Self {
        self.lines("", text);
        self
    }

    /// The event as sent, ending with the blank line that dispatches it.
    pub fn into_bytes(self) -> Bytes {
        let mut text = self.text;
        text.push('\n');
        Bytes::from(text)
    }

    fn field(&mut self, name: &str, value: &str) {
        self.text.push_str(name);
        self.text.push(':');
        if !value.is_empty() {
            self.text.push(' ');
            self.text.push_str(value);
        }
        self.text.push('\n');
    }

    fn lines(&mut self, name: &str, text: &str) {
        for line in split_lines(text) {
            self.field(name, line);
        }
    }
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")
    }
}

/// Splits on `\r\n`, `\n` and `\r`, the three line ends of the event-stream format.
fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let current = rest?;
        match current.find(['\r', '\n']) {
            Some(at) => {
                let skip = if current[at..].starts_with("\r\n") {
                    2
                } else {
                    1
                };
                rest = Some(&current[at + skip..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

fn single_line(value: &str, no_nul: bool) -> String {
    value
        .chars()
        .filter(|&c| c != '\r' && c != '\n' && !(no_nul && c == '\0'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_of_every_kind_split_data() {
        let event = Event::new().data("a\r\nb\rc\nd");
        assert_eq!(event.to_string(), "data: a\ndata: b\ndata: c\ndata: d\n\n");
    }

    #[test]
    fn empty_and_trailing_lines_survive() {
        assert_eq!(Event::new().data("").to_string(), "data:\n\n");
        assert_eq!(Event::new().data("a\n").to_string(), "data: a\ndata:\n\n");
    }

    #[test]
    fn fields_cannot_be_injected() {
        let event = Event::new().event("x\ndata: evil").id("1\r\n\0");
        assert_eq!(event.to_string(), "event: xdata: evil\nid: 1\n\n");
    }

    #[test]
    fn comments_are_colon_lines() {
        assert_eq!(
            Event::new().comment("hi\nthere").to_string(),
            ": hi\n: there\n\n"
        );
        assert_eq!(Event::new().comment("").into_bytes(), ":\n\n");
    }
}
