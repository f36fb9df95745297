//! Models: structs mapped to tables, described by static metadata.
//!
//! `#[derive(Model)]` writes the [`Model`] impl and the metadata; everything else in the ORM
//! (querysets, migrations, the admin) reads the metadata, never the struct itself. Hand-written
//! impls are possible and are what the ORM's own tests use.

#[doc(hidden)]
pub mod defaults;
mod names;
mod relation;

use std::borrow::Cow;
use std::marker::PhantomData;

pub use relation::{ForeignKey, ManyToMany, ManyToManyField, OneToOne};
#[doc(hidden)]
pub use relation::{KeyTo, key_to};

use crate::db::{ColumnType, DbType, Row, Value};
use crate::{Backend, Error};

/// What the ORM knows about a model: its table, fields, indexes and relations. Static, so a
/// query needs no allocation to find a column.
///
/// `#[derive(Model)]` writes it. By hand, build it with [`ModelMeta::new`] and the `const`
/// methods that set the rest: it is `#[non_exhaustive]`, so new fields can come without
/// breaking code written that way.
///
/// ```
/// use fullstack::model::{FieldMeta, ModelMeta};
/// use fullstack::ColumnType;
///
/// static QUESTION: ModelMeta = ModelMeta::new(
///     "polls",
///     "Question",
///     "polls_question",
///     &[
///         FieldMeta::new("id", "id", ColumnType::BigInt).primary_key(true).auto(true),
///         FieldMeta::new("text", "text", ColumnType::VarChar).max_length(200),
///     ],
/// )
/// .ordering(&["-id"]);
/// assert_eq!(QUESTION.pk().name, "id");
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ModelMeta {
    /// The app the model belongs to (`polls`), as Django's app label.
    pub app: &'static str,
    /// The model's name (`Question`).
    pub name: &'static str,
    /// The table (`polls_question` unless overridden).
    pub table: &'static str,
    /// The fields, in struct order; the column order of `SELECT`s and of [`Model::values`].
    pub fields: &'static [FieldMeta],
    /// Indexes over several columns (single-column ones are `FieldMeta::index`).
    pub indexes: &'static [IndexMeta],
    /// Many-to-many relations, each backed by a join table.
    pub many_to_many: &'static [ManyToManyMeta],
    /// The default order of querysets, Django's `Meta.ordering` (`-pub_date` for descending).
    pub ordering: &'static [&'static str],
    /// How people call one row (`poll question`), for the admin, forms and messages; `None`
    /// means the name split at its capitals, lower-cased. Read it with
    /// [`verbose_name()`](Self::verbose_name).
    pub verbose_name: Option<&'static str>,
    /// How people call several rows (`poll questions`); `None` means the verbose name + `s`.
    /// Read it with [`verbose_name_plural()`](Self::verbose_name_plural).
    pub verbose_name_plural: Option<&'static str>,
}

impl ModelMeta {
    /// A model of `app` named `name`, stored in `table`, with `fields` in struct order, and no
    /// indexes over several columns, no many-to-many relations and no default ordering.
    pub const fn new(
        app: &'static str,
        name: &'static str,
        table: &'static str,
        fields: &'static [FieldMeta],
    ) -> Self {
        ModelMeta {
            app,
            name,
            table,
            fields,
            indexes: &[],
            many_to_many: &[],
            ordering: &[],
            verbose_name: None,
            verbose_name_plural: None,
        }
    }

    /// With this name for one row (the [`verbose_name`](Self::verbose_name) it reads back;
    /// the setter is named apart from that reader).
    #[must_use]
    pub const fn with_verbose_name(mut self, verbose_name: &'static str) -> Self {
        self.verbose_name = Some(verbose_name);
        self
    }

    /// With this name for several rows (read back by
    /// [`verbose_name_plural`](Self::verbose_name_plural)).
    #[must_use]
    pub const fn with_verbose_name_plural(mut self, plural: &'static str) -> Self {
        self.verbose_name_plural = Some(plural);
        self
    }

    /// With these indexes over several columns.
    #[must_use]
    pub const fn indexes(mut self, indexes: &'static [IndexMeta]) -> Self {
        self.indexes = indexes;
        self
    }

