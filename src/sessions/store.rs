//! The concurrent, bounded, expiring store behind sessions and GIPS identities.
//!
//! Both live only as long as a client keeps using them and both must keep memory bounded under any
//! load, so they share one store: entries expire after a TTL of inactivity and, beyond a cap, the
//! least recently used go first (in the order of [`Expiring::evict_rank`]).

use std::{
    cmp::Ordering,
    collections::{BinaryHeap, HashMap, VecDeque},
    sync::{Arc, Weak},
    time::{Duration, Instant},
};

use parking_lot::{Mutex, RwLock};

use super::BioSession;

/// What the store needs to know about an entry to expire it.
pub trait Expiring {
    /// The id the entry is looked up by.
    fn key(&self) -> &str;
    /// Last activity (a lookup with [`BoundedStore::get`] counts as activity). It never goes back.
    fn touched_at(&self) -> Instant;
    /// Records activity now, so the TTL starts again.
    fn touch(&mut self);
    /// Eviction order when the store is over its cap: lower ranks go first (e.g. a finished
    /// session, which no client is still waiting on); `None` never goes, neither for the cap nor
    /// for the TTL (e.g. a session whose capture is running: its channel keeps it alive).
    /// Defaults to rank 0 (plain least-recently-used).
    ///
    /// A change that makes an entry go *sooner* (a lower rank, or a rank after `None`) must be
    /// followed by [`BoundedStore::reindex`]: the store's eviction order learns of later touches
    /// and of later-going changes by itself, not of those.
    fn evict_rank(&self) -> Option<u8> {
        Some(0)
    }
}

/// Entries by id, each behind its own lock. Cloning is cheap (the map is shared).
///
/// Beside the map, the store keeps its eviction order as *records*, (rank, last touch) as they
/// were when recorded, in an [`Order`], so that [`BoundedStore::insert_within`] finds the entry
/// to evict in O(1) (O(log n) at worst) instead of scanning every entry. A record may be stale:
/// a touch or a later-going change since makes the entry go *later* than it says, never sooner
/// (see [`Expiring::evict_rank`] for the one kind of change that must be told), so the first
/// record, once checked against its entry, is the entry to evict; a record that no longer
/// matches is put back as its entry is now.
pub struct BoundedStore<T> {
    inner: Arc<Shared<T>>,
}

/// Entries by id. Hashed with foldhash: the ids are the emulator's own (UUIDs it generated), so
/// nobody picks keys that collide, and SipHash was a fair part of a creation's cost.
type Map<T> = HashMap<Key, Arc<Mutex<T>>, foldhash::fast::RandomState>;

/// An id as the map keeps it: a UUID's 36 bytes inline in the map's own slot, so storing an entry
/// allocates no copy of its id and a lookup compares ids without following a pointer to memory
/// that, 10,000 sessions later, is cold. Other ids (tests, tools) are boxed. Looked up as bytes.
#[derive(Clone)]
enum Key {
    Uuid([u8; 36]),
    Other(Box<[u8]>),
}

impl Key {
    fn new(id: &str) -> Self {
        match <[u8; 36]>::try_from(id.as_bytes()) {
            Ok(bytes) => Key::Uuid(bytes),
            Err(_) => Key::Other(id.as_bytes().into()),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Uuid(bytes) => bytes,
            Key::Other(bytes) => bytes,
        }
    }
}

impl std::borrow::Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        self.bytes()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.bytes() == other.bytes()
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.bytes().hash(state)
    }
}

struct Shared<T> {
    map: RwLock<Map<T>>,
    /// What eviction keys count time from.
    origin: Instant,
    /// Eviction records. Lock order: `map`, then `order`, then an entry.
    order: Mutex<Order<T>>,
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared {
            map: RwLock::default(),
            origin: Instant::now(),
            order: Mutex::new(Order::default()),
        }
    }
}

/// An entry's place in the eviction order when it was recorded: its rank and last touch in one
/// number (see [`Shared::key`]), and the entry. The heap is a max-heap, so the ordering is
/// reversed: the soonest to go (lowest rank, then least recently touched) is greatest.
struct Record<T> {
    key: u64,
    entry: Weak<Mutex<T>>,
}

impl<T> Record<T> {
    fn of(entry: &Arc<Mutex<T>>, key: u64) -> Self {
        Record {
            key,
            entry: Arc::downgrade(entry),
        }
    }
}

