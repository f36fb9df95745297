//! Views that come with fullstack: Django's class-based [`generic`] views as builders that
//! become a micro route.

pub mod generic;
