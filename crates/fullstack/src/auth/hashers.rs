//! Password hashing in Django's encodings, so a Django user table logs in as it is:
//!
//! - `argon2$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`: Argon2id, what new passwords get
//!   (the `argon2` crate, OWASP's parameters);
//! - `pbkdf2_sha256$<iterations>$<salt>$<base64 hash>`: Django's default hasher, verified;
//! - `bcrypt_sha256$$2b$<cost>$...`: Django's bcrypt over the password's SHA-256, verified.
//!
//! A hash made by another algorithm or with other costs than the [`Hashers`]' preferred one
//! [needs a rehash](Verified::needs_rehash), which login does. A password starting with `!` is
//! unusable (Django's `set_unusable_password`): nothing matches it. Hashing is slow on purpose:
//! from async code use [`Hashers::hash_async`] and [`Hashers::verify_async`], which run on
//! tokio's blocking threads, so a login does not stall the other requests of its worker.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The prefix of an unusable password.
pub const UNUSABLE_PREFIX: char = '!';

/// One hashing algorithm with its costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hasher {
    /// Argon2id; `memory` in KiB.
    Argon2 {
        /// Memory cost in KiB (`m`).
        memory: u32,
        /// Passes (`t`).
        iterations: u32,
        /// Lanes (`p`).
        parallelism: u32,
    },
    /// PBKDF2 with HMAC-SHA256, Django's default.
    Pbkdf2Sha256 {
        /// Rounds (Django 6: 1,200,000).
        iterations: u32,
    },
    /// bcrypt over the hex SHA-256 of the password (so long passwords are not cut at 72
    /// bytes), Django's `BCryptSHA256PasswordHasher`.
    BcryptSha256 {
        /// bcrypt's cost, a power of two (Django: 12).
        cost: u32,
    },
}

impl Hasher {
    /// Argon2id with OWASP's parameters (19 MiB, 2 passes, 1 lane), as the `password-auth` crate.
    pub const ARGON2_DEFAULT: Hasher = Hasher::Argon2 {
        memory: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };
    /// PBKDF2-SHA256 at Django 6's 1,200,000 rounds.
    pub const PBKDF2_DEFAULT: Hasher = Hasher::Pbkdf2Sha256 {
        iterations: 1_200_000,
    };
    /// bcrypt at Django's cost 12.
    pub const BCRYPT_DEFAULT: Hasher = Hasher::BcryptSha256 { cost: 12 };

    /// The encoding's first part: `argon2`, `pbkdf2_sha256`, `bcrypt_sha256`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Hasher::Argon2 { .. } => "argon2",
            Hasher::Pbkdf2Sha256 { .. } => "pbkdf2_sha256",
            Hasher::BcryptSha256 { .. } => "bcrypt_sha256",
        }
    }

    /// Hashes `password` with a fresh random salt.
    pub fn hash(&self, password: &str) -> String {
        match *self {
            Hasher::Argon2 {
                memory,
                iterations,
                parallelism,
            } => {
                let salt = random_bytes::<16>();
                let hash = argon2_raw(password, &salt, memory, iterations, parallelism)
                    .unwrap_or_default();
                format!(
                    "argon2$argon2id$v=19$m={memory},t={iterations},p={parallelism}${}${}",
                    STANDARD_NO_PAD.encode(salt),
                    STANDARD_NO_PAD.encode(hash)
                )
            }
            Hasher::Pbkdf2Sha256 { iterations } => {
                // Django's salts: 22 characters of [a-zA-Z0-9].
                let salt = random_salt(22);
                pbkdf2_encode(password, &salt, iterations)
            }
            Hasher::BcryptSha256 { cost } => {
                let hashed = bcrypt::hash(sha256_hex(password), cost)
                    .unwrap_or_else(|_| unusable_password());
                format!("bcrypt_sha256${hashed}")
            }
        }
    }
}

