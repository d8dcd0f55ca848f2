//! The future event list.
//!
//! Events are popped in a total, documented order: by time, then by
//! priority (lower first), then by the sequence number given when the event
//! was scheduled (first scheduled, first popped). Ties are therefore never
//! broken by chance or by the queue's internals, and a run is a pure
//! function of its inputs and random streams.
//!
//! The structure is a timing wheel in front of sorted runs and binary heaps,
//! so that the cost per event does not grow with the number pending
//! (docs/performance.md):
//!
//! - time is cut into buckets of 1/8 day. The buckets being processed (and
//!   any earlier ones) are `near`: the events that were in the wheel,
//!   sorted once when taken from it and popped off the end, plus a small
//!   heap, `near_new`, of events scheduled into those buckets since;
//! - the next 1,023 buckets (about 128 days) are a ring of 1,024 unsorted vectors
//!   (`wheel`), with a bitmap of the non-empty ones: scheduling there is one
//!   push, whatever the number of events pending;
//! - events further ahead (long stays, readmissions months away) wait in a
//!   binary heap (`far`) and move into the wheel as it turns.
//!
//! When `near` runs dry, the next non-empty buckets (at least 32 events, so
//! that a small system does not refill for every event) are sorted into it.
//! A slot emptied so keeps room for at most 1,024 events, so the queue's
//! memory follows the events pending, not the largest bucket each slot
//! ever held.
//! Every bucket in `near` precedes every bucket in the wheel, which precedes
//! `far`, and the bucket of a time never decreases as the time grows, so the
//! smaller of `near`'s last and `near_new`'s first is the smallest key of
//! all. A single binary heap of n events costs O(log n) cache misses per pop
//! once n outgrows the cache (tens of thousands of people in a large
//! system); measured on the hold model (benches/engine.rs) this structure
//! keeps about half its speed from 1,000 to 100,000 pending events, where
//! the heap kept a quarter (docs/performance.md).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// Order among events at the same instant: lower runs first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(pub u8);

/// Scheduling that would break the event order.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    #[error("cannot schedule an event at {at} because the clock is already at {now}")]
    InThePast { now: SimTime, at: SimTime },
}

/// A pending event. The order key (time, priority, sequence) is packed in
/// one u128 so that the heaps compare a single integer: a non-negative
/// finite f64 orders like its bit pattern (times are never negative, since
/// the clock starts at zero and never goes back, and SimTime is never
/// -0.0), and the priority and a 56-bit sequence number share the low 64
/// bits.
struct Entry<E> {
    key: u128,
    event: E,
}

const SEQUENCE_BITS: u32 = 56;

/// Buckets per simulated day. A power of two, so the bucket of a time is
/// computed exactly (a multiplication by 8 only changes the exponent).
/// Measured against 32 (with a 4,096-bucket wheel) on the reference
/// network at scales 1 to 100 and on the baseline (docs/performance.md).
const BUCKETS_PER_DAY: f64 = 8.0;
/// Buckets in the wheel (a power of two): 128 days ahead.
const WHEEL_BUCKETS: u64 = 1024;
const WHEEL_MASK: u64 = WHEEL_BUCKETS - 1;
/// A refill of `near` takes buckets until it has at least this many events.
const NEAR_REFILL: usize = 32;
/// Most entries an empty wheel slot keeps room for: the idle slots then
/// hold at most 1,024 × 1,024 × 32 bytes (32 MiB), whatever the peak load.
const SLOT_KEPT: usize = 1024;

#[inline]
fn pack(time: SimTime, priority: Priority, sequence: u64) -> u128 {
    (u128::from(time.days().to_bits()) << 64)
        | (u128::from(priority.0) << SEQUENCE_BITS)
        | u128::from(sequence)
}

#[inline]
fn unpack_time(key: u128) -> SimTime {
    // Built only from finite times by `pack`.
    SimTime::new(f64::from_bits((key >> 64) as u64)).unwrap_or(SimTime::ZERO)
}

