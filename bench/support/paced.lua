-- Paces wrk so that all its connections together send about RATE requests per second:
--   wrk -c CONNECTIONS -s paced.lua URL -- RATE CONNECTIONS
-- wrk calls delay() before every request, so each connection waits CONNECTIONS / RATE seconds (on top of the
-- answer's own latency). wrk takes whole milliseconds: the fractions are carried over to the next delay, so that
-- the mean is exact.
local interval_ms = 0
local owed_ms = 0

function init(args)
  interval_ms = tonumber(args[2]) * 1000 / tonumber(args[1])
end

function delay()
  owed_ms = owed_ms + interval_ms
  local whole = math.floor(owed_ms)
  owed_ms = owed_ms - whole
  return whole
end
