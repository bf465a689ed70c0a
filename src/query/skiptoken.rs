//! Skip tokens: stateless, tamper-evident cursors bound to the query that made
//! them and pinned to the snapshot time of the first page.
//!
//! Layout before encoding: fixed-width little-endian fields, then the first 16
//! bytes of an HMAC-SHA256 keyed by the seed, all in URL-safe base64.

use super::error::QueryError;
use crate::rng::Seed;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

const VERSION: u8 = 1;
const BODY: usize = 1 + 8 + 8 + 8 + 8 + 8 + 4 + 4;
const MAC: usize = 16;

/// Where a paging session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    /// Snapshot time of the session (clock reading of its first page).
    pub as_of: i64,
    /// Sort key of the last record served.
    pub last_at: i64,
    pub last_key: u64,
    /// Hash of the normalised query (collection, version, options).
    pub query: u64,
    /// Server epoch (changes on reset).
    pub epoch: u64,
    /// Pages served before this token, including the first.
    pub page: u32,
    /// Tenant the session reads.
    pub tenant: u32,
}

/// Signs and checks tokens for one seed.
#[derive(Clone)]
pub struct TokenKey([u8; 32]);

impl TokenKey {
    /// The key every replica with this seed derives.
    pub fn new(seed: Seed) -> TokenKey {
        TokenKey(seed.key("skiptoken", 0))
    }

    fn mac(&self, body: &[u8]) -> [u8; MAC] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(body);
        let full = mac.finalize().into_bytes();
        full[..MAC].try_into().expect("16 bytes")
    }

    /// Encodes a cursor as an opaque token.
    pub fn encode(&self, cursor: &Cursor) -> String {
        let mut bytes = Vec::with_capacity(BODY + MAC);
        bytes.push(VERSION);
        for part in [
            cursor.as_of as u64,
            cursor.last_at as u64,
            cursor.last_key,
            cursor.query,
            cursor.epoch,
        ] {
            bytes.extend_from_slice(&part.to_le_bytes());
        }
        bytes.extend_from_slice(&cursor.page.to_le_bytes());
        bytes.extend_from_slice(&cursor.tenant.to_le_bytes());
        let mac = self.mac(&bytes);
        bytes.extend_from_slice(&mac);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Checks and decodes a token received from a client.
    pub fn decode(&self, token: &str) -> Result<Cursor, QueryError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim_end_matches('='))
            .map_err(|_| {
                QueryError::skip_token(
                    "the skip token is not one this server issued (not base64url)",
                )
            })?;
        if bytes.len() != BODY + MAC || bytes[0] != VERSION {
            return Err(QueryError::skip_token(
                "the skip token is not one this server issued (wrong length or version)",
            ));
        }
        let (body, mac) = bytes.split_at(BODY);
        if self.mac(body).as_slice() != mac {
            return Err(QueryError::skip_token(
                "the skip token was altered or comes from a server with another seed",
            ));
        }
        let word =
            |i: usize| u64::from_le_bytes(body[1 + 8 * i..9 + 8 * i].try_into().expect("8 bytes"));
        let small = |at: usize| u32::from_le_bytes(body[at..at + 4].try_into().expect("4 bytes"));
        Ok(Cursor {
            as_of: word(0) as i64,
            last_at: word(1) as i64,
            last_key: word(2),
            query: word(3),
            epoch: word(4),
            page: small(41),
            tenant: small(45),
        })
    }
}

/// A stable hash of the parts that define a query.
pub fn query_hash(parts: &[&str]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    u64::from_le_bytes(hasher.finalize()[..8].try_into().expect("8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cursor() -> Cursor {
        Cursor {
            as_of: 1,
            last_at: -2,
            last_key: 3,
            query: 4,
            epoch: 5,
            page: 6,
            tenant: 7,
        }
    }

    #[test]
    fn a_token_round_trips() {
        let key = TokenKey::new(Seed(9));
        assert_eq!(key.decode(&key.encode(&cursor())).unwrap(), cursor());
    }

    #[test]
    fn a_tampered_token_is_refused() {
        let key = TokenKey::new(Seed(9));
        let mut token = key.encode(&cursor()).into_bytes();
        token[10] = if token[10] == b'A' { b'B' } else { b'A' };
        assert!(key.decode(std::str::from_utf8(&token).unwrap()).is_err());
    }

    #[test]
    fn a_token_from_another_seed_is_refused() {
        let token = TokenKey::new(Seed(9)).encode(&cursor());
        assert!(TokenKey::new(Seed(10)).decode(&token).is_err());
    }

    mod properties {
        use super::*;
        use base64::Engine;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn decoding_arbitrary_text_never_panics(text in ".{0,120}") {
                let _ = TokenKey::new(Seed(9)).decode(&text);
            }

            #[test]
            fn decoding_arbitrary_bytes_never_panics_and_refuses_them(
                bytes in prop::collection::vec(any::<u8>(), 0..80),
                version_first in any::<bool>(),
            ) {
                let mut bytes = bytes;
                if version_first && !bytes.is_empty() {
                    bytes[0] = VERSION;
                }
                let token = URL_SAFE_NO_PAD.encode(&bytes);
                prop_assert!(TokenKey::new(Seed(9)).decode(&token).is_err());
            }

            #[test]
            fn any_cursor_round_trips_and_any_one_byte_change_is_refused(
                words in prop::array::uniform5(any::<u64>()),
                small in prop::array::uniform2(any::<u32>()),
                flip in 0usize..(BODY + MAC),
            ) {
                let key = TokenKey::new(Seed(9));
                let cursor = Cursor {
                    as_of: words[0] as i64,
                    last_at: words[1] as i64,
                    last_key: words[2],
                    query: words[3],
                    epoch: words[4],
                    page: small[0],
                    tenant: small[1],
                };
                let token = key.encode(&cursor);
                prop_assert_eq!(key.decode(&token), Ok(cursor));
                let mut bytes = URL_SAFE_NO_PAD.decode(&token).unwrap();
                bytes[flip] ^= 1;
                prop_assert!(key.decode(&URL_SAFE_NO_PAD.encode(&bytes)).is_err());
            }
        }
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        let key = TokenKey::new(Seed(9));
        for junk in ["", "!!!", "abc", &"A".repeat(500)] {
            assert!(key.decode(junk).is_err());
        }
    }
}
