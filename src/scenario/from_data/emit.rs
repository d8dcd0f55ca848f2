//! Writing the scenario: north Cumbria's baseline document (comments and
//! all, through `toml_edit`) with every value the data give replaced and
//! marked `DATA`, every value worked out from them marked `DERIVED`, and
//! every other value marked `ASSUMED (north Cumbria)` with its original
//! comment, so that a reader sees at each line where the number came from.

use std::collections::BTreeMap;

use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value, value};

use super::data::{Band, Rate, SystemData, round_to};
use super::tables::Problem;

/// The marks a value's comment starts with.
pub const DATA: &str = "DATA";
pub const DERIVED: &str = "DERIVED";
pub const ASSUMED: &str = "ASSUMED";

/// How many values came from where.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub data: usize,
    pub derived: usize,
    pub assumed: usize,
}

/// The scenario text (without its header) and what it counts.
pub struct Emitted {
    pub text: String,
    pub counts: Counts,
    /// Parameters scaled from north Cumbria's by a ratio of observed rates:
    /// (TOML key, start value, lower, upper bound).
    pub free: Vec<(String, f64, f64, f64)>,
}

/// North Cumbria's observed rates (data/systems/north-cumbria/rates.csv):
/// the denominators of the ratios that scale its tuned parameters.
const NORTH_CUMBRIA_RATES: &str = include_str!("../../../data/systems/north-cumbria/rates.csv");

fn north_cumbria_rates() -> BTreeMap<(String, String), f64> {
    let table = super::tables::Table::from_text(
        "data/systems/north-cumbria/rates.csv",
        NORTH_CUMBRIA_RATES,
        &["age_band", "measure", "value"],
        &["area", "source"],
    )
    .unwrap_or_else(|_| unreachable_table());
    let mut ignored = Vec::new();
    table
        .rows
        .iter()
        .filter_map(|row| {
            let v = table.number(row, "value", &mut ignored).flatten()?;
            Some((
                (
                    table.text(row, "age_band").to_string(),
                    table.text(row, "measure").to_string(),
                ),
                v,
            ))
        })
        .collect()
}

/// The embedded table is read in the round-trip test (its twelve scaled
/// parameters need it); were it ever unreadable the
/// generator would scale nothing rather than panic.
fn unreachable_table() -> super::tables::Table {
    super::tables::Table::from_text(
        "empty",
        "age_band,measure,value\n",
        &["age_band", "measure", "value"],
        &[],
    )
    .expect("a header-only table reads")
}

fn comment(mark: &str, text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    format!("   # {mark}: {text}")
}

/// Sets `key` in `table` with its comment, replacing the value and any
/// comment above it (north Cumbria's note on its own value).
fn set(table: &mut Table, key: &str, mut v: Value, mark: &str, note: &str, counts: &mut Counts) {
    v.decor_mut().set_suffix(comment(mark, note));
    match mark {
        DATA => counts.data += 1,
        DERIVED => counts.derived += 1,
        _ => counts.assumed += 1,
    }
    if let Some(mut k) = table.key_mut(key) {
        k.leaf_decor_mut().set_prefix("");
    }
    table.insert(key, Item::Value(v));
}

fn number(x: f64, integer: bool) -> Value {
    if integer {
        Value::from(x.round() as i64)
    } else {
        Value::from(x)
    }
}

fn band_table<T: Into<Value> + Copy>(bands: &[Band], values: &[T]) -> Value {
    let mut t = InlineTable::new();
    for (b, v) in bands.iter().zip(values) {
        t.insert(&b.name, (*v).into());
    }
    Value::InlineTable(t)
}

fn as_f64(v: &Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// The north Cumbria band that overlaps a band most.
fn closest_band<'a>(band: &Band, reference: &'a [Band]) -> &'a Band {
    reference
        .iter()
        .max_by_key(|r| (band.overlap(r), std::cmp::Reverse(r.low)))
        .unwrap_or(&reference[0])
}

pub struct Context<'a> {
    pub data: &'a SystemData,
    pub name: &'a str,
}

pub fn emit(ctx: &Context) -> Result<Emitted, Vec<Problem>> {
    let data = ctx.data;
    let mut doc: DocumentMut = crate::scenario::DEFAULT_SCENARIO_TOML
        .parse()
        .map_err(|e| {
            vec![Problem::in_file(
                "north-cumbria-baseline.toml",
                format!("cannot be read: {e}"),
            )]
        })?;
    let mut counts = Counts::default();
    let reference: Vec<Band> = doc["age_bands"]
        .as_table()
        .map(|t| t.iter().filter_map(|(k, _)| Band::parse(k)).collect())
        .unwrap_or_default();
    // Each of the system's bands and the north Cumbria band it takes
    // per-band values from.
    let band_map: Vec<(Band, Band)> = data
        .bands
        .iter()
        .map(|b| (b.clone(), closest_band(b, &reference).clone()))
        .collect();
    let same_bands = data.bands == reference;

    top(&mut doc, ctx, &mut counts);
    let nc = NorthCumbria::read(&doc, &reference);
    population(&mut doc, data, &band_map, same_bands, &mut counts);
    iccs(&mut doc, data, &nc, &band_map, &mut counts);
    sites(&mut doc, data, &nc, &mut counts);
    let free = age_bands(&mut doc, data, &band_map, same_bands, &mut counts);
    if !same_bands {
        remap_band_tables(&mut doc, "avoidable", &band_map);
    }
    workforce(&mut doc, data);
    targets(&mut doc, data, &nc, &band_map, &mut counts);
    mark_assumed(doc.as_table_mut(), "", &mut counts);
    Ok(Emitted {
        text: doc.to_string(),
        counts,
        free,
    })
}

