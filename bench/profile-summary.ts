// Summarises a .cpuprofile (from `npm run bench -- --profile`, or `node --cpu-prof`): the functions with the
// most self time, and the share of time spent under each package, so the biggest cost is named in a line.
//
//   node -r @swc-node/register bench/profile-summary.ts tmp/bench-profiles/ingest-*.cpuprofile [--top 25]
//   … --callers writev [--depth 12]     where the time of functions named so (prefix) is spent from
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, callers: { type: 'string' }, depth: { type: 'string', default: '10' } },
});
const frameName = (node: ProfileNode) =>
  `${node.callFrame.functionName || '(anonymous)'}  ${node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/\/.*?\/((?:apps|libs|bench)\/)/, '$1')}:${node.callFrame.lineNumber + 1}`;

/** node_modules/<pkg> or <scope>/<pkg>, our own apps/libs folders, or node internals. */
function owner(url: string): string {
  if (!url) return '(native / idle / gc)';
  const module = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (module) return module[1];
  const ours = /\/((?:apps|libs|bench)\/[^/]+)/.exec(url);
  if (ours) return ours[1];
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()].filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName)).reduce((a, [, t]) => a + t, 0);
  const busy = total - idle;
  const functions = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = byId.get(id)!.callFrame;
    if (['(idle)', '(program)'].includes(frame.functionName)) continue;
    const key = frameName(byId.get(id)!);
    functions.set(key, (functions.get(key) ?? 0) + time);
    packages.set(owner(frame.url), (packages.get(owner(frame.url)) ?? 0) + time);
  }
  const pct = (t: number) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`);
  console.log('\n  self time by package:');
  for (const [name, time] of [...packages].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`  ${pct(time)}  ${name}`);
  console.log('\n  self time by function:');
  for (const [name, time] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) console.log(`  ${pct(time)}  ${name}`);
  if (values.callers) callers(profile, byId, self, values.callers, Number(values.depth));
}

/** The call chains (innermost first) that the self time of functions named `prefix…` was spent under. */
function callers(profile: Profile, byId: Map<number, ProfileNode>, self: Map<number, number>, prefix: string, depth: number): void {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const chains = new Map<string, number>();
  let total = 0;
  for (const [id, time] of self) {
    if (!frameName(byId.get(id)!).startsWith(prefix)) continue;
    total += time;
    const chain: string[] = [];
    for (let at = parent.get(id); at !== undefined && chain.length < depth; at = parent.get(at)) chain.push(frameName(byId.get(at)!));
    chains.set(chain.join('\n           < '), (chains.get(chain.join('\n           < ')) ?? 0) + time);
  }
  console.log(`\n  ${prefix}…: ${(total / 1e6).toFixed(2)} s, called from:`);
  for (const [chain, time] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`  ${((time / total) * 100).toFixed(1).padStart(5)}%  ${chain}`);
}
