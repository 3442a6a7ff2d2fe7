-- wrk script for bench/payment, in one of two modes:
--   create:  POST /internal/v1/payments for a new booking each time (a service credential)
--            wrk -s payments.lua URL -- create SERVICE_TOKEN TRAVELER_ID
--   confirm: POST /api/v1/payments/{id}/confirm with the 4242 test card, each id of the file once
--            wrk -s payments.lua URL -- confirm TRAVELER_TOKEN IDS_FILE
package.path = "bench/support/?.lua;" .. package.path
require("wrk_common")

function init(args)
    mode, token = args[1], args[2]
    counter = 0
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
