//! `iccsim new`: starting a scenario file that extends a baseline and
//! shows every lever, ready to edit; or, with `--system NAME --from-data
//! DIR`, a whole system's scenario written from its CSV tables
//! (`scenario::from_data` does the work; this is the command's edge:
//! arguments, the file it refuses to replace, the atomic write).

use std::path::{Component, Path, PathBuf};

use super::args::NewArgs;
use super::exit::{Exit, Failure};
use iccsim::report::atomic::write_atomically;
use iccsim::scenario;

/// The folder a file is in. `Path::parent` gives the empty path for a
/// bare file name (`base.toml`), which names no folder to resolve or
/// create: it means the current one.
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The folders of `folder` and its ancestors that do not exist yet,
/// innermost first: what making `folder` creates, and what is removed
/// again if the file is not written.
fn missing_folders(folder: &Path) -> Vec<PathBuf> {
    folder
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .take_while(|a| !a.exists())
        .map(Path::to_path_buf)
        .collect()
}

/// `to` as seen from the folder `from` ("../north-cumbria-baseline.toml").
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to_parts: Vec<Component> = to.components().collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for part in &to_parts[common..] {
        path.push(part.as_os_str());
    }
    path
}

fn usage(message: String) -> Failure {
    Failure {
        code: Exit::Usage,
        message,
    }
}

pub(super) fn new(args: NewArgs) -> Result<(), Failure> {
    if let (Some(system), Some(data)) = (&args.system, &args.from_data) {
        return new_system(system, data, args.out.as_deref(), args.force);
    }
    let (Some(name), Some(from)) = (&args.name, &args.from) else {
        return Err(usage(
            "give a NAME and --from BASELINE, or --system NAME --from-data DIR".to_string(),
        ));
    };
    let name = name.as_str();
    if !scenario::check::is_valid_name(name) {
        return Err(usage(format!(
            "{name:?} cannot be a scenario name: use letters, digits, `_` and `-` only (at most 64), e.g. more-rapid-response"
        )));
    }
    // The baseline must be valid: the new file starts as exactly it.
    let baseline = scenario::load_file(from)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| from.with_file_name(format!("{name}.toml")));
    if out.exists() && !args.force {
        return Err(usage(format!(
            "{} exists already; choose another name or --out, or add --force to replace it",
            out.display()
        )));
    }
    // The file's folder must exist before `extends` can be worked out and
    // checked: both go through the file system, which resolves `..` and
    // symbolic links where they are, not by their names. It is made here
    // (as it would be to write the file) and removed again if the file
    // is not written.
    let folder = folder_of(&out);
    let created = missing_folders(folder);
    std::fs::create_dir_all(folder).map_err(|e| Failure {
        code: Exit::Output,
        message: format!(
            "cannot create the folder {} for {}: {e}; create it yourself, or choose another --out",
            folder.display(),
            out.display()
        ),
    })?;
    let written = write_new(name, from, &out, folder, &baseline);
    if written.is_err() {
        // Only folders this command made, and only if still empty.
        for made in &created {
            let _ = std::fs::remove_dir(made);
        }
    }
    let extends = written?;
    say!(
        "Wrote {}: it extends {extends} and changes nothing yet. Uncomment a lever, then\n  iccsim validate {}\n  iccsim compare {} {} -n 20",
        out.display(),
        out.display(),
        from.display(),
        out.display()
    );
    Ok(())
}

/// `iccsim new --system NAME --from-data DIR`: the scenario is generated,
/// checked as the file it will be, and written atomically; an existing
/// file is replaced only with --force and only if the generator wrote it.
fn new_system(name: &str, data: &Path, out: Option<&Path>, force: bool) -> Result<(), Failure> {
    use iccsim::scenario::from_data;
    if !scenario::check::is_valid_name(name) {
        return Err(usage(format!(
            "{name:?} cannot be a system name: use letters, digits, `_` and `-` only (at most 64), e.g. morecambe-bay"
        )));
    }
    let out = out.map_or_else(|| PathBuf::from(format!("{name}.toml")), Path::to_path_buf);
    if out.exists() {
        let ours = std::fs::read_to_string(&out)
            .is_ok_and(|text| text.starts_with(from_data::GENERATED_MARK));
        if !force || !ours {
            let why = if ours {
                "add --force to replace it (a file this command wrote)"
            } else {
                "it was not written by `iccsim new --system`, so it is never replaced"
            };
            return Err(usage(format!(
                "{} exists already; choose another --out, or {why}",
                out.display()
            )));
        }
    }
    let command = format!(
        "iccsim new --system {name} --from-data {} --out {}",
        data.display(),
        out.display()
    );
    let date = today();
    let generated = from_data::generate(
        data,
        name,
        &from_data::Provenance {
            command: &command,
            date: &date,
        },
    )
    .map_err(|e| Failure {
        code: Exit::Scenario,
        message: e.to_string(),
    })?;
    // What is written must load: the generator's text is checked as the
    // file it will be (a key this version does not know is named here).
    scenario::load_text_at(&generated.text, &out).map_err(|e| Failure {
        code: Exit::Scenario,
        message: format!(
            "the scenario made from {} is not valid, so nothing was written:\n{e}",
            data.display()
        ),
    })?;
    write_atomically(&out, generated.text.as_bytes()).map_err(|e| Failure {
        code: Exit::Output,
        message: format!("{e}"),
    })?;
    let c = generated.counts;
    say!(
        "Wrote {}: {} values from the data, {} derived from them, {} ASSUMED from north Cumbria (review them). Next:\n  iccsim validate {}\n  iccsim calibrate {}",
        out.display(),
        c.data,
        c.derived,
        c.assumed,
        out.display(),
        out.display()
    );
    Ok(())
}

