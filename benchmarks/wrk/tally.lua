-- What every wrk script of the benchmarks shares (holds.lua and reads.lua load it with dofile,
-- relative to their own path): argument parsing, the per-thread tallies of answers and the
-- `done` that prints them.
--
-- A script calls `tally_ok()` for the answers it counts as accepted, `tally_conflict()` for
-- 409s where it counts them, and `tally_other(status)` for any other status. `done` prints one
-- line "WRK_RESULT {json}" (benchmarks/wrk/__init__.py parses it) with the counts summed over
-- the threads, wrk's error counters and its latency (microseconds, every completed request,
-- whatever its status).

-- per-thread tallies, read by `done` through thread:get
created, conflicts, others, statuses = 0, 0, 0, ""
local other_by_status = {}
local threads = {}

-- "a,b,c" -> {"a", "b", "c"}
function split(text)
   local out = {}
   for item in string.gmatch(text or "", "[^,]+") do
      out[#out + 1] = item
   end
   return out
end

-- wrk's script arguments ("key=value" after --) as a table
function options_of(args)
   local options = {}
   for _, arg in ipairs(args) do
      local key, value = string.match(arg, "^([%w_]+)=(.*)$")
      if key then
         options[key] = value
      end
   end
   return options
end

function setup(thread)
   thread:set("wrk_thread_id", #threads + 1)
   threads[#threads + 1] = thread
end

function tally_ok()
   created = created + 1
end

function tally_conflict()
   conflicts = conflicts + 1
end

function tally_other(status)
   others = others + 1
   other_by_status[status] = (other_by_status[status] or 0) + 1
   local parts = {}
   for code, count in pairs(other_by_status) do
      parts[#parts + 1] = code .. ":" .. count
   end
   statuses = table.concat(parts, ",")
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
