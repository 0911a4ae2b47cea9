// Pools the rounds of several runs of bench/metering.mjs into one median per
// phase, with the same 90 % interval (a two-level bootstrap: the starts of
// all runs drawn with replacement, then rounds within each drawn start) and
// the same verdict on the bound: shown only when the whole interval is above
// 90 %. One run's interval is wide on a machine whose speed moves as this
// one's does; more runs of the same build narrow it.
//
// Usage: node bench/metering.mjs | tee run-1.log (and so on), then
//   node bench/metering-pool.mjs run-1.log run-2.log ...
// Each file is a run's output (its lines `<phase> round <n> (start <s>): M/U <x> %`
// are what is read — their ratios, rounded to 0.1 % — and a start of one run is a start of its own in the pool).
import { readFileSync } from 'node:fs';
import { METERING_BOUND, bootstrapMedian, medianOf, pct } from './lib.mjs';

const ROUND = /^(paused|live) round \d+ \(start (\d+)\): M\/U ([\d.]+) %/gm;

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node bench/metering-pool.mjs <run log> [<run log> ...]');
  process.exit(2);
}
const phases = new Map();
files.forEach((file, run) => {
  for (const [, phase, start, ratio] of readFileSync(file, 'utf8').matchAll(ROUND)) {
    if (!phases.has(phase)) phases.set(phase, []);
    phases.get(phase).push({ start: `${run}:${start}`, ratio: Number(ratio) / 100 });
  }
});
if (phases.size === 0) {
  console.error('no rounds found in the files given');
  process.exit(2);
}
for (const [phase, rounds] of phases) {
  const starts = new Set(rounds.map((round) => round.start)).size;
  const { low, high } = bootstrapMedian(rounds);
  console.log(
    `${phase}: median ${pct(medianOf(rounds.map((round) => round.ratio)))} over ${rounds.length} rounds of ${starts} starts in ${files.length} run${files.length === 1 ? '' : 's'} ` +
      `(90 % interval ${pct(low)}–${pct(high)}): metering and quota under 10 % ${low >= METERING_BOUND ? 'shown' : 'not shown'}`,
  );
}
