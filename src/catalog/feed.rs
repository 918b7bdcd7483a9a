//! Streaming feed readers. Each yields one [`FeedRow`] (field name → JSON value, with the line
//! it starts on) or a [`RowError`] per row, so one bad row never hides the others.

use std::io::BufRead;

use serde_json::{Map, Value};

use super::RowError;

/// A feed's wire format, chosen by `Content-Type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// One JSON object per line.
    Ndjson,
    /// A JSON array of objects.
    JsonArray,
    /// Meta catalog feed, comma-separated with a header row.
    Csv,
    /// Meta catalog feed, tab-separated with a header row.
    Tsv,
}

impl FeedFormat {
    /// The format for a `Content-Type` header value (parameters such as charset ignored).
    pub fn from_content_type(content_type: &str) -> Option<FeedFormat> {
        let media = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Some(match media.as_str() {
            "application/x-ndjson"
            | "application/ndjson"
            | "application/jsonl"
            | "application/x-jsonlines" => FeedFormat::Ndjson,
            "application/json" => FeedFormat::JsonArray,
            "text/csv" => FeedFormat::Csv,
            "text/tab-separated-values" | "text/tsv" => FeedFormat::Tsv,
            _ => return None,
        })
    }

    /// The content types accepted, for error messages.
    pub const ACCEPTED: &'static str =
        "application/x-ndjson, application/json, text/csv, text/tab-separated-values";
}

/// One row of a feed before validation.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedRow {
    /// 1-based line the row starts on.
    pub line: u64,
    /// Field name (as sent) → value.
    pub fields: Map<String, Value>,
}

/// Iterator over the rows of a feed.
pub struct FeedReader {
    rows: Box<dyn Iterator<Item = Result<FeedRow, RowError>> + Send>,
}

impl FeedReader {
    /// Reads `input` in `format`, row by row.
    pub fn new(format: FeedFormat, input: impl BufRead + Send + 'static) -> FeedReader {
        let rows: Box<dyn Iterator<Item = _> + Send> = match format {
            FeedFormat::Ndjson => Box::new(NdjsonRows { input, line: 0 }),
            FeedFormat::JsonArray => Box::new(JsonArrayRows::new(input)),
            FeedFormat::Csv => Box::new(DelimitedRows::new(input, b',')),
            FeedFormat::Tsv => Box::new(DelimitedRows::new(input, b'\t')),
        };
        FeedReader { rows }
    }
}

impl Iterator for FeedReader {
    type Item = Result<FeedRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

fn object_row(line: u64, value: Value) -> Result<FeedRow, RowError> {
    match value {
        Value::Object(fields) => Ok(FeedRow { line, fields }),
        other => Err(RowError::new(
            line,
            None,
            "not_an_object",
            format!(
                "expected a JSON object with product fields, found {}",
                json_kind(&other)
            ),
        )),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn io_error(line: u64, err: std::io::Error) -> RowError {
    RowError::new(
        line,
        None,
        "unreadable_body",
        format!("could not read the feed: {err}"),
    )
}

struct NdjsonRows<R> {
    input: R,
    line: u64,
}

impl<R: BufRead> Iterator for NdjsonRows<R> {
    type Item = Result<FeedRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match self.input.read_until(b'\n', &mut buf) {
                Ok(0) => return None,
                Ok(_) => self.line += 1,
                Err(err) => return Some(Err(io_error(self.line + 1, err))),
            }
            let text = match std::str::from_utf8(&buf) {
                Ok(text) => text.trim(),
                Err(err) => {
                    return Some(Err(RowError::new(
                        self.line,
                        None,
                        "invalid_utf8",
                        format!("line is not valid UTF-8 (byte {})", err.valid_up_to()),
                    )))
                }
            };
            if text.is_empty() {
                continue;
            }
            return Some(match serde_json::from_str::<Value>(text) {
                Ok(value) => object_row(self.line, value),
                Err(err) => Err(RowError::new(
                    self.line,
                    None,
                    "malformed_json",
                    format!("malformed JSON at column {}: {err}", err.column()),
                )),
            });
        }
    }
}

/// Splits a JSON array into its elements without holding the array in memory, tracking lines,
/// so each element is parsed (and rejected) on its own. serde_json streams only
/// whitespace-separated values and reports no element positions, hence this small scanner.
struct JsonArrayRows<R> {
    input: R,
    line: u64,
    state: ArrayState,
}

#[derive(PartialEq)]
enum ArrayState {
    Start,
    Elements,
    Done,
}

impl<R: BufRead> JsonArrayRows<R> {
    fn new(input: R) -> Self {
        JsonArrayRows {
            input,
            line: 1,
            state: ArrayState::Start,
        }
    }

    fn peek(&mut self) -> std::io::Result<Option<u8>> {
        Ok(self.input.fill_buf()?.first().copied())
    }

