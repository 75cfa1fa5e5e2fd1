/**
 * Java test programs for the Java images, compiled on the host with javac (default-jdk-headless)
 * into runnable jars, and a PNG reader to check what they draw:
 * - draw.jar OUT.png: draws "distill" with Graphics2D in the default SansSerif font and writes a
 *   PNG; prints the font, the text's width and the number of font families;
 * - wait.jar: prints "up" and sleeps (a running app for jcmd to attach to).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { runOk } from './tools.ts';

const DRAW_JAVA = `
import java.awt.*;
import java.awt.image.BufferedImage;
import java.io.File;
import javax.imageio.ImageIO;
public class Draw {
  public static void main(String[] a) throws Exception {
    BufferedImage img = new BufferedImage(200, 50, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 200, 50);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 24));
    g.drawString("distill", 10, 35);
    FontMetrics fm = g.getFontMetrics();
    g.dispose();
    ImageIO.write(img, "png", new File(a[0]));
    int families = GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames().length;
    System.out.println("width=" + fm.stringWidth("distill") + " families=" + families);
  }
}
`;

const WAIT_JAVA = `
public class Wait {
  public static void main(String[] a) throws Exception {
    System.out.println("up");
    Thread.sleep(600_000);
  }
}
`;

/** Compiles CLASS's source into DIR/NAME.jar (world-readable, for nonroot runs); returns the jar's name. */
function jar(dir: string, cls: string, source: string, name: string): string {
  const src = join(dir, `${cls}.java`);
  writeFileSync(src, source);
  const classes = join(dir, `classes-${cls}`);
  runOk('javac', ['--release', '17', '-d', classes, src]);
  runOk('jar', ['--create', '--file', join(dir, name), '--main-class', cls, '-C', classes, '.']);
  chmodSync(dir, 0o777); // nonroot writes the PNG into it
  chmodSync(join(dir, name), 0o644);
  return name;
}

export const javaPrograms = {
  draw: (dir: string) => jar(dir, 'Draw', DRAW_JAVA, 'draw.jar'),
  wait: (dir: string) => jar(dir, 'Wait', WAIT_JAVA, 'wait.jar'),
};

/** A decoded 8-bit RGB or RGBA PNG: size and the pixels, row by row. */
export interface Png {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

/** Decodes a non-interlaced 8-bit RGB/RGBA PNG (what ImageIO writes for TYPE_INT_RGB). */
export function readPng(bytes: Buffer): Png {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (!bytes.subarray(0, 8).equals(sig)) throw new Error('not a PNG (bad signature)');
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < bytes.length) {
    const len = bytes.readUInt32BE(off);
    const type = bytes.toString('latin1', off + 4, off + 8);
    const data = bytes.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const colour = data[9];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || data[12] !== 0)
        throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${data[12]}`);
      channels = colour === 2 ? 3 : 4;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)] as number;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? (pixels[y * stride + x - channels] as number) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + x] as number) : 0;
      const c = x >= channels && y > 0 ? (pixels[(y - 1) * stride + x - channels] as number) : 0;
      const p = a + b - c;
      const pred = [
        0,
        a,
        b,
        (a + b) >> 1,
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c,
      ][filter];
      if (pred === undefined) throw new Error(`bad PNG filter ${filter} on row ${y}`);
      pixels[y * stride + x] = ((line[x] as number) + pred) & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

/** The columns (x) that have at least one dark pixel (all channels < 128). */
export function darkColumns(png: Png): Set<number> {
  const cols = new Set<number>();
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * png.channels;
      if (
        (png.pixels[i] as number) < 128 &&
        (png.pixels[i + 1] as number) < 128 &&
        (png.pixels[i + 2] as number) < 128
      )
        cols.add(x);
    }
  return cols;
}
