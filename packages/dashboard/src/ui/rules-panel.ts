/// <reference lib="dom" />
/**
 * The rules panel's list and errors. The form is static markup; what comes from the network
 * (names, messages, errors) only ever goes in through textContent.
 */
import type { RuleRowModel } from '../rules-form.js';
import { fill, h } from './dom.js';

export type RuleAction = 'pause' | 'resume' | 'delete';

export function renderRules(el: HTMLElement, rows: readonly RuleRowModel[] | null, onAction: (id: string, action: RuleAction) => void): void {
  if (rows === null) return fill(el, h('p', { class: 'panel-msg loading', 'data-msg': 'loading' }, 'Loading your rules…'));
  if (rows.length === 0) return fill(el, h('p', { class: 'panel-msg empty', 'data-msg': 'empty' }, 'No rules yet: create one above.'));
  const button = (id: string, action: RuleAction, label: string) => {
    const b = h('button', { type: 'button', 'data-action': action }, label);
    b.addEventListener('click', () => onAction(id, action));
    return b;
  };
  fill(
    el,
    h(
      'table',
      { class: 'data-table rules-table' },
      h('thead', {}, h('tr', {}, ...['Rule', 'Watches', 'Status', 'Last fired', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-rule-id': r.id, 'data-status': r.status },
            h('td', {}, r.name),
            h('td', {}, r.summary),
            h('td', { class: `status-${r.status}` }, r.status),
            h('td', { 'data-last-fired': r.lastFired }, r.lastFired),
            h('td', {}, r.status === 'paused' ? button(r.id, 'resume', 'Resume') : button(r.id, 'pause', 'Pause'), ' ', button(r.id, 'delete', 'Delete')),
          ),
        ),
      ),
    ),
  );
}

/** The gateway's answer to a refused rule: its error and one line per invalid field. */
export function renderRuleErrors(el: HTMLElement, error: string | null, issues: ReadonlyArray<{ path: string; message: string }> = []): void {
  if (error === null) return fill(el);
  fill(el, h('p', {}, error), issues.length > 0 ? h('ul', {}, ...issues.map((i) => h('li', { 'data-path': i.path }, `${i.path}: ${i.message}`))) : null);
}
