//! The warm-up diagnostic's analysis: from replications run with no
//! warm-up, each headline output's daily series averaged over the
//! replications, its Welch moving averages and its MSER-5 truncation
//! point, and whether the scenario's `run.warmup_days` covers it. The
//! estimators are [`crate::stats::mser`]'s; this file says which series
//! are analysed and how a day's value is made.
//!
//! The outputs: for a whole-system scenario, the share of adult acute beds
//! occupied (`acute_occupancy`), the share of their bed-days held by
//! patients delayed (`acute_delayed_share`), and the places occupied of
//! every kind of service (`<kind>.occupancy`, e.g. `reablement.occupancy`,
//! summed over ICCs and sites); for every scenario, each service's places
//! occupied (`<service>.occupancy`, the caseload of a team).

use crate::model::system::Role;
use crate::model::{Capacity, Network};
use crate::stats::mser::{self, MSER_BATCH, Truncation};

use super::ReplicationOutput;

/// One output's daily series, averaged over the replications.
#[derive(Clone, Debug)]
pub struct OutputSeries {
    /// The output's name in the files (`acute_occupancy`, `ward.occupancy`).
    pub name: String,
    /// What it measures, in words (for the chart and the table).
    pub description: String,
    /// A whole-system headline (drawn on the chart) rather than one
    /// service's.
    pub headline: bool,
    /// The mean over the replications, one value per day of the run.
    pub mean: Vec<f64>,
}

/// One output's warm-up analysis.
#[derive(Clone, Debug)]
pub struct OutputWarmup {
    pub series: OutputSeries,
    /// Welch's moving averages, one per window (in the order asked).
    pub moving_averages: Vec<Vec<Option<f64>>>,
    /// MSER-5 on the daily mean (None for a run shorter than two weeks).
    pub mser5: Option<Truncation>,
    /// The day the largest window's moving average first reaches the mean
    /// of the second half of the run ([`mser::welch_crossing`]).
    pub welch_day: Option<usize>,
}

impl OutputWarmup {
    /// MSER-5's truncation day.
    pub fn mser5_day(&self) -> Option<usize> {
        self.mser5.map(|t| t.observations)
    }

    /// Whether a warm-up of `warmup_days` removes the transient MSER-5
    /// finds; None when MSER-5 could not tell: a run shorter than two
    /// batches, or a minimum at the end of its search (the series still
    /// moves at half the run: a transient longer than that, or a trend such
    /// as growing demand, which no warm-up removes).
    pub fn long_enough(&self, warmup_days: f64) -> Option<bool> {
        let t = self.mser5.filter(|t| !t.at_search_limit)?;
        Some(warmup_days >= t.observations as f64)
    }
}

/// The daily series of the headline outputs, each averaged over the
/// replications (which must all have the network's window).
pub fn headline_series(network: &Network, outputs: &[ReplicationOutput]) -> Vec<OutputSeries> {
    let days = network.run.window_days();
    let horizon = network.run.horizon_days;
    let day_length = |d: usize| (horizon - d as f64).clamp(f64::MIN_POSITIVE, 1.0);
    let replications = outputs.len().max(1) as f64;
    // The mean over replications of a per-replication daily value.
    let averaged = |value: &dyn Fn(&ReplicationOutput, usize) -> f64| -> Vec<f64> {
        (0..days)
            .map(|d| outputs.iter().map(|o| value(o, d)).sum::<f64>() / replications)
            .collect()
    };
    let occupied = |o: &ReplicationOutput, s: usize, d: usize| {
        o.result.daily[s]
            .occupancy_area
            .get(d)
            .copied()
            .unwrap_or(0.0)
            / day_length(d)
    };
    let mut series = Vec::new();
    if let Some(layout) = &network.layout {
        let of_role = |role: Role| -> Vec<usize> {
            (0..network.services.len())
                .filter(|&s| layout.services.get(s).is_some_and(|i| i.role == role))
                .collect()
        };
        let acute = of_role(Role::AcuteBeds);
        if !acute.is_empty() {
            let beds: Vec<f64> = (0..days)
                .map(|d| {
                    acute
                        .iter()
                        .map(|&s| places_on_day(network, s, d as f64))
                        .filter(|c| c.is_finite())
                        .sum()
                })
                .collect();
            series.push(OutputSeries {
                name: "acute_occupancy".into(),
                description: "share of adult acute beds occupied".into(),
                headline: true,
                mean: averaged(&|o, d| {
                    let busy: f64 = acute.iter().map(|&s| occupied(o, s, d)).sum();
                    if beds[d] > 0.0 { busy / beds[d] } else { 0.0 }
                }),
            });
            series.push(OutputSeries {
                name: "acute_delayed_share".into(),
                description: "share of adult acute bed-days delayed".into(),
                headline: true,
                mean: averaged(&|o, d| {
                    let busy: f64 = acute
                        .iter()
                        .map(|&s| {
                            o.result.daily[s]
                                .occupancy_area
                                .get(d)
                                .copied()
                                .unwrap_or(0.0)
                        })
                        .sum();
                    let delayed: f64 = acute
                        .iter()
                        .map(|&s| {
                            o.result.daily[s]
                                .delayed_area
                                .get(d)
                                .copied()
                                .unwrap_or(0.0)
                        })
                        .sum();
                    if busy > 0.0 { delayed / busy } else { 0.0 }
                }),
            });
        }
        for role in ROLES_WITH_PLACES {
            let services = of_role(role);
            if services.is_empty() {
                continue;
            }
            series.push(OutputSeries {
                name: format!("{}.occupancy", role.name()),
                description: format!("{} places occupied, all sites and ICCs", role.name()),
                headline: true,
                mean: averaged(&|o, d| services.iter().map(|&s| occupied(o, s, d)).sum()),
            });
        }
    }
    for (s, service) in network.services.iter().enumerate() {
        series.push(OutputSeries {
            name: format!("{}.occupancy", service.name),
            description: format!("{} places occupied", service.name),
            headline: network.layout.is_none(),
            mean: averaged(&|o, d| occupied(o, s, d)),
        });
    }
    series
}

