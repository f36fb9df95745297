//! Safe file names from untrusted ones, as Werkzeug's `secure_filename`.

use unicode_normalization::UnicodeNormalization;

/// Windows opens a device, not a file, for these names whatever the extension.
const WINDOWS_DEVICES: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Makes a client-supplied file name safe to use as one path component, like Werkzeug's
/// `secure_filename`: never trust the name a browser sends with an upload.
///
/// 1. Letters with accents lose them (Unicode NFKD), and what is still not ASCII is dropped.
/// 2. Path separators (`/` and `\`, on every platform) and runs of whitespace become `_`.
/// 3. Only `A-Z a-z 0-9 _ . -` are kept: control characters, quotes, `:` and the rest go.
/// 4. Leading and trailing `.` and `_` are removed, so no dot-file, `..` or hidden name is left.
/// 5. Windows device names (`CON`, `NUL`, `COM1`, ...) get a leading `_`, whatever the platform.
///
/// The result can be empty (a name made only of other characters): choose a name of your own
/// then.
///
/// ```
/// use micro::secure_filename;
///
/// assert_eq!(secure_filename("My cool movie.mov"), "My_cool_movie.mov");
/// assert_eq!(secure_filename("../../../etc/passwd"), "etc_passwd");
/// assert_eq!(secure_filename("C:\\Users\\x\\report.pdf"), "C_Users_x_report.pdf");
/// assert_eq!(secure_filename("i contain cool \u{fc}ml\u{e4}uts.txt"), "i_contain_cool_umlauts.txt");
/// assert_eq!(secure_filename("nul.txt"), "_nul.txt");
/// assert_eq!(secure_filename("日本語"), "");
/// ```
pub fn secure_filename(name: &str) -> String {
    let ascii: String = name
        .nfkd()
        .filter(char::is_ascii)
        .map(|c| if c == '/' || c == '\\' { ' ' } else { c })
        .collect();
    let joined = ascii.split_whitespace().collect::<Vec<_>>().join("_");
    let kept: String = joined
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .collect();
    let trimmed = kept.trim_matches(['.', '_']);
    let stem = trimmed.split('.').next().unwrap_or("");
    if WINDOWS_DEVICES
        .iter()
        .any(|device| device.eq_ignore_ascii_case(stem))
    {
        format!("_{trimmed}")
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_quotes_go() {
        assert_eq!(secure_filename("a\0b\u{7}c\"d'e.txt"), "abcde.txt");
        assert_eq!(secure_filename("line\nbreak.txt"), "line_break.txt");
    }

    #[test]
    fn dots_alone_are_nothing() {
        assert_eq!(secure_filename(".."), "");
        assert_eq!(secure_filename("..."), "");
        assert_eq!(secure_filename(".bashrc"), "bashrc");
        assert_eq!(secure_filename("/"), "");
    }

    #[test]
    fn device_names_only_as_the_whole_stem() {
        assert_eq!(secure_filename("CON"), "_CON");
        assert_eq!(secure_filename("com1.tar.gz"), "_com1.tar.gz");
        assert_eq!(secure_filename("console.log"), "console.log");
    }
}
