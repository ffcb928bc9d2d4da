//! Evidence objects: photos and documents, content-addressed and stored once.
//!
//! Keys are `tenants/<tenant id>/<first two hex digits>/<sha256>`: an object belongs to one
//! tenant, and the same bytes uploaded twice by that tenant are kept once. Two backends sit
//! behind [`Objects`]: a local directory (the embedded default) and an S3-compatible store.
//! A local write goes to a temporary file that is synced and then renamed into place, so a
//! crash never leaves a half-written object under its final name.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use aws_sdk_s3::config::{
    BehaviorVersion, Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation,
};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use platform_domain::ids::TenantId;
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::config::S3Settings;

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The key of a tenant's object with digest `sha256` (lowercase hex).
pub fn tenant_key(tenant: TenantId, sha256: &str) -> String {
    format!("tenants/{tenant}/{}/{sha256}", &sha256[..2])
}

/// The object store in use.
#[derive(Debug, Clone)]
pub enum Objects {
    /// Files under a directory.
    Local(LocalObjects),
    /// An S3-compatible bucket.
    S3(S3Objects),
}

/// Files under a directory.
#[derive(Debug, Clone)]
pub struct LocalObjects {
    root: PathBuf,
}

/// An S3-compatible bucket.
#[derive(Debug, Clone)]
pub struct S3Objects {
    client: aws_sdk_s3::Client,
    bucket: String,
    presign: Duration,
}

/// How a client should fetch an object.
#[derive(Debug)]
pub enum Fetch {
    /// A local file, to stream.
    File(tokio::fs::File),
    /// A short-lived URL that serves them.
    Redirect(String),
}

impl Objects {
    /// A local store rooted at `root` (created when missing).
    pub fn local(root: impl Into<PathBuf>) -> anyhow::Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root)
            .with_context(|| format!("cannot create the evidence directory {}", root.display()))?;
        Ok(Self::Local(LocalObjects { root }))
    }

    /// An S3 store; the bucket is created when it does not exist yet.
    pub async fn s3(settings: &S3Settings) -> anyhow::Result<Self> {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(&settings.endpoint)
            .force_path_style(true)
            .region(Region::new(settings.region.clone()))
            .credentials_provider(Credentials::new(
                &settings.access_key,
                settings.secret_key.expose_secret(),
                None,
                None,
                "gateledger-config",
            ))
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .build();
        let client = aws_sdk_s3::Client::from_conf(config);
        if client.head_bucket().bucket(&settings.bucket).send().await.is_err() {
            client
                .create_bucket()
                .bucket(&settings.bucket)
                .send()
                .await
                .with_context(|| format!("cannot create the S3 bucket {}", settings.bucket))?;
        }
        Ok(Self::S3(S3Objects {
            client,
            bucket: settings.bucket.clone(),
            presign: Duration::from_secs(settings.presign_seconds),
        }))
    }

    /// Stores `bytes` under `key`. Storing the same key again is harmless.
    pub async fn put(&self, key: &str, bytes: Bytes, content_type: &str) -> anyhow::Result<()> {
        match self {
            Self::Local(local) => {
                let path = local.path(key)?;
                tokio::task::spawn_blocking(move || write_durably(&path, &bytes))
                    .await
                    .context("object writer panicked")?
            }
            Self::S3(s3) => {
                s3.client
                    .put_object()
                    .bucket(&s3.bucket)
                    .key(key)
                    .content_type(content_type)
                    .body(ByteStream::from(bytes))
                    .send()
                    .await
                    .with_context(|| format!("cannot store object {key}"))?;
                Ok(())
            }
        }
    }

    /// Reads an object; `None` when it does not exist.
    pub async fn get(&self, key: &str) -> anyhow::Result<Option<Bytes>> {
        match self {
            Self::Local(local) => {
                let path = local.path(key)?;
                match tokio::fs::read(&path).await {
                    Ok(bytes) => Ok(Some(bytes.into())),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e).with_context(|| format!("cannot read object {key}")),
                }
            }
            Self::S3(s3) => {
                let out = s3.client.get_object().bucket(&s3.bucket).key(key).send().await;
                match out {
                    Ok(out) => Ok(Some(
                        out.body.collect().await.context("cannot read object body")?.into_bytes(),
                    )),
                    Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => Ok(None),
                    Err(e) => Err(e).with_context(|| format!("cannot read object {key}")),
                }
            }
        }
    }

    /// How a client should fetch `key`: the bytes from a local store, or a presigned URL
    /// valid for a few minutes from S3 (the caller has already checked the client's rights).
    pub async fn fetch(&self, key: &str) -> anyhow::Result<Option<Fetch>> {
        match self {
            Self::Local(local) => match tokio::fs::File::open(local.path(key)?).await {
                Ok(file) => Ok(Some(Fetch::File(file))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e).with_context(|| format!("cannot open object {key}")),
            },
            Self::S3(s3) => {
                let config = PresigningConfig::expires_in(s3.presign)?;
                let req =
                    s3.client.get_object().bucket(&s3.bucket).key(key).presigned(config).await?;
                Ok(Some(Fetch::Redirect(req.uri().to_owned())))
            }
        }
    }

    /// Removes an object; removing a missing one is not an error.
    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self {
            Self::Local(local) => match tokio::fs::remove_file(local.path(key)?).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(e.into()),
            },
            Self::S3(s3) => {
                s3.client.delete_object().bucket(&s3.bucket).key(key).send().await?;
                Ok(())
            }
        }
    }
}

impl LocalObjects {
    fn path(&self, key: &str) -> anyhow::Result<PathBuf> {
        // Keys are built by this module; refuse anything that could climb out of the root.
        anyhow::ensure!(
            !key.is_empty()
                && key.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
                && !key.contains('\\'),
            "invalid object key {key:?}"
        );
        Ok(self.root.join(key))
    }
}

fn write_durably(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = path.parent().context("object path without a directory")?;
    std::fs::create_dir_all(dir)?;
    if path.exists() {
        return Ok(());
    }
    let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::now_v7()));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_objects_round_trip_and_refuse_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let objects = Objects::local(dir.path()).unwrap();
        let tenant = TenantId::new();
        let bytes = Bytes::from_static(b"photo bytes");
        let key = tenant_key(tenant, &sha256_hex(&bytes));
        assert!(objects.get(&key).await.unwrap().is_none());
        objects.put(&key, bytes.clone(), "image/jpeg").await.unwrap();
        objects.put(&key, bytes.clone(), "image/jpeg").await.unwrap();
        assert_eq!(objects.get(&key).await.unwrap().unwrap(), bytes);
        assert!(objects.put("../escape", bytes.clone(), "x").await.is_err());
        objects.delete(&key).await.unwrap();
        assert!(objects.get(&key).await.unwrap().is_none());
    }
}
