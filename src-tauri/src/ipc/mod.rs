//! The window's IPC, declared once: the commands (in `list.rs`) and the events (below).
//! From these declarations come the invoke handler, the commands' permissions (build.rs),
//! and the typed TypeScript wrappers the UI calls — `ui/src/bindings/commands.ts` and
//! `events.ts`, written by the `bindings` test (see [`typescript`]). The UI never spells a
//! command or an event name itself.

use std::marker::PhantomData;

use reelcut_core::JobId;
use serde::Serialize;

use reelcut_core::health::HealthReport;

use crate::editor::{ClipEdit, ClipFrame, ClipPlan};
use crate::error::CommandError;
use crate::gallery::ClipView;
use crate::health::FreeSpace;
use crate::jobs::JobView;
use crate::models::{ImportedModel, ModelView};
use crate::options::RunRequest;
use crate::settings::Settings;
use crate::styles::StylePreview;

#[cfg(test)]
pub mod typescript;

/// A Tauri event the shell emits, with the type of its payload: what is emitted and what the
/// generated `listen` helper promises the UI are the same type.
pub struct IpcEvent<T> {
    pub name: &'static str,
    payload: PhantomData<fn(T)>,
}

impl<T: Serialize + Clone> IpcEvent<T> {
    const fn new(name: &'static str) -> Self {
        Self {
            name,
            payload: PhantomData,
        }
    }

    pub fn emit_to<R: tauri::Runtime>(
        &self,
        app: &tauri::AppHandle<R>,
        window: &str,
        payload: &T,
    ) -> tauri::Result<()> {
        use tauri::Emitter;
        app.emit_to(window, self.name, payload)
    }
}

/// The events, as `CONST js_name: Payload = "tauri name";`.
macro_rules! ipc_events {
    ($( $(#[doc = $doc:literal])* $konst:ident $js:ident : $ty:ty = $name:literal ; )*) => {
        $( $(#[doc = $doc])* pub const $konst: IpcEvent<$ty> = IpcEvent::new($name); )*

        #[cfg(test)]
        pub fn event_specs() -> Vec<typescript::EventSpec> {
            vec![$(typescript::EventSpec {
                konst: stringify!($konst),
                js: stringify!($js),
                name: $name,
                docs: &[$($doc),*],
                payload: typescript::TsType::of::<$ty>(),
            }),*]
        }
    };
}

ipc_events! {
    /// Everything the engine says about jobs, one engine event each, progress throttled
    /// (see forward.rs).
    ENGINE_EVENT engine: reelcut_core::Event = "reelcut://event";
    /// What the watched folder's watch did: watching, a video added, a file ignored, a
    /// failure (see watcher.rs).
    WATCH_EVENT watch: crate::watcher::WatchNotice = "reelcut://watch";
}

/// What `list.rs` turns into: the handler, the names, the generator's specs and a
/// compile-time check of every entry against its function.
macro_rules! ipc_commands {
    ($( $(#[doc = $doc:literal])* $name:ident { $($inj:ident),* } ( $($arg:ident : $ty:ty),* ) -> $ok:ty ; )*) => {
        /// Every command, by the name the window invokes it with.
        #[cfg_attr(not(test), allow(dead_code))]
        pub const COMMAND_NAMES: &[&str] = &[$(stringify!($name)),*];

        /// Tauri's invoke handler for every command in the list.
        pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$(crate::commands::$name),*]
        }

        #[cfg(test)]
        pub fn command_specs() -> Vec<typescript::CommandSpec> {
            vec![$(typescript::CommandSpec {
                name: stringify!($name),
                docs: &[$($doc),*],
                args: vec![$((stringify!($arg), typescript::TsType::of::<$ty>())),*],
                ok: typescript::TsType::of::<$ok>(),
            }),*]
        }

        /// Never called: it compiles only while each entry's arguments (types and order) and
        /// result match its function, so the generated wrappers cannot drift from the
        /// commands. (Argument names are not checked by the compiler; the E2E calls them.)
        #[allow(dead_code)]
        fn signatures_match() {
            $(typecheck(async {
                let _: Result<$ok, CommandError> =
                    crate::commands::$name($(injected!($inj),)* $(never::<$ty>()),*).await;
            });)*
        }
    };
}

/// What Tauri passes a command before the window's arguments, as a placeholder value.
macro_rules! injected {
    (state) => {
        never()
    };
    (app) => {
        never::<tauri::AppHandle<tauri::Wry>>()
    };
}

#[allow(dead_code)]
fn never<T>() -> T {
    unreachable!("only type-checked")
}

#[allow(dead_code)]
fn typecheck<F: std::future::Future>(_: F) {}

include!("list.rs");