impl<T> Shared<T> {
    /// `rank` in the top byte, then the last touch in microseconds since the store was made
    /// (2^56 µs is two thousand years): one comparison orders records, and a record is 16 bytes.
    /// (Two touches in the same microsecond count as one.)
    fn key(&self, rank: u8, touched: Instant) -> u64 {
        let micros = touched.saturating_duration_since(self.origin).as_micros();
        (u64::from(rank) << 56) | micros.min((1 << 56) - 1) as u64
    }

    /// The key of `entry` as it is now (`None`: it is never evicted).
    fn key_of(&self, entry: &T) -> Option<u64>
    where
        T: Expiring,
    {
        Some(self.key(entry.evict_rank()?, entry.touched_at()))
    }
}

/// The eviction records, soonest to go first. Records mostly arrive in order (a new entry's key
/// is its creation time), so those are a queue, appended and taken at the ends in O(1) and read
/// in memory order; the few that arrive out of order (a record put back after a touch, a
/// finished session's lower rank, two creations racing for the lock) wait in a heap beside it.
struct Order<T> {
    queue: VecDeque<Record<T>>,
    stragglers: BinaryHeap<Record<T>>,
}

impl<T> Default for Order<T> {
    fn default() -> Self {
        Order {
            queue: VecDeque::new(),
            stragglers: BinaryHeap::new(),
        }
    }
}

impl<T> Order<T> {
    fn push(&mut self, record: Record<T>) {
        match self.queue.back() {
            Some(last) if last.key > record.key => self.stragglers.push(record),
            _ => self.queue.push_back(record),
        }
    }

    /// The record that goes first.
    fn pop(&mut self) -> Option<Record<T>> {
        match (self.queue.front(), self.stragglers.peek()) {
            (Some(q), Some(s)) if s.key < q.key => self.stragglers.pop(),
            (Some(_), _) => self.queue.pop_front(),
            (None, _) => self.stragglers.pop(),
        }
    }

    fn len(&self) -> usize {
        self.queue.len() + self.stragglers.len()
    }

    fn clear(&mut self) {
        self.queue.clear();
        self.stragglers.clear();
    }

    fn retain(&mut self, keep: impl Fn(&Record<T>) -> bool) {
        self.queue.retain(&keep);
        self.stragglers.retain(keep);
    }

    /// Replaces the records with `records`, sorted into the queue.
    fn rebuild(&mut self, mut records: Vec<Record<T>>) {
        records.sort_unstable_by_key(|r| r.key);
        self.queue = records.into();
        self.stragglers.clear();
    }
}

impl<T> PartialEq for Record<T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Record<T> {}

impl<T> PartialOrd for Record<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> Ord for Record<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key.cmp(&self.key)
    }
}

impl<T> Clone for BoundedStore<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Default for BoundedStore<T> {
    fn default() -> Self {
        Self {
            inner: Arc::default(),
        }
    }
}

impl<T: Expiring> BoundedStore<T> {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an entry and returns the shared handle.
    pub fn insert(&self, entry: T) -> Arc<Mutex<T>> {
        self.insert_within(entry, usize::MAX)
    }

    /// Adds an entry, first evicting while the store holds `max` or more: the entries that go
    /// first by [`Expiring::evict_rank`], then least recently touched (as [`BoundedStore::sweep`]
    /// picks them; never one ranked `None`). So a flood of creations keeps the store at `max`,
    /// each creation evicting about one entry in O(1) (O(log n) at worst): no pass over every
    /// entry, and memory freed one session at a time rather than thousands at once. The new
    /// entry is not a candidate, so it is always kept.
    pub fn insert_within(&self, entry: T, max: usize) -> Arc<Mutex<T>> {
        let id = Key::new(entry.key());
        let key = self.inner.key_of(&entry);
        let shared = Arc::new(Mutex::new(entry));
        let mut evicted = Evicted::default();
        {
            let mut map = self.inner.map.write();
            let mut order = self.inner.order.lock();
            if map.len() >= max {
                let over = map.len() + 1 - max.max(1);
                evict(&self.inner, &mut map, &mut order, over, &mut evicted);
            }
            map.insert(id, shared.clone());
            if let Some(key) = key {
                order.push(Record::of(&shared, key));
            }
        }
        // Dropped after the locks are released.
        drop(evicted);
        shared
    }

    /// Tells the store that `entry` may now go sooner than before (a lower
    /// [`Expiring::evict_rank`], e.g. a session that just finished), so it is evicted in its
    /// new place. Call it without holding the entry's lock.
    pub fn reindex(&self, entry: &Arc<Mutex<T>>) {
        let key = self.inner.key_of(&entry.lock());
        if let Some(key) = key {
            self.inner.order.lock().push(Record::of(entry, key));
        }
    }

