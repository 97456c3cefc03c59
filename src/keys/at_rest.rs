//! Encryption of the tool's private keys and the session signing secret in the database.
//!
//! With `COWORK_KEY_ENCRYPTION_KEY` set, each private key is stored as
//! `sealed:v1:` followed by base64 of a 96-bit nonce and the AES-256-GCM ciphertext of its
//! PEM. The key's `kid` is the associated data, so a sealed value copied onto another row
//! does not decrypt. The session signing secret is sealed the same way, with its setting
//! name as the associated data. Without the variable, both are stored plain.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;

use crate::config::Config;
use crate::store::{Store, StoreError, ToolKey};

const SEALED_PREFIX: &str = "sealed:v1:";
const NONCE_BYTES: usize = 12;

/// The reason a stored private key could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyAtRestError {
    /// `subject` names the value, such as "tool key 3f2a…".
    #[error(
        "{subject} is stored encrypted, but COWORK_KEY_ENCRYPTION_KEY is not set; set it \
         to the key the database was encrypted with"
    )]
    Locked { subject: String },
    #[error(
        "{subject} does not decrypt with COWORK_KEY_ENCRYPTION_KEY or \
         COWORK_KEY_ENCRYPTION_KEY_PREVIOUS; set the key it was encrypted with (the previous \
         one in COWORK_KEY_ENCRYPTION_KEY_PREVIOUS while changing keys)"
    )]
    WrongKey { subject: String },
    #[error("invalid key encryption key: {0}")]
    InvalidKey(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One AES-256-GCM key.
pub struct KeyCipher {
    cipher: Aes256Gcm,
}

impl KeyCipher {
    /// Parses 32 bytes given in base64 (standard or URL-safe, padded or not).
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .ok_or_else(|| {
                "the value is not base64; make one with `openssl rand -base64 32`".to_string()
            })?;
        if bytes.len() != 32 {
            return Err(format!(
                "the value decodes to {} bytes, but AES-256 needs 32; make one with \
                 `openssl rand -base64 32`",
                bytes.len()
            ));
        }
        let cipher = Aes256Gcm::new_from_slice(&bytes).expect("a 32-byte AES-256 key");
        Ok(Self { cipher })
    }

    fn seal(&self, kid: &str, pem: &str) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: pem.as_bytes(),
                    aad: kid.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of a short message");
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&ciphertext);
        format!("{SEALED_PREFIX}{}", STANDARD.encode(sealed))
    }

    fn open(&self, kid: &str, sealed: &str) -> Option<String> {
        let bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() <= NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: kid.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

/// The encryption keys of one process: the current one seals, and both open.
#[derive(Default)]
pub struct KeyVault {
    current: Option<KeyCipher>,
    previous: Option<KeyCipher>,
}

impl KeyVault {
    /// Creates a vault that stores keys unencrypted and opens none that are sealed.
    pub fn unsealed() -> Self {
        Self::default()
    }

    /// Reads the keys of `config`, which [`Config::load`] has already checked.
    pub fn from_config(config: &Config) -> Result<Self, KeyAtRestError> {
        let parse = |text: &Option<String>| {
            text.as_deref()
                .map(KeyCipher::from_base64)
                .transpose()
                .map_err(KeyAtRestError::InvalidKey)
        };
        Ok(Self {
            current: parse(&config.key_encryption_key)?,
            previous: parse(&config.key_encryption_key_previous)?,
        })
    }

    /// Returns whether `key` is stored encrypted.
    pub fn is_sealed(key: &ToolKey) -> bool {
        key.private_key_pem.starts_with(SEALED_PREFIX)
    }

    /// Returns whether new keys are stored encrypted.
    pub fn seals(&self) -> bool {
        self.current.is_some()
    }

    /// Returns the stored form of `pem`: sealed with the current key, or plain without one.
    pub fn seal(&self, kid: &str, pem: &str) -> String {
        match &self.current {
            Some(cipher) => cipher.seal(kid, pem),
            None => pem.to_string(),
        }
    }

    /// Returns the PEM of a stored key, decrypted when it is sealed.
    pub fn open(&self, key: &ToolKey) -> Result<String, KeyAtRestError> {
        self.open_value(&key.kid, &key.private_key_pem, || {
            format!("tool key {}", key.kid)
        })
    }

    /// Returns a stored secret, decrypted when it is sealed. `name` is the associated data
    /// it was sealed with.
    pub fn open_secret(&self, name: &str, stored: &str) -> Result<String, KeyAtRestError> {
        self.open_value(name, stored, || format!("secret {name}"))
    }

    fn open_value(
        &self,
        associated: &str,
        stored: &str,
        subject: impl Fn() -> String,
    ) -> Result<String, KeyAtRestError> {
        let Some(sealed) = stored.strip_prefix(SEALED_PREFIX) else {
            return Ok(stored.to_string());
        };
        if self.current.is_none() && self.previous.is_none() {
            return Err(KeyAtRestError::Locked { subject: subject() });
        }
        [&self.current, &self.previous]
            .into_iter()
            .flatten()
            .find_map(|cipher| cipher.open(associated, sealed))
            .ok_or_else(|| KeyAtRestError::WrongKey { subject: subject() })
    }

    /// Returns whether `stored` is in the form this vault would store now: sealed with the
    /// current key when there is one, plain otherwise.
    pub fn is_current_form(&self, associated: &str, stored: &str) -> bool {
        match (&self.current, stored.strip_prefix(SEALED_PREFIX)) {
            (Some(cipher), Some(sealed)) => cipher.open(associated, sealed).is_some(),
            (None, None) => true,
            _ => false,
        }
    }

    /// Returns the secret stored in the setting `name`, after storing `fresh()` there when
    /// the database has none. The secret is stored sealed when the vault has a current key,
    /// and a stored secret in another form (plain, or sealed with the previous key) is
    /// stored again in the current one.
    pub async fn load_or_create_secret(
        &self,
        store: &dyn Store,
        name: &str,
        fresh: impl FnOnce() -> String,
    ) -> Result<String, KeyAtRestError> {
        let candidate = self.seal(name, &fresh());
        let stored = store.setting_or_insert(name, &candidate).await?;
        let plain = self.open_secret(name, &stored)?;
        if !self.is_current_form(name, &stored) {
            let resealed = self.seal(name, &plain);
            // Compare-and-set, so two instances starting together store one value.
            if store.replace_setting(name, &stored, &resealed).await? {
                tracing::info!(
                    setting = name,
                    encrypted = self.seals(),
                    "stored a secret in its configured form"
                );
            }
        }
        Ok(plain)
    }

    /// Checks that every stored key opens, and stores again each one that is not in the
    /// current form. Plain keys get sealed once a key is set, and keys sealed with the
    /// previous key are sealed with the current one. With only a previous key set, keys are
    /// stored plain. Returns how many keys were stored again.
    pub async fn reseal_stored(&self, store: &dyn Store) -> Result<usize, KeyAtRestError> {
        let mut changed = 0;
        for key in store.tool_keys().await? {
            let pem = self.open(&key)?;
            if self.is_current_form(&key.kid, &key.private_key_pem) {
                continue;
            }
            let stored = self.seal(&key.kid, &pem);
            // Compare-and-set, so two instances starting together store one value.
            if store
                .replace_tool_key_secret(&key.kid, &key.private_key_pem, &stored)
                .await?
            {
                changed += 1;
            }
        }
        if changed > 0 {
            tracing::info!(
                changed,
                encrypted = self.seals(),
                "stored tool private keys in their configured form"
            );
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_text(byte: u8) -> String {
        STANDARD.encode([byte; 32])
    }

    fn stored(kid: &str, private_key_pem: String) -> ToolKey {
        ToolKey {
            kid: kid.into(),
            private_key_pem,
            created_at: 0,
            active_from: 0,
            retired_at: None,
        }
    }

    fn vault(current: Option<u8>, previous: Option<u8>) -> KeyVault {
        let cipher = |byte: Option<u8>| byte.map(|b| KeyCipher::from_base64(&key_text(b)).unwrap());
        KeyVault {
            current: cipher(current),
            previous: cipher(previous),
        }
    }

    #[test]
    fn sealed_key_opens_with_same_key() {
        let vault = vault(Some(1), None);
        let sealed = vault.seal("k1", "PEM TEXT");
        assert!(sealed.starts_with(SEALED_PREFIX));
        assert!(!sealed.contains("PEM TEXT"));
        assert_eq!(vault.open(&stored("k1", sealed)).unwrap(), "PEM TEXT");
    }

    #[test]
    fn sealed_key_rejects_other_kid() {
        let vault = vault(Some(1), None);
        let sealed = vault.seal("k1", "PEM TEXT");
        let error = vault.open(&stored("k2", sealed)).unwrap_err();
        assert!(matches!(error, KeyAtRestError::WrongKey { .. }), "{error}");
    }

    #[test]
    fn sealed_key_needs_a_key() {
        let sealed = vault(Some(1), None).seal("k1", "PEM TEXT");
        let error = KeyVault::unsealed()
            .open(&stored("k1", sealed))
            .unwrap_err();
        assert!(matches!(error, KeyAtRestError::Locked { .. }), "{error}");
        assert!(error.to_string().contains("COWORK_KEY_ENCRYPTION_KEY"));
    }

    #[test]
    fn wrong_key_rejected() {
        let sealed = vault(Some(1), None).seal("k1", "PEM TEXT");
        let error = vault(Some(2), None)
            .open(&stored("k1", sealed))
            .unwrap_err();
        assert!(matches!(error, KeyAtRestError::WrongKey { .. }), "{error}");
    }

    #[test]
    fn previous_key_opens() {
        let sealed = vault(Some(1), None).seal("k1", "PEM TEXT");
        let rotated = vault(Some(2), Some(1));
        let key = stored("k1", sealed);
        assert_eq!(rotated.open(&key).unwrap(), "PEM TEXT");
        assert!(!rotated.is_current_form(&key.kid, &key.private_key_pem));
    }

    #[test]
    fn tampered_ciphertext_rejected() {
        let vault = vault(Some(1), None);
        let sealed = vault.seal("k1", "PEM TEXT");
        let mut bytes = STANDARD
            .decode(sealed.strip_prefix(SEALED_PREFIX).unwrap())
            .unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("{SEALED_PREFIX}{}", STANDARD.encode(bytes));
        assert!(vault.open(&stored("k1", tampered)).is_err());
    }

    #[test]
    fn plain_key_passes_through() {
        let key = stored("k1", "-----BEGIN PRIVATE KEY-----".into());
        assert_eq!(
            vault(Some(1), None).open(&key).unwrap(),
            "-----BEGIN PRIVATE KEY-----"
        );
        assert!(!vault(Some(1), None).is_current_form(&key.kid, &key.private_key_pem));
        assert!(KeyVault::unsealed().is_current_form(&key.kid, &key.private_key_pem));
    }

    #[test]
    fn cipher_rejects_bad_text() {
        assert!(KeyCipher::from_base64("not base64!").is_err());
        let short = KeyCipher::from_base64(&STANDARD.encode([0u8; 16]))
            .err()
            .unwrap();
        assert!(short.contains("16 bytes"), "{short}");
        assert!(KeyCipher::from_base64(&URL_SAFE_NO_PAD.encode([7u8; 32])).is_ok());
    }
}
