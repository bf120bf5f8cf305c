"""Slack's official WebClient, with no retry handlers, posting quickly to one
channel of the sandbox must get Slack's 429: SlackApiError with status 429,
error "ratelimited" and a Retry-After of at least one second.

Environment: SANDBOX_API_URL (ends with /api/), SANDBOX_TOKEN, SANDBOX_CHANNEL.
"""

import os
import sys

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

client = WebClient(
    token=os.environ["SANDBOX_TOKEN"],
    base_url=os.environ["SANDBOX_API_URL"],
    retry_handlers=[],
)
channel = os.environ["SANDBOX_CHANNEL"]

for i in range(20):
    try:
        client.chat_postMessage(channel=channel, text=f"quick message {i}")
    except SlackApiError as e:
        assert e.response.status_code == 429, e.response.status_code
        assert e.response["ok"] is False, e.response.data
        assert e.response["error"] == "ratelimited", e.response.data
        retry_after = int(e.response.headers["Retry-After"])
        assert retry_after >= 1, retry_after
        assert i >= 1, "the first post should go through"
        print(f"ratelimited after {i} posts, Retry-After {retry_after}")
        sys.exit(0)

print("never rate limited")
sys.exit(1)