/// `pbkdf2_sha256$<iterations>$<salt>$<base64>`, Django's `make_password(password, salt)`.
pub fn pbkdf2_encode(password: &str, salt: &str, iterations: u32) -> String {
    let mut out = [0u8; 32];
    // The non-generic entry point is compiled (and optimised) in the pbkdf2 crate; the generic
    // one would be compiled here, unoptimised in debug builds, and ten times slower.
    match pbkdf2::Params::new_with_output_len(iterations, 32) {
        Ok(params) => pbkdf2::pbkdf2_hmac_with_params(
            password.as_bytes(),
            salt.as_bytes(),
            pbkdf2::Algorithm::Pbkdf2Sha256,
            params,
            &mut out,
        ),
        Err(_) => pbkdf2::pbkdf2_hmac::<Sha256>(
            password.as_bytes(),
            salt.as_bytes(),
            iterations,
            &mut out,
        ),
    }
    format!("pbkdf2_sha256${iterations}${salt}${}", STANDARD.encode(out))
}

fn argon2_raw(
    password: &str,
    salt: &[u8],
    memory: u32,
    iterations: u32,
    parallelism: u32,
) -> Option<Vec<u8>> {
    let params = argon2::Params::new(memory, iterations, parallelism, Some(32)).ok()?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = vec![0u8; 32];
    argon
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .ok()?;
    Some(out)
}

fn sha256_hex(password: &str) -> String {
    Sha256::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    bytes
}

fn random_salt(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    // 62 does not divide 256: the bias (under 1%) is harmless for a salt, which need only be
    // unique.
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// A password nothing matches: `!` and 40 random characters (Django's
/// `make_password(None)`).
pub fn unusable_password() -> String {
    format!("{UNUSABLE_PREFIX}{}", random_salt(40))
}

/// Whether `encoded` can ever match a password.
pub fn is_usable(encoded: &str) -> bool {
    !encoded.is_empty() && !encoded.starts_with(UNUSABLE_PREFIX)
}

/// What [`Hashers::verify`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// The password matches.
    pub ok: bool,
    /// It matches, but the hash is of another algorithm or cost than the preferred one: store
    /// a new hash (login does).
    pub needs_rehash: bool,
}

/// The hasher new passwords get and the ones stored hashes are checked with (Django's
/// `PASSWORD_HASHERS`: the first hashes, all verify). Every known encoding verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hashers {
    /// What new passwords are hashed with.
    pub preferred: Hasher,
}

impl Default for Hashers {
    fn default() -> Self {
        Hashers {
            preferred: Hasher::ARGON2_DEFAULT,
        }
    }
}

impl Hashers {
    /// Hashers whose preferred one is `preferred`.
    pub fn new(preferred: Hasher) -> Self {
        Hashers { preferred }
    }

    /// Hashes `password` with the preferred hasher (blocking: see [`hash_async`](Self::hash_async)).
    pub fn hash(&self, password: &str) -> String {
        self.preferred.hash(password)
    }

    /// Checks `password` against `encoded` in constant time (blocking: see
    /// [`verify_async`](Self::verify_async)). An unusable, malformed or unknown encoding is no
    /// match, never an error.
    pub fn verify(&self, password: &str, encoded: &str) -> Verified {
        let no = Verified {
            ok: false,
            needs_rehash: false,
        };
        if !is_usable(encoded) {
            return no;
        }
        let Some((ok, used)) = verify_encoded(password, encoded) else {
            return no;
        };
        Verified {
            ok,
            needs_rehash: ok && used != self.preferred,
        }
    }

    /// [`hash`](Self::hash) on tokio's blocking threads.
    pub async fn hash_async(&self, password: &str) -> String {
        let (hashers, password) = (*self, password.to_owned());
        tokio::task::spawn_blocking(move || hashers.hash(&password))
            .await
            .unwrap_or_else(|_| unusable_password())
    }

