//! `workforce.csv`: the staff of each group and ICC by year, with
//! `[workforce]` (docs/whole-system.md, *Staff*): posts funded, in post,
//! vacant and covered by agency or locum staff (means over the year, WTE),
//! the vacancy rate, and what the staff in post and the agency cover cost
//! (£ at the scenario's price year). The trajectories are deterministic
//! expected values of the scenario's point values: one set per scenario,
//! not per replication.

use crate::model::Network;

use super::csv_safe::neutralise;

/// The header of `workforce.csv`.
pub const WORKFORCE_COLUMNS: [&str; 10] = [
    "year",
    "icc",
    "group",
    "wte_funded",
    "wte_in_post",
    "wte_vacant",
    "wte_agency",
    "vacancy_rate",
    "cost_in_post_gbp",
    "cost_agency_gbp",
];

/// Whether the network has staff to write (a whole system with
/// `[workforce]`).
pub fn has_workforce(network: &Network) -> bool {
    network
        .layout
        .as_ref()
        .is_some_and(|layout| !layout.workforce.is_empty())
}

/// `workforce.csv`: one row per year × ICC × staff group (groups summed
/// over their services: the three community teams are one group).
pub fn workforce_csv(network: &Network) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(WORKFORCE_COLUMNS);
    let Some(layout) = network.layout.as_ref() else {
        return writer.into_inner().unwrap_or_default();
    };
    let run = &network.run;
    let day_of = |months: i64| {
        (run.start_date.add_months(months).day_number() - run.start_date.day_number()) as f64
    };
    let mut years = Vec::new();
    let mut from = 0.0;
    while from < run.horizon_days {
        let to = day_of(12 * (years.len() as i64 + 1)).min(run.horizon_days);
        years.push((from, to));
        from = to;
    }
    // Groups in the order the layout keeps them (by ICC, then group).
    let mut keys: Vec<(usize, &str)> = Vec::new();
    for track in &layout.workforce {
        let key = (track.icc, track.group.as_str());
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    for (y, &(from, to)) in years.iter().enumerate() {
        let days = to - from;
        for &(icc, group) in &keys {
            let (mut funded, mut in_post, mut vacant, mut agency) = (0.0, 0.0, 0.0, 0.0);
            let (mut cost_in_post, mut cost_agency) = (0.0, 0.0);
            for track in layout
                .workforce
                .iter()
                .filter(|t| t.icc == icc && t.group == group)
            {
                let wte_days = track.wte_days(from, to);
                funded += wte_days.funded / days;
                in_post += wte_days.in_post / days;
                vacant += wte_days.vacant / days;
                agency += wte_days.agency / days;
                let (paid, cover) = track.cost_between(from, to);
                cost_in_post += paid;
                cost_agency += cover;
            }
            let vacancy_rate = if funded > 0.0 { vacant / funded } else { 0.0 };
            let _ = writer.write_record([
                format!("{}", y + 1),
                neutralise(&layout.iccs[icc]).into_owned(),
                group.to_string(),
                format!("{funded:.3}"),
                format!("{in_post:.3}"),
                format!("{vacant:.3}"),
                format!("{agency:.3}"),
                format!("{vacancy_rate:.4}"),
                format!("{cost_in_post:.2}"),
                format!("{cost_agency:.2}"),
            ]);
        }
    }
    writer.into_inner().unwrap_or_default()
}