/// The bucket of a time: non-decreasing in the time (a product by a power
/// of two and a truncation are both monotone; huge times saturate).
#[inline]
fn bucket_of(time: SimTime) -> u64 {
    (time.days() * BUCKETS_PER_DAY) as u64
}

#[inline]
fn bucket_of_key(key: u128) -> u64 {
    bucket_of(unpack_time(key))
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<E> Eq for Entry<E> {}
impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<E> Ord for Entry<E> {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        // BinaryHeap is a max-heap: reverse so the smallest key pops first.
        other.key.cmp(&self.key)
    }
}

/// A clock and the events scheduled for it.
pub struct EventQueue<E> {
    /// Events in bucket `current` or earlier that were in the wheel when
    /// `near` was refilled, sorted by key, largest first (pops come off
    /// the end).
    near: Vec<Entry<E>>,
    /// Events scheduled into bucket `current` or earlier since the refill,
    /// by key (a heap, so that each costs O(log n), not a shift of `near`).
    near_new: BinaryHeap<Entry<E>>,
    /// The bucket `near` is taking events from.
    current: u64,
    /// Events in buckets current+1 ..= current+WHEEL_BUCKETS-1, bucket b at
    /// index b & WHEEL_MASK, unsorted.
    wheel: Vec<Vec<Entry<E>>>,
    /// One bit per wheel slot, set when the slot holds events.
    occupied: Vec<u64>,
    in_wheel: usize,
    /// Events in bucket current+WHEEL_BUCKETS or later, by key.
    far: BinaryHeap<Entry<E>>,
    now: SimTime,
    next_sequence: u64,
    popped: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue with the clock at zero.
    pub fn new() -> Self {
        EventQueue {
            near: Vec::new(),
            near_new: BinaryHeap::new(),
            current: 0,
            wheel: (0..WHEEL_BUCKETS).map(|_| Vec::new()).collect(),
            occupied: vec![0; (WHEEL_BUCKETS / 64) as usize],
            in_wheel: 0,
            far: BinaryHeap::new(),
            now: SimTime::ZERO,
            next_sequence: 0,
            popped: 0,
        }
    }

    /// The time of the event popped last (zero before the first).
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Schedules `event` at `time`; an event at the current instant is allowed.
    #[inline]
    pub fn schedule(
        &mut self,
        time: SimTime,
        priority: Priority,
        event: E,
    ) -> Result<(), ScheduleError> {
        if time < self.now {
            return Err(ScheduleError::InThePast {
                now: self.now,
                at: time,
            });
        }
        let sequence = self.next_sequence;
        // 2^56 events (about 7e16) would take years at any speed.
        self.next_sequence = (self.next_sequence + 1) & ((1 << SEQUENCE_BITS) - 1);
        self.insert(Entry {
            key: pack(time, priority, sequence),
            event,
        });
        Ok(())
    }

    /// Files an entry where the invariant puts it.
    #[inline]
    fn insert(&mut self, entry: Entry<E>) {
        let bucket = bucket_of_key(entry.key);
        if bucket <= self.current {
            self.near_new.push(entry);
        } else if bucket - self.current < WHEEL_BUCKETS {
            let slot = (bucket & WHEEL_MASK) as usize;
            self.wheel[slot].push(entry);
            self.occupied[slot / 64] |= 1 << (slot % 64);
            self.in_wheel += 1;
        } else {
            self.far.push(entry);
        }
    }

