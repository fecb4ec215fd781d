//! `data` arrays to bytes and back.

use super::errors::value_error;
use super::shapes::{Layout, Templates};
use crate::store::codec::{Key, Malformed, Reader, Token, Writer, MAX_DEPTH};
use crate::store::layout::MAX_DATA_LEN;
use crate::sys::zend::{
    array_zval, bool_zval, double_zval, empty_array_zval, for_each, insert_str_key, long_zval,
    same_bytes, string_zval, KeyRef, Shape, MAX_SHAPE_KEYS,
};
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};

/// Encodes `ht`, argument `pos` of `func`, into `w`, refusing what cannot round-trip or is too big
/// or deep.
pub fn encode(func: &str, pos: u8, ht: &ZendHashTable, w: &mut Writer) -> Result<(), PhpException> {
    w.clear();
    encode_array(ht, w, 1)
        .map_err(|why| value_error(func, &format!("Argument #{pos} ($data) {why}")))
}

fn encode_array(ht: &ZendHashTable, w: &mut Writer, depth: usize) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("must not be nested deeper than {MAX_DEPTH} levels"));
    }
    w.array(ht.len() as u32);
    for_each(ht, |k, v| {
        match k {
            KeyRef::Int(i) => w.int(i),
            KeyRef::Str(s) => w.str(s),
        }
        encode_value(v, w, depth)?;
        if w.buf.len() > MAX_DATA_LEN {
            return Err(format!("must encode to at most {MAX_DATA_LEN} bytes"));
        }
        Ok(())
    })
}

fn encode_value(v: &Zval, w: &mut Writer, depth: usize) -> Result<(), String> {
    match v.get_type() {
        DataType::Null => w.null(),
        DataType::False => w.bool(false),
        DataType::True => w.bool(true),
        DataType::Bool => w.bool(v.bool().unwrap_or(false)),
        DataType::Long => w.int(v.long().unwrap_or(0)),
        DataType::Double => w.float(v.double().unwrap_or(0.0)),
        DataType::String => w.str(v.zend_str().map(ZendStr::as_bytes).unwrap_or_default()),
        DataType::Array => encode_array(v.array().ok_or("holds a broken array")?, w, depth + 1)?,
        DataType::Reference => return Err("must not contain references".into()),
        DataType::Object(_) => {
            return Err("must contain only scalars and arrays, not objects".into())
        }
        DataType::Resource => {
            return Err("must contain only scalars and arrays, not resources".into())
        }
        other => return Err(format!("must contain only scalars and arrays, not {other}")),
    }
    Ok(())
}

/// Decodes the stored `data` of one result's entries. Arrays with the keys of a recent entry's
/// are filled from its template, and strings equal to the one at the same position there share
/// it.
pub struct Decoder {
    templates: Templates,
    /// Whether more entries follow the first (worth making templates).
    plan: bool,
}

/// The encoding from a position on.
#[derive(Clone, Copy)]
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// Steps over `lit` if the bytes here are exactly it.
    #[inline]
    fn expect(&mut self, lit: &[u8]) -> bool {
        let end = self.pos + lit.len();
        if self
            .bytes
            .get(self.pos..end)
            .is_some_and(|here| same_bytes(here, lit))
        {
            self.pos = end;
            true
        } else {
            false
        }
    }

    #[inline]
    fn reader(&self) -> Result<Reader<'a>, Malformed> {
        Ok(Reader::new(self.bytes.get(self.pos..).ok_or(Malformed)?))
    }

    #[inline]
    fn token(&mut self) -> Result<Token<'a>, Malformed> {
        let mut r = self.reader()?;
        let token = r.token()?;
        self.pos += r.pos();
        Ok(token)
    }

    #[inline]
    fn key(&mut self) -> Result<Key<'a>, Malformed> {
        let mut r = self.reader()?;
        let key = r.key()?;
        self.pos += r.pos();
        Ok(key)
    }
}

impl Decoder {
    pub fn new(plan: bool) -> Decoder {
        Decoder {
            templates: Templates::new(),
            plan,
        }
    }

