//! The encoding of an entry's `data`: a PHP array of scalars and arrays.
//!
//! ```text
//! value = 0x00 null | 0x01 false | 0x02 true | 0x03 i64 LE | 0x04 f64 LE
//!       | 0x05 len:u32 LE, bytes | 0x06 count:u32 LE, (key value)*
//! key   = 0x03 i64 LE | 0x05 len:u32 LE, bytes
//! ```
//!
//! Keys keep PHP's distinction between integer and string keys, and strings stay bytes (PHP
//! strings need not be UTF-8). The reader never panics: segment bytes are checked as they are read.

use serde::{Deserialize, Serialize};

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const FLOAT: u8 = 4;
const STR: u8 = 5;
const ARRAY: u8 = 6;

/// Nesting allowed inside `data` (the top-level array is depth 1).
pub const MAX_DEPTH: usize = 8;

/// Bytes of the empty array, the default `data`.
pub const EMPTY_ARRAY: [u8; 5] = [ARRAY, 0, 0, 0, 0];

/// Builds an encoding. Callers walk their own value tree and call these in order.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn clear(&mut self) {
        self.buf.clear();
    }
    pub fn null(&mut self) {
        self.buf.push(NULL);
    }
    pub fn bool(&mut self, v: bool) {
        self.buf.push(if v { TRUE } else { FALSE });
    }
    pub fn int(&mut self, v: i64) {
        self.buf.push(INT);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub fn float(&mut self, v: f64) {
        self.buf.push(FLOAT);
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    /// Strings longer than u32 cannot occur: data is capped far below that before encoding ends.
    pub fn str(&mut self, v: &[u8]) {
        self.buf.push(STR);
        self.buf
            .extend_from_slice(&u32::try_from(v.len()).unwrap_or(u32::MAX).to_le_bytes());
        self.buf.extend_from_slice(v);
    }
    pub fn array(&mut self, count: u32) {
        self.buf.push(ARRAY);
        self.buf.extend_from_slice(&count.to_le_bytes());
    }
}

/// One decoded item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Token<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a [u8]),
    Array(u32),
}

/// A decoded array key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'a> {
    Int(i64),
    Str(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Malformed;

/// Reads an encoding token by token.
#[derive(Clone)]
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Malformed> {
        let end = self.pos.checked_add(n).ok_or(Malformed)?;
        let s = self.bytes.get(self.pos..end).ok_or(Malformed)?;
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, Malformed> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, Malformed> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, Malformed> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    fn bytes_field(&mut self) -> Result<&'a [u8], Malformed> {
        let n = self.u32()? as usize;
        self.take(n)
    }

    pub fn token(&mut self) -> Result<Token<'a>, Malformed> {
        Ok(match self.u8()? {
            NULL => Token::Null,
            FALSE => Token::Bool(false),
            TRUE => Token::Bool(true),
            INT => Token::Int(self.u64()?.cast_signed()),
            FLOAT => Token::Float(f64::from_bits(self.u64()?)),
            STR => Token::Str(self.bytes_field()?),
            ARRAY => {
                let n = self.u32()?;
                // Every pair takes at least 2 bytes, so a bigger count is corrupt.
                if n as usize > (self.bytes.len() - self.pos) / 2 {
                    return Err(Malformed);
                }
                Token::Array(n)
            }
            _ => return Err(Malformed),
        })
    }

    /// Position in the bytes, for slicing out what was just read.
    pub fn pos(&self) -> usize {
        self.pos
    }

    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Skips one value, nested arrays included.
    pub fn skip_value(&mut self, depth: usize) -> Result<(), Malformed> {
        if let Token::Array(n) = self.token()? {
            if depth >= MAX_DEPTH {
                return Err(Malformed);
            }
            for _ in 0..n {
                self.key()?;
                self.skip_value(depth + 1)?;
            }
        }
        Ok(())
    }

    pub fn key(&mut self) -> Result<Key<'a>, Malformed> {
        match self.u8()? {
            INT => Ok(Key::Int(self.u64()?.cast_signed())),
            STR => Ok(Key::Str(self.bytes_field()?)),
            _ => Err(Malformed),
        }
    }
}