fn top(doc: &mut DocumentMut, ctx: &Context, counts: &mut Counts) {
    let data = ctx.data;
    doc["name"] = value(ctx.name);
    if let Some(title) = data.system.get("title") {
        set(
            doc.as_table_mut(),
            "title",
            Value::from(title.value.as_str()),
            DATA,
            "system.csv",
            counts,
        );
    }
    let description = data.system.get("description").map_or_else(
        || format!("{} (no description in system.csv)", ctx.name),
        |d| d.value.clone(),
    );
    let mut v = Value::from(description);
    v.decor_mut().set_suffix("");
    doc.as_table_mut().insert("description", Item::Value(v));
    if let Some(start) = data.system.get("start_date")
        && let Ok(date) = start.value.parse::<toml_edit::Datetime>()
        && let Some(run) = doc["run"].as_table_mut()
    {
        set(
            run,
            "start_date",
            Value::from(date),
            DATA,
            &format!("system.csv: {}", start.source),
            counts,
        );
    }
}

/// What the generator needs of north Cumbria's own values.
struct NorthCumbria {
    /// Per ICC measure: the system's total.
    totals: BTreeMap<String, f64>,
    /// Whether the measure is written as an integer.
    integer: BTreeMap<String, bool>,
    /// Its ICCs' comment (the first ICC's) per measure.
    comments: BTreeMap<String, String>,
    people_65: f64,
    people_75: f64,
    people: f64,
    /// People weighted by GP appointments per person.
    gp_weighted: f64,
    gp_per_person: BTreeMap<String, f64>,
    /// The first site's table, for the values every site shares.
    first_site: Table,
    site_totals: BTreeMap<String, f64>,
    /// The baseline's targets.
    targets: Vec<Table>,
    targets_position: Option<isize>,
}

/// The per-ICC capacities, in the baseline's order, and the population
/// they are scaled by when the data do not give them.
const ICC_MEASURES: [(&str, &str); 9] = [
    ("rapid_response_wte", "65+"),
    ("reablement_wte", "65+"),
    ("case_management_wte", "65+"),
    ("community_beds", "65+"),
    ("residential_places", "75+"),
    ("nursing_places", "75+"),
    ("home_care_hours_per_week", "65+"),
    ("gp_wte", "gp"),
    ("other_clinical_wte", "gp"),
];

const SITE_MEASURES: [&str; 4] = [
    "paediatric_beds",
    "day_unit_places",
    "day_unit_slots_per_day",
    "escalation_beds",
];

impl NorthCumbria {
    fn read(doc: &DocumentMut, bands: &[Band]) -> NorthCumbria {
        let gp_per_person: BTreeMap<String, f64> = doc["population"]["gp_appointments_per_person"]
            .as_inline_table()
            .map(|t| {
                t.iter()
                    .filter_map(|(k, v)| Some((k.to_string(), as_f64(v)?)))
                    .collect()
            })
            .unwrap_or_default();
        let mut nc = NorthCumbria {
            totals: BTreeMap::new(),
            integer: BTreeMap::new(),
            comments: BTreeMap::new(),
            people_65: 0.0,
            people_75: 0.0,
            people: 0.0,
            gp_weighted: 0.0,
            gp_per_person,
            first_site: Table::new(),
            site_totals: BTreeMap::new(),
            targets: Vec::new(),
            targets_position: None,
        };
        if let Some(iccs) = doc["iccs"].as_table() {
            for (_, icc) in iccs.iter() {
                let Some(icc) = icc.as_table() else { continue };
                for (measure, _) in ICC_MEASURES {
                    if let Some(v) = icc.get(measure).and_then(Item::as_value) {
                        *nc.totals.entry(measure.to_string()).or_default() +=
                            as_f64(v).unwrap_or(0.0);
                        nc.integer.insert(measure.to_string(), v.is_integer());
                        if let Some(c) = v
                            .decor()
                            .suffix()
                            .and_then(|s| s.as_str())
                            .filter(|s| s.contains('#'))
                        {
                            nc.comments.entry(measure.to_string()).or_insert_with(|| {
                                c.trim().trim_start_matches('#').trim().to_string()
                            });
                        }
                    }
                }
                if let Some(p) = icc.get("population").and_then(Item::as_inline_table) {
                    for band in bands {
                        let people = p.get(&band.name).and_then(as_f64).unwrap_or(0.0);
                        nc.people += people;
                        if band.low >= 65 {
                            nc.people_65 += people;
                        }
                        if band.low >= 75 {
                            nc.people_75 += people;
                        }
                        nc.gp_weighted +=
                            people * nc.gp_per_person.get(&band.name).copied().unwrap_or(1.0);
                    }
                }
            }
        }
        if let Some(sites) = doc["sites"].as_table() {
            for (i, (_, site)) in sites.iter().enumerate() {
                let Some(site) = site.as_table() else {
                    continue;
                };
                if i == 0 {
                    nc.first_site = site.clone();
                }
                for measure in SITE_MEASURES.iter().chain(&["adult_beds"]) {
                    if let Some(v) = site.get(measure).and_then(Item::as_value).and_then(as_f64) {
                        *nc.site_totals.entry(measure.to_string()).or_default() += v;
                    }
                }
            }
        }
        if let Some(targets) = doc["calibration"]["targets"].as_array_of_tables() {
            nc.targets = targets.iter().cloned().collect();
            nc.targets_position = targets.iter().next().and_then(Table::position);
        }
        nc
    }
}

