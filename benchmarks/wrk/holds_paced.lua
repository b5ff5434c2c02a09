-- holds.lua at a steady rate (pacing.lua): the background hold load of the read benchmark.
--
--   wrk -t1 -cN -dT --latency -s holds_paced.lua URL -- mode=best shows=... zones=... rate=100
local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(here .. "holds.lua")
dofile(here .. "pacing.lua")
