"""A minimal Bolt for Python app: answers `/hs help` with the hub's own
answer (the JSON file at HS_HELP_JSON), on POST /slack/commands, as an
ASGI app for uvicorn (`uvicorn bolt_app:api`).

It never calls Slack. AsyncApp has no `token_verification_enabled` (only
the synchronous App has), and given a token it calls auth.test on the
first request; so the app is given an `authorize` function that returns
a fake token and bot ids at once, as a multi-workspace app whose tokens
are stored would.
"""

import json
import logging
import os

from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult

with open(os.environ["HS_HELP_JSON"], encoding="utf-8") as f:
    HELP = json.load(f)


async def authorize(enterprise_id, team_id, user_id):
    return AuthorizeResult(
        enterprise_id=enterprise_id,
        team_id=team_id,
        user_id=user_id,
        bot_token="xoxb-not-a-real-token",
        bot_id="B0000BENCH",
        bot_user_id="U0000BENCH",
    )


app = AsyncApp(
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
    authorize=authorize,
    logger=logging.getLogger("bolt"),
)
logging.getLogger("bolt").setLevel(logging.WARNING)


@app.command("/hs")
async def hs(ack):
    await ack(HELP)


api = AsyncSlackRequestHandler(app, path="/slack/commands")