fn population(
    doc: &mut DocumentMut,
    data: &SystemData,
    band_map: &[(Band, Band)],
    same_bands: bool,
    counts: &mut Counts,
) {
    let Some(population) = doc["population"].as_table_mut() else {
        return;
    };
    if !same_bands {
        let mut bands = Array::new();
        for b in &data.bands {
            bands.push(b.name.as_str());
        }
        set(
            population,
            "age_bands",
            Value::Array(bands),
            DATA,
            "the bands of population.csv",
            counts,
        );
        for key in ["growth_per_year", "gp_appointments_per_person"] {
            remap_band_value(population, key, band_map);
        }
        if let Some(tiers) = population
            .get_mut("risk_tiers")
            .and_then(Item::as_table_mut)
        {
            for (_, tier) in tiers.iter_mut() {
                let Some(tier) = tier.as_table_mut() else {
                    continue;
                };
                let Some(listed) = tier.get("bands").and_then(Item::as_array) else {
                    continue;
                };
                let listed: Vec<String> = listed
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                let mut bands = Array::new();
                for (b, nc) in band_map {
                    if listed.contains(&nc.name) {
                        bands.push(b.name.as_str());
                    }
                }
                let mut v = Value::Array(bands);
                v.decor_mut().set_suffix(comment(
                    ASSUMED,
                    &format!(
                        "north Cumbria's {}, each band as the north Cumbria band it overlaps most",
                        listed.join(", ")
                    ),
                ));
                counts.assumed += 1;
                tier.insert("bands", Item::Value(v));
            }
        }
    }
    if let Some(growth) = &data.growth {
        let values: Vec<f64> = growth.value.clone();
        set(
            population,
            "growth_per_year",
            band_table(&data.bands, &values),
            DATA,
            &format!(
                "{}: {} (by ICC where an ICC's areas differ)",
                growth.file, growth.source
            ),
            counts,
        );
    }
}

/// Re-keys an inline table keyed by north Cumbria's bands by the system's
/// bands, each taking the value of the band it overlaps most.
fn remap_band_value(table: &mut Table, key: &str, band_map: &[(Band, Band)]) {
    let Some(old) = table.get(key).and_then(Item::as_inline_table).cloned() else {
        return;
    };
    let mut new = InlineTable::new();
    for (b, nc) in band_map {
        if let Some(v) = old.get(&nc.name) {
            let mut v = v.clone();
            v.decor_mut().clear();
            new.insert(&b.name, v);
        }
    }
    let mut v = Value::InlineTable(new);
    let note = band_map
        .iter()
        .filter(|(b, nc)| b.name != nc.name)
        .map(|(b, nc)| format!("{} as north Cumbria's {}", b.name, nc.name))
        .collect::<Vec<_>>()
        .join(", ");
    let old_comment = table
        .get(key)
        .and_then(Item::as_value)
        .and_then(|v| v.decor().suffix())
        .and_then(|s| s.as_str())
        .map(|s| s.trim().trim_start_matches('#').trim().to_string())
        .unwrap_or_default();
    v.decor_mut().set_suffix(comment(
        ASSUMED,
        &format!("north Cumbria's, by the band that overlaps most ({note}) {old_comment}"),
    ));
    table.insert(key, Item::Value(v));
}

/// Re-keys a table of per-band tables (`[age_bands."18-64"]`).
fn remap_band_tables(doc: &mut DocumentMut, section: &str, band_map: &[(Band, Band)]) {
    let Some(tables) = doc[section].as_table_mut() else {
        return;
    };
    let old: Vec<(String, Item)> = tables
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    tables.clear();
    for (b, nc) in band_map {
        let Some((_, item)) = old.iter().find(|(k, _)| *k == nc.name) else {
            continue;
        };
        let mut item = item.clone();
        if let Some(t) = item.as_table_mut()
            && b.name != nc.name
        {
            let prefix = t
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or("")
                .to_string();
            t.decor_mut().set_prefix(format!(
                "{prefix}# ASSUMED: band {} takes north Cumbria's band {} values (the band that overlaps it most)\n",
                b.name, nc.name
            ));
        }
        tables.insert(&b.name, item);
    }
}

fn people_in(
    data: &SystemData,
    population: &[f64],
    what: &str,
    nc: &NorthCumbria,
    band_map: &[(Band, Band)],
) -> f64 {
    data.bands
        .iter()
        .zip(population)
        .map(|(b, p)| match what {
            "65+" if b.low >= 65 => *p,
            "75+" if b.low >= 75 => *p,
            "gp" => {
                let nc_band = band_map
                    .iter()
                    .find(|(s, _)| s.name == b.name)
                    .map(|(_, n)| n.name.as_str())
                    .unwrap_or("");
                p * nc.gp_per_person.get(nc_band).copied().unwrap_or(1.0)
            }
            _ => 0.0,
        })
        .sum()
}

