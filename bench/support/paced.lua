-- Paces wrk so that all its connections together send about RATE requests per second:
--   wrk -c CONNECTIONS -s paced.lua URL -- RATE CONNECTIONS
-- wrk calls delay() before every request, so each connection waits CONNECTIONS / RATE seconds.
local interval_ms = 0

function init(args)
  interval_ms = tonumber(args[2]) * 1000 / tonumber(args[1])
end

function delay()
  return interval_ms
end
