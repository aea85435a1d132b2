//! [`SqliteStore`]: the default [`JobStore`], one SQLite file in WAL mode. WAL lets a
//! `reelcut jobs` in one terminal read while a run in another writes; every call is one
//! short transaction, so a kill -9 at any moment leaves the file consistent.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use reelcut_core::job::now;
use reelcut_core::{
    ErrorKind, JobId, JobRecord, JobStatus, JobStore, JobUpdate, NewJob, Stage, StoreError,
};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// Bumped with every schema change; `migrate` brings older files forward.
const SCHEMA_VERSION: i64 = 1;

pub struct SqliteStore {
    path: PathBuf,
    // One connection per process is plenty (calls are sub-millisecond); the mutex keeps
    // rusqlite's `!Sync` connection usable from every worker.
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(path, e))?;
        }
        let conn = Connection::open(path).map_err(|e| err(path, e))?;
        // Several processes share the file: wait for a writer instead of failing at once.
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(|e| err(path, e))?;
        // Two processes opening a new store at once (a CLI run beside the app, tests in
        // parallel): switching to WAL and creating the schema take locks that SQLite's busy
        // handler does not wait for, so those steps are retried for a while.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            match setup(&conn) {
                Ok(()) => break,
                Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => return Err(err(path, e)),
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut conn).map_err(|e| err(&self.path, e))
    }
}

fn err(path: &Path, e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> StoreError {
    StoreError {
        location: path.display().to_string(),
        source: e.into(),
    }
}

fn setup(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // NORMAL is durable across process crashes in WAL mode (only a power cut can lose the
    // last transactions), and keeps each update off the fsync path.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    migrate(conn)
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn migrate(conn: &Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if version < 1 {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS jobs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                key TEXT NOT NULL,
                input TEXT NOT NULL,
                title TEXT NOT NULL,
                options TEXT NOT NULL,
                status TEXT NOT NULL,
                stage TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                error_kind TEXT,
                work_dir TEXT NOT NULL,
                outputs TEXT NOT NULL DEFAULT '[]',
                manifest TEXT,
                cancel_requested INTEGER NOT NULL DEFAULT 0,
                owner TEXT,
                created REAL NOT NULL,
                updated REAL NOT NULL,
                heartbeat REAL NOT NULL DEFAULT 0
            );
            CREATE INDEX IF NOT EXISTS jobs_key ON jobs(key);
            CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);",
        )?;
    }
    conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    Ok(())
}

const COLUMNS: &str = "id, key, input, title, options, status, stage, attempts, error, error_kind, \
                       work_dir, outputs, manifest, cancel_requested, owner, created, updated, heartbeat";

fn record(r: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let status: String = r.get(5)?;
    let stage: Option<String> = r.get(6)?;
    let kind: Option<String> = r.get(9)?;
    let outputs: String = r.get(11)?;
    Ok(JobRecord {
        id: JobId(r.get(0)?),
        key: r.get(1)?,
        input: r.get(2)?,
        title: r.get(3)?,
        options: r.get(4)?,
        // An unknown word (a newer version wrote it) reads as queued: the job is redone
        // rather than lost.
        status: JobStatus::parse(&status).unwrap_or(JobStatus::Queued),
        stage: stage.as_deref().and_then(Stage::parse),
        attempts: r.get(7)?,
        error: r.get(8)?,
        error_kind: kind.and_then(|k| serde_json::from_value(serde_json::Value::String(k)).ok()),
        work_dir: r.get(10)?,
        outputs: serde_json::from_str(&outputs).unwrap_or_default(),
        manifest: r.get(12)?,
        cancel_requested: r.get::<_, i64>(13)? != 0,
        owner: r.get(14)?,
        created: r.get(15)?,
        updated: r.get(16)?,
        heartbeat: r.get(17)?,
    })
}

