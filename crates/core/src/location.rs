//! Where a value came from: a file, a line and a column, for error messages that point at the source.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a source file (1-based line and column), displayed as `file:line:col`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file, as the user named it or relative to the project root.
    pub file: PathBuf,
    /// 1-based line number; 0 when only the file is known.
    pub line: u32,
    /// 1-based column number; 0 when only the line is known.
    pub column: u32,
}

impl Location {
    /// A position in `file` at `line` and `column` (both 1-based).
    pub fn new(file: impl Into<PathBuf>, line: u32, column: u32) -> Self {
        Self {
            file: file.into(),
            line,
            column,
        }
    }

    /// The whole file, when no line is known.
    pub fn file(file: impl Into<PathBuf>) -> Self {
        Self::new(file, 0, 0)
    }

    /// The file this location points into.
    pub fn path(&self) -> &Path {
        &self.file
    }
}

/// Serialised as its text, `file:line:column`.
impl serde::Serialize for Location {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_much_as_is_known() {
        assert_eq!(Location::new("a/b.yaml", 7, 5).to_string(), "a/b.yaml:7:5");
        assert_eq!(Location::new("a/b.yaml", 7, 0).to_string(), "a/b.yaml:7");
        assert_eq!(Location::file("a/b.yaml").to_string(), "a/b.yaml");
    }
}
