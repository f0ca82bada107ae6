import { mediaHash, writeFixture, type FixtureChat, type FixtureMedia, type FixtureMessage } from './fixture-db.js';
import { tinyPng } from './png.js';

/**
 * The chats the site tests publish: a demo-like team chat (days, author runs, replies, edits, a
 * deletion, system events, an emote, attachments, a message dated 2404), a chat big enough that
 * one of its months is split into day pages, and an untitled direct chat.
 */
export const PEOPLE = {
  alice: { nativeId: '8:live:alice', displayName: 'Alice Martin' },
  bob: { nativeId: '8:live:bob', displayName: 'Bob Okafor' },
  carol: { nativeId: '8:live:carol', displayName: 'Carol Nguyen' },
  dan: { nativeId: '8:live:dan', displayName: 'Dan Weiss' },
};

export const TEAM = '19:team-general@thread.skype';
export const BIG = '19:firehose@thread.skype';
export const DIRECT = '8:live:bob';

export const PHOTO = tinyPng(320, 180);
export const PDF = Buffer.from('%PDF-1.4\n% not really a pdf\n');

export function teamMessages(): FixtureMessage[] {
  const { alice, bob, carol, dan } = PEOPLE;
  const t = (iso: string): string => `2021-09-${iso}Z`;
  return [
    { nativeId: 't1', author: alice.nativeId, authorName: alice.displayName, time: t('13T08:58:00'), kind: 'event', body: 'Alice Martin created the group "Team general"' },
    { nativeId: 't2', author: alice.nativeId, authorName: alice.displayName, time: t('13T09:00:00'), body: 'Morning all! Release candidate 2.3 is tagged 🎉' },
    { nativeId: 't3', author: alice.nativeId, authorName: alice.displayName, time: t('13T09:00:40'), body: 'Changelog: https://example.com/changelog' },
    { nativeId: 't4', author: bob.nativeId, authorName: bob.displayName, time: t('13T09:03:12'), body: 'Nice. I will run the smoke tests before lunch.' },
    { nativeId: 't5', author: carol.nativeId, authorName: carol.displayName, time: t('13T09:05:30'), body: 'Found a typo in the release notes, fixing it now', editedAt: t('13T09:07:00') },
    { nativeId: 't6', author: bob.nativeId, authorName: bob.displayName, time: t('13T11:42:05'), body: 'Smoke tests are green ✅\nOnly the slow suite left.', replyTo: 't4' },
    { nativeId: 't7', author: bob.nativeId, authorName: bob.displayName, time: t('13T11:42:50'), body: 'Screenshot of the dashboard:', attachments: [{ name: 'dashboard.png', type: 'image/png', size: PHOTO.length, hash: '' }] },
    { nativeId: 't8', author: dan.nativeId, authorName: dan.displayName, time: t('13T14:15:00'), kind: 'call', body: 'Call ended · 23 min' },
    { nativeId: 't9', author: dan.nativeId, authorName: dan.displayName, time: t('13T14:16:10'), kind: 'emote', body: 'is stepping out for coffee ☕' },
    { nativeId: 't10', author: carol.nativeId, authorName: carol.displayName, time: t('14T07:30:00'), body: 'Here are the signed release notes', attachments: [{ name: 'release-notes-2.3.pdf', type: 'application/pdf', size: PDF.length, hash: '' }, { name: 'design.sketch', size: 123456, url: 'https://files.example.com/design.sketch' }] },
    { nativeId: 't11', author: alice.nativeId, authorName: alice.displayName, time: t('14T07:31:15'), body: 'Thanks Carol! Shipping it.', replyTo: 't10' },
    { nativeId: 't12', author: bob.nativeId, authorName: bob.displayName, time: t('14T07:40:00'), deleted: true, body: 'oops, wrong chat' },
    { nativeId: 't13', author: alice.nativeId, authorName: alice.displayName, time: '2021-10-02T10:00:00Z', body: 'Retro on Friday, bring ideas.' },
    { nativeId: 't14', author: carol.nativeId, authorName: carol.displayName, time: '2021-10-02T10:02:00Z', body: 'Will do. Should we also look at the flaky test from last week?', replyTo: 't6' },
    { nativeId: 't15', author: dan.nativeId, authorName: dan.displayName, time: '2404-01-01T00:00:00Z', body: 'A message from a clock that was very wrong' },
  ];
}

export function bigMessages(count = 1100): FixtureMessage[] {
  const { alice, bob } = PEOPLE;
  const start = Date.UTC(2022, 2, 1);
  const messages: FixtureMessage[] = [];
  for (let i = 0; i < count; i++) {
    const who = i % 3 === 0 ? bob : alice;
    messages.push({ nativeId: `b${i}`, author: who.nativeId, authorName: who.displayName, time: start + i * 37 * 60_000, body: `status update number ${i}` });
  }
  messages.push({ nativeId: 'b-april', author: bob.nativeId, authorName: bob.displayName, time: Date.UTC(2022, 3, 10, 12), body: 'April, quieter now' });
  return messages;
}

export function directMessages(): FixtureMessage[] {
  const { alice, bob } = PEOPLE;
  return [
    { nativeId: 'd1', author: bob.nativeId, authorName: bob.displayName, time: '2020-02-29T23:59:00Z', body: 'Leap day!' },
    { nativeId: 'd2', author: alice.nativeId, authorName: alice.displayName, time: '2020-03-01T00:00:30Z', body: 'Happy March' },
  ];
}

export function fixtureMedia(): FixtureMedia[] {
  return [
    { name: 'dashboard.png', type: 'image/png', bytes: PHOTO },
    { name: 'release-notes-2.3.pdf', type: 'application/pdf', bytes: PDF },
  ];
}

/** Fills in attachment hashes from the media list by name. */
function withHashes(messages: FixtureMessage[], media: FixtureMedia[]): FixtureMessage[] {
  const byName = new Map(media.map((m) => [m.name, mediaHash(m.bytes)]));
  return messages.map((m) =>
    m.attachments ? { ...m, attachments: m.attachments.map((a) => (a.hash === '' ? { ...a, hash: byName.get(a.name) } : a)) } : m,
  );
}

export function siteChats(): FixtureChat[] {
  const { alice, bob, carol, dan } = PEOPLE;
  return [
    { nativeId: TEAM, title: 'Team general', kind: 'group', members: [alice, bob, carol, dan], messages: withHashes(teamMessages(), fixtureMedia()) },
    { nativeId: BIG, title: 'Firehose', kind: 'group', members: [alice, bob], messages: bigMessages() },
    { nativeId: DIRECT, title: null, kind: 'direct', members: [alice, bob], messages: directMessages() },
  ];
}

export function writeSiteFixture(file: string): void {
  writeFixture(file, siteChats(), fixtureMedia());
}
