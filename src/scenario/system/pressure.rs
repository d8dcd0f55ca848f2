//! What a full hospital does, as a scenario says it: the keys of
//! `[sites.X]` for escalation beds and of `[pathways]` for outlying to the
//! other site, transfers out and cancelled elective admissions, checked
//! into the model's fields (`Escalation`, the outlying and transfer-out
//! waits, `Cancellation`). The serde fields are in `acute.rs` (the
//! sections' types); this file checks them. Every key is optional: a file
//! without them compiles as before.

use crate::engine::Distribution;
use crate::model::{Cancellation, Escalation};
use crate::scenario::check::{Checker, MAX_CAPACITY, MAX_DAYS};
use crate::scenario::raw::RawDistribution;

/// Default share of adult beds occupied that opens escalation beds.
pub(super) const DEFAULT_ESCALATION_OPEN_AT: f64 = 1.0;
/// Default share occupied at or below which escalation beds close.
pub(super) const DEFAULT_ESCALATION_CLOSE_AT: f64 = 0.95;

/// `[pathways]`'s pressure keys, checked.
#[derive(Clone, Debug, Default)]
pub(super) struct Pressure {
    /// Outlying to the other site's adult beds: first tried after this many
    /// days of waiting, then every `.1` days.
    pub(super) outlie: Option<(f64, f64)>,
    /// Sent to other providers after this many days waiting for a bed.
    pub(super) transfer_out_after_days: Option<f64>,
    /// Elective admissions cancelled above an occupancy share, rebooked.
    pub(super) elective_cancellation: Option<Cancellation>,
}

/// A site's escalation keys, checked: `None` without `escalation_beds`
/// (or with 0 of them).
pub(super) fn validate_escalation(
    check: &mut Checker,
    path: &str,
    beds: Option<f64>,
    open_at: Option<f64>,
    close_at: Option<f64>,
) -> Option<Option<Escalation>> {
    let places = match beds {
        None => 0,
        Some(v) => check.whole_in(
            &format!("{path}.escalation_beds"),
            v,
            0.0,
            MAX_CAPACITY,
            "escalation beds opened on top of adult_beds",
        )? as u32,
    };
    if places == 0 {
        for (key, value) in [
            ("escalation_open_at", open_at),
            ("escalation_close_at", close_at),
        ] {
            if let Some(v) = value {
                check.issue(
                    format!("{path}.{key}"),
                    Some(format!("{v}")),
                    "has no effect without escalation_beds; add escalation_beds = N or remove it",
                );
                return None;
            }
        }
        return Some(None);
    }
    let open = check.number_in(
        &format!("{path}.escalation_open_at"),
        open_at.unwrap_or(DEFAULT_ESCALATION_OPEN_AT),
        1e-6,
        1.0,
        "share of adult beds occupied that opens the escalation beds (0.98 = 98%)",
    )?;
    let close = check.number_in(
        &format!("{path}.escalation_close_at"),
        close_at.unwrap_or(DEFAULT_ESCALATION_CLOSE_AT),
        0.0,
        1.0,
        "share of adult beds occupied at or below which they close (below escalation_open_at)",
    )?;
    if close >= open {
        check.issue(
            format!("{path}.escalation_close_at"),
            Some(format!("{close}")),
            format!("must be below escalation_open_at ({open}), or the beds would open and close at once; lower it, e.g. escalation_close_at = {:.2}", (open - 0.05).max(0.0)),
        );
        return None;
    }
    Some(Some(Escalation {
        places,
        open_at: open,
        close_at: close,
    }))
}

/// A wait in hours, as days: above 0 and at most `MAX_DAYS`.
fn hours(check: &mut Checker, path: &str, value: f64, what: &str) -> Option<f64> {
    check
        .number_in(path, value, 1e-3, MAX_DAYS * 24.0, what)
        .map(|h| h / 24.0)
}

