//! The hub's files on disk are its owner's alone: the data folder, when
//! the hub creates it, is `0700`; the SQLite database is created `0600`
//! before SQLite opens it, and SQLite gives the `-wal` and `-shm` files it
//! creates beside it the database file's mode. A folder or file that
//! already exists keeps the mode its owner gave it.

use std::fs::{DirBuilder, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `folder` and its missing parents, each only for the owner.
pub fn create_private_folder(folder: &Path) -> io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

/// Creates an empty file at `path` only the owner may read, unless there
/// is one already.
pub(crate) fn create_private_file(path: &Path) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}
