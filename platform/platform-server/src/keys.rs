//! The platform's own Ed25519 signing key: it signs the records the platform writes into
//! ledger chains (gate enrolments, amendments, daily roots) and every evidence-pack manifest.
//!
//! Created on first start in `<data_dir>/keys/platform-signing.key` (hex of the 32-byte
//! secret, mode 0600) and never rotated silently: the public key is the trust anchor anyone
//! verifying a pack offline needs. Retired keys are kept in the same directory as
//! `platform-signing.retired.<n>.key` so that their public halves stay published.

use std::path::Path;

use anyhow::Context;
use gate_protocol::{PlatformKeys, PublicKey, SigningKey};

use crate::auth::session::write_secret;

/// The platform's signing key and the public keys it has ever used.
#[derive(Clone)]
pub struct SigningKeys {
    current: SigningKey,
    retired: Vec<PublicKey>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("public", &self.public().to_hex())
            .finish_non_exhaustive()
    }
}

fn read_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("{} is not a 32-byte hex key", path.display()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

impl SigningKeys {
    /// Loads the keys from `<data_dir>/keys`, creating the signing key on first start.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let dir = data_dir.join("keys");
        let path = dir.join("platform-signing.key");
        let current = if path.exists() {
            read_key(&path)?
        } else {
            let key = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
            write_secret(&path, &hex::encode(key.to_bytes()))?;
            tracing::info!(key.public = %PublicKey::from(&key).to_hex(), "platform signing key created");
            key
        };
        let mut retired = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with("platform-signing.retired.") && name.ends_with(".key") {
                    retired.push(PublicKey::from(&read_key(&e.path())?));
                }
            }
        }
        retired.sort_by_key(|k| k.0);
        Ok(Self { current, retired })
    }

    /// A key set for tests and tools, from a given key.
    pub fn from_key(key: SigningKey) -> Self {
        Self { current: key, retired: Vec::new() }
    }

    /// The key that signs new records.
    pub fn signing(&self) -> &SigningKey {
        &self.current
    }

    /// The current public key.
    pub fn public(&self) -> PublicKey {
        PublicKey::from(&self.current)
    }

    /// Every public key the platform has signed with, current first: the trust anchors.
    pub fn trusted(&self) -> Vec<PublicKey> {
        std::iter::once(self.public()).chain(self.retired.iter().copied()).collect()
    }

    /// The trust anchors as gate-protocol's verifier takes them.
    pub fn platform_keys(&self) -> anyhow::Result<PlatformKeys> {
        let mut keys = PlatformKeys::new();
        for k in self.trusted() {
            keys.add(k)
                .map_err(|e| anyhow::anyhow!("unusable platform key {}: {e:?}", k.to_hex()))?;
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_created_once_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let a = SigningKeys::load_or_create(dir.path()).unwrap();
        let b = SigningKeys::load_or_create(dir.path()).unwrap();
        assert_eq!(a.public(), b.public());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys/platform-signing.key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(a.trusted(), vec![a.public()]);
    }
}
