//! `#[derive(Form)]`: the struct's fields become a runtime `FormSpec` (each type gives its
//! field through `FormField`, the attributes adjust it) and the cleaned values become the
//! struct. Cleaning itself is fullstack's runtime code, shared with runtime forms.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Expr, Fields, Path, Result};

use crate::attrs::{
    choice_list, flag, key_of, number, set_once, string, string_list, value, words,
};

const FIELD_KEYS: &str = "label, help_text, initial, placeholder, widget, kind, required, \
    max_length, min_length, strip, min, max, max_digits, decimal_places, choices, max_size, \
    content_types, clean, messages";

const WIDGETS: &[(&str, &str)] = &[
    ("text", "TextInput"),
    ("textarea", "Textarea"),
    ("password", "PasswordInput"),
    ("hidden", "HiddenInput"),
    ("number", "NumberInput"),
    ("email", "EmailInput"),
    ("url", "UrlInput"),
    ("checkbox", "CheckboxInput"),
    ("date", "DateInput"),
    ("datetime", "DateTimeInput"),
    ("time", "TimeInput"),
    ("select", "Select"),
    ("select_multiple", "SelectMultiple"),
    ("radio", "RadioSelect"),
    ("checkboxes", "CheckboxSelectMultiple"),
    ("file", "FileInput"),
];

/// The kinds a `String` (or an `UploadedFile`, for `image`) can be given.
const KINDS: &[(&str, &str)] = &[
    ("text", "Text"),
    ("email", "Email"),
    ("url", "Url"),
    ("slug", "Slug"),
    ("choice", "Choice"),
    ("image", "Image"),
];

