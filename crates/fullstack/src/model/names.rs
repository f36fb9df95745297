//! Django's default names for people: a model's name as words.

/// `PollQuestion` → `poll question`, `HTTPLog` → `http log`, as Django's
/// `camel_case_to_spaces`: a space before each capital that follows a lower-case letter or is
/// followed by something other than a capital, then everything lower-cased.
pub(crate) fn words(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let after_lower = chars[i - 1].is_ascii_lowercase();
            let starts_word = chars.get(i + 1).is_some_and(|n| !n.is_ascii_uppercase());
            if after_lower || starts_word {
                out.push(' ');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn names_become_words_as_in_django() {
        assert_eq!(words("Question"), "question");
        assert_eq!(words("PollQuestion"), "poll question");
        assert_eq!(words("HTTPLog"), "http log");
        assert_eq!(words("Log2Entry"), "log2 entry");
    }
}
