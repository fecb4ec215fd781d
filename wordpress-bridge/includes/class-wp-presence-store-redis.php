<?php
/**
 * Presence store on Redis (phpredis), for hosts with several web servers.
 *
 * @package Presence
 */

defined( 'ABSPATH' ) || exit;

/**
 * The Redis backend: the semantics of the extension (docs/CONTRACT.md §1), shared by every web
 * server that talks to the same Redis.
 *
 * Every operation is one Lua script call (EVALSHA, EVAL on NOSCRIPT), so concurrent writers never
 * lose updates or tear entries, and each call is one round trip. Keys, with `{p}` the global
 * prefix and `{b}` = `{p}{strlen(ns)}:{ns}` the namespace base (the length makes the namespace
 * self-delimiting, so no namespace/room pair can collide with another):
 *
 * - `{b}:r:{room}`  hash client_id => `user_id|updated|expires|seq|data-json`;
 * - `{b}:x:{room}`  sorted set client_id by expires (eviction);
 * - `{b}:ver`       hash room => version (absent for an empty room);
 * - `{b}:seq`       namespace-wide write counter; versions are drawn from it, so a version is
 *                   never reused, not even after the room was empty;
 * - `{b}:rooms`     set of rooms that hold entries;
 * - `{b}:u:{user}`  set of `{strlen(room)}:{room}{client_id}` of the user's entries;
 * - `{b}:t:{room}`  sorted set user_id by the `updated` of the user's newest entry in the room
 *                   (user 0 too), and
 * - `{b}:n:{room}`  hash user_id => the user's live entries in the room: the room's user index,
 *                   kept by every path that writes or deletes an entry (upsert, remove,
 *                   remove_user, reaping, sweep, clear), so that room_top(), room_user_count()
 *                   and rooms() read no entry they do not return (since 1.4.0);
 * - `{b}:idx`       marks the index built: a namespace written before 1.4.0 gets it built once,
 *                   in full, by its first call (see ensure() in the script);
 * - `{p}namespaces` set of namespaces with entries (for sweep);
 * - `{p}clock`      test clock offset in seconds (advance()), shared by every process.
 *
 * Expired entries are reclaimed lazily by every call that touches their room (which bumps the
 * room's version) and by sweep() for the whole store.
 *
 * @since 1.1.0
 */
class WP_Presence_Store_Redis implements WP_Presence_Store {

	use WP_Presence_Store_Checks;