fn kind_str(k: ErrorKind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl JobStore for SqliteStore {
    fn insert(&self, job: NewJob) -> Result<JobRecord, StoreError> {
        let t = now();
        let id = self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO jobs (key, input, title, options, status, work_dir, created, updated)
                 VALUES (?1, ?2, ?3, ?4, 'queued', '', ?5, ?5)",
                params![job.key, job.input, job.title, job.options, t],
            )?;
            let id = tx.last_insert_rowid();
            // The work folder is named after the id, known only now.
            let work = Path::new(&job.work_root).join(id.to_string());
            tx.execute(
                "UPDATE jobs SET work_dir = ?1 WHERE id = ?2",
                params![work.to_string_lossy(), id],
            )?;
            tx.commit()?;
            Ok(id)
        })?;
        self.get(JobId(id))?
            .ok_or_else(|| err(&self.path, "inserted job vanished"))
    }

    fn get(&self, id: JobId) -> Result<Option<JobRecord>, StoreError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
                [id.0],
                record,
            )
            .optional()
        })
    }

    fn find_key(&self, key: &str) -> Result<Option<JobRecord>, StoreError> {
        self.with(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM jobs WHERE key = ?1 ORDER BY id DESC LIMIT 1"),
                [key],
                record,
            )
            .optional()
        })
    }

    fn list(&self) -> Result<Vec<JobRecord>, StoreError> {
        self.with(|c| {
            let mut st = c.prepare(&format!("SELECT {COLUMNS} FROM jobs ORDER BY id"))?;
            let rows = st.query_map([], record)?;
            rows.collect()
        })
    }

    fn update(&self, id: JobId, ch: JobUpdate) -> Result<(), StoreError> {
        self.with(|c| {
            let tx = c.transaction()?;
            if let Some(s) = ch.status {
                tx.execute(
                    "UPDATE jobs SET status = ?1 WHERE id = ?2",
                    params![s.as_str(), id.0],
                )?;
            }
            if let Some(s) = ch.stage {
                tx.execute(
                    "UPDATE jobs SET stage = ?1 WHERE id = ?2",
                    params![s.as_str(), id.0],
                )?;
            }
            if let Some(t) = ch.title {
                tx.execute("UPDATE jobs SET title = ?1 WHERE id = ?2", params![t, id.0])?;
            }
            if let Some(a) = ch.attempts {
                tx.execute(
                    "UPDATE jobs SET attempts = ?1 WHERE id = ?2",
                    params![a, id.0],
                )?;
            }
            if let Some(e) = ch.error {
                let (kind, msg) = match e {
                    Some((k, m)) => (Some(kind_str(k)), Some(m)),
                    None => (None, None),
                };
                tx.execute(
                    "UPDATE jobs SET error = ?1, error_kind = ?2 WHERE id = ?3",
                    params![msg, kind, id.0],
                )?;
            }
            if let Some(o) = ch.outputs {
                let json = serde_json::to_string(&o).unwrap_or_else(|_| "[]".into());
                tx.execute(
                    "UPDATE jobs SET outputs = ?1 WHERE id = ?2",
                    params![json, id.0],
                )?;
            }
            if let Some(m) = ch.manifest {
                tx.execute(
                    "UPDATE jobs SET manifest = ?1 WHERE id = ?2",
                    params![m, id.0],
                )?;
            }
            if let Some(o) = ch.owner {
                tx.execute(
                    "UPDATE jobs SET owner = ?1, heartbeat = ?2 WHERE id = ?3",
                    params![o, now(), id.0],
                )?;
            }
            if let Some(c) = ch.cancel_requested {
                tx.execute(
                    "UPDATE jobs SET cancel_requested = ?1 WHERE id = ?2",
                    params![c as i64, id.0],
                )?;
            }
            tx.execute(
                "UPDATE jobs SET updated = ?1 WHERE id = ?2",
                params![now(), id.0],
            )?;
            tx.commit()
        })
    }

    fn claim(&self, id: JobId, owner: &str, stale_before: f64) -> Result<bool, StoreError> {
        self.with(|c| {
            // One statement: two processes racing for the same job cannot both win.
            let n = c.execute(
                "UPDATE jobs SET owner = ?1, heartbeat = ?2, updated = ?2
                 WHERE id = ?3 AND (owner IS NULL OR owner = ?1 OR heartbeat < ?4)",
                params![owner, now(), id.0, stale_before],
            )?;
            Ok(n == 1)
        })
    }

    fn heartbeat(&self, owner: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE jobs SET heartbeat = ?1 WHERE owner = ?2",
                params![now(), owner],
            )
            .map(|_| ())
        })
    }

    fn requested_cancels(&self, owner: &str) -> Result<Vec<JobId>, StoreError> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT id FROM jobs WHERE owner = ?1 AND cancel_requested = 1 AND status IN ('queued', 'running')",
            )?;
            let rows = st.query_map([owner], |r| r.get(0).map(JobId))?;
            rows.collect()
        })
    }

    fn remove(&self, id: JobId) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("DELETE FROM jobs WHERE id = ?1", [id.0])
                .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn new(key: &str) -> NewJob {
        NewJob {
            key: key.into(),
            input: "in.mp4".into(),
            title: "in".into(),
            options: "{}".into(),
            work_root: "/w".into(),
        }
    }

    #[test]
    fn jobs_survive_reopening_and_updates_apply() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.db");
        let id = {
            let s = SqliteStore::open(&path).unwrap();
            let j = s.insert(new("k1")).unwrap();
            assert_eq!(j.status, JobStatus::Queued);
            assert_eq!(j.work_dir, format!("/w/{}", j.id));
            s.update(
                j.id,
                JobUpdate {
                    status: Some(JobStatus::Failed),
                    stage: Some(Stage::Render),
                    error: Some(Some((ErrorKind::InputInvalid, "bad".into()))),
                    outputs: Some(vec!["a.mp4".into()]),
                    ..Default::default()
                },
            )
            .unwrap();
            j.id
        };
        let s = SqliteStore::open(&path).unwrap();
        let j = s.get(id).unwrap().unwrap();
        assert_eq!(j.status, JobStatus::Failed);
        assert_eq!(j.stage, Some(Stage::Render));
        assert_eq!(j.error_kind, Some(ErrorKind::InputInvalid));
        assert_eq!(j.error.as_deref(), Some("bad"));
        assert_eq!(j.outputs, vec!["a.mp4".to_string()]);
        assert_eq!(s.find_key("k1").unwrap().unwrap().id, id);
        assert!(s.find_key("nope").unwrap().is_none());
        s.update(
            id,
            JobUpdate {
                error: Some(None),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(s.get(id).unwrap().unwrap().error.is_none());
        s.remove(id).unwrap();
        assert!(s.list().unwrap().is_empty());
    }

    #[test]
    fn a_live_owner_keeps_its_job_and_a_stale_one_loses_it() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStore::open(&dir.path().join("jobs.db")).unwrap();
        let id = s.insert(new("k")).unwrap().id;
        assert!(s.claim(id, "a:1", 0.0).unwrap());
        // b cannot take it while a's heartbeat is newer than the staleness limit...
        assert!(!s.claim(id, "b:2", now() - 30.0).unwrap());
        // ...a can re-claim its own...
        assert!(s.claim(id, "a:1", now() - 30.0).unwrap());
        // ...and b can once a is considered gone.
        assert!(s.claim(id, "b:2", now() + 1.0).unwrap());
        assert_eq!(s.get(id).unwrap().unwrap().owner.as_deref(), Some("b:2"));
    }

    #[test]
    fn many_openers_of_a_new_store_all_succeed() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("jobs.db");
            let opened: Vec<bool> = std::thread::scope(|s| {
                let hs: Vec<_> = (0..8)
                    .map(|_| s.spawn(|| SqliteStore::open(&path).is_ok()))
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert!(opened.iter().all(|&ok| ok), "{opened:?}");
        }
    }

    #[test]
    fn two_connections_see_each_others_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.db");
        let a = SqliteStore::open(&path).unwrap();
        let b = SqliteStore::open(&path).unwrap();
        let id = a.insert(new("k")).unwrap().id;
        b.update(
            id,
            JobUpdate {
                cancel_requested: Some(true),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(a.get(id).unwrap().unwrap().cancel_requested);
        let mode: String = a
            .with(|c| c.pragma_query_value(None, "journal_mode", |r| r.get(0)))
            .unwrap();
        assert_eq!(mode, "wal");
    }
}
