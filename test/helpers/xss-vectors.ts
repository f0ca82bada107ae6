import { readFileSync } from 'node:fs';

/**
 * Script-injection vectors for every source format's bodies, names and ids. Each one that could
 * run calls the trap `__pwned('<tag>')` (or `alert`), which the browser tests define and record:
 * any call is a failure, and the tag says which vector got through.
 */
const P = (tag: string): string => `__pwned('${tag}')`;

export const XSS_VECTORS: readonly string[] = [
  `<script>${P('script')}</script>`,
  `<SCRIPT SRC=data:text/javascript,${P('script-src')}></SCRIPT>`,
  `<img src=x onerror="${P('img')}">`,
  `<img src=x onerror=${P('img-unquoted')}`,
  `<svg onload="${P('svg')}"><script>${P('svg-script')}</script></svg>`,
  `<svg><a xlink:href="javascript:${P('svg-a')}"><text y="20">x</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror=${P('mxss-math')}></style></mglyph></table></mtext></math>`,
  `<noscript><p title="</noscript><img src=x onerror=${P('noscript')}>">`,
  `<a href="javascript:${P('js-href')}">js</a>`,
  `<a href="JaVaScRiPt:${P('js-case')}">case</a>`,
  `<a href=" &#14;javascript:${P('js-space')}">space</a>`,
  `<a href="jav&#x09;ascript:${P('js-tab')}">tab</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${P('js-dec')}">dec</a>`,
  `<a href="javascript&colon;${P('js-colon')}">colon</a>`,
  `<a href="data:text/html,<script>${P('data-href')}</script>">data</a>`,
  `<a href="vbscript:msgbox(1)">vb</a>`,
  `<iframe src="javascript:${P('iframe')}"></iframe>`,
  `<iframe srcdoc="<script>parent.${P('srcdoc')}</script>"></iframe>`,
  `<object data="javascript:${P('object')}"></object><embed src="javascript:${P('embed')}">`,
  `<form action="javascript:${P('form')}"><button>go</button></form>`,
  `<base href="javascript:${P('base')}//">`,
  `<meta http-equiv="refresh" content="0;url=javascript:${P('meta')}">`,
  `<style>*{background:url("javascript:${P('style')}")}</style>`,
  `<b onmouseover=${P('b-hover')}>hover</b>`,
  `<div style="width:100%;height:100%;position:fixed" onmouseover="${P('overlay')}">x</div>`,
  `"><img src=x onerror=${P('attr-break')}>`,
  `' onfocus='${P('attr-single')}' autofocus x='`,
  `<scr<script>ipt>${P('nested-script')}</scr</script>ipt>`,
  `<<script>script>${P('double')}<</script>/script>`,
  `<b>unclosed <i>nested <a href="https://example.com/">link`,
  `</div></div></main><script>${P('close-out')}</script>`,
  `<![CDATA[<script>${P('cdata')}</script>]]> ]]> <x>`,
  `<!-- --><script>${P('comment')}</script> -->`,
  `<textarea><img src=x onerror=${P('textarea')}></textarea>`,
  `<template><script>${P('template')}</script></template>`,
  `&lt;script&gt;${P('entity-text')}&lt;/script&gt;`,
  `&#60;script&#62;${P('entity-num')}&#60;/script&#62;`,
  `javascript:${P('bare-js')}`,
  `https://example.com/"onmouseover="${P('linkify')}"x="`,
  `https://example.com/<img src=x onerror=${P('linkify-tag')}>`,
  `[md link](javascript:${P('markdown')})`,
  `![md image](javascript:${P('markdown-img')})`,
  `**<img src=x onerror=${P('markdown-bold')}>**`,
  `\`<script>${P('code-span')}</script>\``,
  `\`\`\`\n<script>${P('code-block')}</script>\n\`\`\``,
  `<javascript:${P('slack-link')}|click me>`,
  `<https://example.com|<img src=x onerror=${P('slack-label')}>>`,
  `<@U123|<script>${P('slack-mention')}</script>>`,
  `control: a\u0000b\u000bc\u000cd\ufffee\uffff f\ud800g`,
  `\u202Eevil\u202C rtl`,
];

/** The older corpus of Skype bodies (test/fixtures/hostile/skype-bodies.json): they call alert(1). */
export function skypeHostileBodies(): string[] {
  return JSON.parse(readFileSync(new URL('../../../test/fixtures/hostile/skype-bodies.json', import.meta.url), 'utf8')) as string[];
}

/** The traps browser tests define before any page script: every vector calls one of them. */
export const TRAP_NAMES = ['__pwned', 'alert', 'confirm', 'prompt', 'print'] as const;
