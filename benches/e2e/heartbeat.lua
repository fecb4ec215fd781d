-- benches/e2e/heartbeat.lua: wrk script replaying authenticated Heartbeat ticks, rotating over users.
--
-- Usage: wrk -t1 -c16 -d10s -s heartbeat.lua http://127.0.0.1:PORT -- REQUESTS_FILE [LABEL]
--   REQUESTS_FILE: one request per line, "cookie<TAB>form body" (written by prime.php).
-- Each connection takes the next user in turn, so every user ticks at the same rate.
-- done() prints one JSON line (prefixed "RESULT ") with requests/s, latency percentiles, and the
-- per-tick averages read from the responses: body bytes and the X-Bench-Queries header.

local threads = {}
local counter = 1

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local reqs = {}
local idx = 0
nresp, bad, bytes, queries, qcount, qhb, presence = 0, 0, 0, 0, 0, 0, 0

function init(args)
	local path = args[1]
	local f = assert(io.open(path, "r"), "cannot open " .. tostring(path))
	for line in f:lines() do
		local cookie, body = line:match("^([^\t]*)\t(.*)$")
		if cookie then
			reqs[#reqs + 1] = wrk.format("POST", "/wp-admin/admin-ajax.php", {
				["Content-Type"] = "application/x-www-form-urlencoded",
				["Cookie"] = cookie,
			}, body)
		end
	end
	f:close()
	assert(#reqs > 0, "no requests in " .. path)
	-- threads start at different users
	idx = ((id or 1) - 1) * math.floor(#reqs / 2)
end

function request()
	idx = idx % #reqs + 1
	return reqs[idx]
end

function response(status, headers, body)
	nresp = nresp + 1
	if status ~= 200 or body:find('"nonces_expired"', 1, true) or not body:find('"server_time"', 1, true) then
		bad = bad + 1
	end
	bytes = bytes + #body
	local q = headers["X-Bench-Queries"] or headers["x-bench-queries"]
	if q then
		queries = queries + tonumber(q)
		qcount = qcount + 1
	end
	local h = headers["X-Bench-Queries-Hb"] or headers["x-bench-queries-hb"]
	if h then qhb = qhb + tonumber(h) end
	if body:find('"wp-presence"', 1, true) then presence = presence + 1 end
end

function done(summary, latency, requests)
	local n, b, by, q, qc, qh, p = 0, 0, 0, 0, 0, 0, 0
	for _, t in ipairs(threads) do
		n = n + t:get("nresp")
		b = b + t:get("bad")
		by = by + t:get("bytes")
		q = q + t:get("queries")
		qc = qc + t:get("qcount")
		qh = qh + t:get("qhb")
		p = p + t:get("presence")
	end
	local secs = summary.duration / 1e6
	local e = summary.errors
	io.write(string.format(
		'RESULT {"requests":%d,"seconds":%.3f,"rps":%.2f,"p50_ms":%.2f,"p90_ms":%.2f,"p99_ms":%.2f,"mean_ms":%.2f,' ..
		'"bad":%d,"socket_errors":%d,"timeouts":%d,"bytes_per_tick":%.1f,"queries_per_tick":%s,"hb_queries_per_tick":%s,' ..
		'"presence_replies":%d}\n',
		summary.requests, secs, summary.requests / secs,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.mean / 1000,
		b, e.connect + e.read + e.write, e.timeout,
		n > 0 and by / n or 0,
		qc > 0 and string.format("%.2f", q / qc) or "null",
		qc > 0 and string.format("%.2f", qh / qc) or "null",
		p))
end
