//! The `new` constructor of a model: the fields without a default are its arguments, every
//! other field starts with its declared `default` (the one migrations give the column), `None`,
//! or 0 for an auto primary key (unsaved).

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens as _, quote};

use crate::attrs::DefaultLit;
use crate::expand::{Field, Kind};

/// How one field gets its first value in `new`.
enum Start {
    /// An argument of `new`.
    Argument,
    /// This expression.
    Value(TokenStream),
}

/// `impl Model { pub fn new(required..) -> Self }`.
pub(crate) fn constructor(
    name: &syn::Ident,
    vis: &syn::Visibility,
    fields: &[Field],
) -> TokenStream {
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut asked = Vec::new();
    let mut given = Vec::new();
    for f in fields {
        let ident = &f.ident;
        let ty = &f.ty;
        match start(f) {
            Start::Argument => {
                params.push(quote!(#ident: impl ::core::convert::Into<#ty>));
                inits.push(quote!(#ident: ::core::convert::Into::into(#ident)));
                asked.push(format!("`{}`", f.name));
            }
            Start::Value(value) => {
                inits.push(quote!(#ident: #value));
                if !matches!(f.kind, Kind::ManyToMany(_)) {
                    given.push(format!("`{}`", f.name));
                }
            }
        }
    }
    let doc = format!(
        "A new, unsaved `{name}`. The arguments are the fields without a default ({}); {} \
         start with their declared `default`, `None`, or 0 for the auto primary key (which \
         marks the instance unsaved). Change any of them with struct update syntax: \
         `{name} {{ field: .., ..{name}::new(..) }}`.",
        if asked.is_empty() {
            "none".to_owned()
        } else {
            asked.join(", ")
        },
        if given.is_empty() {
            "the others".to_owned()
        } else {
            given.join(", ")
        },
    );
    quote! {
        #[automatically_derived]
        impl #name {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            #[must_use]
            #vis fn new(#(#params),*) -> Self {
                #name { #(#inits,)* }
            }
        }
    }
}

fn start(f: &Field) -> Start {
    if matches!(f.kind, Kind::ManyToMany(_)) {
        return Start::Value(quote!(::core::default::Default::default()));
    }
    if f.auto {
        return Start::Value(quote!(0));
    }
    let none = quote!(::core::option::Option::None);
    let Some((default, _)) = &f.attrs.default else {
        return if f.optional {
            Start::Value(none)
        } else {
            Start::Argument
        };
    };
    if matches!(default, DefaultLit::Null) {
        return Start::Value(none);
    }
    let Some(value) = value(default, f) else {
        // A type the derive does not know by name (a UUID, JSON, a type of the user's): the
        // caller gives the value; the default is still the column's, for migrations.
        return Start::Argument;
    };
    if f.optional {
        Start::Value(quote!(::core::option::Option::Some(#value)))
    } else {
        Start::Value(value)
    }
}

/// The Rust value of a default the derive checked against the field's type.
fn value(default: &DefaultLit, f: &Field) -> Option<TokenStream> {
    if matches!(f.kind, Kind::ForeignKey(_) | Kind::OneToOne(_)) {
        let DefaultLit::Int(id) = default else {
            return None;
        };
        return Some(quote!(::core::convert::From::from(#id)));
    }
    let base = f.base.as_str();
    Some(match (default, base) {
        (DefaultLit::Int(i), "i16" | "i32" | "i64") => {
            Literal::i64_unsuffixed(*i).into_token_stream()
        }
        #[allow(clippy::cast_precision_loss)]
        (DefaultLit::Int(i), "f32" | "f64") => {
            Literal::f64_unsuffixed(*i as f64).into_token_stream()
        }
        (DefaultLit::Float(x), "f32" | "f64") => Literal::f64_unsuffixed(*x).into_token_stream(),
        (DefaultLit::Bool(b), "bool") => quote!(#b),
        (DefaultLit::Text(s), "String") => quote!(::std::string::String::from(#s)),
        (DefaultLit::Text(s), "Decimal") => decimal(s.trim()),
        (DefaultLit::Int(i), "Decimal") => decimal(&i.to_string()),
        (DefaultLit::Float(x), "Decimal") => decimal(&x.to_string()),
        (DefaultLit::Now, "DateTime" | "NaiveDate") => {
            let inner = inner_type(f);
            quote!(<#inner as ::fullstack::model::defaults::Now>::now())
        }
        _ => return None,
    })
}

fn decimal(text: &str) -> TokenStream {
    quote!(::fullstack::model::defaults::decimal(#text))
}

/// The field's type inside its `Option`, if any.
fn inner_type(f: &Field) -> syn::Type {
    crate::expand::generic_of(&f.ty, "Option")
        .cloned()
        .unwrap_or_else(|| f.ty.clone())
}
