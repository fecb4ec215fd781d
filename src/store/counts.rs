//! Counts of one room across many namespaces in one walk of the store: the network view's
//! "who is online on each site" without a lock pass per site.
//!
//! The walk visits each shard once and looks only at room records (not entries) until it meets
//! the room in one of the namespaces asked for; then it counts that room's live entries there.
//! A spread room's parts are counted afterwards, one room at a time, like `scan_rooms` does.
//! Nothing is written: expired entries are skipped, not reclaimed.

use super::layout::ROOM_HOME;
use super::{halt_error, RoomCounts, RoomKey, ShardLocks, Store, StoreError};
use std::collections::HashMap;

impl<L: ShardLocks> Store<L> {
    pub(super) fn scan_room_counts(
        &self,
        namespaces: &[&[u8]],
        room: &[u8],
        now: i64,
    ) -> Result<Vec<RoomCounts>, StoreError> {
        let mut index: HashMap<&[u8], usize> = HashMap::with_capacity(namespaces.len());
        for (i, ns) in namespaces.iter().enumerate() {
            index.entry(ns).or_insert(i);
        }
        let mut out = vec![RoomCounts::default(); namespaces.len()];
        let mut spread: Vec<usize> = Vec::new();
        let mut ns_buf = Vec::new();
        for i in 0..self.geometry.shards {
            // The closure may run twice (after a repair): it only collects, merged below.
            let found = self
                .on_shard(i, |sh| {
                    let mut found: Vec<(usize, u32, i64, Vec<u64>, bool)> = Vec::new();
                    let homes: Vec<_> = sh
                        .room_records()
                        .filter(|(_, r)| {
                            r.state == ROOM_HOME && usize::from(r.room_len) == room.len()
                        })
                        .collect();
                    for (r, rec) in homes {
                        ns_buf.clear();
                        sh.room_namespace(r, &mut ns_buf)?;
                        let Some(&k) = index.get(ns_buf.as_slice()) else {
                            continue;
                        };
                        if !sh.room_name_is(r, &ns_buf, room)? {
                            continue;
                        }
                        if rec.spread > 0 {
                            found.push((k, 0, 0, Vec::new(), true));
                            continue;
                        }
                        let mut users = Vec::new();
                        let (entries, updated) = sh.summary(r, now, &mut users)?;
                        found.push((k, entries, updated, users, false));
                    }
                    Ok(found)
                })?
                .map_err(halt_error)?;
            for (k, entries, updated, users, is_spread) in found {
                if is_spread {
                    spread.push(k);
                } else {
                    let c = &mut out[k];
                    c.entries += entries;
                    c.updated = c.updated.max(updated);
                    c.users.extend(users);
                }
            }
        }
        spread.sort_unstable();
        spread.dedup();
        for k in spread {
            let id = self.id(&RoomKey::new(namespaces[k], room));
            let mut users = Vec::new();
            let (entries, updated) = self.on_room(id, 0, false, |r| {
                users.clear();
                Ok(r.summary(now, &mut users)?)
            })?;
            let c = &mut out[k];
            c.entries += entries;
            c.updated = c.updated.max(updated);
            c.users.extend(users);
        }
        for c in &mut out {
            c.users.sort_unstable();
            c.users.dedup();
        }
        // A namespace asked for twice gets the same answer twice.
        for (i, ns) in namespaces.iter().enumerate() {
            let first = index[ns];
            if first != i {
                out[i] = out[first].clone();
            }
        }
        Ok(out)
    }
}
