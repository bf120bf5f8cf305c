"""A session with Slack's official Python SDK against the sandbox: the
WebClient must work unchanged, pointed at SANDBOX_API_URL.

Environment: SANDBOX_API_URL (ends with /api/), SANDBOX_TOKEN (bot),
SANDBOX_EMAIL (a member's email), SANDBOX_CHANNEL (a channel id the bot is
in), FRESH_TRIGGER and STALE_TRIGGER (trigger_ids for views.open),
EXPECTED_CHANNELS (comma-separated names conversations.list must return).
"""

import os

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

client = WebClient(token=os.environ["SANDBOX_TOKEN"], base_url=os.environ["SANDBOX_API_URL"])

auth = client.auth_test()
assert auth["ok"] is True
assert auth["user_id"].startswith("U") and auth["team_id"].startswith("T"), auth.data
assert auth["bot_id"].startswith("B"), auth.data

found = client.users_lookupByEmail(email=os.environ["SANDBOX_EMAIL"])
assert found["user"]["profile"]["email"] == os.environ["SANDBOX_EMAIL"], found.data
try:
    client.users_lookupByEmail(email="nobody@nowhere.example")
    raise AssertionError("expected users_not_found")
except SlackApiError as e:
    assert e.response["error"] == "users_not_found", e.response.data

# Paging: a small limit, following next_cursor until it is empty.
names = []
cursor = None
pages = 0
while True:
    page = client.conversations_list(types="public_channel,private_channel", limit=1, cursor=cursor)
    pages += 1
    names += [c["name"] for c in page["channels"]]
    cursor = page["response_metadata"]["next_cursor"]
    if not cursor:
        break
expected = os.environ["EXPECTED_CHANNELS"].split(",")
assert names == expected, (names, expected)
assert pages == len(expected), pages

channel = os.environ["SANDBOX_CHANNEL"]
parent = client.chat_postMessage(channel=channel, text="Deal won :tada:")
assert parent["channel"] == channel and parent["message"]["text"] == "Deal won :tada:", parent.data
assert parent["message"]["bot_id"] == auth["bot_id"], parent.data
reply = client.chat_postMessage(
    channel=channel,
    thread_ts=parent["ts"],
    text="Details in the thread",
    blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*Amount:* 42"}}],
)
assert reply["message"]["thread_ts"] == parent["ts"], reply.data
thread = client.conversations_replies(channel=channel, ts=parent["ts"])
assert [m["ts"] for m in thread["messages"]] == [parent["ts"], reply["ts"]], thread.data
assert thread["messages"][0]["reply_count"] == 1, thread.data

reacted = client.reactions_add(channel=channel, timestamp=parent["ts"], name="white_check_mark")
assert reacted["ok"] is True
try:
    client.reactions_add(channel=channel, timestamp=parent["ts"], name="white_check_mark")
    raise AssertionError("expected already_reacted")
except SlackApiError as e:
    assert e.response["error"] == "already_reacted", e.response.data

view = {
    "type": "modal",
    "callback_id": "log_deal",
    "title": {"type": "plain_text", "text": "Log a deal"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "amount",
            "label": {"type": "plain_text", "text": "Amount"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}
opened = client.views_open(trigger_id=os.environ["FRESH_TRIGGER"], view=view)
assert opened["view"]["id"].startswith("V"), opened.data
assert opened["view"]["callback_id"] == "log_deal", opened.data
assert opened["view"]["state"] == {"values": {}}, opened.data
try:
    client.views_open(trigger_id=os.environ["STALE_TRIGGER"], view=view)
    raise AssertionError("expected expired_trigger_id")
except SlackApiError as e:
    assert e.response["error"] == "expired_trigger_id", e.response.data


def rate_limited_part():
    """The 429 / Retry-After part of the session belongs to the rate-limit
    tests: see slack_sdk_ratelimit.py (run by faults_and_limits.rs)."""


rate_limited_part()
print("slack_sdk session ok")
