//! A handler (or hook, or guard) with two arguments that read the request body does not build;
//! the error names the handler's argument types and points at the line that registers it. The
//! expected messages are in `ui/*.stderr` (`TRYBUILD=overwrite` rewrites them).
//!
//! The error comes when the compiler evaluates constants of generic code, which `cargo check`
//! skips; the `pass` case makes trybuild run `cargo build`, and shows the arguments that may
//! stand together in any order.

#[test]
fn two_body_extractors_do_not_build() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
