-- wrk script for bench/notify: POST /internal/v1/notifications as another service's outbox does, a new
-- idempotency key and recipient each time, all due at SEND_AT: a security mail (email only, never rate limited), or
-- with KIND "payout", a payout notice (email, push and the inbox, flood limited).
--   wrk -s notifications.lua URL -- SERVICE_TOKEN SEND_AT [KIND]
package.path = "bench/support/?.lua;" .. package.path
require("wrk_common")

function init(args)
    token = args[1]
    send_at = args[2]
    notice = kinds[args[3] or "security"]
    counter = 0
    sample = ""
    math.randomseed(os.time() * 1000 + id)
end

kinds = {
    security = '"type":"auth.password_changed","recipientId":"%s","data":{"name":"Bench"}',
    payout = '"type":"payment.payout_sent","recipientId":"%s","data":{"payoutId":"0b8c6d1e-3a2f-4e5d-8c7b-9a1f2e3d4c5b",'
        .. '"amount":{"amount":216750,"currency":"MXN"}}',
}

local function uuid()
    return string.format("%08x-%04x-4%03x-a%03x-%012x", math.random(0, 0xffffffff), math.random(0, 0xffff),
        math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffffffffff))
end

function request()
    counter = counter + 1
    local body = string.format('{' .. notice .. ',"idempotencyKey":"bench-%d-%d-%s","sendAt":"%s"}', uuid(), id, counter, uuid(), send_at)
    return wrk.format("POST", "/internal/v1/notifications", { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end