    fn bump(&mut self) -> std::io::Result<Option<u8>> {
        let byte = self.peek()?;
        if let Some(b) = byte {
            self.input.consume(1);
            if b == b'\n' {
                self.line += 1;
            }
        }
        Ok(byte)
    }

    /// Skips whitespace and (between elements) commas.
    fn skip_separators(&mut self, commas: bool) -> std::io::Result<Option<u8>> {
        while let Some(b) = self.peek()? {
            let bom = !commas && self.state == ArrayState::Start && matches!(b, 0xEF | 0xBB | 0xBF);
            if b.is_ascii_whitespace() || (commas && b == b',') || bom {
                self.bump()?;
            } else {
                return Ok(Some(b));
            }
        }
        Ok(None)
    }

    /// Reads the bytes of one JSON value: balanced brackets outside strings, or a scalar.
    fn take_value(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        while let Some(b) = self.peek()? {
            if !in_string && depth == 0 && !out.is_empty() && matches!(b, b',' | b']') {
                return Ok(Some(out));
            }
            self.bump()?;
            out.push(b);
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Ok(Some(out));
                    }
                }
                _ => {}
            }
        }
        Ok(None)
    }

    fn step(&mut self) -> std::io::Result<Option<Result<FeedRow, RowError>>> {
        if self.state == ArrayState::Start {
            match self.skip_separators(false)? {
                Some(b'[') => {
                    self.bump()?;
                    self.state = ArrayState::Elements;
                }
                Some(_) => {
                    self.state = ArrayState::Done;
                    let message =
                        "application/json feeds must be a JSON array of product objects; \
                                   send one object per line as application/x-ndjson instead";
                    return Ok(Some(Err(RowError::new(
                        self.line,
                        None,
                        "malformed_json",
                        message,
                    ))));
                }
                None => {
                    self.state = ArrayState::Done;
                    return Ok(None);
                }
            }
        }
        match self.skip_separators(true)? {
            None => {
                self.state = ArrayState::Done;
                let message = "the JSON array is not closed with ]";
                Ok(Some(Err(RowError::new(
                    self.line,
                    None,
                    "malformed_json",
                    message,
                ))))
            }
            Some(b']') => {
                self.state = ArrayState::Done;
                Ok(None)
            }
            Some(_) => {
                let line = self.line;
                let Some(bytes) = self.take_value()? else {
                    self.state = ArrayState::Done;
                    let message =
                        "the feed ends inside this element; check its brackets and quotes";
                    return Ok(Some(Err(RowError::new(
                        line,
                        None,
                        "malformed_json",
                        message,
                    ))));
                };
                Ok(Some(match serde_json::from_slice::<Value>(&bytes) {
                    Ok(value) => object_row(line, value),
                    Err(err) => {
                        let code = if std::str::from_utf8(&bytes).is_err() {
                            "invalid_utf8"
                        } else {
                            "malformed_json"
                        };
                        Err(RowError::new(
                            line,
                            None,
                            code,
                            format!("malformed JSON element: {err}"),
                        ))
                    }
                }))
            }
        }
    }
}

impl<R: BufRead> Iterator for JsonArrayRows<R> {
    type Item = Result<FeedRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.state == ArrayState::Done {
            return None;
        }
        match self.step() {
            Ok(item) => item,
            Err(err) => {
                self.state = ArrayState::Done;
                Some(Err(io_error(self.line, err)))
            }
        }
    }
}

struct DelimitedRows<R> {
    reader: csv::Reader<R>,
    headers: Option<Vec<String>>,
    record: csv::ByteRecord,
    failed: bool,
}

impl<R: BufRead> DelimitedRows<R> {
    fn new(input: R, delimiter: u8) -> Self {
        let reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .quoting(delimiter == b',')
            .flexible(true)
            .has_headers(false)
            .from_reader(input);
        DelimitedRows {
            reader,
            headers: None,
            record: csv::ByteRecord::new(),
            failed: false,
        }
    }

    fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }
}

impl<R: BufRead> Iterator for DelimitedRows<R> {
    type Item = Result<FeedRow, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(err) => {
                    self.failed = true;
                    let line = err.position().map_or(self.line(), |p| p.line());
                    return Some(Err(RowError::new(
                        line,
                        None,
                        "malformed_row",
                        err.to_string(),
                    )));
                }
            }
            let line = self.line();
            if self
                .record
                .iter()
                .all(|field| field.iter().all(u8::is_ascii_whitespace))
            {
                continue;
            }
            let Some(headers) = &self.headers else {
                match header_names(&self.record) {
                    Ok(names) => {
                        self.headers = Some(names);
                        continue;
                    }
                    Err(message) => {
                        self.failed = true;
                        return Some(Err(RowError::new(line, None, "malformed_header", message)));
                    }
                }
            };
            if self.record.len() != headers.len() {
                let message = format!(
                    "row has {} fields but the header has {}; quote fields that contain the delimiter",
                    self.record.len(),
                    headers.len()
                );
                return Some(Err(RowError::new(line, None, "malformed_row", message)));
            }
            let mut fields = Map::new();
            for (name, raw) in headers.iter().zip(self.record.iter()) {
                let Ok(text) = std::str::from_utf8(raw) else {
                    let message = format!("field {name:?} is not valid UTF-8");
                    return Some(Err(RowError::new(line, None, "invalid_utf8", message)));
                };
                if !text.trim().is_empty() {
                    fields.insert(name.clone(), Value::String(text.trim().to_string()));
                }
            }
            return Some(Ok(FeedRow { line, fields }));
        }
    }
}