    /// With these many-to-many relations.
    #[must_use]
    pub const fn many_to_many(mut self, relations: &'static [ManyToManyMeta]) -> Self {
        self.many_to_many = relations;
        self
    }

    /// With this default order of querysets (`-pub_date` for descending).
    #[must_use]
    pub const fn ordering(mut self, ordering: &'static [&'static str]) -> Self {
        self.ordering = ordering;
        self
    }

    /// The primary key field.
    ///
    /// # Panics
    /// When the model has no primary key, which `#[derive(Model)]` never produces.
    pub fn pk(&self) -> &FieldMeta {
        self.fields
            .iter()
            .find(|f| f.primary_key)
            .expect("every model has a primary key")
    }

    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&FieldMeta> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The position of a field in [`fields`](Self::fields).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// `app.Name`, how migrations and errors refer to the model.
    pub fn label(&self) -> String {
        format!("{}.{}", self.app, self.name)
    }

    /// The name of one row for people, Django's `verbose_name`: the one given, else the
    /// model's name split at its capitals and lower-cased (`PollQuestion` → `poll question`).
    pub fn verbose_name(&self) -> Cow<'static, str> {
        self.verbose_name
            .map_or_else(|| Cow::Owned(names::words(self.name)), Cow::Borrowed)
    }

    /// The name of several rows for people, Django's `verbose_name_plural`: the one given,
    /// else the verbose name + `s` (`poll questions`).
    pub fn verbose_name_plural(&self) -> Cow<'static, str> {
        self.verbose_name_plural.map_or_else(
            || Cow::Owned(format!("{}s", self.verbose_name())),
            Cow::Borrowed,
        )
    }
}

/// One field of a model. `#[non_exhaustive]`: build it with [`FieldMeta::new`] and the `const`
/// methods named after the fields (`FieldMeta::new("slug", "slug", ColumnType::VarChar)
/// .unique(true).max_length(50)`; `with_verbose_name`, as `verbose_name()` reads it back), so
/// new fields can come without breaking that code.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FieldMeta {
    /// The Rust field name (`pub_date`); a foreign key's is the relation's name (`question`).
    pub name: &'static str,
    /// The column (`pub_date`; `question_id` for a foreign key).
    pub column: &'static str,
    /// The column's type.
    pub ty: ColumnType,
    /// Whether the column accepts NULL (`Option<T>` fields).
    pub null: bool,
    /// Whether this is the primary key.
    pub primary_key: bool,
    /// Whether the database assigns the value (an auto-increment primary key).
    pub auto: bool,
    /// A `UNIQUE` constraint.
    pub unique: bool,
    /// A single-column index.
    pub index: bool,
    /// `VARCHAR(n)` for strings that have a maximum length.
    pub max_length: Option<u32>,
    /// A decimal's total number of digits (`NUMERIC(max_digits, decimal_places)`).
    pub max_digits: Option<u32>,
    /// A decimal's digits after the point.
    pub decimal_places: Option<u32>,
    /// The value new rows get when the field is not set, also used to fill existing rows when a
    /// migration adds the field.
    pub default: Option<DefaultValue>,
    /// The allowed values, as `(value, label)`, checked by forms and the admin.
    pub choices: &'static [(&'static str, &'static str)],
    /// A foreign key or one-to-one relation.
    pub relation: Option<Relation>,
    /// How people call the field (`date published`), for forms, the admin and messages;
    /// `None` means its name with spaces for underscores. Read it with
    /// [`verbose_name()`](Self::verbose_name).
    pub verbose_name: Option<&'static str>,
    /// A sentence shown beside the field in forms and the admin (empty for none).
    pub help_text: &'static str,
    /// What a text field holds, which its form field checks: Django's `SlugField`,
    /// `EmailField` and `URLField` are text columns with these checks.
    pub text: TextKind,
}

/// What a text field holds (`#[field(slug)]`, `#[field(email)]`, `#[field(url)]`): the
/// column is text all the same; the form field, and so the admin, checks the format in
/// Django's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TextKind {
    /// Any text.
    #[default]
    Plain,
    /// Letters, digits, `-` and `_` (Django's `SlugField`).
    Slug,
    /// An email address (Django's `EmailField`).
    Email,
    /// An `http`, `https` or `ftp` URL (Django's `URLField`).
    Url,
}

