-- POST /instances. KEY and ORG come from the environment.
local key = os.getenv("KEY")
local org = os.getenv("ORG")
request = function()
  return wrk.format("POST", "/orgs/" .. org .. "/api/instances",
    { ["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json" },
    '{"image":"ubuntu-22.04","size":"small"}')
end
