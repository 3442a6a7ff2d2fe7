-- wrk script for bench/notify: POST /internal/v1/notifications as another service's outbox does, a new
-- idempotency key and recipient each time, a security mail (email only, never rate limited).
--   wrk -s notifications.lua URL -- SERVICE_TOKEN
local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    token = args[1]
    counter = 0
    sample = ""
    math.randomseed(os.time() * 1000 + id)
end

local function uuid()
    return string.format("%08x-%04x-4%03x-a%03x-%012x", math.random(0, 0xffffffff), math.random(0, 0xffff),
        math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffffffffff))
end

function request()
    counter = counter + 1
    local body = string.format('{"type":"auth.password_changed","recipientId":"%s","data":{"name":"Bench"},"idempotencyKey":"bench-%d-%d-%s"}',
        uuid(), id, counter, uuid())
    return wrk.format("POST", "/internal/v1/notifications", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function response(status, headers, body)
    if status >= 300 and sample == "" then sample = status .. " " .. body end
end

function done(summary, latency, requests)
    io.write(string.format("percentiles-ms %.2f %.2f %.2f\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
    for _, thread in ipairs(threads) do
        if thread:get("sample") ~= "" then io.write("first failure: " .. thread:get("sample") .. "\n") end
    end
end
