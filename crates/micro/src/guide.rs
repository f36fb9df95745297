//! The micro guide, from the repository's `docs/micro/` folder. Every example in it is compiled and
//! run as a test.
#![doc = include_str!("../../../docs/micro/README.md")]

#[doc = include_str!("../../../docs/micro/routing.md")]
pub mod routing {}

#[doc = include_str!("../../../docs/micro/requests.md")]
pub mod requests {}

// Its register view renders a template.
#[cfg(feature = "templates")]
#[doc = include_str!("../../../docs/micro/responses.md")]
pub mod responses {}

#[cfg(feature = "static-files")]
#[doc = include_str!("../../../docs/micro/static-files.md")]
pub mod static_files {}

#[doc = include_str!("../../../docs/micro/errors.md")]
pub mod errors {}

#[doc = include_str!("../../../docs/micro/hooks.md")]
pub mod hooks {}

// The chapter's examples use the `multipart` feature; without it they are not compiled.
#[cfg(feature = "multipart")]
#[doc = include_str!("../../../docs/micro/uploads.md")]
pub mod uploads {}

// Its WebSocket examples need the `ws` feature.
#[cfg(feature = "ws")]
#[doc = include_str!("../../../docs/micro/streaming.md")]
pub mod streaming {}

#[doc = include_str!("../../../docs/micro/testing.md")]
pub mod testing {}

#[doc = include_str!("../../../docs/micro/commands.md")]
pub mod commands {}

#[doc = include_str!("../../../docs/micro/serving.md")]
pub mod serving {}

#[doc = include_str!("../../../docs/micro/blueprints.md")]
pub mod blueprints {}

#[doc = include_str!("../../../docs/micro/config.md")]
pub mod config {}

#[doc = include_str!("../../../docs/micro/sessions.md")]
pub mod sessions {}

#[doc = include_str!("../../../docs/micro/security.md")]
pub mod security {}

#[cfg(feature = "templates")]
#[doc = include_str!("../../../docs/micro/templates.md")]
pub mod templates {}
