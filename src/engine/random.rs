//! Named random streams.
//!
//! Every random draw in a run comes from a stream identified by
//! (seed, replication, purpose[, index]). The purpose is a name such as
//! `"arrivals/emergency"`; the index numbers sub-streams of one purpose (the
//! k-th patient of a type). Consequences:
//!
//! - the same seed gives the same numbers whatever the thread count, since a
//!   replication's streams do not depend on which thread runs it;
//! - a change to one part of a model does not shift the numbers drawn by
//!   another part (common random numbers between scenarios by construction);
//! - replication r of one scenario and replication r of another see the same
//!   arrivals and the same patients as far as their models agree.
//!
//! The generator is PCG-64 (MCG variant, 128-bit state). The state is derived
//! from the identifiers with SplitMix64 finalisers, which scatter nearby
//! inputs (replication 1 and 2, patient 7 and 8) across the state space.
//! This derivation is part of the output contract: changing it changes every
//! number iccsim produces.

use rand_pcg::Pcg64Mcg;

/// The generator behind every stream.
pub type Stream = Pcg64Mcg;

/// A purpose name, hashed once so that sub-streams are cheap to create.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreamKey(u64);

impl StreamKey {
    /// The key of a purpose name (FNV-1a of its UTF-8 bytes).
    pub fn new(purpose: &str) -> StreamKey {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in purpose.as_bytes() {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        StreamKey(hash)
    }
}

#[inline]
fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The streams of one replication of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandomStreams {
    seed: u64,
    replication: u64,
}

impl RandomStreams {
    /// The streams of replication `replication` under master seed `seed`.
    pub fn new(seed: u64, replication: u64) -> RandomStreams {
        RandomStreams { seed, replication }
    }

    /// The master seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The replication index.
    pub fn replication(&self) -> u64 {
        self.replication
    }

    /// The stream for a purpose (index 0 of that purpose).
    pub fn stream(&self, purpose: &str) -> Stream {
        self.substream(StreamKey::new(purpose), 0)
    }

    /// Sub-stream `index` of a purpose, e.g. the index-th patient of a type.
    #[inline]
    pub fn substream(&self, key: StreamKey, index: u64) -> Stream {
        let a = splitmix64(self.seed ^ splitmix64(key.0));
        let b = splitmix64(a ^ splitmix64(self.replication.wrapping_add(0x5851_f42d_4c95_7f2d)));
        let hi = splitmix64(b ^ splitmix64(index));
        let lo = splitmix64(hi ^ 0xd1b5_4a32_d192_ed03 ^ key.0.rotate_left(17));
        Pcg64Mcg::new((u128::from(hi) << 64) | u128::from(lo))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    fn first(mut s: Stream, n: usize) -> Vec<u64> {
        (0..n).map(|_| s.random::<u64>()).collect()
    }

    #[test]
    fn same_identifiers_give_the_same_numbers() {
        let a = RandomStreams::new(7, 3).stream("arrivals/emergency");
        let b = RandomStreams::new(7, 3).stream("arrivals/emergency");
        assert_eq!(first(a, 5), first(b, 5));
    }

    #[test]
    fn any_changed_identifier_gives_other_numbers() {
        let base = first(RandomStreams::new(7, 3).stream("arrivals/emergency"), 4);
        assert_ne!(
            base,
            first(RandomStreams::new(8, 3).stream("arrivals/emergency"), 4)
        );
        assert_ne!(
            base,
            first(RandomStreams::new(7, 4).stream("arrivals/emergency"), 4)
        );
        assert_ne!(
            base,
            first(RandomStreams::new(7, 3).stream("arrivals/elective"), 4)
        );
        let key = StreamKey::new("arrivals/emergency");
        assert_ne!(base, first(RandomStreams::new(7, 3).substream(key, 1), 4));
    }

    #[test]
    fn neighbouring_substreams_are_uncorrelated() {
        // The first uniform of sub-streams 0..n should look i.i.d. uniform:
        // mean 1/2 with standard error sqrt(1/12/n); allow 5 standard errors.
        let streams = RandomStreams::new(1, 0);
        let key = StreamKey::new("patient/x");
        let n = 20_000;
        let mut sum = 0.0;
        let mut lag_product = 0.0;
        let mut previous = 0.5;
        for i in 0..n {
            let u: f64 = streams.substream(key, i).random();
            sum += u;
            lag_product += (u - 0.5) * (previous - 0.5);
            previous = u;
        }
        let mean = sum / n as f64;
        let se = (1.0 / 12.0 / n as f64).sqrt();
        assert!((mean - 0.5).abs() < 5.0 * se, "mean {mean}");
        // Lag-1 covariance of independent uniforms: 0 with sd 1/12/sqrt(n).
        let cov = lag_product / n as f64;
        assert!(
            cov.abs() < 5.0 / 12.0 / (n as f64).sqrt(),
            "lag-1 covariance {cov}"
        );
    }
}
