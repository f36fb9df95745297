//! [`Scaffold`]: files to write and folders to make, written only when none of them exists.

use std::io;
use std::path::Path;

/// What a generator writes under a folder: files (a path relative to the folder, and its
/// text) and empty folders.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scaffold {
    /// Each file's path under the folder (with `/`), and its text.
    pub files: Vec<(String, String)>,
    /// Empty folders to make (a migrations folder).
    pub dirs: Vec<String>,
}

impl Scaffold {
    /// The paths of this scaffold that exist already under `dir`: writing is refused when there
    /// is one, so that nothing of the user's is overwritten.
    pub fn existing_in(&self, dir: &Path) -> Vec<String> {
        self.files
            .iter()
            .map(|(path, _)| path)
            .chain(&self.dirs)
            .filter(|path| dir.join(path).exists())
            .cloned()
            .collect()
    }

    /// Writes every file and folder under `dir` (made if missing). Call
    /// [`existing_in`](Self::existing_in) first: this overwrites.
    pub fn write_into(&self, dir: &Path) -> io::Result<()> {
        for (path, text) in &self.files {
            let path = dir.join(path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&path, text)?;
        }
        for path in &self.dirs {
            std::fs::create_dir_all(dir.join(path))?;
        }
        Ok(())
    }
}

/// `template` with each `{{key}}` replaced by its value. A placeholder left unfilled is a bug
/// of this crate (its tests render every template).
pub(crate) fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (key, value) in values {
        text = text.replace(&format!("{{{{{key}}}}}"), value);
    }
    debug_assert!(unfilled(&text).is_none(), "{:?} in {text}", unfilled(&text));
    text
}

/// The first `{{word}}` placeholder left in `text`, if any (a template's `{{ value }}`, with
/// spaces, is minijinja's and stays).
pub(crate) fn unfilled(text: &str) -> Option<&str> {
    text.match_indices("{{").find_map(|(at, _)| {
        let rest = &text[at + 2..];
        let end = rest.find("}}")?;
        let word = &rest[..end];
        (!word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
            .then_some(&text[at..at + 2 + end + 2])
    })
}