fn iccs(
    doc: &mut DocumentMut,
    data: &SystemData,
    nc: &NorthCumbria,
    band_map: &[(Band, Band)],
    counts: &mut Counts,
) {
    let Some(iccs) = doc["iccs"].as_table_mut() else {
        return;
    };
    let position = iccs
        .iter()
        .find_map(|(_, t)| t.as_table().and_then(Table::position));
    iccs.clear();
    for (i, icc) in data.iccs.iter().enumerate() {
        let mut t = Table::new();
        t.set_position(position);
        if i == 0 {
            t.decor_mut().set_prefix(
                "\n# ----------------------------------------------------------------- the ICCs\n\
                 # From areas.csv (each ICC's areas), population.csv (people summed over\n\
                 # an ICC's areas), catchment.csv, iccs.csv, community.csv and care_homes.csv.\n\
                 # A capacity the data do not give is north Cumbria's per head, ASSUMED:\n\
                 # community teams, beds and home care per person aged 65+, care-home places\n\
                 # per person aged 75+, general practice per person weighted by the bands'\n\
                 # gp_appointments_per_person.\n\n",
            );
        }
        if let Some(d) = &icc.description {
            t.insert("description", value(d.as_str()));
        }
        if let [(site, share, source)] = icc.catchment.as_slice()
            && (*share - 1.0).abs() < 1e-9
        {
            set(
                &mut t,
                "site",
                Value::from(site.as_str()),
                DATA,
                &format!("catchment.csv: {source}"),
                counts,
            );
        } else {
            let mut shares = InlineTable::new();
            let mut sources: Vec<&str> = Vec::new();
            for (site, share, source) in &icc.catchment {
                shares.insert(site, Value::from(*share));
                if !sources.contains(&source.as_str()) {
                    sources.push(source);
                }
            }
            set(
                &mut t,
                "sites",
                Value::InlineTable(shares),
                DATA,
                &format!("catchment.csv: {}", sources.join("; ")),
                counts,
            );
        }
        let people: Vec<i64> = icc.population.iter().map(|p| p.round() as i64).collect();
        set(
            &mut t,
            "population",
            band_table(&data.bands, &people),
            DATA,
            &format!(
                "population.csv, summed over the ICC's areas: {}",
                icc.population_source
            ),
            counts,
        );
        if let Some(growth) = &icc.growth {
            let file = data
                .growth
                .as_ref()
                .map_or("growth.csv", |g| g.file.as_str());
            set(
                &mut t,
                "growth_per_year",
                band_table(&data.bands, growth),
                DATA,
                &format!("{file}, weighted by the people of the ICC's areas"),
                counts,
            );
        }
        if let Some(m) = &icc.crisis_multiplier {
            set(
                &mut t,
                "crisis_multiplier",
                Value::from(m.value),
                DATA,
                &format!("iccs.csv: {}", m.source),
                counts,
            );
        } else if let Some(m) = data.standardised.get(&icc.name)
            && (m - 1.0).abs() >= 0.0005
        {
            set(
                &mut t,
                "crisis_multiplier",
                Value::from(round_to(*m, 3)),
                DERIVED,
                "rates.csv: the ICC's expected emergency admissions at its own areas' rates ÷ at the system's (indirect standardisation)",
                counts,
            );
        }
        for (measure, per) in ICC_MEASURES {
            let given = if measure.ends_with("_places") {
                data.care_homes.get(&(
                    icc.name.clone(),
                    measure.trim_end_matches("_places").to_string(),
                ))
            } else {
                data.community.get(&(icc.name.clone(), measure.to_string()))
            };
            let integer = nc.integer.get(measure).copied().unwrap_or(false);
            match given {
                Some(v) => set(
                    &mut t,
                    measure,
                    number(v.value, integer),
                    DATA,
                    &format!("{}: {}", v.file, v.source),
                    counts,
                ),
                None => {
                    let Some(total) = nc.totals.get(measure) else {
                        continue;
                    };
                    let (mine, theirs, whom) = match per {
                        "65+" => (
                            people_in(data, &icc.population, "65+", nc, band_map),
                            nc.people_65,
                            "person aged 65+",
                        ),
                        "75+" => (
                            people_in(data, &icc.population, "75+", nc, band_map),
                            nc.people_75,
                            "person aged 75+",
                        ),
                        _ => (
                            people_in(data, &icc.population, "gp", nc, band_map),
                            nc.gp_weighted,
                            "person weighted by gp_appointments_per_person",
                        ),
                    };
                    let x = if theirs > 0.0 {
                        total * mine / theirs
                    } else {
                        0.0
                    };
                    let x = if integer { x.round() } else { round_to(x, 1) };
                    let original = nc
                        .comments
                        .get(measure)
                        .map_or(String::new(), |c| format!("; north Cumbria: {c}"));
                    set(
                        &mut t,
                        measure,
                        number(x, integer),
                        "ASSUMED (scaled from north Cumbria per head)",
                        &format!("{total} in north Cumbria per {whom}{original}"),
                        counts,
                    );
                }
            }
        }
        iccs.insert(&icc.name, Item::Table(t));
    }
}

