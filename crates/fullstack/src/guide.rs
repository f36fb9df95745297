//! The fullstack guide, from the repository's `docs/fullstack/` folder. Every example in it is
//! compiled as a test.

#[doc = include_str!("../../../docs/fullstack/models.md")]
pub mod models {}

#[doc = include_str!("../../../docs/fullstack/testing.md")]
pub mod testing {}

#[doc = include_str!("../../../docs/fullstack/settings.md")]
pub mod settings {}

#[doc = include_str!("../../../docs/fullstack/security.md")]
pub mod security {}

#[doc = include_str!("../../../docs/fullstack/sessions.md")]
pub mod sessions {}

#[doc = include_str!("../../../docs/fullstack/project.md")]
pub mod project {}

#[doc = include_str!("../../../docs/fullstack/migrations.md")]
pub mod migrations {}

#[doc = include_str!("../../../docs/fullstack/tutorial.md")]
pub mod tutorial {}

#[doc = include_str!("../../../docs/fullstack/messages.md")]
pub mod messages {}

#[doc = include_str!("../../../docs/fullstack/forms.md")]
pub mod forms {}

#[doc = include_str!("../../../docs/fullstack/auth.md")]
pub mod auth {}

#[doc = include_str!("../../../docs/fullstack/admin.md")]
pub mod admin {}

#[doc = include_str!("../../../docs/fullstack/pagination.md")]
pub mod pagination {}

#[doc = include_str!("../../../docs/fullstack/views.md")]
pub mod views {}

#[doc = include_str!("../../../docs/fullstack/mail.md")]
pub mod mail {}
