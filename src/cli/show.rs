//! `iccsim show`: a scenario fully resolved (its `extends` chain merged,
//! `--set` applied), as the TOML that would run.

use super::args::ShowArgs;
use super::exit::Failure;
use super::shared::{NameParents, load, note_parents_outside, print_document};

pub(super) fn show(args: ShowArgs) -> Result<(), Failure> {
    if let Some(path) = args.scenario.as_deref()
        && let Ok(resolved) = super::shared::read_scenario(path)
    {
        note_parents_outside(path, &resolved, NameParents::All);
    }
    // Loaded (and so validated) first: what is shown is what would run.
    let (_, _, text) = load(args.scenario.as_deref(), &args.set)?;
    print_document(&text)?;
    if !text.ends_with('\n') {
        print_document("\n")?;
    }
    Ok(())
}
