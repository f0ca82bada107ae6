import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { clientDir } from '../site/search/paths.js';
import { linkModules } from '../site/search/bundle.js';

/**
 * The browser client (site/client/search/, plain JavaScript) is type-checked with its JSDoc types
 * by site/client/tsconfig.json, against the writer's format (site/search/format.ts): a type
 * error in it, or a format change it does not follow, fails this suite.
 */

const configFile = join(dirname(clientDir()), 'tsconfig.json');
const formatFile = resolve(clientDir(), '../../search/format.ts');

function parsedConfig(): ts.ParsedCommandLine {
  const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!config) throw new Error(`${configFile}: unreadable`);
  return config;
}

/** The check's diagnostics, with `replaced` files read as the given text instead. */
function check(config: ts.ParsedCommandLine, replaced: Record<string, string> = {}, old?: ts.Program): { program: ts.Program; messages: string[] } {
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, fresh) => {
    const text = replaced[resolve(name)];
    return text === undefined ? read(name, language, onError, fresh) : ts.createSourceFile(name, text, language);
  };
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options, host, oldProgram: old });
  const messages = [...config.errors, ...ts.getPreEmitDiagnostics(program)].map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return text;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${d.file.fileName}:${line + 1}:${character + 1}: ${text}`;
  });
  return { program, messages };
}

test('the browser client type-checks, every module of it, against the writer format', () => {
  const config = parsedConfig();
  assert.equal(config.options.checkJs, true, 'JavaScript is checked, not only compiled');
  assert.equal(config.options.strict, true);
  const checked = new Set(config.fileNames.map((f) => resolve(f)));
  const modules = readdirSync(clientDir()).filter((f) => f.endsWith('.js'));
  for (const file of modules) {
    assert.ok(checked.has(join(clientDir(), file)), `${file} is in the check`);
    assert.match(readFileSync(join(clientDir(), file), 'utf8'), /^\/\/ @ts-check\n/, `${file} says so to editors too`);
  }
  // Every module is one the page's script is linked from (none left out, none left over).
  assert.deepEqual(linkModules(['ui.js']).modules.sort(), modules.map((f) => f.replace(/\.js$/, '')).sort());
  const { program, messages } = check(config);
  assert.ok(program.getSourceFile(formatFile), 'the client reads the format types of the writer');
  assert.deepEqual(messages, [], `npx tsc -p ${configFile}`);
});

test('a type error in the client, or a format the client does not read, fails the check', () => {
  const config = parsedConfig();
  const clean = check(config).program;
  const periods = join(clientDir(), 'periods.js');
  const broken = check(config, { [periods]: `${readFileSync(periods, 'utf8')}\nexport const wrong = pagePath(2021, true, 0);\n` }, clean);
  assert.ok(broken.messages.some((m) => m.startsWith(`${periods}:`) && /not assignable to parameter of type 'string'/.test(m)), broken.messages.join('\n'));
  // The writer moving to another layout version: the client's reader (manifest.js) no longer agrees.
  const format = readFileSync(formatFile, 'utf8');
  assert.match(format, /export const FORMAT_VERSION = \d+;/);
  const newer = check(config, { [formatFile]: format.replace(/export const FORMAT_VERSION = \d+;/, 'export const FORMAT_VERSION = 999;') }, clean);
  assert.ok(newer.messages.some((m) => m.includes('manifest.js')), newer.messages.join('\n'));
});
