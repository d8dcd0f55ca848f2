//! The data folder read into one checked, typed description of a system:
//! every table read (tables.rs), the names each table uses checked
//! against the table that defines them (areas, ICCs, sites, age bands),
//! shares summed, and the system's rates and each ICC's populations
//! worked out. Nothing here writes TOML.

use std::collections::BTreeMap;
use std::path::Path;

use super::tables::{Problem, Row, Table, unknown_name};

/// An age band: "0-17" is 0 to 17 inclusive, "85+" 85 and over.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub name: String,
    pub low: u32,
    pub high: Option<u32>,
}

impl Band {
    pub fn parse(name: &str) -> Option<Band> {
        let band = |low: &str, high: Option<&str>| -> Option<Band> {
            let low: u32 = low.trim().parse().ok()?;
            let high = match high {
                Some(h) => Some(h.trim().parse::<u32>().ok()?),
                None => None,
            };
            if high.is_some_and(|h| h < low) {
                return None;
            }
            Some(Band {
                name: name.to_string(),
                low,
                high,
            })
        };
        if let Some(low) = name.strip_suffix('+') {
            band(low, None)
        } else {
            let (low, high) = name.split_once('-')?;
            band(low, Some(high))
        }
    }

    /// Years of age the two bands share (an open band runs to 120).
    pub fn overlap(&self, other: &Band) -> u32 {
        let high = |b: &Band| b.high.unwrap_or(120);
        let low = self.low.max(other.low);
        let top = high(self).min(high(other));
        if top >= low { top - low + 1 } else { 0 }
    }
}

/// A value with the source the table gave for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: String,
    /// The file it came from (`community.csv`).
    pub file: String,
}

#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub description: String,
    pub emergency_department: bool,
    pub ed_at: Option<String>,
    pub adult_beds: f64,
    pub paediatric_beds: Option<f64>,
    pub day_unit_places: Option<f64>,
    pub day_unit_slots_per_day: Option<f64>,
    pub escalation_beds: Option<f64>,
    pub utc_managed: Option<f64>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Icc {
    pub name: String,
    pub description: Option<String>,
    pub crisis_multiplier: Option<Sourced<f64>>,
    /// People by band (the system's bands), summed over its areas.
    pub population: Vec<f64>,
    pub population_source: String,
    /// (site, share, source), in the order given.
    pub catchment: Vec<(String, f64, String)>,
    /// Yearly growth by band, if the data give it by area.
    pub growth: Option<Vec<f64>>,
}

/// What rates.csv holds for one measure.
pub const RATE_MEASURES: [&str; 5] = [
    "emergency_admissions_per_1000",
    "ae_attendances_per_1000",
    "elective_admissions_per_1000",
    "emergency_mean_stay_days",
    "elective_mean_stay_days",
];

/// The measures community.csv may give per ICC.
pub const COMMUNITY_MEASURES: [&str; 7] = [
    "rapid_response_wte",
    "reablement_wte",
    "case_management_wte",
    "community_beds",
    "home_care_hours_per_week",
    "gp_wte",
    "other_clinical_wte",
];

/// A system rate for one band and measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Rate {
    pub value: f64,
    pub source: String,
    /// Whether areas' rates differed (so the value is a weighted mean).
    pub weighted: bool,
}

#[derive(Debug, Clone)]
pub struct OutOfSystem {
    pub site: String,
    pub provider: String,
    pub specialty: String,
    pub split: f64,
    pub multiplier: Option<f64>,
    pub source: String,
}

#[derive(Debug, Clone)]
pub struct Observed {
    pub measure: String,
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub source: String,
}

/// A system's data, checked.
#[derive(Debug, Clone)]
pub struct SystemData {
    /// system.csv, key → value and source.
    pub system: BTreeMap<String, Sourced<String>>,
    pub bands: Vec<Band>,
    pub iccs: Vec<Icc>,
    pub sites: Vec<Site>,
    /// The system's yearly growth by band, and its source.
    pub growth: Option<Sourced<Vec<f64>>>,
    /// (icc, measure) → value.
    pub community: BTreeMap<(String, String), Sourced<f64>>,
    /// (icc, kind) → places.
    pub care_homes: BTreeMap<(String, String), Sourced<f64>>,
    /// (band, measure) → the system's rate.
    pub rates: BTreeMap<(String, String), Rate>,
    /// ICC → expected emergency admissions at its areas' rates ÷ at the
    /// system's (indirect standardisation), where rates differ by area.
    pub standardised: BTreeMap<String, f64>,
    pub out_of_system: Vec<OutOfSystem>,
    pub observed: Vec<Observed>,
}

impl SystemData {
    pub fn rate(&self, band: &str, measure: &str) -> Option<&Rate> {
        self.rates.get(&(band.to_string(), measure.to_string()))
    }

    /// People in the system by band.
    pub fn population_by_band(&self) -> Vec<f64> {
        let mut total = vec![0.0; self.bands.len()];
        for icc in &self.iccs {
            for (t, p) in total.iter_mut().zip(&icc.population) {
                *t += p;
            }
        }
        total
    }
}

/// Every problem of one stage, or its result.
type Checked<T> = Result<T, Vec<Problem>>;

