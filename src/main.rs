//! The entrasim binary: parse the command line and hand over to the library.

use clap::Parser;
use entrasim::cli::Cli;

// Pages are megabytes each; mimalloc reuses their memory where the system allocator
// maps and faults in fresh pages for every response.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return std::process::ExitCode::SUCCESS;
        }
        Err(e) => {
            let text = e.to_string();
            let first = text
                .lines()
                .next()
                .unwrap_or("invalid arguments")
                .trim_start_matches("error: ");
            eprintln!("entrasim: {first}");
            return std::process::ExitCode::from(2);
        }
    };
    match entrasim::commands::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("entrasim: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
