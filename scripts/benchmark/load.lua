-- wrk script of scripts/benchmark.sh: a fixed number of requests, then a line of figures to parse.
-- LOAD=home: the URL given on the command line, again and again (one user: the feed-cache hit path).
-- LOAD=mixed: 50% home pages of users 1-40, 30% video pages recording a view, 20% heartbeats.
-- REQUESTS=n: stop after n answers. Run with one thread (-t1), so the count is the whole run's.
local limit = tonumber(os.getenv("REQUESTS") or "10000")
local answered = 0
local sent = 0

if os.getenv("LOAD") == "mixed" then
  request = function()
    sent = sent + 1
    local user = sent % 40 + 1
    local kind = sent % 10
    if kind < 5 then
      return wrk.format("GET", "/api/home?userId=" .. user)
    elseif kind < 8 then
      return wrk.format("GET", "/api/videos/" .. (sent % 300 + 1) .. "?userId=" .. user)
    end
    return wrk.format("POST", "/api/users/" .. user .. "/heartbeat?page=home")
  end
end

response = function(status, headers, body)
  answered = answered + 1
  if answered == limit then
    -- wrk stops early on SIGINT and still prints its figures. popen, not os.execute: system() would
    -- ignore SIGINT in this process while the kill runs.
    local pid = io.open("/proc/self/stat"):read("*n")
    io.popen("kill -INT " .. pid):close()
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
