//! Finds where a JSON pointer (`/capture/timeline/2/code`) sits in a document's text.
//!
//! serde_json reports line and column for syntax and type errors, but semantic checks run on the
//! parsed value and only know the path of the offending member. Scenario authors fix files in an
//! editor, so every message must say `file:line:column`: this small scanner walks the text once
//! along the pointer and returns the position of the member's key (or the array element).

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// The position of `pointer` in `text`; when the member itself is absent (a defaulted field),
/// the position of its nearest present ancestor; `1:1` when the text is not JSON at all.
pub fn locate(text: &str, pointer: &str) -> Position {
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    for len in (0..=segments.len()).rev() {
        let mut cursor = Cursor {
            bytes: text.as_bytes(),
            at: 0,
        };
        if let Some(offset) = cursor.find(&segments[..len]) {
            return position_of(text, offset);
        }
    }
    Position { line: 1, column: 1 }
}

/// Line and column of a byte offset.
pub fn position_of(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    Position { line, column }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == b).then(|| self.at += 1)
    }

    /// Reads a string literal and returns it decoded (enough of JSON's escapes to compare keys).
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.at += 1;
            match b {
                b'"' => return String::from_utf8(out).ok(),
                b'\\' => {
                    let e = self.peek()?;
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'u' => {
                            let hex = self.bytes.get(self.at..self.at + 4)?;
                            self.at += 4;
                            let code =
                                u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                            let c = char::from_u32(code).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        other => out.push(other),
                    }
                }
                other => out.push(other),
            }
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.peek()? {
            b'{' => self.skip_members(b'}', true),
            b'[' => self.skip_members(b']', false),
            b'"' => self.string().map(|_| ()),
            _ => {
                let start = self.at;
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.at += 1;
                }
                (self.at > start).then_some(())
            }
        }
    }

    /// Skips an object's members (`keyed`: `"name": value`) or an array's elements, from the
    /// opening bracket through `close`.
    fn skip_members(&mut self, close: u8, keyed: bool) -> Option<()> {
        self.at += 1;
        self.skip_ws();
        if self.peek()? == close {
            self.at += 1;
            return Some(());
        }
        loop {
            if keyed {
                self.string()?;
                self.eat(b':')?;
            }
            self.skip_value()?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.at += 1,
                c if c == close => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Byte offset of the member named by `path`, starting at the value under the cursor.
    fn find(&mut self, path: &[String]) -> Option<usize> {
        self.skip_ws();
        let Some((first, rest)) = path.split_first() else {
            return Some(self.at);
        };
        match self.peek()? {
            b'{' => {
                self.at += 1;
                self.skip_ws();
                if self.peek()? == b'}' {
                    return None;
                }
                loop {
                    self.skip_ws();
                    let key_at = self.at;
                    let key = self.string()?;
                    self.eat(b':')?;
                    if &key == first {
                        if rest.is_empty() {
                            return Some(key_at);
                        }
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.at += 1,
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let wanted: usize = first.parse().ok()?;
                self.at += 1;
                let mut index = 0;
                loop {
                    self.skip_ws();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if index == wanted {
                        return self.find(rest);
                    }
                    self.skip_value()?;
                    self.skip_ws();
                    match self.peek()? {
                        b',' => self.at += 1,
                        _ => return None,
                    }
                    index += 1;
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "{\n  \"result\": {\"livenessStatus\": \"SPOOF\"},\n  \"capture\": {\n    \"timeline\": [\n      {\"type\": \"wait\", \"ms\": 5},\n      {\"type\": \"error\", \"code\": 7}\n    ]\n  }\n}\n";

    #[test]
    fn a_member_is_located_at_its_key() {
        assert_eq!(
            locate(DOC, "/result/livenessStatus"),
            Position {
                line: 2,
                column: 14
            }
        );
    }

    #[test]
    fn an_array_element_member_is_located() {
        assert_eq!(
            locate(DOC, "/capture/timeline/1/code"),
            Position {
                line: 6,
                column: 25
            }
        );
        assert_eq!(
            locate(DOC, "/capture/timeline/1"),
            Position { line: 6, column: 7 }
        );
    }

    #[test]
    fn an_absent_member_falls_back_to_its_parent() {
        assert_eq!(
            locate(DOC, "/result/matchScore"),
            Position { line: 2, column: 3 }
        );
        assert_eq!(locate(DOC, "/nothing"), Position { line: 1, column: 1 });
    }

    #[test]
    fn escaped_keys_and_non_json_text_do_not_break_it() {
        assert_eq!(
            locate("{\"a\\u0062\": 1}", "/ab"),
            Position { line: 1, column: 2 }
        );
        assert_eq!(locate("not json", "/a"), Position { line: 1, column: 1 });
    }
}
