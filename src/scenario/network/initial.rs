//! `initial = [...]` of a service: today's census, each group of a patient
//! type that uses the service, together within its capacity.

use crate::model::{Capacity, Census, CensusStart, PatientType, PatientTypeId};
use crate::scenario::check::{Checker, MAX_CAPACITY, MAX_DAYS};
use crate::scenario::error::did_you_mean;
use crate::scenario::raw::RawInitial;

/// Today's census of a service: each group's patient type must use the
/// service, and together they must fit its capacity.
pub(super) fn validate_initial(
    check: &mut Checker,
    path: &str,
    groups: &[RawInitial],
    patient_types: &[PatientType],
    uses_service: impl Fn(usize) -> bool,
    capacity: Capacity,
) -> Vec<Census> {
    let mut census = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        let at = format!("{path}[{i}]");
        let Some(t) = patient_types
            .iter()
            .position(|p| p.name == group.patient_type)
        else {
            check.issue(
                format!("{at}.patient_type"),
                Some(format!("{:?}", group.patient_type)),
                format!(
                    "is not a patient type{}",
                    did_you_mean(
                        &group.patient_type,
                        patient_types.iter().map(|p| p.name.as_str())
                    )
                ),
            );
            continue;
        };
        if !uses_service(t) {
            check.issue(
                format!("{at}.patient_type"),
                Some(format!("{:?}", group.patient_type)),
                "patients of this type never reach this service, so it has no stay or routes for them; choose a type that uses it",
            );
            continue;
        }
        let fit = group.fit_to_leave.unwrap_or(false);
        let start = match (&group.patients, &group.days_in) {
            (Some(n), None) => check
                .whole_in(&format!("{at}.patients"), *n, 0.0, MAX_CAPACITY, "patients")
                .map(|n| {
                    if fit {
                        CensusStart::FitToLeave { patients: n as u32 }
                    } else {
                        CensusStart::Equilibrium { patients: n as u32 }
                    }
                }),
            (None, Some(days)) if !fit => {
                let mut ok = days.len() as f64 <= MAX_CAPACITY;
                for (j, d) in days.iter().enumerate() {
                    ok &= check
                        .number_in(
                            &format!("{at}.days_in[{j}]"),
                            *d,
                            0.0,
                            MAX_DAYS,
                            "days already spent",
                        )
                        .is_some();
                }
                ok.then(|| CensusStart::DaysIn(days.clone()))
            }
            (None, Some(_)) => {
                check.issue(
                    format!("{at}.fit_to_leave"),
                    None,
                    "goes with `patients`, not `days_in`: patients fit to leave are ready now",
                );
                None
            }
            _ => {
                check.issue(
                    at.clone(),
                    None,
                    "needs either `patients` (part-way through their stays, or with fit_to_leave = true ready to leave) or `days_in` (days already spent, one value per patient)",
                );
                None
            }
        };
        if let Some(start) = start {
            census.push(Census {
                patient_type: PatientTypeId(t as u32),
                start,
            });
        }
    }
    let total: u64 = census.iter().map(|c| u64::from(c.start.patients())).sum();
    if let Capacity::Limited(places) = capacity
        && total > u64::from(places)
    {
        check.issue(
            path,
            Some(format!("{total} patients")),
            format!("more patients than the service's {places} places at the start; lower them or raise capacity"),
        );
    }
    census
}