fn sites(doc: &mut DocumentMut, data: &SystemData, nc: &NorthCumbria, counts: &mut Counts) {
    let Some(sites) = doc["sites"].as_table_mut() else {
        return;
    };
    let position = sites
        .iter()
        .find_map(|(_, t)| t.as_table().and_then(Table::position));
    sites.clear();
    let nc_adult = nc.site_totals.get("adult_beds").copied().unwrap_or(0.0);
    for (i, site) in data.sites.iter().enumerate() {
        let mut t = Table::new();
        t.set_position(position);
        if i == 0 {
            t.decor_mut().set_prefix(
                "# ------------------------------------------------------------------ acute sites\n\
                 # From sites.csv. A count the data leave empty is north Cumbria's per adult\n\
                 # bed (ASSUMED); opening hours and escalation thresholds are north Cumbria's.\n\n",
            );
        }
        if !site.description.is_empty() {
            t.insert("description", value(site.description.as_str()));
        }
        if !site.emergency_department {
            set(
                &mut t,
                "emergency_department",
                Value::from(false),
                DATA,
                &format!("sites.csv: {}", site.source),
                counts,
            );
            if let Some(at) = &site.ed_at {
                set(
                    &mut t,
                    "ed_at",
                    Value::from(at.as_str()),
                    DATA,
                    "sites.csv",
                    counts,
                );
            }
        }
        set(
            &mut t,
            "adult_beds",
            number(site.adult_beds, true),
            DATA,
            &format!("sites.csv: {}", site.source),
            counts,
        );
        let given = |m: &str| match m {
            "paediatric_beds" => site.paediatric_beds,
            "day_unit_places" => site.day_unit_places,
            "day_unit_slots_per_day" => site.day_unit_slots_per_day,
            _ => site.escalation_beds,
        };
        for measure in SITE_MEASURES {
            match given(measure) {
                Some(x) => set(
                    &mut t,
                    measure,
                    number(x, true),
                    DATA,
                    "sites.csv (as above)",
                    counts,
                ),
                None => {
                    // Slots scale with the places; the rest with adult beds.
                    let (per, per_name, base) = if measure == "day_unit_slots_per_day" {
                        let places = site.day_unit_places.unwrap_or_else(|| {
                            nc.site_totals
                                .get("day_unit_places")
                                .copied()
                                .unwrap_or(0.0)
                                * site.adult_beds
                                / nc_adult.max(1.0)
                        });
                        (
                            nc.site_totals
                                .get("day_unit_places")
                                .copied()
                                .unwrap_or(1.0),
                            "day-unit place",
                            places,
                        )
                    } else {
                        (nc_adult, "adult bed", site.adult_beds)
                    };
                    let total = nc.site_totals.get(measure).copied().unwrap_or(0.0);
                    let x = if per > 0.0 {
                        (total * base / per).round()
                    } else {
                        0.0
                    };
                    set(
                        &mut t,
                        measure,
                        number(x, true),
                        &format!("ASSUMED (scaled from north Cumbria per {per_name})"),
                        &format!(
                            "north Cumbria's {total} per {per} {per_name}s (its sites' figures are mostly A)"
                        ),
                        counts,
                    );
                }
            }
            if measure == "day_unit_slots_per_day" {
                assumed_copy(&mut t, &nc.first_site, "day_unit_opening", counts);
            }
        }
        // Thresholds mean nothing (and are refused) without escalation beds.
        if t.get("escalation_beds")
            .and_then(Item::as_value)
            .and_then(as_f64)
            .is_some_and(|b| b > 0.0)
        {
            for key in ["escalation_open_at", "escalation_close_at"] {
                assumed_copy(&mut t, &nc.first_site, key, counts);
            }
        }
        if let Some(managed) = site.utc_managed {
            let mut utc = InlineTable::new();
            utc.insert("managed", Value::from(managed));
            set(
                &mut t,
                "urgent_treatment_centre",
                Value::InlineTable(utc),
                DATA,
                "sites.csv (utc_managed)",
                counts,
            );
        }
        let routes: Vec<_> = data
            .out_of_system
            .iter()
            .filter(|o| o.site == site.name)
            .collect();
        if !routes.is_empty() {
            if let Some(m) = routes.iter().find_map(|o| o.multiplier) {
                set(
                    &mut t,
                    "out_of_system_multiplier",
                    Value::from(m),
                    DATA,
                    &format!("out_of_system.csv: {}", routes[0].source),
                    counts,
                );
            }
            let mut rows = ArrayOfTables::new();
            for o in routes {
                let mut r = Table::new();
                r.insert("provider", value(o.provider.as_str()));
                if !o.specialty.is_empty() {
                    r.insert("specialty", value(o.specialty.as_str()));
                }
                set(
                    &mut r,
                    "split",
                    Value::from(o.split),
                    DATA,
                    &format!("out_of_system.csv: {}", o.source),
                    counts,
                );
                rows.push(r);
            }
            t.insert("out_of_system", Item::ArrayOfTables(rows));
        }
        sites.insert(&site.name, Item::Table(t));
    }
}

