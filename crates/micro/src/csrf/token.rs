//! Secrets and the tokens that carry them, as Django makes them: a secret of 32 characters
//! from `[a-zA-Z0-9]`, and a token of 64 that is a fresh random mask followed by the secret
//! shifted by it, so that no two pages carry the same bytes (BREACH reads a secret out of a
//! compressed page by guessing it a character at a time; a mask that changes at every render
//! leaves nothing constant to guess).

use hmac::{KeyInit, Mac};

/// The characters of secrets, masks and tokens.
const CHARS: &[u8; 62] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/// Characters in a secret (and in a mask).
pub(crate) const SECRET_LENGTH: usize = 32;
/// Characters in a masked token.
pub(crate) const TOKEN_LENGTH: usize = 2 * SECRET_LENGTH;

/// Why a secret or a token is not one, in Django's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadFormat {
    Length,
    Characters,
}

impl BadFormat {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            BadFormat::Length => "has incorrect length",
            BadFormat::Characters => "has invalid characters",
        }
    }
}

/// A new random secret.
pub(crate) fn new_secret() -> String {
    random_chars(SECRET_LENGTH)
}

/// `secret` masked afresh: a different token at every call, all of them matching `secret`.
pub(crate) fn mask(secret: &str) -> String {
    let mask = random_chars(SECRET_LENGTH);
    let mut token = String::with_capacity(TOKEN_LENGTH);
    token.push_str(&mask);
    for (s, m) in secret.bytes().zip(mask.bytes()) {
        token.push(CHARS[(index(s) + index(m)) % CHARS.len()] as char);
    }
    token
}

/// The secret inside a masked token (of [`TOKEN_LENGTH`] valid characters).
fn unmask(token: &str) -> String {
    let (mask, cipher) = token.split_at(SECRET_LENGTH);
    cipher
        .bytes()
        .zip(mask.bytes())
        .map(|(c, m)| CHARS[(index(c) + CHARS.len() - index(m)) % CHARS.len()] as char)
        .collect()
}

/// Checks that `value` is a secret (32 characters) or a masked token (64), as Django accepts
/// both from forms, headers and cookies.
pub(crate) fn check_format(value: &str) -> Result<(), BadFormat> {
    if value.len() != SECRET_LENGTH && value.len() != TOKEN_LENGTH {
        return Err(BadFormat::Length);
    }
    if !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(BadFormat::Characters);
    }
    Ok(())
}

/// A cookie's value as a secret: a masked one (older Django cookies) is unmasked.
pub(crate) fn secret_from_cookie(value: &str) -> Result<String, BadFormat> {
    check_format(value)?;
    Ok(match value.len() {
        TOKEN_LENGTH => unmask(value),
        _ => value.to_owned(),
    })
}

/// Whether `token` (of a valid format) carries `secret`, in constant time: comparing the HMACs
/// of both with `verify_slice`, which does not stop at the first difference.
pub(crate) fn matches(token: &str, secret: &str) -> bool {
    let given = match token.len() {
        TOKEN_LENGTH => unmask(token),
        _ => token.to_owned(),
    };
    let mac = |value: &str| {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"micro.csrf")
            .expect("HMAC takes any key length");
        mac.update(value.as_bytes());
        mac
    };
    let expected = mac(secret).finalize().into_bytes();
    mac(&given).verify_slice(&expected).is_ok()
}

fn index(c: u8) -> usize {
    match c {
        b'a'..=b'z' => (c - b'a') as usize,
        b'A'..=b'Z' => (c - b'A') as usize + 26,
        b'0'..=b'9' => (c - b'0') as usize + 52,
        _ => 0,
    }
}

/// `n` characters of [`CHARS`] from the OS's randomness, without modulo bias: bytes of 248 and
/// over (248 = 4 × 62) are drawn again.
fn random_chars(n: usize) -> String {
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        getrandom::fill(&mut buf).expect("the OS has no randomness for CSRF secrets");
        for &b in &buf {
            if b < 248 && out.len() < n {
                out.push(CHARS[(b % 62) as usize] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_tokens_differ_and_all_carry_the_secret() {
        let secret = new_secret();
        assert_eq!(secret.len(), SECRET_LENGTH);
        assert!(check_format(&secret).is_ok());
        let (a, b) = (mask(&secret), mask(&secret));
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_LENGTH);
        assert_eq!(unmask(&a), secret);
        assert!(matches(&a, &secret) && matches(&b, &secret));
        // The unmasked secret is a valid token too, as in Django.
        assert!(matches(&secret, &secret));
        assert!(!matches(&mask(&new_secret()), &secret));
    }

    #[test]
    fn django_masks_the_same_way() {
        // Django's test_mask_cipher_secret/unmask: mask "aaaa..." leaves the secret as is,
        // and a mask of "b"s shifts each character by one.
        let secret = "lcccccccX2kcccccccY2ccccccccd2Z3";
        let plain = format!("{}{secret}", "a".repeat(32));
        assert_eq!(unmask(&plain), secret);
        let shifted: String = secret
            .bytes()
            .map(|c| CHARS[(index(c) + 1) % 62] as char)
            .collect();
        assert_eq!(unmask(&format!("{}{shifted}", "b".repeat(32))), secret);
    }

    #[test]
    fn formats_are_checked_as_django_does() {
        assert_eq!(check_format("short"), Err(BadFormat::Length));
        assert_eq!(check_format(&"x".repeat(33)), Err(BadFormat::Length));
        assert_eq!(check_format(&"!".repeat(32)), Err(BadFormat::Characters));
        assert_eq!(check_format(&"é".repeat(16)), Err(BadFormat::Characters));
        assert_eq!(check_format(&"a".repeat(64)), Ok(()));
        let secret = new_secret();
        assert_eq!(secret_from_cookie(&mask(&secret)).unwrap(), secret);
    }
}
