//! The scenario catalogue: the embedded built-ins, overridden by files of the same name.
//!
//! Readers get an `Arc<Scenario>` snapshot, so a reload never changes a session that already
//! holds its scenario. [`ScenarioLibrary::reload`] re-reads the whole directory each time, which
//! is robust to every editor save pattern (temp file + rename, truncate + write, symlink swap):
//! whatever the sequence of events, the catalogue ends up matching what is on disk, except that
//! a broken file never replaces the last good version of its scenario.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    sync::{Arc, OnceLock},
};

use include_dir::{include_dir, Dir};
use parking_lot::{Mutex, RwLock};
use serde::Serialize;

use super::{model::Scenario, validate};

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
    /// Error of the latest version, `file:line:column: message` (one line per problem).
    pub error: Option<String>,
    /// When the current valid version was loaded from its file (None for built-ins), so people
    /// and `bench/reload.sh` can see how soon after a save a change was applied.
    pub loaded_at: Option<time::OffsetDateTime>,
}

impl Entry {
    /// The listing shape of `GET /__emulator/scenarios`: `{name, description, source, valid,
    /// playable, aliases?, error?, loadedAt?}` (`playable`: a version can be played, the last
    /// good one when the latest file is invalid).
    pub fn listing(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "name": self.name,
            "description": self.scenario.as_ref().map(|s| s.description.clone()).unwrap_or_default(),
            "source": self.source,
            "valid": self.error.is_none(),
            "playable": self.scenario.is_some(),
        });
        let aliases: Vec<&str> = ALIASES
            .iter()
            .filter(|(_, to)| *to == self.name)
            .map(|(from, _)| *from)
            .collect();
        if !aliases.is_empty() {
            v["aliases"] = serde_json::json!(aliases);
        }
        if let Some(e) = &self.error {
            v["error"] = serde_json::Value::String(e.clone());
        }
        if let Some(at) = self.loaded_at {
            v["loadedAt"] = serde_json::Value::String(crate::time_format::iso_millis(at));
        }
        v
    }

    fn same_as(&self, other: &Entry) -> bool {
        self.name == other.name
            && self.source == other.source
            && self.error == other.error
            && match (&self.scenario, &other.scenario) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b) || a == b,
                (None, None) => true,
                _ => false,
            }
    }
}

/// Old names that keep working: (old name, current name). `timeout` was renamed when the
/// capture-time-limit TIMEOUT result joined the catalogue, so a user picks the right one.
/// A file of the old name in the scenarios folder is a scenario of its own and wins.
pub const ALIASES: [(&str, &str); 1] = [("timeout", "no-face-timeout")];

/// Why a name cannot be played.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// No scenario has that name; the closest name when it looks like a typo.
    Unknown {
        /// The name asked for.
        name: String,
        /// A close catalogue name.
        did_you_mean: Option<String>,
    },
    /// The scenario's file exists but has never been valid.
    Invalid {
        /// The name asked for.
        name: String,
        /// Its problems, `file:line:column: message` lines.
        error: String,
    },
}

impl Unavailable {
    /// The sentence an API answer carries.
    pub fn message(&self) -> String {
        match self {
            Unavailable::Unknown { name, did_you_mean } => {
                let hint = did_you_mean
                    .as_ref()
                    .map(|s| format!(": did you mean '{s}'?"))
                    .unwrap_or_default();
                format!("Unknown scenario '{name}'{hint} (see GET /__emulator/scenarios)")
            }
            Unavailable::Invalid { name, error } => format!(
                "Scenario '{name}' is invalid, so it cannot be played (fix its file; the catalogue reloads it): {error}"
            ),
        }
    }
}

/// The answer for a name that cannot be played, the same on every surface (init, GIPS, admin
/// default/queue/pin, page hint endpoint): 404 for an unknown name, with `didYouMean` when one
/// is close; 422 for a scenario whose file exists but has no valid version, with its problems.
impl From<Unavailable> for crate::error::ApiError {
    fn from(u: Unavailable) -> Self {
        use crate::error::ApiError;
        match &u {
            Unavailable::Unknown { did_you_mean, .. } => {
                let e = ApiError::not_found(u.message());
                match did_you_mean {
                    Some(s) => e.with("didYouMean", s.clone()),
                    None => e,
                }
            }
            Unavailable::Invalid { error, .. } => {
                ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, u.message()).with(
                    "problems",
                    error.lines().map(str::to_string).collect::<Vec<_>>(),
                )
            }
        }
    }
}

