// The page and the badges as a browser would read them, for tests: HTML parsed by parse5 (the
// WHATWG parsing algorithm), SVG by @xmldom/xmldom with every error fatal, both turned into one
// small tree (elements with attributes, text as strings) to assert on.
import { DOMParser, type Node as XmlNode } from '@xmldom/xmldom';
import { parse, type DefaultTreeAdapterMap, type ParserError } from 'parse5';

/** An element: its (lower-case, for HTML) name, attributes and children. */
export interface Element {
  name: string;
  attrs: Record<string, string>;
  children: (Element | string)[];
}

type Parse5Node = DefaultTreeAdapterMap['node'];

function fromParse5(node: Parse5Node): Element | string | undefined {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  if (!('tagName' in node)) return undefined;
  const children = (node.nodeName === 'template' ? (node as DefaultTreeAdapterMap['template']).content.childNodes : node.childNodes).map(fromParse5);
  return { name: node.tagName, attrs: Object.fromEntries(node.attrs.map((a) => [a.name, a.value])), children: children.filter((c) => c !== undefined) };
}

/** The document element (`html`) of `source`, and the parse errors a browser would meet. */
export function parseHtml(source: string): { root: Element; errors: ParserError[] } {
  const errors: ParserError[] = [];
  const document = parse(source, { onParseError: (error) => errors.push(error) });
  const root = document.childNodes.map(fromParse5).find((node): node is Element => typeof node === 'object');
  if (!root) throw new Error('no document element');
  return { root, errors };
}

function fromXml(node: XmlNode): Element | string | undefined {
  if (node.nodeType === node.TEXT_NODE || node.nodeType === node.CDATA_SECTION_NODE) return (node as XmlNode & { data: string }).data;
  if (node.nodeType !== node.ELEMENT_NODE) return undefined;
  const element = node as XmlNode & { tagName: string; attributes: { length: number; item(i: number): { name: string; value: string } | null } };
  const attrs: Record<string, string> = {};
  for (let i = 0; i < element.attributes.length; i++) {
    const attr = element.attributes.item(i)!;
    attrs[attr.name] = attr.value;
  }
  const children = Array.from({ length: node.childNodes.length }, (_, i) => fromXml(node.childNodes.item(i)!));
  return { name: element.tagName, attrs, children: children.filter((c) => c !== undefined) };
}

// XML 1.0's Char production: tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD, U+10000–U+10FFFF.
const isXmlChar = (c: number) => c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);

/**
 * The root element of an XML document, which must be well-formed: xmldom's every warning and
 * error is fatal, and (what xmldom does not check) every character, raw or as a reference, must
 * be one XML allows.
 */
export function parseXml(source: string): Element {
  for (const c of source) if (!isXmlChar(c.codePointAt(0)!)) throw new Error(`not well-formed: U+${c.codePointAt(0)!.toString(16)}`);
  for (const [ref, dec, hex] of source.matchAll(/&#(?:(\d+)|x([0-9a-f]+));/gi)) {
    if (!isXmlChar(dec === undefined ? parseInt(hex!, 16) : Number(dec))) throw new Error(`not well-formed: ${ref}`);
  }
  const document = new DOMParser({
    // XML 1.0's line ends (xmldom's default is XML 1.1's, which also turns U+0085 and U+2028 into LF).
    normalizeLineEndings: (text) => text.replace(/\r\n?/g, '\n'),
    onError: (level, message) => {
      throw new Error(`not well-formed: ${level} ${message}`);
    },
  }).parseFromString(source, 'image/svg+xml');
  const root = fromXml(document.documentElement!);
  if (typeof root !== 'object') throw new Error('no document element');
  return root;
}

/** `root` and every element inside it, in document order. */
export function elements(root: Element): Element[] {
  return [root, ...root.children.flatMap((child) => (typeof child === 'string' ? [] : elements(child)))];
}

/** The text inside `element`, as the DOM's textContent. */
export function text(element: Element): string {
  return element.children.map((child) => (typeof child === 'string' ? child : text(child))).join('');
}

/** The elements of `root` for which `test` holds. */
export function select(root: Element, test: (element: Element) => boolean): Element[] {
  return elements(root).filter(test);
}

/** Elements by name and, optionally, a class they have. */
export const by =
  (name: string, className?: string) =>
  (element: Element): boolean =>
    element.name === name && (className === undefined || (element.attrs.class ?? '').split(' ').includes(className));
