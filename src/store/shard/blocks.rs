//! Payload blocks: chains of fixed-size blocks holding an entry's `client_id | data` or a room's
//! `namespace | room`, with a free list and a high-water mark.

use super::{take_index, Corrupt, Shard};
use crate::store::hash::Fnv;
use crate::store::layout::{blocks_for, BLOCK_PAYLOAD, NIL};

/// Where a chain is and how long its payload is.
#[derive(Clone, Copy, Debug)]
pub struct Chain {
    pub first: u32,
    pub len: usize,
}

impl Shard<'_> {
    pub fn blocks_free(&self) -> u32 {
        self.n_blocks().saturating_sub(self.meta().blocks_used)
    }

    fn alloc_block(&mut self) -> Result<u32, Corrupt> {
        let m = *self.meta();
        let (mut free, mut hwm) = (m.block_free, m.block_hwm);
        let i = take_index(&mut free, &mut hwm, self.n_blocks(), |i| {
            self.block(i).ok().map(|b| b.next)
        })?
        // Callers reserve blocks before writing, so running out here means broken counters.
        .ok_or(Corrupt)?;
        let meta = self.meta_mut();
        meta.block_free = free;
        meta.block_hwm = hwm;
        meta.blocks_used += 1;
        Ok(i)
    }

    /// Writes `parts` into a fresh chain; the caller has checked that enough blocks are free.
    /// Returns the first block and the checksum of the parts (hashed part by part).
    pub fn write_chain(&mut self, parts: &[&[u8]]) -> Result<(u32, u64), Corrupt> {
        let mut sum = Fnv::new();
        let first = self.alloc_block()?;
        let mut cur = first;
        let mut fill = 0usize;
        self.block_mut(cur)?.next = NIL;
        for part in parts {
            sum = sum.bytes(part);
            let mut rest = *part;
            while !rest.is_empty() {
                if fill == BLOCK_PAYLOAD {
                    let next = self.alloc_block()?;
                    self.block_mut(cur)?.next = next;
                    cur = next;
                    self.block_mut(cur)?.next = NIL;
                    fill = 0;
                }
                let n = rest.len().min(BLOCK_PAYLOAD - fill);
                self.block_mut(cur)?.bytes[fill..fill + n].copy_from_slice(&rest[..n]);
                fill += n;
                rest = &rest[n..];
            }
        }
        Ok((first, sum.finish()))
    }

    pub fn free_chain(&mut self, c: Chain) -> Result<(), Corrupt> {
        let mut cur = c.first;
        for _ in 0..blocks_for(c.len) {
            let next = self.block(cur)?.next;
            let free = self.meta().block_free;
            self.block_mut(cur)?.next = free;
            let meta = self.meta_mut();
            meta.block_free = cur;
            meta.blocks_used = meta.blocks_used.saturating_sub(1);
            cur = next;
        }
        Ok(())
    }

    /// Calls `f` with consecutive pieces of the payload range `[from, from + len)`; stops early
    /// when `f` returns false (and returns false).
    pub fn each_piece(
        &self,
        c: Chain,
        from: usize,
        len: usize,
        mut f: impl FnMut(&[u8]) -> bool,
    ) -> Result<bool, Corrupt> {
        if from + len > c.len {
            return Err(Corrupt);
        }
        if from + len <= BLOCK_PAYLOAD {
            // Typical payloads fit one block: one slice, no chain walk.
            let b = self.block(c.first)?;
            return Ok(f(&b.bytes[from..from + len]));
        }
        let mut cur = c.first;
        let mut skip = from;
        let mut left = len;
        for _ in 0..blocks_for(c.len) {
            if left == 0 {
                break;
            }
            let b = self.block(cur)?;
            if skip >= BLOCK_PAYLOAD {
                skip -= BLOCK_PAYLOAD;
            } else {
                let n = (BLOCK_PAYLOAD - skip).min(left);
                if !f(&b.bytes[skip..skip + n]) {
                    return Ok(false);
                }
                left -= n;
                skip = 0;
            }
            cur = b.next;
        }
        if left == 0 {
            Ok(true)
        } else {
            Err(Corrupt)
        }
    }

    pub fn chain_eq(&self, c: Chain, from: usize, want: &[u8]) -> Result<bool, Corrupt> {
        let mut off = 0;
        self.each_piece(c, from, want.len(), |piece| {
            let same = want.get(off..off + piece.len()) == Some(piece);
            off += piece.len();
            same
        })
    }

    pub fn chain_copy(
        &self,
        c: Chain,
        from: usize,
        len: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), Corrupt> {
        self.each_piece(c, from, len, |piece| {
            out.extend_from_slice(piece);
            true
        })
        .map(|_| ())
    }

    /// Checksum of a chain hashed as the parts of these lengths (as `write_chain` did).
    pub fn chain_sum(&self, c: Chain, lens: &[usize]) -> Result<u64, Corrupt> {
        let mut sum = Fnv::new();
        let mut part = Vec::new();
        let mut from = 0;
        for &len in lens {
            part.clear();
            self.chain_copy(c, from, len, &mut part)?;
            sum = sum.bytes(&part);
            from += len;
        }
        Ok(sum.finish())
    }

    /// Walks a chain for repair, marking each block in `used`. Fails (and unmarks what it marked)
    /// if the chain leaves the used range, loops, or shares a block with a chain already marked.
    pub fn mark_chain(&self, c: Chain, used: &mut [bool]) -> bool {
        let n = blocks_for(c.len);
        let mut cur = c.first;
        let mut marked = 0u32;
        let mut ok = true;
        for _ in 0..n {
            match (self.block(cur), used.get_mut(cur as usize)) {
                (Ok(b), Some(u)) if !*u => {
                    *u = true;
                    marked += 1;
                    cur = b.next;
                }
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok {
            self.unmark_chain(
                Chain {
                    first: c.first,
                    len: 0,
                },
                marked,
                used,
            );
        }
        ok
    }

    /// Unmarks the first `n` blocks of a chain marked by `mark_chain`.
    pub fn unmark_chain(&self, c: Chain, n: u32, used: &mut [bool]) {
        let mut cur = c.first;
        for _ in 0..n {
            if let Some(u) = used.get_mut(cur as usize) {
                *u = false;
            }
            match self.block(cur) {
                Ok(b) => cur = b.next,
                Err(_) => return,
            }
        }
    }
}
