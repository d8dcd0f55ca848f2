//! The patient-flow model: a network of care services with capacities,
//! waiting lists and blocking, patient types with arrival streams, stays and
//! routes; the simulation of one replication; its results and metrics.
//!
//! Depends on `engine` and `stats` only. No I/O: episode records go to an
//! [`EpisodeObserver`] the caller supplies.

pub mod breakdown;
pub mod flow_groups;
pub mod full_effect;
pub mod metrics;
pub mod money;
pub mod network;
pub mod period_flows;
pub mod register;
pub mod results;
pub mod simulation;
pub mod system;
pub mod trackers;

pub use metrics::{MetricDef, MetricScope, SystemMetricDef, metric_catalog, system_metrics};

pub use network::{
    ARRANGING_REASON, Cancellation, Capacity, CapacityChange, Census, CensusStart, DELAY_REASONS,
    DISCHARGE_DAY_REASON, Destination, DiesAtHome, EntryChange, Escalation, FIRST_WAIT_REASON,
    FullPolicy, MAX_EVENTS_PER_DAY, MAX_PEOPLE_IN_SYSTEM, MAX_REPLICATION_BYTES, MAX_WAIT_CLASSES,
    MemoryEstimate, Network, NetworkSource, OpeningHours, Outlying, Overflow, ParameterValue,
    Pathway, PathwayChange, PatientType, PatientTypeId, RateChange, Readmission, RouteTable,
    RunSettings, Service, ServiceId, SinkId,
};
pub use register::{MemberOf, MemberRate, RegisterSummary, RiskRegister};
pub use results::{
    DailyService, FlowMatrix, Ledger, ReplicationResult, ServiceResult, ServiceYear, SystemResult,
    YearCell,
};
pub use simulation::{
    EpisodeObserver, EpisodeRecord, Lifecycle, PatientEvent, SimulationError, simulate,
};
