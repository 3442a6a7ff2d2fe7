-- wrk script: POST /api/v1/bookings for one guest, each request with its own Idempotency-Key, on slots taken
-- round-robin from a file of slot ids (one per line).
--   wrk -s book.lua URL -- SLOTS_FILE TOKEN RUN_NAME   (RUN_NAME keeps keys apart between runs)
local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    slots = {}
    for line in io.lines(args[1]) do table.insert(slots, line) end
    token = args[2]
    run = args[3]
    counter = 0
    conflicts = 0
    failures = 0
    sample = ""
end

function response(status, headers, body)
    if status == 409 then conflicts = conflicts + 1
    elseif status >= 300 then
        failures = failures + 1
        if sample == "" then sample = status .. " " .. body end
    end
end

function request()
    counter = counter + 1
    local slot = slots[(counter % #slots) + 1]
    local headers = {
        ["Content-Type"] = "application/json",
        ["Authorization"] = "Bearer " .. token,
        ["Idempotency-Key"] = string.format("%s-%d-%d", run, id, counter),
    }
    return wrk.format("POST", "/api/v1/bookings", headers, '{"slotId":"' .. slot .. '","guests":1}')
end

-- wrk's own report stops at p99 with no p95; print p50, p95 and p99 in milliseconds.
function done(summary, latency, requests)
    io.write(string.format("percentiles-ms %.2f %.2f %.2f\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
    local conflicts, failures = 0, 0
    for _, thread in ipairs(threads) do
        conflicts = conflicts + thread:get("conflicts")
        failures = failures + thread:get("failures")
        if failures > 0 and thread:get("sample") ~= "" then io.write("first failure: " .. thread:get("sample") .. "\n") end
    end
    io.write(string.format("answers: %d conflicts (409), %d other failures\n", conflicts, failures))
end
