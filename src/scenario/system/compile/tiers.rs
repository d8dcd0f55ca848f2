//! Risk registers of a whole system: for each (ICC, age band) with risk
//! tiers, the people in each tier and how they move month by month
//! (`model::RiskRegister`), built when the file asks for moving tiers
//! (`monthly_exit` on a tier) or for case management acting on the people
//! on it (`[community.case_management] crisis_multiplier`). Otherwise none
//! are built and tiers stay fixed shares, exactly as before.
//!
//! The chain of a band: tiers ranked by crisis rate, highest first, then
//! `rest`. A member of tier k leaves it with probability `monthly_exit`
//! each month, for the tier below (the lowest: for `rest`). People of
//! `rest` join tier k directly with the probability q_k that keeps each
//! tier at its share (the balance share_k × exit_k = share_{k−1} ×
//! exit_{k−1} plus share_rest × q_k), so the stated shares are the
//! stationary ones and the register starts there.

use super::services::Ids;
use crate::model::system::Role;
use crate::model::{MemberOf, MemberRate, RiskRegister};
use crate::scenario::system::spec::{Parts, Tier};

/// The monthly chain of one band's tiers.
pub(in crate::scenario::system) struct BandChain {
    /// Indices in the file's tiers, top first (`rest` not included).
    pub(in crate::scenario::system) order: Vec<usize>,
    /// `monthly[from][to]` over `order` then `rest`.
    pub(in crate::scenario::system) monthly: Vec<Vec<f64>>,
}

/// The chain of band `b` (None when it has no tiers), or the tier whose
/// `monthly_exit` makes the shares impossible to keep, with the reason.
pub(in crate::scenario::system) fn band_chain(
    tiers: &[Tier],
    b: usize,
) -> Option<Result<BandChain, (String, String)>> {
    // A tier of share 0 holds nobody: it is left out of the chain (its
    // crises and referrals stay at rate 0), and its leavers' place taken
    // by the next tier down.
    let mut order: Vec<usize> = (0..tiers.len())
        .filter(|&t| tiers[t].bands[b] && tiers[t].share > 0.0)
        .collect();
    if order.is_empty() {
        return None;
    }
    order.sort_by(|&x, &y| {
        tiers[y]
            .crisis_multiplier
            .total_cmp(&tiers[x].crisis_multiplier)
            .then_with(|| tiers[x].name.cmp(&tiers[y].name))
    });
    let n = order.len();
    let rest_share = 1.0 - order.iter().map(|&t| tiers[t].share).sum::<f64>();
    let mut monthly = vec![vec![0.0; n + 1]; n + 1];
    let mut from_above = 0.0;
    let mut above = String::new();
    for (k, &t) in order.iter().enumerate() {
        let tier = &tiers[t];
        let exit = tier.monthly_exit.unwrap_or(0.0);
        monthly[k][k] = 1.0 - exit;
        monthly[k][k + 1] += exit;
        let leaving = tier.share * exit;
        let inflow = leaving - from_above;
        // A rounding error of the balance is not an inconsistency.
        if inflow < -1e-12 {
            return Some(Err((
                tier.name.clone(),
                format!(
                    "cannot keep the tier at its share: {:.3}% of the band leave it each month ({} × {}), but {:.3}% arrive from the tier above ({above}); raise it to at least {:.4} or lower {above}'s",
                    leaving * 100.0,
                    tier.share,
                    exit,
                    from_above * 100.0,
                    from_above / tier.share
                ),
            )));
        }
        monthly[n][k] = if rest_share > 0.0 {
            inflow.max(0.0) / rest_share
        } else {
            0.0
        };
        from_above = leaving;
        above = tier.name.clone();
    }
    monthly[n][n] = 1.0 - monthly[n][..n].iter().sum::<f64>();
    Some(Ok(BandChain { order, monthly }))
}

/// The registers of a system, and which one each (ICC, band) has.
pub(super) struct Registers {
    pub(super) list: Vec<RiskRegister>,
    /// `index[icc][band]`: the register's index, if the band has one.
    index: Vec<Vec<Option<usize>>>,
}

impl Registers {
    /// Whether a file asks for registers: moving tiers, or case
    /// management acting on its caseload.
    fn wanted(parts: &Parts) -> bool {
        parts.tiers.iter().any(|t| t.monthly_exit.is_some())
            || parts.community.case_management.crisis_multiplier.is_some()
    }

    /// The register tier that the types of ICC i, band b and tier `tier`
    /// (a name, or `rest`) draw on, if registers are built.
    pub(super) fn member_of(
        &self,
        i: usize,
        b: usize,
        tier: &str,
        counting: MemberRate,
    ) -> Option<MemberOf> {
        let register = (*self.index.get(i)?.get(b)?)?;
        let position = self.list[register].tiers.iter().position(|t| t == tier)?;
        Some(MemberOf {
            register,
            tier: position,
            counting,
        })
    }
}

