//! One field of a form: its kind, its options and how it is shown.

use std::collections::BTreeMap;

/// What a field holds, which decides how its input is cleaned (see [`FormValue`](super::FormValue)
/// for the cleaned value of each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// Text, with `max_length`, `min_length` and `strip`.
    Text,
    /// A whole number (`i64`), with `min_value` / `max_value`.
    Integer,
    /// An exact decimal, with `max_digits`, `decimal_places`, `min_value` / `max_value`.
    Decimal,
    /// A floating point number, finite, with `min_value` / `max_value`.
    Float,
    /// A checkbox: checked or not.
    Boolean,
    /// An email address (checked by the `validator` crate).
    Email,
    /// An `http`, `https`, `ftp` or `ftps` URL (checked by the `validator` crate).
    Url,
    /// Letters, digits, underscores and hyphens.
    Slug,
    /// `YYYY-MM-DD`.
    Date,
    /// `YYYY-MM-DD HH:MM[:SS]`, or with a `T` as browsers' `datetime-local` inputs send it.
    DateTime,
    /// `HH:MM[:SS]`.
    Time,
    /// A UUID in any of its usual spellings.
    Uuid,
    /// One value out of `choices`.
    Choice,
    /// Any number of values out of `choices`.
    MultipleChoice,
    /// An uploaded file, with `max_size` and `content_types`.
    File,
    /// An uploaded PNG, JPEG, GIF or WebP image (its first bytes are checked).
    Image,
}

/// How a field is shown; each has a template under `forms/widgets/` (see the guide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Widget {
    /// `<input type="text">`.
    TextInput,
    /// `<textarea>`.
    Textarea,
    /// `<input type="password">`, never showing the value back.
    PasswordInput,
    /// `<input type="hidden">`.
    HiddenInput,
    /// `<input type="number">`.
    NumberInput,
    /// `<input type="email">`.
    EmailInput,
    /// `<input type="url">`.
    UrlInput,
    /// `<input type="checkbox">`.
    CheckboxInput,
    /// `<input type="date">`.
    DateInput,
    /// `<input type="datetime-local">`.
    DateTimeInput,
    /// `<input type="time">`.
    TimeInput,
    /// `<select>`.
    Select,
    /// `<select multiple>`.
    SelectMultiple,
    /// A list of radio buttons.
    RadioSelect,
    /// A list of checkboxes.
    CheckboxSelectMultiple,
    /// `<input type="file">`.
    FileInput,
    /// A text input for the key of a related row, that row's label shown beside it (Django's
    /// `ForeignKeyRawIdWidget`): what a foreign key to a big table is shown as, so that the
    /// page does not list every row. See
    /// [`ModelFormBuilder::lookup`](super::ModelFormBuilder::lookup).
    KeyInput,
}

impl Widget {
    /// The widget named as in the `widget = "..."` attribute of `#[derive(Form)]`.
    pub fn from_name(name: &str) -> Option<Widget> {
        Some(match name {
            "text" => Widget::TextInput,
            "textarea" => Widget::Textarea,
            "password" => Widget::PasswordInput,
            "hidden" => Widget::HiddenInput,
            "number" => Widget::NumberInput,
            "email" => Widget::EmailInput,
            "url" => Widget::UrlInput,
            "checkbox" => Widget::CheckboxInput,
            "date" => Widget::DateInput,
            "datetime" => Widget::DateTimeInput,
            "time" => Widget::TimeInput,
            "select" => Widget::Select,
            "select_multiple" => Widget::SelectMultiple,
            "radio" => Widget::RadioSelect,
            "checkboxes" => Widget::CheckboxSelectMultiple,
            "file" => Widget::FileInput,
            _ => return None,
        })
    }

    /// The widget names [`from_name`](Self::from_name) knows, for error messages.
    pub const NAMES: &'static str = "text, textarea, password, hidden, number, email, url, \
        checkbox, date, datetime, time, select, select_multiple, radio, checkboxes, file";

    /// The `type` of an `<input>`, or `None` for the widgets that are not one input.
    pub(crate) fn input_type(self) -> Option<&'static str> {
        Some(match self {
            Widget::TextInput | Widget::KeyInput => "text",
            Widget::PasswordInput => "password",
            Widget::HiddenInput => "hidden",
            Widget::NumberInput => "number",
            Widget::EmailInput => "email",
            Widget::UrlInput => "url",
            Widget::CheckboxInput => "checkbox",
            Widget::DateInput => "date",
            Widget::DateTimeInput => "datetime-local",
            Widget::TimeInput => "time",
            Widget::FileInput => "file",
            _ => return None,
        })
    }

    /// The template that renders it, under `forms/widgets/`.
    pub(crate) fn template(self) -> &'static str {
        match self {
            Widget::Textarea => "forms/widgets/textarea.html",
            Widget::Select | Widget::SelectMultiple => "forms/widgets/select.html",
            Widget::RadioSelect | Widget::CheckboxSelectMultiple => "forms/widgets/choices.html",
            Widget::CheckboxInput => "forms/widgets/checkbox.html",
            Widget::KeyInput => "forms/widgets/key.html",
            _ => "forms/widgets/input.html",
        }
    }
}