    /// [`verify`](Self::verify) on tokio's blocking threads.
    pub async fn verify_async(&self, password: &str, encoded: &str) -> Verified {
        let (hashers, password, encoded) = (*self, password.to_owned(), encoded.to_owned());
        tokio::task::spawn_blocking(move || hashers.verify(&password, &encoded))
            .await
            .unwrap_or(Verified {
                ok: false,
                needs_rehash: false,
            })
    }

    /// Spends the time a real check costs, for a username that does not exist: so timing does
    /// not tell which usernames exist (Django's `make_password` on a dummy in
    /// `ModelBackend.authenticate`).
    pub async fn waste_time_async(&self, password: &str) {
        let _ = self.hash_async(password).await;
    }
}

/// Checks `password` against a usable `encoded`; `None` when the encoding is unknown or
/// malformed, else whether it matched and which hasher (with its costs) made it.
fn verify_encoded(password: &str, encoded: &str) -> Option<(bool, Hasher)> {
    let (algorithm, rest) = encoded.split_once('$')?;
    match algorithm {
        "pbkdf2_sha256" => {
            let mut parts = rest.splitn(3, '$');
            let iterations: u32 = parts.next()?.parse().ok()?;
            let salt = parts.next()?;
            let expected = parts.next()?;
            // A forged row must not make a login take forever nor panic.
            if iterations == 0 || iterations > 100_000_000 || salt.contains('$') {
                return None;
            }
            let computed = pbkdf2_encode(password, salt, iterations);
            let ok = eq(
                computed.rsplit('$').next().unwrap_or_default().as_bytes(),
                expected.as_bytes(),
            );
            Some((ok, Hasher::Pbkdf2Sha256 { iterations }))
        }
        "argon2" => {
            // argon2id$v=19$m=..,t=..,p=..$salt$hash
            let mut parts = rest.split('$');
            if parts.next()? != "argon2id" || parts.next()? != "v=19" {
                return None;
            }
            let (mut memory, mut iterations, mut parallelism) = (None, None, None);
            for kv in parts.next()?.split(',') {
                let (k, v) = kv.split_once('=')?;
                let v: u32 = v.parse().ok()?;
                match k {
                    "m" => memory = Some(v),
                    "t" => iterations = Some(v),
                    "p" => parallelism = Some(v),
                    _ => return None,
                }
            }
            let (memory, iterations, parallelism) = (memory?, iterations?, parallelism?);
            if memory > 4 * 1024 * 1024 || iterations > 1_000 || parallelism > 64 {
                return None;
            }
            let salt = STANDARD_NO_PAD.decode(parts.next()?).ok()?;
            let expected = STANDARD_NO_PAD.decode(parts.next()?).ok()?;
            if parts.next().is_some() || expected.len() != 32 {
                return None;
            }
            let computed = argon2_raw(password, &salt, memory, iterations, parallelism)?;
            Some((
                eq(&computed, &expected),
                Hasher::Argon2 {
                    memory,
                    iterations,
                    parallelism,
                },
            ))
        }
        "bcrypt_sha256" => {
            // Django writes `bcrypt_sha256$` then bcrypt's own `$2b$12$...`.
            let cost: u32 = rest.get(4..6)?.parse().ok()?;
            let ok = bcrypt::verify(sha256_hex(password), rest).ok()?;
            Some((ok, Hasher::BcryptSha256 { cost }))
        }
        _ => None,
    }
}