    /// Refills an empty `near` from the next non-empty buckets (false when
    /// no event is pending at all).
    #[cold]
    fn advance(&mut self) -> bool {
        debug_assert!(self.near.is_empty() && self.near_new.is_empty());
        if self.in_wheel == 0 {
            // Nothing in the next 128 days: jump to the earliest far event.
            let Some(first) = self.far.peek() else {
                return false;
            };
            self.current = bucket_of_key(first.key) - 1;
            self.pull_from_far();
        }
        // Take whole buckets until there are enough events to make the
        // refill worth its cost: a sparse wheel (a small system) would
        // otherwise refill for every event or two.
        let mut events = std::mem::take(&mut self.near);
        loop {
            let next = self.next_occupied_bucket();
            let slot = (next & WHEEL_MASK) as usize;
            self.occupied[slot / 64] &= !(1 << (slot % 64));
            self.current = next;
            let bucket = &mut self.wheel[slot];
            self.in_wheel -= bucket.len();
            events.append(bucket);
            // The slot keeps a modest allocation for the events it gets
            // next, not its peak: a slot is idle for most of its turn, and
            // 1,024 slots each keeping the largest bucket it ever held
            // cost over a hundred times the events pending when the load
            // grows (patients retrying their discharge daily: 4 GB at 3
            // million people). Shrinking costs a reallocation only for
            // buckets beyond SLOT_KEPT events.
            if bucket.capacity() > SLOT_KEPT {
                bucket.shrink_to(SLOT_KEPT);
            }
            self.pull_from_far();
            if events.len() >= NEAR_REFILL || self.in_wheel == 0 {
                break;
            }
        }
        events.sort_unstable_by_key(|e| std::cmp::Reverse(e.key));
        self.near = events;
        true
    }

    /// Moves far events whose bucket the wheel now reaches into it.
    fn pull_from_far(&mut self) {
        while let Some(first) = self.far.peek() {
            if bucket_of_key(first.key) - self.current >= WHEEL_BUCKETS {
                break;
            }
            if let Some(entry) = self.far.pop() {
                self.insert(entry);
            }
        }
    }

    /// The first bucket after `current` whose slot is occupied (there is
    /// one: `in_wheel` > 0).
    fn next_occupied_bucket(&self) -> u64 {
        let words = self.occupied.len();
        let start = ((self.current + 1) & WHEEL_MASK) as usize;
        // The first word, from the start bit on; then whole words, wrapping
        // round to the start word's low bits last.
        let (word, bit) = (start / 64, start % 64);
        let mut offset = 0u64;
        let masked = self.occupied[word] & (!0u64 << bit);
        if masked != 0 {
            // (Subtracting first: a saturated bucket is u64::MAX.)
            return self.current + 1 + (u64::from(masked.trailing_zeros()) - bit as u64);
        }
        offset += 64 - bit as u64;
        for k in 1..=words {
            let w = self.occupied[(word + k) % words];
            if w != 0 {
                return self.current + 1 + offset + u64::from(w.trailing_zeros());
            }
            offset += 64;
        }
        unreachable!("in_wheel > 0 but no slot is occupied")
    }

    /// Whether the next event is the smallest of `near_new` rather than
    /// the last of `near`, refilling first when both are empty; None when
    /// nothing is pending.
    #[inline]
    fn next_from_new(&mut self) -> Option<bool> {
        if self.near.is_empty() && self.near_new.is_empty() && !self.advance() {
            return None;
        }
        Some(match (self.near.last(), self.near_new.peek()) {
            (Some(sorted), Some(new)) => new.key < sorted.key,
            (None, _) => true,
            (Some(_), None) => false,
        })
    }

