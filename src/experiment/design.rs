//! Experimental designs over scenario values: the Latin hypercube.
//!
//! A Latin hypercube of n points over k ranges splits each range into n
//! equal strata and puts exactly one point in each stratum of each range,
//! the strata paired at random between ranges. With far fewer points than a
//! grid it covers every value's whole range evenly, which is what a
//! sensitivity screen over several values needs (McKay, Beckman and
//! Conover, 1979).

use rand::RngExt;
use rand::seq::SliceRandom;

use crate::engine::random::RandomStreams;

/// A range to cover.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// The scenario key (as for `--set`).
    pub key: String,
    pub min: f64,
    pub max: f64,
    /// Round each value to a whole number (beds, staff, places).
    pub whole_number: bool,
}

/// The purpose name of the design's random stream.
pub const STREAM: &str = "sweep/latin-hypercube";

/// `points` points, each a value per range (in the ranges' order): in
/// range j, point i lies in stratum `perm_j[i]` of n, uniformly within it.
/// Drawn from the stream (seed, 0, `sweep/latin-hypercube`), so a design
/// is reproduced exactly from its seed. Whole numbers are rounded, which
/// can move a value across a stratum boundary when strata are narrower
/// than 1.
pub fn latin_hypercube(ranges: &[Range], points: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = RandomStreams::new(seed, 0).stream(STREAM);
    let columns: Vec<Vec<f64>> = ranges
        .iter()
        .map(|range| {
            let mut strata: Vec<usize> = (0..points).collect();
            strata.shuffle(&mut rng);
            strata
                .into_iter()
                .map(|stratum| {
                    let u: f64 = rng.random();
                    let at = (stratum as f64 + u) / points as f64;
                    let value = range.min + at * (range.max - range.min);
                    if range.whole_number {
                        value.round()
                    } else {
                        value
                    }
                })
                .collect()
        })
        .collect();
    (0..points)
        .map(|i| columns.iter().map(|c| c[i]).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges() -> Vec<Range> {
        vec![
            Range {
                key: "a".into(),
                min: 0.0,
                max: 1.0,
                whole_number: false,
            },
            Range {
                key: "b".into(),
                min: 100.0,
                max: 200.0,
                whole_number: false,
            },
        ]
    }

    #[test]
    fn every_stratum_of_every_range_holds_exactly_one_point() {
        let n = 50;
        let design = latin_hypercube(&ranges(), n, 7);
        assert_eq!(design.len(), n);
        for (j, range) in ranges().iter().enumerate() {
            let mut strata: Vec<usize> = design
                .iter()
                .map(|p| {
                    let at = (p[j] - range.min) / (range.max - range.min);
                    assert!((0.0..1.0).contains(&at), "{} outside its range", p[j]);
                    (at * n as f64) as usize
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..n).collect::<Vec<_>>(), "range {}", range.key);
        }
    }

    #[test]
    fn a_design_is_reproduced_from_its_seed_and_pairs_strata_at_random() {
        let n = 200;
        assert_eq!(
            latin_hypercube(&ranges(), n, 7),
            latin_hypercube(&ranges(), n, 7)
        );
        assert_ne!(
            latin_hypercube(&ranges(), n, 7),
            latin_hypercube(&ranges(), n, 8)
        );
        // Independent pairing: the correlation of the two columns has sd
        // about 1/√n; 4/√n bounds it.
        let design = latin_hypercube(&ranges(), n, 11);
        let mean = |j: usize| design.iter().map(|p| p[j]).sum::<f64>() / n as f64;
        let (ma, mb) = (mean(0), mean(1));
        let cov: f64 = design.iter().map(|p| (p[0] - ma) * (p[1] - mb)).sum();
        let var = |j: usize, m: f64| design.iter().map(|p| (p[j] - m).powi(2)).sum::<f64>();
        let r = cov / (var(0, ma) * var(1, mb)).sqrt();
        assert!(r.abs() < 4.0 / (n as f64).sqrt(), "correlation {r}");
        // Stratified means are within a stratum's width of the midpoint.
        assert!((ma - 0.5).abs() < 1.0 / n as f64);
    }

    #[test]
    fn whole_numbers_are_rounded() {
        let range = Range {
            key: "beds".into(),
            min: 380.0,
            max: 440.0,
            whole_number: true,
        };
        for p in latin_hypercube(&[range], 20, 3) {
            assert_eq!(p[0], p[0].round());
            assert!((380.0..=440.0).contains(&p[0]));
        }
    }
}
