//! Secrets at rest (Slack tokens): AES-256-GCM under the hub's secret key
//! (`HUBBUB_SECRET_KEY`, 32 bytes as 64 hex characters). Each encryption
//! takes a fresh random 96-bit nonce, stored in front of the ciphertext:
//! `v1:` + hex(nonce ‖ ciphertext ‖ tag). A changed byte or another key
//! fails to decrypt; nothing here ever logs a secret.

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use thiserror::Error;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the secret key must be 64 hex characters (32 bytes)")]
    BadKey,
    #[error("the stored secret is not in a known format")]
    Malformed,
    #[error("the stored secret does not decrypt with this key (changed key or tampered data)")]
    Undecryptable,
}

/// The hub's secret key, ready to encrypt and decrypt.
#[derive(Clone)]
pub struct SecretKey {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<hidden>)")
    }
}

impl SecretKey {
    pub fn from_hex(key: &str) -> Result<SecretKey, SecretError> {
        let bytes = hex::decode(key.trim()).map_err(|_| SecretError::BadKey)?;
        if bytes.len() != 32 {
            return Err(SecretError::BadKey);
        }
        let key = Key::<Aes256Gcm>::from_slice(&bytes);
        Ok(SecretKey {
            cipher: Aes256Gcm::new(key),
        })
    }

    /// Encrypts `plain` with a fresh random nonce.
    pub fn encrypt(&self, plain: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(&nonce, plain.as_bytes())
            .expect("AES-GCM encryption of a short secret cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}", hex::encode(out))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, SecretError> {
        let bytes = stored
            .strip_prefix(PREFIX)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or(SecretError::Malformed)?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(Nonce::from_slice(nonce), sealed)
            .map_err(|_| SecretError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| SecretError::Undecryptable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    const OTHER: &str = "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn round_trip_with_a_fresh_nonce_each_time() {
        let key = SecretKey::from_hex(KEY).unwrap();
        let a = key.encrypt("xoxb-1-secret");
        let b = key.encrypt("xoxb-1-secret");
        assert_ne!(a, b, "nonces differ");
        assert!(!a.contains("xoxb"));
        assert_eq!(key.decrypt(&a).unwrap(), "xoxb-1-secret");
        assert_eq!(key.decrypt(&b).unwrap(), "xoxb-1-secret");
    }

    #[test]
    fn tampering_fails() {
        let key = SecretKey::from_hex(KEY).unwrap();
        let sealed = key.encrypt("xoxb-1-secret");
        let mut bytes = hex::decode(&sealed[PREFIX.len()..]).unwrap();
        for i in [0, NONCE_LEN, bytes.len() - 1] {
            bytes[i] ^= 1;
            let tampered = format!("{PREFIX}{}", hex::encode(&bytes));
            assert_eq!(key.decrypt(&tampered), Err(SecretError::Undecryptable));
            bytes[i] ^= 1;
        }
        assert_eq!(key.decrypt("xoxb-1-secret"), Err(SecretError::Malformed));
        assert_eq!(key.decrypt("v1:00"), Err(SecretError::Malformed));
    }

    #[test]
    fn wrong_key_fails() {
        let sealed = SecretKey::from_hex(KEY).unwrap().encrypt("xoxb-1-secret");
        let other = SecretKey::from_hex(OTHER).unwrap();
        assert_eq!(other.decrypt(&sealed), Err(SecretError::Undecryptable));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(SecretKey::from_hex("abcd").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
        assert!(format!("{:?}", SecretKey::from_hex(KEY).unwrap()).contains("hidden"));
    }
}
