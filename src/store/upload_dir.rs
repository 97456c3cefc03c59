//! Uploaded files kept in a directory (the `upload_dir` setting) instead of the database.
//!
//! Files are named by random keys that the server generates, so a name sent by a browser
//! never reaches the file system. A write goes to a temporary file that is synced and
//! then renamed into place, and the directory is synced too, so a crash leaves either
//! the whole file or none.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Random bytes in a key, which is their base64url text (24 characters).
const KEY_BYTES: usize = 18;

#[derive(Debug, Clone)]
pub struct UploadDir {
    root: PathBuf,
}

impl UploadDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Writes `bytes` under a new key, creating the directory if needed, and returns the key.
    pub async fn write(&self, bytes: Vec<u8>) -> std::io::Result<String> {
        let root = self.root.clone();
        let key = crate::random_token(KEY_BYTES);
        let name = key.clone();
        tokio::task::spawn_blocking(move || write_synced(&root, &name, &bytes))
            .await
            .map_err(std::io::Error::other)??;
        Ok(key)
    }

    pub async fn read(&self, key: &str) -> std::io::Result<Vec<u8>> {
        let path = self.path_of(key)?;
        tokio::fs::read(path).await
    }

    /// Deletes the file of `key`. A file that is already gone is not an error.
    pub async fn remove(&self, key: &str) -> std::io::Result<()> {
        let path = self.path_of(key)?;
        match tokio::fs::remove_file(path).await {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Deletes files that no item uses and partial writes, both older than `min_age`,
    /// and returns how many it deleted. A crash between writing a file and storing its
    /// item, or between removing an item and deleting its file, leaves such files. The
    /// age keeps uploads in progress on any instance safe.
    pub async fn sweep(
        &self,
        live_keys: HashSet<String>,
        min_age: std::time::Duration,
    ) -> std::io::Result<usize> {
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || sweep_dir(&root, &live_keys, min_age))
            .await
            .map_err(std::io::Error::other)?
    }

    /// Joins a key to the directory. Only keys made of base64url characters are
    /// accepted, so a stored key cannot name a path outside the directory.
    fn path_of(&self, key: &str) -> std::io::Result<PathBuf> {
        let valid = !key.is_empty()
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("invalid upload key {key:?}"),
            ));
        }
        Ok(self.root.join(key))
    }
}

fn sweep_dir(
    root: &Path,
    live_keys: &HashSet<String>,
    min_age: std::time::Duration,
) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let mut deleted = 0;
    for entry in entries {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let metadata = entry.metadata()?;
        let old_enough = metadata
            .modified()?
            .elapsed()
            .is_ok_and(|age| age >= min_age);
        if metadata.is_file() && old_enough && !live_keys.contains(&name) {
            std::fs::remove_file(entry.path())?;
            deleted += 1;
        }
    }
    Ok(deleted)
}

fn write_synced(root: &Path, key: &str, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    let partial = root.join(format!("{key}.part"));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&partial, root.join(key))?;
        // Syncing the directory makes the rename itself durable.
        std::fs::File::open(root)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn write_read_remove_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = UploadDir::new(dir.path().join("nested"));
        let key = uploads.write(b"hello".to_vec()).await.unwrap();
        assert_eq!(key.len(), 24, "{key}");
        assert_eq!(uploads.read(&key).await.unwrap(), b"hello");
        let names: Vec<String> = std::fs::read_dir(dir.path().join("nested"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec![key.clone()], "no temporary file is left");
        uploads.remove(&key).await.unwrap();
        assert!(uploads.read(&key).await.is_err());
        uploads.remove(&key).await.unwrap();
    }

    #[tokio::test]
    async fn sweep_deletes_only_old_unused_files() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = UploadDir::new(dir.path());
        let live = uploads.write(b"live".to_vec()).await.unwrap();
        let orphan = uploads.write(b"orphan".to_vec()).await.unwrap();
        let recent = uploads.write(b"recent".to_vec()).await.unwrap();
        std::fs::write(dir.path().join("partial.part"), b"half").unwrap();
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        for name in [live.as_str(), orphan.as_str(), "partial.part"] {
            let file = std::fs::File::options()
                .write(true)
                .open(dir.path().join(name))
                .unwrap();
            file.set_modified(two_hours_ago).unwrap();
        }

        let keys: HashSet<String> = [live.clone()].into_iter().collect();
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(uploads.sweep(keys, hour).await.unwrap(), 2);
        assert!(uploads.read(&live).await.is_ok(), "a used file stays");
        assert!(uploads.read(&recent).await.is_ok(), "a new file stays");
        assert!(
            uploads.read(&orphan).await.is_err(),
            "an old unused file goes"
        );
        assert!(
            !dir.path().join("partial.part").exists(),
            "an old partial file goes"
        );
    }

    #[tokio::test]
    async fn path_keys_rejected() {
        let dir = tempfile::tempdir().unwrap();
        let uploads = UploadDir::new(dir.path());
        for key in ["../etc/passwd", "a/b", "", ".."] {
            let error = uploads.read(key).await.unwrap_err();
            assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{key:?}");
        }
    }
}
