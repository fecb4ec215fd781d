//! Store tests over shards in process memory: unit tests of each operation (`basic`), rooms
//! that spread and hostile names (`spread`), the change log (`changes`), the namespace share
//! (`share`), fault injection (`fault`) and the model-based test (`model`).

use super::codec::{MapKey, Value};
use super::layout::Geometry;
use super::mem::MemShards;
use super::*;

mod basic;
mod changes;
mod counts;
mod fault;
mod model;
mod share;
mod spread;
mod top;

pub const NS: &[u8] = b"site-a";

pub fn store(shards: u32, capacity: u32, data: u64) -> Store<MemShards> {
    store_g(Geometry::from_budget(shards, capacity, data))
}

pub fn store_g(g: Geometry) -> Store<MemShards> {
    let s = Store::new(MemShards::new(g));
    s.format(1).unwrap();
    s
}

pub fn data(screen: &str) -> Vec<u8> {
    Value::Map(vec![(
        MapKey::Str("screen".into()),
        Value::Str(screen.into()),
    )])
    .to_bytes()
}

#[allow(clippy::too_many_arguments)] // A test helper spelling out one entry.
pub fn put_ns<L: ShardLocks>(
    s: &Store<L>,
    ns: &[u8],
    room: &str,
    client: &str,
    uid: u64,
    d: &[u8],
    now: i64,
    ttl: i64,
) -> Result<Upsert, StoreError> {
    let key = EntryKey::new(RoomKey::new(ns, room.as_bytes()), client.as_bytes());
    s.upsert(
        &key,
        &Write {
            user_id: uid,
            data: d,
            now,
            ttl,
        },
    )
}

pub fn put<L: ShardLocks>(
    s: &Store<L>,
    room: &str,
    client: &str,
    uid: u64,
    d: &[u8],
    now: i64,
    ttl: i64,
) -> Result<Upsert, StoreError> {
    put_ns(s, NS, room, client, uid, d, now, ttl)
}

pub fn read<L: ShardLocks>(s: &Store<L>, room: &str, now: i64, opts: &ReadOpts<'_>) -> Entries {
    let mut out = Entries::default();
    s.room(&RoomKey::new(NS, room.as_bytes()), now, opts, &mut out)
        .unwrap();
    out
}

pub fn clients<L: ShardLocks>(
    s: &Store<L>,
    room: &str,
    now: i64,
    max_age: Option<i64>,
) -> Vec<String> {
    let out = read(
        s,
        room,
        now,
        &ReadOpts {
            max_age,
            ..ReadOpts::default()
        },
    );
    out.items
        .iter()
        .map(|e| String::from_utf8(out.client(e).to_vec()).unwrap())
        .collect()
}

pub fn version<L: ShardLocks>(s: &Store<L>, room: &str, now: i64) -> u64 {
    s.room_version(&RoomKey::new(NS, room.as_bytes()), now)
        .unwrap()
}

pub fn remove<L: ShardLocks>(s: &Store<L>, room: &str, client: &str, now: i64) -> bool {
    s.remove(
        &EntryKey::new(RoomKey::new(NS, room.as_bytes()), client.as_bytes()),
        now,
    )
    .unwrap()
}
