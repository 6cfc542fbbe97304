//! Reusing hash state across a batch of signatures that share prefixes.
//!
//! Requests signed one after another often share a long start: the part URLs of one
//! multipart upload differ only from `partNumber=` on. A [`Batch`] keeps the SHA-256 state
//! after each 64-byte block of the previous canonical request and resumes from the longest
//! shared block prefix, whatever the requests are. (The crate's own part URLs go further with
//! a template that knows where the part number goes, and fall back to a `Batch` when it cannot
//! be made.) It is explicit, not a hidden global cache: a single-URL workload gets no help
//! from it, so single-URL numbers stay honest.

use sha2::{Digest, Sha256};

const BLOCK: usize = 64;

/// Hash state reused across the signatures of one batch (see the module docs).
///
/// Results are identical to signing each request alone; only the work differs.
#[derive(Clone, Default)]
pub struct Batch {
    /// The previous canonical request's whole blocks.
    blocks: Vec<u8>,
    /// `states[i]`: SHA-256 after `i` blocks (`states[0]` is fresh).
    states: Vec<Sha256>,
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").field("cached_blocks", &self.states.len().saturating_sub(1)).finish_non_exhaustive()
    }
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Self {
        Batch::default()
    }

    /// SHA-256 of `data`, resuming from the longest whole-block prefix it shares with the
    /// previous call's data.
    pub(crate) fn digest(&mut self, data: &[u8]) -> [u8; 32] {
        if self.states.is_empty() {
            self.states.push(Sha256::new());
        }
        let shared = self.blocks.chunks_exact(BLOCK).zip(data.chunks_exact(BLOCK)).take_while(|(a, b)| a == b).count();
        let reuse = shared.min(self.states.len() - 1);
        self.states.truncate(reuse + 1);
        self.blocks.truncate(reuse * BLOCK);
        let mut state = self.states[reuse].clone();
        let rest = &data[reuse * BLOCK..];
        let mut chunks = rest.chunks_exact(BLOCK);
        for chunk in &mut chunks {
            state.update(chunk);
            self.states.push(state.clone());
            self.blocks.extend_from_slice(chunk);
        }
        state.update(chunks.remainder());
        state.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn batch_hashes_equal_plain_hashes(messages in proptest::collection::vec(
            (proptest::collection::vec(any::<u8>(), 0..300), 0usize..300), 1..8)
        ) {
            let mut batch = Batch::new();
            let mut previous: Vec<u8> = Vec::new();
            for (tail, keep) in messages {
                // Share a random-length prefix with the previous message, as batches do.
                let mut message: Vec<u8> = previous.iter().copied().take(keep).collect();
                message.extend_from_slice(&tail);
                prop_assert_eq!(batch.digest(&message), <[u8; 32]>::from(Sha256::digest(&message)));
                previous = message;
            }
        }
    }
}