impl FieldMeta {
    /// A plain field with everything else off; the methods below set the rest.
    pub const fn new(name: &'static str, column: &'static str, ty: ColumnType) -> Self {
        FieldMeta {
            name,
            column,
            ty,
            null: false,
            primary_key: false,
            auto: false,
            unique: false,
            index: false,
            max_length: None,
            max_digits: None,
            decimal_places: None,
            default: None,
            choices: &[],
            relation: None,
            verbose_name: None,
            help_text: "",
            text: TextKind::Plain,
        }
    }

    /// Whether the column accepts NULL.
    #[must_use]
    pub const fn null(mut self, null: bool) -> Self {
        self.null = null;
        self
    }

    /// Whether this is the primary key.
    #[must_use]
    pub const fn primary_key(mut self, primary_key: bool) -> Self {
        self.primary_key = primary_key;
        self
    }

    /// Whether the database assigns the value (an auto-increment primary key).
    #[must_use]
    pub const fn auto(mut self, auto: bool) -> Self {
        self.auto = auto;
        self
    }

    /// Whether the column has a `UNIQUE` constraint.
    #[must_use]
    pub const fn unique(mut self, unique: bool) -> Self {
        self.unique = unique;
        self
    }

    /// Whether the column has an index of its own.
    #[must_use]
    pub const fn index(mut self, index: bool) -> Self {
        self.index = index;
        self
    }

    /// The maximum length of a string (`VARCHAR(n)`).
    #[must_use]
    pub const fn max_length(mut self, max_length: u32) -> Self {
        self.max_length = Some(max_length);
        self
    }

    /// A decimal's total number of digits.
    #[must_use]
    pub const fn max_digits(mut self, max_digits: u32) -> Self {
        self.max_digits = Some(max_digits);
        self
    }

    /// A decimal's digits after the point.
    #[must_use]
    pub const fn decimal_places(mut self, decimal_places: u32) -> Self {
        self.decimal_places = Some(decimal_places);
        self
    }

    /// The value new rows get when the field is not set.
    #[must_use]
    pub const fn default(mut self, default: DefaultValue) -> Self {
        self.default = Some(default);
        self
    }

    /// The allowed values, as `(value, label)`.
    #[must_use]
    pub const fn choices(mut self, choices: &'static [(&'static str, &'static str)]) -> Self {
        self.choices = choices;
        self
    }

    /// A foreign key or one-to-one relation.
    #[must_use]
    pub const fn relation(mut self, relation: Relation) -> Self {
        self.relation = Some(relation);
        self
    }

    /// With this name for people (the [`verbose_name`](Self::verbose_name) it reads back;
    /// the setter is named apart from that reader).
    #[must_use]
    pub const fn with_verbose_name(mut self, verbose_name: &'static str) -> Self {
        self.verbose_name = Some(verbose_name);
        self
    }

    /// With this sentence shown beside the field in forms and the admin.
    #[must_use]
    pub const fn help_text(mut self, help_text: &'static str) -> Self {
        self.help_text = help_text;
        self
    }

    /// What the text field holds (a slug, an email address, a URL).
    #[must_use]
    pub const fn text(mut self, kind: TextKind) -> Self {
        self.text = kind;
        self
    }

    /// The field's name for people, Django's `verbose_name`: the one given, else the name with
    /// spaces for underscores (`pub_date` → `pub date`).
    pub fn verbose_name(&self) -> Cow<'static, str> {
        self.verbose_name
            .map_or_else(|| Cow::Owned(self.name.replace('_', " ")), Cow::Borrowed)
    }
}

/// A default a field's column takes, as a literal migrations can write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DefaultValue {
    /// `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text.
    Text(&'static str),
    /// The current time, when the row is inserted.
    Now,
}

/// A foreign key or one-to-one relation.
#[derive(Debug, Clone, Copy)]
pub struct Relation {
    /// Foreign key (many to one) or one-to-one.
    pub kind: RelationKind,
    /// The model pointed at. A function, so models can point at each other.
    pub to: fn() -> &'static ModelMeta,
    /// What happens to this row when the row it points at is deleted.
    pub on_delete: OnDelete,
    /// The name of the reverse accessor on the target (`choice_set` by default).
    pub related_name: Option<&'static str>,
}

