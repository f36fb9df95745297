//! The submitted data a form is bound to: text values by name (repeated names kept in order)
//! and uploaded files.

use std::collections::BTreeSet;

use micro::{MultipartForm, UploadedFile};

/// What a form is bound to: the text fields of a urlencoded or multipart body (or a query
/// string), in order, and the uploaded files. Names the form does not know are ignored.
///
/// ```
/// use fullstack::forms::FormData;
///
/// let data = FormData::from_urlencoded(b"tag=a&tag=b&title=Hi+there");
/// assert_eq!(data.get("title"), Some("Hi there"));
/// assert_eq!(data.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// ```
#[derive(Debug, Default)]
pub struct FormData {
    values: Vec<(String, String)>,
    /// The files, each under the name a field reads it by (the input's name, less a prefix
    /// that [`take_prefixed`](Self::take_prefixed) took off).
    files: Vec<(String, UploadedFile)>,
    /// Names with a value that was not UTF-8 (kept with U+FFFD in `values`), so that field's
    /// cleaning can say so instead of storing mangled text.
    invalid_utf8: BTreeSet<String>,
}

impl FormData {
    /// Empty data.
    pub fn new() -> FormData {
        FormData::default()
    }

    /// Parses an `application/x-www-form-urlencoded` body or query string. Never fails: bytes
    /// that are not UTF-8 once decoded are marked, and the field they belong to reports it.
    pub fn from_urlencoded(body: &[u8]) -> FormData {
        let mut data = FormData::new();
        for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (key, value) = match pair.iter().position(|&b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, &pair[..0]),
            };
            let key = decode(key).unwrap_or_else(|lossy| lossy);
            let value = match decode(value) {
                Ok(value) => value,
                Err(lossy) => {
                    data.invalid_utf8.insert(key.clone());
                    lossy
                }
            };
            data.values.push((key, value));
        }
        data
    }

    /// The text fields and files of a multipart body.
    pub fn from_multipart(form: MultipartForm) -> FormData {
        let values = form
            .texts()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let mut form = form;
        let mut files = Vec::new();
        let names: Vec<String> = form.files().iter().map(|f| f.name().to_owned()).collect();
        for name in names {
            if let Some(file) = form.take_file(&name) {
                files.push((name, file));
            }
        }
        FormData {
            values,
            files,
            invalid_utf8: BTreeSet::new(),
        }
    }

    /// Adds a text value (for tests and forms built by code).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.values.push((name.into(), value.into()));
        self
    }

    /// Adds an uploaded file.
    pub fn insert_file(&mut self, file: UploadedFile) -> &mut Self {
        self.files.push((file.name().to_owned(), file));
        self
    }

    /// The value of `name` a single-valued field reads: the last one sent, as Django's
    /// `QueryDict` gives it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in the order sent.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.values
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The names of the text values, in the order sent (repeated names repeated).
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(k, _)| k.as_str())
    }

    /// Whether any text value or file is named `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.values.iter().any(|(k, _)| k == name) || self.files.iter().any(|(k, _)| k == name)
    }

    /// The uploaded file named `name`.
    pub fn file(&self, name: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|(k, _)| k == name).map(|(_, f)| f)
    }

    /// Takes the uploaded file named `name` out, for the cleaned value.
    pub(crate) fn take_file(&mut self, name: &str) -> Option<UploadedFile> {
        let at = self.files.iter().position(|(k, _)| k == name)?;
        Some(self.files.remove(at).1)
    }

    /// Takes out the values and files whose name is `<prefix>-<name>` and gives them back
    /// named `<name>`, as the data of one form of several on a page (a formset hands each of
    /// its forms its own keys this way). What other prefixes name stays here.
    ///
    /// ```
    /// use fullstack::forms::FormData;
    ///
    /// let mut data = FormData::from_urlencoded(b"form-0-title=A&form-1-title=B&other=x");
    /// let first = data.take_prefixed("form-0");
    /// assert_eq!(first.get("title"), Some("A"));
    /// assert_eq!(data.get("form-0-title"), None);
    /// assert_eq!(data.get("form-1-title"), Some("B"));
    /// ```
    pub fn take_prefixed(&mut self, prefix: &str) -> FormData {
        self.take_under(prefix, true)
    }

    /// Takes out the values and files whose names start with `prefix-`, their names kept
    /// whole: the part of a page's POST that one formset of several binds (the admin's
    /// inlines beside the row's own form).
    ///
    /// ```
    /// use fullstack::forms::FormData;
    ///
    /// let mut data = FormData::from_urlencoded(b"title=Q&choice-TOTAL_FORMS=1&choice-0-text=A");
    /// let choices = data.take_with_prefix("choice");
    /// assert_eq!(choices.get("choice-0-text"), Some("A"));
    /// assert_eq!(data.get("choice-TOTAL_FORMS"), None);
    /// assert_eq!(data.get("title"), Some("Q"));
    /// ```
    pub fn take_with_prefix(&mut self, prefix: &str) -> FormData {
        self.take_under(prefix, false)
    }

    fn take_under(&mut self, prefix: &str, strip_prefix: bool) -> FormData {
        let lead = format!("{prefix}-");
        let strip = |name: &str| {
            name.strip_prefix(&lead).map(|bare| {
                if strip_prefix {
                    bare.to_owned()
                } else {
                    name.to_owned()
                }
            })
        };
        let mut taken = FormData::new();
        let mut kept = Vec::with_capacity(self.values.len());
        for (key, value) in std::mem::take(&mut self.values) {
            match strip(&key) {
                Some(bare) => {
                    if self.invalid_utf8.contains(&key) {
                        taken.invalid_utf8.insert(bare.clone());
                    }
                    taken.values.push((bare, value));
                }
                None => kept.push((key, value)),
            }
        }
        self.values = kept;
        let mut kept_files = Vec::with_capacity(self.files.len());
        for (key, file) in std::mem::take(&mut self.files) {
            match strip(&key) {
                Some(bare) => taken.files.push((bare, file)),
                None => kept_files.push((key, file)),
            }
        }
        self.files = kept_files;
        taken
    }

    /// Whether a value of `name` was not UTF-8.
    pub(crate) fn is_invalid_utf8(&self, name: &str) -> bool {
        self.invalid_utf8.contains(name)
    }
}

