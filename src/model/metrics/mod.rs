//! The registry of metrics: one description ([`Metric`]) of everything a
//! replication measures — name, unit, meaning, scope, kind and where it is
//! shown as a headline — and how each is computed from one replication's
//! results. A new output is one entry here; the records, CSV, JSON, summary
//! tables and the headline lists of the terminal and the board report pick
//! it up.
//!
//! - [`service`]: metrics of a service (and of a patient type in it);
//! - [`system`]: whole-system totals of any network;
//! - [`breakdown`]: whole-system outcomes by year, ICC and age band, and
//!   the acute and care-home site's occupancy.
//!
//! The headline lists are queries ([`headlines`], [`whole_system_headlines`],
//! [`service_headlines`]) of each metric's `prominence`: its position in each
//! [`View`] that shows it. Views order the same metrics differently (the
//! board's table leads with admissions, the terminal's with crises), so
//! each keeps its own order.
//!
//! Depends on `model::results` only (the values computed from).

pub mod breakdown;
pub mod direction;
pub mod service;
pub mod system;

pub use breakdown::{BREAKDOWN_METRICS, BreakdownMetric, M, SITE_METRICS, is_count_metric};
pub use direction::Better;
pub use service::{MetricDef, metric_catalog};
pub use system::{SystemMetricDef, system_metrics};

/// What a metric is measured over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricScope {
    /// Per service and per (service, patient type).
    ServiceAndType,
    /// Per service only (time-weighted levels are not split by type).
    Service,
    /// The whole system of any network (`system` in the records).
    System,
    /// A whole-system outcome by year, ICC and age band.
    Breakdown,
    /// The trust's adult acute beds or the care homes as a whole, by year.
    Site,
}

/// What sort of number a metric is: how it reads and whether it adds up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A count over the window (people, admissions, bed-days, events):
    /// adds up over groups.
    Count,
    /// Pounds over the window: adds up over groups.
    Money,
    /// A count per unit of time or per head (per day, per 1,000 a year).
    Rate,
    /// A duration in days (a mean, median or percentile of stays or waits,
    /// or a ratio of days).
    Duration,
    /// A share between 0 and 1.
    Fraction,
    /// A time-average or peak level (places held, patients waiting,
    /// residents).
    Level,
}

impl Kind {
    /// Whether values of this kind can be summed over groups (age bands).
    pub fn adds_up(self) -> bool {
        matches!(self, Kind::Count | Kind::Money)
    }
}

/// A place where headline metrics are listed, each in its own order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The board report's headline table and findings (whole system), or
    /// its table of each service's metrics (a network written by hand).
    Board,
    /// The board report's "at a glance" table of every scenario.
    AtAGlance,
    /// The board report's fan charts over the years.
    Fans,
    /// The terminal's headline table after a whole-system run or batch.
    Terminal,
    /// The differences the terminal shows after `compare`.
    Compare,
    /// The outcomes the terminal shows at every point of a `sweep`.
    Sweep,
}

/// One description of a metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Metric {
    /// Its name in the records and every output.
    pub name: &'static str,
    pub unit: &'static str,
    /// What it measures, in words.
    pub description: &'static str,
    pub scope: MetricScope,
    pub kind: Kind,
    /// Each view that shows it as a headline, with its position there
    /// (from 1; positions are unique within a view and a scope family:
    /// whole-system or service).
    pub prominence: &'static [(View, u8)],
    /// Which way it improves (from [`direction`]'s table, by name).
    pub better: Better,
}

impl Metric {
    /// A metric shown in no headline list.
    pub const fn new(
        name: &'static str,
        unit: &'static str,
        scope: MetricScope,
        kind: Kind,
        description: &'static str,
    ) -> Metric {
        Metric {
            name,
            unit,
            description,
            scope,
            kind,
            prominence: &[],
            better: direction::better_of(name),
        }
    }

    /// The same metric, shown as a headline in these views at these
    /// positions.
    pub const fn shown(self, prominence: &'static [(View, u8)]) -> Metric {
        Metric { prominence, ..self }
    }

    /// Its position in a view, if the view shows it.
    pub fn position(&self, view: View) -> Option<u8> {
        self.prominence
            .iter()
            .find(|(v, _)| *v == view)
            .map(|&(_, position)| position)
    }

    /// Whether it is a whole-system outcome (breakdown or site).
    pub fn is_whole_system(&self) -> bool {
        matches!(self.scope, MetricScope::Breakdown | MetricScope::Site)
    }

    /// Whether it is a metric of a service.
    pub fn is_service(&self) -> bool {
        matches!(
            self.scope,
            MetricScope::Service | MetricScope::ServiceAndType
        )
    }
}

/// Every metric described once, in output order: service metrics (the
/// occupancy-threshold family as its template), system totals, site
/// outcomes, breakdown outcomes.
pub fn registry() -> impl Iterator<Item = &'static Metric> {
    service::SERVICE_METRICS
        .iter()
        .map(|(metric, _)| metric)
        .chain(std::iter::once(&service::SHARE_TIME_ABOVE))
        .chain(system::SYSTEM_METRICS.iter().map(|(metric, _)| metric))
        .chain(SITE_METRICS)
        .chain(BREAKDOWN_METRICS)
}

/// The metrics a view shows, in its order (whole-system and service
/// metrics each have their own positions: filter by scope, or use
/// [`whole_system_headlines`] and [`service_headlines`]).
pub fn headlines(view: View) -> Vec<&'static Metric> {
    let mut shown: Vec<(u8, &'static Metric)> = registry()
        .filter_map(|m| m.position(view).map(|p| (p, m)))
        .collect();
    shown.sort_by_key(|&(position, _)| position);
    shown.into_iter().map(|(_, m)| m).collect()
}

/// The whole-system outcomes a view shows, in its order.
pub fn whole_system_headlines(view: View) -> Vec<&'static str> {
    headlines(view)
        .into_iter()
        .filter(|m| m.is_whole_system())
        .map(|m| m.name)
        .collect()
}

/// The service metrics a view shows, in its order.
pub fn service_headlines(view: View) -> Vec<&'static str> {
    headlines(view)
        .into_iter()
        .filter(|m| m.is_service())
        .map(|m| m.name)
        .collect()
}

/// The description of a whole-system outcome (breakdown or site) by name.
pub fn whole_system_metric(name: &str) -> Option<&'static Metric> {
    SITE_METRICS
        .iter()
        .chain(BREAKDOWN_METRICS)
        .find(|m| m.name == name)
}

/// Which way the metric of this name improves: any metric of the
/// registry, the occupancy-threshold family included
/// (`share_time_above_85pct`).
pub fn better(name: &str) -> Better {
    let family = name.starts_with("share_time_above_") && name.ends_with("pct");
    if family {
        return service::SHARE_TIME_ABOVE.better;
    }
    direction::better_of(name)
}

/// The description of a service metric by name (not the
/// occupancy-threshold family).
pub fn service_metric(name: &str) -> Option<&'static Metric> {
    service::SERVICE_METRICS
        .iter()
        .map(|(metric, _)| metric)
        .find(|m| m.name == name)
}

#[cfg(test)]
mod tests;
