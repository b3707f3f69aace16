//! A per-thread memo for per-character Unicode lookups.

/// A direct-mapped cache from characters to what a lookup answered for them. Chat
/// repeats the same few hundred characters, and Unicode lookups (decancer's
/// confusables, the letter tables) cost hundreds of instructions each, so callers keep
/// one per thread. `N` is a power of two; a collision replaces the slot.
pub struct CharCache<V, const N: usize> {
    slots: [(char, V); N],
}

impl<V: Copy, const N: usize> CharCache<V, N> {
    /// An empty cache: every slot holds NUL, which is ASCII and never looked up.
    pub const fn new(empty: V) -> Self {
        assert!(N.is_power_of_two());
        CharCache {
            slots: [('\0', empty); N],
        }
    }

    /// What `lookup` answers for `ch`, computed at most once while `ch` keeps its slot.
    pub fn get(&mut self, ch: char, lookup: impl FnOnce(char) -> V) -> V {
        // Fibonacci hashing: the high bits of the product spread neighbouring code
        // points (one script's letters) over the slots.
        let index = (u32::from(ch).wrapping_mul(0x9E37_79B9) >> (32 - N.trailing_zeros())) as usize;
        let slot = &mut self.slots[index];
        if slot.0 != ch {
            *slot = (ch, lookup(ch));
        }
        slot.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_the_lookup_through_misses_and_collisions() {
        let mut cache = CharCache::<u32, 16>::new(0);
        // Four times as many characters as slots, twice over.
        for _ in 0..2 {
            for ch in '\u{100}'..'\u{140}' {
                assert_eq!(
                    cache.get(ch, |c| u32::from(c) * 3),
                    u32::from(ch) * 3,
                    "{ch:?}"
                );
            }
        }
    }

    #[test]
    fn a_repeated_character_is_not_looked_up_again() {
        let mut cache = CharCache::<u32, 16>::new(0);
        assert_eq!(cache.get('é', |_| 1), 1);
        assert_eq!(cache.get('é', |_| 2), 1);
    }
}
