-- POST /keys with a fresh name each time. KEY and ORG come from the environment.
local key = os.getenv("KEY")
local org = os.getenv("ORG")
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/orgs/" .. org .. "/api/keys",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" },
    '{"name":"bench ' .. n .. '","scopes":["instances:read"]}')
end
