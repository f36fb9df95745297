//! Session keys: 32 characters from `[a-z0-9]`, as Django's, about 165 bits from the OS's
//! random source, so a key can be neither guessed nor enumerated.

const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// The length of a key.
pub(crate) const KEY_LENGTH: usize = 32;

/// A fresh random key.
pub(crate) fn new_key() -> String {
    let mut key = String::with_capacity(KEY_LENGTH);
    while key.len() < KEY_LENGTH {
        let mut bytes = [0u8; 64];
        getrandom::fill(&mut bytes).expect("the operating system's random source failed");
        // Rejection sampling keeps every character equally likely: 252 = 7 * 36.
        for b in bytes {
            if b < 252 && key.len() < KEY_LENGTH {
                key.push(char::from(ALPHABET[usize::from(b % 36)]));
            }
        }
    }
    key
}

/// Whether `key` could be one of ours: anything else is not looked up at all.
pub(crate) fn is_well_formed(key: &str) -> bool {
    key.len() == KEY_LENGTH && key.bytes().all(|b| ALPHABET.contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_well_formed_and_differ() {
        let a = new_key();
        let b = new_key();
        assert!(is_well_formed(&a), "{a}");
        assert_ne!(a, b);
    }

    #[test]
    fn foreign_keys_are_refused() {
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("short"));
        assert!(!is_well_formed(&"A".repeat(KEY_LENGTH)));
        assert!(!is_well_formed(&"a".repeat(KEY_LENGTH + 1)));
        assert!(!is_well_formed("' OR 1=1 --aaaaaaaaaaaaaaaaaaaaa"));
    }
}
