// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { parsePage } from '../../test/fixtures/pages/load.ts';
import { PAGE_FIELD_LIMITS } from './types.ts';
import {
  clipText,
  closestComposed,
  createRecordPageReader,
  createVisibilityCheck,
  flatTreeParent,
  focusedEditor,
  normaliseText,
  openShadowRoots,
  pageLocale,
  queryAll,
  queryFirst,
  readDisplayedValue,
  readText,
  type RecordPageSpec,
} from './dom.ts';

const byId = (doc: Document, id: string): Element => {
  const element = doc.getElementById(id) ?? queryFirst(doc, [`#${id}`]);
  if (!element) throw new Error(`no #${id}`);
  return element;
};

describe('pageLocale', () => {
  const withLang = (lang: string) => parsePage(`<html lang="${lang}"><body></body></html>`);
  it("takes the page's lang when it names a region, else the browser's of the same language", () => {
    expect(pageLocale(withLang('de-DE'), 'en-US')).toBe('de-DE');
    expect(pageLocale(withLang('en'), 'en-GB')).toBe('en-GB');
    expect(pageLocale(withLang(' de '), 'en-US')).toBe('de');
    expect(pageLocale(withLang(''), 'fr-FR')).toBe('fr-FR');
    expect(pageLocale(withLang('en'), 'en')).toBe('en');
    expect(pageLocale(withLang(''), undefined)).toBeUndefined();
  });
});

describe('normaliseText', () => {
  it.each([
    ['  Ada \n\t Lovelace  ', 'Ada Lovelace'],
    ['Ada\u00a0Lovelace', 'Ada Lovelace'],
    ['Ada\u200bLove\u00adlace\ufeff', 'AdaLovelace'],
    // The joiners are part of the text: a Persian word (نیک‌نام) and an emoji sequence (👨‍👩‍👧) keep them.
    ['نیک\u200cنام 👨\u200d👩\u200d👧', 'نیک\u200cنام 👨\u200d👩\u200d👧'],
    ['\u2060نیک\u200cنام\u200b', 'نیک\u200cنام'],
    ['\u2003\u3000', ''],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(normaliseText(input)).toBe(expected);
  });
});

describe('clipText', () => {
  it('keeps short text and clips long text', () => {
    expect(clipText('abc', 5)).toBe('abc');
    expect(clipText('abcdef', 3)).toBe('abc');
    expect(clipText('x'.repeat(20_000))).toHaveLength(PAGE_FIELD_LIMITS.maxValueLength);
  });

  it('never splits a surrogate pair', () => {
    expect(clipText('ab😀c', 3)).toBe('ab');
    expect(clipText('ab😀c', 4)).toBe('ab😀');
  });
});

describe('readText', () => {
  it('reads text, not markup', () => {
    const doc = parsePage('<p id="p">&lt;img src=x onerror=alert(1)&gt; &amp; <b>bold</b></p>');
    expect(readText(byId(doc, 'p'))).toBe('<img src=x onerror=alert(1)> & bold');
    expect(doc.querySelector('img')).toBeNull();
  });

  it('leaves out scripts, styles, templates, icons and skipped elements', () => {
    const doc = parsePage(`<div id="v">Web<script>var x = 1</script><style>.a{}</style><template>t</template>
      <svg><title>pencil</title></svg><span class="slds-assistive-text">Edit</span></div>`);
    expect(readText(byId(doc, 'v'), ['.slds-assistive-text'])).toBe('Web');
  });

  it('separates words at block and line-break boundaries, not inside inline runs', () => {
    const doc = parsePage('<div id="a"><div>1 Main St</div><div>Boston</div>US<br>A<span>B</span>C</div>');
    expect(readText(byId(doc, 'a'))).toBe('1 Main St Boston US ABC');
  });

  it('reads open shadow roots, slotted content and fallback content', () => {
    const doc = parsePage(`<div id="host"><template shadowrootmode="open"><i>Dr </i><slot></slot> <slot name="x">(none)</slot></template>Ada</div>`);
    expect(readText(byId(doc, 'host'))).toBe('Dr Ada (none)');
  });

  it('reads light children of a host whose shadow root shows no text yet', () => {
    const doc = parsePage('<div id="host"><template shadowrootmode="open"><span></span></template>Ada</div>');
    expect(readText(byId(doc, 'host'))).toBe('Ada');
  });

  it('clips very long text', () => {
    const doc = parsePage(`<p id="p">${'word '.repeat(10_000)}</p>`);
    expect(readText(byId(doc, 'p'))).toHaveLength(PAGE_FIELD_LIMITS.maxValueLength);
  });
});

