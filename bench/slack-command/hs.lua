-- wrk script: POSTs one signed Slack slash command (`/hs help`) over and
-- over. run.sh builds the body and signs it right before each run (Slack,
-- Bolt and the hub refuse a timestamp more than five minutes old) and
-- hands them over in HS_BODY, HS_TIMESTAMP and HS_SIGNATURE.
local function need(name)
  local value = os.getenv(name)
  if value == nil or value == "" then
    error(name .. " is not set: run this through run.sh")
  end
  return value
end

wrk.method = "POST"
wrk.body = need("HS_BODY")
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["User-Agent"] = "Slackbot 1.0 (+https://api.slack.com/robots)"
wrk.headers["X-Slack-Request-Timestamp"] = need("HS_TIMESTAMP")
wrk.headers["X-Slack-Signature"] = need("HS_SIGNATURE")

-- No response() callback: it would make wrk parse every answer in Lua, on
-- the CPU the server under test shares. wrk counts 4xx and 5xx answers
-- itself (summary.errors.status); run.sh checks each server's answer
-- once before loading it.
function done(summary, latency, requests)
  -- One line run.sh reads: requests/s and latency percentiles in µs.
  io.write(string.format("HS_RESULT requests=%d errors=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
    summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