    /// Removes the next event in (time, priority, sequence) order and moves
    /// the clock to its time.
    #[inline]
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let entry = if self.next_from_new()? {
            self.near_new.pop()?
        } else {
            self.near.pop()?
        };
        self.now = unpack_time(entry.key);
        self.popped += 1;
        Some((self.now, entry.event))
    }

    /// The time of the next event, without removing it (it may file the
    /// next buckets' events into `near`, which changes no order).
    #[inline]
    pub fn peek_time(&mut self) -> Option<SimTime> {
        let entry = if self.next_from_new()? {
            self.near_new.peek()
        } else {
            self.near.last()
        };
        entry.map(|e| unpack_time(e.key))
    }

    /// The next event if it is already filed in `near` (no refill): lets
    /// the caller prefetch what that event will touch while it handles the
    /// current one.
    #[inline]
    pub fn peek_filed(&self) -> Option<&E> {
        match (self.near.last(), self.near_new.peek()) {
            (Some(sorted), Some(new)) if new.key < sorted.key => Some(&new.event),
            (Some(sorted), _) => Some(&sorted.event),
            (None, new) => new.map(|e| &e.event),
        }
    }

    /// Events waiting.
    pub fn len(&self) -> usize {
        self.near.len() + self.near_new.len() + self.in_wheel + self.far.len()
    }

    /// True when no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Events popped so far (the engine's event count).
    pub fn events_processed(&self) -> u64 {
        self.popped
    }

    /// Entries the queue has room for, pending or not: its memory is this
    /// times the size of an entry (32 bytes for the simulation's events).
    pub fn capacity(&self) -> usize {
        self.near.capacity()
            + self.near_new.capacity()
            + self.wheel.iter().map(Vec::capacity).sum::<usize>()
            + self.far.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(x: f64) -> SimTime {
        SimTime::new(x).unwrap()
    }

    #[test]
    fn pops_by_time_then_priority_then_sequence() {
        let mut q = EventQueue::new();
        q.schedule(t(2.0), Priority(0), "late").unwrap();
        q.schedule(t(1.0), Priority(2), "p2-first").unwrap();
        q.schedule(t(1.0), Priority(1), "p1").unwrap();
        q.schedule(t(1.0), Priority(2), "p2-second").unwrap();
        q.schedule(t(0.5), Priority(9), "early").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["early", "p1", "p2-first", "p2-second", "late"]);
        assert_eq!(q.now(), t(2.0));
        assert_eq!(q.events_processed(), 5);
    }

    #[test]
    fn refuses_to_schedule_into_the_past() {
        let mut q = EventQueue::new();
        q.schedule(t(3.0), Priority(0), ()).unwrap();
        q.pop();
        let err = q.schedule(t(2.0), Priority(0), ()).unwrap_err();
        assert_eq!(
            err,
            ScheduleError::InThePast {
                now: t(3.0),
                at: t(2.0)
            }
        );
        assert!(err.to_string().contains("already at day 3.0000"));
        // The current instant is allowed.
        q.schedule(t(3.0), Priority(0), ()).unwrap();
    }

    #[test]
    fn zero_and_negative_zero_are_the_same_instant() {
        let mut q = EventQueue::new();
        q.schedule(t(0.0), Priority(1), "first").unwrap();
        q.schedule(t(-0.0), Priority(1), "second").unwrap();
        q.schedule(t(1e-300), Priority(0), "later").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["first", "second", "later"]);
    }

    proptest::proptest! {
        /// Against a sorted list as oracle: any interleaving of schedules
        /// and pops comes out in (time, priority, sequence) order.
        #[test]
        fn pops_in_key_order(ops in proptest::collection::vec((0u8..4, 0u32..50, 0u8..3), 1..400)) {
            let mut q = EventQueue::new();
            let mut oracle: Vec<(u64, u8, usize)> = Vec::new();
            for (i, (op, dt, p)) in ops.into_iter().enumerate() {
                if op == 0 && !oracle.is_empty() {
                    oracle.sort();
                    let (_, _, expected) = oracle.remove(0);
                    let (_, got) = q.pop().unwrap();
                    proptest::prop_assert_eq!(got, expected);
                } else {
                    let at = q.now().days() + f64::from(dt) / 8.0;
                    q.schedule(t(at), Priority(p), i).unwrap();
                    oracle.push(((at * 8.0) as u64, p, i));
                }
            }
            oracle.sort();
            for (_, _, expected) in oracle {
                proptest::prop_assert_eq!(q.pop().unwrap().1, expected);
            }
            proptest::prop_assert!(q.is_empty());
        }
    }

    proptest::proptest! {
        /// The same against the wheel's edges: gaps from nothing to far
        /// beyond the wheel's 128 days (so events wait in `far` and the
        /// queue jumps across empty spans), times on bucket boundaries,
        /// and events scheduled right after a peek has refilled `near`.
        #[test]
        fn pops_in_key_order_across_the_wheel(
            ops in proptest::collection::vec((0u8..5, 0u32..4, 0u8..3), 1..600),
        ) {
            const GAPS: [f64; 4] = [0.0, 0.125, 3.7, 400.0];
            let mut q = EventQueue::new();
            let mut oracle: Vec<(u64, u8, usize)> = Vec::new();
            for (i, (op, gap, p)) in ops.into_iter().enumerate() {
                if op == 0 && !oracle.is_empty() {
                    oracle.sort();
                    let (_, _, expected) = oracle.remove(0);
                    let (_, got) = q.pop().unwrap();
                    proptest::prop_assert_eq!(got, expected);
                } else {
                    if op == 1 {
                        let _ = q.peek_time();
                    }
                    // Times on a 1/1024-day grid compare exactly as f64.
                    let at = q.now().days() + GAPS[gap as usize] * f64::from(1 + (i % 7) as u32);
                    let at = (at * 1024.0).round() / 1024.0;
                    q.schedule(t(at), Priority(p), i).unwrap();
                    oracle.push(((at * 1024.0) as u64, p, i));
                }
                proptest::prop_assert_eq!(q.len(), oracle.len());
            }
            oracle.sort();
            for (_, _, expected) in oracle {
                proptest::prop_assert_eq!(q.pop().unwrap().1, expected);
            }
            proptest::prop_assert!(q.is_empty());
            proptest::prop_assert!(q.pop().is_none());
        }
    }

    #[test]
    fn a_peek_then_an_earlier_event_keeps_the_order() {
        // The peek files day 200's event into `near`; one scheduled after
        // it for day 1 must still come first.
        let mut q = EventQueue::new();
        q.schedule(t(200.0), Priority(0), "late").unwrap();
        assert_eq!(q.peek_time(), Some(t(200.0)));
        q.schedule(t(1.0), Priority(0), "early").unwrap();
        assert_eq!(q.peek_time(), Some(t(1.0)));
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["early", "late"]);
    }

    #[test]
    fn times_beyond_any_horizon_still_pop_last() {
        let mut q = EventQueue::new();
        q.schedule(t(1e300), Priority(0), "huge").unwrap();
        q.schedule(t(5e6), Priority(0), "big").unwrap();
        q.schedule(t(0.5), Priority(0), "small").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, ["small", "big", "huge"]);
    }

    #[test]
    fn memory_follows_the_pending_events_not_each_slot_s_peak() {
        // Patients retrying their discharge every day and almost never
        // leaving: 1,000 more each day, each one's next retry a day later,
        // so the events pending all sit in the next eight buckets and grow
        // by 1,000 a day. After 140 days (every slot of the wheel used)
        // 140,000 are pending; had each slot kept the largest bucket it
        // held, the queue would have room for about ten million.
        let mut q = EventQueue::new();
        let mut next = 0u32;
        for day in 0..140 {
            for k in 0..1_000 {
                let at = f64::from(day) + f64::from(k) / 1_000.0;
                q.schedule(t(at), Priority(3), next).unwrap();
                next += 1;
            }
            while q
                .peek_time()
                .is_some_and(|at| at.days() < f64::from(day + 1))
            {
                let (now, patient) = q.pop().unwrap();
                q.schedule(t(now.days() + 1.0), Priority(2), patient)
                    .unwrap();
            }
        }
        assert_eq!(q.len(), 140_000);
        // The pending events, the doubling slack of the vectors holding
        // them, and at most SLOT_KEPT entries in each idle slot.
        let bound = 2 * q.len() + SLOT_KEPT * WHEEL_BUCKETS as usize;
        assert!(
            q.capacity() <= bound,
            "room for {} entries with {} pending (bound {bound})",
            q.capacity(),
            q.len()
        );
    }

    #[test]
    fn many_equal_keys_keep_fifo_order() {
        let mut q = EventQueue::new();
        for i in 0..1000 {
            q.schedule(t(1.0), Priority(1), i).unwrap();
        }
        let order: Vec<i32> = std::iter::from_fn(|| q.pop().map(|(_, e)| e)).collect();
        assert_eq!(order, (0..1000).collect::<Vec<_>>());
    }
}
