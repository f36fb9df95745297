//! The derive macros of `fullstack`. Use them through `fullstack` (`use fullstack::Model;`),
//! never directly: the generated code names `::fullstack` paths.

mod attrs;
mod constructor;
mod expand;

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
