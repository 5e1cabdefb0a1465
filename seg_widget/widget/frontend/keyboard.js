// Keyboard without the focus dance. JupyterLab (Lumino) handles shortcuts in a keydown
// listener on the document, in the bubble phase, and ignores events whose default was
// prevented. This listener sits on the window in the capture phase, so it decides first:
// a key listed in shortcut_keys is the widget's while the focus is inside the widget's root
// (e.g. after a click on one of its buttons) or the pointer is over it, unless a text field
// has the focus (typing code or a name always wins) or a focused slider moves with the key
// (its arrows stay its own). Taken keys are prevented and stopped;
// every other key goes on to JupyterLab untouched. The focus stays the widget's when the
// control holding it is re-rendered (focusIsInside), until a focus or a press goes elsewhere.
import { controlOwnsKey, focusIsInside, isEditable, keyIsOurs, keyName, modifierBits } from './input.js';

export class Keyboard {
  /**
   * root(): the widget's root element; names(): the Set of key names to take;
   * send(key, down, modifiers): report a press or release; space(held): Space changed.
   */
  constructor({ root, names, send, space }) {
    this.root = root;
    this.names = names;
    this.send = send;
    this.space = space;
    this.held = new Set();
    this.spaceHeld = false;
    this.focusKept = false;
  }

  /** Add the listeners through `on(target, type, handler, options)`. */
  listen(on) {
    on(window, 'keydown', event => this.down(event), true);
    on(window, 'keyup', event => this.up(event), true);
    const track = event => {
      this.focusKept = this.root().contains(event.target);
    };
    on(window, 'focusin', track, true);
    on(window, 'pointerdown', track, true);
    // The window lost focus: no key-up will come for keys held now.
    on(window, 'blur', () => this.releaseAll());
  }

  down(event) {
    if (event.isComposing || !this.names().has(keyName(event))) return;
    const root = this.root();
    const focused = document.activeElement;
    const ours = keyIsOurs({
      editable:
        isEditable(focused) || isEditable(event.target) || controlOwnsKey(focused, event.key),
      focusInside: focusIsInside({ root, focused, body: document.body, kept: this.focusKept }),
      hovered: root.matches(':hover')
    });
    if (!ours) return;
    event.preventDefault();
    event.stopPropagation();
    if (event.key === ' ') {
      if (this.spaceHeld) return; // auto-repeat of a held Space
      this.spaceHeld = true;
      this.space(true);
    }
    this.held.add(event.key);
    this.send(event.key, true, modifierBits(event));
  }

  up(event) {
    if (!this.held.has(event.key)) return;
    event.preventDefault();
    event.stopPropagation();
    this.release(event.key, modifierBits(event));
  }

  release(key, modifiers) {
    this.held.delete(key);
    if (key === ' ') {
      this.spaceHeld = false;
      this.space(false);
    }
    this.send(key, false, modifiers);
  }

  releaseAll() {
    for (const key of [...this.held]) this.release(key, 0);
  }
}
