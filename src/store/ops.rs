//! Operations on one room or one entry: the home shard alone for a small room, the shards of a
//! spread room in ascending order, or one at a time for reads and refreshes.

use super::room::{Halt, Room, RoomId};
use super::shard::Shard;
use super::{
    guarded, halt_error, Backend, Changes, Entries, EntryKey, ReadOpts, RoomCounts, RoomKey,
    RoomSummary, ShardLocks, Stats, Store, StoreError, Upsert, Write,
};
use crate::store::layout::{pack_times, SLOT_LIVE};

/// What a look at the home shard alone found.
enum Home<R> {
    Done(R),
    /// The room is spread this far: go to its other shards.
    Spread(u32),
}

impl<L: ShardLocks> Store<L> {
    /// Looks at the home shard alone, then visits the parts one at a time looking for the key.
    /// A refresh found there is done under that one part's lock.
    fn upsert_once(
        &self,
        id: RoomId<'_>,
        key: &EntryKey<'_>,
        kh: u64,
        w: &Write<'_>,
    ) -> Result<Result<Upsert, Halt>, StoreError> {
        let share = self.share;
        let (first, spread) = self
            .on_shard(id.home, |sh| {
                guarded(std::slice::from_mut(sh), |sh| {
                    let mut room = Room::open_home(sh, id)?;
                    let spread = room.spread()?;
                    match room.upsert(key.client, kh, w, share) {
                        // Leave the shard dirty: `on_shard` repairs and runs this again.
                        Err(Halt::Corrupt) => Err(Halt::Corrupt),
                        r => Ok((r, spread)),
                    }
                })
            })?
            .unwrap_or_else(|h| (Err(h), 0));
        let held = match first {
            Err(Halt::Escalate(k)) => k,
            r => return Ok(r),
        };
        let times = pack_times(w.now, w.now + w.ttl);
        for off in 1..=spread {
            let found = self.on_shard((id.home + off) % self.geometry.shards, |sh| {
                refresh_in_part(sh, id, key.client, kh, w, times)
            })?;
            match found {
                Ok(Probe::Refreshed) => return Ok(Ok(Upsert::Refreshed)),
                Ok(Probe::Elsewhere) => {}
                Ok(Probe::Here) | Err(_) => break,
            }
        }
        self.room_op(id, held, true, |room| room.upsert(key.client, kh, w, share))
    }

    /// The version stored at home, without reclaiming anything.
    pub(super) fn home_version(&self, id: RoomId<'_>) -> Result<u64, StoreError> {
        self.on_shard(id.home, |sh| {
            Ok(Room::open_home(std::slice::from_mut(sh), id)?
                .home()?
                .map_or(0, |h| h.version))
        })?
        .map_err(halt_error)
    }

    /// Counts a final refusal in the home shard's stats.
    fn count_refusal(&self, id: RoomId<'_>, share: bool) -> Result<(), StoreError> {
        self.on_shard(id.home, |sh| {
            guarded(std::slice::from_mut(sh), |sh| {
                let m = sh[0].meta_mut();
                if share {
                    m.share_refusals += 1;
                } else {
                    m.refusals += 1;
                }
                Ok(())
            })
        })?
        .map_err(halt_error)
    }

    /// Reads the room's home part (reclaiming first when due): the version, read before any
    /// entry, and the spread.
    fn read_home(
        &self,
        id: RoomId<'_>,
        now: i64,
        opts: &ReadOpts<'_>,
        out: &mut Entries,
    ) -> Result<(u64, u32), StoreError> {
        let r = self.on_shard(id.home, |sh| {
            out.clear();
            let room = Room::open_home(std::slice::from_mut(sh), id)?;
            if !room.reclaim_due(now)? {
                room.read(now, opts, out)?;
                return Ok((room.version()?, room.spread()?));
            }
            guarded(std::slice::from_mut(sh), |sh| {
                Room::open(sh, id, 0)?.reclaim(now)
            })?;
            let room = Room::open_home(std::slice::from_mut(sh), id)?;
            room.read(now, opts, out)?;
            Ok((room.version()?, room.spread()?))
        })?;
        match r {
            Err(Halt::Escalate(k)) => {
                // Something expired in a spread room: reclaim with every part held, then read.
                self.on_room(id, k, true, |room| room.reclaim(now))?;
                self.read_home(id, now, opts, out)
            }
            r => r.map_err(halt_error),
        }
    }
}

