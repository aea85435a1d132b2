//! `reelcut`: the headless client. Parses arguments, hands inputs to the engine, and prints
//! the engine's events as progress bars or JSON lines. It never touches Tauri or GTK.

mod args;
mod doctor;
mod edit;
mod jobs;
mod models;
mod report;
mod run;
mod watch;

use clap::Parser;

fn main() {
    let cli = args::Cli::parse();
    init_tracing(cli.verbose);
    let code = match cli.command {
        args::Command::Run(a) => run::run(a),
        args::Command::Watch(a) => watch::watch(a),
        args::Command::Doctor(a) => doctor::doctor(a),
        args::Command::Probe(a) => run::probe(a),
        args::Command::Filtergraph(a) => run::filtergraph(a),
        args::Command::Transcribe(a) => models::transcribe(a),
        args::Command::Models(c) => models::models(c),
        args::Command::Jobs(a) => jobs::list(a),
        args::Command::Cancel(a) => jobs::cancel(a),
        args::Command::Retry(a) => jobs::retry(a),
        args::Command::Render(a) => edit::render(a),
        args::Command::Export(a) => edit::export(a),
    };
    // Not std::process::exit: see exit_process (native statics under a live Whisper thread).
    reelcut_engine::exit_process(code);
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,libav=warn",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("REELCUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
