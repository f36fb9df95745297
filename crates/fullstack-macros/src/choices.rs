//! `#[derive(Choices)]`: an enum of unit variants as the choices of a form field.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Error, Fields, LitStr, Result};

use crate::attrs::{key_of, set_once, string, words};

/// `InReview` -> `in_review`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// `InReview` -> `In review`.
fn words_of(name: &str) -> String {
    let snake = snake(name).replace('_', " ");
    let mut chars = snake.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub(crate) fn expand(input: &DeriveInput) -> Result<TokenStream> {
    let name = &input.ident;
    let Data::Enum(data) = &input.data else {
        return Err(Error::new_spanned(
            name,
            "#[derive(Choices)] needs an enum whose variants are the choices: \
             `enum Color { Red, Green }`",
        ));
    };
    if !input.generics.params.is_empty() {
        return Err(Error::new_spanned(
            &input.generics,
            "#[derive(Choices)] does not take generic parameters",
        ));
    }
    if data.variants.is_empty() {
        return Err(Error::new_spanned(
            name,
            "#[derive(Choices)] needs at least one variant",
        ));
    }
    let mut variants = Vec::new();
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(Error::new_spanned(
                &variant.fields,
                "a choice is a variant without fields: `Draft`, not `Draft(..)`",
            ));
        }
        let ident = &variant.ident;
        let mut value: Option<LitStr> = None;
        let mut label: Option<LitStr> = None;
        for attr in variant.attrs.iter().filter(|a| a.path().is_ident("choice")) {
            attr.parse_nested_meta(|meta| match key_of(&meta)?.as_str() {
                "value" => set_once(&mut value, &meta, string(&meta, "value = \"d\"")?),
                "label" => set_once(&mut label, &meta, words(&meta, "label = \"Draft\"")?),
                other => Err(meta.error(format!(
                    "unknown choice attribute `{other}`; expected one of: value, label"
                ))),
            })?;
        }
        let span = ident.span();
        values.push(value.unwrap_or_else(|| LitStr::new(&snake(&ident.to_string()), span)));
        labels.push(label.unwrap_or_else(|| LitStr::new(&words_of(&ident.to_string()), span)));
        variants.push(ident);
    }
    Ok(quote! {
        impl ::fullstack::forms::Choices for #name {
            fn choices() -> ::std::vec::Vec<(::std::string::String, ::std::string::String)> {
                ::std::vec![#((::std::string::String::from(#values), ::std::string::String::from(#labels))),*]
            }

            fn from_choice(value: &str) -> ::std::option::Option<Self> {
                match value {
                    #(#values => ::std::option::Option::Some(Self::#variants),)*
                    _ => ::std::option::Option::None,
                }
            }

            fn choice_value(&self) -> &'static str {
                match self {
                    #(Self::#variants => #values,)*
                }
            }
        }

        impl ::fullstack::forms::FormField for #name {
            fn field(name: &str) -> ::fullstack::forms::Field {
                ::fullstack::forms::Field::new(name, ::fullstack::forms::FieldKind::Choice)
                    .choices(<Self as ::fullstack::forms::Choices>::choices())
            }

            fn from_value(
                value: ::fullstack::forms::FormValue,
            ) -> ::std::result::Result<Self, ::std::string::String> {
                ::fullstack::forms::choice_from_value(value)
            }
        }
    })
}
