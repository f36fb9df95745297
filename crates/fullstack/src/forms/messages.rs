//! Django's error messages, word for word, and their replacement per field.

use super::Field;

/// `a`, `a and b`, `a, b and c` (Django's `get_text_list`), for messages that name fields.
pub(crate) fn text_list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            let init: Vec<&str> = init.iter().map(AsRef::as_ref).collect();
            format!("{} and {}", init.join(", "), last.as_ref())
        }
    }
}

/// The default message of the error `code`, as `django/forms/fields.py` and
/// `django/core/validators.py` word it, with `{name}` placeholders.
fn default_message(code: &str) -> &'static str {
    match code {
        "required" => "This field is required.",
        "max_length" => {
            "Ensure this value has at most {limit_value} characters (it has {show_value})."
        }
        "min_length" => {
            "Ensure this value has at least {limit_value} characters (it has {show_value})."
        }
        "null_characters_not_allowed" => "Null characters are not allowed.",
        "invalid_utf8" => "Enter text that is valid UTF-8.",
        "invalid_integer" => "Enter a whole number.",
        "invalid_number" => "Enter a number.",
        "max_value" => "Ensure this value is less than or equal to {limit_value}.",
        "min_value" => "Ensure this value is greater than or equal to {limit_value}.",
        "max_digits" => "Ensure that there are no more than {max} {digits} in total.",
        "max_decimal_places" => "Ensure that there are no more than {max} decimal {places}.",
        "max_whole_digits" => {
            "Ensure that there are no more than {max} {digits} before the decimal point."
        }
        "invalid_email" => "Enter a valid email address.",
        "invalid_url" => "Enter a valid URL.",
        "invalid_slug" => {
            "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."
        }
        "invalid_date" => "Enter a valid date.",
        "invalid_datetime" => "Enter a valid date/time.",
        "invalid_time" => "Enter a valid time.",
        "invalid_uuid" => "Enter a valid UUID.",
        "invalid_choice" => "Select a valid choice. {value} is not one of the available choices.",
        "invalid_list" => "Enter a list of values.",
        "missing" => "No file was submitted.",
        "invalid_file" => "No file was submitted. Check the encoding type on the form.",
        "empty" => "The submitted file is empty.",
        "max_size" => "Ensure this file has at most {limit_value} bytes (it has {show_value}).",
        "content_type" => "Files of type “{value}” are not allowed.",
        "invalid_image" => {
            "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
        }
        _ => "Enter a valid value.",
    }
}

/// The message for `code` on `field`: the field's replacement if it has one, else Django's,
/// with `params` filled in.
pub(crate) fn message(field: &Field, code: &str, params: &[(&str, String)]) -> String {
    // A replacement is looked up by the code a user knows from Django: `invalid` covers every
    // `invalid_*` code.
    let general = if code.starts_with("invalid_")
        && !matches!(code, "invalid_choice" | "invalid_list" | "invalid_image")
    {
        "invalid"
    } else {
        code
    };
    let template = field
        .messages
        .get(code)
        .or_else(|| field.messages.get(general))
        .map_or(default_message(code), String::as_str);
    fill(template, params)
}

/// Replaces each `{name}` of `template` with its value.
pub(crate) fn fill(template: &str, params: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in params {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// `digit` or `digits`, as Django's ngettext picks.
pub(crate) fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 { one } else { many }.to_owned()
}

#[cfg(test)]
mod text_list_tests {
    #[test]
    fn fields_are_named_as_django_lists_them() {
        assert_eq!(super::text_list::<&str>(&[]), "");
        assert_eq!(super::text_list(&["title"]), "title");
        assert_eq!(super::text_list(&["title", "body"]), "title and body");
        assert_eq!(super::text_list(&["a", "b", "c"]), "a, b and c");
    }
}
