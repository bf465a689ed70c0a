//! The Lua scripts Redis runs atomically for the replicas.

/// Appends an entry to the journal if the caller holds the lease and the journal
/// holds exactly the entries it has replayed.
/// KEYS: journal, lease. ARGV: expected length, entry, lease token.
/// Returns the new length, -1 when the length differs, -2 when the lease is lost.
pub const APPEND: &str = r"
if redis.call('GET', KEYS[2]) ~= ARGV[3] then return -2 end
if redis.call('LLEN', KEYS[1]) ~= tonumber(ARGV[1]) then return -1 end
return redis.call('RPUSH', KEYS[1], ARGV[2])
";

/// Gives a lease back if it is still the caller's. KEYS: lease. ARGV: token.
pub const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// Counts one request, as `Throttler::check` then `Faults::decide` do in one
/// process: a scripted throttle first (not counted in the windows), then the
/// sliding windows per app per tenant and per app (requests refused still
/// count), then a page failure, then the fault draws.
///
/// KEYS: tenant window, app window, scripted uses, page uses, draws, member counter.
/// ARGV: now ms, app, scripted count (0: none), scripted Retry-After,
/// windows on (1/0), tenant requests, tenant span ms, app requests, app span ms,
/// page sessions (0: none), draws to take.
/// Returns {kind, value}: 0 scripted (Retry-After s), 1 over (wait ms),
/// 2 page fails, 3 through (first draw).
pub const COUNT: &str = r"
local now = tonumber(ARGV[1])
local member = tostring(redis.call('INCR', KEYS[6]))
local function hit(key, limit, span)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, span)
  local over = redis.call('ZCARD', key) - limit
  if over <= 0 then return -1 end
  local at = redis.call('ZRANGE', key, over, over, 'WITHSCORES')
  return tonumber(at[2]) + span - now
end
local scripted = tonumber(ARGV[3])
if scripted > 0 then
  local used = redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
  redis.call('PEXPIRE', KEYS[3], 86400000)
  if used <= scripted then return {0, tonumber(ARGV[4])} end
end
if ARGV[5] == '1' then
  local wait = math.max(hit(KEYS[1], tonumber(ARGV[6]), tonumber(ARGV[7])),
                        hit(KEYS[2], tonumber(ARGV[8]), tonumber(ARGV[9])))
  if wait >= 0 then return {1, wait} end
end
local pages = tonumber(ARGV[10])
if pages > 0 then
  local used = redis.call('INCR', KEYS[4])
  redis.call('PEXPIRE', KEYS[4], 86400000)
  if used <= pages then return {2, 0} end
end
local draws = tonumber(ARGV[11])
local last = redis.call('INCRBY', KEYS[5], draws)
redis.call('PEXPIRE', KEYS[5], 86400000)
return {3, last - draws}
";
