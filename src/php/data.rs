//! `data` arrays to bytes and back.

use super::errors::value_error;
use super::shapes::{OwnedKey, Shapes, MAX_SHAPED_KEYS};
use crate::store::codec::{Key, Malformed, Reader, Token, Writer, MAX_DEPTH};
use crate::store::layout::MAX_DATA_LEN;
use crate::sys::zend::{bool_zval, double_zval, for_each, long_zval, string_zval, KeyRef};
use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::PhpException;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ArrayKey, ZendHashTable, ZendStr, Zval};

/// Encodes `ht` into `w`, refusing what cannot round-trip or is too big or deep.
pub fn encode(func: &str, ht: &ZendHashTable, w: &mut Writer) -> Result<(), PhpException> {
    w.clear();
    encode_array(ht, w, 1).map_err(|why| value_error(func, &format!("Argument ($data) {why}")))
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

/// Decodes stored bytes into a PHP array. Only bytes this extension wrote reach here, but a
/// damaged value still yields an empty array rather than a crash (presence-api does the same
/// with non-array JSON).
pub fn decode(bytes: &[u8], shapes: &mut Shapes) -> ZBox<ZendHashTable> {
    let mut r = Reader::new(bytes);
    match r.token() {
        Ok(Token::Array(n)) => {
            decode_array(&mut r, n, 1, shapes).unwrap_or_else(|_| ZendHashTable::new())
        }
        _ => ZendHashTable::new(),
    }
}

fn value(r: &mut Reader<'_>, depth: usize, shapes: &mut Shapes) -> Result<Zval, Malformed> {
    Ok(match r.token()? {
        Token::Null => Zval::null(),
        Token::Bool(b) => bool_zval(b),
        Token::Int(i) => long_zval(i),
        Token::Float(f) => double_zval(f),
        Token::Str(s) => string_zval(s),
        Token::Array(m) => {
            if depth >= MAX_DEPTH {
                return Err(Malformed);
            }
            let mut z = Zval::new();
            z.set_hashtable(decode_array(r, m, depth + 1, shapes)?);
            z
        }
    })
}

fn decode_array(
    r: &mut Reader<'_>,
    n: u32,
    depth: usize,
    shapes: &mut Shapes,
) -> Result<ZBox<ZendHashTable>, Malformed> {
    if n == 0 {
        return Ok(ZendHashTable::new());
    }
    let cacheable = n as usize <= MAX_SHAPED_KEYS;
    if cacheable {
        if let Some(ds) = shapes.last(depth, n as usize) {
            let start = r.clone();
            let mut ok = true;
            let ht = ds.shape.fill(|i| {
                if !ok {
                    return Zval::null();
                }
                let v = r
                    .key()
                    .ok()
                    .filter(|k| ds.keys.get(i as usize).is_some_and(|want| want.matches(k)))
                    .and_then(|_| value(r, depth, shapes).ok());
                v.unwrap_or_else(|| {
                    ok = false;
                    Zval::null()
                })
            });
            if ok {
                return Ok(ht);
            }
            // Another shape: start over the plain way.
            *r = start;
        }
    }
    let mut keys = Vec::new();
    let mut ht = ZendHashTable::with_capacity(n);
    for _ in 0..n {
        let key = r.key()?;
        let z = value(r, depth, shapes)?;
        let inserted = match key {
            Key::Int(i) => {
                if cacheable {
                    keys.push(OwnedKey::Int(i));
                }
                ht.insert(ArrayKey::Long(i), z)
            }
            Key::Str(s) => {
                if cacheable {
                    keys.push(OwnedKey::Str(s.to_vec()));
                }
                let ks = ZendStr::new(s, false);
                ht.insert(ArrayKey::ZendString(&ks), z)
            }
        };
        inserted.map_err(|_| Malformed)?;
    }
    if cacheable {
        shapes.remember(depth, keys);
    }
    Ok(ht)
}
