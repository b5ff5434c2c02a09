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

local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(here .. "tally.lua")

function init(args)
   local options = options_of(args)
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
      tally_ok()
   else
      tally_other(status)
   end
end
