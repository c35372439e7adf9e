-- GET PATH with the key. KEY and ORG come from the environment; PATH after /api.
local key = os.getenv("KEY")
local org = os.getenv("ORG")
local path = os.getenv("BENCH_PATH")
request = function()
  return wrk.format("GET", "/orgs/" .. org .. "/api" .. path, { ["Authorization"] = "Bearer " .. key })
end
