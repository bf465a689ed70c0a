//! Record keys recovered from the ids derived from them, so an id or a
//! correlation id is looked up rather than compared with every record.
//!
//! An id is `guid_for(seed, purpose, key, 0)`: the high half of the GUID is
//! `mix64(mix64(mix64(seed ^ purpose) ^ key))`, a bijection of the key, with
//! four bits overwritten by the GUID version; the low half is a function of the
//! high half. Trying the sixteen values of the lost bits and inverting the
//! mixer recovers every key whose id is the given text, exactly.

use crate::model::ids::{Purpose, id};
use crate::rng::{Seed, mix64};

const GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;
const M1: u64 = 0xbf58_476d_1ce4_e5b9;
const M2: u64 = 0x94d0_49bb_1331_11eb;

/// The multiplicative inverse of an odd number modulo 2^64 (Newton's method).
const fn inverse(a: u64) -> u64 {
    let mut x = a;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(a.wrapping_mul(x)));
        i += 1;
    }
    x
}

/// Undoes `z ^= z >> shift`.
fn unshift(z: u64, shift: u32) -> u64 {
    let mut x = z;
    for _ in 0..64 / shift {
        x = z ^ (x >> shift);
    }
    x
}

/// The inverse of [`mix64`].
fn unmix64(z: u64) -> u64 {
    let z = unshift(z, 31).wrapping_mul(inverse(M2));
    let z = unshift(z, 27).wrapping_mul(inverse(M1));
    unshift(z, 30).wrapping_sub(GAMMA)
}

/// Every key whose id for `purpose` is `text`: compared as written when
/// `case_sensitive`, otherwise ignoring ASCII case. Empty for text that is
/// not such an id; in practice at most one key.
pub fn keys_of(seed: Seed, purpose: Purpose, text: &str, case_sensitive: bool) -> Vec<u64> {
    let Ok(uuid) = uuid::Uuid::try_parse(text) else {
        return Vec::new();
    };
    let wanted = if case_sensitive {
        text.to_owned()
    } else {
        text.to_ascii_lowercase()
    };
    let high = u64::from_be_bytes(uuid.as_bytes()[..8].try_into().expect("8 bytes"));
    let salt = mix64(seed.0 ^ purpose as u64);
    let mut keys: Vec<u64> = (0..16u64)
        .map(|nibble| (high & !(0xf << 12)) | (nibble << 12))
        .map(|high| unmix64(unmix64(high)) ^ salt)
        .filter(|&key| id(seed, purpose, key) == wanted)
        .collect();
    keys.dedup();
    keys
}

/// The correlation id and the key remainder in an audit id
/// (`<service>_<correlationId>_<5 characters>_<key % 100000000>`).
pub fn audit_id_parts(text: &str) -> Option<(&str, u64)> {
    let mut tail = text.rsplitn(3, '_');
    let digits = tail.next()?;
    let _code = tail.next()?;
    let (_service, correlation) = tail.next()?.split_once('_')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((correlation, digits.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_mixer_inverts() {
        for z in [0, 1, u64::MAX, 0x0123_4567_89ab_cdef] {
            assert_eq!(unmix64(mix64(z)), z);
        }
    }

    #[test]
    fn text_that_is_not_an_id_gives_no_key() {
        let seed = Seed(42);
        let real = id(seed, Purpose::SignIn, 77);
        for junk in ["", "x", "00000000-0000-0000-0000-000000000000", &real[1..]] {
            assert!(
                keys_of(seed, Purpose::SignIn, junk, false).is_empty(),
                "{junk}"
            );
        }
        let simple = real.replace('-', "");
        assert!(keys_of(seed, Purpose::SignIn, &simple, false).is_empty());
        // The same text under another purpose or seed is the id of another key.
        assert!(keys_of(seed, Purpose::Correlation, &real, false) != vec![77]);
        assert!(keys_of(Seed(43), Purpose::SignIn, &real, false) != vec![77]);
    }

    #[test]
    fn case_matters_only_when_asked() {
        let seed = Seed(7);
        let upper = id(seed, Purpose::Provisioning, 5).to_ascii_uppercase();
        assert_eq!(keys_of(seed, Purpose::Provisioning, &upper, false), [5]);
        assert!(keys_of(seed, Purpose::Provisioning, &upper, true).is_empty());
    }

    #[test]
    fn audit_ids_split_into_their_parts() {
        let corr = "0b5d1c0a-7c58-4c4c-9e4b-1b2f0f0d3a11";
        let text = format!("Directory_{corr}_ABCDE_12345678");
        assert_eq!(audit_id_parts(&text), Some((corr, 12_345_678)));
        for bad in ["", "a_b_c", "Directory_x_ABCDE_12a", "Directory_x_ABCDE_"] {
            assert_eq!(audit_id_parts(bad), None, "{bad}");
        }
    }

    proptest! {
        #[test]
        fn every_key_is_recovered_from_its_id(key in any::<u64>(), seed in any::<u64>()) {
            for purpose in [Purpose::SignIn, Purpose::Correlation, Purpose::Provisioning] {
                let text = id(Seed(seed), purpose, key);
                prop_assert_eq!(keys_of(Seed(seed), purpose, &text, true), vec![key]);
                let upper = text.to_ascii_uppercase();
                prop_assert_eq!(keys_of(Seed(seed), purpose, &upper, false), vec![key]);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,48}") {
            let _ = keys_of(Seed(1), Purpose::SignIn, &text, false);
            let _ = audit_id_parts(&text);
        }
    }
}