/// The catalogue: built-in scenarios overlaid by the `--scenarios` directory. It keeps the last
/// good version of each file, so a broken edit never changes what sessions play.
#[derive(Default)]
pub struct ScenarioLibrary {
    entries: RwLock<BTreeMap<String, Entry>>,
    /// The directory layered over the built-ins, if any.
    dir: Option<PathBuf>,
    /// The file texts seen by the last reload (so an unchanged directory is a cheap no-op).
    seen: Mutex<Option<FolderTexts>>,
    /// Why the folder itself cannot be read, if it cannot (listed with the scenarios).
    folder_error: RwLock<Option<String>>,
    /// The playable scenarios that have match rules, by name, rebuilt with `entries`: every
    /// session creation looks for a fitting rule, and scanning the whole catalogue for the few
    /// that have one was ~1,000 instructions per init-liveness-session.
    with_match_rules: RwLock<Vec<(String, Arc<Scenario>)>>,
}

/// File name → text (or why it cannot be read), and the folder's own error.
type FolderTexts = (BTreeMap<String, Result<String, String>>, Option<String>);

/// The built-ins, parsed once: name → (scenario, file text).
fn builtins() -> &'static BTreeMap<String, (Arc<Scenario>, &'static str)> {
    static PARSED: OnceLock<BTreeMap<String, (Arc<Scenario>, &'static str)>> = OnceLock::new();
    PARSED.get_or_init(|| {
        let mut map = BTreeMap::new();
        for file in BUILTIN.files() {
            let path = file.path();
            if !validate::is_scenario_file(path) {
                continue;
            }
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let text = file.contents_utf8().unwrap_or_default();
            match validate::validate_text(stem, text) {
                Ok(s) => {
                    map.insert(stem.to_string(), (Arc::new(s), text));
                }
                Err(problems) => tracing::error!(
                    "built-in scenario is invalid: {}",
                    validate::report(&format!("builtin:{}", path.display()), &problems)
                ),
            }
        }
        map
    })
}

/// The names of the built-in scenarios, sorted.
pub fn builtin_names() -> Vec<String> {
    builtins().keys().cloned().collect()
}

/// The text of a built-in scenario file.
pub fn builtin_text(name: &str) -> Option<&'static str> {
    builtins().get(name).map(|(_, t)| *t)
}

impl ScenarioLibrary {
    /// The embedded catalogue only.
    pub fn builtin() -> Self {
        let lib = ScenarioLibrary::default();
        lib.replace_all(builtin_entries());
        lib
    }

    /// The embedded catalogue with `dir`'s files layered over it (loaded now; see [`Self::reload`]).
    pub fn load(dir: Option<PathBuf>) -> Self {
        let lib = ScenarioLibrary {
            dir,
            ..ScenarioLibrary::builtin()
        };
        lib.reload();
        lib
    }

    /// The directory layered over the built-ins.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The current valid version of `name` (an old name in [`ALIASES`] gives its successor).
    pub fn get(&self, name: &str) -> Option<Arc<Scenario>> {
        // Hot path (every session creation, every sessionless request): no suggestion work.
        self.entry_ref(name, |e| e.and_then(|e| e.scenario.clone()))
    }

    /// `f` applied to the entry called `name` (or the successor of an old name), in place.
    fn entry_ref<R>(&self, name: &str, f: impl FnOnce(Option<&Entry>) -> R) -> R {
        f(lookup(&self.entries.read(), name))
    }

    /// The playable version of `name`, or why there is none: unknown (with a "did you mean")
    /// or present but never valid (with its `file:line:column` problems).
    pub fn resolve(&self, name: &str) -> Result<Arc<Scenario>, Unavailable> {
        let entries = self.entries.read();
        match lookup(&entries, name) {
            Some(e) => e.scenario.clone().ok_or_else(|| Unavailable::Invalid {
                name: name.to_string(),
                error: e.error.clone().unwrap_or_default(),
            }),
            None => Err(Unavailable::Unknown {
                name: name.to_string(),
                did_you_mean: crate::scenarios::shape::did_you_mean(
                    name,
                    entries
                        .keys()
                        .map(String::as_str)
                        .chain(ALIASES.iter().map(|(from, _)| *from)),
                ),
            }),
        }
    }

    /// The entry called `name` (or the successor of an old name).
    pub fn entry(&self, name: &str) -> Option<Entry> {
        self.entry_ref(name, |e| e.cloned())
    }

    /// `GET /__emulator/scenarios`: every entry's listing, then the folder's own problem (an
    /// unreadable folder) as an entry with `source: "folder"`, so nothing fails silently.
    pub fn listing(&self) -> Vec<serde_json::Value> {
        let mut out: Vec<serde_json::Value> =
            self.entries.read().values().map(Entry::listing).collect();
        if let (Some(error), Some(dir)) = (self.folder_error.read().clone(), &self.dir) {
            out.push(serde_json::json!({
                "name": dir.display().to_string(),
                "description": "The scenarios folder",
                "source": "folder",
                "valid": false,
                "playable": false,
                "error": error,
            }));
        }
        out
    }

