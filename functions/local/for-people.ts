// local (CLI) --> text for a person's terminal. Values from a message (a header copied into the reasons,
// a file name, an error text) may carry escape sequences: ESC [2J clears the screen, ESC [8m hides what
// follows, a bidi override reverses it. Every table cell and line the CLI prints for people goes through
// this; JSON output does not (JSON.stringify escapes C0, and machines should get the exact value).

/** C0 and C1 controls (TAB and LF among them: a cell is one line) and the bidi embedding/override/isolate marks. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** The text with each control character shown as U+FFFD: a person sees that something was there. */
export function forPeople(text: string): string {
  return text.replace(UNPRINTABLE, '\uFFFD');
}

/** The same for a text of several lines (a banner, a usage text): its line breaks stay. */
export function linesForPeople(text: string): string {
  return text.split('\n').map(forPeople).join('\n');
}
