//! What a run found: every check by name, passed or not, and why not.

/// One check.
#[derive(Debug, Clone)]
pub struct Check {
    /// What it checks, as a sentence.
    pub name: String,
    /// Whether it is one of the security checks (CSRF, escaping, access, redirects, headers).
    pub security: bool,
    /// Whether the blog passed it.
    pub passed: bool,
    /// What was seen instead, when it failed.
    pub detail: String,
}

/// Every check of a run, in order.
#[derive(Debug, Default)]
pub struct Report {
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// Records a behaviour check.
    pub fn check(&mut self, name: impl Into<String>, passed: bool, detail: impl Into<String>) {
        self.push(name.into(), false, passed, detail.into());
    }

    /// Records a security check.
    pub fn security(&mut self, name: impl Into<String>, passed: bool, detail: impl Into<String>) {
        self.push(name.into(), true, passed, detail.into());
    }

    fn push(&mut self, name: String, security: bool, passed: bool, detail: String) {
        self.checks.push(Check {
            name,
            security,
            passed,
            detail: if passed { String::new() } else { detail },
        });
    }

    /// The checks that failed.
    pub fn failures(&self) -> Vec<&Check> {
        self.checks.iter().filter(|c| !c.passed).collect()
    }

    /// One line per check, `ok` or `FAILED` with what was seen.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for c in &self.checks {
            let kind = if c.security { " [security]" } else { "" };
            if c.passed {
                out.push_str(&format!("ok{kind}: {}\n", c.name));
            } else {
                out.push_str(&format!("FAILED{kind}: {}\n    {}\n", c.name, c.detail));
            }
        }
        let failed = self.failures().len();
        out.push_str(&format!(
            "{} checks, {} passed, {failed} failed\n",
            self.checks.len(),
            self.checks.len() - failed
        ));
        out
    }

    /// Panics, listing every failed check, unless all passed (and there were checks).
    ///
    /// # Panics
    /// When a check failed or none ran.
    pub fn assert_passed(&self) {
        assert!(!self.checks.is_empty(), "no check ran");
        assert!(
            self.failures().is_empty(),
            "the blog suite failed:\n{}",
            self.summary()
        );
    }
}
