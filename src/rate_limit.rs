//! Token-bucket rate limits, kept in memory per instance.
//!
//! Limits are keyed by platform registration (login initiations, launches) and by person
//! (writes), never by IP address, because a whole campus can reach cowork from one
//! address. Each instance counts on its own, so N instances behind a load balancer admit
//! up to N times the configured rate. The limits are sized to stop floods rather than to
//! meter fair use, so that error is acceptable.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

use crate::error::{AppError, RateLimit};

/// Buckets kept before full (idle) ones are dropped.
const PRUNE_ABOVE: usize = 10_000;

/// A token bucket per key: `per_minute` requests, refilled evenly over the minute, and a
/// burst of the same size, so a class that launches all at once is admitted.
pub struct RateLimiter<K> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// Builds a limiter of `per_minute` requests per key; 0 turns the limit off.
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or returns the whole seconds until one is available.
    pub fn check(&self, key: &K) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &K, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().expect("rate limiter lock");
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| {
                bucket.tokens + per_second * now.duration_since(bucket.updated).as_secs_f64()
                    < capacity
            });
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = (1.0 - bucket.tokens) / per_second;
        Err(wait.ceil().max(1.0) as u64)
    }
}

/// The rate limiters of one instance.
pub struct RateLimits {
    /// Login initiations per platform registration id.
    pub logins: RateLimiter<i64>,
    /// Launches per platform registration id.
    pub launches: RateLimiter<i64>,
    /// Writes per person, keyed by [`writer_key`].
    pub writes: RateLimiter<(i64, String)>,
}

/// Returns the key of a person's write budget: the space and the user, or the session
/// for a launch without a user id.
pub fn writer_key(space_id: i64, user_id: Option<i64>, session_id: &str) -> (i64, String) {
    match user_id {
        Some(user_id) => (space_id, format!("user:{user_id}")),
        None => (space_id, format!("session:{session_id}")),
    }
}

impl RateLimits {
    pub fn new(login_per_minute: u32, write_per_minute: u32) -> Self {
        Self {
            logins: RateLimiter::new(login_per_minute),
            launches: RateLimiter::new(login_per_minute),
            writes: RateLimiter::new(write_per_minute),
        }
    }

    /// Takes one write from the budget of `key`, or returns the 429 error to send.
    pub fn check_write(&self, key: &(i64, String)) -> Result<(), AppError> {
        self.writes.check(key).map_err(|retry_after_secs| {
            tracing::info!(space_id = key.0, "write rate limit reached");
            AppError::RateLimited {
                limit: RateLimit::Writes,
                retry_after_secs,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn burst_then_refill() {
        let limiter = RateLimiter::new(60);
        let start = Instant::now();
        for _ in 0..60 {
            assert_eq!(limiter.check_at(&1, start), Ok(()));
        }
        assert_eq!(limiter.check_at(&1, start), Err(1));
        assert_eq!(limiter.check_at(&2, start), Ok(()), "keys are separate");
        let later = start + Duration::from_secs(1);
        assert_eq!(limiter.check_at(&1, later), Ok(()));
        assert_eq!(limiter.check_at(&1, later), Err(1));
    }

    #[test]
    fn wait_rounds_up_to_whole_seconds() {
        let limiter = RateLimiter::new(6);
        let start = Instant::now();
        for _ in 0..6 {
            limiter.check_at(&"a", start).unwrap();
        }
        assert_eq!(limiter.check_at(&"a", start), Err(10));
    }

    #[test]
    fn zero_turns_limit_off() {
        let limiter = RateLimiter::new(0);
        for _ in 0..1000 {
            assert_eq!(limiter.check(&1), Ok(()));
        }
    }
}