fn required(folder: &Path, file: &str, columns: &[&str], optional: &[&str]) -> Checked<Table> {
    Table::read(folder, file, columns, optional)?.ok_or_else(|| {
        vec![Problem::in_file(
            file,
            format!(
                "is missing: a system's data folder must have {file} (columns {}); see docs/new-system.md",
                columns.join(", ")
            ),
        )]
    })
}

fn optional(
    folder: &Path,
    file: &str,
    columns: &[&str],
    optional: &[&str],
) -> Checked<Option<Table>> {
    Table::read(folder, file, columns, optional)
}

/// Reads and checks the folder's tables; every problem found at once
/// where one table's problems do not hide another's.
pub fn read(folder: &Path) -> Checked<SystemData> {
    if !folder.is_dir() {
        return Err(vec![Problem::in_file(
            &folder.display().to_string(),
            "is not a folder; give the folder that holds system.csv, population.csv, areas.csv, sites.csv and catchment.csv",
        )]);
    }
    let mut problems = Vec::new();
    let mut take = |r: Checked<Option<Table>>| match r {
        Ok(t) => t,
        Err(p) => {
            problems.extend(p);
            None
        }
    };
    let system = take(required(folder, "system.csv", &["key", "value"], &["source"]).map(Some));
    let population = take(
        required(
            folder,
            "population.csv",
            &["area", "age_band", "people"],
            &["year", "source"],
        )
        .map(Some),
    );
    let areas = take(required(folder, "areas.csv", &["area", "icc"], &["source"]).map(Some));
    let sites = take(
        required(
            folder,
            "sites.csv",
            &["site", "adult_beds"],
            &[
                "description",
                "emergency_department",
                "ed_at",
                "paediatric_beds",
                "day_unit_places",
                "day_unit_slots_per_day",
                "escalation_beds",
                "utc_managed",
                "source",
            ],
        )
        .map(Some),
    );
    let catchment = take(
        required(
            folder,
            "catchment.csv",
            &["icc", "site", "share"],
            &["source"],
        )
        .map(Some),
    );
    let iccs = take(optional(
        folder,
        "iccs.csv",
        &["icc"],
        &["description", "crisis_multiplier", "source"],
    ));
    let growth = take(optional(
        folder,
        "growth.csv",
        &["area", "age_band", "growth_per_year"],
        &["source"],
    ));
    let projections = take(optional(
        folder,
        "projections.csv",
        &["area", "age_band", "year", "people"],
        &["source"],
    ));
    let community = take(optional(
        folder,
        "community.csv",
        &["icc", "measure", "value"],
        &["source"],
    ));
    let care_homes = take(optional(
        folder,
        "care_homes.csv",
        &["icc", "kind", "places"],
        &["source"],
    ));
    let rates = take(optional(
        folder,
        "rates.csv",
        &["age_band", "measure", "value"],
        &["area", "source"],
    ));
    let out_of_system = take(optional(
        folder,
        "out_of_system.csv",
        &["site", "provider", "split"],
        &["specialty", "multiplier", "source"],
    ));
    let observed = take(optional(
        folder,
        "observed.csv",
        &["measure", "value"],
        &["low", "high", "source"],
    ));
    if !problems.is_empty() {
        return Err(problems);
    }
    let (Some(system), Some(population), Some(areas), Some(sites), Some(catchment)) =
        (system, population, areas, sites, catchment)
    else {
        return Err(problems);
    };
    if growth.is_some() && projections.is_some() {
        return Err(vec![Problem::in_file(
            "projections.csv",
            "and growth.csv are both given; keep one (growth.csv gives yearly growth, projections.csv people by year)",
        )]);
    }

    let system = read_system(&system, &mut problems);
    // Areas → ICCs, in the order first met.
    let mut icc_names: Vec<String> = Vec::new();
    let mut area_icc: Vec<(String, String, u64)> = Vec::new();
    for row in &areas.rows {
        let (Some(area), Some(icc)) = (
            areas.required_text(row, "area", &mut problems),
            areas.required_text(row, "icc", &mut problems),
        ) else {
            continue;
        };
        check_name(&areas, row, "area", &mut problems);
        check_name(&areas, row, "icc", &mut problems);
        if area_icc.iter().any(|(a, _, _)| *a == area) {
            problems.push(areas.problem(
                row,
                "area",
                "is listed twice; give each area once, with its ICC",
            ));
            continue;
        }
        if !icc_names.contains(&icc) {
            icc_names.push(icc.clone());
        }
        area_icc.push((area, icc, row.line));
    }
    let area_names: Vec<String> = area_icc.iter().map(|(a, _, _)| a.clone()).collect();
    let bands = read_bands(&population, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    let band_names: Vec<String> = bands.iter().map(|b| b.name.clone()).collect();
    let area_population = read_population(&population, &area_names, &bands, &mut problems);
    let sites = read_sites(&sites, &mut problems);
    let site_names: Vec<String> = sites.iter().map(|s| s.name.clone()).collect();
    for site in &sites {
        if let Some(at) = &site.ed_at
            && !site_names.contains(at)
        {
            problems.push(Problem {
                file: "sites.csv".into(),
                line: None,
                column: Some("ed_at".into()),
                value: Some(at.clone()),
                problem: format!(
                    "(the ED of site {}) is not a site of sites.csv{}; name one of {}",
                    site.name,
                    crate::scenario::error::did_you_mean(at, site_names.iter().map(String::as_str)),
                    site_names.join(", ")
                ),
            });
        }
    }
    let catchments = read_catchment(&catchment, &icc_names, &site_names, &mut problems);
    let descriptions = iccs
        .as_ref()
        .map(|t| read_iccs(t, &icc_names, &mut problems))
        .unwrap_or_default();
    let area_growth = match (&growth, &projections) {
        (Some(g), _) => read_growth(g, &area_names, &band_names, &mut problems),
        (_, Some(p)) => read_projections(p, &area_names, &band_names, &mut problems),
        _ => None,
    };
    let community = community
        .as_ref()
        .map(|t| {
            read_icc_values(
                t,
                "measure",
                "value",
                &COMMUNITY_MEASURES,
                &icc_names,
                &mut problems,
            )
        })
        .unwrap_or_default();
    let care_homes = care_homes
        .as_ref()
        .map(|t| {
            read_icc_values(
                t,
                "kind",
                "places",
                &["residential", "nursing"],
                &icc_names,
                &mut problems,
            )
        })
        .unwrap_or_default();
    let area_rates = rates
        .as_ref()
        .map(|t| read_rates(t, &area_names, &band_names, &mut problems))
        .unwrap_or_default();
    let out_of_system = out_of_system
        .as_ref()
        .map(|t| read_out_of_system(t, &site_names, &mut problems))
        .unwrap_or_default();
    let observed = observed
        .as_ref()
        .map(|t| read_observed(t, &mut problems))
        .unwrap_or_default();
    if !problems.is_empty() {
        return Err(problems);
    }

    // ICC populations: the sums of their areas.
    let mut iccs: Vec<Icc> = icc_names
        .iter()
        .map(|name| {
            let (description, crisis_multiplier) =
                descriptions.get(name).cloned().unwrap_or_default();
            Icc {
                name: name.clone(),
                description,
                crisis_multiplier,
                population: vec![0.0; bands.len()],
                population_source: String::new(),
                catchment: catchments.get(name).cloned().unwrap_or_default(),
                growth: None,
            }
        })
        .collect();
    for (area, icc, _) in &area_icc {
        let Some((people, source)) = area_population.get(area) else {
            continue;
        };
        let icc = iccs
            .iter_mut()
            .find(|i| i.name == *icc)
            .expect("every area's ICC is listed");
        for (p, x) in icc.population.iter_mut().zip(people) {
            *p += x;
        }
        if !icc.population_source.contains(source.as_str()) {
            if !icc.population_source.is_empty() {
                icc.population_source.push_str("; ");
            }
            icc.population_source.push_str(source);
        }
    }
    for icc in &iccs {
        if icc.population.iter().sum::<f64>() <= 0.0 {
            problems.push(Problem::in_file(
                "population.csv",
                format!("gives no people for ICC {} (its areas in areas.csv have none); give its areas' people", icc.name),
            ));
        }
    }
    // Growth: the system's (a `*` row, or the population-weighted mean of
    // the areas'), and each ICC's, weighted by its areas' people.
    let growth = area_growth.map(|(by_area, source)| {
        let weighted = |areas: &[&String]| -> Vec<f64> {
            (0..bands.len())
                .map(|b| {
                    let (mut sum, mut people) = (0.0, 0.0);
                    for a in areas {
                        let p = area_population.get(*a).map_or(0.0, |(p, _)| p[b]);
                        sum += p * by_area[*a][b];
                        people += p;
                    }
                    if people > 0.0 {
                        round_to(sum / people, 6)
                    } else {
                        by_area[areas[0]][b]
                    }
                })
                .collect()
        };
        let all: Vec<&String> = area_names.iter().collect();
        let system = weighted(&all);
        for icc in iccs.iter_mut() {
            let mine: Vec<&String> = area_icc
                .iter()
                .filter(|(_, i, _)| *i == icc.name)
                .map(|(a, _, _)| a)
                .collect();
            let g = weighted(&mine);
            if g.iter().zip(&system).any(|(a, b)| (a - b).abs() > 1e-9) {
                icc.growth = Some(g);
            }
        }
        Sourced {
            value: system,
            source,
            file: if projections.is_some() {
                "projections.csv"
            } else {
                "growth.csv"
            }
            .to_string(),
        }
    });
    let (rates, standardised) = system_rates(
        &area_rates,
        &area_population,
        &area_icc,
        &bands,
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(SystemData {
        system,
        bands,
        iccs,
        sites,
        growth,
        community,
        care_homes,
        rates,
        standardised,
        out_of_system,
        observed,
    })
}

/// Names become TOML keys and file names: letters, digits, `_` and `-`.
fn check_name(table: &Table, row: &Row, column: &str, problems: &mut Vec<Problem>) {
    let name = table.text(row, column);
    if !name.is_empty() && !crate::scenario::check::is_valid_name(name) {
        problems.push(table.problem(
            row,
            column,
            "cannot be a name: use letters, digits, `_` and `-` only (at most 64), e.g. carlisle_rural",
        ));
    }
}

pub fn round_to(x: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (x * scale).round() / scale
}

const SYSTEM_KEYS: [&str; 4] = ["name", "title", "description", "start_date"];

fn read_system(table: &Table, problems: &mut Vec<Problem>) -> BTreeMap<String, Sourced<String>> {
    let mut system = BTreeMap::new();
    for row in &table.rows {
        let key = table.text(row, "key");
        if !SYSTEM_KEYS.contains(&key) {
            problems.push(table.not_one_of(row, "key", &SYSTEM_KEYS));
            continue;
        }
        let value = table.text(row, "value").to_string();
        if key == "start_date" && !is_date(&value) {
            problems.push(table.problem(
                row,
                "value",
                "is not a date; write the start date as YYYY-MM-DD, e.g. 2025-04-01",
            ));
            continue;
        }
        system.insert(
            key.to_string(),
            Sourced {
                value,
                source: table.text(row, "source").to_string(),
                file: table.file.clone(),
            },
        );
    }
    if !system.contains_key("title") {
        problems.push(Problem::in_file(
            "system.csv",
            "has no `title` row; add one: title,\"Your system: N ICCs, M sites\",",
        ));
    }
    system
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()))
        && text.parse::<toml::value::Datetime>().is_ok()
}

