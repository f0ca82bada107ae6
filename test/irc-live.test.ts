import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { servedUrl } from './helpers/net.js';
import { needsTools, toolPath } from './helpers/requires.js';
import { tempDir } from './helpers/temp.js';

/**
 * Issue 9's "done when", with real parts: Debian's ngircd on 127.0.0.1, Debian's irssi run
 * headless under tmux with autolog on, joined to #chat; a second client (a raw socket below)
 * posts lines; `chatchannels serve --watch <irssi's log folder>` shows them on the served page.
 * Needs the Debian packages ngircd, irssi and tmux (scripts/test-setup.sh installs them); skipped without.
 * Every wait is bounded; every process started here is stopped in `finally`.
 */
const CLI = resolve(process.cwd(), 'dist/collector/cli.js');
const CHANNEL = '#chat';
const NETWORK = 'testnet';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, seconds: number, log: () => string): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    let value: T | null | undefined | false = null;
    try {
      value = await probe();
    } catch {
      value = null;
    }
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${seconds} s waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r()));
}

/** SIGTERM (or `signal`), then SIGKILL if it has not exited within `graceMs`. */
async function stop(child: ChildProcess | null, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** A minimal IRC client: registers, joins, and says lines once the join has completed. */
class RawClient {
  private buffer = '';
  joined = false;
  transcript = '';
  private readonly socket: Socket;

  constructor(port: number, nick: string) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('connect', () => {
      this.send(`NICK ${nick}`);
      this.send(`USER ${nick} 0 * :Live test poster`);
    });
    this.socket.on('data', (data: string) => {
      this.buffer += data;
      for (let end = this.buffer.indexOf('\r\n'); end >= 0; end = this.buffer.indexOf('\r\n')) {
        const line = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 2);
        this.transcript += `<< ${line}\n`;
        if (line.startsWith('PING')) this.send(`PONG${line.slice(4)}`);
        else if (/^:\S+ 001 /.test(line)) this.send(`JOIN ${CHANNEL}`);
        else if (/^:\S+ 366 /.test(line)) this.joined = true; // end of the names list: joined
      }
    });
    this.socket.on('error', (err) => (this.transcript += `!! ${err.message}\n`));
  }

  send(line: string): void {
    this.transcript += `>> ${line}\n`;
    this.socket.write(`${line}\r\n`);
  }

  close(): void {
    if (!this.socket.destroyed) {
      this.socket.end('QUIT :done\r\n');
      this.socket.destroy();
    }
  }
}

const tools = { ngircd: toolPath('ngircd'), irssi: toolPath('irssi'), tmux: toolPath('tmux') };

