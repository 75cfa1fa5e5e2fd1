import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jlinkOptions } from './jlink.ts';
import { type DesktopIndex, desktopTrim } from './jlink-trim.ts';

const desktop = (beansReach: string[] = ['java/lang/Object']): DesktopIndex => ({
  links: new Map([
    ['java/beans/Introspector', new Set(beansReach)],
    ['java/awt/Color', new Set(['sun/awt/SunToolkit'])],
    ['javax/swing/JButton', new Set(['javax/swing/JComponent$1', 'sun/print/PSPrinterJob'])],
    ['javax/swing/JComponent$1', new Set<string>()],
    ['javax/swing/JFrame', new Set<string>()],
    ['sun/print/PSPrinterJob', new Set<string>()],
    ['sun/print/PrintJob2D', new Set<string>()],
    ['sun/awt/SunToolkit', new Set<string>()],
  ]),
  files: new Map([
    ['java.beans', [{ name: 'Introspector.class', size: 9000 }]],
    ['java.awt', [{ name: 'Color.class', size: 7000 }]],
    [
      'javax.swing',
      [
        { name: 'JButton.class', size: 5000 },
        { name: 'JComponent$1.class', size: 300 },
        { name: 'JFrame.class', size: 4000 },
      ],
    ],
    ['javax.swing.plaf.metal.icons', [{ name: 'Error.gif', size: 200 }]],
    [
      'sun.print',
      [
        { name: 'PSPrinterJob.class', size: 8000 },
        { name: 'PrintJob2D.class', size: 900 },
      ],
    ],
    ['sun.awt', [{ name: 'SunToolkit.class', size: 9000 }]],
  ]),
  requires: new Map([
    ['java.base', []],
    ['java.desktop', ['java.base', 'java.datatransfer']],
    ['java.logging', ['java.base']],
    ['jdk.accessibility', ['java.base', 'java.desktop']],
    ['jdk.wrapper', ['jdk.accessibility']],
  ]),
});
const MODS = ['java.base', 'java.desktop', 'java.logging'];

test('only java.beans used: Swing/print packages lose all but their smallest file; AWT natives go', () => {
  const t = desktopTrim(['java.beans', 'java.util'], MODS, desktop(), false);
  assert.deepEqual(t.packages, ['javax.swing', 'javax.swing.plaf.metal.icons', 'sun.print']);
  assert.equal(t.files, 3);
  assert.deepEqual(t.groups, ['javax.swing', 'sun.print']);
  assert.match(t.why, /trimmed: the classes use only java\.beans/);
  // The smallest file of each package stays ($ escaped); a package of one file needs no pattern.
  assert.deepEqual(t.excludeResources, [
    'regex:/java\\.desktop/javax/swing/(?!JComponent\\$1\\.class$)[^/]+',
    'regex:/java\\.desktop/sun/print/(?!PrintJob2D\\.class$)[^/]+',
  ]);
  for (const lib of ['libawt.so', 'libfontmanager.so', 'liblcms.so', 'libmlib_image.so', 'libjsound.so'])
    assert.ok(t.excludeFiles.includes(`**/lib/${lib}`), lib);
  // java.awt and sun.awt (which java.beans reaches) are never trimmed.
  assert.ok(!t.packages.some((p) => p.startsWith('java.awt') || p.startsWith('sun.awt')));
  // jlink matches a pattern against the whole resource path (Java's PathMatcher).
  const re = new RegExp(`^(?:${(t.excludeResources[0] as string).slice('regex:'.length)})$`);
  assert.ok(re.test('/java.desktop/javax/swing/JButton.class'));
  assert.ok(!re.test('/java.desktop/javax/swing/JComponent$1.class'));
  assert.ok(
    !re.test('/java.desktop/javax/swing/plaf/metal/icons/Error.gif'),
    'subpackages have their own pattern',
  );
});

test('what java.beans reaches stays: a reached Swing class keeps Swing and the AWT libraries', () => {
  const t = desktopTrim(['java.beans'], MODS, desktop(['javax/swing/JComponent$1']), false);
  assert.deepEqual(t.packages, ['sun.print']);
  assert.deepEqual(t.natives, [], 'Swing loads AWT');
  assert.deepEqual(t.excludeFiles, []);
  assert.match(t.why, /which reach no sound, imageio, print$/);
  // Reached through a string constant (Class.forName) counts too; so does a chain.
  const chain = desktopTrim(['java.beans'], MODS, desktop(['javax/swing/JButton']), false);
  assert.deepEqual(chain.packages, []);
  assert.match(chain.why, /kept whole: java\.beans reaches/);
  const awt = desktopTrim(['java.beans'], MODS, desktop(['java/awt/Color']), false);
  assert.deepEqual(awt.natives, []);
  assert.deepEqual(awt.groups, ['javax.swing', 'sun.print']);
});

test('java.desktop kept whole when the app refers to AWT, with keepAll, when a linked module names it, or not linked', () => {
  const awt = desktopTrim(['java.beans', 'java.awt', 'javax.imageio'], MODS, desktop(), false);
  assert.deepEqual(awt.packages, []);
  assert.deepEqual(awt.excludeFiles, []);
  assert.match(awt.why, /kept whole: the classes refer to java\.awt/);
  const all = desktopTrim(['java.beans'], MODS, desktop(), true);
  assert.deepEqual([all.packages, all.excludeResources, all.excludeFiles], [[], [], []]);
  assert.match(all.why, /--jlink-keep-all/);
  // A module that requires java.desktop, even one linked only as another's requirement.
  const named = desktopTrim(['java.beans'], [...MODS, 'jdk.wrapper'], desktop(), false);
  assert.deepEqual(named.packages, []);
  assert.match(named.why, /kept whole: jdk\.accessibility require\(s\) it/);
  const none = desktopTrim(['java.sql'], ['java.base', 'java.sql'], desktop(), false);
  assert.deepEqual([none.packages, none.excludeFiles], [[], []]);
});

test('jlink options: one --exclude-files with the trim merged in, --exclude-resources only when trimming', () => {
  const t = desktopTrim(['java.beans'], MODS, desktop(), false);
  const opts = jlinkOptions(t);
  const files = opts.filter((o) => o.startsWith('--exclude-files='));
  assert.equal(files.length, 1);
  assert.match(files[0] as string, /libawt_xawt\.so.*\*\*\/lib\/libawt\.so/);
  assert.equal(opts.filter((o) => o.startsWith('--exclude-resources=')).length, 1);
  const kept = jlinkOptions(desktopTrim(['java.awt'], MODS, desktop(), false));
  assert.ok(!kept.some((o) => o.startsWith('--exclude-resources=')));
  assert.ok(!kept.some((o) => o.includes('**/lib/libawt.so')));
  assert.ok(kept.includes('--compress=1'));
});