/// Builds one register per (ICC, band) with tiers, when the file asks
/// for them (none otherwise).
pub(super) fn build_registers(parts: &Parts, ids: &Ids) -> Registers {
    let mut registers = Registers {
        list: Vec::new(),
        index: vec![vec![None; parts.bands.len()]; parts.iccs.len()],
    };
    if !Registers::wanted(parts) {
        return registers;
    }
    let mut admission_services: Vec<_> = ids[Role::AcuteBeds].to_vec();
    admission_services.push(ids.other_providers);
    let multiplier = parts
        .community
        .case_management
        .crisis_multiplier
        .unwrap_or(1.0);
    for (i, icc) in parts.iccs.iter().enumerate() {
        for b in 0..parts.bands.len() {
            // Validation refused chains that cannot be kept.
            let Some(Ok(chain)) = band_chain(&parts.tiers, b) else {
                continue;
            };
            let total = icc.population[b].round().max(0.0) as u64;
            let mut people: Vec<u64> = chain
                .order
                .iter()
                .map(|&t| (parts.tiers[t].share * icc.population[b]).round() as u64)
                .collect();
            let in_tiers: u64 = people.iter().sum();
            people.push(total.saturating_sub(in_tiers));
            let mut tiers: Vec<String> = chain
                .order
                .iter()
                .map(|&t| parts.tiers[t].name.clone())
                .collect();
            tiers.push("rest".into());
            let mut step_up: Vec<f64> = chain
                .order
                .iter()
                .map(|&t| parts.tiers[t].step_up_after_admission)
                .collect();
            step_up.push(0.0);
            registers.index[i][b] = Some(registers.list.len());
            registers.list.push(RiskRegister {
                name: format!("{}/{}", icc.name, parts.age_bands.name(b)),
                tiers,
                people,
                monthly: chain.monthly,
                step_up_after_admission: step_up,
                caseload_crisis_multiplier: multiplier,
                admission_services: admission_services.clone(),
            });
        }
    }
    registers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(name: &str, share: f64, multiplier: f64, exit: Option<f64>) -> Tier {
        Tier {
            name: name.into(),
            share,
            crisis_multiplier: multiplier,
            bands: vec![false, false, true, true, true],
            referrals_per_1000: 0.0,
            los_multiplier: 1.0,
            mortality_multiplier: 1.0,
            monthly_exit: exit,
            step_up_after_admission: 0.0,
        }
    }

    /// The stated shares are stationary: share × P = share, every row a
    /// distribution.
    #[test]
    fn shares_are_the_stationary_distribution() {
        let tiers = [
            tier("high", 0.03, 3.0, Some(0.10)),
            tier("very_high", 0.02, 6.0, Some(0.11)),
        ];
        let chain = band_chain(&tiers, 3).unwrap().unwrap();
        assert_eq!(chain.order, vec![1, 0]);
        let shares = [0.02, 0.03, 0.95];
        for row in &chain.monthly {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            assert!(row.iter().all(|p| *p >= 0.0));
        }
        for to in 0..3 {
            let next: f64 = (0..3)
                .map(|from| shares[from] * chain.monthly[from][to])
                .sum();
            assert!((next - shares[to]).abs() < 1e-12, "{to}: {next}");
        }
        // Rest joins the top tier at 0.02 × 0.11 / 0.95 a month.
        assert!((chain.monthly[2][0] - 0.0022 / 0.95).abs() < 1e-15);
    }

    #[test]
    fn a_tier_losing_less_than_it_receives_is_refused() {
        let tiers = [
            tier("high", 0.03, 3.0, Some(0.05)),
            tier("very_high", 0.02, 6.0, Some(0.11)),
        ];
        let Some(Err((name, message))) = band_chain(&tiers, 3) else {
            panic!("accepted");
        };
        assert_eq!(name, "high");
        assert!(message.contains("raise it to at least 0.0733"), "{message}");
    }

    #[test]
    fn tiers_of_share_0_are_left_out_of_the_chain() {
        let tiers = [
            tier("high", 0.03, 3.0, Some(0.10)),
            tier("none", 0.0, 0.0, None),
            tier("very_high", 0.02, 6.0, Some(0.11)),
        ];
        let chain = band_chain(&tiers, 3).unwrap().unwrap();
        assert_eq!(chain.order, vec![2, 0]);
    }

    #[test]
    fn without_monthly_exit_tiers_stay_put() {
        let tiers = [tier("very_high", 0.02, 6.0, None)];
        let chain = band_chain(&tiers, 3).unwrap().unwrap();
        assert_eq!(chain.monthly, vec![vec![1.0, 0.0], vec![0.0, 1.0]]);
    }
}