/// The spec of one field: built with [`Field::new`] or a kind's constructor (`Field::text`, ...)
/// and the builder methods, or emitted by `#[derive(Form)]`.
///
/// ```
/// use fullstack::forms::Field;
///
/// let title = Field::text("title").max_length(200).label("Title").help_text("Shown in lists.");
/// let body = Field::textarea("body").required(false);
/// # let _ = (title, body);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Field {
    /// The input's name, and the key of its cleaned value.
    pub name: String,
    /// What it holds.
    pub kind: FieldKind,
    /// Whether an empty value is an error (`true` unless set otherwise).
    pub required: bool,
    /// The label; by default the name, capitalised, with underscores as spaces (as Django does).
    pub label: Option<String>,
    /// A line of help shown beside the field (escaped).
    pub help_text: Option<String>,
    /// The value shown in an unbound form.
    pub initial: Option<String>,
    /// The input's `placeholder`.
    pub placeholder: Option<String>,
    /// How it is shown; by default the kind's widget.
    pub widget: Option<Widget>,
    /// The most characters of text (and the input's `maxlength`).
    pub max_length: Option<usize>,
    /// The fewest characters of text (and the input's `minlength`).
    pub min_length: Option<usize>,
    /// Whether text is trimmed of surrounding whitespace before it is checked (`true`).
    pub strip: bool,
    /// The smallest number allowed.
    pub min_value: Option<f64>,
    /// The largest number allowed.
    pub max_value: Option<f64>,
    /// The most digits of a decimal.
    pub max_digits: Option<u32>,
    /// The most digits of a decimal after the point.
    pub decimal_places: Option<u32>,
    /// The `(value, label)` pairs of a choice field.
    pub choices: Vec<(String, String)>,
    /// The largest upload, in bytes.
    pub max_size: Option<u64>,
    /// The media types an upload may have (`image/png`, or `image/*`); empty for any.
    pub content_types: Vec<String>,
    /// Messages replacing Django's, by error code (`required`, `invalid`, `max_length`, ...).
    pub messages: BTreeMap<String, String>,
    /// More attributes of the input, after the ones the field sets (Django's widget `attrs`):
    /// `class`, `data-*`, `autocomplete`...
    pub attrs: Vec<(String, String)>,
}

impl Field {
    /// A required field of `kind`, with no options.
    pub fn new(name: impl Into<String>, kind: FieldKind) -> Field {
        Field {
            name: name.into(),
            kind,
            required: true,
            label: None,
            help_text: None,
            initial: None,
            placeholder: None,
            widget: None,
            max_length: None,
            min_length: None,
            strip: true,
            min_value: None,
            max_value: None,
            max_digits: None,
            decimal_places: None,
            choices: Vec::new(),
            max_size: None,
            content_types: Vec::new(),
            messages: BTreeMap::new(),
            attrs: Vec::new(),
        }
    }

    /// A text field.
    pub fn text(name: impl Into<String>) -> Field {
        Field::new(name, FieldKind::Text)
    }

    /// A text field shown as a `<textarea>`.
    pub fn textarea(name: impl Into<String>) -> Field {
        Field::text(name).widget(Widget::Textarea)
    }

    /// A text field shown as a hidden input.
    pub fn hidden(name: impl Into<String>) -> Field {
        Field::text(name).widget(Widget::HiddenInput)
    }

    /// A whole number.
    pub fn integer(name: impl Into<String>) -> Field {
        Field::new(name, FieldKind::Integer)
    }

    /// A choice of one of `choices`, `(value, label)` pairs.
    pub fn choice<V: Into<String>, L: Into<String>>(
        name: impl Into<String>,
        choices: impl IntoIterator<Item = (V, L)>,
    ) -> Field {
        Field::new(name, FieldKind::Choice).choices(choices)
    }

    /// Sets whether the field must be filled.
    pub fn required(mut self, required: bool) -> Field {
        self.required = required;
        self
    }

    /// Sets the label.
    pub fn label(mut self, label: impl Into<String>) -> Field {
        self.label = Some(label.into());
        self
    }

