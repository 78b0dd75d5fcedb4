// CSV text cells that a spreadsheet would run as a formula (CSV injection): per the OWASP
// guidance, a cell starting with =, +, -, @, tab or carriage return gets a leading single quote,
// which spreadsheets show as text and do not evaluate. Only text cells (sweep names, the arch,
// the init scheme) go through here: numbers such as -400 (a log10) or -2 (a bias) stay numbers.
const FORMULA_START = /^[=+\-@\t\r]/;

export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
