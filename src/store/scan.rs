//! Operations over every shard: sweep, per-user and per-namespace work, room lists, stats.
//!
//! Each visits the shards one at a time and does what it can there: everything of rooms homed
//! in that shard and not spread. A spread room's parts need their home's lock too (for the
//! version), which cannot be taken while holding a higher shard, so that work is collected and
//! done afterwards, one room at a time with its shards locked in ascending order.

use super::layout::{RoomRec, ROOM_HOME, ROOM_PART, SLOT_LIVE};
use super::room::{reclaim_homes, Halt};
use super::shard::{Invariant, Shard};
use super::{
    guarded, halt_error, Entries, RoomKey, RoomSummary, ShardLocks, Stats, Store, StoreError,
};
use crate::store::shard::LOG_AGE;

/// A room met in one shard whose work needs its other shards: (namespace, room, offset of
/// the record met from the room's home).
type Deferred = (Vec<u8>, Vec<u8>, u32);

/// The work item of record `r`: its room, and its offset if it is a part.
fn deferred(sh: &Shard<'_>, r: u32, rec: &RoomRec) -> Result<Deferred, Halt> {
    let (ns, room) = name_of(sh, r)?;
    let off = if rec.state == ROOM_PART {
        u32::from(rec.spread)
    } else {
        0
    };
    Ok((ns, room, off))
}

fn name_of(sh: &Shard<'_>, r: u32) -> Result<(Vec<u8>, Vec<u8>), Halt> {
    let (mut ns, mut room) = (Vec::new(), Vec::new());
    sh.room_namespace(r, &mut ns)?;
    sh.room_name(r, &mut room)?;
    Ok((ns, room))
}

/// One item per room, with the largest offset met: work on a part its home does not know of
/// (see `Room::adopt`) needs that part held.
fn dedup(list: &mut Vec<Deferred>) {
    list.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)).then(b.2.cmp(&a.2)));
    list.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
}

/// A room's line in `rooms()`, or None when it has no live entry.
fn summary(
    room: Vec<u8>,
    version: u64,
    entries: u32,
    updated: i64,
    users: &mut Vec<u64>,
) -> Option<RoomSummary> {
    if entries == 0 {
        return None;
    }
    users.sort_unstable();
    users.dedup();
    Some(RoomSummary {
        room,
        entries,
        users: users.len() as u32,
        version,
        updated,
    })
}

impl<L: ShardLocks> Store<L> {
    pub(super) fn scan_sweep(&self, now: i64) -> Result<u32, StoreError> {
        let mut swept = 0;
        let mut later: Vec<Deferred> = Vec::new();
        for i in 0..self.geometry.shards {
            swept += self
                .on_shard(i, |sh| {
                    guarded(std::slice::from_mut(sh), |sh| {
                        let sh = &mut sh[0];
                        let n = reclaim_homes(sh, now)?;
                        let recs: Vec<_> = sh.room_records().collect();
                        for (r, rec) in recs {
                            if rec.state == ROOM_HOME && rec.spread == 0 {
                                sh.age_gone(r, now - LOG_AGE)?;
                            } else {
                                later.push(deferred(sh, r, &rec)?);
                            }
                        }
                        sh.meta_mut().sweeps += 1;
                        Ok(n)
                    })
                })?
                .map_err(halt_error)?;
        }
        dedup(&mut later);
        for (ns, room, off) in later {
            let id = self.id(&RoomKey::new(&ns, &room));
            swept += self.on_room(id, off, true, |room| {
                if off > 0 {
                    room.adopt(off, now)?;
                }
                let n = room.reclaim(now)?;
                room.age_log(now - LOG_AGE)?;
                room.tidy()?;
                Ok(n)
            })?;
        }
        Ok(swept)
    }

    pub(super) fn scan_remove_user(
        &self,
        ns: &[u8],
        user_id: u64,
        now: i64,
    ) -> Result<u32, StoreError> {
        let mut removed = 0;
        let mut later: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for i in 0..self.geometry.shards {
            removed += self
                .on_shard(i, |sh| {
                    guarded(std::slice::from_mut(sh), |sh| {
                        let sh = &mut sh[0];
                        let mut n = 0;
                        let mut touched = Vec::new();
                        for s in 0..sh.meta().slot_hwm.min(sh.n_slots()) {
                            let sl = *sh.slot(s)?;
                            if sl.state != SLOT_LIVE
                                || sl.user_id != user_id
                                || sl.expires() <= now
                                || !sh.room_ns_is(sl.room_idx, ns)?
                            {
                                continue;
                            }
                            let r = sl.room_idx;
                            if sh.room(r)?.state == ROOM_HOME {
                                let v = sh.tick();
                                sh.room_mut(r)?.version = v;
                                sh.entry_tombstone(s, v, now)?;
                                touched.push(r);
                                n += 1;
                            } else {
                                let mut room = Vec::new();
                                sh.room_name(r, &mut room)?;
                                let mut client = Vec::new();
                                sh.chain_copy(
                                    sh.client_chain(&sl),
                                    0,
                                    usize::from(sl.client_len),
                                    &mut client,
                                )?;
                                later.push((room, client));
                            }
                        }
                        touched.sort_unstable();
                        touched.dedup();
                        for r in touched {
                            let rec = *sh.room(r)?;
                            sh.trim_gone(r, Shard::log_keep(rec.count))?;
                            if rec.count == 0 && rec.spread == 0 {
                                sh.room_drop(r)?;
                            }
                        }
                        Ok(n)
                    })
                })?
                .map_err(halt_error)?;
        }
        for (room, client) in later {
            let id = self.id(&RoomKey::new(ns, &room));
            let kh = self.key.entry(id.hash, &client);
            if self.on_room(id, 0, true, |r| r.remove(&client, kh, now))? {
                removed += 1;
            }
        }
        Ok(removed)
    }