    /// Sets the help text.
    pub fn help_text(mut self, text: impl Into<String>) -> Field {
        self.help_text = Some(text.into());
        self
    }

    /// Sets the value an unbound form shows.
    pub fn initial(mut self, value: impl Into<String>) -> Field {
        self.initial = Some(value.into());
        self
    }

    /// Adds the attribute `name="value"` to the input (escaped when printed); the ones the
    /// field sets itself (`id`, `name`, `required`, `maxlength`...) cannot be replaced.
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Field {
        self.attrs.push((name.into(), value.into()));
        self
    }

    /// Sets the placeholder.
    pub fn placeholder(mut self, text: impl Into<String>) -> Field {
        self.placeholder = Some(text.into());
        self
    }

    /// Sets the widget.
    pub fn widget(mut self, widget: Widget) -> Field {
        self.widget = Some(widget);
        self
    }

    /// Sets the most characters.
    pub fn max_length(mut self, n: usize) -> Field {
        self.max_length = Some(n);
        self
    }

    /// Sets the fewest characters.
    pub fn min_length(mut self, n: usize) -> Field {
        self.min_length = Some(n);
        self
    }

    /// Sets whether text is trimmed.
    pub fn strip(mut self, strip: bool) -> Field {
        self.strip = strip;
        self
    }

    /// Sets the smallest number.
    pub fn min_value(mut self, n: f64) -> Field {
        self.min_value = Some(n);
        self
    }

    /// Sets the largest number.
    pub fn max_value(mut self, n: f64) -> Field {
        self.max_value = Some(n);
        self
    }

    /// Sets the most digits of a decimal.
    pub fn max_digits(mut self, n: u32) -> Field {
        self.max_digits = Some(n);
        self
    }

    /// Sets the most digits after the point.
    pub fn decimal_places(mut self, n: u32) -> Field {
        self.decimal_places = Some(n);
        self
    }

    /// Sets the choices, `(value, label)` pairs.
    pub fn choices<V: Into<String>, L: Into<String>>(
        mut self,
        choices: impl IntoIterator<Item = (V, L)>,
    ) -> Field {
        self.choices = choices
            .into_iter()
            .map(|(v, l)| (v.into(), l.into()))
            .collect();
        self
    }

    /// Sets the largest upload in bytes.
    pub fn max_size(mut self, bytes: u64) -> Field {
        self.max_size = Some(bytes);
        self
    }

    /// Adds a media type uploads may have (`image/png`, or `image/*`).
    pub fn content_type(mut self, media_type: impl Into<String>) -> Field {
        self.content_types.push(media_type.into());
        self
    }

    /// Replaces the message of the error `code` (`required`, `invalid`, `max_length`, ...);
    /// `{limit_value}`, `{show_value}` and `{value}` in it are filled in as in Django's.
    pub fn message(mut self, code: impl Into<String>, message: impl Into<String>) -> Field {
        self.messages.insert(code.into(), message.into());
        self
    }

    /// The label shown: the one set, or the name with its first letter capitalised and
    /// underscores as spaces (Django's `pretty_name`).
    pub fn label_text(&self) -> String {
        if let Some(label) = &self.label {
            return label.clone();
        }
        let spaced = self.name.replace('_', " ");
        let mut chars = spaced.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }

    /// The widget shown: the one set, or the kind's.
    pub fn widget_or_default(&self) -> Widget {
        self.widget.unwrap_or(match self.kind {
            FieldKind::Text | FieldKind::Slug | FieldKind::Uuid => Widget::TextInput,
            FieldKind::Integer | FieldKind::Decimal | FieldKind::Float => Widget::NumberInput,
            FieldKind::Boolean => Widget::CheckboxInput,
            FieldKind::Email => Widget::EmailInput,
            FieldKind::Url => Widget::UrlInput,
            FieldKind::Date => Widget::DateInput,
            FieldKind::DateTime => Widget::DateTimeInput,
            FieldKind::Time => Widget::TimeInput,
            FieldKind::Choice => Widget::Select,
            FieldKind::MultipleChoice => Widget::SelectMultiple,
            FieldKind::File | FieldKind::Image => Widget::FileInput,
        })
    }

    /// Whether the value comes from the uploaded files rather than the text fields.
    pub(crate) fn is_file(&self) -> bool {
        matches!(self.kind, FieldKind::File | FieldKind::Image)
    }
}

impl Field {
    /// Sets the kind (`#[form(kind = "email")]` on a `String`).
    pub fn kind(mut self, kind: FieldKind) -> Field {
        self.kind = kind;
        self
    }
}
