//! Shards in ordinary process memory: the store's logic, testable without a segment or PHP.

use super::layout::Geometry;
use super::{ShardLocks, StoreError};
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct MemShards {
    geometry: Geometry,
    // u64 words keep the bytes 8-aligned, as the segment's are.
    bodies: Vec<Mutex<Vec<u64>>>,
    owner_died: Vec<AtomicBool>,
}

impl MemShards {
    pub fn new(geometry: Geometry) -> Self {
        let words = geometry.body().size.div_ceil(8);
        Self {
            geometry,
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
}

impl ShardLocks for MemShards {
    fn geometry(&self) -> Geometry {
        self.geometry
    }

    fn with_shard<R>(&self, i: u32, f: impl FnOnce(&mut [u8], bool) -> R) -> Result<R, StoreError> {
        let body = self.bodies.get(i as usize).ok_or(StoreError::Corrupt)?;
        let mut words = body.lock();
        let died = self.owner_died[i as usize].swap(false, Ordering::SeqCst);
        Ok(f(bytemuck::cast_slice_mut(&mut words[..]), died))
    }
}
