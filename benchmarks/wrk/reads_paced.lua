-- reads.lua at a steady rate (pacing.lua):
--
--   wrk -t1 -cN -dT --latency -s reads_paced.lua URL -- paths=/a,/b rate=1000
local here = string.match(debug.getinfo(1, "S").source, "^@(.*/)") or "./"
dofile(here .. "reads.lua")
dofile(here .. "pacing.lua")
