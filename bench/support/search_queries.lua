-- wrk script for bench/search, in one of three modes (the first argument):
--   text:     GET /api/v1/search?q=… over a fixed set of traveler queries (prefixes and typos among them)
--   filtered: the same words with a point, a radius, a category, a price range, a sort and the facets
--   suggest:  GET /api/v1/search/suggest?q=… for what a traveler has typed so far
package.path = "bench/support/?.lua;" .. package.path
require("wrk_common")

texts = { "cenote", "tacos%20merida", "ruinas%20amanecer", "snorkling%20turtles", "mezcal", "jungle%20hike", "cocina%20oaxaca",
          "whale%20shark", "cenot", "tirolesa", "pyramids", "%22street%20food%22", "buceo%20arrecife", "caves", "mayan%20ruins",
          "clase%20de%20cocina", "kayak", "chocolate", "textile", "sailing%20sunset" }
points = { "lat=20.97&lng=-89.59", "lat=20.21&lng=-87.47", "lat=17.07&lng=-96.73", "lat=19.43&lng=-99.13", "lat=21.16&lng=-86.85" }
categories = { "food", "nature", "culture", "water", "adventure" }
sorts = { "relevance", "price", "-price", "rating", "distance" }
prefixes = { "cen", "tac", "mer", "oax", "sno", "rui", "tir", "coc", "mez", "bac", "tul", "pue", "jun", "bir", "whal" }

function init(args)
    mode = args[1]
    math.randomseed(os.time() * 1000 + id)
    sample = ""
end

local function pick(list) return list[math.random(#list)] end

function request()
    if mode == "suggest" then
        return wrk.format("GET", "/api/v1/search/suggest?q=" .. pick(prefixes))
    end
    local path = "/api/v1/search?q=" .. pick(texts)
    if mode == "filtered" then
        local low = math.random(3, 15) * 10000
        path = path .. "&" .. pick(points) .. "&radiusKm=" .. math.random(20, 300) .. "&category=" .. pick(categories)
            .. "&minPrice=" .. low .. "&maxPrice=" .. (low + 200000) .. "&currency=MXN&sort=" .. pick(sorts)
    end
    return wrk.format("GET", path)
end
