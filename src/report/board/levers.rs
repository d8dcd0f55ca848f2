//! A lever of a scenario file in words for the methods appendix: what it
//! changes, by how much, when and where — instead of its TOML.

use super::figures::shorten;
use super::words::{self, plain_name};

/// A lever in four phrases.
pub(super) struct LeverWords {
    pub(super) what: String,
    pub(super) how_much: String,
    pub(super) when: String,
    pub(super) place: String,
}

fn list(value: Option<&toml::Value>) -> Option<String> {
    let items: Vec<String> = value?
        .as_array()?
        .iter()
        .map(|v| {
            v.as_str()
                .map_or_else(|| inline(v), |s| s.replace('_', " "))
        })
        .collect();
    Some(items.join(", "))
}

fn number(value: &toml::Value) -> Option<f64> {
    value
        .as_float()
        .or_else(|| value.as_integer().map(|i| i as f64))
}

/// "× 0.85 (15% fewer)" for a factor.
fn factor(m: f64) -> String {
    let change = if m < 1.0 {
        format!("{} less", words::percent(1.0 - m))
    } else if m > 1.0 {
        format!("{} more", words::percent(m - 1.0))
    } else {
        "no change".into()
    };
    format!("× {} ({change})", trim(m))
}

fn trim(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The multiplier in words: a number, or a range with its most likely
/// value.
fn multiplier(value: &toml::Value) -> String {
    if let Some(m) = number(value) {
        return factor(m);
    }
    let Some(table) = value.as_table() else {
        return inline(value);
    };
    let get = |k: &str| table.get(k).and_then(number);
    match (
        table.get("dist").and_then(|d| d.as_str()),
        get("min"),
        get("mode"),
        get("max"),
    ) {
        (Some(dist), Some(lo), Some(mode), Some(hi)) => format!(
            "most likely {}, drawn each replication from {} to {} ({dist})",
            factor(mode),
            trim(lo),
            trim(hi)
        ),
        (Some(dist), Some(lo), None, Some(hi)) => format!(
            "drawn each replication from × {} to × {} ({dist})",
            trim(lo),
            trim(hi)
        ),
        _ => format!("drawn each replication: {}", inline(value)),
    }
}

fn effect_words(effect: &str, table: &toml::Table) -> String {
    let mut who = Vec::new();
    if let Some(tiers) = list(table.get("tiers")) {
        who.push(format!("people in the {tiers} risk tiers"));
    }
    if let Some(ages) = list(table.get("age_bands")) {
        who.push(format!("people aged {ages}"));
    }
    if let Some(demand) = list(table.get("demand")) {
        who.push(format!("for {demand}"));
    }
    let who = if who.is_empty() {
        String::new()
    } else {
        format!(" ({})", who.join("; "))
    };
    match effect {
        "crisis_rate" => format!("Changes how often crises happen{who}"),
        "discharge_delay" => format!(
            "Changes the wait to leave hospital for patients going to {}{who}",
            list(table.get("destinations")).unwrap_or_else(|| "a service".into())
        ),
        "care_home_discharge" => format!(
            "Changes how many patients go straight from hospital to a care home, sending them to {} instead{who}",
            table
                .get("to")
                .and_then(|t| t.as_str())
                .map_or("another service".into(), plain_name)
                .to_lowercase()
        ),
        "rapid_response" => format!("Changes how many crises are offered rapid response{who}"),
        "proactive_care" => format!(
            "Reviews people at risk in general practice, using the time of its same-day appointments, and changes how often their crises happen{who}"
        ),
        "reinvestment" => {
            "Closes acute beds and funds community services with what they cost".into()
        }
        other => format!("{}{who}", plain_name(other)),
    }
}

/// The keys [`lever_words`] puts into words; any other key is listed as
/// it stands.
const WORDED: &[&str] = &[
    "description",
    "source",
    "effect",
    "multiplier",
    "start",
    "ramp_months",
    "iccs",
    "tiers",
    "age_bands",
    "demand",
    "destinations",
    "to",
    "amount_per_year",
    "fund",
    "close_adult_beds",
];

pub(super) fn lever_words(table: &toml::Table) -> LeverWords {
    let effect = table.get("effect").and_then(|e| e.as_str()).unwrap_or("");
    let mut what = effect_words(effect, table);
    if let Some(d) = table.get("description").and_then(|d| d.as_str()) {
        // A reinvestment's description already says what it does.
        what = if effect == "reinvestment" {
            d.to_string()
        } else {
            format!("{d}. {what}")
        };
    }
    let mut how = Vec::new();
    if let Some(m) = table.get("multiplier") {
        how.push(multiplier(m));
    }
    if let Some(amount) = table.get("amount_per_year").and_then(number) {
        how.push(format!("{} a year", words::money(amount)));
    }
    if let Some(beds) = table.get("close_adult_beds").and_then(|b| b.as_table()) {
        let sites: Vec<String> = beds
            .iter()
            .map(|(site, n)| format!("{} at {}", inline(n), plain_name(site)))
            .collect();
        how.push(format!("closes {} adult beds", sites.join(" and ")));
    }
    if let Some(fund) = table.get("fund").and_then(|f| f.as_table()) {
        let shares: Vec<String> = fund
            .iter()
            .map(|(k, v)| {
                let share = number(v).map_or_else(|| inline(v), |s| format!("{:.0}%", 100.0 * s));
                format!("{share} to {}", plain_name(k).to_lowercase())
            })
            .collect();
        how.push(format!("the money goes {}", shares.join(", ")));
    }
    for (k, v) in table.iter().filter(|(k, _)| !WORDED.contains(&k.as_str())) {
        how.push(format!("{}: {}", k.replace('_', " "), inline(v)));
    }
    let dates: Vec<String> = table
        .get("iccs")
        .and_then(|i| i.as_table())
        .map(|t| t.values().map(inline).collect())
        .unwrap_or_default();
    let mut when = match (dates.iter().min(), dates.iter().max()) {
        (Some(a), Some(b)) if a != b => format!("from {a} to {b}, by ICC"),
        (Some(a), _) => format!("from {a}"),
        _ => table
            .get("start")
            .map_or("from the start of the run".into(), |s| {
                format!("from {}", inline(s))
            }),
    };
    if let Some(months) = table.get("ramp_months").and_then(number) {
        when.push_str(&format!(
            "; full effect {} months after it starts",
            trim(months)
        ));
    }
    let place = match table.get("iccs").and_then(|i| i.as_table()) {
        Some(iccs) => {
            let names: Vec<String> = iccs.keys().map(|k| plain_name(k)).collect();
            format!("ICCs: {}", names.join(", "))
        }
        None => "every ICC (or the sites named)".into(),
    };
    LeverWords {
        what,
        how_much: if how.is_empty() {
            "as the effect says".into()
        } else {
            how.join("; ")
        },
        when,
        place,
    }
}

/// A TOML value on one line, shortened for a table cell.
pub(super) fn inline(value: &toml::Value) -> String {
    let text = value.to_string();
    shorten(&text.replace('\n', " "), 400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lever_reads_as_what_how_much_when_and_where() {
        let table: toml::Table = r#"
description = "Enhanced health in care homes"
effect = "crisis_rate"
demand = ["care_home_crisis"]
multiplier = { dist = "triangular", min = 0.77, mode = 0.85, max = 1.0 }
iccs = { eden = 2026-04-01, copeland = 2027-01-01 }
ramp_months = 18
"#
        .parse()
        .unwrap();
        let w = lever_words(&table);
        assert_eq!(
            w.what,
            "Enhanced health in care homes. Changes how often crises happen (for care home crisis)"
        );
        assert_eq!(
            w.how_much,
            "most likely × 0.85 (15.0% less), drawn each replication from 0.77 to 1 (triangular)"
        );
        assert_eq!(
            w.when,
            "from 2026-04-01 to 2027-01-01, by ICC; full effect 18 months after it starts"
        );
        // In the file's order.
        assert_eq!(w.place, "ICCs: Eden, Copeland");
    }
}