/// Many to one, or one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Many rows of this model point at one of the target.
    ForeignKey,
    /// At most one row of this model points at each of the target.
    OneToOne,
}

/// Django's `on_delete`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDelete {
    /// Delete the rows pointing at the deleted row.
    Cascade,
    /// Refuse to delete a row that others point at ([`Error::Protected`]).
    Protect,
    /// Set the pointing column to NULL (the field must be an `Option`).
    SetNull,
    /// Like `Protect`, enforced by the database.
    Restrict,
    /// Do nothing; the database's own constraint decides.
    DoNothing,
}

/// An index over several columns.
#[derive(Debug)]
pub struct IndexMeta {
    /// The index's name.
    pub name: &'static str,
    /// The fields, in order.
    pub fields: &'static [&'static str],
    /// A unique index.
    pub unique: bool,
}

/// A many-to-many relation and its join table.
#[derive(Debug)]
pub struct ManyToManyMeta {
    /// The relation's name on this model (`tags`).
    pub name: &'static str,
    /// The model on the other side.
    pub to: fn() -> &'static ModelMeta,
    /// The join table (`app_model_tags`), or the through model's table.
    pub table: &'static str,
    /// The join table's column pointing at this model (`question_id`; `from_person_id` when
    /// the model relates to itself; a through model's key column).
    pub from_column: &'static str,
    /// The join table's column pointing at the other side (`tag_id`; `to_person_id` when the
    /// model relates to itself; a through model's key column).
    pub to_column: &'static str,
    /// A model of its own for the join table, when extra columns are needed (Django's
    /// `through`): its table and two of its foreign keys are the join table and columns, and
    /// migrations make no join table of their own.
    pub through: Option<fn() -> &'static ModelMeta>,
    /// A relation of a model to itself where each link goes both ways (Django's
    /// `symmetrical`, the default for `ManyToMany<Self>`): adding bob to alice's friends also
    /// makes alice one of bob's, and removing undoes both.
    pub symmetrical: bool,
}

/// The column of `meta`'s field `name`, at compile time: the derive finds a through model's
/// key columns with it (the field's type was checked by then, so a missing field cannot
/// reach the panic).
#[doc(hidden)]
pub const fn field_column(meta: &'static ModelMeta, name: &str) -> &'static str {
    const fn same(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
    let mut i = 0;
    while i < meta.fields.len() {
        if same(meta.fields[i].name, name) {
            return meta.fields[i].column;
        }
        i += 1;
    }
    panic!("the through model has no field of that name (see the error at `through`)")
}

/// A struct stored in a table. Usually derived: `#[derive(Model)]`.
pub trait Model: Sized + Send + Sync + Unpin + 'static {
    /// The model's metadata.
    const META: &'static ModelMeta;

    /// Builds an instance from `row`, whose columns `offset..` are this model's fields in
    /// [`ModelMeta::fields`] order (an offset lets a join read two models from one row).
    ///
    /// # Errors
    /// When a column does not hold its field's type.
    fn from_row(row: &Row, offset: usize) -> Result<Self, Error>;

    /// The values of every field, in [`ModelMeta::fields`] order.
    fn values(&self) -> Vec<Value>;

    /// Builds an instance from the values of every field, in [`ModelMeta::fields`] order (what
    /// [`values`](Self::values) gives); many-to-many fields start empty. What forms and the
    /// admin build instances with. Derived; the default refuses.
    ///
    /// # Errors
    /// When a value is missing or does not fit its field.
    fn from_values(values: Vec<Value>) -> Result<Self, Error> {
        let _ = values;
        Err(Error::Usage(format!(
            "{} cannot be built from values: derive Model, or implement Model::from_values",
            Self::META.name
        )))
    }

    /// The primary key's value (NULL before the first save of an auto key).
    fn pk(&self) -> Value;

    /// Sets the primary key after an insert assigned one.
    fn set_pk(&mut self, pk: i64);
}

/// A typed handle on one column of model `M` holding `T`: what filters, ordering and updates
/// are built from, so a typo or a wrong type is a compile error, not a SQL error.
pub struct Column<M, T> {
    /// The field's name.
    pub name: &'static str,
    /// The column's name.
    pub column: &'static str,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Column<M, T> {
    /// A handle; the derive makes one per field.
    pub const fn new(name: &'static str, column: &'static str) -> Self {
        Column {
            name,
            column,
            _types: PhantomData,
        }
    }
}

impl<M, T> Clone for Column<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for Column<M, T> {}

impl<M, T> std::fmt::Debug for Column<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Column({})", self.name)
    }
}

