//! The shared state in Redis, through one multiplexed connection that
//! reconnects by itself (redis-rs's `ConnectionManager`).

use super::scripts;
use super::{Ask, Counted, Entry, Generations, Pending, Replica, SharedState, StateError};
use crate::throttle::lock;
use crate::throttle::verdicts::Event;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::sync::Mutex;
use std::time::Duration;

/// Client events kept per run; older ones are dropped (documented in the README).
pub const MAX_EVENTS: isize = 1_000_000;
/// Client events of a run are dropped a day after the last one.
const EVENTS_TTL_S: i64 = 86_400;
/// How long a replica may hold the change lease before it lapses.
const LEASE_MS: u64 = 30_000;
/// How long a change waits for the lease before answering 503.
const LEASE_WAIT: Duration = Duration::from_secs(10);

/// Redis behind `--state redis://host:port/db`.
pub struct RedisState {
    url: String,
    connection: ConnectionManager,
    prefix: String,
    replica: tokio::sync::Mutex<Replica>,
    generations: Mutex<Generations>,
}

/// Why `--state` cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("--state {url}: {reason}")]
pub struct UrlError {
    url: String,
    reason: String,
}

impl RedisState {
    /// Prepares the connection (made on first use, and again whenever it
    /// drops); call inside the server's runtime.
    pub fn open(url: &str) -> Result<RedisState, UrlError> {
        let error = |reason: String| UrlError {
            url: url.to_string(),
            reason,
        };
        let client = redis::Client::open(url).map_err(|e| error(e.to_string()))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(5)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let connection = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| error(e.to_string()))?;
        Ok(RedisState {
            url: url.to_string(),
            connection,
            prefix: "entrasim".into(),
            replica: tokio::sync::Mutex::default(),
            generations: Mutex::default(),
        })
    }

    fn key(&self, parts: &[&dyn std::fmt::Display]) -> String {
        let mut key = self.prefix.clone();
        for part in parts {
            key.push(':');
            key.push_str(&part.to_string());
        }
        key
    }

    fn unreachable(&self, error: redis::RedisError) -> StateError {
        StateError::Unreachable {
            url: self.url.clone(),
            reason: error.to_string(),
        }
    }

    fn connection(&self) -> ConnectionManager {
        self.connection.clone()
    }

    async fn try_lease(&self, token: &str) -> Result<bool, StateError> {
        let taken: Option<String> = redis::cmd("SET")
            .arg(self.key(&[&"lease"]))
            .arg(token)
            .arg("NX")
            .arg("PX")
            .arg(LEASE_MS)
            .query_async(&mut self.connection())
            .await
            .map_err(|e| self.unreachable(e))?;
        Ok(taken.is_some())
    }

    async fn take_lease(&self) -> Result<String, StateError> {
        let n: u64 = self
            .connection()
            .incr(self.key(&[&"members"]), 1)
            .await
            .map_err(|e| self.unreachable(e))?;
        let token = format!("lease-{n}");
        let deadline = tokio::time::Instant::now() + LEASE_WAIT;
        while !self.try_lease(&token).await? {
            if tokio::time::Instant::now() > deadline {
                return Err(StateError::Busy {
                    url: self.url.clone(),
                });
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(token)
    }

    async fn count_request(&self, ask: Ask) -> Result<Counted, StateError> {
        let g = self.generations();
        let app = ask.app.as_str();
        let (tenant_limit, app_limit) = ask.limits.unzip();
        let span = |l: Option<crate::throttle::Limit>| l.map_or(0, |l| l.window_seconds * 1000);
        let requests = |l: Option<crate::throttle::Limit>| l.map_or(0, |l| l.requests);
        let (scripted, retry) = ask.scripted.unwrap_or((0, 0));
        let reply: Vec<i64> = redis::Script::new(scripts::COUNT)
            .key(self.key(&[&"w", &g.windows, &"t", &ask.tenant, &app]))
            .key(self.key(&[&"w", &g.windows, &"a", &app]))
            .key(self.key(&[&"scripted", &g.scripted]))
            .key(self.key(&[&"pages", &g.pages]))
            .key(self.key(&[&"draws", &g.draws]))
            .key(self.key(&[&"members"]))
            .arg(ask.now_ms)
            .arg(app)
            .arg(scripted)
            .arg(retry)
            .arg(u8::from(ask.limits.is_some()))
            .arg(requests(tenant_limit))
            .arg(span(tenant_limit))
            .arg(requests(app_limit))
            .arg(span(app_limit))
            .arg(ask.page_sessions.unwrap_or(0))
            .arg(ask.draws)
            .invoke_async(&mut self.connection())
            .await
            .map_err(|e| self.unreachable(e))?;
        match reply.as_slice() {
            [0, retry] => Ok(Counted::Scripted(*retry as u64)),
            [1, wait] => Ok(Counted::Over(*wait)),
            [2, _] => Ok(Counted::PageFails),
            [3, draw] => Ok(Counted::Through(*draw as u64)),
            other => Err(StateError::Unreadable(format!("count answered {other:?}"))),
        }
    }
}

impl SharedState for RedisState {
    fn url(&self) -> &str {
        &self.url
    }

    fn replica(&self) -> &tokio::sync::Mutex<Replica> {
        &self.replica
    }

    fn generations(&self) -> Generations {
        *lock(&self.generations)
    }

    fn set_generations(&self, generations: Generations) {
        *lock(&self.generations) = generations;
    }

    fn ping(&self) -> Pending<'_, ()> {
        Box::pin(async move {
            let _: String = redis::cmd("PING")
                .query_async(&mut self.connection())
                .await
                .map_err(|e| self.unreachable(e))?;
            Ok(())
        })
    }

    fn length(&self) -> Pending<'_, u64> {
        Box::pin(async move {
            self.connection()
                .llen(self.key(&[&"journal"]))
                .await
                .map_err(|e| self.unreachable(e))
        })
    }

    fn entries(&self, from: u64) -> Pending<'_, Vec<Entry>> {
        Box::pin(async move {
            let texts: Vec<String> = self
                .connection()
                .lrange(self.key(&[&"journal"]), from as isize, -1)
                .await
                .map_err(|e| self.unreachable(e))?;
            texts
                .iter()
                .map(|t| serde_json::from_str(t).map_err(|e| StateError::Unreadable(e.to_string())))
                .collect()
        })
    }

    fn lease(&self) -> Pending<'_, String> {
        Box::pin(self.take_lease())
    }

    fn release(&self, lease: String) -> Pending<'_, ()> {
        Box::pin(async move {
            let _: i64 = redis::Script::new(scripts::RELEASE)
                .key(self.key(&[&"lease"]))
                .arg(lease)
                .invoke_async(&mut self.connection())
                .await
                .map_err(|e| self.unreachable(e))?;
            Ok(())
        })
    }

    fn append<'a>(&'a self, expected: u64, entry: &'a Entry, lease: &'a str) -> Pending<'a, ()> {
        Box::pin(async move {
            let text = serde_json::to_string(entry).expect("entries are JSON");
            let length: i64 = redis::Script::new(scripts::APPEND)
                .key(self.key(&[&"journal"]))
                .key(self.key(&[&"lease"]))
                .arg(expected)
                .arg(text)
                .arg(lease)
                .invoke_async(&mut self.connection())
                .await
                .map_err(|e| self.unreachable(e))?;
            match length {
                -2 => Err(StateError::Busy {
                    url: self.url.clone(),
                }),
                n if n < 0 => Err(StateError::Conflict),
                _ => Ok(()),
            }
        })
    }

    fn count(&self, ask: Ask) -> Pending<'_, Counted> {
        Box::pin(self.count_request(ask))
    }

    fn send_events<'a>(&'a self, events: &'a [Event]) -> Pending<'a, ()> {
        Box::pin(async move {
            let key = self.key(&[&"events", &self.generations().resets]);
            let texts: Vec<String> = events
                .iter()
                .map(|e| serde_json::to_string(e).expect("events are JSON"))
                .collect();
            redis::pipe()
                .rpush(&key, texts)
                .ignore()
                .ltrim(&key, -MAX_EVENTS, -1)
                .ignore()
                .expire(&key, EVENTS_TTL_S)
                .ignore()
                .query_async::<()>(&mut self.connection())
                .await
                .map_err(|e| self.unreachable(e))
        })
    }

    fn events(&self) -> Pending<'_, Vec<Event>> {
        Box::pin(async move {
            let key = self.key(&[&"events", &self.generations().resets]);
            let texts: Vec<String> = self
                .connection()
                .lrange(key, 0, -1)
                .await
                .map_err(|e| self.unreachable(e))?;
            Ok(texts
                .iter()
                .filter_map(|t| serde_json::from_str(t).ok())
                .collect())
        })
    }
}