enum Probe {
    Refreshed,
    /// The key lives in this part but needs more than a refresh.
    Here,
    Elsewhere,
}

/// Refreshes the key in this part if it is there and only its timestamps move (and not to an
/// earlier expiry, which the home's lower bound would have to follow).
fn refresh_in_part(
    sh: &mut Shard<'_>,
    id: RoomId<'_>,
    client: &[u8],
    kh: u64,
    w: &Write<'_>,
    times: u64,
) -> Result<Probe, Halt> {
    let Some(r) = sh.find_room(id.hash, id.ns, id.room)? else {
        return Ok(Probe::Elsewhere);
    };
    let Some(s) = sh.find_key(kh, r, client)? else {
        return Ok(Probe::Elsewhere);
    };
    let sl = *sh.slot(s)?;
    let same = sl.state == SLOT_LIVE
        && sl.expires() > w.now
        && w.now + w.ttl >= sl.expires()
        && sl.user_id == w.user_id
        && sl.data_len as usize == w.data.len()
        && sh.chain_eq(sh.client_chain(&sl), client.len(), w.data)?;
    if !same {
        return Ok(Probe::Here);
    }
    guarded(std::slice::from_mut(sh), |sh| {
        sh[0].entry_refresh(s, times)?;
        Ok(Probe::Refreshed)
    })
}

impl<L: ShardLocks> Backend for Store<L> {
    fn upsert(&self, key: &EntryKey<'_>, w: &Write<'_>) -> Result<Upsert, StoreError> {
        Self::check_key(key)?;
        Self::check_write(w)?;
        let id = self.id(&key.room);
        let kh = self.key.entry(id.hash, key.client);
        let mut swept = false;
        loop {
            match self.upsert_once(id, key, kh, w)? {
                Ok(u) => return Ok(u),
                Err(Halt::Sweep(_)) if !swept => {
                    // Every candidate shard is full: expired entries of rooms homed elsewhere
                    // may be holding the space. Reclaim everything once and try again.
                    self.sweep(w.now)?;
                    swept = true;
                }
                Err(h) => {
                    if let Halt::Refused(r) | Halt::Sweep(r) = h {
                        self.count_refusal(id, r == super::Refusal::Share)?;
                    }
                    return Err(halt_error(h));
                }
            }
        }
    }

