//! Jobs: one input (a URL or a file) with its options, moving through stages. The store
//! behind them is a port ([`JobStore`]): SQLite on one machine today, a shared queue
//! (Redis, Postgres) for workers on several machines later, with the stages untouched.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A job's number in its store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct JobId(#[cfg_attr(feature = "ts", ts(type = "number"))] pub i64);

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl std::str::FromStr for JobId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim().trim_start_matches('#').parse().map(JobId)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for a worker (new, or found unfinished after a crash).
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            _ => return None,
        })
    }

    /// Nothing more will happen to the job unless someone retries it.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobStatus::Done | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// A job as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: JobId,
    /// What identifies the same work asked again (input + options that shape the clips).
    pub key: String,
    /// The URL or path as given.
    pub input: String,
    /// A human name: the file name, or the video title once fetched.
    pub title: String,
    /// The run options, serialized by the engine (opaque to the store).
    pub options: String,
    pub status: JobStatus,
    /// The stage running now, or the last one reached.
    pub stage: Option<crate::Stage>,
    pub attempts: u32,
    pub error: Option<String>,
    pub error_kind: Option<crate::ErrorKind>,
    /// Where the job's checkpoints live.
    pub work_dir: String,
    /// Clips written so far (paths).
    pub outputs: Vec<String>,
    pub manifest: Option<String>,
    pub cancel_requested: bool,
    /// The process working on it (`host:pid`), if any.
    pub owner: Option<String>,
    /// Unix seconds.
    pub created: f64,
    pub updated: f64,
    /// Last sign of life from the owner, Unix seconds.
    pub heartbeat: f64,
}

/// What a new job starts from.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub key: String,
    pub input: String,
    pub title: String,
    pub options: String,
    /// The job's work folder is made by the store's client: `{work_root}/{id}`.
    pub work_root: String,
}

/// A change to a job's row; `None` fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobUpdate {
    pub status: Option<JobStatus>,
    pub stage: Option<crate::Stage>,
    pub title: Option<String>,
    pub attempts: Option<u32>,
    /// `Some(None)` clears the error.
    pub error: Option<Option<(crate::ErrorKind, String)>>,
    pub outputs: Option<Vec<String>>,
    pub manifest: Option<String>,
    /// `Some(None)` releases the job.
    pub owner: Option<Option<String>>,
    pub cancel_requested: Option<bool>,
}

/// A failure of the job store, with the store's own error (rusqlite's, a driver's) kept as
/// the source.
#[derive(Debug, thiserror::Error)]
#[error("job store {location}: {source}")]
pub struct StoreError {
    pub location: String,
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync>,
}

/// The queue's port. Implementations must make each call atomic: several processes (a CLI
/// run, the desktop app, later workers on other machines) share one store.
pub trait JobStore: Send + Sync {
    fn insert(&self, job: NewJob) -> Result<JobRecord, StoreError>;
    fn get(&self, id: JobId) -> Result<Option<JobRecord>, StoreError>;
    /// The most recent job with this key.
    fn find_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError>;
    fn list(&self) -> Result<Vec<JobRecord>, StoreError>;
    fn update(&self, id: JobId, change: JobUpdate) -> Result<(), StoreError>;
    /// Takes the job for `owner` unless another owner holds it with a heartbeat newer than
    /// `stale_before` (Unix seconds). True when taken.
    fn claim(&self, id: JobId, owner: &str, stale_before: f64) -> Result<bool, StoreError>;
    /// Refreshes the heartbeat of every job `owner` holds.
    fn heartbeat(&self, owner: &str) -> Result<(), StoreError>;
    /// Jobs held by `owner` that someone asked to cancel (possibly from another process).
    fn requested_cancels(&self, owner: &str) -> Result<Vec<JobId>, StoreError>;
    fn remove(&self, id: JobId) -> Result<(), StoreError>;
}

/// Seconds since the Unix epoch.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in [
            JobStatus::Queued,
            JobStatus::Running,
            JobStatus::Done,
            JobStatus::Failed,
            JobStatus::Cancelled,
        ] {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobStatus::parse("bogus"), None);
        assert!(JobStatus::Cancelled.is_terminal());
        assert!(!JobStatus::Queued.is_terminal());
        assert_eq!("#12".parse::<JobId>().ok(), Some(JobId(12)));
    }
}
