//! A lever's `classes` key: the crisis classes of `[avoidable]` it reaches
//! (`not_admitted`, `avoidable`, `necessary`; default all, so that a
//! multiplier keeps its meaning on all crises). Cohorts without a class
//! (care-home residents, electives, referrals) are not filtered by it.

use super::effect::quoted;
use super::lever::Lever;
use crate::model::system::CrisisClass;
use crate::scenario::error::did_you_mean;

impl Lever<'_> {
    /// The classes named by `classes`, None when it is not given (or
    /// invalid: the issues are in `check`).
    pub(super) fn classes(&mut self) -> Option<Vec<CrisisClass>> {
        let names = self.raw.classes.as_ref()?;
        let labels = CrisisClass::ALL.map(CrisisClass::label);
        if !self.layout.cohorts.iter().any(|c| c.class.is_some()) {
            self.check.issue(
                self.at("classes"),
                None,
                "needs crisis classes: add [avoidable.\"BAND\"] for every band (docs/whole-system.md §7a), or remove `classes`",
            );
            return None;
        }
        let mut found = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match CrisisClass::from_label(name) {
                Some(class) => found.push(class),
                None => self.check.issue(
                    self.at(&format!("classes[{i}]")),
                    Some(format!("\"{name}\"")),
                    format!(
                        "is not a crisis class{}; use {}",
                        did_you_mean(name, labels),
                        quoted(labels.iter())
                    ),
                ),
            }
        }
        Some(found)
    }
}
