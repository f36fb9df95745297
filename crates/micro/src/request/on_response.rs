//! Work a request schedules on its own response: what an extractor that must act after the
//! handler (a server-side session saving itself, messages storing themselves) registers instead
//! of wrapping every request in a tower layer. A request that schedules nothing pays nothing.

use std::sync::{Arc, Mutex};

use crate::handler::BoxFuture;
use crate::response::Response;

/// One step: takes the response, gives back the one to send.
pub(crate) type Step = Box<dyn FnOnce(Response) -> BoxFuture<'static, Response> + Send>;

/// The steps of one request, shared by the copies of a request that a handler's `Request`
/// argument or per-route layers make (so a step registered on a copy runs too). Empty and
/// unallocated until a step is registered or the request is copied.
#[derive(Default, Clone)]
pub(crate) struct OnResponse(Option<Arc<Mutex<Vec<Step>>>>);

impl OnResponse {
    pub(crate) fn push(&mut self, step: Step) {
        let steps = self.0.get_or_insert_with(Default::default);
        steps.lock().unwrap_or_else(|p| p.into_inner()).push(step);
    }

    /// The list every copy shares (made now if there was none).
    pub(crate) fn share(&mut self) -> OnResponse {
        self.0.get_or_insert_with(Default::default);
        self.clone()
    }

    /// The registered steps, in registration order; none afterwards.
    pub(crate) fn take(&self) -> Vec<Step> {
        match &self.0 {
            None => Vec::new(),
            Some(steps) => std::mem::take(&mut *steps.lock().unwrap_or_else(|p| p.into_inner())),
        }
    }
}
