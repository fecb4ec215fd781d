//! Reading a room: its entries, a summary, and what changed since a version.

use super::Room;
use crate::store::layout::FLOOR_RESET;
use crate::store::shard::Corrupt;
use crate::store::{Changes, Entries, ReadOpts};

impl Room<'_, '_, '_> {
    /// Entries changed since `since` (see `Backend::changes`). False: the log does not reach
    /// back that far. The caller reclaimed and tidied first.
    pub fn changes(
        &self,
        since: u64,
        whole_users: bool,
        max_users: usize,
        now: i64,
        out: &mut Changes,
    ) -> Result<bool, Corrupt> {
        out.clear();
        let version = self.version()?;
        out.version = version;
        if since == version {
            return Ok(true);
        }
        let Some(home) = self.home()? else {
            return Ok(since == 0);
        };
        if version == 0 || since > version || (since != 0 && since < home.floor) {
            return Ok(since == 0);
        }
        let spread = u32::from(home.spread).min(self.held);
        for off in 1..=spread {
            if let Some(r) = self.rec(off) {
                let f = self.sh(off)?.room(r)?.floor;
                if since != 0 && (f == FLOOR_RESET || since < f) {
                    return Ok(false);
                }
            }
        }
        if max_users > 0 && self.changed_users_over(since, now, spread, max_users)? {
            out.over = true;
            return Ok(true);
        }
        let mut touched = Vec::new();
        for off in 0..=spread {
            if let Some(r) = self.rec(off) {
                self.sh(off)?.changes_since(
                    r,
                    since,
                    now,
                    &mut out.changed,
                    &mut out.removed,
                    &mut touched,
                )?;
            }
        }
        if since == 0 {
            out.removed.clear();
        }
        if whole_users && since != 0 {
            touched.sort_unstable();
            touched.dedup();
            for off in 0..=spread {
                if let Some(r) = self.rec(off) {
                    self.sh(off)?
                        .unchanged_of_users(r, since, &touched, now, &mut out.changed)?;
                }
            }
        }
        finish_changes(out);
        Ok(true)
    }

    /// Whether more than `max` distinct users have a live entry changed since `since`, counted
    /// over the records up to `spread` without copying an entry.
    fn changed_users_over(
        &self,
        since: u64,
        now: i64,
        spread: u32,
        max: usize,
    ) -> Result<bool, Corrupt> {
        let mut users = Vec::with_capacity(max.min(1024) + 1);
        for off in 0..=spread {
            if let Some(r) = self.rec(off) {
                if self
                    .sh(off)?
                    .changed_users_over(r, since, now, max, &mut users)?
                {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// Copies the live entries of the held parts.
    pub fn read(&self, now: i64, opts: &ReadOpts<'_>, out: &mut Entries) -> Result<(), Corrupt> {
        for off in 0..=self.held {
            if let Some(r) = self.rec(off) {
                self.sh(off)?.read_list(r, now, opts, out)?;
            }
        }
        Ok(())
    }

    /// Entry count, distinct users and last write over the held parts.
    pub fn summary(&self, now: i64, users: &mut Vec<u64>) -> Result<(u32, i64), Corrupt> {
        let (mut entries, mut updated) = (0u32, 0i64);
        for off in 0..=self.held {
            if let Some(r) = self.rec(off) {
                let (e, u) = self.sh(off)?.summary(r, now, users)?;
                entries += e;
                updated = updated.max(u);
            }
        }
        Ok((entries, updated))
    }
}

/// Keeps the newest copy of each changed entry, drops removals of clients that are live again,
/// and orders the changes newest first.
pub fn finish_changes(out: &mut Changes) {
    out.changed.dedup_keys();
    if !out.removed.items.is_empty() {
        let mut live: Vec<&[u8]> = out
            .changed
            .items
            .iter()
            .map(|e| out.changed.client(e))
            .collect();
        live.sort_unstable();
        let removed = &out.removed;
        let keep: Vec<bool> = removed
            .items
            .iter()
            .map(|e| live.binary_search(&removed.client(e)).is_err())
            .collect();
        let mut i = 0;
        out.removed.items.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        out.removed.dedup_keys();
    }
    out.changed.sort_newest_first();
}
