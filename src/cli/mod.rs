//! The command line: arguments (clap, `args`), one file per command, the
//! exit codes (`exit`) and what the commands share (`shared`, `memory`,
//! `records`). This file only dispatches. Nothing in the library depends
//! on this module.

/// `eprintln!` without its panic: messages to a closed or full stderr are
/// dropped (nobody can read them), and the exit code still says what
/// happened. Messages quote names, titles and values from files, so control
/// characters are escaped ([`terminal_safe`](iccsim::report::tables::terminal_safe)).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let _ = writeln!(
            std::io::stderr(),
            "{}",
            iccsim::report::tables::terminal_safe(&text)
        );
    }};
}

mod args;
mod batch;
mod calibrate;
mod case_checks;
mod chosen_outputs;
mod compare;
mod compare_files;
mod compare_merge;
mod compare_resume;
mod compare_target;
mod contributions;
mod event_log;
mod exit;
mod memory;
mod merge;
mod nested;
mod new;
mod provenance;
mod records;
mod report;
mod run;
mod schema;
mod shared;
mod show;
mod stock_flow;
mod sweep;
mod sweep_file;
mod sweep_points;
mod targets;
mod tornado;
mod validate;
mod warmup;

use std::process::ExitCode;

use args::{Cli, Command};
use exit::Exit;

pub fn main() -> ExitCode {
    // clap's messages quote what was typed (or what a shell glob found),
    // so they go through `say!` too.
    let cli = match Cli::parse_arguments() {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    match shared::print_stdout(&text) {
                        Ok(()) => Exit::Success.into(),
                        Err(failure) => failure.code.into(),
                    }
                }
                // clap's own code for every other error is that of usage.
                _ => {
                    say!("{}", text.trim_end());
                    Exit::Usage.into()
                }
            };
        }
    };
    if cli.on.is_some()
        && !matches!(
            cli.command,
            Command::Run(_)
                | Command::Validate(_)
                | Command::Calibrate(_)
                | Command::Batch(_)
                | Command::Compare(_)
                | Command::Sweep(_)
                | Command::Tornado(_)
                | Command::Show(_)
                | Command::Warmup(_)
        )
    {
        say!(
            "error: --on runs scenarios on another system: it applies to run, batch, compare, sweep, tornado, calibrate, warmup, validate and show, not to this command"
        );
        return Exit::Usage.into();
    }
    shared::set_on_system(cli.on);
    let outcome = match cli.command {
        Command::Run(args) => run::run(args),
        Command::Validate(args) => validate::validate(args),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Batch(args) => batch::batch(args),
        Command::Merge(args) => merge::merge(args),
        Command::Compare(args) => compare::compare(args),
        Command::Sweep(args) => sweep::sweep(args),
        Command::Tornado(args) => tornado::tornado(args),
        Command::Show(args) => show::show(args),
        Command::Report(args) => report::report(args),
        Command::Schema(args) => schema::schema(args),
        Command::New(args) => new::new(args),
        Command::Warmup(args) => warmup::warmup(args),
    };
    match outcome {
        Ok(()) => Exit::Success.into(),
        Err(failure) => {
            say!("error: {}", failure.message.trim_end());
            failure.code.into()
        }
    }
}
