//! Time-weighted statistics of piecewise-constant levels (occupied places,
//! blocked patients, waiting-list length) over the observation window.
//!
//! Integrals are exact: each change of level closes a segment whose
//! duration, clipped to the window, is added to the area, to the time spent
//! at that level, and to the day it falls in (split at midnight). No
//! sampling, and O(1) work per change except when a segment spans days.

/// The observation window [start, end) in simulated days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub start: f64,
    pub end: f64,
}

impl Window {
    #[inline]
    pub fn contains(&self, t: f64) -> bool {
        t >= self.start && t < self.end
    }

    pub fn length(&self) -> f64 {
        self.end - self.start
    }

    /// The instant window day `day` starts (midnight; negative days are in
    /// the warm-up). Midnight events are scheduled at exactly these floats.
    #[inline]
    pub fn midnight(&self, day: i64) -> f64 {
        self.start + day as f64
    }

    /// The window day containing `t`: the k with midnight(k) ≤ t <
    /// midnight(k + 1), checked against those same floats, so that an event
    /// at a midnight always belongs to the day it starts (floor(t − start)
    /// alone can round back to the previous day).
    #[inline]
    pub fn day_of(&self, t: f64) -> i64 {
        // Truncation (not floor, a library call on this target) then one
        // correction step either way against the midnights themselves.
        let mut day = (t - self.start) as i64;
        if self.midnight(day + 1) <= t {
            day += 1;
        } else if self.midnight(day) > t {
            day -= 1;
        }
        day
    }
}

/// Tracks one level over the window.
#[derive(Clone, Debug)]
pub struct LevelTracker {
    level: u32,
    last_change: f64,
    area: f64,
    peak: u32,
    /// Time spent at each level (index = level), if asked for.
    time_at_level: Option<Vec<f64>>,
    /// Area and peak per window day.
    daily_area: Vec<f64>,
    daily_peak: Vec<u32>,
    /// Levels strictly above these count as "above threshold".
    threshold_levels: Vec<u32>,
    /// The smallest of `threshold_levels` (u32::MAX when there are none).
    lowest_threshold: u32,
    time_above: Vec<f64>,
    window: Window,
    /// The window day last written to, and its bounds: most segments fall
    /// within it, so the daily split is usually one addition.
    day: usize,
    day_start: f64,
    day_end: f64,
}

impl LevelTracker {
    /// A tracker at level 0 from time 0. `window_days` is the number of
    /// daily buckets; `distribution` keeps the time spent at each level.
    pub fn new(window: Window, window_days: usize, distribution: bool) -> LevelTracker {
        LevelTracker {
            level: 0,
            last_change: 0.0,
            area: 0.0,
            peak: 0,
            time_at_level: distribution.then(Vec::new),
            daily_area: vec![0.0; window_days],
            daily_peak: vec![0; window_days],
            threshold_levels: Vec::new(),
            lowest_threshold: u32::MAX,
            time_above: Vec::new(),
            window,
            day: 0,
            day_start: window.midnight(0),
            day_end: window.midnight(1),
        }
    }

    /// Current level.
    #[inline]
    pub fn level(&self) -> u32 {
        self.level
    }

    /// Closes the segment at `now` and sets a new level.
    #[inline]
    pub fn set(&mut self, now: f64, level: u32) {
        self.close_segment(now);
        self.level = level;
        if now >= self.window.start && now < self.window.end {
            self.peak = self.peak.max(level);
            if !self.daily_peak.is_empty() {
                let day = self.day_index(now);
                self.daily_peak[day] = self.daily_peak[day].max(level);
            }
        }
    }

    /// Window day of a time inside the window, using the cached day when
    /// it matches. Clamped: `now - start` can round up to the window length
    /// for a time just before its end.
    #[inline]
    fn day_index(&mut self, t: f64) -> usize {
        if t >= self.day_start && t < self.day_end {
            return self.day;
        }
        let last = self.daily_area.len() as i64 - 1;
        let day = self.window.day_of(t).clamp(0, last);
        self.day = day as usize;
        self.day_start = self.window.midnight(day);
        self.day_end = self.window.midnight(day + 1);
        self.day
    }

    #[inline]
    pub fn increment(&mut self, now: f64) {
        self.set(now, self.level + 1);
    }

    #[inline]
    pub fn decrement(&mut self, now: f64) {
        debug_assert!(self.level > 0, "level below zero");
        self.set(now, self.level - 1);
    }

    /// Sets the levels above which time counts as "above threshold", from
    /// now on (closing the current segment first).
    pub fn set_thresholds(&mut self, now: f64, threshold_levels: Vec<u32>) {
        self.close_segment(now);
        if self.time_above.len() != threshold_levels.len() {
            self.time_above = vec![0.0; threshold_levels.len()];
        }
        self.lowest_threshold = threshold_levels.iter().copied().min().unwrap_or(u32::MAX);
        self.threshold_levels = threshold_levels;
    }