/// Today's date (UTC) as YYYY-MM-DD, for the file's header.
fn today() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Writes the new scenario `out` in its existing `folder`, extending
/// `from`; the `extends` path it wrote.
fn write_new(
    name: &str,
    from: &Path,
    out: &Path,
    folder: &Path,
    baseline: &iccsim::model::Network,
) -> Result<String, Failure> {
    let canonical = |p: &Path| {
        std::fs::canonicalize(p).map_err(|e| Failure {
            code: Exit::Output,
            message: format!("cannot resolve {}: {e}", p.display()),
        })
    };
    let extends = relative_path(&canonical(folder)?, &canonical(from)?);
    let extends = extends.to_string_lossy().replace('\\', "/");
    let text = template(name, &extends, baseline);
    // What is written must load: a starting file that fails would be a
    // poor start. Checked before writing, as the file will read it.
    scenario::load_text_at(&text, out)?;
    write_atomically(out, text.as_bytes()).map_err(|e| Failure {
        code: Exit::Output,
        message: format!("{e}"),
    })?;
    Ok(extends)
}

fn listed(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn template(name: &str, parent: &str, baseline: &iccsim::model::Network) -> String {
    // The path goes into comments (escaped) and into a TOML string (quoted
    // by toml), so a `"` or a newline in it cannot break the file.
    let extends = iccsim::scenario::inherit::comment_text(parent);
    let quoted = toml::Value::String(parent.to_string());
    let mut text = format!(
        "# QUESTION: what does this scenario ask? (one or two sentences a board would read)\n\
         #\n\
         # EVIDENCE: for every effect below, the source of its central value and of its\n\
         # pessimistic-optimistic range (e.g. shared/calibration/calibration-data.md §9),\n\
         # and a tag: P published, D derived (show the arithmetic), X proxy, A assumption.\n\
         #\n\
         # Everything not stated here comes from {extends}.\n\
         #   iccsim show THIS_FILE        the whole scenario, merged\n\
         #   iccsim validate THIS_FILE    check it\n\
         #   iccsim compare {extends} THIS_FILE -n 20\n\
         \n\
         extends = {quoted}\n\
         name = \"{name}\"\n\
         title = \"{name}: describe the change in a line\"\n"
    );
    let Some(layout) = &baseline.layout else {
        text.push_str(
            "\n# Change any value of the parent by stating it again, e.g.\n\
             # [services.SERVICE]\n\
             # capacity = 30\n",
        );
        return text;
    };
    let mut tiers: Vec<String> = layout.cohorts.iter().map(|c| c.tier.clone()).collect();
    tiers.sort();
    tiers.dedup();
    tiers.retain(|t| t != "residential" && t != "nursing");
    let first_site = layout.sites.first().cloned().unwrap_or_default();
    let first_icc = layout.iccs.first().cloned().unwrap_or_default();
    text.push_str(&format!(
        "\n\
# ------------------------------------------------------------------ levers\n\
# Uncomment and edit. Every lever has `start` (a date), optionally\n\
# `ramp_months` (months to full effect, in monthly steps) and a rollout by ICC\n\
# (`iccs = {{ {first_icc} = 2026-04-01, ... }}`, each ICC from its own date;\n\
# without it, every ICC from `start`). Any number may be a distribution,\n\
# drawn once per replication: {{ dist = \"triangular\", min = 0.77, mode = 0.85, max = 1.0 }}.\n\
# A `source` says where the number comes from. docs/whole-system.md §11b has\n\
# every key.\n\
#\n\
# This baseline's ICCs: {iccs}\n\
# Its sites: {sites}\n\
# Its risk tiers: {tiers}\n\
# Its age bands: {bands}\n\
\n\
# Fewer (or more) crises in targeted cohorts: case management, integration.\n\
# [levers.fewer_crises]\n\
# effect = \"crisis_rate\"\n\
# multiplier = {{ dist = \"triangular\", min = 0.91, mode = 0.965, max = 1.0 }}\n\
# demand = [\"crisis\"]               # or care_home_crisis, elective, case_management_referral, care_home_placement\n\
# age_bands = [\"75-84\", \"85+\"]\n\
# tiers = [{tier_example}]\n\
# start = 2026-04-01\n\
# ramp_months = 12\n\
# source = \"...\"\n\
\n\
# Places: beds, staff caseload, day-unit places, care-home places.\n\
# [levers.more_beds]\n\
# effect = \"capacity\"\n\
# service = \"community_beds\"         # adult_beds, paediatric_beds, day_unit, rapid_response, reablement, case_management, residential, nursing, home_care, primary_care (wte = GPs)\n\
# change = 4                          # places per service (or multiplier = 1.2; or wte = 2.5 for a staff team)\n\
# iccs = {{ {first_icc} = 2026-04-01 }}   # ICC services roll out by ICC (default every ICC); site services (adult_beds, day_unit) take sites = [\"{first_site}\"]\n\
# start = 2026-04-01\n\
\n\
# Money moved from acute care, bought as capacity at unit costs (budget.csv).\n\
# [levers.reinvest]\n\
# effect = \"reinvestment\"\n\
# amount_per_year = 1_000_000         # £ a year at the scenario's price year\n\
# fund = {{ rapid_response = 0.5, case_management = 0.5 }}   # also reablement, community_beds, residential, nursing; gp, other_clinical (with [primary_care]); community_day_unit\n\
# close_adult_beds = {{ {first_site} = 8 }}\n\
# start = 2026-04-01\n\
# ramp_months = 12\n\
\n\
# Shorter stays.\n\
# [levers.shorter_stays]\n\
# effect = \"length_of_stay\"\n\
# service = \"adult_beds\"             # or community_beds, reablement, ...\n\
# multiplier = 0.95\n\
# age_bands = [\"85+\"]\n\
# start = 2026-04-01\n\
\n\
# Discharges arranged faster (discharge hub).\n\
# [levers.discharge_hub]\n\
# effect = \"discharge_delay\"\n\
# destinations = [\"reablement\", \"community_bed\", \"care_home\"]   # and home\n\
# multiplier = 0.71\n\
# start = 2026-04-01\n\
\n\
# Fewer discharges straight to a care home (discharge to assess).\n\
# [levers.assess_at_home]\n\
# effect = \"care_home_discharge\"\n\
# multiplier = 0.77\n\
# to = \"reablement\"                  # or home, community_bed\n\
# start = 2026-04-01\n\
\n\
# Rapid response offered to more crises, and the share it manages at home.\n\
# [levers.rapid_response]\n\
# effect = \"rapid_response\"\n\
# multiplier = 1.5\n\
# managed_at_home = 0.75\n\
# start = 2026-04-01\n\
\n\
# More ED attendances sent to the day unit instead of admission.\n\
# [levers.same_day_care]\n\
# effect = \"day_unit_diversion\"\n\
# multiplier = 1.5\n\
# start = 2026-04-01\n\
\n\
# Opening hours from a date (they replace the hours: list every day open).\n\
# [levers.longer_hours]\n\
# effect = \"opening_hours\"\n\
# service = \"day_unit\"               # at the sites; or community_day_unit, primary_care in the ICCs\n\
# opening = {{ open_hour = 7, close_hour = 24 }}   # every day; or days = [\"mon\", ...], or \"always\"\n\
# start = 2026-04-01\n\
\n\
# Proactive reviews of risk tiers by general practice (needs [primary_care]):\n\
# their time comes off the same-day appointments.\n\
# [levers.reviews]\n\
# effect = \"proactive_care\"\n\
# tiers = [{tier_example}]\n\
# reviews_per_person_year = 2\n\
# appointments_per_review = 2\n\
# multiplier = {{ dist = \"triangular\", min = 0.95, mode = 1.0, max = 1.03, no_effect = 0.4 }}\n\
# start = 2026-04-01\n",
        iccs = listed(&layout.iccs),
        sites = listed(&layout.sites),
        tiers = listed(&tiers),
        bands = listed(layout.age_bands.names()),
        tier_example = tiers
            .iter()
            .find(|t| *t != "rest")
            .map_or("\"rest\"".to_string(), |t| format!("\"{t}\"")),
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_file_name_is_in_the_current_folder() {
        assert_eq!(folder_of(Path::new("base.toml")), Path::new("."));
        assert_eq!(folder_of(Path::new("a/base.toml")), Path::new("a"));
        assert_eq!(folder_of(Path::new("/base.toml")), Path::new("/"));
    }

    #[test]
    fn the_folders_to_make_are_the_missing_ones() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a/b");
        assert_eq!(
            missing_folders(&folder),
            [dir.path().join("a/b"), dir.path().join("a")]
        );
        assert!(missing_folders(dir.path()).is_empty());
    }

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative_path(Path::new("/a/b/c"), Path::new("/a/d/e.toml")),
            PathBuf::from("../../d/e.toml")
        );
        assert_eq!(
            relative_path(Path::new("/a/b"), Path::new("/a/b/e.toml")),
            PathBuf::from("e.toml")
        );
    }
}
