//! The derive macros of `fullstack`. Use them through `fullstack` (`use fullstack::Model;`),
//! never directly: the generated code names `::fullstack` paths.

mod attrs;
mod expand;

use proc_macro::TokenStream;

/// Derives `fullstack::Model` for a struct with named fields: the static `ModelMeta`, `from_row`,
/// `values`, `pk`, `set_pk`, and one typed `Column` constant per field
/// (`Question::PUB_DATE`).
///
/// Container attribute: `#[model(table = "...", app = "...", ordering = ["-pub_date", "id"],
/// index = ["a", "b"], unique = ["a", "b"])]`. Field attribute: `#[field(primary_key, auto,
/// unique, index, null, max_length = 200, max_digits = 10, decimal_places = 2, default = 0 | 1.5 | "text" | true | now | null,
/// choices = [("d", "Draft")], column = "...", on_delete = cascade, related_name = "...")]`.
/// `docs/fullstack/models.md` describes each one.
#[proc_macro_derive(Model, attributes(model, field))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
