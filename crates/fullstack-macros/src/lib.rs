//! The derive macros of `fullstack` (`Model`, `Form`, `Choices`). Use them through `fullstack`
//! (`use fullstack::Model;`, `use fullstack::forms::Form;`),
//! never directly: the generated code names `::fullstack` paths.

mod attrs;
mod choices;
mod constructor;
mod expand;
mod form;

use proc_macro::TokenStream;

/// Derives `fullstack::Model` for a struct with named fields: the static `ModelMeta`, `from_row`,
/// `values`, `pk`, `set_pk`, one typed `Column` constant per field (`Question::PUB_DATE`), and
/// `new(..)`, whose arguments are the fields without a default (the others start with their
/// `default`, `None`, or 0 for the unsaved auto key).
///
/// Container attribute: `#[model(table = "...", app = "...", ordering = ["-pub_date", "id"],
/// index = ["a", "b"], unique = ["a", "b"], verbose_name = "...", verbose_name_plural = "...")]`.
/// Field attribute: `#[field(primary_key, auto, unique, index, null, max_length = 200,
/// max_digits = 10, decimal_places = 2, default = 0 | 1.5 | "text" | true | now | null,
/// choices = [("d", "Draft")], column = "...", on_delete = cascade, related_name = "...",
/// verbose_name = "...", help_text = "...")]`.
/// `docs/fullstack/models.md` describes each one.
#[proc_macro_derive(Model, attributes(model, field))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `fullstack::forms::Form` for a struct with named fields: a `FormSpec` built once
/// from the fields (each type gives its field through `FormField`; `Option<T>` is not
/// required) and the conversion of the cleaned values into the struct.
///
/// Field attribute: `#[form(label = "...", help_text = "...", initial = "...",
/// placeholder = "...", widget = "textarea", kind = "email", required, strip = false,
/// max_length = 200, min_length = 2, min = 0, max = 10, max_digits = 5, decimal_places = 2,
/// choices = [("a", "A")], max_size = 1_000_000, content_types = ["image/png"],
/// clean = Self::clean_title, messages(required = "..."))]`; container attribute
/// `#[form(clean = Self::check)]`. `docs/fullstack/forms.md` describes each one.
#[proc_macro_derive(Form, attributes(form))]
pub fn derive_form(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    form::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Derives `fullstack::forms::Choices` (and `FormField`) for an enum of unit variants: each
/// variant is a choice, its value the variant's name in snake case and its label the name in
/// words, unless `#[choice(value = "d", label = "Draft")]` says otherwise.
#[proc_macro_derive(Choices, attributes(choice))]
pub fn derive_choices(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    choices::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