/// The bands of population.csv, in the order first met: they must not
/// overlap and must run from 0 without a gap to an open band ("85+").
fn read_bands(table: &Table, problems: &mut Vec<Problem>) -> Vec<Band> {
    let mut bands: Vec<Band> = Vec::new();
    for row in &table.rows {
        let name = table.text(row, "age_band");
        if bands.iter().any(|b| b.name == name) {
            continue;
        }
        match Band::parse(name) {
            Some(band) => bands.push(band),
            None => problems.push(table.problem(
                row,
                "age_band",
                "is not an age band; write FROM-TO in whole years (\"18-64\") or FROM+ for the oldest (\"85+\")",
            )),
        }
    }
    if !problems.is_empty() {
        return bands;
    }
    bands.sort_by_key(|b| b.low);
    let mut next = 0;
    for (i, band) in bands.iter().enumerate() {
        if band.low != next {
            problems.push(Problem::in_file(
                "population.csv",
                format!(
                    "age band {} starts at {} but the bands before it end at {}; the bands must run from 0 with no gap or overlap (found {})",
                    band.name,
                    band.low,
                    next as i64 - 1,
                    bands.iter().map(|b| b.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            ));
            break;
        }
        match band.high {
            Some(h) => next = h + 1,
            None if i + 1 < bands.len() => {
                problems.push(Problem::in_file(
                    "population.csv",
                    format!("age band {} is open (\"+\") but is not the oldest; only the last band may end with +", band.name),
                ));
                break;
            }
            None => {}
        }
    }
    if bands.last().is_some_and(|b| b.high.is_some()) {
        problems.push(Problem::in_file(
            "population.csv",
            format!(
                "the oldest age band {} is closed; the last band must be open, e.g. \"85+\"",
                bands.last().map_or("", |b| b.name.as_str())
            ),
        ));
    }
    bands
}

/// People by area and band (with the rows' source), every area of
/// areas.csv with every band.
fn read_population(
    table: &Table,
    areas: &[String],
    bands: &[Band],
    problems: &mut Vec<Problem>,
) -> BTreeMap<String, (Vec<f64>, String)> {
    let mut people: BTreeMap<String, (Vec<Option<f64>>, String)> = BTreeMap::new();
    for row in &table.rows {
        let area = table.text(row, "area");
        if !areas.iter().any(|a| a == area) {
            problems.push(unknown_name(table, row, "area", "area", "areas.csv", areas));
            continue;
        }
        let Some(b) = bands
            .iter()
            .position(|b| b.name == table.text(row, "age_band"))
        else {
            continue;
        };
        let Some(n) = table.non_negative(row, "people", problems) else {
            continue;
        };
        let entry = people
            .entry(area.to_string())
            .or_insert_with(|| (vec![None; bands.len()], table.source(row)));
        if entry.0[b].is_some() {
            problems.push(table.problem(
                row,
                "age_band",
                format!("is given twice for area {area}; give each area's band once"),
            ));
        }
        entry.0[b] = Some(n);
    }
    let mut complete = BTreeMap::new();
    for area in areas {
        match people.remove(area) {
            None => problems.push(Problem::in_file(
                "population.csv",
                format!(
                    "has no rows for area {area} (areas.csv); give its people in every age band"
                ),
            )),
            Some((by_band, source)) => {
                let missing: Vec<&str> = bands
                    .iter()
                    .zip(&by_band)
                    .filter(|(_, p)| p.is_none())
                    .map(|(b, _)| b.name.as_str())
                    .collect();
                if !missing.is_empty() {
                    problems.push(Problem::in_file(
                        "population.csv",
                        format!("area {area} has no people in age band {}; give a row for each band (0 if none)", missing.join(", ")),
                    ));
                    continue;
                }
                complete.insert(
                    area.clone(),
                    (
                        by_band.into_iter().map(|p| p.unwrap_or(0.0)).collect(),
                        source,
                    ),
                );
            }
        }
    }
    complete
}

fn yes_no(table: &Table, row: &Row, column: &str, problems: &mut Vec<Problem>) -> Option<bool> {
    match table.text(row, column).to_ascii_lowercase().as_str() {
        "" | "yes" | "y" | "true" => Some(true),
        "no" | "n" | "false" => Some(false),
        _ => {
            problems.push(table.problem(row, column, "must be yes or no"));
            None
        }
    }
}

fn read_sites(table: &Table, problems: &mut Vec<Problem>) -> Vec<Site> {
    let mut sites: Vec<Site> = Vec::new();
    for row in &table.rows {
        let Some(name) = table.required_text(row, "site", problems) else {
            continue;
        };
        check_name(table, row, "site", problems);
        if sites.iter().any(|s| s.name == name) {
            problems.push(table.problem(row, "site", "is listed twice; give each site once"));
            continue;
        }
        let number = |column: &str, problems: &mut Vec<Problem>| -> Option<f64> {
            match table.number(row, column, problems).flatten() {
                Some(x) if x < 0.0 => {
                    problems.push(table.problem(
                        row,
                        column,
                        "is negative; give a number of at least 0",
                    ));
                    None
                }
                x => x,
            }
        };
        // A site with a bad number is still a site: other tables may
        // name it, and should not be told it is unknown.
        let adult_beds = table
            .non_negative(row, "adult_beds", problems)
            .unwrap_or(0.0);
        let emergency_department =
            yes_no(table, row, "emergency_department", problems).unwrap_or(true);
        let ed_at = Some(table.text(row, "ed_at").to_string()).filter(|s| !s.is_empty());
        if emergency_department && ed_at.is_some() {
            problems.push(table.problem(row, "ed_at", "is given for a site with its own emergency department; leave ed_at empty, or set emergency_department to no"));
        }
        let utc_managed = number("utc_managed", problems);
        if utc_managed.is_some_and(|m| m > 1.0) {
            problems.push(table.problem(
                row,
                "utc_managed",
                "is a share and must be between 0 and 1 (e.g. 0.75)",
            ));
        }
        sites.push(Site {
            description: table.text(row, "description").to_string(),
            emergency_department,
            ed_at,
            adult_beds,
            paediatric_beds: number("paediatric_beds", problems),
            day_unit_places: number("day_unit_places", problems),
            day_unit_slots_per_day: number("day_unit_slots_per_day", problems),
            escalation_beds: number("escalation_beds", problems),
            utc_managed,
            source: table.source(row),
            name,
        });
    }
    if sites.is_empty() && problems.is_empty() {
        problems.push(Problem::in_file(
            "sites.csv",
            "lists no sites; give at least one acute site",
        ));
    }
    sites
}

type Catchments = BTreeMap<String, Vec<(String, f64, String)>>;

fn read_catchment(
    table: &Table,
    iccs: &[String],
    sites: &[String],
    problems: &mut Vec<Problem>,
) -> Catchments {
    let mut catchments: Catchments = BTreeMap::new();
    let mut last_line: BTreeMap<String, u64> = BTreeMap::new();
    for row in &table.rows {
        let icc = table.text(row, "icc");
        let site = table.text(row, "site");
        let mut ok = true;
        if !iccs.iter().any(|i| i == icc) {
            problems.push(unknown_name(table, row, "icc", "ICC", "areas.csv", iccs));
            ok = false;
        }
        if !sites.iter().any(|s| s == site) {
            problems.push(unknown_name(table, row, "site", "site", "sites.csv", sites));
            ok = false;
        }
        let share = table.non_negative(row, "share", problems);
        if share.is_some_and(|s| s > 1.0) {
            problems.push(table.problem(row, "share", "is more than 1; a share is between 0 and 1 (the ICC's emergencies that go to this site)"));
            ok = false;
        }
        let (Some(share), true) = (share, ok) else {
            continue;
        };
        let entry = catchments.entry(icc.to_string()).or_default();
        if entry.iter().any(|(s, _, _)| s == site) {
            problems.push(table.problem(
                row,
                "site",
                format!("is given twice for ICC {icc}; give each ICC's site once"),
            ));
            continue;
        }
        entry.push((site.to_string(), share, table.source(row)));
        last_line.insert(icc.to_string(), row.line);
    }
    for icc in iccs {
        match catchments.get(icc) {
            None => problems.push(Problem::in_file(
                "catchment.csv",
                format!("has no row for ICC {icc}; give the site (or sites, with shares) its emergencies go to"),
            )),
            Some(shares) => {
                let sum: f64 = shares.iter().map(|(_, s, _)| s).sum();
                if (sum - 1.0).abs() > 1e-6 {
                    problems.push(Problem {
                        file: "catchment.csv".into(),
                        line: last_line.get(icc).copied(),
                        column: Some("share".into()),
                        value: Some(format!("{sum}")),
                        problem: format!(
                            "ICC {icc}'s shares ({}) add up to {sum}, not 1; correct them so that they sum to 1",
                            shares.iter().map(|(s, x, _)| format!("{s} {x}")).collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
            }
        }
    }
    catchments
}

type IccRows = BTreeMap<String, (Option<String>, Option<Sourced<f64>>)>;

fn read_iccs(table: &Table, iccs: &[String], problems: &mut Vec<Problem>) -> IccRows {
    let mut rows = IccRows::new();
    for row in &table.rows {
        let icc = table.text(row, "icc");
        if !iccs.iter().any(|i| i == icc) {
            problems.push(unknown_name(table, row, "icc", "ICC", "areas.csv", iccs));
            continue;
        }
        let description =
            Some(table.text(row, "description").to_string()).filter(|d| !d.is_empty());
        let multiplier = match table.number(row, "crisis_multiplier", problems) {
            Some(Some(m)) if m <= 0.0 => {
                problems.push(table.problem(
                    row,
                    "crisis_multiplier",
                    "must be more than 0 (1 is the system's rate)",
                ));
                None
            }
            Some(Some(m)) => Some(Sourced {
                value: m,
                source: table.source(row),
                file: table.file.clone(),
            }),
            _ => None,
        };
        rows.insert(icc.to_string(), (description, multiplier));
    }
    rows
}

/// The `area` cell of a table that may give `*` for every area: the areas
/// it names, or a problem.
fn areas_of(
    table: &Table,
    row: &Row,
    areas: &[String],
    problems: &mut Vec<Problem>,
) -> Option<Vec<String>> {
    let area = table.text(row, "area");
    if area.is_empty() || area == "*" {
        Some(areas.to_vec())
    } else if areas.iter().any(|a| a == area) {
        Some(vec![area.to_string()])
    } else {
        problems.push(unknown_name(table, row, "area", "area", "areas.csv", areas));
        None
    }
}

fn band_of(
    table: &Table,
    row: &Row,
    bands: &[String],
    problems: &mut Vec<Problem>,
) -> Option<usize> {
    let band = table.text(row, "age_band");
    let found = bands.iter().position(|b| b == band);
    if found.is_none() {
        problems.push(unknown_name(
            table,
            row,
            "age_band",
            "age band",
            "population.csv",
            bands,
        ));
    }
    found
}

type AreaGrowth = (BTreeMap<String, Vec<f64>>, String);

/// Growth by area and band; rows for one area win over `*` rows.
fn read_growth(
    table: &Table,
    areas: &[String],
    bands: &[String],
    problems: &mut Vec<Problem>,
) -> Option<AreaGrowth> {
    let mut by_area: BTreeMap<String, Vec<Option<(f64, bool)>>> = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    for row in &table.rows {
        let (Some(targets), Some(b)) = (
            areas_of(table, row, areas, problems),
            band_of(table, row, bands, problems),
        ) else {
            continue;
        };
        let growth = match table.number(row, "growth_per_year", problems) {
            Some(Some(g)) if g <= -1.0 || g > 1.0 => {
                problems.push(table.problem(row, "growth_per_year", "is a yearly fraction (0.025 is 2.5% a year) and must be above -1 and at most 1"));
                continue;
            }
            Some(Some(g)) => g,
            Some(None) => {
                problems.push(table.problem(
                    row,
                    "growth_per_year",
                    "is empty; give the yearly growth (0.025 for 2.5% a year)",
                ));
                continue;
            }
            None => continue,
        };
        let specific = targets.len() == 1 && table.text(row, "area") != "*";
        let source = table.source(row);
        if !sources.contains(&source) {
            sources.push(source);
        }
        for area in targets {
            let slot = &mut by_area
                .entry(area)
                .or_insert_with(|| vec![None; bands.len()])[b];
            if slot.is_none_or(|(_, was_specific)| specific || !was_specific) {
                *slot = Some((growth, specific));
            }
        }
    }
    complete_by_area(by_area, areas, bands, "growth.csv", problems).map(|g| (g, sources.join("; ")))
}

fn complete_by_area(
    by_area: BTreeMap<String, Vec<Option<(f64, bool)>>>,
    areas: &[String],
    bands: &[String],
    file: &str,
    problems: &mut Vec<Problem>,
) -> Option<BTreeMap<String, Vec<f64>>> {
    let mut complete = BTreeMap::new();
    for area in areas {
        let values = by_area.get(area);
        let missing: Vec<&str> = bands
            .iter()
            .enumerate()
            .filter(|(b, _)| values.is_none_or(|v| v[*b].is_none()))
            .map(|(_, n)| n.as_str())
            .collect();
        if !missing.is_empty() {
            problems.push(Problem::in_file(
                file,
                format!("gives no figure for area {area} in age band {}; add a row for it (or a * row for every area)", missing.join(", ")),
            ));
            continue;
        }
        complete.insert(
            area.clone(),
            values
                .map(|v| v.iter().map(|x| x.map_or(0.0, |(g, _)| g)).collect())
                .unwrap_or_default(),
        );
    }
    problems.is_empty().then_some(complete)
}

/// A projection's first year and people, last year and people, and
/// whether it is an area's own (not a `*` row's).
type Span = (f64, f64, f64, f64, bool);

/// Projections: compound yearly growth from each area's first year to its
/// last.
fn read_projections(
    table: &Table,
    areas: &[String],
    bands: &[String],
    problems: &mut Vec<Problem>,
) -> Option<AreaGrowth> {
    // (area, band) → (first year, people, last year, people)
    let mut spans: BTreeMap<(String, usize), Span> = BTreeMap::new();
    let mut sources: Vec<String> = Vec::new();
    for row in &table.rows {
        let (Some(targets), Some(b)) = (
            areas_of(table, row, areas, problems),
            band_of(table, row, bands, problems),
        ) else {
            continue;
        };
        let (Some(year), Some(people)) = (
            table.non_negative(row, "year", problems),
            table.non_negative(row, "people", problems),
        ) else {
            continue;
        };
        let specific = table.text(row, "area") != "*" && !table.text(row, "area").is_empty();
        let source = table.source(row);
        if !sources.contains(&source) {
            sources.push(source);
        }
        for area in targets {
            let span = spans
                .entry((area, b))
                .or_insert((year, people, year, people, specific));
            if specific && !span.4 {
                *span = (year, people, year, people, true);
            } else if specific != span.4 {
                continue;
            }
            if year < span.0 {
                (span.0, span.1) = (year, people);
            }
            if year > span.2 {
                (span.2, span.3) = (year, people);
            }
        }
    }
    let mut by_area: BTreeMap<String, Vec<Option<(f64, bool)>>> = BTreeMap::new();
    for ((area, b), (y0, p0, y1, p1, _)) in spans {
        if y1 <= y0 || p0 <= 0.0 {
            problems.push(Problem::in_file(
                "projections.csv",
                format!("area {area}, age band {} has fewer than two years with people; give at least a first and a last year", bands[b]),
            ));
            continue;
        }
        let growth = round_to((p1 / p0).powf(1.0 / (y1 - y0)) - 1.0, 6);
        by_area
            .entry(area)
            .or_insert_with(|| vec![None; bands.len()])[b] = Some((growth, true));
    }
    complete_by_area(by_area, areas, bands, "projections.csv", problems)
        .map(|g| (g, sources.join("; ")))
}

type IccValues = BTreeMap<(String, String), Sourced<f64>>;

fn read_icc_values(
    table: &Table,
    key_column: &str,
    value_column: &str,
    keys: &[&str],
    iccs: &[String],
    problems: &mut Vec<Problem>,
) -> IccValues {
    let mut values = IccValues::new();
    for row in &table.rows {
        let icc = table.text(row, "icc");
        let key = table.text(row, key_column);
        if !iccs.iter().any(|i| i == icc) {
            problems.push(unknown_name(table, row, "icc", "ICC", "areas.csv", iccs));
            continue;
        }
        if !keys.contains(&key) {
            problems.push(table.not_one_of(row, key_column, keys));
            continue;
        }
        let Some(value) = table.non_negative(row, value_column, problems) else {
            continue;
        };
        let previous = values.insert(
            (icc.to_string(), key.to_string()),
            Sourced {
                value,
                source: table.source(row),
                file: table.file.clone(),
            },
        );
        if previous.is_some() {
            problems.push(table.problem(
                row,
                key_column,
                format!("is given twice for ICC {icc}; give it once"),
            ));
        }
    }
    values
}

/// (area, band, measure) → (rate, source).
type AreaRates = BTreeMap<(String, String, String), (f64, String, bool)>;

fn read_rates(
    table: &Table,
    areas: &[String],
    bands: &[String],
    problems: &mut Vec<Problem>,
) -> AreaRates {
    let mut rates = AreaRates::new();
    for row in &table.rows {
        let measure = table.text(row, "measure");
        if !RATE_MEASURES.contains(&measure) {
            problems.push(table.not_one_of(row, "measure", &RATE_MEASURES));
            continue;
        }
        let (Some(targets), Some(b)) = (
            areas_of(table, row, areas, problems),
            band_of(table, row, bands, problems),
        ) else {
            continue;
        };
        let Some(value) = table.non_negative(row, "value", problems) else {
            continue;
        };
        let specific = table.text(row, "area") != "*" && !table.text(row, "area").is_empty();
        for area in targets {
            let key = (area, bands[b].clone(), measure.to_string());
            if rates
                .get(&key)
                .is_some_and(|(_, _, was_specific)| *was_specific && !specific)
            {
                continue;
            }
            if specific && rates.get(&key).is_some_and(|(_, _, s)| *s) {
                problems.push(table.problem(
                    row,
                    "measure",
                    format!(
                        "is given twice for area {} and band {}; give it once",
                        key.0, key.1
                    ),
                ));
            }
            rates.insert(key, (value, table.source(row), specific));
        }
    }
    rates
}

type SystemRates = (BTreeMap<(String, String), Rate>, BTreeMap<String, f64>);

/// The system's rate per band and measure: the same in every area, or
/// the mean over the areas weighted by their people (stays by their
/// admissions: a mean stay is a mean over admissions); and each ICC's
/// indirectly standardised emergency admissions.
fn system_rates(
    area_rates: &AreaRates,
    population: &BTreeMap<String, (Vec<f64>, String)>,
    area_icc: &[(String, String, u64)],
    bands: &[Band],
    problems: &mut Vec<Problem>,
) -> SystemRates {
    let mut rates = BTreeMap::new();
    let people = |area: &str, b: usize| population.get(area).map_or(0.0, |(p, _)| p[b]);
    for (b, band) in bands.iter().enumerate() {
        for measure in RATE_MEASURES {
            let given: Vec<(&String, f64, &String)> = area_icc
                .iter()
                .filter_map(|(a, _, _)| {
                    area_rates
                        .get(&(a.clone(), band.name.clone(), measure.to_string()))
                        .map(|(v, s, _)| (a, *v, s))
                })
                .collect();
            if given.is_empty() {
                continue;
            }
            if given.len() < area_icc.len() {
                let missing: Vec<&str> = area_icc
                    .iter()
                    .map(|(a, _, _)| a.as_str())
                    .filter(|a| !given.iter().any(|(g, _, _)| g.as_str() == *a))
                    .collect();
                problems.push(Problem::in_file(
                    "rates.csv",
                    format!(
                        "gives {measure} in band {} for some areas but not {}; give it for every area (a * row covers all)",
                        band.name,
                        missing.join(", ")
                    ),
                ));
                continue;
            }
            let same = given.iter().all(|(_, v, _)| *v == given[0].1);
            let value = if same {
                given[0].1
            } else {
                let weight_measure = match measure {
                    "emergency_mean_stay_days" => Some("emergency_admissions_per_1000"),
                    "elective_mean_stay_days" => Some("elective_admissions_per_1000"),
                    _ => None,
                };
                let weight = |a: &String| {
                    let w = weight_measure
                        .and_then(|m| {
                            area_rates.get(&(a.clone(), band.name.clone(), m.to_string()))
                        })
                        .map_or(1.0, |(v, _, _)| *v);
                    people(a, b) * w
                };
                let total: f64 = given.iter().map(|(a, _, _)| weight(a)).sum();
                if total > 0.0 {
                    given.iter().map(|(a, v, _)| weight(a) * v).sum::<f64>() / total
                } else {
                    given[0].1
                }
            };
            let mut sources: Vec<&str> = Vec::new();
            for (_, _, s) in &given {
                if !sources.contains(&s.as_str()) {
                    sources.push(s);
                }
            }
            rates.insert(
                (band.name.clone(), measure.to_string()),
                Rate {
                    value: if same { value } else { round_to(value, 2) },
                    source: sources.join("; "),
                    weighted: !same,
                },
            );
        }
    }
    // Indirect standardisation of each ICC's emergency admissions.
    let mut standardised = BTreeMap::new();
    let measure = "emergency_admissions_per_1000";
    let varies = bands.iter().any(|b| {
        rates
            .get(&(b.name.clone(), measure.to_string()))
            .is_some_and(|r: &Rate| r.weighted)
    });
    if varies {
        let mut iccs: Vec<&String> = Vec::new();
        for (_, icc, _) in area_icc {
            if !iccs.contains(&icc) {
                iccs.push(icc);
            }
        }
        for icc in iccs {
            let (mut own, mut expected) = (0.0, 0.0);
            for (area, _, _) in area_icc.iter().filter(|(_, i, _)| i == icc) {
                for (b, band) in bands.iter().enumerate() {
                    let key = (band.name.clone(), measure.to_string());
                    let (Some(system), Some((rate, _, _))) = (
                        rates.get(&key),
                        area_rates.get(&(area.clone(), band.name.clone(), measure.to_string())),
                    ) else {
                        continue;
                    };
                    own += people(area, b) * rate;
                    expected += people(area, b) * system.value;
                }
            }
            if expected > 0.0 {
                standardised.insert(icc.clone(), own / expected);
            }
        }
    }
    (rates, standardised)
}

fn read_out_of_system(
    table: &Table,
    sites: &[String],
    problems: &mut Vec<Problem>,
) -> Vec<OutOfSystem> {
    let mut rows = Vec::new();
    let mut sums: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    for row in &table.rows {
        let site = table.text(row, "site");
        if !sites.iter().any(|s| s == site) {
            problems.push(unknown_name(table, row, "site", "site", "sites.csv", sites));
            continue;
        }
        let Some(provider) = table.required_text(row, "provider", problems) else {
            continue;
        };
        let Some(split) = table.non_negative(row, "split", problems) else {
            continue;
        };
        let multiplier = table.number(row, "multiplier", problems).flatten();
        let entry = sums.entry(site.to_string()).or_insert((0.0, 0));
        entry.0 += split;
        entry.1 = row.line;
        rows.push(OutOfSystem {
            site: site.to_string(),
            provider,
            specialty: table.text(row, "specialty").to_string(),
            split,
            multiplier,
            source: table.source(row),
        });
    }
    for (site, (sum, line)) in sums {
        if (sum - 1.0).abs() > 1e-6 {
            problems.push(Problem {
                file: table.file.clone(),
                line: Some(line),
                column: Some("split".into()),
                value: Some(format!("{sum}")),
                problem: format!("site {site}'s splits add up to {sum}, not 1; correct them so that they sum to 1"),
            });
        }
    }
    rows
}

fn read_observed(table: &Table, problems: &mut Vec<Problem>) -> Vec<Observed> {
    let mut rows = Vec::new();
    for row in &table.rows {
        let Some(measure) = table.required_text(row, "measure", problems) else {
            continue;
        };
        let Some(value) = table.non_negative(row, "value", problems) else {
            continue;
        };
        let (Some(low), Some(high)) = (
            table.number(row, "low", problems),
            table.number(row, "high", problems),
        ) else {
            continue;
        };
        let low = low.unwrap_or(value * 0.9);
        let high = high.unwrap_or(value * 1.1);
        if !(low <= value && value <= high) {
            problems.push(table.problem(
                row,
                "value",
                format!("is not between low {low} and high {high}; give low ≤ value ≤ high"),
            ));
            continue;
        }
        rows.push(Observed {
            measure,
            value,
            low,
            high,
            source: table.source(row),
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_overlap_by_the_years_they_share() {
        let b = |n| Band::parse(n).unwrap();
        assert_eq!(b("17-64").overlap(&b("18-64")), 47);
        assert_eq!(b("0-16").overlap(&b("0-17")), 17);
        assert_eq!(b("85+").overlap(&b("85+")), 36);
        assert_eq!(b("65-74").overlap(&b("75-84")), 0);
        assert!(Band::parse("old").is_none());
        assert!(Band::parse("64-18").is_none());
    }
}
