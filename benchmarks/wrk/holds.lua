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

local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(here .. "tally.lua")

function init(args)
   local options = options_of(args)
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
      tally_ok()
   elseif status == 409 then
      tally_conflict()
   else
      tally_other(status)
   end
end
