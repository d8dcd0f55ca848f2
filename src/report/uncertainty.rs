//! `uncertainty.csv`: a scenario's uncertain values as its run used them
//! (distribution, direction, the probability each gives to "no effect or
//! worse", quantiles, point value, correlation group and source). The
//! rows are filled by the caller from the loaded scenario: this module
//! only renders them.

use super::csv_safe::neutralise;

/// The file's columns, in order.
pub const UNCERTAINTY_COLUMNS: [&str; 12] = [
    "scenario",
    "key",
    "distribution",
    "better",
    "no_effect_value",
    "probability_no_effect_or_worse",
    "p05",
    "median",
    "p95",
    "point",
    "correlation_group",
    "source",
];

/// One uncertain value.
#[derive(Clone, Debug, PartialEq)]
pub struct UncertaintyRow {
    pub key: String,
    /// As written: `dist = "triangular" (min 0.9, mode 0.97, max 1), ...`.
    pub distribution: String,
    /// `lower`, `higher` or empty (unknown).
    pub better: String,
    pub no_effect_value: Option<f64>,
    pub probability_no_effect_or_worse: Option<f64>,
    pub p05: f64,
    pub median: f64,
    pub p95: f64,
    pub point: f64,
    pub correlation_group: String,
    pub source: String,
}

/// The file, one row per uncertain value (empty cells for unknowns).
pub fn uncertainty_csv(scenario: &str, rows: &[UncertaintyRow]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(UNCERTAINTY_COLUMNS);
    let number = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
    let scenario = neutralise(scenario);
    for row in rows {
        let _ = writer.write_record([
            &*scenario,
            &neutralise(&row.key),
            &neutralise(&row.distribution),
            &neutralise(&row.better),
            &number(row.no_effect_value),
            &number(row.probability_no_effect_or_worse),
            &format!("{}", row.p05),
            &format!("{}", row.median),
            &format!("{}", row.p95),
            &format!("{}", row.point),
            &neutralise(&row.correlation_group),
            &neutralise(&row.source),
        ]);
    }
    writer.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_under_the_agreed_columns() {
        let row = UncertaintyRow {
            key: "levers.x.multiplier".into(),
            distribution: "dist = \"uniform\" (min 0.8, max 1.1)".into(),
            better: "lower".into(),
            no_effect_value: Some(1.0),
            probability_no_effect_or_worse: Some(0.25),
            p05: 0.815,
            median: 0.95,
            p95: 1.085,
            point: 0.95,
            correlation_group: String::new(),
            source: "=cmd".into(),
        };
        let text = String::from_utf8(uncertainty_csv("s", &[row])).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), UNCERTAINTY_COLUMNS.join(","));
        assert_eq!(
            lines.next().unwrap(),
            "s,levers.x.multiplier,\"dist = \"\"uniform\"\" (min 0.8, max 1.1)\",lower,1,0.25,0.815,0.95,1.085,0.95,,'=cmd"
        );
    }
}
