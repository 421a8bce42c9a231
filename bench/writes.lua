-- wrk script for bench/run.sh's write scenario: status updates and value submissions (POST /progress: a focal point's
-- value, submitted for review, dated today, so it goes to the open round of the current quarter) over HTTP, each on a
-- commitment no other connection is writing at the time, with the focal point token of the commitment's country.
-- Answers other than 2xx are counted (non2xx), and bench/run.sh's table requires none; the JSON line also counts the
-- answers by status and quotes the first body of each status other than 2xx (what a refusal said).
--   wrk -t T -c C -d D -s bench/writes.lua URL -- TARGETS_FILE T
--   wrk ... -- TARGETS_FILE T VISITS_FILE   the same, carrying each commitment's visit count from one run to the next
--       (read at the start, written at the end), so a run continues each commitment's walk where the last run left
--       it: without it every run starts at a value, and a commitment a run left on hold is put on hold again (409).
-- TARGETS_FILE: one "commitment-id token" per line. Thread i takes every T-th line from line i, and rotates through
-- them, so a commitment is written again only after all of the thread's others. Each visit of a commitment does the
-- next of: value submitted, status on-hold, value submitted, status in-progress (transitions valid from not-started
-- and from in-progress, the states the data sets leave commitments in). Values stay within 1..100, valid for every
-- unit (a percentage may not pass 100).
local threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

local mine, next_target = {}, 1
-- Global, so done() can read each thread's counts (wrk's thread:get reads globals).
visits = {}
-- Answers by status, and the first body of each status other than 2xx (globals too, for done()).
statuses, refusals = {}, {}

-- "id count" lines of VISITS_FILE, when it exists.
local function read_visits(path, into)
  local f = io.open(path)
  if not f then return into end
  for line in f:lines() do
    local id, n = line:match("^(%S+) (%d+)$")
    if id then into[id] = tonumber(n) end
  end
  f:close()
  return into
end

function init(args)
  local file, count = args[1], tonumber(args[2])
  visits_file = args[3]
  local i = 0
  for line in io.lines(file) do
    local id, token = line:match("^(%S+) (%S+)$")
    if id and i % count == thread_index then table.insert(mine, { id = id, token = token }) end
    i = i + 1
  end
  if #mine == 0 then error("no commitments for thread " .. thread_index) end
  -- Only this thread's own counts: done() merges every thread's table, and another thread's count read here would
  -- go back unchanged and overwrite that thread's.
  if visits_file then
    local all = read_visits(visits_file, {})
    for _, t in ipairs(mine) do visits[t.id] = all[t.id] end
  end
end

function request()
  local t = mine[next_target]
  next_target = next_target % #mine + 1
  local visit = (visits[t.id] or 0)
  visits[t.id] = visit + 1
  local headers = { ["Authorization"] = "Bearer " .. t.token, ["Content-Type"] = "application/json" }
  local step = visit % 4
  if step == 0 or step == 2 then
    local body = string.format('{"value": %d, "asOf": "%s", "note": "bench"}', visit % 100 + 1, os.date("!%Y-%m-%d"))
    return wrk.format("POST", "/api/commitments/" .. t.id .. "/progress", headers, body)
  end
  local status = step == 1 and "on-hold" or "in-progress"
  return wrk.format("POST", "/api/commitments/" .. t.id .. "/status", headers, '{"status": "' .. status .. '", "note": "bench"}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if (status < 200 or status > 299) and not refusals[status] then refusals[status] = body end
end

-- A JSON string of s.
local function quote(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function done(summary, latency, requests)
  local path = #threads > 0 and threads[1]:get("visits_file")
  if path then
    local all = read_visits(path, {})
    for _, thread in ipairs(threads) do
      for id, n in pairs(thread:get("visits")) do all[id] = n end
    end
    local out = io.open(path, "w")
    for id, n in pairs(all) do out:write(id, " ", n, "\n") end
    out:close()
  end
  local by_status, first_refusal = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do by_status[status] = (by_status[status] or 0) + n end
    for status, body in pairs(thread:get("refusals")) do first_refusal[status] = first_refusal[status] or body end
  end
  local counts, bodies = {}, {}
  for status, n in pairs(by_status) do table.insert(counts, string.format('"%d": %d', status, n)) end
  for status, body in pairs(first_refusal) do table.insert(bodies, string.format('"%d": %s', status, quote(body:sub(1, 400)))) end
  table.sort(counts); table.sort(bodies)
  local seconds = summary.duration / 1e6
  io.write(string.format('{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50": %.2f, "p99": %.2f, "max": %.2f, "non2xx": %d, "socketErrors": %d, "statuses": {%s}, "refusals": {%s}}\n',
    summary.requests, seconds, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(counts, ", "), table.concat(bodies, ", ")))
end