/// Decodes `+` and `%XX`; `Err` holds the lossy text when the bytes are not UTF-8.
fn decode(raw: &[u8]) -> Result<String, String> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    let bytes: Vec<u8> = percent_encoding::percent_decode(&spaced).collect();
    String::from_utf8(bytes).map_err(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_keeps_order_repeats_and_marks_invalid_utf8() {
        let data = FormData::from_urlencoded(b"a=1&a=2&b=%FF%FE&c&=x&d=%E2%9C%93&e=50%25");
        assert_eq!(data.get("a"), Some("2"));
        assert_eq!(data.get_all("a").collect::<Vec<_>>(), ["1", "2"]);
        assert!(data.is_invalid_utf8("b"));
        assert!(!data.is_invalid_utf8("a"));
        assert_eq!(data.get("c"), Some(""));
        assert_eq!(data.get(""), Some("x"));
        assert_eq!(data.get("d"), Some("✓"));
        assert_eq!(data.get("e"), Some("50%"));
        assert!(data.get("missing").is_none());
    }

    #[test]
    fn take_prefixed_moves_only_that_prefix_and_keeps_repeats_and_utf8_marks() {
        let mut data =
            FormData::from_urlencoded(b"f-0-tag=a&f-0-tag=b&f-0-bad=%FF&f-01-x=1&f-0x=2&f-1-tag=c");
        let first = data.take_prefixed("f-0");
        assert_eq!(first.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
        assert!(first.is_invalid_utf8("bad"));
        assert!(!first.contains("x"));
        assert_eq!(data.get("f-01-x"), Some("1"));
        assert_eq!(data.get("f-0x"), Some("2"));
        assert_eq!(data.get("f-1-tag"), Some("c"));
        assert!(!data.contains("f-0-tag"));
    }
}
