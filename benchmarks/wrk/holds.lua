-- wrk script of the command benchmark (benchmarks/wrk/__init__.py runs it; see docs/performance.md).
--
--   wrk -t1 -cN -dT --latency -s holds.lua URL -- mode=best shows=ID,ID zones=A,B rows=10 seats=20 ...
--
-- mode=explicit  POST /v1/shows/<show>/holds {"customer_id","seat_ids":[one random seat of the zone]}
-- mode=best      POST /v1/shows/<show>/holds {"customer_id","zone_id","quantity":qmin..qmax}
-- mode=floor     GET <path> (the generator's own floor against a constant endpoint)
--
-- Each request picks a random show of `shows` and a random zone of `zones`; a zone has `rows`
-- rows ("1".."rows") of `seats` seats, so seat ids are <zone>-<row>-<number>. Every request
-- carries a unique Idempotency-Key (prefix-thread-counter) and a unique customer id. The
-- Authorization header comes from wrk's -H. `response` counts 201, 409 and other statuses;
-- `done` prints one line "WRK_RESULT {json}" with the counts, wrk's error counters and its
-- latency (microseconds, every completed request, whatever its status).

local counter = 0
local thread_id = 1
local mode, path, prefix = "floor", "/healthz", "wrk"
local shows, zones = {}, {}
local rows, seats, qmin, qmax = 1, 1, 1, 1
local floor_request = nil
local json_headers = {}

-- per-thread tallies, read by `done` through thread:get
created, conflicts, others, statuses = 0, 0, 0, ""
local other_by_status = {}

local function split(text)
   local out = {}
   for item in string.gmatch(text or "", "[^,]+") do
      out[#out + 1] = item
   end
   return out
end

local threads = {}

function setup(thread)
   thread:set("wrk_thread_id", #threads + 1)
   threads[#threads + 1] = thread
end

function init(args)
   local options = {}
   for _, arg in ipairs(args) do
      local key, value = string.match(arg, "^([%w_]+)=(.*)$")
      if key then
         options[key] = value
      end
   end
   thread_id = wrk_thread_id or 1
   mode = options.mode or mode
   path = options.path or path
   prefix = options.prefix or prefix
   shows = split(options.shows)
   zones = split(options.zones)
   rows = tonumber(options.rows or "1")
   seats = tonumber(options.seats or "1")
   qmin = tonumber(options.qmin or "1")
   qmax = tonumber(options.qmax or tostring(qmin))
   math.randomseed(tonumber(options.seed or "1") * 1000 + thread_id)
   json_headers = {}
   for name, value in pairs(wrk.headers) do
      json_headers[name] = value
   end
   json_headers["Content-Type"] = "application/json"
   if mode == "floor" then
      floor_request = wrk.format("GET", path)
   elseif #shows == 0 or #zones == 0 then
      error("holds.lua: mode " .. mode .. " needs shows= and zones=")
   end
end

function request()
   if floor_request then
      return floor_request
   end
   counter = counter + 1
   local tag = prefix .. "-" .. thread_id .. "-" .. counter
   local show = shows[math.random(#shows)]
   local zone = zones[math.random(#zones)]
   local body
   if mode == "explicit" then
      local seat = zone .. "-" .. math.random(rows) .. "-" .. math.random(seats)
      body = '{"customer_id":"c-' .. tag .. '","seat_ids":["' .. seat .. '"]}'
   else
      local quantity = math.random(qmin, qmax)
      body = '{"customer_id":"c-' .. tag .. '","zone_id":"' .. zone .. '","quantity":' .. quantity .. "}"
   end
   json_headers["Idempotency-Key"] = tag
   return wrk.format("POST", "/v1/shows/" .. show .. "/holds", json_headers, body)
end

function response(status, headers, body)
   if status == 201 or (mode == "floor" and status == 200) then
      created = created + 1
   elseif status == 409 then
      conflicts = conflicts + 1
   else
      others = others + 1
      other_by_status[status] = (other_by_status[status] or 0) + 1
      local parts = {}
      for code, count in pairs(other_by_status) do
         parts[#parts + 1] = code .. ":" .. count
      end
      statuses = table.concat(parts, ",")
   end
end

function done(summary, latency, requests)
   local ok, conflict, other, totals = 0, 0, 0, {}
   for _, thread in ipairs(threads) do
      ok = ok + (thread:get("created") or 0)
      conflict = conflict + (thread:get("conflicts") or 0)
      other = other + (thread:get("others") or 0)
      for code, count in string.gmatch(thread:get("statuses") or "", "(%d+):(%d+)") do
         totals[code] = (totals[code] or 0) + tonumber(count)
      end
   end
   local by_status = {}
   for code, count in pairs(totals) do
      by_status[#by_status + 1] = '"' .. code .. '":' .. count
   end
   local e = summary.errors
   local function pct(p)
      return latency:percentile(p)
   end
   io.write(string.format(
      'WRK_RESULT {"duration_us":%d,"requests":%d,"bytes":%d,'
         .. '"ok":%d,"conflicts":%d,"other":%d,"other_statuses":{%s},'
         .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
         .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f,"stdev":%.1f}}\n',
      summary.duration, summary.requests, summary.bytes,
      ok, conflict, other, table.concat(by_status, ","),
      e.connect, e.read, e.write, e.status, e.timeout,
      pct(50), pct(90), pct(99), latency.max, latency.mean, latency.stdev
   ))
end
