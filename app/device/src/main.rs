//! `peihu-field`: the headless Peihu client, for scripts, tests, load generation and admins.
//!
//! Exit codes: 0 on success; 1 with a one-line reason on stderr otherwise; 2 for usage errors.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Args::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peihu-field: {e:#}");
            ExitCode::from(1)
        }
    }
}