/// The kinds of service whose places occupied (beds, caseloads,
/// packages) build up over a run, in the order of the files.
const ROLES_WITH_PLACES: [Role; 7] = [
    Role::AcuteBeds,
    Role::CaseManagement,
    Role::Reablement,
    Role::CommunityBeds,
    Role::HomeCare,
    Role::NursingCare,
    Role::ResidentialCare,
];

/// The places of service `s` in force on window day `day` (NaN if
/// unlimited): its capacity, changed by every change from before that day.
fn places_on_day(network: &Network, s: usize, day: f64) -> f64 {
    let service = &network.services[s];
    let mut capacity = service.capacity;
    for change in &service.capacity_changes {
        if change.from_day <= day {
            capacity = change.capacity;
        }
    }
    match capacity {
        Capacity::Limited(n) => f64::from(n),
        Capacity::Unlimited => f64::NAN,
    }
}

/// Welch's moving averages (windows `windows`), MSER-5 and the Welch
/// crossing of each series.
pub fn analyse(series: Vec<OutputSeries>, windows: &[usize]) -> Vec<OutputWarmup> {
    series
        .into_iter()
        .map(|series| {
            let moving_averages: Vec<Vec<Option<f64>>> = windows
                .iter()
                .map(|&w| mser::welch_moving_average(&series.mean, w))
                .collect();
            let mser5 = mser::mser(&series.mean, MSER_BATCH);
            // Within a thousandth of the level's size counts as reached
            // (a curve that settles exactly on it never crosses).
            let welch_day = windows
                .iter()
                .zip(&moving_averages)
                .max_by_key(|(w, _)| **w)
                .and_then(|(_, ma)| {
                    let half = &series.mean[series.mean.len() / 2..];
                    let level = half.iter().sum::<f64>() / half.len().max(1) as f64;
                    mser::welch_crossing(ma, &series.mean, 1e-3 * level.abs())
                });
            OutputWarmup {
                series,
                moving_averages,
                mser5,
                welch_day,
            }
        })
        .collect()
}

/// The verdict over every output: the longest MSER-5 truncation MSER-5
/// settled (its day and output), the outputs the warm-up does not cover,
/// and those MSER-5 could not settle.
#[derive(Clone, Debug)]
pub struct Verdict<'a> {
    pub longest: Option<(usize, &'a str)>,
    pub too_short: Vec<&'a OutputWarmup>,
    pub undecided: Vec<&'a OutputWarmup>,
}

pub fn verdict(analyses: &[OutputWarmup], warmup_days: f64) -> Verdict<'_> {
    let longest = analyses
        .iter()
        .filter_map(|a| {
            a.mser5
                .filter(|t| !t.at_search_limit)
                .map(|t| (t.observations, a.series.name.as_str()))
        })
        .fold(None, |best: Option<(usize, &str)>, (d, name)| match best {
            Some((b, _)) if b >= d => best,
            _ => Some((d, name)),
        });
    Verdict {
        longest,
        too_short: analyses
            .iter()
            .filter(|a| a.long_enough(warmup_days) == Some(false))
            .collect(),
        undecided: analyses
            .iter()
            .filter(|a| a.long_enough(warmup_days).is_none())
            .collect(),
    }
}