fn eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DJANGO_VECTOR: &str =
        "pbkdf2_sha256$1200000$seasalt$6sTlFi4QohxXLuZigqDIUNX8xG9NxrTmV8+flFQdBqE=";

    #[test]
    fn the_django_pbkdf2_vector_verifies_and_asks_for_a_rehash() {
        assert_eq!(
            pbkdf2_encode("lètmein", "seasalt", 1_200_000),
            DJANGO_VECTOR
        );
        let hashers = Hashers::default();
        let v = hashers.verify("lètmein", DJANGO_VECTOR);
        assert!(v.ok && v.needs_rehash, "{v:?}");
        assert!(!hashers.verify("letmein", DJANGO_VECTOR).ok);
        // Preferred PBKDF2 at the same rounds: no rehash; at more rounds: rehash.
        assert!(
            !Hashers::new(Hasher::PBKDF2_DEFAULT)
                .verify("lètmein", DJANGO_VECTOR)
                .needs_rehash
        );
        let more = Hashers::new(Hasher::Pbkdf2Sha256 {
            iterations: 1_500_000,
        });
        assert!(more.verify("lètmein", DJANGO_VECTOR).needs_rehash);
    }

    #[test]
    fn argon2_hashes_in_djangos_encoding_and_verifies() {
        let hashers = Hashers::default();
        let encoded = hashers.hash("correct horse");
        assert!(
            encoded.starts_with("argon2$argon2id$v=19$m=19456,t=2,p=1$"),
            "{encoded}"
        );
        assert_eq!(encoded.split('$').count(), 6);
        let v = hashers.verify("correct horse", &encoded);
        assert!(v.ok && !v.needs_rehash);
        assert!(!hashers.verify("correct horsf", &encoded).ok);
        assert_ne!(encoded, hashers.hash("correct horse"), "salted");
        // Other costs: rehash.
        let cheaper = Hasher::Argon2 {
            memory: 8 * 1024,
            iterations: 1,
            parallelism: 1,
        }
        .hash("pw");
        assert!(hashers.verify("pw", &cheaper).needs_rehash);
    }

    #[test]
    fn a_django_argon2_hash_verifies() {
        // argon2-cffi's output for "secret" as Django stores it (m=102400,t=2,p=8 are Django's
        // own defaults), made with our code from a fixed salt to keep the test offline.
        let salt = b"abcdefghijklmnop";
        let raw = argon2_raw("secret", salt, 102_400, 2, 8).unwrap();
        let encoded = format!(
            "argon2$argon2id$v=19$m=102400,t=2,p=8${}${}",
            STANDARD_NO_PAD.encode(salt),
            STANDARD_NO_PAD.encode(raw)
        );
        let v = Hashers::default().verify("secret", &encoded);
        assert!(v.ok && v.needs_rehash);
    }

    #[test]
    fn bcrypt_sha256_verifies() {
        let encoded = Hasher::BcryptSha256 { cost: 4 }.hash("pässword");
        assert!(encoded.starts_with("bcrypt_sha256$$2b$04$"), "{encoded}");
        let v = Hashers::default().verify("pässword", &encoded);
        assert!(v.ok && v.needs_rehash);
        assert!(!Hashers::default().verify("password", &encoded).ok);
        let same = Hashers::new(Hasher::BcryptSha256 { cost: 4 });
        assert!(!same.verify("pässword", &encoded).needs_rehash);
    }

    #[test]
    fn unusable_malformed_and_unknown_hashes_never_match() {
        let hashers = Hashers::default();
        let unusable = unusable_password();
        assert!(unusable.starts_with('!') && unusable.len() == 41);
        assert!(!is_usable(&unusable) && !is_usable(""));
        for encoded in [
            unusable.as_str(),
            "",
            "!",
            "plain",
            "md5$salt$hash",
            "pbkdf2_sha256$x$salt$hash",
            "pbkdf2_sha256$0$salt$hash",
            "pbkdf2_sha256$4000000000$salt$hash",
            "argon2$argon2id$v=19$m=1,t=1$c2FsdA$aGFzaA",
            "argon2$argon2id$v=19$m=999999999,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
            "argon2$argon2i$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA",
            "bcrypt_sha256$$2b$xx$",
            "bcrypt_sha256$",
        ] {
            assert!(!hashers.verify("", encoded).ok, "{encoded}");
            assert!(!hashers.verify("password", encoded).ok, "{encoded}");
        }
    }

    #[tokio::test]
    async fn async_hashing_runs_off_the_worker() {
        let hashers = Hashers::default();
        let encoded = hashers.hash_async("pw").await;
        assert!(hashers.verify_async("pw", &encoded).await.ok);
    }
}
