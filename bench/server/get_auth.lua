-- GET PATH with the key. KEY and ORG come from the environment; PATH after /api.
-- Set once rather than built in request(): wrk then sends one prepared request, as it does
-- for the baseline, so the load generator costs the same per request on both sides of
-- the comparison (a Lua request() per request took wrk several microseconds each).
wrk.method = "GET"
wrk.path = "/orgs/" .. os.getenv("ORG") .. "/api" .. os.getenv("BENCH_PATH")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("KEY")
