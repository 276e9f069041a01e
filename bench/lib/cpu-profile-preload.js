// Preloaded into a service by `bench/run.ts --profile` (NODE_OPTIONS=--require …): samples the CPU from start-up
// and writes a .cpuprofile (the format `node --cpu-prof` writes; open it in Chrome DevTools or speedscope) when
// the process receives SIGUSR2. `--cpu-prof` itself cannot be used: it writes only on a normal exit, and Nest
// ends a service on SIGTERM by re-raising the signal.
'use strict';
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const directory = process.env.BENCH_CPU_PROFILE_DIR;
if (directory) {
  const service = (/apps\/([^/]+)\/src\/main/.exec(process.argv.join(' ')) || [])[1] || 'process';
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  process.on('SIGUSR2', () => {
    session.post('Profiler.stop', (error, result) => {
      if (!error) writeFileSync(join(directory, `${service}-${process.pid}-${Date.now()}.cpuprofile`), JSON.stringify(result.profile));
      session.post('Profiler.start');
    });
  });
}
