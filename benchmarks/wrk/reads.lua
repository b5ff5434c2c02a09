-- wrk script of the read benchmark (benchmarks/reads runs it; see docs/performance.md).
--
--   wrk -t1 -cN -dT --latency -s reads.lua URL -- paths=/a,/b
--
-- Each request is a GET of the next path of `paths` (round robin per thread; a path may carry
-- its query string, e.g. /v1/shows/<id>/seats?format=compact). Headers (Authorization for the
-- dashboard) come from wrk's -H. The loop is closed: every connection sends its next request
-- as soon as the previous answer arrived; reads_paced.lua adds a steady rate (pacing.lua).
-- `done` prints one line "WRK_RESULT {json}" in the format of holds.lua: "ok" counts 200s,
-- "conflicts" stays 0, any other status is counted by code.

local paths = {}
local next_path = 0
local thread_id = 1

-- per-thread tallies, read by `done` through thread:get
created, conflicts, others, statuses = 0, 0, 0, ""
local other_by_status = {}
local threads = {}

local function split(text)
   local out = {}
   for item in string.gmatch(text or "", "[^,]+") do
      out[#out + 1] = item
   end
   return out
end

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
   for _, path in ipairs(split(options.paths or "/healthz")) do
      paths[#paths + 1] = wrk.format("GET", path)
   end
   next_path = thread_id - 1
end

function request()
   next_path = next_path % #paths + 1
   return paths[next_path]
end

function response(status, headers, body)
   if status == 200 then
      created = created + 1
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
   local ok, other, totals = 0, 0, {}
   for _, thread in ipairs(threads) do
      ok = ok + (thread:get("created") or 0)
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
         .. '"ok":%d,"conflicts":0,"other":%d,"other_statuses":{%s},'
         .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},'
         .. '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f,"stdev":%.1f}}\n',
      summary.duration, summary.requests, summary.bytes,
      ok, other, table.concat(by_status, ","),
      e.connect, e.read, e.write, e.status, e.timeout,
      pct(50), pct(90), pct(99), latency.max, latency.mean, latency.stdev
   ))
end