/// Copies north Cumbria's value of `key` from `from`, marked ASSUMED with
/// its comment.
fn assumed_copy(t: &mut Table, from: &Table, key: &str, counts: &mut Counts) {
    let Some(v) = from.get(key).and_then(Item::as_value) else {
        return;
    };
    let note = v
        .decor()
        .suffix()
        .and_then(|s| s.as_str())
        .map(|s| s.trim().trim_start_matches('#').trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "its first site's".to_string());
    let mut v = v.clone();
    v.decor_mut().clear();
    set(t, key, v, "ASSUMED (north Cumbria)", &note, counts);
}

/// The ratio of this system's rate to north Cumbria's for a band, if both
/// are known.
fn ratio(
    data: &SystemData,
    nc_rates: &BTreeMap<(String, String), f64>,
    band: &str,
    nc_band: &str,
    measure: &str,
) -> Option<(f64, f64, f64)> {
    let mine = data.rate(band, measure)?.value;
    let theirs = *nc_rates.get(&(nc_band.to_string(), measure.to_string()))?;
    (theirs > 0.0 && mine > 0.0).then_some((mine / theirs, mine, theirs))
}

fn scaled(x: f64, ratio: f64, decimals: i32) -> f64 {
    if ratio == 1.0 {
        x
    } else {
        round_to(x * ratio, decimals)
    }
}

fn age_bands(
    doc: &mut DocumentMut,
    data: &SystemData,
    band_map: &[(Band, Band)],
    same_bands: bool,
    counts: &mut Counts,
) -> Vec<(String, f64, f64, f64)> {
    if !same_bands {
        remap_band_tables(doc, "age_bands", band_map);
    }
    let nc_rates = north_cumbria_rates();
    let mut free = Vec::new();
    let Some(tables) = doc["age_bands"].as_table_mut() else {
        return free;
    };
    for (band, nc_band) in band_map {
        let Some(t) = tables.get_mut(&band.name).and_then(Item::as_table_mut) else {
            continue;
        };
        let b = band.name.as_str();
        let n = nc_band.name.as_str();
        let key = |k: &str| format!("age_bands.\"{b}\".{k}");
        if let Some(Rate {
            value: v, source, ..
        }) = data.rate(b, "elective_admissions_per_1000")
        {
            set(
                t,
                "elective_per_1000",
                Value::from(*v),
                DATA,
                &format!("rates.csv: {source}"),
                counts,
            );
        }
        if let Some(Rate {
            value: mean,
            source,
            ..
        }) = data.rate(b, "elective_mean_stay_days")
            && let Some(stay) = t
                .get("elective_stay")
                .and_then(Item::as_inline_table)
                .cloned()
        {
            let old = stay.get("mean").and_then(as_f64).unwrap_or(*mean);
            set(
                t,
                "elective_stay",
                scale_distribution(&stay, *mean / old, Some(*mean)),
                DATA,
                &format!("rates.csv: {source} (sd scaled with the mean)"),
                counts,
            );
        }
        // Crises scale with A&E attendances (admissions where attendances
        // are not given), ED admission with the conversion, so that the
        // expected admissions scale with the admissions ratio.
        let attendances = ratio(data, &nc_rates, b, n, "ae_attendances_per_1000");
        let admissions = ratio(data, &nc_rates, b, n, "emergency_admissions_per_1000");
        let crisis_ratio = attendances
            .map(|a| (a, "A&E attendances per 1,000"))
            .or(admissions.map(|a| (a, "emergency admissions per 1,000")));
        if let Some(((r, mine, theirs), what)) = crisis_ratio
            && let Some(old) = t
                .get("crisis_per_1000")
                .and_then(Item::as_value)
                .and_then(as_f64)
        {
            let x = scaled(old, r, 1);
            set(
                t,
                "crisis_per_1000",
                Value::from(x),
                DERIVED,
                &format!(
                    "north Cumbria's {old} × {} ({what}: {mine} here ÷ {theirs} in north Cumbria's {n}, rates.csv); free in calibrate --fit",
                    round_to(r, 4)
                ),
                counts,
            );
            free.push((
                key("crisis_per_1000"),
                x,
                round_to(x * 0.7, 1),
                round_to(x * 1.4, 1),
            ));
        }
        if let (Some((ra, ma, ta)), Some((re, me, te))) = (attendances, admissions)
            && let Some(old) = t
                .get("ed_admission")
                .and_then(Item::as_value)
                .and_then(as_f64)
        {
            let r = re / ra;
            let x = scaled(old, r, 4).min(0.95);
            set(
                t,
                "ed_admission",
                Value::from(x),
                DERIVED,
                &format!(
                    "north Cumbria's {old} × {} (admissions per A&E attendance: {me}/{ma} here ÷ {te}/{ta} in north Cumbria's {n}); free in calibrate --fit",
                    round_to(r, 4)
                ),
                counts,
            );
            free.push((
                key("ed_admission"),
                x,
                round_to(x * 0.7, 4),
                round_to((x * 1.4).min(1.0), 4),
            ));
        }
        if let Some((r, mine, theirs)) = ratio(data, &nc_rates, b, n, "emergency_mean_stay_days")
            && let Some(stay) = t
                .get("overnight_stay")
                .and_then(Item::as_inline_table)
                .cloned()
        {
            let old = stay.get("mean").and_then(as_f64).unwrap_or(0.0);
            let v = scale_distribution(&stay, r, None);
            let x = v
                .as_inline_table()
                .and_then(|s| s.get("mean"))
                .and_then(as_f64)
                .unwrap_or(old);
            set(
                t,
                "overnight_stay",
                v,
                DERIVED,
                &format!(
                    "north Cumbria's mean {old} × {} (emergency mean stay: {mine} here ÷ {theirs} days in north Cumbria's {n}, sd scaled with it); free in calibrate --fit",
                    round_to(r, 4)
                ),
                counts,
            );
            free.push((
                key("overnight_stay.mean"),
                x,
                round_to(x * 0.7, 2),
                round_to(x * 1.4, 2),
            ));
        }
    }
    free
}

