-- wrk script for make bench (bench/wrk.py runs it): each request goes out as the next of the page's
-- users, and done() prints the run's figures as one JSON line that bench/wrk.py parses.
--
--   wrk -t2 -c16 -d8s -s bench/rotate.lua http://127.0.0.1:8001 -- TARGETS_FILE
--
-- TARGETS_FILE: one "path<TAB>cookie" line per user (cookie may be empty). Each thread starts at its own
-- line and cycles through all of them, so every user is requested whatever the thread count.

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(assert(args[1], "no targets file given"), "r"))
  reqs, used, statuses = {}, {}, {}
  for line in file:lines() do
    local path, cookie = line:match("^([^\t]+)\t?(.*)$")
    if path then
      -- Built once here, so request() only picks one: the client stays cheap beside the server.
      local headers = { ["X-Forwarded-Proto"] = "https", ["User-Agent"] = "ppda-bench" }
      if cookie ~= "" then headers["Cookie"] = cookie end
      table.insert(reqs, wrk.format("GET", path, headers))
      table.insert(used, 0)
    end
  end
  file:close()
  assert(#reqs > 0, "the targets file has no lines")
  n = #reqs
  i = id % n
end

function request()
  i = i % n + 1
  used[i] = used[i] + 1
  return reqs[i]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_counts(t)
  local parts = {}
  for k, v in pairs(t) do table.insert(parts, string.format('"%s":%d', tostring(k), v)) end
  table.sort(parts)
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local statuses, used = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses")) do statuses[k] = (statuses[k] or 0) + v end
    for k, v in ipairs(thread:get("used")) do used[k] = (used[k] or 0) + v end
  end
  local pct = {}
  for _, p in ipairs({ 50, 75, 90, 95, 99 }) do
    table.insert(pct, string.format('"p%d_us":%.1f', p, latency:percentile(p)))
  end
  local e = summary.errors
  io.write(string.format(
    'PPDA-WRK {"requests":%d,"duration_us":%d,"bytes":%d,%s,"mean_us":%.1f,"max_us":%.1f,'
      .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"statuses":%s,"used":[%s]}\n',
    summary.requests, summary.duration, summary.bytes, table.concat(pct, ","), latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, json_counts(statuses), table.concat(used, ",")
  ))
end