fn names(list: &[(&str, &str)]) -> String {
    list.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

/// One name out of `list`, as the variant of `enum_name` it stands for.
fn one_of(
    meta: &ParseNestedMeta<'_>,
    list: &[(&str, &str)],
    key: &str,
    enum_name: &str,
) -> Result<TokenStream> {
    let lit = string(meta, &format!("{key} = \"{}\"", list[1].0))?;
    let Some((_, variant)) = list.iter().find(|(n, _)| *n == lit.value()) else {
        return Err(Error::new_spanned(
            &lit,
            format!(
                "unknown {key} `{}`; expected one of: {}",
                lit.value(),
                names(list)
            ),
        ));
    };
    let enum_ident = syn::Ident::new(enum_name, lit.span());
    let variant = syn::Ident::new(variant, lit.span());
    Ok(quote!(::fullstack::forms::#enum_ident::#variant))
}

/// The builder calls a field's attributes add, and its `clean` hook.
#[derive(Default)]
struct FieldAttrs {
    calls: Vec<TokenStream>,
    clean: Option<Path>,
}

fn parse_field(attrs: &[syn::Attribute]) -> Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    let mut seen: Vec<String> = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("form")) {
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta)?;
            if seen.contains(&key) {
                return Err(meta.error("this attribute is given twice; keep one"));
            }
            seen.push(key.clone());
            let call = match key.as_str() {
                "label" => {
                    let s = words(&meta, "label = \"Your name\"")?;
                    quote!(.label(#s))
                }
                "help_text" => {
                    let s = words(&meta, "help_text = \"Shown in lists.\"")?;
                    quote!(.help_text(#s))
                }
                "initial" => {
                    let s = string(&meta, "initial = \"draft\"")?;
                    quote!(.initial(#s))
                }
                "placeholder" => {
                    let s = string(&meta, "placeholder = \"you@example.com\"")?;
                    quote!(.placeholder(#s))
                }
                "widget" => {
                    let w = one_of(&meta, WIDGETS, "widget", "Widget")?;
                    quote!(.widget(#w))
                }
                "kind" => {
                    let k = one_of(&meta, KINDS, "kind", "FieldKind")?;
                    quote!(.kind(#k))
                }
                "required" => {
                    let mut on = None;
                    flag(&mut on, &meta, meta.path.span())?;
                    let on = on.is_some();
                    quote!(.required(#on))
                }
                "strip" => {
                    let mut on = None;
                    flag(&mut on, &meta, meta.path.span())?;
                    let on = on.is_some();
                    quote!(.strip(#on))
                }
                "max_length" | "min_length" => {
                    let n = number(&meta, &format!("{key} = 200"), 0)? as usize;
                    let method = syn::Ident::new(&key, meta.path.span());
                    quote!(.#method(#n))
                }
                "max_digits" | "decimal_places" => {
                    let n = number(&meta, &format!("{key} = 2"), 0)?;
                    let method = syn::Ident::new(&key, meta.path.span());
                    quote!(.#method(#n))
                }
                "min" | "max" => {
                    let expr: Expr = value(&meta, &format!("{key} = 0"))?.parse()?;
                    let method = syn::Ident::new(&format!("{key}_value"), meta.path.span());
                    quote_spanned!(expr.span()=> .#method(::fullstack::forms::AsBound::as_bound(#expr)))
                }
                "max_size" => {
                    let expr: Expr = value(&meta, "max_size = 1_000_000")?.parse()?;
                    quote_spanned!(expr.span()=> .max_size(::fullstack::forms::AsBound::as_size(#expr)))
                }
                "content_types" => {
                    let types = string_list(&meta, "content_types = [\"image/png\", \"image/*\"]")?;
                    quote!(#(.content_type(#types))*)
                }
                "choices" => {
                    let pairs = choice_list(&meta)?;
                    let (values, labels): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
                    quote!(.choices([#((#values, #labels)),*]))
                }
                "clean" => {
                    let path: Path = value(&meta, "clean = Self::clean_title")?.parse()?;
                    set_once(&mut out.clean, &meta, path)?;
                    return Ok(());
                }
                "messages" => {
                    let mut calls = Vec::new();
                    meta.parse_nested_meta(|inner| {
                        let code = key_of(&inner)?;
                        let text = words(&inner, "required = \"Tell us your name.\"")?;
                        calls.push(quote!(.message(#code, #text)));
                        Ok(())
                    })?;
                    quote!(#(#calls)*)
                }
                _ => {
                    return Err(meta.error(format!(
                        "unknown form field attribute `{key}`; expected one of: {FIELD_KEYS}"
                    )));
                }
            };
            out.calls.push(call);
            Ok(())
        })?;
    }
    Ok(out)
}

/// `#[form(clean = Self::check)]` on the struct.
fn parse_container(attrs: &[syn::Attribute]) -> Result<Option<Path>> {
    let mut clean = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("form")) {
        attr.parse_nested_meta(|meta| {
            let key = key_of(&meta)?;
            if key != "clean" {
                return Err(meta.error(format!(
                    "unknown form attribute `{key}`; the struct takes `clean = Self::check`, \
                     a `fn(&mut Self, &mut FormErrors)`"
                )));
            }
            let path: Path = value(&meta, "clean = Self::check")?.parse()?;
            set_once(&mut clean, &meta, path)
        })?;
    }
    Ok(clean)
}

pub(crate) fn expand(input: &DeriveInput) -> Result<TokenStream> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(Error::new_spanned(
            &input.generics,
            "#[derive(Form)] does not take generic parameters: a form's fields are built once, \
             for one type",
        ));
    }
    let fields = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => &named.named,
            _ => {
                return Err(Error::new_spanned(
                    name,
                    "#[derive(Form)] needs a struct with named fields: `struct Contact { subject: String }`",
                ));
            }
        },
        _ => {
            return Err(Error::new_spanned(
                name,
                "#[derive(Form)] needs a struct with named fields; for the choices of a field, \
                 derive `Choices` on an enum",
            ));
        }
    };
    let container_clean = parse_container(&input.attrs)?;

    let mut specs = Vec::new();
    let mut converts = Vec::new();
    let mut idents = Vec::new();
    let mut failed: Option<Error> = None;
    for field in fields {
        let ident = field.ident.as_ref().expect("named fields");
        let ty = &field.ty;
        let key = ident.to_string();
        let key = key.strip_prefix("r#").unwrap_or(&key).to_owned();
        // Every field's mistakes are reported at once, not one build at a time.
        let attrs = match parse_field(&field.attrs) {
            Ok(attrs) => attrs,
            Err(err) => {
                match &mut failed {
                    Some(all) => syn::Error::combine(all, err),
                    None => failed = Some(err),
                }
                continue;
            }
        };
        let calls = &attrs.calls;
        specs.push(quote_spanned! {ty.span()=>
            <#ty as ::fullstack::forms::FormField>::field(#key) #(#calls)*
        });
        let converted = match &attrs.clean {
            Some(path) => quote! {
                match (#path)(v) {
                    ::std::result::Result::Ok(v) => ::std::option::Option::Some(v),
                    ::std::result::Result::Err(e) => { __errors.add(#key, e); ::std::option::Option::None }
                }
            },
            None => quote!(::std::option::Option::Some(v)),
        };
        converts.push(quote_spanned! {ty.span()=>
            let #ident: ::std::option::Option<#ty> =
                match <#ty as ::fullstack::forms::FormField>::from_value(__data.take(#key)) {
                    ::std::result::Result::Ok(v) => #converted,
                    ::std::result::Result::Err(e) => { __errors.add(#key, e); ::std::option::Option::None }
                };
        });
        idents.push(ident);
    }
    if let Some(err) = failed {
        return Err(err);
    }
    let whole = container_clean.map(|path| quote!((#path)(&mut __value, &mut __errors);));
    Ok(quote! {
        impl ::fullstack::forms::Form for #name {
            fn spec() -> ::std::sync::Arc<::fullstack::forms::FormSpec> {
                static SPEC: ::std::sync::OnceLock<::std::sync::Arc<::fullstack::forms::FormSpec>> =
                    ::std::sync::OnceLock::new();
                SPEC.get_or_init(|| {
                    ::std::sync::Arc::new(::fullstack::forms::FormSpec::new() #(.field(#specs))*)
                })
                .clone()
            }

            fn from_form(form: &mut ::fullstack::forms::BoundForm) -> ::std::option::Option<Self> {
                let mut __data = form.take_cleaned();
                let mut __errors = ::fullstack::forms::FormErrors::new();
                #(#converts)*
                #[allow(unused_mut)]
                let mut __value = match (#(#idents,)*) {
                    (#(::std::option::Option::Some(#idents),)*) => Self { #(#idents),* },
                    #[allow(unreachable_patterns)]
                    _ => {
                        form.add_errors(__errors);
                        return ::std::option::Option::None;
                    }
                };
                #whole
                if !__errors.is_empty() {
                    form.add_errors(__errors);
                    return ::std::option::Option::None;
                }
                ::std::option::Option::Some(__value)
            }
        }
    })
}
