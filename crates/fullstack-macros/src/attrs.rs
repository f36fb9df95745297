//! Parsing of `#[model(...)]` and `#[field(...)]`.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{Attribute, Error, Ident, Lit, LitStr, Result, Token, bracketed, parenthesized};

/// What `#[model(...)]` says.
#[derive(Default)]
pub(crate) struct ModelAttrs {
    pub(crate) table: Option<LitStr>,
    pub(crate) app: Option<LitStr>,
    pub(crate) ordering: Vec<LitStr>,
    /// `(fields, unique)`.
    pub(crate) indexes: Vec<(Vec<LitStr>, bool)>,
    pub(crate) verbose_name: Option<LitStr>,
    pub(crate) verbose_name_plural: Option<LitStr>,
}

const MODEL_KEYS: &str = "table, app, ordering, index, unique, verbose_name, verbose_name_plural";

impl ModelAttrs {
    pub(crate) fn parse(attrs: &[Attribute]) -> Result<ModelAttrs> {
        let mut out = ModelAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("model")) {
            attr.parse_nested_meta(|meta| {
                let key = key_of(&meta)?;
                match key.as_str() {
                    "table" => set_once(
                        &mut out.table,
                        &meta,
                        string(&meta, "table = \"polls_question\"")?,
                    ),
                    "app" => set_once(&mut out.app, &meta, string(&meta, "app = \"polls\"")?),
                    "verbose_name" => set_once(
                        &mut out.verbose_name,
                        &meta,
                        words(&meta, "verbose_name = \"poll question\"")?,
                    ),
                    "verbose_name_plural" => set_once(
                        &mut out.verbose_name_plural,
                        &meta,
                        words(&meta, "verbose_name_plural = \"poll questions\"")?,
                    ),
                    "ordering" => {
                        out.ordering = string_list(&meta, "ordering = [\"-pub_date\", \"id\"]")?;
                        Ok(())
                    }
                    "index" | "unique" => {
                        let fields = string_list(&meta, "index = [\"question\", \"votes\"]")?;
                        if fields.is_empty() {
                            return Err(
                                meta.error(format!("`{key}` needs at least one field name"))
                            );
                        }
                        out.indexes.push((fields, key == "unique"));
                        Ok(())
                    }
                    _ => Err(meta.error(format!(
                        "unknown model attribute `{key}`; expected one of: {MODEL_KEYS}"
                    ))),
                }
            })?;
        }
        Ok(out)
    }
}

/// A `default = ...` value.
pub(crate) enum DefaultLit {
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Now,
    Null,
}

