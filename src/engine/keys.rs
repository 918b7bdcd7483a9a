//! API keys: created by the admin, stored hashed (SHA-256) in `data_dir/keys.json`, each with
//! scopes (`search`, `write`) and the catalogs it may touch (`*` for all).

use std::path::PathBuf;
use std::sync::{Mutex, RwLock};

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::index::{now_rfc3339, write_atomically};

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Search, suggest, read products and catalog stats.
    Search,
    /// Write products, delete catalogs, read tasks.
    Write,
}

/// A stored key (the secret itself is never stored).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KeyRecord {
    /// Public id, for listing and logs.
    pub key_id: String,
    /// SHA-256 of the secret, hex.
    hash: String,
    pub scopes: Vec<Scope>,
    pub catalogs: Vec<String>,
    pub created_at: String,
}

impl KeyRecord {
    /// Whether the key grants `scope` on `catalog` (`None`: a request not about one catalog).
    pub fn allows(&self, scope: Scope, catalog: Option<&str>) -> bool {
        self.scopes.contains(&scope)
            && catalog.is_none_or(|c| {
                self.catalogs
                    .iter()
                    .any(|allowed| allowed == "*" || allowed == c)
            })
    }
}

/// Who a request is.
#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    /// The admin key: everything.
    Admin,
    /// A created key.
    Key(KeyRecord),
}

/// The key store.
pub struct KeyStore {
    path: PathBuf,
    admin_hash: Option<String>,
    keys: RwLock<Vec<KeyRecord>>,
    /// Serializes changes, so the file is written without holding `keys`: requests
    /// authenticating meanwhile never wait on a disk write.
    changing: Mutex<()>,
}

fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl KeyStore {
    /// Loads `path` (missing: no keys). `admin_key` enables auth.
    pub fn open(path: PathBuf, admin_key: Option<&str>) -> Result<KeyStore> {
        let keys = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)?,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(err) => return Err(err.into()),
        };
        Ok(KeyStore {
            path,
            admin_hash: admin_key.map(hash),
            keys: RwLock::new(keys),
            changing: Mutex::new(()),
        })
    }

    /// Whether requests need a key.
    pub fn enabled(&self) -> bool {
        self.admin_hash.is_some()
    }

    /// The principal a bearer secret belongs to, if any.
    pub fn authenticate(&self, secret: &str) -> Option<Principal> {
        let digest = hash(secret);
        if self.admin_hash.as_deref() == Some(digest.as_str()) {
            return Some(Principal::Admin);
        }
        self.keys
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|k| k.hash == digest)
            .cloned()
            .map(Principal::Key)
    }

    /// Creates a key; returns its record and the secret, shown once.
    pub fn create(&self, scopes: Vec<Scope>, catalogs: Vec<String>) -> Result<(KeyRecord, String)> {
        if scopes.is_empty() {
            return Err(Error::invalid(
                "invalid_key",
                "scopes must list at least one of \"search\", \"write\"",
            ));
        }
        if catalogs.is_empty() {
            return Err(Error::invalid(
                "invalid_key",
                "catalogs must list catalog names, or \"*\" for all",
            ));
        }
        for catalog in catalogs.iter().filter(|c| *c != "*") {
            super::validate_catalog_name(catalog)?;
        }
        let mut bytes = [0u8; 24];
        rand::rng().fill_bytes(&mut bytes);
        let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let record = KeyRecord {
            key_id: secret[..8].to_string(),
            hash: hash(&secret),
            scopes,
            catalogs,
            created_at: now_rfc3339(),
        };
        let _changing = self.changing.lock().unwrap_or_else(|e| e.into_inner());
        let mut next = self.keys.read().unwrap_or_else(|e| e.into_inner()).clone();
        next.push(record.clone());
        write_atomically(&self.path, &serde_json::to_vec_pretty(&next)?)?;
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = next;
        Ok((record, secret))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stored_hashed_and_scoped() {
        let dir = tempfile::tempdir().unwrap();
        let store = KeyStore::open(dir.path().join("keys.json"), Some("admin-secret")).unwrap();
        assert_eq!(store.authenticate("admin-secret"), Some(Principal::Admin));
        let (record, secret) = store
            .create(vec![Scope::Write], vec!["shop".into()])
            .unwrap();
        let on_disk = std::fs::read_to_string(dir.path().join("keys.json")).unwrap();
        assert!(!on_disk.contains(&secret), "secret stored in clear");
        let Some(Principal::Key(found)) = store.authenticate(&secret) else {
            panic!("key not found")
        };
        assert_eq!(found, record);
        assert!(found.allows(Scope::Write, Some("shop")));
        assert!(!found.allows(Scope::Write, Some("other")));
        assert!(!found.allows(Scope::Search, Some("shop")));
        assert_eq!(store.authenticate("wrong"), None);
        let reopened = KeyStore::open(dir.path().join("keys.json"), Some("admin-secret")).unwrap();
        assert!(reopened.authenticate(&secret).is_some());
    }
}
