// The static metadata can gain fields without breaking code: outside fullstack it is built with
// `new` and its setters, never with a struct literal.
use fullstack::model::{FieldMeta, ModelMeta};
use fullstack::ColumnType;

static FIELD: FieldMeta = FieldMeta {
    name: "id",
    ..FieldMeta::new("id", "id", ColumnType::BigInt)
};

static MODEL: ModelMeta = ModelMeta {
    app: "polls",
    name: "Question",
    table: "polls_question",
    fields: &[],
    indexes: &[],
    many_to_many: &[],
    ordering: &[],
};

fn main() {}
