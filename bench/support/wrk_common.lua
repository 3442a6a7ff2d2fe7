-- What the benches' wrk scripts share: threads numbered in `id`, the first failure each thread saw kept in
-- `sample` (a script's init sets it to ""), and at the end the latency percentiles in ms and those failures.
--   package.path = "bench/support/?.lua;" .. package.path
--   require("wrk_common")
local threads = {}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
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