test('irssi logs a channel on a real IRC server; serve --watch shows the posted lines within seconds', { skip: needsTools('ngircd', 'irssi', 'tmux'), timeout: 240_000 }, async () => {
  const dir = tempDir('cc-irc-live-');
  const home = join(dir, 'irssi');
  const logs = join(dir, 'irclogs');
  const dbFile = join(dir, 'live.sqlite');
  const out = join(dir, 'site');
  const socket = join(dir, 'tmux.sock');
  mkdirSync(home);
  mkdirSync(logs);

  // ngircd: loopback only, no PAM/ident/DNS lookups, generous ping timeouts.
  const conf = join(dir, 'ngircd.conf');
  const ngircdConf = (ircPort: number) => writeFileSync(conf, [
    '[Global]',
    '  Name = irc.chatchannels.test',
    '  Info = chatchannels live test',
    '  AdminInfo1 = test', '  AdminInfo2 = test', '  AdminEMail = test@localhost',
    '  Listen = 127.0.0.1',
    `  Ports = ${ircPort}`,
    '  MotdPhrase = live test',
    `  PidFile = ${join(dir, 'ngircd.pid')}`,
    '[Limits]',
    '  MaxConnectionsIP = 0',
    '  PingTimeout = 300',
    '  PongTimeout = 300',
    '[Options]',
    '  PAM = no',
    '  Ident = no',
    '  DNS = no',
    '',
  ].join('\n'));
  // irssi: one chatnet, autojoin, autolog into <logs>/<chatnet>/<channel>.log.
  const irssiConf = (ircPort: number) => writeFileSync(join(home, 'config'), [
    'servers = (',
    `  { address = "127.0.0.1"; chatnet = "${NETWORK}"; port = "${ircPort}"; autoconnect = "yes"; use_tls = "no"; }`,
    ');',
    `chatnets = { ${NETWORK} = { type = "IRC"; }; };`,
    `channels = ( { name = "${CHANNEL}"; chatnet = "${NETWORK}"; autojoin = "yes"; } );`,
    'settings = {',
    '  core = { real_name = "Logger"; user_name = "logger"; nick = "logger"; };',
    `  "fe-common/core" = { autolog = "yes"; autolog_path = "${logs}/$tag/$0.log"; };`,
    '};',
    '',
  ].join('\n'));

  let ngircd: ChildProcess | null = null;
  let serve: ChildProcess | null = null;
  let tmuxStarted = false;
  let irssiPid: number | null = null;
  let client: RawClient | null = null;
  let output = '';
  const log = () => `--- ngircd, serve ---\n${output}\n--- client ---\n${client?.transcript ?? ''}\n--- irssi log ---\n${readLog()}`;
  const logFile = join(logs, NETWORK, `${CHANNEL}.log`);
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '(none yet)');
  // Should the test runner give up on this test (its timeout) before `finally` runs, nothing
  // started here may outlive the test process.
  const killAll = () => {
    for (const child of [serve, ngircd]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (tmuxStarted) spawnSync(tools.tmux!, ['-S', socket, 'kill-server']);
    if (irssiPid) {
      try {
        process.kill(irssiPid, 'SIGKILL'); // tmux's SIGHUP normally ends it already
      } catch {
        // already gone
      }
    }
  };
  process.once('exit', killAll);

  try {
    // ngircd takes no port 0: a port probed free is tried, and another one if a test file
    // running in parallel took it meanwhile (ngircd then exits). Its own "listening" line, not a
    // connection that the other taker could accept, says that it is ngircd that listens.
    let ircPort = 0;
    for (let attempt = 1; !ircPort; attempt++) {
      const port = await freePort();
      ngircdConf(port);
      const child = spawn(tools.ngircd!, ['-n', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      ngircd = child;
      let said = '';
      child.stdout!.on('data', (d) => ((said += d), (output += `[ngircd] ${d}`)));
      child.stderr!.on('data', (d) => ((said += d), (output += `[ngircd] ${d}`)));
      const listening = await until('ngircd to listen or exit', () => (said.includes(`Now listening on [127.0.0.1]:${port} `) ? 'yes' : child.exitCode !== null ? 'exited' : null), 30, log);
      if (listening === 'yes') ircPort = port;
      else assert.ok(attempt < 5 && /Address already in use/.test(said), `ngircd did not start on port ${port}:\n${said}`);
    }
    irssiConf(ircPort);

    const started = spawnSync(tools.tmux!, ['-S', socket, 'new-session', '-d', '-s', 'irc', '-x', '160', '-y', '40', `${tools.irssi} --home=${home} --config=${join(home, 'config')}`], { encoding: 'utf8' });
    assert.equal(started.status, 0, `tmux: ${started.stderr}`);
    tmuxStarted = true;
    const panes = spawnSync(tools.tmux!, ['-S', socket, 'list-panes', '-F', '#{pane_pid}'], { encoding: 'utf8' });
    irssiPid = Number(panes.stdout.trim()) || null;

    // irssi has joined and opened its log: the log folder now holds a log to follow.
    await until('irssi to join and log', () => /has joined #chat/.test(readLog()), 60, log);

    const server = spawn(process.execPath, [CLI, 'serve', '--watch', logs, '--db', dbFile, '--out', out, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    serve = server;
    let served = '';
    server.stdout!.on('data', (d) => ((served += d), (output += `[serve] ${d}`)));
    server.stderr!.on('data', (d) => ((served += d), (output += `[serve] ${d}`)));
    const base = await servedUrl(() => served, () => server.exitCode !== null);
    await until('the first build', async () => (await fetch(base)).ok, 90, log);

    client = new RawClient(ircPort, 'poster');
    await until('the poster to join', () => client!.joined, 30, log);
    const token = `live-${process.pid}-${Date.now().toString(36)}`;
    client.send(`PRIVMSG ${CHANNEL} :hello from ${token}`);
    client.send(`PRIVMSG ${CHANNEL} :ok ${token}`);
    client.send(`PRIVMSG ${CHANNEL} :ok ${token}`);
    client.send(`PRIVMSG ${CHANNEL} :\x01ACTION waves at ${token}\x01`);
    await until('irssi to log the lines', () => readLog().includes(`waves at ${token}`), 30, log);

    // In the database: each line once, the two identical lines twice.
    const stored = await until('the lines in the database', () => {
      const db = new Database(dbFile, { readonly: true, fileMustExist: true });
      try {
        const rows = db.prepare(`SELECT m.kind, m.body, m.author_name FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = ? AND m.body LIKE ?`).all(`irc:${NETWORK}/${CHANNEL}`, `%${token}%`) as { kind: string; body: string; author_name: string }[];
        const slug = db.prepare(`SELECT slug FROM chats WHERE native_id = ?`).pluck().get(`irc:${NETWORK}/${CHANNEL}`) as string | undefined;
        return rows.length === 4 && slug ? { rows, slug } : null;
      } finally {
        db.close();
      }
    }, 60, log);
    assert.equal(stored.rows.filter((r) => r.body === `ok ${token}`).length, 2);
    assert.deepEqual(stored.rows.find((r) => r.kind === 'emote'), { kind: 'emote', body: `waves at ${token}`, author_name: 'poster' });

    // On the served page.
    const page = await until('the lines on the served chat page', async () => {
      const response = await fetch(`${base}chats/${stored.slug}/`);
      const html = response.ok ? await response.text() : '';
      return html.includes(`hello from ${token}`) && html.includes(`waves at ${token}`) ? html : null;
    }, 60, log);
    assert.equal(page.split(`ok ${token}`).length - 1, 2, 'both identical lines are shown');
    assert.match(page, /poster/);
  } finally {
    client?.close();
    await stop(serve, 'SIGINT');
    await stop(ngircd);
    killAll();
    process.removeListener('exit', killAll);
  }
});
