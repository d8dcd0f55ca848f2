//! Exit codes, each documented once ([`Exit`]), and the failure a command
//! ends with ([`Failure`]). The README's and `--help`'s lists of codes say
//! what [`Exit::meaning`] says (a test checks `--help`).

use std::process::ExitCode;

use iccsim::report;
use iccsim::scenario::ScenarioError;

/// How `iccsim` ends: every exit goes through one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Exit {
    /// 0: the command did what was asked.
    Success = 0,
    /// 1: a replication failed (the simulation hit a limit, or the drawn
    /// uncertain values made an invalid scenario).
    Simulation = 1,
    /// 2: bad command-line usage, as clap or a command found it (including
    /// an interrupted batch in the output folder without `--resume`).
    Usage = 2,
    /// 3: a scenario, sweep file or results folder (its records) is invalid
    /// or unreadable.
    Scenario = 3,
    /// 4: results could not be written.
    Output = 4,
    /// 5: `calibrate --check` found a target outside its accepted band, or
    /// `calibrate --fit` left a fitted target outside it.
    Calibration = 5,
    /// 6: a precision target (`--target-half-width`) was not met by
    /// `--max-replications`. The results are written all the same (they
    /// are valid, only less precise than asked) and `run.json` says
    /// `"met": false`: a script must not take them for what it asked.
    TargetMissed = 6,
}

impl Exit {
    /// Every exit, in the order of their codes.
    pub(super) const ALL: [Exit; 7] = [
        Exit::Success,
        Exit::Simulation,
        Exit::Usage,
        Exit::Scenario,
        Exit::Output,
        Exit::Calibration,
        Exit::TargetMissed,
    ];

    /// The process exit code.
    pub(super) fn code(self) -> u8 {
        self as u8
    }

    /// The line of `iccsim --help` that lists every code.
    pub(super) fn help_line() -> String {
        let codes: Vec<String> = Exit::ALL
            .iter()
            .map(|e| format!("{} {}", e.code(), e.meaning()))
            .collect();
        format!("Exit codes: {}.", codes.join(", "))
    }

    /// What the code means, as `--help` lists it.
    pub(super) fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success",
            Exit::Simulation => "simulation failed",
            Exit::Usage => "bad usage",
            Exit::Scenario => "invalid scenario",
            Exit::Output => "cannot write results",
            Exit::Calibration => "calibration target missed",
            Exit::TargetMissed => "precision target not met",
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// A failure with the exit it maps to.
pub(super) struct Failure {
    pub(super) code: Exit,
    pub(super) message: String,
}

impl From<ScenarioError> for Failure {
    fn from(e: ScenarioError) -> Failure {
        Failure {
            code: Exit::Scenario,
            message: e.to_string(),
        }
    }
}

impl From<report::WriteError> for Failure {
    fn from(e: report::WriteError) -> Failure {
        // A refusal says what to do itself; a failed write needs the
        // reassurance and the usual fixes.
        let refused = e.source.kind() == std::io::ErrorKind::Other;
        Failure {
            code: Exit::Output,
            message: if refused {
                e.to_string()
            } else {
                format!(
                    "{e}\nResults already in that folder, if any, are unchanged. Fix the folder (permissions, space) and run again, or choose another with --out."
                )
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_their_position() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes, vec![0, 1, 2, 3, 4, 5, 6]);
    }

    /// `iccsim --help` ends with every code and its meaning.
    #[test]
    fn help_lists_every_exit_code() {
        let help = super::super::args::Cli::command_with_exit_codes()
            .get_after_help()
            .map(|h| h.to_string())
            .unwrap_or_default();
        assert!(
            help.ends_with(
                "\n\nExit codes: 0 success, 1 simulation failed, 2 bad usage, 3 invalid scenario, 4 cannot write results, 5 calibration target missed, 6 precision target not met."
            ),
            "{help}"
        );
        assert!(help.starts_with("Examples:\n  iccsim run "), "{help}");
    }
}
