#!/usr/bin/env node
// The npm registry this project is built against lacks some platform-specific optional
// packages (e.g. @tarojs/binding-darwin-arm64). `npm install` then leaves them out of
// package-lock.json, and `npm ci` refuses the lock as "out of sync". This script adds a
// lock entry for each missing optional dependency, marked with the os/cpu/libc its name
// declares, so `npm ci` skips it as foreign to this platform exactly as it would skip a
// complete entry. Run it after every `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const OS = ['android', 'darwin', 'freebsd', 'linux', 'openharmony', 'win32', 'sunos', 'netbsd', 'openbsd'];
const CPU = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'arm'];

function platformOf(name) {
  const base = name.split('/').pop();
  const parts = base.split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os || !cpu) return null;
  const entry = { os: [os], cpu: [cpu] };
  if (/-(musl|musleabihf)\b/.test(base)) entry.libc = ['musl'];
  else if (/-(gnu|gnueabihf)\b/.test(base)) entry.libc = ['glibc'];
  return entry;
}

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${dep}`;
    const nested = `${path}/node_modules/${dep}`;
    if (packages[key] || packages[nested]) continue;
    const platform = platformOf(dep);
    if (!platform) {
      console.error(`lock-platform-stubs: ${dep} is missing and its platform cannot be read from its name`);
      process.exitCode = 1;
      continue;
    }
    packages[key] = { version, dev: pkg.dev || undefined, optional: true, ...platform };
    added += 1;
  }
}
const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platform-stubs: added ${added} platform stub entr${added === 1 ? 'y' : 'ies'}`);
