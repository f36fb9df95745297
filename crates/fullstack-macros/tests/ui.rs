//! Misuses of `#[derive(Model)]` are compile errors that point at the user's code and say what
//! to do. The expected messages are in `ui/*.stderr` (`TRYBUILD=overwrite` rewrites them).

#[test]
fn misuse_is_a_compile_error() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
