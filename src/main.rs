//! The `iccsim` command. All the work is in the library and in `cli`; this
//! file only turns the outcome into an exit code.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
