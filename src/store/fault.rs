//! Fault injection for tests: a budget of writes to shard memory. When it runs out, the next
//! write panics before it happens, as if the process had been killed at that instant. Every
//! mutable access to a shard goes through `Shard`'s accessors, which call `charge()`.
//!
//! Outside tests `charge()` is empty and compiles away.

#[cfg(not(test))]
#[inline(always)]
pub fn charge() {}

#[cfg(test)]
pub use budget::{charge, set, Killed};

#[cfg(test)]
mod budget {
    use std::cell::Cell;

    /// The panic payload of an injected kill.
    #[derive(Debug)]
    pub struct Killed;

    thread_local! {
        static LEFT: Cell<u64> = const { Cell::new(u64::MAX) };
    }

    #[inline]
    pub fn charge() {
        LEFT.with(|l| {
            let n = l.get();
            if n == 0 {
                l.set(u64::MAX);
                std::panic::panic_any(Killed);
            }
            l.set(n - 1);
        });
    }

    /// Allows `n` more writes on this thread (`u64::MAX`: unlimited).
    pub fn set(n: u64) {
        LEFT.with(|l| l.set(n));
    }
}
