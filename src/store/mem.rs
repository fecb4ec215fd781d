//! Shards in ordinary process memory: the store's logic, testable without a segment or PHP.
//!
//! A thread that panics while holding shards (the fault-injection tests kill operations that
//! way) marks them as left by a dead owner, as the robust mutex does for a killed process.

use super::layout::Geometry;
use super::{ShardLocks, StoreError};
use parking_lot::{Mutex, MutexGuard};
use std::sync::atomic::{AtomicBool, Ordering};

pub struct MemShards {
    geometry: Geometry,
    key: [u64; 2],
    // u64 words keep the bytes 8-aligned, as the segment's are.
    bodies: Vec<Mutex<Vec<u64>>>,
    owner_died: Vec<AtomicBool>,
}

impl Clone for MemShards {
    /// A snapshot of every shard (taken one lock at a time).
    fn clone(&self) -> Self {
        Self {
            geometry: self.geometry,
            key: self.key,
            bodies: self
                .bodies
                .iter()
                .map(|b| Mutex::new(b.lock().clone()))
                .collect(),
            owner_died: self
                .owner_died
                .iter()
                .map(|d| AtomicBool::new(d.load(Ordering::SeqCst)))
                .collect(),
        }
    }
}

/// Marks the shard abandoned if the holder unwinds.
struct Held<'m> {
    died: &'m AtomicBool,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.died.store(true, Ordering::SeqCst);
        }
    }
}

impl MemShards {
    pub fn new(geometry: Geometry) -> Self {
        Self::with_key(geometry, [0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210])
    }

    pub fn with_key(geometry: Geometry, key: [u64; 2]) -> Self {
        let words = geometry.body().size.div_ceil(8);
        Self {
            geometry,
            key,
            bodies: (0..geometry.shards)
                .map(|_| Mutex::new(vec![0u64; words]))
                .collect(),
            owner_died: (0..geometry.shards)
                .map(|_| AtomicBool::new(false))
                .collect(),
        }
    }

    /// Makes the next locker of `shard` see the lock as abandoned by a dead owner.
    pub fn kill_owner(&self, shard: u32) {
        self.owner_died[shard as usize].store(true, Ordering::SeqCst);
    }

    fn lock(&self, i: u32) -> Result<(MutexGuard<'_, Vec<u64>>, bool), StoreError> {
        let body = self.bodies.get(i as usize).ok_or(StoreError::Corrupt)?;
        let words = body.lock();
        let died = self.owner_died[i as usize].swap(false, Ordering::SeqCst);
        Ok((words, died))
    }
}

impl ShardLocks for MemShards {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn hash_key(&self) -> [u64; 2] {
        self.key
    }

    fn with_shard<R>(&self, i: u32, f: impl FnOnce(&mut [u8], bool) -> R) -> Result<R, StoreError> {
        let (mut words, died) = self.lock(i)?;
        let _held = Held {
            died: &self.owner_died[i as usize],
        };
        Ok(f(bytemuck::cast_slice_mut(&mut words[..]), died))
    }

    fn with_shards<R>(
        &self,
        set: &[u32],
        f: impl FnOnce(&mut [&mut [u8]], &[bool]) -> R,
    ) -> Result<R, StoreError> {
        if set.windows(2).any(|w| w[0] >= w[1]) {
            return Err(StoreError::Corrupt);
        }
        let mut guards = Vec::with_capacity(set.len());
        let mut died = Vec::with_capacity(set.len());
        let mut held = Vec::with_capacity(set.len());
        for &i in set {
            let (g, d) = self.lock(i)?;
            guards.push(g);
            died.push(d);
            held.push(Held {
                died: &self.owner_died[i as usize],
            });
        }
        let mut bodies: Vec<&mut [u8]> = guards
            .iter_mut()
            .map(|g| bytemuck::cast_slice_mut(&mut g[..]))
            .collect();
        let r = f(&mut bodies, &died);
        drop(bodies);
        drop(held);
        Ok(r)
    }
}
