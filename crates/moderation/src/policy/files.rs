//! Reading policy and term files: only regular files, and only up to a size that a
//! policy needs, so that a FIFO or `/dev/zero` named by mistake is an error, not a hang.

use std::io::{self, Read};
use std::path::Path;

/// The largest policy or term file read.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The text of a regular file of at most `MAX_FILE_BYTES`.
pub(crate) fn read_text(path: &Path) -> io::Result<String> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("larger than {} MB", MAX_FILE_BYTES / (1024 * 1024)),
        ));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused() {
        for path in ["/dev/zero", "/dev/null", "/"] {
            let err = read_text(Path::new(path)).unwrap_err();
            assert_eq!(err.to_string(), "not a regular file", "{path}");
        }
    }

    #[test]
    fn files_over_the_limit_are_refused() {
        let path = std::env::temp_dir().join(format!("moderation-big-{}", std::process::id()));
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        let err = read_text(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(err.to_string(), "larger than 16 MB");
    }
}
