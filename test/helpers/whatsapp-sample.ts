import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { machineTimeZone } from '../../collector/sources/kit/zoned-time.js';
import type { FormatSample } from './format-samples.js';

/**
 * The FORMAT_SAMPLES row for WhatsApp "Export chat" (test/helpers/format-samples.ts): one chat
 * per file, `WhatsApp Chat with <title>.txt`, Android lines `2023-06-01 08:00 - Name: text` in the
 * machine's time zone (the adapter's default), multi-line bodies as continuation lines.
 */
export const whatsappSample: FormatSample = {
  format: 'whatsapp',
  multiChat: false,
  markupBodies: true, // `*b*` is bold and `` `x` `` code (though `<b>` is text)
  write(dir, chats) {
    const chat = chats[0];
    // A file name cannot hold every title: no separators or controls, and at most 255 bytes.
    const name = [...chat.title.replace(/[\\/\0-\x1f]/g, '_')].slice(0, 55).join('').trim() || 'chat';
    const file = join(dir, `WhatsApp Chat with ${name}.txt`);
    const lines = chat.messages.map((m) => `${wallClock(m.time)} - ${m.authorName}: ${m.attachment ? `${m.attachment} (file attached)` : m.body}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  },
  mainFile: (path) => path,
  // An unzipped export keeps its media beside the text.
  mediaFile: (path, name) => join(dirname(path), name),
};

const format = new Intl.DateTimeFormat('en-CA', {
  timeZone: machineTimeZone(),
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
});

/** `2023-06-01 08:00` in the machine's zone. */
function wallClock(time: number): string {
  const p = Object.fromEntries(format.formatToParts(time).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
