//! A project's own change list actions (Django's `ModelAdmin.actions`): a function run on the
//! selected rows, offered to users with the permission it names, checked again on the POST.
//! `delete_selected`, which every model has, lives in `delete.rs`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::db::Value;
use crate::model::Model;
use crate::query::{FieldPath, ModelExt};
use crate::{Database, Error};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type Run<M> =
    Arc<dyn Fn(Database, Vec<M>) -> BoxFuture<'static, Result<String, Error>> + Send + Sync>;

/// One action of a `ModelAdmin`.
pub(crate) struct Action<M> {
    pub(crate) name: &'static str,
    pub(crate) description: String,
    /// The permission it needs (`"change"`: `polls.change_question`).
    pub(crate) permission: &'static str,
    run: Run<M>,
}

impl<M> Clone for Action<M> {
    fn clone(&self) -> Self {
        Action {
            name: self.name,
            description: self.description.clone(),
            permission: self.permission,
            run: self.run.clone(),
        }
    }
}

impl<M: Model> Action<M> {
    pub(crate) fn new<F, Fut>(
        name: &'static str,
        description: String,
        permission: &'static str,
        run: F,
    ) -> Self
    where
        F: Fn(Database, Vec<M>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<String, Error>> + Send + 'static,
    {
        Action {
            name,
            description,
            permission,
            run: Arc::new(move |db, rows| Box::pin(run(db, rows))),
        }
    }

    /// Reads the rows of `pks` and runs the action on them: its message for the user.
    pub(crate) async fn run(&self, db: &Database, pks: Vec<Value>) -> Result<String, Error> {
        let pk =
            FieldPath::<M>::parse(M::META.pk().name).map_err(|e| Error::Usage(e.to_string()))?;
        let rows = M::objects().filter(pk.is_in(pks)).all(db).await?;
        (self.run)(db.clone(), rows).await
    }
}

/// What the change list's action select shows of an action.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct ActionChoice {
    pub(crate) name: &'static str,
    pub(crate) description: String,
    #[serde(skip)]
    pub(crate) permission: &'static str,
}
