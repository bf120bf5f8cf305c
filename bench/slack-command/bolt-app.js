// A minimal Bolt for JavaScript app: answers `/hs help` with the hub's own
// answer (the JSON file at HS_HELP_JSON), on POST /slack/commands at PORT.
// It never calls Slack: a fake token, no token verification, and the bot's
// ids given so that Bolt has no reason to call auth.test.
const fs = require('node:fs');
const { App, LogLevel } = require('@slack/bolt');

const help = JSON.parse(fs.readFileSync(process.env.HS_HELP_JSON, 'utf8'));

const app = new App({
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  token: 'xoxb-not-a-real-token',
  botId: 'B0000BENCH',
  botUserId: 'U0000BENCH',
  tokenVerificationEnabled: false,
  endpoints: '/slack/commands',
  logLevel: LogLevel.WARN,
});

app.command('/hs', async ({ ack }) => {
  await ack(help);
});

(async () => {
  await app.start({ port: Number(process.env.PORT), host: '127.0.0.1' });
  console.log(`Bolt for JavaScript on http://127.0.0.1:${process.env.PORT}/slack/commands, pid ${process.pid}`);
})();
