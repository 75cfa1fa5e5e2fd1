#!/usr/bin/env node
// The CLI entry: the compiled code lives in dist/ (built by `npm ci` through the prepare script):
// the bundle in dist/bundle/cli (fast to start), else the plain tsc output when only tsc has run.
const bundle = new URL('../dist/bundle/cli/main.js', import.meta.url);
const { main } = await import(bundle.href).catch((err) => {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/bundle/cli/main.js'))
    return import('../dist/src/cli/main.js');
  throw err;
});

// A closed pipe (`distill ... | head`) ends the output quietly, as other command-line tools do.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