    fn get(&self, key: &EntryKey<'_>, now: i64, out: &mut Entries) -> Result<bool, StoreError> {
        out.clear();
        Self::check_key(key)?;
        let id = self.id(&key.room);
        let kh = self.key.entry(id.hash, key.client);
        let emit_live = |sh: &Shard<'_>, r: Option<u32>, out: &mut Entries| -> Result<bool, Halt> {
            let Some(r) = r else { return Ok(false) };
            let Some(s) = sh.find_key(kh, r, key.client)? else {
                return Ok(false);
            };
            if sh.slot(s)?.expires() <= now {
                return Ok(false);
            }
            out.clear();
            sh.emit(s, false, out)?;
            Ok(true)
        };
        let first = self
            .on_shard(id.home, |sh| {
                let r = sh.find_room(id.hash, id.ns, id.room)?;
                if emit_live(sh, r, out)? {
                    return Ok(Home::Done(true));
                }
                let spread = match r {
                    Some(r) => u32::from(sh.room(r)?.spread),
                    None => 0,
                };
                Ok(if spread == 0 {
                    Home::Done(false)
                } else {
                    Home::Spread(spread)
                })
            })?
            .map_err(halt_error)?;
        let spread = match first {
            Home::Done(found) => return Ok(found),
            Home::Spread(s) => s,
        };
        for off in 1..=spread {
            let found = self
                .on_shard((id.home + off) % self.geometry.shards, |sh| {
                    let r = sh.find_room(id.hash, id.ns, id.room)?;
                    emit_live(sh, r, out)
                })?
                .map_err(halt_error)?;
            if found {
                return Ok(true);
            }
        }
        // Not met one part at a time: it may have moved between two visits. Look once more
        // with every part held.
        self.on_room(id, spread, false, |room| {
            for off in 0..=room.held {
                if emit_live(room.sh(off)?, room.rec(off), out)? {
                    return Ok(true);
                }
            }
            Ok(false)
        })
    }

    fn room(
        &self,
        rk: &RoomKey<'_>,
        now: i64,
        opts: &ReadOpts<'_>,
        out: &mut Entries,
    ) -> Result<u64, StoreError> {
        Self::check_room(rk)?;
        let id = self.id(rk);
        // The version is read before the parts: a change made meanwhile shows as a newer
        // version on the next look.
        let (version, spread) = self.read_home(id, now, opts, out)?;
        for off in 1..=spread {
            self.on_shard((id.home + off) % self.geometry.shards, |sh| {
                if let Some(r) = sh.find_room(id.hash, id.ns, id.room)? {
                    sh.read_list(r, now, opts, out)?;
                }
                Ok(())
            })?
            .map_err(halt_error)?;
        }
        // Every change bumps the version at home: if it still stands, no entry can have moved
        // between two parts while they were read, and there is nothing to deduplicate.
        if spread > 0 && self.home_version(id)? != version {
            out.dedup_keys();
        }
        out.sort_newest_first();
        Ok(version)
    }

    fn exchange(
        &self,
        key: &EntryKey<'_>,
        w: &Write<'_>,
        opts: &ReadOpts<'_>,
        out: &mut Entries,
    ) -> Result<(Upsert, u64), StoreError> {
        Self::check_key(key)?;
        Self::check_write(w)?;
        let id = self.id(&key.room);
        let kh = self.key.entry(id.hash, key.client);
        let share = self.share;
        // One lock pass when the room lives in its home shard alone.
        let one = self.on_shard(id.home, |sh| {
            guarded(std::slice::from_mut(sh), |sh| {
                let mut room = Room::open(sh, id, 0)?;
                let u = room.upsert(key.client, kh, w, share)?;
                room.reclaim(w.now)?;
                out.clear();
                room.read(w.now, opts, out)?;
                Ok((u, room.version()?))
            })
        })?;
        match one {
            Ok((u, v)) => {
                out.sort_newest_first();
                Ok((u, v))
            }
            Err(Halt::Escalate(_) | Halt::Sweep(_)) => {
                let u = self.upsert(key, w)?;
                let v = self.room(&key.room, w.now, opts, out)?;
                Ok((u, v))
            }
            Err(h) => {
                if let Halt::Refused(r) = h {
                    self.count_refusal(id, r == super::Refusal::Share)?;
                }
                Err(halt_error(h))
            }
        }
    }

    fn remove(&self, key: &EntryKey<'_>, now: i64) -> Result<bool, StoreError> {
        Self::check_key(key)?;
        let id = self.id(&key.room);
        let kh = self.key.entry(id.hash, key.client);
        self.on_room(id, 0, true, |room| room.remove(key.client, kh, now))
    }

    fn room_version(&self, rk: &RoomKey<'_>, now: i64) -> Result<u64, StoreError> {
        Self::check_room(rk)?;
        let id = self.id(rk);
        let r = self.on_shard(id.home, |sh| {
            let room = Room::open_home(std::slice::from_mut(sh), id)?;
            if !room.reclaim_due(now)? {
                if !room.is_exact()? {
                    // A big room whose home part is empty: look at its parts.
                    return Err(Halt::Escalate(room.spread()?));
                }
                // The common case: one lock, no walk, no write.
                return Ok(room.version()?);
            }
            guarded(std::slice::from_mut(sh), |sh| {
                let mut room = Room::open(sh, id, 0)?;
                room.reclaim(now)?;
                Ok(room.version()?)
            })
        })?;
        match r {
            Err(Halt::Escalate(k)) => self.on_room(id, k, true, |room| {
                room.reclaim(now)?;
                Ok(room.version()?)
            }),
            r => r.map_err(halt_error),
        }
    }

    fn changes(
        &self,
        rk: &RoomKey<'_>,
        since: u64,
        whole_users: bool,
        max_users: usize,
        now: i64,
        out: &mut Changes,
    ) -> Result<bool, StoreError> {
        Self::check_room(rk)?;
        let id = self.id(rk);
        let r = self.on_shard(id.home, |sh| {
            let room = Room::open_home(std::slice::from_mut(sh), id)?;
            let due = room.reclaim_due(now)?;
            if !due && room.is_exact()? && room.version()? == since {
                // Nothing changed: one lock, no walk.
                out.clear();
                out.version = since;
                return Ok(true);
            }
            if room.spread()? > 0 {
                return Err(Halt::Escalate(room.spread()?));
            }
            if due {
                guarded(std::slice::from_mut(sh), |sh| {
                    Room::open(sh, id, 0)?.reclaim(now)
                })?;
            }
            let room = Room::open(std::slice::from_mut(sh), id, 0)?;
            Ok(room.changes(since, whole_users, max_users, now, out)?)
        })?;
        match r {
            Err(Halt::Escalate(k)) => self.on_room(id, k, true, |room| {
                room.reclaim(now)?;
                room.tidy()?;
                Ok(room.changes(since, whole_users, max_users, now, out)?)
            }),
            r => r.map_err(halt_error),
        }
    }

    fn remove_user(&self, ns: &[u8], user_id: u64, now: i64) -> Result<u32, StoreError> {
        self.scan_remove_user(ns, user_id, now)
    }

    fn user_entries(
        &self,
        ns: &[u8],
        user_id: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<(), StoreError> {
        self.scan_user_entries(ns, user_id, now, out)
    }

    fn rooms(&self, ns: &[u8], prefix: &[u8], now: i64) -> Result<Vec<RoomSummary>, StoreError> {
        self.scan_rooms(ns, prefix, now)
    }

    fn room_versions(
        &self,
        ns: &[u8],
        prefix: &[u8],
        now: i64,
    ) -> Result<Vec<(Vec<u8>, u64)>, StoreError> {
        self.scan_room_versions(ns, prefix, now)
    }

    fn room_counts(
        &self,
        namespaces: &[&[u8]],
        room: &[u8],
        now: i64,
    ) -> Result<Vec<RoomCounts>, StoreError> {
        Self::check_room(&RoomKey::new(b"", room))?;
        for ns in namespaces {
            Self::check_room(&RoomKey::new(ns, room))?;
        }
        self.scan_room_counts(namespaces, room, now)
    }

    fn room_top(
        &self,
        rk: &RoomKey<'_>,
        users: u32,
        extra_user: u64,
        now: i64,
        out: &mut Entries,
    ) -> Result<u32, StoreError> {
        out.clear();
        Self::check_room(rk)?;
        if !(1..=super::MAX_TOP_USERS).contains(&users) {
            return Err(StoreError::Invalid("users must be 1 to 1000"));
        }
        self.scan_room_top(rk, users, extra_user, now, out)
    }

    fn sweep(&self, now: i64) -> Result<u32, StoreError> {
        self.scan_sweep(now)
    }

    fn clear(&self, ns: Option<&[u8]>, now: i64) -> Result<u32, StoreError> {
        self.scan_clear(ns, now)
    }

    fn stats(&self) -> Result<Stats, StoreError> {
        self.scan_stats()
    }
}
