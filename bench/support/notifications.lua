-- wrk script for bench/notify: POST /internal/v1/notifications as another service's outbox does, a new
-- idempotency key and recipient each time, a security mail (email only, never rate limited), all due at SEND_AT.
--   wrk -s notifications.lua URL -- SERVICE_TOKEN SEND_AT
package.path = "bench/support/?.lua;" .. package.path
require("wrk_common")

function init(args)
    token = args[1]
    send_at = args[2]
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
    local body = string.format('{"type":"auth.password_changed","recipientId":"%s","data":{"name":"Bench"},"idempotencyKey":"bench-%d-%d-%s","sendAt":"%s"}',
        uuid(), id, counter, uuid(), send_at)
    return wrk.format("POST", "/internal/v1/notifications", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