    /// Stored bytes as a PHP array. Only bytes this extension wrote reach here, but a damaged
    /// value still yields an empty array rather than a crash (presence-api does the same with
    /// non-array JSON).
    pub fn decode(&mut self, bytes: &[u8]) -> Zval {
        let mut at = Cursor { bytes, pos: 0 };
        let count = match at.token() {
            Ok(Token::Array(count)) if count > 0 => count,
            _ => return empty_array_zval(),
        };
        let start = at;
        let templates = &mut self.templates;
        let mut tried = 0;
        while let Some(id) = templates.root(tried) {
            let (shapes, layout) = templates.parts();
            if let Ok(z) = fill(shapes, layout, id, &mut at, count, 1) {
                templates.used(tried);
                return z;
            }
            at = start;
            tried += 1;
        }
        match build(templates, &mut at, count, 1, self.plan) {
            Ok((z, id)) => {
                if let Some(id) = id {
                    templates.add_root(id);
                }
                z
            }
            Err(_) => empty_array_zval(),
        }
    }
}

/// A value that is not a string or a non-empty array.
fn scalar(token: Token<'_>) -> Zval {
    match token {
        Token::Null => Zval::null(),
        Token::Bool(b) => bool_zval(b),
        Token::Int(i) => long_zval(i),
        Token::Float(f) => double_zval(f),
        Token::Str(s) => string_zval(s),
        Token::Array(_) => empty_array_zval(),
    }
}

/// The array of `count` pairs at `at`, filled from template `id` if it has exactly its keys
/// (checked as read: any difference is an error, and the caller starts over with `build`).
/// Templates of nested arrays have smaller ids, so they are borrowed from below `id`.
fn fill(
    shapes: &mut [Shape],
    layout: &Layout,
    id: usize,
    at: &mut Cursor<'_>,
    count: u32,
    depth: usize,
) -> Result<Zval, Malformed> {
    let (below, rest) = shapes.split_at_mut(id);
    let shape = rest.first_mut().ok_or(Malformed)?;
    if shape.key_count() != count {
        return Err(Malformed);
    }
    let mut new = shape.start();
    let mut filled = 0;
    for (key, child) in layout.slots(id, count) {
        filled += 1;
        if !at.expect(key) {
            return Err(Malformed);
        }
        match at.token()? {
            Token::Str(s) => new.push_string(s),
            Token::Array(inner) if inner > 0 => {
                if depth >= MAX_DEPTH {
                    return Err(Malformed);
                }
                let z = match child {
                    Some(child) if child < id => fill(below, layout, child, at, inner, depth + 1)?,
                    _ => build_plain(at, inner, depth + 1)?,
                };
                new.push(z);
            }
            other => new.push(scalar(other)),
        }
    }
    if filled != count {
        return Err(Malformed);
    }
    Ok(array_zval(new.finish()))
}

/// The array of `count` pairs at `at`, key by key, without templates.
fn build_plain(at: &mut Cursor<'_>, count: u32, depth: usize) -> Result<Zval, Malformed> {
    let mut ht = ZendHashTable::with_capacity(count);
    for _ in 0..count {
        let key = at.key()?;
        let z = match at.token()? {
            Token::Array(inner) if inner > 0 => {
                if depth >= MAX_DEPTH {
                    return Err(Malformed);
                }
                build_plain(at, inner, depth + 1)?
            }
            other => scalar(other),
        };
        insert(&mut ht, key, z)?;
    }
    Ok(array_zval(ht))
}

fn insert(ht: &mut ZendHashTable, key: Key<'_>, z: Zval) -> Result<(), Malformed> {
    match key {
        Key::Int(i) => ht.insert(ArrayKey::Long(i), z).map_err(|_| Malformed),
        Key::Str(s) => {
            insert_str_key(ht, s, z);
            Ok(())
        }
    }
}

/// The array of `count` pairs at `at`, key by key, and (with `plan`) its template's id.
fn build(
    templates: &mut Templates,
    at: &mut Cursor<'_>,
    count: u32,
    depth: usize,
    plan: bool,
) -> Result<(Zval, Option<usize>), Malformed> {
    let Some(new) = (plan && count <= MAX_SHAPE_KEYS)
        .then(|| templates.begin(count))
        .flatten()
    else {
        return Ok((build_plain(at, count, depth)?, None));
    };
    let mut ht = ZendHashTable::with_capacity(count);
    for i in 0..count {
        let from = at.pos;
        let key = at.key()?;
        let encoded = &at.bytes[from..at.pos];
        let (z, child) = match at.token()? {
            Token::Array(inner) if inner > 0 => {
                if depth >= MAX_DEPTH {
                    return Err(Malformed);
                }
                build(templates, at, inner, depth + 1, true)?
            }
            other => (scalar(other), None),
        };
        templates.set_slot(&new, i, encoded, child);
        insert(&mut ht, key, z)?;
    }
    let id = Shape::of(&ht).and_then(|shape| templates.finish(&new, shape));
    Ok((array_zval(ht), id))
}
