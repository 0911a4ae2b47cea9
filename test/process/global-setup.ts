import { execFileSync } from 'node:child_process';

/** The process suite runs the built gateway: build it first (SWC, well under a second). */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
