import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

/**
 * Every "skipped because something is missing" of the suite goes through here. Normally a test
 * whose Debian package or shared fixture is missing is skipped with the reason; with
 * CHATCHANNELS_REQUIRE_ALL=1 (`npm run test:all`, `.ci/run`) each missing requirement is also a
 * failing test, so a run that passes has skipped nothing.
 */
export const REQUIRE_ALL = process.env.CHATCHANNELS_REQUIRE_ALL === '1';

const SETUP = 'scripts/test-setup.sh installs it';

/** The Debian programs optional tests use, how to tell one is there, and its package. */
const TOOLS = {
  chromium: { package: 'chromium', present: () => existsSync('/usr/bin/chromium') },
  feedparser: { package: 'python3-feedparser', present: () => pythonImports('feedparser') },
  newsboat: { package: 'newsboat', present: () => existsSync('/usr/bin/newsboat') },
  ngircd: { package: 'ngircd', present: () => onPath('ngircd') },
  irssi: { package: 'irssi', present: () => onPath('irssi') },
  tmux: { package: 'tmux', present: () => onPath('tmux') },
} satisfies Record<string, { package: string; present: () => boolean }>;

export type Tool = keyof typeof TOOLS;

function pythonImports(module: string): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', `import ${module}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Where `name` is installed (Debian puts servers in sbin, which a user's PATH may lack), or null. */
export function toolPath(name: string): string | null {
  const dirs = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(':')];
  for (const dir of dirs) if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  return null;
}

function onPath(name: string): boolean {
  return toolPath(name) !== null;
}

const presence = new Map<Tool, boolean>();

export function hasTool(tool: Tool): boolean {
  if (!presence.has(tool)) presence.set(tool, TOOLS[tool].present());
  return presence.get(tool)!;
}

const reported = new Set<string>();

/**
 * The `skip` option for a test that needs `reason` to be false: `false` (run it), or the reason.
 * With CHATCHANNELS_REQUIRE_ALL=1 a reason also registers one failing test (once per reason and
 * file), where it is called: at top level or inside a describe, as the skip option is.
 */
export function requirement(reason: string | false): string | false {
  if (reason && REQUIRE_ALL && !reported.has(reason)) {
    reported.add(reason);
    test(`requirement: ${reason}`, () => assert.fail(`${reason}; CHATCHANNELS_REQUIRE_ALL=1 allows no skipped test`));
  }
  return reason;
}

/** The `skip` option for a test that needs these Debian programs. */
export function needsTools(...tools: Tool[]): string | false {
  const missing = tools.filter((tool) => !hasTool(tool));
  if (missing.length === 0) return false;
  const packages = missing.map((tool) => TOOLS[tool].package).join(' ');
  return requirement(`needs the Debian package${missing.length > 1 ? 's' : ''} ${packages} (apt-get install ${packages}; ${SETUP})`);
}

/** The `skip` option for a test that reads `path` (e.g. a real export in ../shared/fixtures). */
export function needsFile(path: string | URL, what = 'the shared fixtures (../shared/fixtures)'): string | false {
  return existsSync(path) ? false : requirement(`${what}: ${path instanceof URL ? path.pathname : path} is not here`);
}

/**
 * Whether `path` is here, for a test that checks more when it is (a real export beside its own
 * fixture); with CHATCHANNELS_REQUIRE_ALL=1 its absence fails the test instead.
 */
export function hasFile(path: string, what = 'the shared fixtures (../shared/fixtures)'): boolean {
  if (existsSync(path)) return true;
  assert.ok(!REQUIRE_ALL, `${what}: ${path} is not here; CHATCHANNELS_REQUIRE_ALL=1 allows no skipped check`);
  return false;
}

/**
 * Inside a running test, where the requirement is found out only then: skips the test, or with
 * CHATCHANNELS_REQUIRE_ALL=1 fails it. Returns true when the caller should stop.
 */
export function skipUnless(t: { skip(message?: string): void }, ok: boolean, reason: string): boolean {
  if (ok) return false;
  if (REQUIRE_ALL) assert.fail(`${reason}; CHATCHANNELS_REQUIRE_ALL=1 allows no skipped test`);
  t.skip(reason);
  return true;
}

/**
 * The reason for a skip this machine imposes whatever is installed (no second network address, no
 * right to mount): a skip even with CHATCHANNELS_REQUIRE_ALL=1, said as such.
 */
export function machineLimit(reason: string): string {
  return `this machine cannot run it: ${reason}`;
}
