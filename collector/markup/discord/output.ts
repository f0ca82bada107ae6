import { escapeHtml } from '../html.js';

/** HTML and text written side by side. */

export class Output {
  html = '';
  text = '';
  /** Whether `text` ends a line; kept apart, since reading a long concatenated string's end flattens it. */
  private atLineEnd = true;

  addText(text: string): void {
    if (text === '') return;
    this.text += text;
    this.atLineEnd = text.charCodeAt(text.length - 1) === 10;
  }

  /** Starts what follows on a new line of text. */
  line(): void {
    if (!this.atLineEnd) {
      this.text += '\n';
      this.atLineEnd = true;
    }
  }
}

const LINE_BREAK = /\r\n?|\n/g;

export function escapeLines(text: string): string {
  const html = escapeHtml(text);
  return html.indexOf('\n') === -1 && html.indexOf('\r') === -1 ? html : html.replace(LINE_BREAK, '<br>');
}