describe('queryAll / queryFirst', () => {
  const doc = parsePage(`
    <div id="root">
      <span class="b" id="b1"></span><span class="a" id="a1"></span><span class="a b" id="ab"></span>
      <div id="host"><template shadowrootmode="open"><span class="c" id="c1"></span>
        <div id="inner"><template shadowrootmode="open"><span class="c" id="c2"></span></template></div>
      </template></div>
    </div>`);
  const ids = (elements: Element[]): string[] => elements.map((element) => element.id);

  it('unions the selectors in list order, each element once', () => {
    expect(ids(queryAll(doc, ['.a', '.b']))).toEqual(['a1', 'ab', 'b1']);
  });

  it('walks open shadow roots only when the light DOM has no match', () => {
    expect(ids(queryAll(doc, ['.c']))).toEqual(['c1', 'c2']);
    expect(ids(queryAll(doc, ['.a', '.c']))).toEqual(['a1', 'ab']);
    expect(openShadowRoots(doc)).toHaveLength(2);
  });

  it('returns the first accepted match, trying selectors in order', () => {
    expect(queryFirst(doc, ['.missing', '.b', '.a'])?.id).toBe('b1');
    expect(queryFirst(doc, ['.b'], (element) => element.id !== 'b1')?.id).toBe('ab');
    expect(queryFirst(doc, ['.c'])?.id).toBe('c1');
    expect(queryFirst(doc, ['.missing'])).toBeNull();
  });

  it('skips a selector the engine cannot parse instead of failing', () => {
    expect(ids(queryAll(doc, ['a_b-c > div', '.a']))).toEqual(['a1', 'ab']);
  });

  it('walks up across shadow boundaries', () => {
    const c2 = queryFirst(doc, ['#c2']);
    expect(c2).not.toBeNull();
    expect(closestComposed(c2 as Element, ['#nothing', '#root'])?.id).toBe('root');
    expect(flatTreeParent(c2 as Element)?.id).toBe('inner');
  });
});

describe('createVisibilityCheck', () => {
  const doc = parsePage(`
    <style>.gone { display: none } .ghost { visibility: hidden }</style>
    <div id="shown"><span id="shown-child">x</span></div>
    <div hidden><span id="in-hidden">x</span></div>
    <div style="display:none"><span id="in-inline-none">x</span></div>
    <div class="gone"><span id="in-class-none">x</span></div>
    <span class="ghost" id="invisible">x</span>
    <div aria-hidden="true"><span id="in-aria-hidden">x</span></div>
    <div style="display:none"><div id="host-in-hidden"><template shadowrootmode="open"><span id="in-shadow">x</span></template></div></div>
    <div id="host"><template shadowrootmode="open"><div hidden><slot></slot></div></template><span id="slotted-hidden">x</span></div>`);

  it('sees hidden, display:none (inline or stylesheet), visibility:hidden, through shadow roots and slots', () => {
    const visible = createVisibilityCheck({ ariaHidden: false });
    expect(visible(byId(doc, 'shown-child'))).toBe(true);
    expect(visible(byId(doc, 'in-aria-hidden'))).toBe(true);
    for (const id of ['in-hidden', 'in-inline-none', 'in-class-none', 'invisible', 'in-shadow', 'slotted-hidden']) {
      expect(visible(byId(doc, id)), id).toBe(false);
    }
  });

  it('treats aria-hidden subtrees as hidden when asked', () => {
    const visible = createVisibilityCheck({ ariaHidden: true });
    expect(visible(byId(doc, 'in-aria-hidden'))).toBe(false);
    expect(visible(byId(doc, 'shown-child'))).toBe(true);
  });
});

describe('readDisplayedValue', () => {
  const doc = parsePage(`
    <span id="on"><input type="checkbox" checked disabled></span>
    <span id="off"><input type="checkbox" disabled></span>
    <span id="aria"><span role="checkbox" aria-checked="true"></span></span>
    <input id="input" value="  Ada   Lovelace ">
    <span id="wrapped"><textarea>Note</textarea></span>
    <select id="select"><option value="a">Apple</option><option value="b" selected>Banana</option></select>
    <span id="text">Web</span>`);

  it.each([
    ['on', 'true'],
    ['off', 'false'],
    ['aria', 'true'],
    ['input', 'Ada Lovelace'],
    ['wrapped', 'Note'],
    ['select', 'Banana'],
    ['text', 'Web'],
  ])('#%s → %j', (id, expected) => {
    expect(readDisplayedValue(byId(doc, id))).toBe(expected);
  });

  it('reads the live checked state, not the attribute', () => {
    const input = byId(doc, 'off').querySelector('input') as HTMLInputElement;
    input.checked = true;
    expect(readDisplayedValue(byId(doc, 'off'))).toBe('true');
    input.checked = false;
  });
});

