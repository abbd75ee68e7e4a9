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
        // A reader that stopped reading (`| head`) got what it wanted.
        Err(e) if is_closed_stdout(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peihu-field: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn is_closed_stdout(e: &anyhow::Error) -> bool {
    e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}