	/**
	 * The Lua script. ARGV: op, global prefix, namespace, '1' in test mode (the clock offset
	 * counts) or '0', then the op's arguments. Keys and fields are compared as bytes: every
	 * spelling of a room or client id is its own.
	 */
	const SCRIPT = <<<'LUA'
-- Redis 3.2/4 replicate scripts verbatim unless told otherwise, and then refuse writes after TIME.
if redis.replicate_commands then
	pcall(redis.replicate_commands)
end
local op, P, ns, testing = ARGV[1], ARGV[2], ARGV[3], ARGV[4] == '1'
local B = P .. #ns .. ':' .. ns

-- The test offset counts only for callers in test mode (WP_PRESENCE_TESTING).
local function now()
	local t = redis.call('TIME')
	if not testing then
		return tonumber(t[1])
	end
	return tonumber(t[1]) + tonumber(redis.call('GET', P .. 'clock') or '0')
end

-- user|updated|expires|seq|data
local function parse(v)
	local u, t, e, s, d = string.match(v, '^(%d+)|(%d+)|(%d+)|(%d+)|(.*)$')
	return u, tonumber(t), tonumber(e), tonumber(s), d
end

local function ukey(room, c)
	return #room .. ':' .. room .. c
end

local function unkey(m)
	local n, rest = string.match(m, '^(%d+):(.*)$')
	if not n then
		return nil, nil
	end
	n = tonumber(n)
	return string.sub(rest, 1, n), string.sub(rest, n + 1)
end

-- After a change: a new version, or forget the room when it is empty.
local function bump(room)
	if redis.call('EXISTS', B .. ':r:' .. room) == 0 then
		redis.call('HDEL', B .. ':ver', room)
		redis.call('SREM', B .. ':rooms', room)
		redis.call('DEL', B .. ':t:' .. room, B .. ':n:' .. room)
	else
		redis.call('HSET', B .. ':ver', room, redis.call('INCR', B .. ':seq'))
	end
end

-- The user index of a room: t = user => updated of the user's newest entry, n = user => live
-- entries. Kept by every path that writes or deletes an entry, so room_top and the counts read
-- only what they return.

-- The live entries in the room of each user in us, appended to out as client, value pairs,
-- user after user: found through each user's set (never the room's hash), then read with one
-- HMGET per 500 of them rather than an HGET each. Members of other rooms or stale ones are
-- skipped.
local function entries_of_users(room, us, out)
	local pre, rk, cs, owners = ukey(room, ''), B .. ':r:' .. room, {}, {}
	for _, u in ipairs(us) do
		for _, m in ipairs(redis.call('SMEMBERS', B .. ':u:' .. u)) do
			if string.sub(m, 1, #pre) == pre then
				cs[#cs + 1] = string.sub(m, #pre + 1)
				owners[#cs] = u
			end
		end
	end
	for first = 1, #cs, 500 do
		local last = math.min(first + 499, #cs)
		local vs = redis.call('HMGET', rk, unpack(cs, first, last))
		for i = first, last do
			local v = vs[i - first + 1]
			if v and parse(v) == owners[i] then
				out[#out + 1] = cs[i]
				out[#out + 1] = v
			end
		end
	end
	return out
end

-- User u's live entries in the room, as a flat client, value list.
local function entries_of(room, u)
	return entries_of_users(room, { u }, {})
end

-- k entries of user u, the newest of them updated at up, are gone from the room's hash and the
-- user's set: count them out, and find the user's new newest entry only when one of those was it.
local function unindex(room, u, k, up)
	local nk, tk = B .. ':n:' .. room, B .. ':t:' .. room
	if redis.call('HINCRBY', nk, u, -k) <= 0 then
		redis.call('HDEL', nk, u)
		redis.call('ZREM', tk, u)
		return
	end
	if up < (tonumber(redis.call('ZSCORE', tk, u)) or 0) then
		return
	end
	local left, best = entries_of(room, u), nil
	for i = 2, #left, 2 do
		local _, lu = parse(left[i])
		if not best or lu > best then
			best = lu
		end
	end
	if best then
		redis.call('ZADD', tk, best, u)
	else
		redis.call('HDEL', nk, u)
		redis.call('ZREM', tk, u)
	end
end

-- Builds the index of a namespace written before it existed (once: {b}:idx marks it built).
local function ensure()
	if redis.call('EXISTS', B .. ':idx') == 1 then
		return
	end
	for _, room in ipairs(redis.call('SMEMBERS', B .. ':rooms')) do
		local nk, tk = B .. ':n:' .. room, B .. ':t:' .. room
		redis.call('DEL', nk, tk)
		local all, newest = redis.call('HVALS', B .. ':r:' .. room), {}
		for _, v in ipairs(all) do
			local u, up = parse(v)
			if u then
				redis.call('HINCRBY', nk, u, 1)
				if not newest[u] or up > newest[u] then
					newest[u] = up
				end
			end
		end
		for u, up in pairs(newest) do
			redis.call('ZADD', tk, up, u)
		end
	end
	redis.call('SET', B .. ':idx', '1')
end

-- Reclaims the room's expired entries (expires <= t); bumps the version when any.
local function reap(room, t)
	local rk, xk = B .. ':r:' .. room, B .. ':x:' .. room
	local dead = redis.call('ZRANGEBYSCORE', xk, '-inf', t)
	if #dead == 0 then
		return 0
	end
	-- Per user: how many went and the newest of them, so each user is re-indexed once.
	local gone, order = {}, {}
	for _, c in ipairs(dead) do
		local v = redis.call('HGET', rk, c)
		if v then
			local u, up = parse(v)
			if u then
				redis.call('SREM', B .. ':u:' .. u, ukey(room, c))
				if not gone[u] then
					gone[u] = { 0, up }
					order[#order + 1] = u
				end
				gone[u][1] = gone[u][1] + 1
				if up > gone[u][2] then
					gone[u][2] = up
				end
			end
			redis.call('HDEL', rk, c)
		end
		redis.call('ZREM', xk, c)
	end
	for _, u in ipairs(order) do
		unindex(room, u, gone[u][1], gone[u][2])
	end
	bump(room)
	return #dead
end

-- Deletes one entry; reindex = false when the caller re-indexes the user itself (remove_user).
local function drop(room, c, v, reindex)
	local u, up = parse(v)
	redis.call('HDEL', B .. ':r:' .. room, c)
	redis.call('ZREM', B .. ':x:' .. room, c)
	if u then
		redis.call('SREM', B .. ':u:' .. u, ukey(room, c))
		if reindex then
			unindex(room, u, 1, up)
		end
	end
end

-- Users in the room (user 0, anonymous, is one id like the others in t).
local function room_users(room)
	return redis.call('ZCARD', B .. ':t:' .. room)
end

-- Users with an id above 0 in the room.
local function named_users(room)
	local tk = B .. ':t:' .. room
	return redis.call('ZCARD', tk) - (redis.call('ZSCORE', tk, '0') and 1 or 0)
end

local global_ops = { sweep = true, now = true, advance = true, reset_clock = true, clear = true, stats = true }
if not global_ops[op] then
	ensure()
end

if op == 'upsert' then
	local room, c, u, d, ttl = ARGV[5], ARGV[6], ARGV[7], ARGV[8], tonumber(ARGV[9])
	local t = now()
	reap(room, t)
	local rk = B .. ':r:' .. room
	local old = redis.call('HGET', rk, c)
	local s = redis.call('INCR', B .. ':seq')
	local changed, ou, oup = 1, nil, nil
	if old then
		local pu, pup, _, _, od = parse(old)
		ou, oup = pu, pup
		if ou == u and od == d then
			changed = 0
		end
		if ou and ou ~= u then
			redis.call('SREM', B .. ':u:' .. ou, ukey(room, c))
		end
	end
	redis.call('HSET', rk, c, u .. '|' .. t .. '|' .. (t + ttl) .. '|' .. s .. '|' .. d)
	redis.call('ZADD', B .. ':x:' .. room, t + ttl, c)
	redis.call('SADD', B .. ':u:' .. u, ukey(room, c))
	-- The index: a new entry of u counts; one that passed from another user leaves that user.
	if ou ~= u then
		redis.call('HINCRBY', B .. ':n:' .. room, u, 1)
		if ou then
			unindex(room, ou, 1, oup)
		end
	end
	local tk = B .. ':t:' .. room
	if t > (tonumber(redis.call('ZSCORE', tk, u)) or -1) then
		redis.call('ZADD', tk, t, u)
	end
	redis.call('SADD', B .. ':rooms', room)
	redis.call('SADD', P .. 'namespaces', ns)
	if changed == 1 or redis.call('HEXISTS', B .. ':ver', room) == 0 then
		redis.call('HSET', B .. ':ver', room, s)
	end
	return { changed, t }
elseif op == 'get' then
	local room, c = ARGV[5], ARGV[6]
	local t = now()
	reap(room, t)
	return { t, redis.call('HGET', B .. ':r:' .. room, c) }
elseif op == 'room' then
	local room, age = ARGV[5], ARGV[6]
	local t = now()
	reap(room, t)
	local all = redis.call('HGETALL', B .. ':r:' .. room)
	if age == '' then
		table.insert(all, 1, t)
		return all
	end
	local since = t - tonumber(age)
	local out = { t }
	for i = 1, #all, 2 do
		local _, up = parse(all[i + 1])
		if up and up > since then
			out[#out + 1] = all[i]
			out[#out + 1] = all[i + 1]
		end
	end
	return out
elseif op == 'remove' then
	local room, c = ARGV[5], ARGV[6]
	reap(room, now())
	local v = redis.call('HGET', B .. ':r:' .. room, c)
	if not v then
		return 0
	end
	drop(room, c, v, true)
	bump(room)
	return 1
elseif op == 'remove_user' or op == 'user_entries' then
	local u = ARGV[5]
	local uk = B .. ':u:' .. u
	local t = now()
	local reaped, touched, out, n = {}, {}, { t }, 0
	for _, m in ipairs(redis.call('SMEMBERS', uk)) do
		local room, c = unkey(m)
		local v = nil
		if room then
			if not reaped[room] then
				reaped[room] = true
				reap(room, t)
			end
			v = redis.call('HGET', B .. ':r:' .. room, c)
		end
		if v and parse(v) == u then
			n = n + 1
			if op == 'remove_user' then
				drop(room, c, v, false)
				touched[room] = true
			else
				out[#out + 1] = room
				out[#out + 1] = c
				out[#out + 1] = v
			end
		else
			redis.call('SREM', uk, m)
		end
	end
	if op == 'user_entries' then
		return out
	end
	redis.call('DEL', uk)
	for room in pairs(touched) do
		-- Every entry of u in the room is gone (its set names them all).
		redis.call('HDEL', B .. ':n:' .. room, u)
		redis.call('ZREM', B .. ':t:' .. room, u)
		bump(room)
	end
	return n
elseif op == 'rooms' then
	local prefix = ARGV[5]
	local t = now()
	local out = {}
	for _, room in ipairs(redis.call('SMEMBERS', B .. ':rooms')) do
		if string.sub(room, 1, #prefix) == prefix then
			reap(room, t)
			-- Sizes from the index: no entry is read, whatever the room holds.
			local entries = redis.call('HLEN', B .. ':r:' .. room)
			if entries > 0 then
				local top = redis.call('ZREVRANGE', B .. ':t:' .. room, 0, 0, 'WITHSCORES')
				out[#out + 1] = room
				out[#out + 1] = entries
				out[#out + 1] = room_users(room)
				out[#out + 1] = redis.call('HGET', B .. ':ver', room) or '0'
				out[#out + 1] = top[2] or '0'
			else
				bump(room)
			end
		end
	end
	return out
elseif op == 'versions' then
	-- Room names and versions only: what a steady tick needs for the active posts' version.
	local prefix = ARGV[5]
	local t = now()
	local out = {}
	-- A room in the list holds entries (bump() drops it with its last one), and reaping bumps:
	-- after the reaps, one HMGET reads every version instead of an EXISTS and an HGET per room.
	local names = {}
	for _, room in ipairs(redis.call('SMEMBERS', B .. ':rooms')) do
		if string.sub(room, 1, #prefix) == prefix then
			reap(room, t)
			names[#names + 1] = room
		end
	end
	for first = 1, #names, 500 do
		local last = math.min(first + 499, #names)
		local vs = redis.call('HMGET', B .. ':ver', unpack(names, first, last))
		for i = first, last do
			local v = vs[i - first + 1]
			if v then
				out[#out + 1] = names[i]
				out[#out + 1] = v
			else
				bump(names[i]) -- Emptied by its reap (bump() forgot it), or a version to restore.
			end
		end
	end
	return out
elseif op == 'count' then
	-- Live entries of the namespace: HLEN per room, never the entries themselves (a site's limit
	-- is checked on every new entry, and reading every value made that O(entries) per write).
	local t = now()
	local n = 0
	for _, room in ipairs(redis.call('SMEMBERS', B .. ':rooms')) do
		reap(room, t)
		local h = redis.call('HLEN', B .. ':r:' .. room)
		if h > 0 then
			n = n + h
		else
			bump(room)
		end
	end
	return n
elseif op == 'top' then
	-- The first users by newest entry, their entries and the extra user's, and the user count:
	-- t, users, then client, value pairs. One more member than asked, in case user 0 is among them.
	local room, want, extra = ARGV[5], tonumber(ARGV[6]), ARGV[7]
	local t = now()
	reap(room, t)
	local out, picked = { t, named_users(room) }, {}
	for _, u in ipairs(redis.call('ZREVRANGE', B .. ':t:' .. room, 0, want)) do
		if u ~= '0' and #picked < want then
			picked[#picked + 1] = u
		end
	end
	local seen, users = {}, {}
	if extra ~= '0' then
		picked[#picked + 1] = extra
	end
	for _, u in ipairs(picked) do
		if not seen[u] then
			seen[u] = true
			users[#users + 1] = u
		end
	end
	return entries_of_users(room, users, out)
elseif op == 'counts' then
	-- A room's size for the network view, from the index: entries, the newest write, user ids.
	local room = ARGV[5]
	reap(room, now())
	local top = redis.call('ZREVRANGE', B .. ':t:' .. room, 0, 0, 'WITHSCORES')
	return { redis.call('HLEN', B .. ':r:' .. room), top[2] or '0', redis.call('ZRANGE', B .. ':t:' .. room, 0, -1) }
elseif op == 'user_count' then
	local room = ARGV[5]
	reap(room, now())
	return named_users(room)
elseif op == 'version' then
	local room = ARGV[5]
	reap(room, now())
	if redis.call('EXISTS', B .. ':r:' .. room) == 0 then
		return 0
	end
	local v = redis.call('HGET', B .. ':ver', room)
	if not v then
		v = redis.call('INCR', B .. ':seq')
		redis.call('HSET', B .. ':ver', room, v)
	end
	return tonumber(v)
elseif op == 'sweep' then
	local t = now()
	local n = 0
	for _, space in ipairs(redis.call('SMEMBERS', P .. 'namespaces')) do
		B = P .. #space .. ':' .. space
		ensure()
		local rooms = redis.call('SMEMBERS', B .. ':rooms')
		for _, room in ipairs(rooms) do
			n = n + reap(room, t)
			if redis.call('EXISTS', B .. ':r:' .. room) == 0 then
				bump(room)
			end
		end
		if redis.call('SCARD', B .. ':rooms') == 0 then
			redis.call('SREM', P .. 'namespaces', space)
		end
	end
	return n
elseif op == 'clear' then
	local n = 0
	for _, room in ipairs(redis.call('SMEMBERS', B .. ':rooms')) do
		local rk = B .. ':r:' .. room
		for _, v in ipairs(redis.call('HVALS', rk)) do
			n = n + 1
			local u = parse(v)
			if u then
				redis.call('DEL', B .. ':u:' .. u)
			end
		end
		redis.call('DEL', rk, B .. ':x:' .. room, B .. ':t:' .. room, B .. ':n:' .. room)
	end
	redis.call('DEL', B .. ':rooms', B .. ':ver', B .. ':idx')
	redis.call('SREM', P .. 'namespaces', ns)
	return n
elseif op == 'stats' then
	local t = now()
	local rooms, entries = 0, 0
	for _, room in ipairs(redis.call('SMEMBERS', B .. ':rooms')) do
		reap(room, t)
		local h = redis.call('HLEN', B .. ':r:' .. room)
		if h > 0 then
			rooms = rooms + 1
			entries = entries + h
		end
	end
	return { t, rooms, entries, redis.call('SCARD', P .. 'namespaces'), redis.call('GET', P .. 'clock') or '0' }
elseif op == 'now' then
	return now()
elseif op == 'advance' then
	return redis.call('INCRBY', P .. 'clock', tonumber(ARGV[5]))
elseif op == 'reset_clock' then
	return redis.call('DEL', P .. 'clock')
end
return redis.error_reply('presence: unknown operation ' .. tostring(op))
LUA;

	/**
	 * Connection settings (see config()).
	 *
	 * @var array
	 */
	private $config;

	/**
	 * The connection.
	 *
	 * @var Redis
	 */
	private $redis;

	/**
	 * SHA1 of the script.
	 *
	 * @var string
	 */
	private static $sha = '';

	/**
	 * Whether phpredis is loaded.
	 *
	 * @return bool
	 */
	public static function is_available() {
		return class_exists( 'Redis' );
	}

	/**
	 * Settings from the `WP_PRESENCE_REDIS` constant (an array) over the defaults.
	 *
	 * Keys: host ('127.0.0.1', or a unix socket path starting with '/'), port (6379), database (0),
	 * prefix ('wp_presence:'), timeout (1.0, connect), read_timeout (2.0), password (optional;
	 * a string, or array( user, password ) for Redis 6 ACLs), persistent (false).
	 *
	 * @param array|null $overrides Settings that win over the constant (tests).
	 * @return array
	 */
	public static function config( $overrides = null ) {
		$config = array(
			'host'         => '127.0.0.1',
			'port'         => 6379,
			'database'     => 0,
			'prefix'       => 'wp_presence:',
			'timeout'      => 1.0,
			'read_timeout' => 2.0,
			'password'     => null,
			'persistent'   => false,
		);
		if ( defined( 'WP_PRESENCE_REDIS' ) && is_array( WP_PRESENCE_REDIS ) ) {
			$config = array_merge( $config, WP_PRESENCE_REDIS );
		}
		if ( is_array( $overrides ) ) {
			$config = array_merge( $config, $overrides );
		}
		return $config;
	}

	/**
	 * Connects.
	 *
	 * @param array|null $config Settings (config() when null).
	 * @throws RuntimeException When phpredis is missing or Redis cannot be reached.
	 */
	public function __construct( $config = null ) {
		if ( ! self::is_available() ) {
			throw new RuntimeException( 'the phpredis extension (Redis class) is not loaded' );
		}
		$this->config      = null === $config ? self::config() : self::config( $config );
		$this->clock_moves = self::testing();
		$c                 = $this->config;
		$host         = (string) $c['host'];
		$port         = 0 === strpos( $host, '/' ) ? 0 : (int) $c['port'];
		try {
			$this->redis = new Redis();
			if ( $c['persistent'] ) {
				$ok = $this->redis->pconnect( $host, $port, (float) $c['timeout'], 'wp-presence-' . (int) $c['database'], 0, (float) $c['read_timeout'] );
			} else {
				$ok = $this->redis->connect( $host, $port, (float) $c['timeout'], null, 0, (float) $c['read_timeout'] );
			}
			if ( ! $ok ) {
				throw new RuntimeException( sprintf( 'cannot connect to %s', $this->server() ) );
			}
			if ( null !== $c['password'] && '' !== $c['password'] && ! $this->redis->auth( $c['password'] ) ) {
				throw new RuntimeException( sprintf( 'authentication failed on %s', $this->server() ) );
			}
			if ( (int) $c['database'] && ! $this->redis->select( (int) $c['database'] ) ) {
				throw new RuntimeException( sprintf( 'cannot select database %d on %s', (int) $c['database'], $this->server() ) );
			}
		} catch ( RedisException $e ) {
			throw new RuntimeException( sprintf( '%s: %s', $this->server(), $e->getMessage() ), 0, $e );
		}
	}

	/**
	 * Where the store lives, for messages: host:port/database.
	 *
	 * @return string
	 */
	public function server() {
		$host = (string) $this->config['host'];
		return ( 0 === strpos( $host, '/' ) ? $host : $host . ':' . (int) $this->config['port'] ) . '/' . (int) $this->config['database'];
	}

	/**
	 * The global key prefix.
	 *
	 * @return string
	 */
	public function prefix() {
		return (string) $this->config['prefix'];
	}

	/**
	 * Runs one operation of the script: EVALSHA, and EVAL when Redis does not know the script yet.
	 *
	 * @param string $op   Operation.
	 * @param array  $args Its arguments.
	 * @return mixed
	 * @throws RuntimeException On a Redis error.
	 */
	private function call( $op, array $args = array() ) {
		if ( '' === self::$sha ) {
			self::$sha = sha1( self::SCRIPT );
		}
		$argv = array_merge( array( $op, $this->prefix(), $this->ns, self::testing() ? '1' : '0' ), array_map( 'strval', $args ) );
		try {
			$this->redis->clearLastError();
			$result = $this->redis->evalSha( self::$sha, $argv, 0 );
			$error  = $this->redis->getLastError();
			if ( null !== $error && 0 === strpos( $error, 'NOSCRIPT' ) ) {
				$this->redis->clearLastError();
				$result = $this->redis->eval( self::SCRIPT, $argv, 0 );
				$error  = $this->redis->getLastError();
			}
		} catch ( RedisException $e ) {
			throw new RuntimeException( sprintf( 'presence Redis store (%s): %s', $this->server(), $e->getMessage() ), 0, $e );
		}
		if ( null !== $error ) {
			throw new RuntimeException( sprintf( 'presence Redis store (%s): %s', $this->server(), $error ) );
		}
		return $result;
	}

	/**
	 * {@inheritDoc}
	 */
	public function name() {
		return 'redis';
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param int    $user_id   User id.
	 * @param array  $data      Data.
	 * @param int    $ttl       TTL.
	 * @throws ValueError On invalid arguments.
	 */
	public function upsert( $room, $client_id, $user_id, array $data, $ttl ) {
		$room      = (string) $room;
		$client_id = (string) $client_id;
		$user_id   = (int) $user_id;
		$ttl       = (int) $ttl;
		$json = self::checked_upsert( $room, $client_id, $user_id, $data, $ttl );
		$r = $this->call( 'upsert', array( $room, $client_id, $user_id, $json, $ttl ) );
		return is_array( $r ) && 1 === (int) $r[0];
	}

	/**
	 * Turns a stored value into an entry.
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 * @param string $packed    `user_id|updated|expires|seq|data`.
	 * @return array Entry plus '_seq' (removed by sort_entries()).
	 */
	private static function entry( $room, $client_id, $packed ) {
		$parts = explode( '|', (string) $packed, 5 );
		$data  = isset( $parts[4] ) ? json_decode( $parts[4], true ) : null;
		return array(
			'room'      => (string) $room,
			'client_id' => (string) $client_id,
			'user_id'   => (int) $parts[0],
			'data'      => is_array( $data ) ? $data : array(),
			'updated'   => isset( $parts[1] ) ? (int) $parts[1] : 0,
			'expires'   => isset( $parts[2] ) ? (int) $parts[2] : 0,
			'_seq'      => isset( $parts[3] ) ? (int) $parts[3] : 0,
		);
	}

	/**
	 * Newest first (latest write first among equal timestamps), without the '_seq' key.
	 *
	 * @param array[] $entries Entries from entry().
	 * @return array[]
	 */
	private static function sort_entries( array $entries ) {
		usort(
			$entries,
			static function ( $a, $b ) {
				return array( $b['updated'], $b['_seq'] ) <=> array( $a['updated'], $a['_seq'] );
			}
		);
		foreach ( $entries as $i => $entry ) {
			unset( $entries[ $i ]['_seq'] );
		}
		return $entries;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function get( $room, $client_id ) {
		$r = $this->call( 'get', array( (string) $room, (string) $client_id ) );
		if ( ! is_array( $r ) || ! isset( $r[1] ) || false === $r[1] ) {
			return null;
		}
		$entry = self::entry( $room, $client_id, $r[1] );
		unset( $entry['_seq'] );
		return $entry;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string   $room    Room.
	 * @param int|null $max_age Max age.
	 */
	public function room( $room, $max_age = null ) {
		$r   = $this->call( 'room', array( (string) $room, null === $max_age ? '' : (int) $max_age ) );
		$out = array();
		$n   = is_array( $r ) ? count( $r ) : 0;
		for ( $i = 1; $i + 1 < $n; $i += 2 ) {
			$out[] = self::entry( $room, $r[ $i ], $r[ $i + 1 ] );
		}
		return self::sort_entries( $out );
	}

	/**
	 * The live entries of the first `$users` users of a room by their newest entry, plus every
	 * live entry of `$user_id`, and how many users (id above 0) have one (the shared contract of
	 * `room_top()`). One script call that reads only what it returns: the room's user index
	 * (`{b}:t:{room}`) for the first users and the count, each picked user's set (`{b}:u:{user}`)
	 * for their entries; never the room's hash whole, so the PHP work follows `$users`.
	 *
	 * @since 1.4.0
	 *
	 * @param string $room    Room.
	 * @param int    $users   Users to pick, 1..1000.
	 * @param int    $user_id A user whose entries come too (0: none).
	 * @return array 'entries' => array[] (newest first, as room()), 'users' => int.
	 * @throws ValueError On a bad room, `$users` outside 1..1000 or a negative user id.
	 */
	public function room_top( $room, $users, $user_id = 0 ) {
		$room    = (string) $room;
		$users   = (int) $users;
		$user_id = (int) $user_id;
		self::check_top( $room, $users, $user_id );
		$r       = $this->call( 'top', array( $room, $users, $user_id ) );
		$entries = array();
		$n       = is_array( $r ) ? count( $r ) : 0;
		for ( $i = 2; $i + 1 < $n; $i += 2 ) {
			$entries[] = self::entry( $room, $r[ $i ], $r[ $i + 1 ] );
		}
		return array(
			'entries' => self::sort_entries( $entries ),
			'users'   => $n > 1 ? (int) $r[1] : 0,
		);
	}

	/**
	 * How many users (id above 0) have a live entry in a room: the index's size after reaping
	 * the room, without reading any entry.
	 *
	 * @since 1.4.0
	 *
	 * @param string $room Room.
	 * @return int
	 */
	public function room_user_count( $room ) {
		return (int) $this->call( 'user_count', array( (string) $room ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room      Room.
	 * @param string $client_id Client id.
	 */
	public function remove( $room, $client_id ) {
		return 1 === (int) $this->call( 'remove', array( (string) $room, (string) $client_id ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function remove_user( $user_id ) {
		return (int) $this->call( 'remove_user', array( (int) $user_id ) );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string[] $rooms Rooms.
	 */
	public function rooms_entries( array $rooms ) {
		$out = array();
		foreach ( $rooms as $room ) {
			$out[ (string) $room ] = $this->room( (string) $room );
		}
		return $out;
	}

	/**
	 * {@inheritDoc} The room's counts in every namespace in one pipeline (one round trip), from the
	 * user index (no entry is read); the first goes alone, through call(), so that a script Redis
	 * lost is loaded again first.
	 *
	 * @param string[] $namespaces Namespaces.
	 * @param string   $room       Room.
	 * @throws RuntimeException When Redis fails.
	 */
	public function room_counts( array $namespaces, $room ) {
		$room = (string) $room;
		$keys = array_keys( $namespaces );
		if ( ! $keys ) {
			return array();
		}
		$keep = $this->ns;
		try {
			$this->ns = (string) $namespaces[ $keys[0] ];
			$replies  = array( $keys[0] => $this->call( 'counts', array( $room ) ) );
		} finally {
			$this->ns = $keep;
		}
		$rest = array_slice( $keys, 1 );
		if ( $rest ) {
			try {
				$pipe = $this->redis->pipeline();
				foreach ( $rest as $key ) {
					$pipe->evalSha( self::$sha, array( 'counts', $this->prefix(), (string) $namespaces[ $key ], self::testing() ? '1' : '0', $room ), 0 );
				}
				$results = $pipe->exec();
			} catch ( RedisException $e ) {
				throw new RuntimeException( sprintf( 'presence Redis store (%s): %s', $this->server(), $e->getMessage() ), 0, $e );
			}
			if ( ! is_array( $results ) || count( $results ) !== count( $rest ) ) {
				throw new RuntimeException( sprintf( 'presence Redis store (%s): the pipelined room reads failed', $this->server() ) );
			}
			foreach ( $rest as $i => $key ) {
				$replies[ $key ] = $results[ $i ];
			}
		}
		$out = array();
		foreach ( $replies as $key => $r ) {
			$users = is_array( $r ) && isset( $r[2] ) ? array_map( 'intval', (array) $r[2] ) : array();
			sort( $users );
			$out[ $key ] = array(
				'entries' => is_array( $r ) && isset( $r[0] ) ? (int) $r[0] : 0,
				'users'   => $users,
				'updated' => is_array( $r ) && isset( $r[1] ) ? (int) $r[1] : 0,
			);
		}
		return $out;
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param int $user_id User id.
	 */
	public function user_entries( $user_id ) {
		$r   = $this->call( 'user_entries', array( (int) $user_id ) );
		$out = array();
		$n   = is_array( $r ) ? count( $r ) : 0;
		for ( $i = 1; $i + 2 < $n; $i += 3 ) {
			$out[] = self::entry( $r[ $i ], $r[ $i + 1 ], $r[ $i + 2 ] );
		}
		return self::sort_entries( $out );
	}

	/**
	 * {@inheritDoc}
	 *
	 * Sorted by room name, like the extension.
	 *
	 * @param string $prefix Prefix.
	 */
	public function rooms( $prefix = '' ) {
		$r   = $this->call( 'rooms', array( (string) $prefix ) );
		$out = array();
		$n   = is_array( $r ) ? count( $r ) : 0;
		for ( $i = 0; $i + 4 < $n; $i += 5 ) {
			$out[] = array(
				'room'    => (string) $r[ $i ],
				'entries' => (int) $r[ $i + 1 ],
				'users'   => (int) $r[ $i + 2 ],
				'version' => (int) $r[ $i + 3 ],
				'updated' => (int) $r[ $i + 4 ],
			);
		}
		return self::by_room( $out );
	}

	/**
	 * Rows sorted by room name, as the extension returns them.
	 *
	 * @param array[] $rows Rows with a `room`.
	 * @return array[]
	 */
	private static function by_room( array $rows ) {
		usort(
			$rows,
			static function ( $a, $b ) {
				return strcmp( $a['room'], $b['room'] );
			}
		);
		return $rows;
	}

	/**
	 * Rooms with entries and their versions, without reading the entries (rooms() parses every
	 * value for its counts): WP_Presence_View::post_rooms() on every dashboard tick.
	 *
	 * @since 1.3.0
	 *
	 * @param string $prefix Prefix.
	 * @return array[] room, version; sorted by room name.
	 */
	public function room_versions( $prefix = '' ) {
		$r   = $this->call( 'versions', array( (string) $prefix ) );
		$out = array();
		$n   = is_array( $r ) ? count( $r ) : 0;
		for ( $i = 0; $i + 1 < $n; $i += 2 ) {
			$out[] = array(
				'room'    => (string) $r[ $i ],
				'version' => (int) $r[ $i + 1 ],
			);
		}
		return self::by_room( $out );
	}

	/**
	 * Live entries of the namespace, counted without reading them (the site limit's check on
	 * every new entry: wp_presence_site_entry_count()).
	 *
	 * @since 1.3.0
	 *
	 * @return int
	 */
	public function entry_count() {
		return (int) $this->call( 'count' );
	}

	/**
	 * {@inheritDoc}
	 *
	 * @param string $room Room.
	 */
	public function room_version( $room ) {
		return (int) $this->call( 'version', array( (string) $room ) );
	}

	/**
	 * {@inheritDoc}
	 */
	public function sweep() {
		return (int) $this->call( 'sweep' );
	}

	/**
	 * {@inheritDoc}
	 */
	public function clear() {
		return (int) $this->call( 'clear' );
	}

	/**
	 * {@inheritDoc}
	 */
	public function stats() {
		$r     = $this->call( 'stats' );
		$stats = array(
			'entries'      => (int) $r[2],
			'rooms'        => (int) $r[1],
			'namespace'    => $this->ns,
			'namespaces'   => (int) $r[3],
			'clock_offset' => (int) $r[4],
			'server'       => $this->server(),
			'prefix'       => $this->prefix(),
		);
		try {
			$info = $this->redis->info( 'server' );
			if ( is_array( $info ) && isset( $info['redis_version'] ) ) {
				$stats['redis_version'] = (string) $info['redis_version'];
			}
			$memory = $this->redis->info( 'memory' );
			if ( is_array( $memory ) && isset( $memory['used_memory'] ) ) {
				$stats['used_memory'] = (int) $memory['used_memory'];
			}
		} catch ( RedisException $e ) {
			// INFO may be disabled (managed Redis); the counts above are what matters.
			unset( $e );
		}
		return $stats;
	}

	/**
	 * Redis's clock when now() last read it, and this process's clock then.
	 *
	 * @var array{0:int,1:float}|null
	 */
	private $clock = null;

	/**
	 * Whether the clock may move under this process (test mode): then now() reads it every call.
	 *
	 * @var bool
	 */
	private $clock_moves;

	/**
	 * {@inheritDoc}
	 *
	 * Redis's clock (TIME), so that every web server agrees, plus the test offset. Outside test
	 * mode it is read once per few seconds and request and carried on with this process's
	 * clock: a Heartbeat tick asks it for each write it may skip, and each ask was a script
	 * call. In test mode (the offset moves) every call reads it.
	 */
	public function now() {
		if ( $this->clock_moves ) {
			return (int) $this->call( 'now' );
		}
		$local = microtime( true );
		if ( null === $this->clock || $local < $this->clock[1] || $local - $this->clock[1] > 5 ) {
			$this->clock = array( (int) $this->call( 'now' ), $local );
		}
		return $this->clock[0] + (int) ( $local - $this->clock[1] );
	}

	/**
	 * {@inheritDoc}
	 *
	 * The offset lives in Redis (`{prefix}clock`) and moves the clock of every process in test
	 * mode; outside it the offset is ignored.
	 *
	 * @param int $seconds Seconds.
	 * @throws LogicException Unless `WP_PRESENCE_TESTING` is true.
	 */
	public function advance( $seconds ) {
		if ( ! self::testing() ) {
			throw new LogicException( 'presence Redis store: the clock only moves in tests; define WP_PRESENCE_TESTING as true before WordPress loads.' );
		}
		return (int) $this->call( 'advance', array( max( 0, (int) $seconds ) ) );
	}

	/**
	 * Puts the clock back to Redis's own time (WP_Presence_Testing::reset_clock()).
	 *
	 * @return void
	 */
	public function reset_clock() {
		$this->call( 'reset_clock' );
	}

	/**
	 * Whether the test clock may move: `WP_PRESENCE_TESTING` is defined and true.
	 *
	 * @return bool
	 */
	private static function testing() {
		return defined( 'WP_PRESENCE_TESTING' ) && WP_PRESENCE_TESTING;
	}

	/**
	 * Deletes every key of some namespaces (uninstall), and forgets them in `{prefix}namespaces`.
	 *
	 * A namespace goes when it equals one of `$names` or starts with one of `$prefixes`. Keys
	 * are found with SCAN (never KEYS, which would block Redis): only keys under this store's
	 * prefix whose length-delimited namespace matches, so other installs on the same Redis and
	 * the shared `{prefix}clock` stay.
	 *
	 * @param string[] $prefixes Namespace prefixes (e.g. `wp-{hash}-` for every site of an install).
	 * @param string[] $names    Whole namespaces.
	 * @return int Keys deleted.
	 * @throws RuntimeException On a Redis error.
	 */
	public function delete_namespaces( array $prefixes, array $names = array() ) {
		$p       = $this->prefix();
		$pattern = addcslashes( $p, '*?[]\\' ) . '*';
		$deleted = 0;
		$spaces  = array();
		$matches = static function ( $ns ) use ( $prefixes, $names ) {
			foreach ( $prefixes as $prefix ) {
				if ( '' !== (string) $prefix && 0 === strpos( $ns, (string) $prefix ) ) {
					return true;
				}
			}
			return in_array( $ns, array_map( 'strval', $names ), true );
		};
		try {
			$this->redis->setOption( Redis::OPT_SCAN, Redis::SCAN_RETRY );
			$it = null;
			while ( false !== ( $keys = $this->redis->scan( $it, $pattern, 500 ) ) ) { // phpcs:ignore WordPress.CodeAnalysis.AssignmentInCondition.FoundInWhileCondition -- phpredis's iterator idiom.
				$gone = array();
				foreach ( (array) $keys as $key ) {
					// {p}{strlen(ns)}:{ns}:...
					if ( ! preg_match( '/\A(\d+):/', substr( $key, strlen( $p ) ), $m ) ) {
						continue; // {p}namespaces, {p}clock.
					}
					$ns = (string) substr( $key, strlen( $p ) + strlen( $m[0] ), (int) $m[1] );
					if ( strlen( $ns ) === (int) $m[1] && $matches( $ns ) ) {
						$gone[]        = $key;
						$spaces[ $ns ] = true;
					}
				}
				if ( $gone ) {
					$deleted += (int) $this->redis->del( $gone );
				}
			}
			foreach ( (array) $this->redis->sMembers( $p . 'namespaces' ) as $ns ) {
				if ( $matches( (string) $ns ) ) {
					$spaces[ (string) $ns ] = true;
				}
			}
			if ( $spaces ) {
				$this->redis->sRem( $p . 'namespaces', ...array_map( 'strval', array_keys( $spaces ) ) );
			}
		} catch ( RedisException $e ) {
			throw new RuntimeException( sprintf( 'presence Redis store (%s): %s', $this->server(), $e->getMessage() ), 0, $e );
		}
		return $deleted;
	}
}
