// The Express example: / says hello, /whoami tells which user and Node.js run it.
const express = require('express');
const { greeting } = require('./lib/greeting');

const app = express();
const port = Number(process.env.PORT || 8080);

app.get('/', (_req, res) => res.send(`${greeting()}\n`));
app.get('/whoami', (_req, res) =>
  res.json({ uid: process.getuid(), gid: process.getgid(), node: process.version, cwd: process.cwd() }),
);

app.listen(port, () => console.log(`listening on ${port}`));
