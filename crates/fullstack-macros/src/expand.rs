//! From the struct to the `Model` impl.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Fields, GenericArgument, Ident, PathArguments, Result, Type};

use crate::attrs::{DefaultLit, FieldAttrs, ModelAttrs, on_delete_variant};

/// What a field is, from its type.
pub(crate) enum Kind {
    /// A column of any `DbType`.
    Plain,
    /// `ForeignKey<T>` (or `Option<..>`): the target.
    ForeignKey(Type),
    /// `OneToOne<T>` (or `Option<..>`): the target.
    OneToOne(Type),
    /// `ManyToMany<T>`: not a column.
    ManyToMany(Type),
}

pub(crate) struct Field {
    pub(crate) ident: Ident,
    /// The name without `r#`.
    pub(crate) name: String,
    /// The type, with `Self` replaced by the struct's name.
    pub(crate) ty: Type,
    /// `Option<..>` (syntactically).
    pub(crate) optional: bool,
    /// The last path segment of the type inside `Option`, `String` for `Option<String>`.
    pub(crate) base: String,
    pub(crate) kind: Kind,
    column: String,
    pub(crate) attrs: FieldAttrs,
    primary_key: bool,
    pub(crate) auto: bool,
}

pub(crate) fn expand(input: &DeriveInput) -> Result<TokenStream> {
    let name = &input.ident;
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(f) => &f.named,
            _ => {
                return Err(Error::new_spanned(
                    name,
                    "a model is a struct with named fields (`struct Question { id: i64, .. }`), \
                     not a tuple or unit struct",
                ));
            }
        },
        _ => {
            return Err(Error::new_spanned(
                name,
                "#[derive(Model)] works on structs with named fields only, not enums or unions",
            ));
        }
    };
    if !input.generics.params.is_empty() {
        return Err(Error::new_spanned(
            &input.generics,
            "a model cannot have generic parameters: it maps to one table",
        ));
    }
    if let Some(attr) = input.attrs.iter().find(|a| a.path().is_ident("field")) {
        return Err(Error::new_spanned(
            attr,
            "`#[field(...)]` goes on a field; the struct takes `#[model(...)]`",
        ));
    }
    let model = ModelAttrs::parse(&input.attrs)?;

    let mut errors: Vec<Error> = Vec::new();
    let mut fields = Vec::new();
    for f in named {
        match field(f, name) {
            Ok(field) => fields.push(field),
            Err(e) => errors.push(e),
        }
    }
    combine(std::mem::take(&mut errors))?;

    // The primary key: the fields marked `primary_key`, else `id: i64`/`id: i32`.
    let explicit: Vec<usize> = (0..fields.len())
        .filter(|&i| fields[i].primary_key)
        .collect();
    if explicit.len() > 1 {
        let first = &fields[explicit[0]].name;
        for &i in &explicit[1..] {
            errors.push(Error::new(
                fields[i].attrs.primary_key.unwrap_or_else(Span::call_site),
                format!(
                    "a model has exactly one primary key, and `{first}` already is: remove \
                     `primary_key` here (use `#[model(unique = [..])]` for a key over several \
                     fields)"
                ),
            ));
        }
    } else if explicit.is_empty() {
        match fields.iter_mut().find(|f| f.name == "id") {
            Some(id) if !id.optional && matches!(id.kind, Kind::Plain) && is_int(&id.base) => {
                id.primary_key = true;
                id.auto = true;
            }
            Some(id) if id.optional && matches!(id.kind, Kind::Plain) && is_int(&id.base) => {
                errors.push(Error::new_spanned(&id.ty, UNSAVED_KEY));
            }
            _ => errors.push(Error::new_spanned(
                name,
                format!(
                    "`{name}` has no primary key: add a field `id: i64` (an auto-increment key) or \
                     mark one field `#[field(primary_key)]`"
                ),
            )),
        }
    }

    // Columns are unique.
    for (i, f) in fields.iter().enumerate() {
        if matches!(f.kind, Kind::ManyToMany(_)) {
            continue;
        }
        if let Some(other) = fields[..i]
            .iter()
            .find(|o| !matches!(o.kind, Kind::ManyToMany(_)) && o.column == f.column)
        {
            errors.push(Error::new_spanned(
                &f.ident,
                format!(
                    "column `{}` is already the column of field `{}`: give one of them \
                     `#[field(column = \"...\")]`",
                    f.column, other.name
                ),
            ));
        }
    }

    // Two foreign keys to one model need distinct reverse accessors (Django's check E304).
    for (i, f) in fields.iter().enumerate() {
        let Some((target, method)) = reverse_accessor(f, name) else {
            continue;
        };
        let clash = fields[..i].iter().find(|o| {
            reverse_accessor(o, name).is_some_and(|(t, m)| {
                m == method && quote!(#t).to_string() == quote!(#target).to_string()
            })
        });
        if let Some(other) = clash {
            errors.push(Error::new_spanned(
                &f.ident,
                format!(
                    "`{}` and `{}` both point at `{}` and would both give it the reverse \
                     accessor `{method}()`: give one of them `#[field(related_name = \"...\")]` \
                     (or `related_name = \"+\"` for none)",
                    other.name,
                    f.name,
                    quote!(#target)
                ),
            ));
        }
    }

    // `ordering` and indexes name fields.
    let field_names: Vec<&str> = fields
        .iter()
        .filter(|f| !matches!(f.kind, Kind::ManyToMany(_)))
        .map(|f| f.name.as_str())
        .collect();
    let check_name = |lit: &syn::LitStr, what: &str, name_of: &str| -> Option<Error> {
        (!field_names.contains(&name_of)).then(|| {
            Error::new_spanned(
                lit,
                format!(
                    "{what} names `{name_of}`, which is not a field of `{name}` (fields: {})",
                    field_names.join(", ")
                ),
            )
        })
    };
    for o in &model.ordering {
        let v = o.value();
        if let Some(e) = check_name(o, "`ordering`", v.strip_prefix('-').unwrap_or(&v)) {
            errors.push(e);
        }
    }
    for (list, _) in &model.indexes {
        for l in list {
            if let Some(e) = check_name(l, "the index", &l.value()) {
                errors.push(e);
            }
        }
    }
    combine(errors)?;

    Ok(generate(input, &model, &fields))
}

/// How the derive spells an auto primary key, for whoever writes `Option<i64>`.
const UNSAVED_KEY: &str = "an auto primary key is `id: i64` (or `i32`), not an `Option`: 0 means \
                           the row is not saved yet (`Model::new(..)` starts there), and `save` \
                           sets the key the database assigns";

/// All the errors as one, or `Ok`.
fn combine(errors: Vec<Error>) -> Result<()> {
    let mut errors = errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

/// Reads one field and checks its attributes against its type.
fn field(f: &syn::Field, model: &Ident) -> Result<Field> {
    let ident = f.ident.clone().expect("named field");
    let name = ident.to_string().trim_start_matches("r#").to_owned();
    let ty = replace_self(&f.ty, model);
    if let Some(attr) = f.attrs.iter().find(|a| a.path().is_ident("model")) {
        return Err(Error::new_spanned(
            attr,
            "`#[model(...)]` goes on the struct; a field takes `#[field(...)]`",
        ));
    }
    if name == "meta" {
        return Err(Error::new_spanned(
            &ident,
            "a field named `meta` would make a column constant `META` that hides `Model::META`: \
             rename the field and keep the column with `#[field(column = \"meta\")]`",
        ));
    }
    let attrs = FieldAttrs::parse(&f.attrs)?;
    if name == "pk" && attrs.primary_key.is_none() {
        return Err(Error::new_spanned(
            &ident,
            "`pk` is the primary key's name (`Model::PK`, Django's `pk`): a field named `pk` \
             must be the primary key (`#[field(primary_key)]`), or be renamed, keeping its \
             column with `#[field(column = \"pk\")]`",
        ));
    }

    let (optional, inner) = match generic_of(&ty, "Option") {
        Some(inner) => (true, inner.clone()),
        None => (false, ty.clone()),
    };
    let base = last_ident(&inner).unwrap_or_default();
    let kind = if let Some(t) = generic_of(&inner, "ForeignKey") {
        Kind::ForeignKey(t.clone())
    } else if let Some(t) = generic_of(&inner, "OneToOne") {
        Kind::OneToOne(t.clone())
    } else if let Some(t) = generic_of(&inner, "ManyToMany") {
        if optional {
            return Err(Error::new_spanned(
                &f.ty,
                "a many-to-many relation is not a column and cannot be an Option: write \
                 `ManyToMany<T>`",
            ));
        }
        Kind::ManyToMany(t.clone())
    } else {
        Kind::Plain
    };

    let is_relation = matches!(kind, Kind::ForeignKey(_) | Kind::OneToOne(_));
    if let Kind::ManyToMany(_) = kind {
        let not_column = [
            attrs.primary_key,
            attrs.auto,
            attrs.unique,
            attrs.index.map(|(_, span)| span),
            attrs.null,
            attrs.max_length.as_ref().map(|m| m.1),
            attrs.max_digits.as_ref().map(|m| m.1),
            attrs.decimal_places.as_ref().map(|m| m.1),
            attrs.default.as_ref().map(|d| d.1),
            attrs.choices.as_ref().map(|c| c.1),
            attrs.column.as_ref().map(syn::LitStr::span),
            attrs.on_delete.as_ref().map(Ident::span),
            attrs.verbose_name.as_ref().map(syn::LitStr::span),
            attrs.help_text.as_ref().map(syn::LitStr::span),
        ];
        if let Some(span) = not_column.into_iter().flatten().next() {
            return Err(Error::new(
                span,
                "a many-to-many field is not a column: it takes only `related_name`, \
                 `through`, `through_fields` and `symmetrical`",
            ));
        }
    } else {
        let many_only = [
            attrs.through.as_ref().map(Spanned::span),
            attrs.through_fields.as_ref().map(|(a, _)| a.span()),
            attrs.symmetrical.map(|(_, span)| span),
        ];
        if let Some(span) = many_only.into_iter().flatten().next() {
            return Err(Error::new(
                span,
                "`through`, `through_fields` and `symmetrical` are for `ManyToMany<T>` fields",
            ));
        }
    }
    if let Kind::ManyToMany(target) = &kind {
        check_many_to_many(&attrs, target, model)?;
    }
    if !is_relation {
        if let Some(on_delete) = &attrs.on_delete {
            return Err(Error::new_spanned(
                on_delete,
                "`on_delete` is for `ForeignKey<T>` and `OneToOne<T>` fields",
            ));
        }
        if let (Kind::Plain, Some(rn)) = (&kind, &attrs.related_name) {
            return Err(Error::new_spanned(
                rn,
                "`related_name` is for relation fields (`ForeignKey<T>`, `OneToOne<T>`, \
                 `ManyToMany<T>`)",
            ));
        }
    } else {
        match &attrs.on_delete {
            None => {
                return Err(Error::new_spanned(
                    &f.ty,
                    "a relation needs `#[field(on_delete = ...)]`: one of cascade, protect, \
                     set_null, restrict, do_nothing (Django requires it too)",
                ));
            }
            Some(od) if od == "set_null" && !optional => {
                return Err(Error::new_spanned(
                    od,
                    format!(
                        "`on_delete = set_null` needs a nullable key: make the field \
                         `Option<{}<..>>`",
                        base
                    ),
                ));
            }
            Some(_) => {}
        }
        if let Some(span) = attrs.primary_key {
            return Err(Error::new(
                span,
                "a relation cannot be the primary key: add an `id: i64` field",
            ));
        }
    }

    if let Some((_, span)) = attrs.max_length
        && base != "String"
    {
        return Err(Error::new(
            span,
            "`max_length` is for `String` fields (it makes the column a VARCHAR): remove it or \
             make the field a `String`",
        ));
    }
    check_decimal(&attrs, &base, &inner)?;
    if let Some(span) = attrs.null
        && !optional
    {
        return Err(Error::new(
            span,
            "`null` needs an `Option<T>` field: a NULL cannot be read into a plain value (an \
             `Option<T>` field is nullable without `null`)",
        ));
    }
    if let Some(span) = attrs.auto {
        if attrs.primary_key.is_none() {
            return Err(Error::new(
                span,
                "`auto` is for primary keys: add `primary_key` (a field `id: i64` is an auto \
                 primary key without attributes)",
            ));
        }
        if optional || !is_int(&base) {
            return Err(Error::new(
                span,
                "an `auto` primary key is assigned by the database and must be `i64` or `i32`",
            ));
        }
    }
    if let Some(span) = attrs.primary_key
        && optional
    {
        return Err(Error::new(
            span,
            if is_int(&base) {
                UNSAVED_KEY
            } else {
                "a primary key cannot be NULL: remove the `Option`"
            },
        ));
    }
    if let Some((default, span)) = &attrs.default {
        check_default(default, *span, &base, optional, is_relation)?;
    }

    let column = match (&attrs.column, &kind) {
        (Some(c), _) => c.value(),
        (None, Kind::ForeignKey(_) | Kind::OneToOne(_)) => format!("{name}_id"),
        (None, _) => name.clone(),
    };
    Ok(Field {
        ident,
        name,
        ty,
        optional,
        base,
        kind,
        column,
        primary_key: attrs.primary_key.is_some(),
        auto: attrs.auto.is_some(),
        attrs,
    })
}

/// The largest `max_digits`: a `Decimal` holds 28 significant digits.
const MAX_DIGITS: u32 = 28;

/// A `Decimal` field needs `max_digits` and `decimal_places` (Django's `DecimalField` requires
/// both: they size the column), and no other field takes them.
fn check_decimal(attrs: &FieldAttrs, base: &str, ty: &Type) -> Result<()> {
    let given = [&attrs.max_digits, &attrs.decimal_places];
    if base != "Decimal" {
        if let Some((_, span)) = given.into_iter().flatten().next() {
            return Err(Error::new(
                *span,
                "`max_digits` and `decimal_places` are for `Decimal` fields (they make the column \
                 a NUMERIC): remove them or make the field a `fullstack::Decimal`",
            ));
        }
        return Ok(());
    }
    let (Some((digits, span)), Some((places, _))) = (attrs.max_digits, attrs.decimal_places) else {
        let at = given.into_iter().flatten().next().map(|(_, s)| *s);
        let message = "a `Decimal` field needs both `max_digits` (all digits) and \
                       `decimal_places` (digits after the point), as Django's DecimalField: \
                       `#[field(max_digits = 10, decimal_places = 2)]`";
        return Err(match at {
            Some(span) => Error::new(span, message),
            None => Error::new_spanned(ty, message),
        });
    };
    if digits > MAX_DIGITS {
        return Err(Error::new(
            span,
            format!("`max_digits` is at most {MAX_DIGITS}: a `Decimal` holds 28 digits"),
        ));
    }
    if places > digits {
        return Err(Error::new(
            attrs.decimal_places.expect("checked").1,
            format!(
                "`decimal_places` ({places}) cannot be more than `max_digits` ({digits}): the \
                 digits after the point are part of all the digits"
            ),
        ));
    }
    Ok(())
}

/// A default must fit the field's type where the type is one the ORM knows by name.
fn check_default(
    default: &DefaultLit,
    span: Span,
    base: &str,
    optional: bool,
    relation: bool,
) -> Result<()> {
    let (fits, example) = match (default, base) {
        (DefaultLit::Null, _) => (optional, "default = null` on an `Option<T>"),
        (_, _) if relation => (matches!(default, DefaultLit::Int(_)), "default = 1"),
        (DefaultLit::Bool(_), "bool") => (true, ""),
        (_, "bool") => (false, "default = false"),
        (DefaultLit::Int(_), "i16" | "i32" | "i64" | "f32" | "f64") => (true, ""),
        (_, "i16" | "i32" | "i64") => (false, "default = 0"),
        (DefaultLit::Float(_), "f32" | "f64") => (true, ""),
        (_, "f32" | "f64") => (false, "default = 0.0"),
        (DefaultLit::Text(_), "String") => (true, ""),
        (_, "String") => (false, "default = \"text\""),
        // A string keeps every digit ("0.10"); it must be a number.
        (DefaultLit::Text(t), "Decimal") if !is_decimal(t.trim()) => {
            return Err(Error::new(
                span,
                "`default` on a `Decimal` is a number, or a string holding one in plain digits \
                 (an optional `-` and `.`, no exponent): `default = \"0.00\"`",
            ));
        }
        (DefaultLit::Text(_), "Decimal") => (true, ""),
        (DefaultLit::Int(_) | DefaultLit::Float(_), "Decimal") => (true, ""),
        (_, "Decimal") => (false, "default = \"0.00\""),
        (DefaultLit::Now, "DateTime" | "NaiveDate") => (true, ""),
        (_, "DateTime" | "NaiveDate") => (false, "default = now"),
        (DefaultLit::Now, _) => (false, "default = now` on a `DateTime<Utc>` or `NaiveDate"),
        // Types the derive does not know by name (Uuid, JSON, user types): unchecked.
        _ => (true, ""),
    };
    if fits {
        return Ok(());
    }
    let what = if relation { "a relation" } else { base };
    Err(Error::new(
        span,
        format!(
            "`default` is {} but the field is {}: write `{example}`",
            default.kind(),
            if matches!(default, DefaultLit::Null) {
                "not an `Option`".to_owned()
            } else {
                format!("`{what}`")
            }
        ),
    ))
}

/// `12`, `-0.50`: digits with an optional sign and point, what a decimal column and
/// `Decimal::from_str` both take.
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole
            .chars()
            .chain(fraction.chars())
            .all(|c| c.is_ascii_digit())
}

fn is_int(base: &str) -> bool {
    base == "i64" || base == "i32"
}

/// `T` when `ty` is `Name<T>` (by its last path segment).
pub(crate) fn generic_of<'a>(ty: &'a Type, name: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    if p.qself.is_some() {
        return None;
    }
    let seg = p.path.segments.last()?;
    if seg.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    let first = types.next()?;
    types.next().is_none().then_some(first)
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `Self` in a field type becomes the struct's name: the metadata is a static, where `Self`
/// is not in scope.
fn replace_self(ty: &Type, model: &Ident) -> Type {
    fn walk(ts: TokenStream, model: &Ident) -> TokenStream {
        ts.into_iter()
            .map(|tt| match tt {
                TokenTree::Ident(i) if i == "Self" => {
                    let mut m = model.clone();
                    m.set_span(i.span());
                    TokenTree::Ident(m)
                }
                TokenTree::Group(g) => {
                    let mut ng = Group::new(g.delimiter(), walk(g.stream(), model));
                    ng.set_span(g.span());
                    TokenTree::Group(ng)
                }
                other => other,
            })
            .collect()
    }
    syn::parse2(walk(quote!(#ty), model)).unwrap_or_else(|_| ty.clone())
}

/// A many-to-many relation's join table and its two columns, as expressions, and its through
/// model: `{table}_{field}` and the columns of [`join_columns`]; or, with `through = Model`,
/// that model's table and the columns of its two keys, found at compile time by field name
/// (`through_fields`, else the snake-case names of this model and the target). A check that
/// those fields are keys to the right models goes into `checks`.
fn join_table(
    table: &str,
    f: &Field,
    model: &Ident,
    target: &Type,
    checks: &mut Vec<TokenStream>,
) -> (TokenStream, TokenStream, TokenStream, TokenStream) {
    let Some(through) = &f.attrs.through else {
        let join = format!("{table}_{}", f.name);
        let (from, to) = join_columns(model, target);
        return (
            quote!(#join),
            quote!(#from),
            quote!(#to),
            quote!(::core::option::Option::None),
        );
    };
    let span = through.span();
    let (from, to) = match &f.attrs.through_fields {
        Some((a, b)) => ((a.value(), a.span()), (b.value(), b.span())),
        None => (
            (snake_case(&model.to_string()), span),
            (snake_case(&type_name(target)), span),
        ),
    };
    let from_ident = format_ident!("{}", from.0, span = from.1);
    let to_ident = format_ident!("{}", to.0, span = to.1);
    checks.push(quote_spanned! {span=>
        const _: () = {
            #[allow(dead_code)]
            fn through_keys(link: &#through) {
                ::fullstack::model::key_to::<#model, _>(&link.#from_ident);
                ::fullstack::model::key_to::<#target, _>(&link.#to_ident);
            }
        };
    });
    let meta = quote!(<#through as ::fullstack::Model>::META);
    let (from, to) = (from.0, to.0);
    (
        quote!(#meta.table),
        quote!(::fullstack::model::field_column(#meta, #from)),
        quote!(::fullstack::model::field_column(#meta, #to)),
        quote!(::core::option::Option::Some(|| #meta)),
    )
}

/// The join table's columns to the model and to the target of a many-to-many field:
/// `question_id`/`tag_id`, or `from_person_id`/`to_person_id` when the target is the model
/// itself (`Self` has been replaced by the model's name). The same rule as Django's, and the one
/// source of these names: migrations read them from the metadata.
fn join_columns(model: &Ident, target: &Type) -> (String, String) {
    let lower = model.to_string().to_ascii_lowercase();
    if is_model(target, model) {
        (format!("from_{lower}_id"), format!("to_{lower}_id"))
    } else {
        (
            format!("{lower}_id"),
            format!("{}_id", type_name(target).to_ascii_lowercase()),
        )
    }
}

/// The attributes of a many-to-many field that only make sense together.
fn check_many_to_many(attrs: &FieldAttrs, target: &Type, model: &Ident) -> Result<()> {
    let to_self = is_model(target, model);
    if let (Some((a, _)), None) = (&attrs.through_fields, &attrs.through) {
        return Err(Error::new_spanned(
            a,
            "`through_fields` names fields of a through model: add `through = Model`",
        ));
    }
    if let Some((_, span)) = attrs.symmetrical
        && !to_self
    {
        return Err(Error::new(
            span,
            "`symmetrical` is for a relation of a model to itself (`ManyToMany<Self>`)",
        ));
    }
    if let (true, Some(through), None) = (to_self, &attrs.through, &attrs.through_fields) {
        return Err(Error::new_spanned(
            through,
            "a through model for a relation of a model to itself has two keys to it: say which \
             is which with `through_fields = (\"from_field\", \"to_field\")`",
        ));
    }
    if let (true, Some(rn)) = (symmetrical(attrs, target, model), &attrs.related_name) {
        return Err(Error::new_spanned(
            rn,
            "a symmetrical relation has no reverse accessor (both directions are the same \
             field): remove `related_name`, or add `symmetrical = false`",
        ));
    }
    Ok(())
}

/// The name a type path ends with, without `r#` (`Tag` for `crate::models::Tag`).
fn type_name(ty: &Type) -> String {
    last_ident(ty).map_or_else(String::new, |t| t.trim_start_matches("r#").to_owned())
}

/// Whether `ty` names the model being derived (`Self` was replaced by its name already).
fn is_model(ty: &Type, model: &Ident) -> bool {
    *model == type_name(ty)
}

/// Whether a many-to-many relation goes both ways: to the model itself, unless
/// `symmetrical = false` (Django's default).
fn symmetrical(attrs: &FieldAttrs, target: &Type, model: &Ident) -> bool {
    is_model(target, model) && attrs.symmetrical.is_none_or(|(on, _)| on)
}

/// The model a foreign key or many-to-many relation points at and the name of its reverse
/// accessor (`related_name`, or `choice_set` for a `Choice`), unless `related_name = "+"`
/// turns it off.
fn reverse_accessor<'a>(f: &'a Field, model: &Ident) -> Option<(&'a Type, String)> {
    let (target, default) = match &f.kind {
        // Both directions are the relation itself.
        Kind::ManyToMany(t) if symmetrical(&f.attrs, t, model) => return None,
        Kind::ForeignKey(t) | Kind::ManyToMany(t) => {
            (t, format!("{}_set", snake_case(&model.to_string())))
        }
        // One row at most: Django's `place.restaurant`, here a queryset of one.
        Kind::OneToOne(t) => (t, snake_case(&model.to_string())),
        Kind::Plain => return None,
    };
    match &f.attrs.related_name {
        Some(r) if r.value() == "+" => None,
        Some(r) => Some((target, r.value())),
        None => Some((target, default)),
    }
}

/// `choice_set` → `ChoiceSet`.
fn pascal_case(s: &str) -> String {
    s.split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect()
}

/// `QuestionChoice` → `question_choice`, `HTTPLog` → `http_log`.
fn snake_case(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                Some(p) => {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
                }
                None => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The app label when `#[model(app)]` is not given: the user's package name, with `-` as `_`.
fn default_app() -> String {
    std::env::var("CARGO_PKG_NAME")
        .map(|n| n.replace('-', "_"))
        .unwrap_or_else(|_| "app".to_owned())
}

fn generate(input: &DeriveInput, model: &ModelAttrs, fields: &[Field]) -> TokenStream {
    let name = &input.ident;
    let vis = &input.vis;
    let name_str = name.to_string().trim_start_matches("r#").to_owned();
    let app = model
        .app
        .as_ref()
        .map_or_else(default_app, syn::LitStr::value);
    let table = model.table.as_ref().map_or_else(
        || format!("{app}_{}", snake_case(&name_str)),
        syn::LitStr::value,
    );

    let fs = quote!(::fullstack::model::FieldMeta);
    let mut metas = Vec::new();
    let mut m2m = Vec::new();
    let mut readers = Vec::new();
    let mut from_values = Vec::new();
    let mut values = Vec::new();
    let mut columns = Vec::new();
    let mut accessors = Vec::new();
    let mut checks = Vec::new();
    let mut index = 0usize;
    let mut pk_expr = quote!(unreachable!());
    let mut set_pk = quote!(let _ = pk;);

    for f in fields {
        let ident = &f.ident;
        let fname = &f.name;
        let ty = &f.ty;
        let span = ty.span();
        if let Kind::ManyToMany(target) = &f.kind {
            let join = join_table(&table, f, name, target, &mut checks);
            let (table_expr, from_column, to_column, through) = &join;
            let symmetrical = symmetrical(&f.attrs, target, name);
            m2m.push(quote! {
                ::fullstack::model::ManyToManyMeta {
                    name: #fname,
                    to: || <#target as ::fullstack::Model>::META,
                    table: #table_expr,
                    from_column: #from_column,
                    to_column: #to_column,
                    through: #through,
                    symmetrical: #symmetrical,
                }
            });
            readers.push(quote!(#ident: ::core::default::Default::default()));
            from_values.push(quote!(#ident: ::core::default::Default::default()));
            let const_name = format_ident!("{}", fname.to_uppercase(), span = f.ident.span());
            let via = match &f.attrs.through {
                Some(t) => format!("through `{}`", quote!(#t)),
                None => format!("join table `{table}_{fname}`"),
            };
            let doc = format!(
                "The `{fname}` many-to-many relation ({via}), for queries and changes: `of`, \
                 `add`, `remove`, `set`, `any`, ..."
            );
            columns.push(quote! {
                #[doc = #doc]
                #vis const #const_name: ::fullstack::ManyToManyField<#name, #target> =
                    ::fullstack::ManyToManyField::new(#fname);
            });
            if let Some((target, method)) = reverse_accessor(f, name) {
                let body = quote!(#name::#const_name.owners_of(self));
                accessors.push(reverse_accessor_trait(vis, name, f, target, &method, body));
            }
            continue;
        }
        let column = &f.column;
        let col_ty = if f.attrs.max_length.is_some() {
            quote!(::fullstack::ColumnType::VarChar)
        } else {
            quote_spanned!(span=> <#ty as ::fullstack::DbType>::COLUMN)
        };
        // FieldMeta is `#[non_exhaustive]`: built with its `const` setters, never a literal.
        let mut set = Vec::new();
        set.push(quote_spanned!(span=> .null(<#ty as ::fullstack::DbType>::NULLABLE)));
        if f.primary_key {
            set.push(quote!(.primary_key(true)));
        }
        if f.auto {
            set.push(quote!(.auto(true)));
        }
        if f.attrs.unique.is_some() || matches!(f.kind, Kind::OneToOne(_)) {
            set.push(quote!(.unique(true)));
        }
        // Django's ForeignKey has `db_index=True`: lookups by the key (`choice_set()`) and
        // cascading deletes would scan the table otherwise.
        let indexed = f
            .attrs
            .index
            .map_or(matches!(f.kind, Kind::ForeignKey(_)), |(on, _)| on);
        if indexed {
            set.push(quote!(.index(true)));
        }
        if let Some((n, _)) = f.attrs.max_length {
            set.push(quote!(.max_length(#n)));
        }
        if let Some((n, _)) = f.attrs.max_digits {
            set.push(quote!(.max_digits(#n)));
        }
        if let Some((n, _)) = f.attrs.decimal_places {
            set.push(quote!(.decimal_places(#n)));
        }
        if let Some((d, _)) = &f.attrs.default {
            let d = d.tokens(matches!(f.base.as_str(), "f32" | "f64"));
            set.push(quote!(.default(#d)));
        }
        if let Some((choices, _)) = &f.attrs.choices {
            let pairs = choices.iter().map(|(v, l)| quote!((#v, #l)));
            set.push(quote!(.choices(&[#(#pairs),*])));
        }
        if let Some(v) = &f.attrs.verbose_name {
            set.push(quote!(.with_verbose_name(#v)));
        }
        if let Some(h) = &f.attrs.help_text {
            set.push(quote!(.help_text(#h)));
        }
        if let Some((kind, _)) = &f.attrs.text {
            let variant = match kind.as_str() {
                "slug" => quote!(Slug),
                "email" => quote!(Email),
                _ => quote!(Url),
            };
            set.push(quote!(.text(::fullstack::TextKind::#variant)));
        }
        let relation = match &f.kind {
            Kind::ForeignKey(t) => Some((quote!(ForeignKey), t)),
            Kind::OneToOne(t) => Some((quote!(OneToOne), t)),
            _ => None,
        };
        if let Some((kind, target)) = relation {
            let od = f.attrs.on_delete.as_ref().expect("checked");
            let variant = format_ident!("{}", on_delete_variant(od).expect("checked"));
            let related = match &f.attrs.related_name {
                Some(r) => quote!(::core::option::Option::Some(#r)),
                None => quote!(::core::option::Option::None),
            };
            set.push(quote! {
                .relation(::fullstack::model::Relation {
                    kind: ::fullstack::model::RelationKind::#kind,
                    to: || <#target as ::fullstack::Model>::META,
                    on_delete: ::fullstack::model::OnDelete::#variant,
                    related_name: #related,
                })
            });
        }
        metas.push(quote! {
            #fs::new(#fname, #column, #col_ty) #(#set)*
        });
        readers.push(quote_spanned! {span=>
            #ident: ::fullstack::model::read_field::<#name, #ty>(row, offset, #index)?
        });
        let from_value = if f.auto {
            quote!(auto_pk_from_value)
        } else {
            quote!(field_from_value)
        };
        from_values.push(quote_spanned! {span=>
            #ident: ::fullstack::model::#from_value::<#name, #ty>(values.next(), #index)?
        });
        if f.auto {
            values.push(quote!(<Self as ::fullstack::Model>::pk(self)));
            pk_expr = quote! {
                if self.#ident == 0 {
                    ::fullstack::Value::Null(<#ty as ::fullstack::DbType>::COLUMN)
                } else {
                    ::fullstack::DbType::to_value(&self.#ident)
                }
            };
            set_pk = if f.base == "i64" {
                quote!(self.#ident = pk;)
            } else {
                quote! {
                    self.#ident = ::core::convert::TryFrom::try_from(pk)
                        .expect("the database assigned a primary key that does not fit an i32");
                }
            };
        } else {
            values
                .push(quote_spanned!(span=> <#ty as ::fullstack::DbType>::to_value(&self.#ident)));
            if f.primary_key {
                pk_expr = quote!(::fullstack::DbType::to_value(&self.#ident));
            }
        }
        let const_name = format_ident!("{}", fname.to_uppercase(), span = f.ident.span());
        let doc = format!("The `{fname}` field (column `{column}`), for queries.");
        columns.push(quote! {
            #[doc = #doc]
            #vis const #const_name: ::fullstack::Column<#name, #ty> =
                ::fullstack::Column::new(#fname, #column);
        });
        if let Some((target, method)) = reverse_accessor(f, name) {
            // `create` on the accessor points the new row at the owner.
            let key = quote!(::core::convert::From::from(id));
            let key = if f.optional {
                quote!(::core::option::Option::Some(#key))
            } else {
                key
            };
            let body = quote! {
                ::fullstack::query::reverse_accessor(
                    self,
                    #name::#const_name,
                    |row: &mut #name, id: i64| row.#ident = #key,
                )
            };
            accessors.push(reverse_accessor_trait(vis, name, f, target, &method, body));
        }
        if f.primary_key && f.name != "pk" {
            let doc = format!(
                "The primary key, `{fname}` (column `{column}`), by Django's name for it: \
                 `{name}::PK.eq(..)` works wherever a field does."
            );
            columns.push(quote! {
                #[doc = #doc]
                #vis const PK: ::fullstack::Column<#name, #ty> =
                    ::fullstack::Column::new(#fname, #column);
            });
        }
        index += 1;
    }

    let constructor = crate::constructor::constructor(name, vis, fields);
    // Unset names stay `None`: `ModelMeta::verbose_name()` derives them, in one place.
    let verbose_name = model
        .verbose_name
        .as_ref()
        .map(|v| quote!(.with_verbose_name(#v)));
    let verbose_name_plural = model
        .verbose_name_plural
        .as_ref()
        .map(|v| quote!(.with_verbose_name_plural(#v)));
    let ordering = &model.ordering;
    let (n_fields, n_indexes, n_m2m) = (metas.len(), model.indexes.len(), m2m.len());
    let indexes = model.indexes.iter().map(|(list, unique)| {
        let names: Vec<String> = list.iter().map(syn::LitStr::value).collect();
        let index_name = format!(
            "{table}_{}_{}",
            names.join("_"),
            if *unique { "uniq" } else { "idx" }
        );
        quote! {
            ::fullstack::model::IndexMeta {
                name: #index_name,
                fields: &[#(#names),*],
                unique: #unique,
            }
        }
    });

    quote! {
        #[automatically_derived]
        impl ::fullstack::Model for #name {
            const META: &'static ::fullstack::ModelMeta = {
                // Statics, not `&[...]` arguments: a through model's join columns are read from
                // its own static, which promotion to `'static` cannot do.
                static FIELDS: [::fullstack::model::FieldMeta; #n_fields] = [#(#metas),*];
                static INDEXES: [::fullstack::model::IndexMeta; #n_indexes] = [#(#indexes),*];
                static MANY_TO_MANY: [::fullstack::model::ManyToManyMeta; #n_m2m] = [#(#m2m),*];
                static META: ::fullstack::ModelMeta =
                    ::fullstack::ModelMeta::new(#app, #name_str, #table, &FIELDS)
                        .indexes(&INDEXES)
                        .many_to_many(&MANY_TO_MANY)
                        .ordering(&[#(#ordering),*])
                        #verbose_name
                        #verbose_name_plural;
                &META
            };

            fn from_row(
                row: &::fullstack::Row,
                offset: usize,
            ) -> ::core::result::Result<Self, ::fullstack::Error> {
                ::core::result::Result::Ok(#name { #(#readers,)* })
            }

            fn values(&self) -> ::std::vec::Vec<::fullstack::Value> {
                ::std::vec![#(#values),*]
            }

            fn from_values(
                values: ::std::vec::Vec<::fullstack::Value>,
            ) -> ::core::result::Result<Self, ::fullstack::Error> {
                #[allow(unused_mut, unused_variables)]
                let mut values = values.into_iter();
                ::core::result::Result::Ok(#name { #(#from_values,)* })
            }

            fn pk(&self) -> ::fullstack::Value {
                #pk_expr
            }

            fn set_pk(&mut self, pk: i64) {
                #set_pk
            }
        }

        #[automatically_derived]
        impl #name {
            #(#columns)*
        }

        #constructor

        #(#accessors)*

        #(#checks)*
    }
}

/// The reverse accessor of one relation: a trait (a method cannot be added to the target
/// model directly, which may live in another crate) named after the model and field
/// (`ChoiceByQuestion`), with one method (`choice_set`) returning `body`, implemented for the
/// target.
fn reverse_accessor_trait(
    vis: &syn::Visibility,
    name: &Ident,
    f: &Field,
    target: &Type,
    method: &str,
    body: TokenStream,
) -> TokenStream {
    let trait_name = format_ident!("{name}By{}", pascal_case(&f.name));
    let method = format_ident!("{method}", span = f.ident.span());
    let trait_doc = format!(
        "The reverse accessor of `{name}::{}`: `{}.{method}()` gives the `{name}`s that point \
         at it. Bring it into scope (`use ...::{trait_name}`, or a glob import of the models) \
         to call it.",
        f.name,
        quote!(#target).to_string().to_lowercase(),
    );
    let method_doc = format!(
        "The `{name}` rows whose `{}` holds this one, as a queryset (Django's \
         `{method}.all()`).",
        f.name
    );
    quote! {
        #[doc = #trait_doc]
        #vis trait #trait_name {
            #[doc = #method_doc]
            fn #method(&self) -> ::fullstack::query::QuerySet<#name>;
        }

        #[automatically_derived]
        impl #trait_name for #target {
            fn #method(&self) -> ::fullstack::query::QuerySet<#name> {
                #body
            }
        }
    }
}