/// `[pathways]`'s pressure keys, checked.
pub(super) fn validate_pressure(
    check: &mut Checker,
    outlie_after_hours: Option<f64>,
    outlie_every_hours: Option<f64>,
    transfer_out_after_hours: Option<f64>,
    elective_cancel_at: Option<f64>,
    elective_rebook_after: Option<&RawDistribution>,
) -> Option<Pressure> {
    let p = "pathways";
    let mut ok = true;
    let outlie = match (outlie_after_hours, outlie_every_hours) {
        (None, None) => None,
        (None, Some(v)) => {
            check.issue(
                format!("{p}.outlie_every_hours"),
                Some(format!("{v}")),
                "needs outlie_after_hours (hours waiting for a bed before a patient is first offered the other site's), e.g. outlie_after_hours = 12",
            );
            ok = false;
            None
        }
        (Some(after), every) => {
            let after = hours(
                check,
                &format!("{p}.outlie_after_hours"),
                after,
                "hours waiting for a bed before the other site's is tried",
            );
            let every = match every {
                None => after,
                Some(v) => hours(
                    check,
                    &format!("{p}.outlie_every_hours"),
                    v,
                    "hours between tries of the other site",
                ),
            };
            ok &= after.is_some() && every.is_some();
            after.zip(every)
        }
    };
    let transfer = match transfer_out_after_hours {
        None => None,
        Some(v) => {
            let d = hours(
                check,
                &format!("{p}.transfer_out_after_hours"),
                v,
                "hours waiting for a bed before transfer to another provider",
            );
            ok &= d.is_some();
            d
        }
    };
    let cancellation = match (elective_cancel_at, elective_rebook_after) {
        (None, None) => None,
        (Some(at), None) => {
            check.issue(
                format!("{p}.elective_rebook_after"),
                None,
                format!("is needed with elective_cancel_at ({at}): days from a cancelled operation to its new date, e.g. elective_rebook_after = {{ dist = \"exponential\", mean = 28 }}"),
            );
            ok = false;
            None
        }
        (None, Some(_)) => {
            check.issue(
                format!("{p}.elective_rebook_after"),
                None,
                "has no effect without elective_cancel_at (the share of adult beds occupied at which elective admissions are cancelled, e.g. 0.95); add it or remove this",
            );
            ok = false;
            None
        }
        (Some(at), Some(raw)) => {
            let at = check.number_in(
                &format!("{p}.elective_cancel_at"),
                at,
                1e-6,
                1.0,
                "share of adult beds occupied at which elective admissions are cancelled (0.95 = 95%)",
            );
            let mut rebook: Option<Distribution> =
                check.distribution(&format!("{p}.elective_rebook_after"), raw);
            // A new date the same day would find the same full beds, and
            // a patient cancelled again and again would never leave.
            if let Some(d) = &rebook
                && d.mean() < 1.0
            {
                check.issue(
                    format!("{p}.elective_rebook_after"),
                    Some(format!("a mean of {} days", d.mean())),
                    "a new date for a cancelled operation must be at least a day later on average, e.g. elective_rebook_after = { dist = \"uniform\", min = 14, max = 28 }",
                );
                rebook = None;
            }
            ok &= at.is_some() && rebook.is_some();
            at.zip(rebook)
                .map(|(occupancy_at, rebook_after)| Cancellation {
                    occupancy_at,
                    rebook_after,
                    // Set by compile: the other providers.
                    elsewhere: None,
                })
        }
    };
    // Outlying is tried while a patient waits: a transfer out before the
    // first try would leave it never tried.
    if let (Some((after, _)), Some(transfer)) = (outlie, transfer)
        && after >= transfer
    {
        check.issue(
            format!("{p}.outlie_after_hours"),
            Some(format!("{}", after * 24.0)),
            format!(
                "must be shorter than transfer_out_after_hours ({}): patients are transferred out before the other site is ever tried; e.g. outlie_after_hours = 12",
                transfer * 24.0
            ),
        );
        ok = false;
    }
    ok.then_some(Pressure {
        outlie,
        transfer_out_after_days: transfer,
        elective_cancellation: cancellation,
    })
}
