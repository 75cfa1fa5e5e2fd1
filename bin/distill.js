#!/usr/bin/env node
// The CLI entry: the compiled code lives in dist/ (built by `npm ci` through the prepare script):
// the bundle in dist/bundle/cli, loaded with a code cache (load-cli.js), else the plain tsc output.
const { loadCli } = require('./load-cli.js');

(async () => {
  const { cli, saveCodeCache } = await loadCli();
  // A closed pipe (`distill ... | head`) ends the output quietly, as other command-line tools do.
  process.stdout.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  process.exitCode = await cli.main(process.argv.slice(2));
  saveCodeCache();
})().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