/// A distribution's mean and sd times `ratio` (the mean set to `mean` if
/// given), its other keys kept.
fn scale_distribution(stay: &InlineTable, ratio: f64, mean: Option<f64>) -> Value {
    let mut new = stay.clone();
    new.decor_mut().clear();
    for key in ["mean", "sd"] {
        if let Some(x) = new.get(key).and_then(as_f64) {
            let v = match (key, mean) {
                ("mean", Some(m)) => m,
                _ => scaled(x, ratio, 3),
            };
            new.insert(key, Value::from(v));
        }
    }
    Value::InlineTable(new)
}

/// Per-ICC vacancy rates name north Cumbria's ICCs: only those of the
/// same name are kept.
fn workforce(doc: &mut DocumentMut, data: &SystemData) {
    let Some(workforce) = doc["workforce"].as_table_mut() else {
        return;
    };
    for (_, staff) in workforce.iter_mut() {
        let Some(staff) = staff.as_table_mut() else {
            continue;
        };
        let Some(by_icc) = staff
            .get_mut("vacancy_rate_by_icc")
            .and_then(Item::as_inline_table_mut)
        else {
            continue;
        };
        by_icc.retain(|icc, _| data.iccs.iter().any(|i| i.name == icc));
        if by_icc.is_empty() {
            staff.remove("vacancy_rate_by_icc");
        }
    }
}

fn target(
    name: &str,
    metric: &str,
    bands: Option<&[String]>,
    per_year: bool,
    (observed, low, high): (f64, f64, f64),
    source: &str,
) -> Table {
    let mut t = Table::new();
    t.insert("name", value(name));
    t.insert("metric", value(metric));
    if let Some(bands) = bands {
        let mut a = Array::new();
        for b in bands {
            a.push(b.as_str());
        }
        t.insert("age_bands", value(a));
    }
    if per_year {
        t.insert("per_year", value(true));
    }
    t.insert("year", value(1));
    let whole = per_year;
    t.insert("observed", Item::Value(number(observed, whole)));
    t.insert("low", Item::Value(number(low, whole)));
    t.insert("high", Item::Value(number(high, whole)));
    t.insert("source", value(source));
    t
}

