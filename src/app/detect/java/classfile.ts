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

interface Pool {
  utf8: Map<number, string>;
  /** CONSTANT_Class entries: their index → the index of their name. */
  classes: Map<number, number>;
  /** CONSTANT_Module entries: their index → the index of their name. */
  modules: Map<number, number>;
  /** CONSTANT_String entries: the indexes of their text. */
  strings: number[];
  /** Where the constant pool ends (access_flags). */
  end: number;
}

const badClass = (what: string, why: string) =>
  new AppError('APP_JAVA_JAR_INVALID', `${what}: not a class file (${why})`);

/** Reads the constant pool of one class file; APP_JAVA_JAR_INVALID when it is not one. */
function readPool(bytes: Buffer, what: string): Pool {
  const bad = (why: string) => badClass(what, why);
  if (bytes.length < 10 || bytes.readUInt32BE(0) !== 0xcafebabe) throw bad('no 0xCAFEBABE magic');
  const count = bytes.readUInt16BE(8);
  const utf8 = new Map<number, string>();
  const classes = new Map<number, number>();
  const modules = new Map<number, number>();
  const strings: number[] = [];
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
      case 19:
        need(2);
        modules.set(i, bytes.readUInt16BE(off));
        off += 2;
        break;
      case 8:
        need(2);
        strings.push(bytes.readUInt16BE(off));
        off += 2;
        break;
      case 16:
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
  return { utf8, classes, modules, strings, end: off };
}

/** The packages a class file refers to and its own package; APP_JAVA_JAR_INVALID when it is not one. */
export function classRefs(bytes: Buffer, what: string): ClassRefs {
  const { utf8, classes, end } = readPool(bytes, what);
  const thisIndex = bytes.readUInt16BE(end + 2);
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

/**
 * The classes a class file refers to (internal names, from CONSTANT_Class and descriptors) and
 * the class names among its string constants (`sun.print.PSPrinterJob` for Class.forName, in
 * internal form), for a reachability closure.
 */
export function classLinks(bytes: Buffer, what: string): { name: string; refs: Set<string> } {
  const { utf8, classes, strings, end } = readPool(bytes, what);
  const refs = new Set<string>();
  for (const ci of classes.values()) {
    const n = utf8.get(ci);
    if (n) refs.add(n.replace(/^\[+L/, '').replace(/;$/, ''));
  }
  for (const s of utf8.values()) {
    if (!s.includes('L') || !s.includes(';')) continue;
    for (const m of s.matchAll(DESCRIPTOR_CLASS)) refs.add(m[1] as string);
  }
  for (const si of strings) {
    const s = utf8.get(si);
    if (s && /^[A-Za-z_$][\w$]*(?:[./][A-Za-z_$][\w$]*)+$/.test(s)) refs.add(s.replace(/\./g, '/'));
  }
  return { name: utf8.get(classes.get(bytes.readUInt16BE(end + 2)) ?? -1) ?? '', refs };
}

/** The modules a module-info.class requires (its Module attribute, JVMS §4.7.25). */
export function moduleRequires(bytes: Buffer, what: string): string[] {
  const { utf8, modules, end } = readPool(bytes, what);
  const bad = (why: string) => badClass(what, why);
  let off = end + 6;
  const u2 = () => {
    if (off + 2 > bytes.length) throw bad('it ends early');
    off += 2;
    return bytes.readUInt16BE(off - 2);
  };
  const interfaces = u2();
  off += 2 * interfaces;
  for (const _ of [0, 1]) {
    // fields, then methods: access, name, descriptor, attributes
    for (let n = u2(); n > 0; n--) {
      off += 6;
      for (let a = u2(); a > 0; a--) {
        off += 2;
        if (off + 4 > bytes.length) throw bad('it ends early');
        off += 4 + bytes.readUInt32BE(off);
      }
    }
  }
  for (let a = u2(); a > 0; a--) {
    const name = utf8.get(u2());
    if (off + 4 > bytes.length) throw bad('it ends early');
    const len = bytes.readUInt32BE(off);
    off += 4;
    if (name !== 'Module') {
      off += len;
      continue;
    }
    off += 6; // module name, flags, version
    const out: string[] = [];
    for (let r = u2(); r > 0; r--) {
      const m = utf8.get(modules.get(u2()) ?? -1);
      off += 4; // flags, version
      if (m) out.push(m);
    }
    return out;
  }
  return [];
}
