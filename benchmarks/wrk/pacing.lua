-- Steady-rate pacing for a wrk script (loaded by reads_paced.lua and holds_paced.lua after it).
--
-- Reads `rate=` (requests per second of this wrk thread; the benchmarks run one thread) from
-- the script's arguments and defines wrk's `delay()`: the thread hands out send slots
-- 1000/rate ms apart, and a connection ready to send waits until the next free slot. With
-- enough connections the thread offers a steady rate, like an open loop. When every connection
-- is still waiting for an answer at a slot's time, that slot is skipped, not queued: the
-- achieved rate drops below `rate` instead, and the late requests' waiting is not measured
-- (wrk starts a request's clock when it is sent, after the delay), i.e. coordinated omission
-- is possible; compare the achieved rate with the target. wrk's timers have millisecond
-- resolution, so a slot is taken up to 1 ms early; the schedule itself does not drift.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_pacing_timespec;
int clock_gettime(int clk_id, bench_pacing_timespec *tp);
]])
local CLOCK_MONOTONIC = 1
local timespec = ffi.new("bench_pacing_timespec")

local function now_ms()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, timespec)
   return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local paced_init = init
local interval_ms = 1000
local next_slot = nil

function init(args)
   paced_init(args)
   for _, arg in ipairs(args) do
      local value = string.match(arg, "^rate=(.*)$")
      if value then
         interval_ms = 1000.0 / tonumber(value)
      end
   end
end

function delay()
   local now = now_ms()
   if next_slot == nil then
      next_slot = now - interval_ms
   end
   next_slot = math.max(next_slot + interval_ms, now)
   return math.floor(next_slot - now)
end