    /// Every entry, sorted by name.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries.read().values().cloned().collect()
    }

    /// The first `f(name, scenario)` that is `Some`, over the playable scenarios that have match
    /// rules, taken by name (what creation matches every request against).
    pub fn find_with_match_rules<R>(
        &self,
        f: impl FnMut(&(String, Arc<Scenario>)) -> Option<R>,
    ) -> Option<R> {
        self.with_match_rules.read().iter().find_map(f)
    }

    /// Replaces or adds an entry (used by tests and tools that build a catalogue in memory).
    pub fn put(&self, entry: Entry) {
        let mut entries = self.entries.write();
        entries.insert(entry.name.clone(), entry);
        self.note_match_rules(&entries);
    }

    /// Re-reads the directory and rebuilds the catalogue; returns whether anything changed.
    /// Invalid files keep the last good version of their scenario and carry the error.
    pub fn reload(&self) -> bool {
        let Some(dir) = &self.dir else {
            return false;
        };
        let (texts, folder_error) = read_dir_texts(dir);
        {
            let mut seen = self.seen.lock();
            let now = (texts.clone(), folder_error.clone());
            if seen.as_ref() == Some(&now) {
                return false;
            }
            *seen = Some(now);
        }
        let folder_changed = *self.folder_error.read() != folder_error;
        if folder_changed {
            if let Some(e) = &folder_error {
                tracing::warn!("{e}");
            }
            *self.folder_error.write() = folder_error;
        }
        let old = self.entries.read().clone();
        let mut next = builtin_entries();
        for (file_name, text) in &texts {
            let path = dir.join(file_name);
            let shown = path.display().to_string();
            let stem = file_name.trim_end_matches(".json").to_string();
            let outcome = match text {
                Ok(text) => {
                    if builtin_text(&stem) == Some(text.as_str()) {
                        continue; // a copy of the built-in: keep it listed as built-in
                    }
                    validate::validate_text(&stem, text)
                        .map_err(|problems| validate::report(&shown, &problems))
                }
                Err(e) => Err(format!("{shown}:1:1: {e}")),
            };
            let entry = match outcome {
                Ok(scenario) => {
                    let previous = old.get(&stem);
                    let (scenario, loaded_at) = match previous.and_then(|e| e.scenario.clone()) {
                        Some(prev) if *prev == scenario => {
                            (prev, previous.and_then(|e| e.loaded_at))
                        }
                        _ => (Arc::new(scenario), Some(time::OffsetDateTime::now_utc())),
                    };
                    Entry {
                        name: stem.clone(),
                        source: Source::File,
                        scenario: Some(scenario),
                        error: None,
                        loaded_at: loaded_at.or_else(|| Some(time::OffsetDateTime::now_utc())),
                    }
                }
                Err(error) => {
                    let last_good = old
                        .get(&stem)
                        .and_then(|e| e.scenario.clone())
                        .or_else(|| next.get(&stem).and_then(|e| e.scenario.clone()));
                    if old.get(&stem).and_then(|e| e.error.as_ref()) != Some(&error) {
                        tracing::warn!("scenario file rejected (last good version kept):\n{error}");
                    }
                    Entry {
                        name: stem.clone(),
                        source: Source::File,
                        scenario: last_good,
                        error: Some(error),
                        loaded_at: old.get(&stem).and_then(|e| e.loaded_at),
                    }
                }
            };
            next.insert(stem, entry);
        }
        let changed = folder_changed
            || old.len() != next.len()
            || old
                .iter()
                .zip(next.iter())
                .any(|((ka, a), (kb, b))| ka != kb || !a.same_as(b));
        if changed {
            tracing::info!(dir = %dir.display(), scenarios = next.len(), "scenario catalogue reloaded");
            self.replace_all(next);
        }
        changed
    }

    /// Puts `next` in place of every entry.
    fn replace_all(&self, next: BTreeMap<String, Entry>) {
        let mut entries = self.entries.write();
        *entries = next;
        self.note_match_rules(&entries);
    }

    /// Rebuilds the list of scenarios with match rules from `entries`, the catalogue just written
    /// (still under its write lock: two reloads cannot interleave their lists; a creation racing
    /// a reload matches against the previous list, as it would have the previous catalogue).
    fn note_match_rules(&self, entries: &BTreeMap<String, Entry>) {
        *self.with_match_rules.write() = entries
            .values()
            .filter_map(|e| {
                let s = e.scenario.as_ref()?;
                (!s.match_rules.is_empty()).then(|| (e.name.clone(), s.clone()))
            })
            .collect();
    }
}

