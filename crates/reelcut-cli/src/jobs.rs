//! `reelcut jobs`, `reelcut cancel ID`, `reelcut retry ID`: the job store seen from a
//! terminal. Cancel works on jobs another reelcut process runs (it polls the store).

use reelcut_core::JobId;
use serde_json::json;

use crate::args::{JobIdArgs, JobsArgs};
use crate::run::{
    drain, finish_engine, open_engine, reporter_for, summary, Tally, EXIT_FAILED, EXIT_USAGE,
};

pub fn list(a: JobsArgs) -> i32 {
    let engine = match open_engine(&a.engine, 1) {
        Ok(e) => e,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let jobs = match engine.jobs() {
        Ok(j) => j,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_FAILED;
        }
    };
    if a.json {
        for j in &jobs {
            println!("{}", serde_json::to_string(j).unwrap_or_default());
        }
        return 0;
    }
    if jobs.is_empty() {
        eprintln!("no jobs");
    }
    println!(
        "{:>5}  {:<10} {:<11} {:<40} DETAIL",
        "ID", "STATUS", "STAGE", "TITLE"
    );
    for j in &jobs {
        let detail = match (&j.error, j.outputs.len()) {
            (Some(e), _) => reelcut_core::printable(e),
            (None, 0) => String::new(),
            (None, n) => format!("{n} clip(s)"),
        };
        // Records of older versions may hold a page's raw title.
        let title: String = reelcut_core::printable(&j.title).chars().take(40).collect();
        println!(
            "{:>5}  {:<10} {:<11} {:<40} {}",
            j.id.to_string(),
            j.status.as_str(),
            j.stage.map_or("-", |s| s.as_str()),
            title,
            detail
        );
    }
    0
}

fn parse_id(s: &str) -> Result<JobId, String> {
    s.parse()
        .map_err(|_| format!("{s:?} is not a job number (see `reelcut jobs`)"))
}

/// Why a job command was refused: the arguments, or the engine (with its error kind).
enum Refusal {
    Usage(String),
    Engine(reelcut_engine::EngineError),
}

impl Refusal {
    /// The refusal as a JSON line (`kind` names the cause: `job_not_found`, `job_busy`, …)
    /// and as a human line.
    fn report(&self, json: bool) {
        let (kind, message) = match self {
            Refusal::Usage(m) => (serde_json::Value::String("usage".into()), m.clone()),
            Refusal::Engine(e) => (json!(e.kind()), e.to_string()),
        };
        if json {
            println!(
                "{}",
                json!({"event": "error", "kind": kind, "message": message})
            );
        } else {
            eprintln!("error: {message}");
        }
    }
}

impl From<String> for Refusal {
    fn from(m: String) -> Self {
        Refusal::Usage(m)
    }
}

impl From<reelcut_engine::EngineError> for Refusal {
    fn from(e: reelcut_engine::EngineError) -> Self {
        Refusal::Engine(e)
    }
}

pub fn cancel(a: JobIdArgs) -> i32 {
    let result = (|| -> Result<JobId, Refusal> {
        let id = parse_id(&a.id)?;
        let engine = open_engine(&a.engine, 1)?;
        engine.cancel(id)?;
        Ok(id)
    })();
    match result {
        Ok(id) => {
            if a.json {
                println!("{}", json!({"event": "cancel_requested", "job": id}));
            } else {
                eprintln!("job {id}: cancel requested");
            }
            0
        }
        Err(r) => {
            r.report(a.json);
            EXIT_USAGE
        }
    }
}

/// Runs the job again in this process, from its last finished stage, and waits for it.
pub fn retry(a: JobIdArgs) -> i32 {
    let mut reporter = reporter_for(a.json);
    let started = (|| -> Result<_, Refusal> {
        let id = parse_id(&a.id)?;
        let engine = open_engine(&a.engine, 1)?;
        let events = engine.subscribe();
        engine.retry(id)?;
        Ok((engine, events))
    })();
    match started {
        Ok((engine, events)) => {
            let mut tally = Tally::default();
            drain(&engine, &events, reporter.as_mut(), &mut tally);
            finish_engine(&engine);
            summary(reporter.as_mut(), &tally)
        }
        Err(r) => {
            r.report(a.json);
            EXIT_USAGE
        }
    }
}
