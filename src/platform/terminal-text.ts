/**
 * Text from outside (a registry's error body, a server's header, a file name) on its way to a
 * terminal: ANSI/OSC escape sequences and other control characters could clear the screen,
 * rewrite earlier lines or set the window title, so they are removed before anything is printed.
 */
const ESCAPES = new RegExp(
  [
    '\\u001b\\[[0-9;?]*[ -/]*[@-~]', // CSI: colours, cursor moves, clear screen
    '\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)?', // OSC: window title, hyperlinks
    '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]', // C0 (but tab and newline) and C1 controls
  ].join('|'),
  'g',
);

/** `s` without escape sequences and control characters; tabs and newlines are kept. */
export function stripControls(s: string): string {
  return s.replace(ESCAPES, '');
}
