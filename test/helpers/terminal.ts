/**
 * What a terminal shows after some output: the lines left on screen once carriage returns,
 * erasures and cursor moves are applied. Progress tests use it to check that no status text is
 * left behind and that an error starts a line of its own. Only the sequences distill writes are
 * understood; any other escape fails the test that met it.
 */

/** The screen's lines after `text` (a trailing empty line when the output ended with a newline). */
export function screen(text: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  const at = () => lines[row] ?? '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\u001b') {
      // CSI: ESC [ digits letter (the ESC itself checked above).
      const m = /^\[(\d*)([AJK])/.exec(text.slice(i + 1, i + 12));
      if (!m) throw new Error(`unexpected escape sequence ${JSON.stringify(text.slice(i, i + 12))}`);
      const n = Number(m[1] || 1);
      if (m[2] === 'K') lines[row] = at().slice(0, col);
      else if (m[2] === 'A') row = Math.max(0, row - n);
      else {
        lines[row] = at().slice(0, col);
        lines.length = row + 1;
      }
      i += m[0].length;
    } else if (c === '\r') col = 0;
    else if (c === '\n') {
      // A pty turns \n into \r\n (onlcr); a fake stream gets the same treatment.
      row++;
      col = 0;
      if (lines.length <= row) lines.push('');
    } else {
      const l = at().padEnd(col);
      lines[row] = l.slice(0, col) + c + l.slice(col + 1);
      col++;
    }
  }
  return lines;
}