/// A decoded value, for tests, CLI tools and the Redis backend's JSON mirror.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Map(Vec<(MapKey, Value)>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MapKey {
    Int(i64),
    Str(String),
}

impl Value {
    pub fn encode(&self, w: &mut Writer) {
        match self {
            Value::Null => w.null(),
            Value::Bool(b) => w.bool(*b),
            Value::Int(i) => w.int(*i),
            Value::Float(f) => w.float(*f),
            Value::Str(s) => w.str(s.as_bytes()),
            Value::Map(pairs) => {
                w.array(u32::try_from(pairs.len()).unwrap_or(u32::MAX));
                for (k, v) in pairs {
                    match k {
                        MapKey::Int(i) => w.int(*i),
                        MapKey::Str(s) => w.str(s.as_bytes()),
                    }
                    v.encode(w);
                }
            }
        }
    }

    /// Decodes one value; `depth` guards against hostile nesting in corrupt bytes.
    pub fn decode(r: &mut Reader<'_>, depth: usize) -> Result<Value, Malformed> {
        Ok(match r.token()? {
            Token::Null => Value::Null,
            Token::Bool(b) => Value::Bool(b),
            Token::Int(i) => Value::Int(i),
            Token::Float(f) => Value::Float(f),
            Token::Str(s) => Value::Str(String::from_utf8_lossy(s).into_owned()),
            Token::Array(n) => {
                if depth >= MAX_DEPTH {
                    return Err(Malformed);
                }
                let mut pairs = Vec::with_capacity(n as usize);
                for _ in 0..n {
                    let k = match r.key()? {
                        Key::Int(i) => MapKey::Int(i),
                        Key::Str(s) => MapKey::Str(String::from_utf8_lossy(s).into_owned()),
                    };
                    pairs.push((k, Value::decode(r, depth + 1)?));
                }
                Value::Map(pairs)
            }
        })
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Value, Malformed> {
        let mut r = Reader::new(bytes);
        let v = Value::decode(&mut r, 0)?;
        if r.at_end() {
            Ok(v)
        } else {
            Err(Malformed)
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::default();
        self.encode(&mut w);
        w.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Value {
        Value::Map(vec![
            (MapKey::Str("screen".into()), Value::Str("edit-post".into())),
            (MapKey::Int(7), Value::Float(1.5)),
            (
                MapKey::Str("flags".into()),
                Value::Map(vec![(MapKey::Int(0), Value::Bool(true))]),
            ),
            (MapKey::Str("none".into()), Value::Null),
            (MapKey::Str("neg".into()), Value::Int(-42)),
        ])
    }

    #[test]
    fn round_trips() {
        let v = sample();
        assert_eq!(Value::from_bytes(&v.to_bytes()), Ok(v));
        assert_eq!(Value::from_bytes(&EMPTY_ARRAY), Ok(Value::Map(vec![])));
    }

    #[test]
    fn rejects_truncation_at_every_length() {
        let bytes = sample().to_bytes();
        for n in 0..bytes.len() {
            assert_eq!(Value::from_bytes(&bytes[..n]), Err(Malformed), "prefix {n}");
        }
    }

    #[test]
    fn rejects_trailing_bytes_bad_tags_and_huge_counts() {
        let mut bytes = sample().to_bytes();
        bytes.push(0);
        assert_eq!(Value::from_bytes(&bytes), Err(Malformed));
        assert_eq!(Value::from_bytes(&[9]), Err(Malformed));
        assert_eq!(
            Value::from_bytes(&[ARRAY, 0xff, 0xff, 0xff, 0xff]),
            Err(Malformed)
        );
    }

    #[test]
    fn rejects_nesting_deeper_than_the_limit() {
        let mut v = Value::Map(vec![]);
        for _ in 0..MAX_DEPTH {
            v = Value::Map(vec![(MapKey::Int(0), v)]);
        }
        assert_eq!(Value::from_bytes(&v.to_bytes()), Err(Malformed));
    }
}