    /// Looks an entry up by id and marks it as touched (for the TTL).
    pub fn get(&self, id: &str) -> Option<Arc<Mutex<T>>> {
        let found = self.peek(id);
        if let Some(e) = &found {
            e.lock().touch();
        }
        found
    }

    /// Looks an entry up without touching it (for the dashboard, which must not keep sessions alive).
    pub fn peek(&self, id: &str) -> Option<Arc<Mutex<T>>> {
        self.inner.map.read().get(id.as_bytes()).cloned()
    }

    /// Number of entries held.
    pub fn len(&self) -> usize {
        self.inner.map.read().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many entries satisfy `f`: one pass, no copies (for counts derived from the entries,
    /// like the pins waiting in sessions, instead of a second table to keep in step).
    pub fn count(&self, f: impl Fn(&T) -> bool) -> usize {
        self.inner
            .map
            .read()
            .values()
            .filter(|e| f(&e.lock()))
            .count()
    }

    /// Forgets every entry (admin reset).
    pub fn clear(&self) {
        let mut map = self.inner.map.write();
        map.clear();
        self.inner.order.lock().clear();
    }

    /// Drops entries untouched for longer than `ttl`, then, beyond `max`, the least recently touched
    /// by [`Expiring::evict_rank`] (lower ranks first). Entries ranked `None` — a session whose
    /// capture channel is open — are kept whatever their age or the cap. Returns how many were
    /// dropped.
    ///
    /// The choice is made under the read lock (requests keep being served) and only the removals
    /// take the write lock, so a full store does not stall every request once a second; the
    /// entries removed are dropped after the write lock is released (freeing a few thousand
    /// sessions would otherwise park every request that looks one up meanwhile). The eviction
    /// records of the entries dropped are forgotten (so none keeps a dropped entry's memory), and
    /// when records have piled up (repeats), the same pass rebuilds them from the entries.
    pub fn sweep(&self, ttl: Duration, max: usize) -> usize {
        let (doomed, rebuilt): (Vec<Key>, bool) = {
            let map = self.inner.map.read();
            let order = self.inner.order.lock();
            let rebuild = order.len() > 2 * map.len() + 64;
            // Held through the pass when rebuilding: a `reindex` meanwhile lands in the new
            // records.
            let mut order = rebuild.then_some(order);
            let mut doomed = Vec::new();
            let over_cap = map.len() > max;
            // Sized once: over the cap (or to rebuild the records) every entry is a candidate.
            let mut candidates: Vec<(u8, Instant, &Key, &Arc<Mutex<T>>)> =
                Vec::with_capacity(if over_cap || rebuild { map.len() } else { 0 });
            let now = Instant::now();
            for (id, shared) in map.iter() {
                let e = shared.lock();
                let Some(rank) = e.evict_rank() else {
                    continue;
                };
                if now.saturating_duration_since(e.touched_at()) > ttl {
                    doomed.push(id.clone());
                } else if over_cap || rebuild {
                    candidates.push((rank, e.touched_at(), id, shared));
                }
            }
            let excess = (map.len() - doomed.len())
                .saturating_sub(max)
                .min(candidates.len());
            if excess > 0 {
                candidates.select_nth_unstable_by_key(excess - 1, |c| (c.0, c.1));
                doomed.reserve_exact(excess);
                doomed.extend(candidates[..excess].iter().map(|c| c.2.clone()));
            }
            if let Some(order) = order.as_mut() {
                order.rebuild(
                    candidates[excess..]
                        .iter()
                        .map(|c| Record::of(c.3, self.inner.key(c.0, c.1)))
                        .collect(),
                );
            }
            (doomed, rebuild)
        };
        if doomed.is_empty() {
            return 0;
        }
        let removed: Vec<Arc<Mutex<T>>> = {
            let mut map = self.inner.map.write();
            doomed.iter().filter_map(|id| map.remove(id)).collect()
        };
        let dropped = removed.len();
        drop(removed);
        if !rebuilt {
            // The records of the entries just dropped would keep their memory (a weak reference
            // keeps the allocation): forget them.
            self.inner
                .order
                .lock()
                .retain(|r| r.entry.strong_count() > 0);
        }
        dropped
    }
}

/// Evicts up to `n` entries in the order of the records (see [`BoundedStore`]), moving them to
/// `evicted` (dropped by the caller once the locks are released). An entry locked by someone
/// else is in use this instant: it is left for the next eviction rather than waited for (its
/// user may be waiting for the store).
fn evict<T: Expiring>(
    shared: &Shared<T>,
    map: &mut Map<T>,
    order: &mut Order<T>,
    n: usize,
    evicted: &mut Evicted<T>,
) {
    let mut busy = Vec::new();
    while evicted.count < n {
        let Some(record) = order.pop() else {
            break;
        };
        let Some(entry) = record.entry.upgrade() else {
            continue;
        };
        let Some(e) = entry.try_lock() else {
            busy.push(record);
            continue;
        };
        // Not evictable now: forgotten until it becomes so (`reindex`).
        let Some(key) = shared.key_of(&e) else {
            continue;
        };
        if key != record.key {
            drop(e);
            order.push(Record::of(&entry, key));
            continue;
        }
        match map.remove(e.key().as_bytes()) {
            Some(removed) if Arc::ptr_eq(&removed, &entry) => evicted.add(removed),
            // A record repeated (`reindex`) of an entry gone, or replaced under the same id
            // (after a reset): put the one stored back.
            Some(other) => {
                map.insert(Key::new(e.key()), other);
            }
            None => {}
        }
    }
    for record in busy {
        order.push(record);
    }
}

/// The entries one insertion evicted, held until the store's locks are released: usually one, so
/// it is kept inline (no list allocated per creation).
struct Evicted<T> {
    first: Option<Arc<Mutex<T>>>,
    more: Vec<Arc<Mutex<T>>>,
    count: usize,
}

impl<T> Default for Evicted<T> {
    fn default() -> Self {
        Evicted {
            first: None,
            more: Vec::new(),
            count: 0,
        }
    }
}

impl<T> Evicted<T> {
    fn add(&mut self, entry: Arc<Mutex<T>>) {
        match self.first {
            None => self.first = Some(entry),
            Some(_) => self.more.push(entry),
        }
        self.count += 1;
    }
}

/// A session shared between handlers; lock it briefly and never across an `.await`.
pub type SharedSession = Arc<Mutex<BioSession>>;

/// All live sessions by id; finished sessions are evicted first when over `--max-sessions`.
pub type SessionStore = BoundedStore<BioSession>;

impl Expiring for BioSession {
    fn key(&self) -> &str {
        &self.id
    }
    fn touched_at(&self) -> Instant {
        self.touched_at
    }
    fn touch(&mut self) {
        self.touched_at = Instant::now();
    }
    fn evict_rank(&self) -> Option<u8> {
        match self.state {
            state if state.is_terminal() => Some(0),
            super::SessionState::Created => Some(1),
            _ => None,
        }
    }
}

impl BoundedStore<BioSession> {
    /// Every session, newest first (the dashboard's and admin API's listing order).
    pub fn all(&self) -> Vec<SharedSession> {
        let mut v: Vec<SharedSession> = self.inner.map.read().values().cloned().collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.lock().created_at));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Entry {
        id: String,
        touched: Instant,
    }

    impl Expiring for Entry {
        fn key(&self) -> &str {
            &self.id
        }
        fn touched_at(&self) -> Instant {
            self.touched
        }
        fn touch(&mut self) {
            self.touched = Instant::now();
        }
    }

    fn entry(id: &str) -> Entry {
        Entry {
            id: id.into(),
            touched: Instant::now(),
        }
    }

    #[test]
    fn the_sweep_forgets_the_eviction_records_of_the_entries_it_drops() {
        let store = BoundedStore::new();
        for id in ["a", "b", "c"] {
            store.insert(entry(id));
        }
        std::thread::sleep(Duration::from_millis(2));
        store.get("c");
        assert_eq!(store.sweep(Duration::from_millis(1), 10), 2);
        assert_eq!(store.inner.order.lock().len(), 1);
    }

    #[test]
    fn repeated_records_are_rebuilt_from_the_entries_once_they_pile_up() {
        let store = BoundedStore::new();
        let a = store.insert(entry("a"));
        for _ in 0..100 {
            store.reindex(&a);
        }
        assert_eq!(store.sweep(Duration::from_secs(60), 10), 0);
        assert_eq!(store.inner.order.lock().len(), 1);
        // And the rebuilt records still evict.
        store.insert_within(entry("b"), 1);
        assert!(store.peek("a").is_none() && store.peek("b").is_some());
    }
}
