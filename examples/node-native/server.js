// The native-addon example: /query runs SQL in an in-memory SQLite database through better-sqlite3.
const http = require('node:http');
const Database = require('better-sqlite3');

const db = new Database(':memory:');
db.exec("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3), (36);");
const port = Number(process.env.PORT || 8080);

http
  .createServer((req, res) => {
    if (req.url === '/whoami') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ uid: process.getuid(), node: process.version }));
    }
    const row = db.prepare('SELECT sum(n) AS total, sqlite_version() AS sqlite FROM t').get();
    res.setHeader('content-type', 'application/json');
    res.end(`${JSON.stringify(row)}\n`);
  })
  .listen(port, () => console.log(`listening on ${port}`));
