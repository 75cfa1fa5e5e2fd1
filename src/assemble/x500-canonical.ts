/**
 * Java's `X500Principal.getName(X500Principal.CANONICAL)`, which distroless uses as the keystore
 * alias of each certificate. Written from the documented behaviour of the canonical form
 * (RFC 2253 plus Java's canonicalisation rules) and checked against the JDK in the live tests:
 * - RDNs last to first, joined by ','; AVAs of a multi-valued RDN sorted, joined by '+';
 * - type: RFC 2253 keyword (CN C L ST O OU STREET DC UID) or the dotted OID;
 * - value: PrintableString/UTF8String as text (',+<>;"\' and a leading '#' escaped with '\',
 *   runs of spaces collapsed, trimmed); any other string type, or an OID type, as '#' + DER hex;
 * - the whole AVA upper- then lower-cased, then NFKD-normalised.
 */
import { children, oidString, type Tlv } from './der.ts';
import { AssembleError } from './errors.ts';

const KEYWORDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

const PRINTABLE_STRING = 0x13;
const UTF8_STRING = 0x0c;
const ESCAPEES = ',+<>;"\\';
const utf8 = new TextDecoder('utf-8');

/** DerValue.isPrintableStringChar */
function isPrintable(c: string): boolean {
  return /^[A-Za-z0-9 '()+,\-./:=?]$/.test(c);
}

/** Java's String.trim(): strips code units <= U+0020 at both ends. */
function javaTrim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 0x20) a++;
  while (b > a && s.charCodeAt(b - 1) <= 0x20) b--;
  return s.slice(a, b);
}

interface Ava {
  oid: string;
  keyword: string | undefined;
  canonical: string;
}

function avaOf(seq: Tlv): Ava {
  const [type, value] = children(seq.content);
  if (!type || !value)
    throw new AssembleError(
      'KEYSTORE_INPUT_INVALID',
      'certificate DER: AttributeTypeAndValue without type or value',
    );
  const oid = oidString(type.content);
  const keyword = KEYWORDS[oid];
  let s = `${keyword ?? oid}=`;
  if (!keyword || (value.tag !== PRINTABLE_STRING && value.tag !== UTF8_STRING)) {
    s += `#${value.raw.toString('hex')}`;
  } else {
    const text = utf8.decode(value.content);
    let out = '';
    let previousWhite = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (isPrintable(c) || ESCAPEES.includes(c) || (i === 0 && c === '#')) {
        if ((i === 0 && c === '#') || ESCAPEES.includes(c)) out += '\\';
        if (c !== ' ') {
          previousWhite = false;
          out += c;
        } else if (!previousWhite) {
          previousWhite = true;
          out += c;
        }
      } else {
        previousWhite = false;
        out += c;
      }
    }
    s += javaTrim(out);
  }
  return { oid, keyword, canonical: s.toUpperCase().toLowerCase().normalize('NFKD') };
}

/** AVAComparator: keyword types by canonical string, then OID types by arcs. */
function compareAva(a: Ava, b: Ava): number {
  if (a.keyword && b.keyword) return a.canonical < b.canonical ? -1 : a.canonical > b.canonical ? 1 : 0;
  if (a.keyword) return -1;
  if (b.keyword) return 1;
  const x = a.oid.split('.').map(Number);
  const y = b.oid.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}

/**
 * The canonical RFC 2253 form of a DER-encoded X.500 Name (a SEQUENCE of SETs of AVAs).
 * @example canonicalName(subject) // 'cn=isrg root x1,o=internet security research group,c=us'
 */
export function canonicalName(name: Tlv): string {
  return children(name.content)
    .reverse()
    .map((rdn) => {
      const avas = children(rdn.content).map(avaOf);
      if (avas.length > 1) avas.sort(compareAva);
      return avas.map((a) => a.canonical).join('+');
    })
    .join(',');
}