    #[inline]
    fn close_segment(&mut self, now: f64) {
        // Plain comparisons (times are never NaN; f64::max/min handle NaN
        // at a cost on this hot path).
        let from = if self.last_change > self.window.start {
            self.last_change
        } else {
            self.window.start
        };
        let to = if now < self.window.end {
            now
        } else {
            self.window.end
        };
        self.last_change = now;
        if to <= from {
            return;
        }
        let level = self.level;
        let duration = to - from;
        if let Some(times) = &mut self.time_at_level {
            let i = level as usize;
            if times.len() <= i {
                times.resize(i + 1, 0.0);
            }
            times[i] += duration;
        }
        if level == 0 {
            return; // nothing to add to areas, peaks or thresholds
        }
        let level_f = f64::from(level);
        self.area += level_f * duration;
        // The level held at the window start counts towards the peak.
        self.peak = self.peak.max(level);
        // A level below the lowest threshold (the usual case) costs one
        // comparison.
        if level > self.lowest_threshold {
            for (threshold, time) in self.threshold_levels.iter().zip(self.time_above.iter_mut()) {
                if level > *threshold {
                    *time += duration;
                }
            }
        }
        if self.daily_area.is_empty() {
            return; // trackers without daily buckets
        }
        // Split across window days; usually the segment lies in one day.
        // Days advance by counting, not by recomputing floor(t - start),
        // which can round back to the previous day at a midnight.
        let last_day = self.daily_area.len() - 1;
        let mut day = self.day_index(from);
        let mut a = from;
        loop {
            let b = if day == last_day {
                to
            } else {
                to.min(self.day_end)
            };
            self.daily_area[day] += level_f * (b - a).max(0.0);
            self.daily_peak[day] = self.daily_peak[day].max(level);
            if b >= to {
                break;
            }
            day += 1;
            self.day = day;
            self.day_start = self.day_end;
            self.day_end = self.window.midnight(day as i64 + 1);
            a = b;
        }
    }

    /// Closes the last segment at the end of the window.
    pub fn finish(&mut self) {
        self.close_segment(self.window.end);
    }

    /// Integral of the level over the window.
    pub fn area(&self) -> f64 {
        self.area
    }

    /// Time-average level over the window.
    pub fn mean(&self) -> f64 {
        self.area / self.window.length()
    }

    /// Highest level held at any time in the window.
    pub fn peak(&self) -> u32 {
        self.peak
    }

    /// Share of window time at each level (empty unless asked for).
    pub fn distribution(&self) -> Vec<f64> {
        let length = self.window.length();
        self.time_at_level
            .as_ref()
            .map(|t| t.iter().map(|x| x / length).collect())
            .unwrap_or_default()
    }

    /// Share of window time above each threshold.
    pub fn shares_above(&self) -> Vec<f64> {
        self.time_above
            .iter()
            .map(|t| t / self.window.length())
            .collect()
    }

    /// (area, peak) per window day.
    pub fn daily(&self) -> (&[f64], &[u32]) {
        (&self.daily_area, &self.daily_peak)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_only_inside_the_window_and_splits_days() {
        let window = Window {
            start: 10.0,
            end: 13.0,
        };
        let mut t = LevelTracker::new(window, 3, true);
        t.set(5.0, 2); // before the window
        t.set(10.5, 4); // 2 held over [10, 10.5)
        t.set(12.25, 1); // 4 held over [10.5, 12.25)
        t.set(20.0, 7); // 1 held over [12.25, 13); after the window
        t.finish();
        let expected_area = 2.0 * 0.5 + 4.0 * 1.75 + 0.75;
        assert!((t.area() - expected_area).abs() < 1e-12);
        assert!((t.mean() - expected_area / 3.0).abs() < 1e-12);
        assert_eq!(t.peak(), 4);
        let (area, peak) = t.daily();
        assert!((area[0] - (1.0 + 2.0)).abs() < 1e-12);
        assert!((area[1] - 4.0).abs() < 1e-12);
        assert!((area[2] - (4.0 * 0.25 + 0.75)).abs() < 1e-12);
        assert_eq!(peak, &[4, 4, 4]);
        let dist = t.distribution();
        assert!((dist.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((dist[4] - 1.75 / 3.0).abs() < 1e-12);
    }

    /// With a fractional window start, midnights are not representable
    /// exactly; no segment may lose its area in the daily split.
    #[test]
    fn daily_split_keeps_every_day_with_a_fractional_start() {
        for start in [7.7, 0.1, 30.2, 59.9] {
            let window = Window {
                start,
                end: start + 40.0,
            };
            let mut t = LevelTracker::new(window, 40, false);
            t.set(0.0, 3);
            t.set(start + 17.3, 5);
            t.finish();
            let (area, peak) = t.daily();
            let total: f64 = area.iter().sum();
            assert!(
                (total - t.area()).abs() < 1e-9,
                "start {start}: {total} vs {}",
                t.area()
            );
            for day in 0..40 {
                let expected = if day < 17 {
                    3.0
                } else if day == 17 {
                    3.0 * 0.3 + 5.0 * 0.7
                } else {
                    5.0
                };
                assert!(
                    (area[day] - expected).abs() < 1e-6,
                    "start {start} day {day}: {}",
                    area[day]
                );
                assert!(peak[day] >= 3);
            }
        }
    }

    #[test]
    fn thresholds_in_any_order() {
        let window = Window {
            start: 0.0,
            end: 10.0,
        };
        let mut t = LevelTracker::new(window, 10, false);
        t.set_thresholds(0.0, vec![5, 2]);
        t.set(0.0, 3); // above 2 only, for 4 days
        t.set(4.0, 6); // above both, for 6 days
        t.finish();
        let shares = t.shares_above();
        assert!(
            (shares[0] - 0.6).abs() < 1e-12 && (shares[1] - 1.0).abs() < 1e-12,
            "{shares:?}"
        );
    }

    #[test]
    fn time_above_threshold() {
        let window = Window {
            start: 0.0,
            end: 10.0,
        };
        let mut t = LevelTracker::new(window, 10, false);
        t.set_thresholds(0.0, vec![2]);
        t.set(0.0, 3); // above for 4 days
        t.set(4.0, 2); // not above
        t.finish();
        assert!((t.shares_above()[0] - 0.4).abs() < 1e-12);
    }
}