    pub(super) fn scan_user_entries(
        &self,
        ns: &[u8],
        user_id: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<(), StoreError> {
        out.clear();
        for i in 0..self.geometry.shards {
            let mark = (out.items.len(), out.bytes.len());
            self.on_shard(i, |sh| {
                out.items.truncate(mark.0);
                out.bytes.truncate(mark.1);
                for s in 0..sh.meta().slot_hwm.min(sh.n_slots()) {
                    let sl = *sh.slot(s)?;
                    if sl.state == SLOT_LIVE
                        && sl.user_id == user_id
                        && sl.expires() > now
                        && sh.room_ns_is(sl.room_idx, ns)?
                    {
                        sh.emit(s, true, out)?;
                    }
                }
                Ok(())
            })?
            .map_err(halt_error)?;
        }
        out.dedup_keys();
        out.sort_newest_first();
        Ok(())
    }

    pub(super) fn scan_rooms(
        &self,
        ns: &[u8],
        prefix: &[u8],
        now: i64,
    ) -> Result<Vec<RoomSummary>, StoreError> {
        self.scan_rooms_with(ns, prefix, now, true)
    }

    /// `scan_rooms` without the counts: each live room's name and version. A room in one
    /// shard is then read from its record alone (its live count, once the expired entries are
    /// reclaimed), not from a walk of its entries.
    pub(super) fn scan_room_versions(
        &self,
        ns: &[u8],
        prefix: &[u8],
        now: i64,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        Ok(self
            .scan_rooms_with(ns, prefix, now, false)?
            .into_iter()
            .map(|r| (r.room, r.version))
            .collect())
    }

    /// The rooms of `ns` starting with `prefix`, name order; with `counts` false, the
    /// summaries of rooms in one shard carry only the name, version and entries.
    fn scan_rooms_with(
        &self,
        ns: &[u8],
        prefix: &[u8],
        now: i64,
        counts: bool,
    ) -> Result<Vec<RoomSummary>, StoreError> {
        let mut all = Vec::new();
        let mut later: Vec<Deferred> = Vec::new();
        let mut users = Vec::new();
        for i in 0..self.geometry.shards {
            let mark = (all.len(), later.len());
            self.on_shard(i, |sh| {
                all.truncate(mark.0);
                later.truncate(mark.1);
                let due = sh
                    .room_records()
                    .any(|(_, r)| r.state == ROOM_HOME && r.earliest <= now && r.spread == 0);
                if due {
                    guarded(std::slice::from_mut(sh), |sh| {
                        reclaim_homes(&mut sh[0], now).map_err(Halt::from)
                    })?;
                }
                let homes: Vec<_> = sh
                    .room_records()
                    .filter(|(_, r)| r.state == ROOM_HOME)
                    .collect();
                for (r, rec) in homes {
                    if !sh.room_ns_is(r, ns)? || !sh.room_starts_with(r, prefix)? {
                        continue;
                    }
                    let mut name = Vec::new();
                    sh.room_name(r, &mut name)?;
                    if rec.spread > 0 {
                        later.push((ns.to_vec(), name, 0));
                        continue;
                    }
                    if !counts {
                        // Reclaimed above: every entry the record counts is live.
                        if rec.count > 0 {
                            all.push(RoomSummary {
                                room: name,
                                entries: rec.count,
                                users: 0,
                                version: rec.version,
                                updated: 0,
                            });
                        }
                        continue;
                    }
                    users.clear();
                    let (entries, updated) = sh.summary(r, now, &mut users)?;
                    all.extend(summary(name, rec.version, entries, updated, &mut users));
                }
                Ok(())
            })?
            .map_err(halt_error)?;
        }
        dedup(&mut later);
        for (ns, room, _) in later {
            let id = self.id(&RoomKey::new(&ns, &room));
            users.clear();
            let (version, entries, updated) = self.on_room(id, 0, true, |r| {
                r.reclaim(now)?;
                let (e, u) = r.summary(now, &mut users)?;
                Ok((r.version()?, e, u))
            })?;
            all.extend(summary(room, version, entries, updated, &mut users));
        }
        all.sort_by(|a, b| a.room.cmp(&b.room));
        Ok(all)
    }

    pub(super) fn scan_clear(&self, ns: Option<&[u8]>, now: i64) -> Result<u32, StoreError> {
        let mut cleared = 0;
        let mut later: Vec<Deferred> = Vec::new();
        for i in 0..self.geometry.shards {
            cleared += self
                .on_shard(i, |sh| {
                    guarded(std::slice::from_mut(sh), |sh| {
                        let sh = &mut sh[0];
                        let mut n = 0;
                        let recs: Vec<_> = sh.room_records().collect();
                        let mut slots = Vec::new();
                        for (r, rec) in recs {
                            if let Some(ns) = ns {
                                if !sh.room_ns_is(r, ns)? {
                                    continue;
                                }
                            }
                            if rec.state == ROOM_HOME && rec.spread == 0 {
                                slots.clear();
                                sh.live_slots(r, &mut slots)?;
                                for &s in &slots {
                                    if sh.slot(s)?.expires() > now {
                                        n += 1;
                                    }
                                    sh.slot_free(s)?;
                                }
                                sh.room_drop(r)?;
                            } else {
                                later.push(deferred(sh, r, &rec)?);
                            }
                        }
                        Ok(n)
                    })
                })?
                .map_err(halt_error)?;
        }
        dedup(&mut later);
        for (ns, room, off) in later {
            let id = self.id(&RoomKey::new(&ns, &room));
            cleared += self.on_room(id, off, true, |r| r.clear(now))?;
        }
        Ok(cleared)
    }

    pub(super) fn scan_stats(&self) -> Result<Stats, StoreError> {
        let mut st = Stats {
            shards: self.geometry.shards,
            capacity: self.geometry.capacity(),
            bytes_capacity: self.geometry.data_capacity(),
            ..Stats::default()
        };
        for i in 0..self.geometry.shards {
            let s = self.on_shard(i, |sh| Ok(sh.stats()))?.map_err(halt_error)?;
            st.shard.entries += s.entries;
            st.shard.rooms += s.rooms;
            st.shard.blocks_used += s.blocks_used;
            st.shard.tombstones += s.tombstones;
            st.shard.sweeps += s.sweeps;
            st.shard.swept += s.swept;
            st.shard.refusals += s.refusals;
            st.shard.share_refusals += s.share_refusals;
            st.shard.recoveries += s.recoveries;
        }
        st.bytes_used = st.shard.blocks_used * super::layout::BLOCK_PAYLOAD as u64;
        Ok(st)
    }

    /// Checks every invariant of every shard, and those between shards: each part lies within
    /// its home's spread, and no key lives in two parts. For tests (it repairs what it locks
    /// first, as every operation does).
    pub fn verify(&self) -> Result<(), Invariant> {
        let mut homes: Vec<(Vec<u8>, u32)> = Vec::new();
        let mut parts: Vec<(Vec<u8>, u32)> = Vec::new();
        let mut keys: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for i in 0..self.geometry.shards {
            let r = self.on_shard(i, |sh| {
                if let Err(e) = sh.verify() {
                    return Ok(Err(e));
                }
                for (r, rec) in sh.room_records() {
                    let (ns, room) = name_of(sh, r)?;
                    let mut name = ns;
                    name.push(0xff);
                    name.extend_from_slice(&room);
                    if rec.state == ROOM_HOME {
                        homes.push((name.clone(), u32::from(rec.spread)));
                    } else {
                        parts.push((name.clone(), u32::from(rec.spread)));
                    }
                    sh.walk(rec.head, |_, s| {
                        let mut c = Vec::new();
                        sh.chain_copy(sh.client_chain(s), 0, usize::from(s.client_len), &mut c)?;
                        keys.push((name.clone(), c));
                        Ok(true)
                    })?;
                }
                Ok(Ok(()))
            });
            match r {
                Ok(Ok(Ok(()))) => {}
                Ok(Ok(Err(e))) => return Err(e),
                _ => return Err(Invariant(format!("shard {i} cannot be read"))),
            }
        }
        homes.sort();
        for (name, off) in &parts {
            let home = homes.binary_search_by(|h| h.0.as_slice().cmp(name));
            if !home.is_ok_and(|h| homes[h].1 >= *off) {
                return Err(Invariant(format!(
                    "part at offset {off} of {:?} is not covered by its home",
                    String::from_utf8_lossy(name)
                )));
            }
        }
        keys.sort();
        if let Some(w) = keys.windows(2).find(|w| w[0] == w[1]) {
            return Err(Invariant(format!(
                "key {:?} lives in two parts",
                String::from_utf8_lossy(&w[0].1)
            )));
        }
        Ok(())
    }
}
