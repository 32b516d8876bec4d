// A strict little XML well-formedness check for the generated SVG (no DOM in Node): every tag closes in
// order, attributes are quoted once each, text and attribute values hold no raw '<' or stray '&'.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
}

const ENTITY = /^&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

function checkText(text: string, where: string): string {
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
    if (!ENTITY.test(text.slice(i))) throw new Error(`bare '&' in ${where}: ${text.slice(i, i + 20)}`);
  }
  if (text.includes("<")) throw new Error(`raw '<' in ${where}`);
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Parses one XML document (a single root element); throws naming the first problem. */
export function parseXml(source: string): XmlElement {
  const root: XmlElement = { name: "#document", attrs: {}, text: "", children: [] };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/y;
  const attr = /\s+([\w:.-]+)="([^"]*)"/g;
  let i = 0;
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const end = lt < 0 ? source.length : lt;
    if (end > i)
      stack[stack.length - 1].text += checkText(source.slice(i, end), `text of <${stack.at(-1)!.name}>`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(source);
    if (!m) throw new Error(`malformed tag at offset ${lt}: ${source.slice(lt, lt + 60)}`);
    const [whole, closing, name, attrText, selfClosing] = m;
    if (closing) {
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name}> at offset ${lt}`);
    } else {
      const attrs: Record<string, string> = {};
      for (const [, key, value] of attrText.matchAll(attr)) {
        if (key in attrs) throw new Error(`attribute ${key} twice on <${name}>`);
        attrs[key] = checkText(value, `attribute ${key} of <${name}>`);
      }
      const element: XmlElement = { name, attrs, text: "", children: [] };
      stack[stack.length - 1].children.push(element);
      if (!selfClosing) stack.push(element);
    }
    i = lt + whole.length;
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is never closed`);
  if (root.children.length !== 1 || root.text.trim() !== "") throw new Error("not a single root element");
  return root.children[0];
}

export function descendants(element: XmlElement): XmlElement[] {
  return element.children.flatMap((c) => [c, ...descendants(c)]);
}

/** Text of an element and everything under it. */
export function allText(element: XmlElement): string {
  return element.text + element.children.map(allText).join("");
}
