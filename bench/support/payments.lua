-- wrk script for bench/payment, in one of two modes:
--   create:  POST /internal/v1/payments for a new booking each time (a service credential)
--            wrk -s payments.lua URL -- create SERVICE_TOKEN TRAVELER_ID
--   confirm: POST /api/v1/payments/{id}/confirm with the 4242 test card, each id of the file once
--            wrk -s payments.lua URL -- confirm TRAVELER_TOKEN IDS_FILE
local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    mode, token = args[1], args[2]
    counter = 0
    failures = 0
    sample = ""
    math.randomseed(os.time() * 1000 + id)
    if mode == "create" then
        traveler = args[3]
    else
        ids = {}
        for line in io.lines(args[3]) do table.insert(ids, line) end
        -- Each thread confirms its own half of the ids.
        first = math.floor(#ids / 2) * id
    end
end

local function uuid()
    return string.format("%08x-%04x-4%03x-a%03x-%012x", math.random(0, 0xffffffff), math.random(0, 0xffff),
        math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffffffffff))
end

function request()
    counter = counter + 1
    local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
    if mode == "create" then
        local body = string.format('{"bookingId":"%s","travelerId":"%s","providerId":"%s","amount":{"amount":85000,"currency":"MXN"},"description":"Bench tour"}',
            uuid(), traveler, uuid())
        return wrk.format("POST", "/internal/v1/payments", headers, body)
    end
    local payment = ids[first + counter] or ids[#ids]
    headers["Idempotency-Key"] = "bench-" .. id .. "-" .. counter
    return wrk.format("POST", "/api/v1/payments/" .. payment .. "/confirm", headers,
        '{"card":{"number":"4242 4242 4242 4242","expMonth":12,"expYear":2040,"cvc":"123"}}')
end

function response(status, headers, body)
    if status >= 300 then
        failures = failures + 1
        if sample == "" then sample = status .. " " .. body end
    end
end

function done(summary, latency, requests)
    io.write(string.format("percentiles-ms %.2f %.2f %.2f\n", latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
    for _, thread in ipairs(threads) do
        if thread:get("sample") ~= "" then io.write("first failure: " .. thread:get("sample") .. "\n") end
    end
end