/// A field of `M` whatever its type, for a list of fields of different types
/// (`bulk_update(&mut conn, &objects, [Question::TEXT.into(), Question::VOTES.into()])`).
pub struct FieldRef<M> {
    /// The field's name.
    pub name: &'static str,
    /// The column's name.
    pub column: &'static str,
    _model: PhantomData<fn() -> M>,
}

impl<M, T> From<Column<M, T>> for FieldRef<M> {
    fn from(c: Column<M, T>) -> Self {
        FieldRef {
            name: c.name,
            column: c.column,
            _model: PhantomData,
        }
    }
}

impl<M> Clone for FieldRef<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for FieldRef<M> {}

impl<M> std::fmt::Debug for FieldRef<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FieldRef({})", self.name)
    }
}

/// Checks an instance's values against what their fields allow before they are written: the
/// digits of decimals (see [`Decimal`](crate::Decimal) fields in `docs/fullstack/models.md`).
///
/// # Errors
/// [`Error::Invalid`], naming the model and field.
pub(crate) fn check_values<M: Model>(obj: &M, backend: Backend) -> Result<(), Error> {
    // Only decimals are checked: skip building the values for every other model.
    if !M::META.fields.iter().any(|f| f.ty == ColumnType::Decimal) {
        return Ok(());
    }
    for (f, v) in M::META.fields.iter().zip(obj.values()) {
        check_value(M::META, f, &v, backend)?;
    }
    Ok(())
}

/// Checks one value about to be written into `field` of `meta` (see [`check_values`]).
///
/// # Errors
/// [`Error::Invalid`], naming the model and field.
pub(crate) fn check_value(
    meta: &ModelMeta,
    field: &FieldMeta,
    value: &Value,
    backend: Backend,
) -> Result<(), Error> {
    if let Value::Decimal(d) = value {
        let digits = field.max_digits.zip(field.decimal_places);
        crate::db::decimal::check(d, digits, backend).map_err(|reason| Error::Invalid {
            model: meta.name,
            field: field.name,
            reason,
        })?;
    }
    Ok(())
}

/// Reads field `index` of a model from `row`; what derived `from_row` impls call.
///
/// # Errors
/// When the column does not hold a `T`; the error names the model and field.
pub fn read_field<M: Model, T: DbType>(row: &Row, offset: usize, index: usize) -> Result<T, Error> {
    T::decode(row, offset + index).map_err(|e| match e {
        Error::Decode(why) => Error::Decode(format!(
            "{}.{}: {why}",
            M::META.name,
            M::META.fields[index].name
        )),
        other => other,
    })
}

/// Field `index` of a model from `value`; what derived `from_values` impls call.
///
/// # Errors
/// When the value is missing or not a `T`; the error names the model and field.
pub fn field_from_value<M: Model, T: DbType>(
    value: Option<Value>,
    index: usize,
) -> Result<T, Error> {
    let name = M::META.fields[index].name;
    let value =
        value.ok_or_else(|| Error::Decode(format!("{}.{name}: no value given", M::META.name)))?;
    T::from_value(value).map_err(|e| match e {
        Error::Decode(why) => Error::Decode(format!("{}.{name}: {why}", M::META.name)),
        other => other,
    })
}

/// An auto primary key from `value`: NULL (what [`Model::values`] gives before the first save)
/// is 0, the key of a row not saved yet.
///
/// # Errors
/// As [`field_from_value`].
pub fn auto_pk_from_value<M: Model, T: DbType>(
    value: Option<Value>,
    index: usize,
) -> Result<T, Error> {
    let value = match value {
        Some(Value::Null(_)) => Some(Value::BigInt(0)),
        other => other,
    };
    field_from_value::<M, T>(value, index)
}