describe('focusedEditor', () => {
  it('is the focused control a value is typed in or picked with, inside a shadow root too; null for a button or no focus', () => {
    document.body.innerHTML = `<input id="text"><textarea id="note"></textarea><select id="pick"><option>A</option></select>
      <div id="rich" contenteditable="true"></div><div id="locked" contenteditable="false" tabindex="0"></div>
      <button id="save">Save</button><input id="submit" type="submit"><div id="host"></div>`;
    const focused = (id: string) => {
      (document.getElementById(id) as HTMLElement).focus();
      return focusedEditor(document)?.id ?? null;
    };
    expect(focused('text')).toBe('text');
    expect(focused('note')).toBe('note');
    expect(focused('pick')).toBe('pick');
    expect(focused('rich')).toBe('rich');
    expect(focused('locked')).toBeNull();
    expect(focused('save')).toBeNull();
    expect(focused('submit')).toBeNull();

    const root = document.getElementById('host')!.attachShadow({ mode: 'open' });
    root.innerHTML = '<input id="inner">';
    (root.getElementById('inner') as HTMLInputElement).focus();
    expect(document.activeElement?.id).toBe('host');
    expect(focusedEditor(document)?.id).toBe('inner');

    (root.getElementById('inner') as HTMLInputElement).blur();
    expect(focusedEditor(document)).toBeNull();
    document.body.replaceChildren();
  });
});

describe('createRecordPageReader', () => {
  const spec: RecordPageSpec = {
    activeView: ['.view.active'],
    excludeWithin: ['.preview'],
    title: ['.title'],
    fieldRow: ['[data-field]'],
    fieldLabel: ['.label'],
    fieldValue: ['.value'],
    skipText: ['.sr-only'],
    emptyValues: ['--'],
    fieldName: (row) => row.getAttribute('data-field'),
  };
  const reader = createRecordPageReader(spec);

  it('merges duplicate fields: the first non-empty value wins', () => {
    const doc = parsePage(`<div class="view active">
      <div data-field="a"><span class="value">--</span></div>
      <div data-field="a"><span class="value">first</span></div>
      <div data-field="a"><span class="value">second</span></div>
      <div data-field="b"><span class="label">B</span> plain <span class="sr-only">hint</span></div>
      <div class="preview"><div data-field="c"><span class="value">other record</span></div></div>
    </div>`);
    expect(reader.readRecordFields(doc)).toEqual({ a: 'first', b: 'plain' });
  });

  it('ignores rows without a usable name', () => {
    const doc = parsePage(`<div class="view active">
      <div data-field=""><span class="value">x</span></div>
      <div data-field="${'n'.repeat(PAGE_FIELD_LIMITS.maxNameLength + 1)}"><span class="value">x</span></div>
    </div>`);
    expect(reader.readRecordFields(doc)).toEqual({});
  });

  it('tells the active view the fields are read in, and none where the page marks none', () => {
    const doc = parsePage('<div class="view" id="old"><div data-field="a">A</div></div><div class="view active" id="new"><div data-field="a">B</div></div>');
    expect(reader.readRecordView(doc)?.id).toBe('new');
    doc.getElementById('new')!.classList.remove('active');
    expect(reader.readRecordView(doc)).toBeNull();
    expect(createRecordPageReader({ ...spec, activeView: [] }).readRecordView(parsePage('<div class="view active"></div>'))).toBeNull();
  });

  it('has no name and no anchor without a title, unless the spec reads document.title', () => {
    const doc = parsePage('<title>T</title><div class="view active"></div>');
    expect(reader.readRecordName(doc)).toBeNull();
    expect(reader.findBadgeAnchor(doc)).toBeNull();
    const withTitle = createRecordPageReader({ ...spec, nameFromDocumentTitle: (title) => `from ${title}` });
    expect(withTitle.readRecordName(doc)).toBe('from T');
  });
});
