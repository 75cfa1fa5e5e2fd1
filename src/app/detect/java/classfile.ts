/**
 * What a .class file refers to, read from its constant pool (JVMS §4.4), as jdeps does: the
 * classes it names (CONSTANT_Class) and every class in a descriptor or signature (`Ljava/sql/
 * Connection;` in field and method types, generic signatures, annotations), in internal form.
 */
import { AppError } from '../../errors.ts';

/** The packages a class file refers to (`java/sql`, dots as slashes), and its own package. */
export interface ClassRefs {
  /** The class's own package (`com/example`), or '' for the unnamed package. */
  own: string;
  packages: Set<string>;
}

const DESCRIPTOR_CLASS = /L([A-Za-z_$][\w$]*(?:\/[A-Za-z_$][\w$]*)+)[;<]/g;

const packageOf = (internalName: string): string => {
  const name = internalName.replace(/^\[+L/, '').replace(/;$/, '');
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
};

/** Reads the constant pool of one class file; APP_JAVA_JAR_INVALID when it is not one. */
export function classRefs(bytes: Buffer, what: string): ClassRefs {
  const bad = (why: string) => new AppError('APP_JAVA_JAR_INVALID', `${what}: not a class file (${why})`);
  if (bytes.length < 10 || bytes.readUInt32BE(0) !== 0xcafebabe) throw bad('no 0xCAFEBABE magic');
  const count = bytes.readUInt16BE(8);
  const utf8 = new Map<number, string>();
  /** CONSTANT_Class entries: their index → the index of their name. */
  const classes = new Map<number, number>();
  let off = 10;
  const need = (n: number) => {
    if (off + n > bytes.length) throw bad('the constant pool runs past the end');
  };
  for (let i = 1; i < count; i++) {
    need(1);
    const tag = bytes[off] as number;
    off++;
    switch (tag) {
      case 1: {
        need(2);
        const len = bytes.readUInt16BE(off);
        need(2 + len);
        // Modified UTF-8; class names are plain ASCII/UTF-8 in practice.
        utf8.set(i, bytes.toString('utf8', off + 2, off + 2 + len));
        off += 2 + len;
        break;
      }
      case 7:
        need(2);
        classes.set(i, bytes.readUInt16BE(off));
        off += 2;
        break;
      case 8:
      case 16:
      case 19:
      case 20:
        off += 2;
        break;
      case 15:
        off += 3;
        break;
      case 3:
      case 4:
      case 9:
      case 10:
      case 11:
      case 12:
      case 17:
      case 18:
        off += 4;
        break;
      case 5:
      case 6:
        off += 8;
        i++; // 8-byte constants take two slots
        break;
      default:
        throw bad(`constant pool tag ${tag} at entry ${i}`);
    }
  }
  need(6);
  const thisIndex = bytes.readUInt16BE(off + 2);
  const packages = new Set<string>();
  for (const ci of classes.values()) {
    const name = utf8.get(ci);
    if (name) packages.add(packageOf(name));
  }
  for (const s of utf8.values()) {
    if (!s.includes('L') || !s.includes(';')) continue;
    for (const m of s.matchAll(DESCRIPTOR_CLASS)) packages.add(packageOf(m[1] as string));
  }
  packages.delete('');
  const own = packageOf(utf8.get(classes.get(thisIndex) ?? -1) ?? '');
  return { own, packages };
}