fn targets(
    doc: &mut DocumentMut,
    data: &SystemData,
    nc: &NorthCumbria,
    band_map: &[(Band, Band)],
    counts: &mut Counts,
) {
    let mut new: Vec<Table> = Vec::new();
    let people = data.population_by_band();
    let adult: Vec<usize> = data
        .bands
        .iter()
        .enumerate()
        .filter(|(_, b)| b.low >= 16)
        .map(|(i, _)| i)
        .collect();
    let adult_names: Vec<String> = adult.iter().map(|i| data.bands[*i].name.clone()).collect();
    let within = |x: f64, decimals: i32| (round_to(x * 0.9, decimals), round_to(x * 1.1, decimals));
    for (metric, measure, name) in [
        (
            "emergency_admissions",
            "emergency_admissions_per_1000",
            "Adult emergency admissions a year",
        ),
        (
            "ed_attendances",
            "ae_attendances_per_1000",
            "Adult ED attendances a year",
        ),
    ] {
        let rates: Option<Vec<(f64, &Rate)>> = adult
            .iter()
            .map(|i| Some((people[*i], data.rate(&data.bands[*i].name, measure)?)))
            .collect();
        if let Some(rates) = rates
            && !rates.is_empty()
        {
            let total = rates
                .iter()
                .map(|(p, r)| p * r.value / 1000.0)
                .sum::<f64>()
                .round();
            let (low, high) = within(total, 0);
            let mut sources: Vec<&str> = Vec::new();
            for (_, r) in &rates {
                if !sources.contains(&r.source.as_str()) {
                    sources.push(&r.source);
                }
            }
            new.push(target(
                name,
                metric,
                Some(&adult_names),
                true,
                (total, low, high),
                &format!(
                    "DATA (rates.csv × population.csv): {}; ±10%",
                    sources.join("; ")
                ),
            ));
            counts.data += 1;
        }
    }
    for (measure, metric, name, decimals) in [
        (
            "emergency_mean_stay_days",
            "emergency_los_mean",
            "Mean length of stay, emergency admissions",
            2,
        ),
        (
            "emergency_admissions_per_1000",
            "emergency_admissions_per_1000",
            "Emergency admissions per 1,000",
            2,
        ),
    ] {
        for band in &data.bands {
            if let Some(r) = data.rate(&band.name, measure) {
                let (low, high) = within(r.value, decimals);
                new.push(target(
                    name,
                    metric,
                    Some(std::slice::from_ref(&band.name)),
                    false,
                    (r.value, low, high),
                    &format!("DATA (rates.csv): {}; ±10%", r.source),
                ));
                counts.data += 1;
            }
        }
    }
    for o in &data.observed {
        let like = nc
            .targets
            .iter()
            .find(|t| t.get("metric").and_then(Item::as_str) == Some(o.measure.as_str()));
        let name = like
            .and_then(|t| t.get("name"))
            .and_then(Item::as_str)
            .unwrap_or(&o.measure)
            .to_string();
        let per_year =
            like.is_some_and(|t| t.get("per_year").and_then(Item::as_bool) == Some(true));
        new.push(target(
            &name,
            &o.measure,
            None,
            per_year,
            (o.value, o.low, o.high),
            &format!("DATA (observed.csv): {}", o.source),
        ));
        counts.data += 1;
    }
    // North Cumbria's other targets, as assumptions: counts per head.
    let nc_people = nc.people;
    let people_total: f64 = people.iter().sum();
    for t in &nc.targets {
        let metric = t.get("metric").and_then(Item::as_str).unwrap_or("");
        if new
            .iter()
            .any(|n| n.get("metric").and_then(Item::as_str) == Some(metric))
        {
            continue;
        }
        let mut t = t.clone();
        t.decor_mut().clear();
        t.set_position(None);
        let source = t
            .get("source")
            .and_then(Item::as_str)
            .unwrap_or("")
            .to_string();
        if let Some(bands) = t.get("age_bands").and_then(Item::as_array) {
            let listed: Vec<String> = bands
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            let mut a = Array::new();
            for (b, nc_band) in band_map {
                if listed.contains(&nc_band.name) {
                    a.push(b.name.as_str());
                }
            }
            t.insert("age_bands", value(a));
        }
        if t.get("per_year").and_then(Item::as_bool) == Some(true) && nc_people > 0.0 {
            let r = people_total / nc_people;
            for key in ["observed", "low", "high"] {
                if let Some(x) = t.get(key).and_then(Item::as_value).and_then(as_f64) {
                    t.insert(key, Item::Value(number(scaled(x, r, 0), true)));
                }
            }
            t.insert(
                "source",
                value(format!(
                    "ASSUMED (scaled from north Cumbria per head, × {}): {source}",
                    round_to(r, 4)
                )),
            );
        } else {
            t.insert(
                "source",
                value(format!("ASSUMED (north Cumbria): {source}")),
            );
        }
        counts.assumed += 1;
        new.push(t);
    }
    let mut array = ArrayOfTables::new();
    for (i, mut t) in new.into_iter().enumerate() {
        t.set_position(nc.targets_position);
        if i == 0 {
            t.decor_mut().set_prefix(
                "# ---------------------------------------------------------------- calibration\n\
                 # Targets from rates.csv (±10%) and observed.csv (their ranges), compared with\n\
                 # the first simulated year; north Cumbria's other targets as ASSUMED (counts\n\
                 # scaled by this system's population): replace them with local figures.\n\n",
            );
        }
        array.push(t);
    }
    if let Some(calibration) = doc["calibration"].as_table_mut() {
        calibration.insert("targets", Item::ArrayOfTables(array));
    }
}

/// Keys that are names and descriptions, not values.
const NOT_VALUES: [&str; 7] = [
    "schema_version",
    "name",
    "title",
    "description",
    "source",
    "deflator_source",
    "price_year",
];

/// Marks every value not yet marked as north Cumbria's: its trailing
/// comment becomes `ASSUMED (north Cumbria): <comment>`.
fn mark_assumed(table: &mut Table, path: &str, counts: &mut Counts) {
    for (key, item) in table.iter_mut() {
        let key_name = key.get().to_string();
        let has_note_above = key
            .leaf_decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains('#'));
        let here = if path.is_empty() {
            key_name.clone()
        } else {
            format!("{path}.{key_name}")
        };
        if matches!(
            here.as_str(),
            "iccs" | "sites" | "calibration" | "costs.sources"
        ) || NOT_VALUES.contains(&key_name.as_str())
        {
            continue;
        }
        match item {
            Item::Table(t) => mark_assumed(t, &here, counts),
            Item::ArrayOfTables(a) => {
                for t in a.iter_mut() {
                    mark_assumed(t, &here, counts);
                }
            }
            Item::Value(v) => {
                let suffix = v
                    .decor()
                    .suffix()
                    .and_then(|s| s.as_str())
                    .unwrap_or("")
                    .to_string();
                if suffix.contains(DATA) || suffix.contains(DERIVED) || suffix.contains(ASSUMED) {
                    continue;
                }
                let new = match suffix.find('#') {
                    Some(i) => format!(
                        "{}# ASSUMED (north Cumbria): {}",
                        &suffix[..i],
                        suffix[i + 1..].trim_start()
                    ),
                    None if has_note_above => {
                        "   # ASSUMED (north Cumbria): see the note above".to_string()
                    }
                    None => "   # ASSUMED (north Cumbria)".to_string(),
                };
                v.decor_mut().set_suffix(new);
                counts.assumed += 1;
            }
            Item::None => {}
        }
    }
}
