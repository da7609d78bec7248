-- wrk script: every request differs in path, query and header values, so no
-- server can answer from a cache of parsed request bytes.
local requests = {}
local count = 1024
local agents = { "Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "Wget/1.21", "bench-client/1.0" }

init = function(args)
  local static = args[1]
  for i = 1, count do
    local path
    if static then
      path = "/static/" .. static .. "?v=" .. i
    else
      path = "/api/items/" .. i .. "?page=" .. (i % 17) .. "&sort=" .. (i % 3 == 0 and "asc" or "desc")
    end
    local headers = {
      ["Host"] = "bench.local",
      ["User-Agent"] = agents[(i % #agents) + 1],
      ["Accept"] = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8",
      ["Accept-Language"] = "en-US,en;q=0." .. (i % 10),
      ["Cookie"] = "session=" .. string.format("%08x", i * 2654435761 % 4294967296) .. "; theme=dark",
      ["X-Request-Id"] = tostring(i * 7919),
    }
    requests[i] = wrk.format("GET", path, headers)
  end
  counter = 0
end

request = function()
  counter = counter % count + 1
  return requests[counter]
end
