//! Where people die: the breakdown metric that counts a death, by the kind
//! of service the person died in (`deaths_in_hospital` is counted with a
//! hospital's admissions, care-home residents included). Deaths that take
//! no service (the population's deaths at home, crises a lever prevented
//! that die all the same) are at home.

use super::super::metrics::M;
use super::super::system::Role;

/// The metric of a death in a service of this role, for anyone but a
/// care-home resident's crisis, or None in a hospital bed (counted as
/// `deaths_in_hospital` already, whoever died there).
pub(super) fn place_of_death(role: Role) -> Option<M> {
    if role.is_hospital_bed() {
        None
    } else if role == Role::CommunityBeds {
        Some(M::deaths_in_community_bed)
    } else if role.is_care_home() {
        Some(M::deaths_in_care_home)
    } else {
        // At home after (or during) a community service, or sent home
        // from a day unit, general practice or rapid response.
        Some(M::deaths_at_home)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_one_place() {
        assert_eq!(place_of_death(Role::AcuteBeds), None);
        assert_eq!(place_of_death(Role::PaediatricBeds), None);
        assert_eq!(place_of_death(Role::OtherProvider), None);
        assert_eq!(
            place_of_death(Role::CommunityBeds),
            Some(M::deaths_in_community_bed)
        );
        assert_eq!(
            place_of_death(Role::ResidentialCare),
            Some(M::deaths_in_care_home)
        );
        assert_eq!(
            place_of_death(Role::NursingCare),
            Some(M::deaths_in_care_home)
        );
        for role in [
            Role::EmergencyDepartment,
            Role::DayUnit,
            Role::RapidResponse,
            Role::Reablement,
            Role::CaseManagement,
            Role::HomeCare,
            Role::CommunityDayUnit,
            Role::PrimaryCare,
        ] {
            assert_eq!(place_of_death(role), Some(M::deaths_at_home), "{role:?}");
        }
    }
}
