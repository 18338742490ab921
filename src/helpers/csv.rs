//! Line-oriented delimited text (spec §10.3).
//!
//! [`Csv`] reads one line at a time and splits it on a delimiter string (which may be longer than
//! one character, like the original's default `", "`). Quoting is not interpreted. By default the
//! split is the ordinary one (`"a, b, c"` with `", "` gives `a`, `b`, `c`); the original's
//! behaviour, which resumes searching one character after the start of each match, is available
//! as [`CsvSplit::Original`] for reproducing its output.

use crate::{Error, Result};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// How [`Csv::readline`] splits a line into fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CsvSplit {
    /// Ordinary splitting: fields are the text between whole delimiters; a trailing `\r` (CRLF
    /// files) is removed first, and a line that is then empty is skipped.
    #[default]
    Delimiter,
    /// The original's quirk: after a match the search resumes one character after the match's
    /// start, so with a multi-character delimiter every later field keeps the delimiter's tail
    /// (`"a, b,c, d"` with `", "` gives `"a"`, `" b,c"`, `" d"`); a trailing `\r` is kept.
    Original,
}

/// A reader of delimited lines from a file or any buffered reader.
pub struct Csv {
    reader: Box<dyn BufRead + Send>,
    delim: String,
    split: CsvSplit,
    /// For error messages.
    source: String,
    /// 1-based number of the last raw line read.
    line_no: usize,
    buf: Vec<u8>,
}

impl std::fmt::Debug for Csv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Csv")
            .field("source", &self.source)
            .field("delim", &self.delim)
            .field("split", &self.split)
            .field("line", &self.line_no)
            .finish()
    }
}

impl Csv {
    /// Opens `path` for reading lines split on `delim` (the original's default is `", "`).
    /// A missing file is an error here (the original's `readline` just returns false).
    pub fn open(path: impl AsRef<Path>, delim: &str) -> Result<Csv> {
        let path = path.as_ref();
        let f = File::open(path)
            .map_err(|e| Error::Io(format!("cannot open CSV file {}: {e}", path.display())))?;
        Csv::from_reader(BufReader::new(f), delim).map(|c| c.named(path.display().to_string()))
    }

    /// Reads lines from any buffered reader.
    pub fn from_reader(reader: impl BufRead + Send + 'static, delim: &str) -> Result<Csv> {
        if delim.is_empty() {
            return Err(Error::Argument(
                "expected a non-empty CSV delimiter, got \"\"".into(),
            ));
        }
        Ok(Csv {
            reader: Box::new(reader),
            delim: delim.to_string(),
            split: CsvSplit::default(),
            source: "<reader>".into(),
            line_no: 0,
            buf: Vec::new(),
        })
    }

    fn named(mut self, source: String) -> Csv {
        self.source = source;
        self
    }

    /// Selects the splitting rule (default [`CsvSplit::Delimiter`]).
    pub fn with_split(mut self, split: CsvSplit) -> Csv {
        self.split = split;
        self
    }

    /// The splitting rule in use.
    pub fn split_rule(&self) -> CsvSplit {
        self.split
    }

    /// Reads one raw line without its `\n`; `None` at end of input.
    fn raw_line(&mut self) -> Result<Option<String>> {
        self.buf.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.buf)
            .map_err(|e| Error::Io(format!("cannot read {}: {e}", self.source)))?;
        if n == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        let line = std::str::from_utf8(&self.buf).map_err(|e| {
            Error::Io(format!(
                "line {} of {} is not valid UTF-8: {e}",
                self.line_no, self.source
            ))
        })?;
        Ok(Some(line.to_string()))
    }

    /// The fields of the next non-empty line, `None` at end of input.
    pub fn readline(&mut self) -> Result<Option<Vec<String>>> {
        while let Some(mut line) = self.raw_line()? {
            if self.split == CsvSplit::Delimiter && line.ends_with('\r') {
                line.pop();
            }
            if line.is_empty() {
                continue;
            }
            return Ok(Some(split_line(&line, &self.delim, self.split)));
        }
        Ok(None)
    }

    /// Discards up to `n` raw lines (empty ones included) and returns how many there were (the
    /// original's `skip`; named apart from `Iterator::skip`, which skips parsed rows).
    pub fn skip_lines(&mut self, n: usize) -> Result<usize> {
        let mut done = 0;
        while done < n && self.raw_line()?.is_some() {
            done += 1;
        }
        Ok(done)
    }
}

impl Iterator for Csv {
    type Item = Result<Vec<String>>;
    /// The remaining non-empty lines; a read error ends the iteration after being yielded.
    fn next(&mut self) -> Option<Self::Item> {
        self.readline().transpose()
    }
}

/// Splits one line with the given rule (`delim` must not be empty).
pub fn split_line(line: &str, delim: &str, split: CsvSplit) -> Vec<String> {
    match split {
        CsvSplit::Delimiter => line.split(delim).map(str::to_string).collect(),
        CsvSplit::Original => {
            let mut out = Vec::new();
            let mut p = 0;
            while let Some(i) = line[p..].find(delim) {
                let m = p + i;
                out.push(line[p..m].to_string());
                // Resume one character (not one byte) after the start of the match.
                p = m + line[m..].chars().next().map_or(1, char::len_utf8);
            }
            out.push(line[p..].to_string());
            out
        }
    }
}

/// The fields of the first non-empty line of `path` (the original Python `read_csv`, which
/// reads only that line and reports success as a string flag); `None` for a file with no
/// non-empty line.
pub fn read_csv(
    path: impl AsRef<Path>,
    delim: &str,
    split: CsvSplit,
) -> Result<Option<Vec<String>>> {
    Csv::open(path, delim)?.with_split(split).readline()
}