fn header_names(record: &csv::ByteRecord) -> Result<Vec<String>, String> {
    let mut names = Vec::with_capacity(record.len());
    for raw in record.iter() {
        let text =
            std::str::from_utf8(raw).map_err(|_| "header row is not valid UTF-8".to_string())?;
        names.push(
            text.trim_start_matches('\u{FEFF}')
                .trim()
                .to_ascii_lowercase(),
        );
    }
    if !names.iter().any(|n| n == "id") {
        return Err(format!(
            "header row has no \"id\" column (found {}); the first row must name the Meta feed columns",
            names.join(", ")
        ));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(format: FeedFormat, text: &str) -> Vec<Result<FeedRow, RowError>> {
        FeedReader::new(format, std::io::Cursor::new(text.as_bytes().to_vec())).collect()
    }

    #[test]
    fn ndjson_reports_each_bad_line_and_keeps_going() {
        let rows = read(
            FeedFormat::Ndjson,
            "{\"id\":\"a\"}\n\n{oops\n[1]\n{\"id\":\"b\"}\n",
        );
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].as_ref().unwrap().line, 1);
        assert_eq!(rows[1].as_ref().unwrap_err().line, 3);
        assert_eq!(rows[2].as_ref().unwrap_err().code, "not_an_object");
        assert_eq!(rows[3].as_ref().unwrap().line, 5);
    }

    #[test]
    fn json_array_elements_carry_their_line() {
        let rows = read(
            FeedFormat::JsonArray,
            "[\n {\"id\":\"a\",\"t\":\"x]\"},\n {\"id\": }\n, {\"id\":\"c\"}]",
        );
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].as_ref().unwrap().fields["t"], "x]");
        assert_eq!(rows[1].as_ref().unwrap_err().line, 3);
        assert_eq!(rows[2].as_ref().unwrap().line, 4);
    }

    #[test]
    fn json_that_is_not_an_array_is_one_clear_error() {
        let rows = read(FeedFormat::JsonArray, "{\"id\":\"a\"}");
        assert_eq!(rows.len(), 1);
        assert!(rows[0].as_ref().unwrap_err().message.contains("JSON array"));
        let rows = read(FeedFormat::JsonArray, "[{\"id\":\"a\"}, {\"id\":");
        assert_eq!(
            rows.last().unwrap().as_ref().unwrap_err().code,
            "malformed_json"
        );
    }

    #[test]
    fn csv_handles_quotes_commas_and_newlines() {
        let text =
            "id,title,price\n1,\"Atta, 5 kg\",245.00 INR\n2,\"Two\nlines\",10 INR\n3,short\n";
        let rows = read(FeedFormat::Csv, text);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].as_ref().unwrap().fields["title"], "Atta, 5 kg");
        assert_eq!(rows[1].as_ref().unwrap().fields["title"], "Two\nlines");
        let bad = rows[2].as_ref().unwrap_err();
        assert_eq!((bad.line, bad.code.as_str()), (5, "malformed_row"));
    }

    #[test]
    fn tsv_reads_meta_columns() {
        let rows = read(FeedFormat::Tsv, "ID\ttitle\n\u{FEFF}7\tDahi \"fresh\"\n");
        assert_eq!(rows[0].as_ref().unwrap().fields["title"], "Dahi \"fresh\"");
        assert!(read(FeedFormat::Tsv, "name\ttitle\nx\ty\n")[0].is_err());
    }

    #[test]
    fn invalid_utf8_is_a_row_error() {
        let mut bytes = b"{\"id\":\"a\"}\n{\"id\":\"".to_vec();
        bytes.extend([0xff, 0xfe]);
        bytes.extend(b"\"}\n");
        let rows: Vec<_> =
            FeedReader::new(FeedFormat::Ndjson, std::io::Cursor::new(bytes)).collect();
        assert_eq!(rows[1].as_ref().unwrap_err().code, "invalid_utf8");
    }

    #[test]
    fn content_types_map_to_formats() {
        assert_eq!(
            FeedFormat::from_content_type("text/csv; charset=utf-8"),
            Some(FeedFormat::Csv)
        );
        assert_eq!(
            FeedFormat::from_content_type("application/JSON"),
            Some(FeedFormat::JsonArray)
        );
        assert_eq!(FeedFormat::from_content_type("text/plain"), None);
    }
}