impl DefaultLit {
    /// How the value is written in the error messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            DefaultLit::Int(_) => "a whole number",
            DefaultLit::Float(_) => "a decimal number",
            DefaultLit::Text(_) => "a string",
            DefaultLit::Bool(_) => "a boolean",
            DefaultLit::Now => "`now`",
            DefaultLit::Null => "`null`",
        }
    }

    /// The `DefaultValue` expression; `float` when the field is an `f32` or `f64` (an integer
    /// literal becomes a float).
    pub(crate) fn tokens(&self, float: bool) -> TokenStream {
        let dv = quote!(::fullstack::model::DefaultValue);
        match self {
            DefaultLit::Int(i) if float => {
                #[allow(clippy::cast_precision_loss)]
                let f = *i as f64;
                quote!(#dv::Float(#f))
            }
            DefaultLit::Int(i) => quote!(#dv::Int(#i)),
            DefaultLit::Float(f) => quote!(#dv::Float(#f)),
            DefaultLit::Text(s) => quote!(#dv::Text(#s)),
            DefaultLit::Bool(b) => quote!(#dv::Bool(#b)),
            DefaultLit::Now => quote!(#dv::Now),
            DefaultLit::Null => quote!(#dv::Null),
        }
    }
}

/// What `#[field(...)]` says; each value keeps the span of what the user wrote, for errors.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) primary_key: Option<Span>,
    pub(crate) auto: Option<Span>,
    pub(crate) unique: Option<Span>,
    /// `index`, `index = true` or `index = false` (a foreign key is indexed unless it says
    /// `false`), with the span of the attribute.
    pub(crate) index: Option<(bool, Span)>,
    pub(crate) null: Option<Span>,
    pub(crate) max_length: Option<(u32, Span)>,
    pub(crate) max_digits: Option<(u32, Span)>,
    pub(crate) decimal_places: Option<(u32, Span)>,
    pub(crate) default: Option<(DefaultLit, Span)>,
    pub(crate) choices: Option<(Vec<(LitStr, LitStr)>, Span)>,
    pub(crate) column: Option<LitStr>,
    pub(crate) on_delete: Option<Ident>,
    pub(crate) related_name: Option<LitStr>,
    /// A many-to-many relation's through model.
    pub(crate) through: Option<syn::Type>,
    /// The through model's keys to this model and to the target.
    pub(crate) through_fields: Option<(LitStr, LitStr)>,
    /// `symmetrical = true/false`, with the span of the attribute.
    pub(crate) symmetrical: Option<(bool, Span)>,
    pub(crate) verbose_name: Option<LitStr>,
    pub(crate) help_text: Option<LitStr>,
    /// `slug`, `email` or `url`: what a text field holds.
    pub(crate) text: Option<(String, Span)>,
}

const FIELD_KEYS: &str = "primary_key, auto, unique, index, null, max_length, max_digits, \
                          decimal_places, default, choices, column, on_delete, related_name, \
                          through, through_fields, symmetrical, verbose_name, help_text, slug, \
                          email, url";

impl FieldAttrs {
    pub(crate) fn parse(attrs: &[Attribute]) -> Result<FieldAttrs> {
        let mut out = FieldAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("field")) {
            attr.parse_nested_meta(|meta| {
                let key = key_of(&meta)?;
                let span = meta
                    .path
                    .get_ident()
                    .map_or_else(Span::call_site, Ident::span);
                match key.as_str() {
                    "primary_key" => flag(&mut out.primary_key, &meta, span),
                    "auto" => flag(&mut out.auto, &meta, span),
                    "unique" => flag(&mut out.unique, &meta, span),
                    "index" => {
                        let mut on = None;
                        flag(&mut on, &meta, span)?;
                        set_once(&mut out.index, &meta, (on.is_some(), span))
                    }
                    "null" => flag(&mut out.null, &meta, span),
                    "slug" | "email" | "url" => {
                        let mut on = None;
                        flag(&mut on, &meta, span)?;
                        if on.is_none() {
                            return Ok(());
                        }
                        set_once(&mut out.text, &meta, (key.clone(), span))
                    }
                    "max_length" => {
                        let n = number(&meta, "max_length = 200", 1)?;
                        set_once(&mut out.max_length, &meta, (n, span))
                    }
                    "max_digits" => {
                        let n = number(&meta, "max_digits = 10", 1)?;
                        set_once(&mut out.max_digits, &meta, (n, span))
                    }
                    "decimal_places" => {
                        let n = number(&meta, "decimal_places = 2", 0)?;
                        set_once(&mut out.decimal_places, &meta, (n, span))
                    }
                    "default" => {
                        let d = default_value(&meta)?;
                        set_once(&mut out.default, &meta, (d, span))
                    }
                    "choices" => {
                        let choices = choice_list(&meta)?;
                        set_once(&mut out.choices, &meta, (choices, span))
                    }
                    "column" => {
                        let s = string(&meta, "column = \"name\"")?;
                        if s.value().is_empty() {
                            return Err(Error::new_spanned(s, "`column` cannot be empty"));
                        }
                        set_once(&mut out.column, &meta, s)
                    }
                    "on_delete" => {
                        let ident: Ident = value(&meta, "on_delete = cascade")?
                            .parse()
                            .map_err(|e| Error::new(e.span(), ON_DELETE_HELP))?;
                        if on_delete_variant(&ident).is_none() {
                            return Err(Error::new_spanned(ident, ON_DELETE_HELP));
                        }
                        set_once(&mut out.on_delete, &meta, ident)
                    }
                    "verbose_name" => {
                        let s = words(&meta, "verbose_name = \"date published\"")?;
                        set_once(&mut out.verbose_name, &meta, s)
                    }
                    "help_text" => {
                        let s = words(&meta, "help_text = \"When the poll opens.\"")?;
                        set_once(&mut out.help_text, &meta, s)
                    }
                    "related_name" => {
                        let s = string(&meta, "related_name = \"choices\"")?;
                        set_once(&mut out.related_name, &meta, s)
                    }
                    "through" => {
                        let ty: syn::Type = value(&meta, "through = Membership")?.parse()?;
                        set_once(&mut out.through, &meta, ty)
                    }
                    "through_fields" => {
                        let pair = string_pair(&meta)?;
                        set_once(&mut out.through_fields, &meta, pair)
                    }
                    "symmetrical" => {
                        let mut on = None;
                        flag(&mut on, &meta, span)?;
                        set_once(&mut out.symmetrical, &meta, (on.is_some(), span))
                    }
                    _ => Err(meta.error(format!(
                        "unknown field attribute `{key}`; expected one of: {FIELD_KEYS}"
                    ))),
                }
            })?;
        }
        Ok(out)
    }
}

pub(crate) const ON_DELETE_HELP: &str =
    "`on_delete` takes one of: cascade, protect, set_null, restrict, do_nothing";

/// The `OnDelete` variant an `on_delete = ...` identifier names.
pub(crate) fn on_delete_variant(ident: &Ident) -> Option<&'static str> {
    Some(match ident.to_string().as_str() {
        "cascade" => "Cascade",
        "protect" => "Protect",
        "set_null" => "SetNull",
        "restrict" => "Restrict",
        "do_nothing" => "DoNothing",
        _ => return None,
    })
}

pub(crate) fn key_of(meta: &ParseNestedMeta<'_>) -> Result<String> {
    meta.path
        .get_ident()
        .map(ToString::to_string)
        .ok_or_else(|| meta.error("expected a plain attribute name"))
}

pub(crate) fn set_once<T>(
    slot: &mut Option<T>,
    meta: &ParseNestedMeta<'_>,
    value: T,
) -> Result<()> {
    if slot.is_some() {
        return Err(meta.error("this attribute is given twice; keep one"));
    }
    *slot = Some(value);
    Ok(())
}

/// The stream after `=`, with an error that shows the expected form when `=` is missing.
pub(crate) fn value<'a>(
    meta: &ParseNestedMeta<'a>,
    example: &str,
) -> Result<syn::parse::ParseStream<'a>> {
    if !meta.input.peek(Token![=]) {
        return Err(meta.error(format!("expected a value: `{example}`")));
    }
    meta.value()
}

/// A flag: `unique`, or `unique = true` / `unique = false`.
pub(crate) fn flag(slot: &mut Option<Span>, meta: &ParseNestedMeta<'_>, span: Span) -> Result<()> {
    let on = if meta.input.peek(Token![=]) {
        let lit: Lit = meta.value()?.parse()?;
        match lit {
            Lit::Bool(b) => b.value,
            other => {
                return Err(Error::new_spanned(
                    other,
                    "a flag is written alone (`unique`) or with `= true` / `= false`",
                ));
            }
        }
    } else {
        true
    };
    if slot.is_some() {
        return Err(meta.error("this attribute is given twice; keep one"));
    }
    if on {
        *slot = Some(span);
    }
    Ok(())
}

/// A whole number of at least `min`: `max_length = 200`.
pub(crate) fn number(meta: &ParseNestedMeta<'_>, example: &str, min: u32) -> Result<u32> {
    let lit: Lit = value(meta, example)?.parse()?;
    let n = match &lit {
        Lit::Int(i) => i.base10_parse::<u32>().ok().filter(|n| *n >= min),
        _ => None,
    };
    n.ok_or_else(|| {
        let key = example.split(' ').next().unwrap_or(example);
        let what = if min > 0 {
            "a positive whole number"
        } else {
            "a whole number"
        };
        Error::new_spanned(lit, format!("`{key}` takes {what}: `{example}`"))
    })
}

pub(crate) fn string(meta: &ParseNestedMeta<'_>, example: &str) -> Result<LitStr> {
    let lit: Lit = value(meta, example)?.parse()?;
    match lit {
        Lit::Str(s) => Ok(s),
        other => Err(Error::new_spanned(
            other,
            format!("expected a string: `{example}`"),
        )),
    }
}

/// A string for people (a verbose name, a help text): not empty, since an empty name would
/// leave a blank label.
pub(crate) fn words(meta: &ParseNestedMeta<'_>, example: &str) -> Result<LitStr> {
    let s = string(meta, example)?;
    if s.value().trim().is_empty() {
        let key = example.split(' ').next().unwrap_or(example);
        return Err(Error::new_spanned(
            s,
            format!("`{key}` cannot be empty: leave it out, or write `{example}`"),
        ));
    }
    Ok(s)
}

/// `["a", "b"]`.
pub(crate) fn string_list(meta: &ParseNestedMeta<'_>, example: &str) -> Result<Vec<LitStr>> {
    let input = value(meta, example)?;
    let content;
    if !input.peek(syn::token::Bracket) {
        return Err(Error::new(
            input.span(),
            format!("expected a list of strings: `{example}`"),
        ));
    }
    let _ = bracketed!(content in input);
    let items: Punctuated<Lit, Token![,]> = Punctuated::parse_terminated(&content)?;
    items
        .into_iter()
        .map(|lit| match lit {
            Lit::Str(s) => Ok(s),
            other => Err(Error::new_spanned(
                other,
                format!("expected a list of strings: `{example}`"),
            )),
        })
        .collect()
}

/// `("group", "person")`.
fn string_pair(meta: &ParseNestedMeta<'_>) -> Result<(LitStr, LitStr)> {
    const HELP: &str = "`through_fields` takes two field names of the through model, the key to \
                        this model first: `through_fields = (\"group\", \"person\")`";
    let input = value(meta, "through_fields = (\"group\", \"person\")")?;
    if !input.peek(syn::token::Paren) {
        return Err(Error::new(input.span(), HELP));
    }
    let content;
    let _ = parenthesized!(content in input);
    let items: Punctuated<Lit, Token![,]> = Punctuated::parse_terminated(&content)?;
    let mut names = Vec::new();
    for lit in items {
        match lit {
            Lit::Str(s) if !s.value().is_empty() => names.push(s),
            other => return Err(Error::new_spanned(other, HELP)),
        }
    }
    match <[LitStr; 2]>::try_from(names) {
        Ok([a, b]) => Ok((a, b)),
        Err(_) => Err(Error::new(content.span(), HELP)),
    }
}

/// `[("d", "Draft"), ("p", "Published")]`.
pub(crate) fn choice_list(meta: &ParseNestedMeta<'_>) -> Result<Vec<(LitStr, LitStr)>> {
    const HELP: &str =
        "`choices` takes a list of (value, label) string pairs: `choices = [(\"d\", \"Draft\")]`";
    let input = value(meta, "choices = [(\"d\", \"Draft\")]")?;
    let content;
    if !input.peek(syn::token::Bracket) {
        return Err(Error::new(input.span(), HELP));
    }
    let _ = bracketed!(content in input);
    let mut out = Vec::new();
    while !content.is_empty() {
        let pair;
        if !content.peek(syn::token::Paren) {
            return Err(Error::new(content.span(), HELP));
        }
        let _ = parenthesized!(pair in content);
        let value: Lit = pair.parse()?;
        let _: Token![,] = pair.parse().map_err(|e| Error::new(e.span(), HELP))?;
        let label: Lit = pair.parse()?;
        let _: Option<Token![,]> = pair.parse()?;
        match (value, label) {
            (Lit::Str(v), Lit::Str(l)) if pair.is_empty() => out.push((v, l)),
            (v, _) => return Err(Error::new_spanned(v, HELP)),
        }
        if content.is_empty() {
            break;
        }
        let _: Token![,] = content.parse()?;
    }
    Ok(out)
}

/// `0`, `-1`, `1.5`, `"text"`, `true`, `now`, `null`.
fn default_value(meta: &ParseNestedMeta<'_>) -> Result<DefaultLit> {
    const HELP: &str = "`default` takes a number, a string, `true`/`false`, `now` or `null`";
    let input = value(meta, "default = 0")?;
    let negative = input.parse::<Option<Token![-]>>()?.is_some();
    if !negative && input.peek(Ident) {
        let ident: Ident = input.parse()?;
        return match ident.to_string().as_str() {
            "now" => Ok(DefaultLit::Now),
            "null" => Ok(DefaultLit::Null),
            _ => Err(Error::new_spanned(ident, HELP)),
        };
    }
    let lit: Lit = input.parse().map_err(|e| Error::new(e.span(), HELP))?;
    let sign: i32 = if negative { -1 } else { 1 };
    match &lit {
        Lit::Int(i) => {
            return i
                .base10_parse::<i64>()
                .map(|n| DefaultLit::Int(i64::from(sign) * n))
                .map_err(|_| Error::new_spanned(&lit, "`default` is out of range for an i64"));
        }
        Lit::Float(f) => {
            return f
                .base10_parse::<f64>()
                .map(|n| DefaultLit::Float(f64::from(sign) * n));
        }
        Lit::Str(s) if !negative => return Ok(DefaultLit::Text(s.value())),
        Lit::Bool(b) if !negative => return Ok(DefaultLit::Bool(b.value)),
        _ => {}
    }
    Err(Error::new_spanned(lit, HELP))
}
