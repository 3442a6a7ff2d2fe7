-- wrk script: token refreshes, each connection spending the refresh token its previous answer returned.
-- Arguments: <file of refresh tokens, one per line> <tokens per thread>. Give each thread at least as many
-- tokens as it has connections.
local threads = 0

function setup(thread)
    thread:set("id", threads)
    threads = threads + 1
end

function init(args)
    local per = tonumber(args[2])
    queue = {}
    local index = 0
    for line in io.lines(args[1]) do
        if index >= id * per and index < (id + 1) * per then table.insert(queue, line) end
        index = index + 1
    end
end

function request()
    local token = table.remove(queue, 1) or "exhausted"
    return wrk.format("POST", "/api/v1/auth/refresh", { ["Content-Type"] = "application/json" }, '{"refreshToken":"' .. token .. '"}')
end

function response(status, headers, body)
    local token = body:match('"refreshToken":"([^"]+)"')
    if token then table.insert(queue, token) end
end
