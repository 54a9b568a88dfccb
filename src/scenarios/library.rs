//! The scenario catalogue: the embedded built-ins, overridden by files of the same name.
//!
//! Readers get an `Arc<Scenario>` snapshot, so a reload never changes a session that already
//! holds its scenario.

use std::{collections::BTreeMap, sync::Arc};

use include_dir::{include_dir, Dir};
use parking_lot::RwLock;
use serde::Serialize;

use super::model::Scenario;

/// The built-in catalogue, embedded from `scenarios/` at build time.
pub static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");

/// Where a catalogue entry came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    /// Embedded in the binary.
    Builtin,
    /// A file in the scenarios directory.
    File,
}

/// One catalogue entry: the last good version and, when the latest file is broken, its error.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The name used to select it.
    pub name: String,
    /// Where it came from.
    pub source: Source,
    /// The last valid version (None if the file never parsed).
    pub scenario: Option<Arc<Scenario>>,
    /// Error of the latest version, `file:line:column: message`.
    pub error: Option<String>,
}

/// The catalogue.
#[derive(Default)]
pub struct ScenarioLibrary {
    entries: RwLock<BTreeMap<String, Entry>>,
}

impl ScenarioLibrary {
    /// The embedded catalogue only.
    pub fn builtin() -> Self {
        let lib = ScenarioLibrary::default();
        {
            let mut entries = lib.entries.write();
            for file in BUILTIN.files() {
                let path = file.path();
                if path.extension().and_then(|e| e.to_str()) != Some("json") {
                    continue;
                }
                let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                let text = file.contents_utf8().unwrap_or_default();
                let (scenario, error) = match serde_json::from_str::<Scenario>(text) {
                    Ok(s) => (Some(Arc::new(s)), None),
                    Err(e) => (
                        None,
                        Some(format!(
                            "builtin:{}:{}:{}: {}",
                            path.display(),
                            e.line(),
                            e.column(),
                            e
                        )),
                    ),
                };
                let name = scenario
                    .as_ref()
                    .and_then(|s| s.name.clone())
                    .unwrap_or_else(|| stem.to_string());
                entries.insert(
                    name.clone(),
                    Entry {
                        name,
                        source: Source::Builtin,
                        scenario,
                        error,
                    },
                );
            }
        }
        lib
    }

    /// The current valid version of `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Scenario>> {
        self.entries
            .read()
            .get(name)
            .and_then(|e| e.scenario.clone())
    }

    /// Every entry, sorted by name.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries.read().values().cloned().collect()
    }

    /// Replaces or adds an entry (used by the loader and the watcher).
    pub fn put(&self, entry: Entry) {
        self.entries.write().insert(entry.name.clone(), entry);
    }
}