fn builtin_entries() -> BTreeMap<String, Entry> {
    builtins()
        .iter()
        .map(|(name, (scenario, _))| {
            (
                name.clone(),
                Entry {
                    name: name.clone(),
                    source: Source::Builtin,
                    scenario: Some(scenario.clone()),
                    error: None,
                    loaded_at: None,
                },
            )
        })
        .collect()
}

/// File name → text (or why it cannot be one) of every `*.json` entry of `dir`, and the folder's
/// own error; a missing folder is no error (the default `./scenarios` is optional).
fn read_dir_texts(dir: &Path) -> FolderTexts {
    let scan = validate::scan(dir);
    let folder_error = scan
        .folder_error
        .filter(|(kind, _)| *kind != std::io::ErrorKind::NotFound)
        .map(|(_, message)| message);
    let mut out = BTreeMap::new();
    for (_, name, message) in scan.problems {
        out.insert(name, Err(message));
    }
    for path in scan.files {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        out.insert(name.to_string(), validate::read_scenario_file(&path));
    }
    (out, folder_error)
}

/// The entry called `name` in `entries`, or the one an old name (an alias) now stands for.
fn lookup<'a>(entries: &'a BTreeMap<String, Entry>, name: &str) -> Option<&'a Entry> {
    entries.get(name).or_else(|| {
        ALIASES
            .iter()
            .find(|(from, _)| *from == name)
            .and_then(|(_, to)| entries.get(*to))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_scenario_is_valid_and_described() {
        let names = builtin_names();
        for name in [
            "success",
            "spoof",
            "no-face-timeout",
            "capture-timeout",
            "poor-quality",
            "lockout",
            "camera-denied",
            "server-overloaded",
            "init-backpressure",
            "services-down",
            "weak-network",
            "unsupported-browser",
            "no-match",
            "gips-rejected",
            "callback-failure",
            "disconnect",
        ] {
            assert!(names.contains(&name.to_string()), "missing built-in {name}");
        }
        for file in BUILTIN
            .files()
            .filter(|f| validate::is_scenario_file(f.path()))
        {
            let stem = file
                .path()
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let s = validate::validate_text(stem, file.contents_utf8().unwrap_or_default())
                .unwrap_or_else(|p| panic!("{}: {}", stem, validate::report(stem, &p)));
            assert!(!s.description.is_empty(), "{stem} has no description");
        }
    }

    #[test]
    fn a_directory_file_overrides_a_builtin_and_deleting_it_restores_the_builtin() {
        let dir = tempfile::tempdir().unwrap();
        let lib = ScenarioLibrary::load(Some(dir.path().to_path_buf()));
        assert_eq!(lib.entry("spoof").unwrap().source, Source::Builtin);
        std::fs::write(dir.path().join("spoof.json"), r#"{"description": "mine"}"#).unwrap();
        assert!(lib.reload());
        let e = lib.entry("spoof").unwrap();
        assert_eq!(e.source, Source::File);
        assert_eq!(e.scenario.unwrap().description, "mine");
        std::fs::remove_file(dir.path().join("spoof.json")).unwrap();
        assert!(lib.reload());
        assert_eq!(lib.entry("spoof").unwrap().source, Source::Builtin);
        assert!(!lib.reload(), "an unchanged directory is not a change");
    }

    #[test]
    fn a_broken_edit_keeps_the_last_good_version() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mine.json");
        std::fs::write(&file, r#"{"description": "v1"}"#).unwrap();
        let lib = ScenarioLibrary::load(Some(dir.path().to_path_buf()));
        std::fs::write(
            &file,
            "{\"description\": \"v2\",\n \"result\": {\"age\": -4}}",
        )
        .unwrap();
        assert!(lib.reload());
        let e = lib.entry("mine").unwrap();
        assert_eq!(e.scenario.clone().unwrap().description, "v1");
        let error = e.error.clone().unwrap();
        assert!(
            error.starts_with(&format!("{}:2:13: age -4", file.display())),
            "{error}"
        );
        assert_eq!(e.listing()["valid"], false);
    }

    #[test]
    fn a_file_that_was_never_valid_has_no_scenario() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("broken.json"), "{").unwrap();
        std::fs::write(dir.path().join(".hidden.json"), "{").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "{").unwrap();
        let lib = ScenarioLibrary::load(Some(dir.path().to_path_buf()));
        let e = lib.entry("broken").unwrap();
        assert!(e.scenario.is_none());
        assert!(lib.get("broken").is_none());
        assert!(lib.entry(".hidden").is_none());
        assert!(lib.entry("notes").is_none());
    }
}
