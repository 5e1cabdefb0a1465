// Pure input bookkeeping of the layer: pointer records, per-frame batches, click counting,
// key names and routing, wheel deltas. No DOM here, so node's test runner imports it as is.
//
// The wire format of one pointer event is a flat array (compact JSON, cheap to validate):
//   [kind, x, y, button, buttons, modifiers, time_ms, clicks]
// kind: "down" | "move" | "up" | "cancel" | "leave"; x, y in canvas (device) pixels;
// button: the DOM button that changed (-1 for moves); buttons: DOM bit set held after the
// event; modifiers: MODIFIER_BITS; time_ms: the DOM timeStamp; clicks: 1 single, 2 double...
// on "down"/"up" (0 otherwise). seg_widget.widget.input_layer decodes it into PointerEvent.

/** Modifier key bits of the wire format. */
export const MODIFIER_BITS = { shift: 1, ctrl: 2, alt: 4, meta: 8 };

/** The modifier bit set of a DOM mouse, pointer, wheel or keyboard event. */
export function modifierBits(event) {
  return (
    (event.shiftKey ? MODIFIER_BITS.shift : 0) |
    (event.ctrlKey ? MODIFIER_BITS.ctrl : 0) |
    (event.altKey ? MODIFIER_BITS.alt : 0) |
    (event.metaKey ? MODIFIER_BITS.meta : 0)
  );
}

/** Two clicks of one button closer than this in time (ms) and space (CSS px) are a double. */
export const DOUBLE_CLICK_MS = 500;
export const DOUBLE_CLICK_SLOP_PX = 4;

/**
 * Click count of a button press, decided by browser timestamps (the DOM's pointerdown has no
 * count): `previous` is {button, time, x, y, count} of the last press or null; x, y in CSS px.
 */
export function clickCount(previous, button, time, x, y) {
  if (
    previous !== null &&
    previous.button === button &&
    time - previous.time <= DOUBLE_CLICK_MS &&
    Math.hypot(x - previous.x, y - previous.y) <= DOUBLE_CLICK_SLOP_PX
  ) {
    return previous.count + 1;
  }
  return 1;
}

/**
 * Collects pointer events between animation frames and hands them out as one batch per
 * frame, numbered. Hover moves (no button held) are coalesced to the last one of the frame:
 * nothing follows the hand then but the cursor, which the layer draws itself. Moves with a
 * button held keep every point (including the browser's coalesced ones), since the stroke
 * goes through all of them.
 */
export class PointerBatcher {
  /** `nextNumber()` gives batch numbers, increasing (default 1, 2, 3...). */
  constructor(nextNumber = sequence(1)) {
    this.nextNumber = nextNumber;
    this.current = nextNumber();
    this.events = [];
  }

  /** Queue one event record (the wire array above). */
  push(record) {
    const last = this.events[this.events.length - 1];
    const hover = record[0] === 'move' && record[4] === 0;
    if (hover && last !== undefined && last[0] === 'move' && last[4] === 0) {
      this.events[this.events.length - 1] = record;
    } else {
      this.events.push(record);
    }
  }

  /** The number of the batch being filled (previews are tagged with it). */
  get pending() {
    return this.current;
  }

  get empty() {
    return this.events.length === 0;
  }

  /** {batch, events} of everything queued, or null when nothing is; starts a new batch. */
  take() {
    if (this.events.length === 0) return null;
    const out = { batch: this.current, events: this.events };
    this.current = this.nextNumber();
    this.events = [];
    return out;
  }
}

/** A counter: start, start + 1, ... */
export function sequence(start) {
  let next = start;
  return () => next++;
}

/**
 * The name a key press is bound by in `shortcut_keys`: the lower-case KeyboardEvent.key,
 * prefixed by "ctrl+" (Ctrl or Cmd) and "shift+" only together with Ctrl/Cmd (a plain
 * shifted key is its own character: "+" or "Z" -> "z"), and by "alt+" when Alt is held.
 * Space is " ".
 */
export function keyName(event) {
  let name = event.key.length === 1 ? event.key.toLowerCase() : event.key.toLowerCase();
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && event.shiftKey) name = `shift+${name}`;
  if (event.altKey) name = `alt+${name}`;
  if (ctrl) name = `ctrl+${name}`;
  return name;
}

/**
 * Whether a key press belongs to the widget: never while a text field has the focus (typing
 * code or a name wins, inside the widget or out), otherwise when the focus is inside the
 * widget (e.g. after a click on one of its buttons) or the pointer is over it.
 */
export function keyIsOurs({ editable, focusInside, hovered }) {
  return !editable && (focusInside || hovered);
}

/**
 * Whether the keyboard focus is the widget's: on an element inside its root, or on nothing in
 * particular (<body>) while `kept` (the last focus or press went inside the root). A control
 * the kernel re-renders (the tool buttons after a key changed the tool) takes the focus with
 * it, and the browser moves it to <body> without a focus event.
 */
export function focusIsInside({ root, focused, body, kept }) {
  if (focused === null || focused === undefined || focused === body) return kept;
  return root.contains(focused);
}

const TEXT_INPUT_TYPES = new Set([
  'text',
  'search',
  'email',
  'number',
  'password',
  'tel',
  'url',
  'date',
  'datetime-local',
  'month',
  'time',
  'week'
]);

/** Whether a DOM element takes typed text (inputs, text areas, selects, editors). */
export function isEditable(element) {
  if (element === null || element === undefined) return false;
  if (element.isContentEditable) return true;
  const tag = (element.tagName || '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return TEXT_INPUT_TYPES.has((element.type || 'text').toLowerCase());
  return false;
}

const NAVIGATION_KEYS = new Set(['arrowleft', 'arrowright', 'arrowup', 'arrowdown', 'home', 'end',
  'pageup', 'pagedown']);

/**
 * Whether a focused control moves with this key itself: a slider (the sliders of the panel),
 * a range input or a spin button keeps its arrow, Home/End and Page keys; other keys still
 * reach the widget.
 */
export function controlOwnsKey(element, key) {
  if (element === null || element === undefined || !NAVIGATION_KEYS.has(key.toLowerCase())) {
    return false;
  }
  const role = (element.getAttribute && element.getAttribute('role')) || '';
  const tag = (element.tagName || '').toUpperCase();
  return (
    role === 'slider' ||
    role === 'spinbutton' ||
    (tag === 'INPUT' && (element.type || '').toLowerCase() === 'range')
  );
}

/** Wheel delta in pixels whatever the DOM deltaMode (0 px, 1 lines, 2 pages). */
export function wheelPixels(delta, deltaMode) {
  return deltaMode === 1 ? delta * 40 : deltaMode === 2 ? delta * 800 : delta;
}

/** Unacknowledged batches older than this (ms) no longer hold new ones back. */
export const STALL_MS = 1000;

/**
 * Decide whether the layer may send another batch: at most `maxInFlight` unacknowledged
 * batches, so a slow kernel gets fewer, fuller batches instead of a queue that trails the
 * hand. `lastAcked` is the newest acknowledged batch, `lastSent` the newest sent one. A kernel
 * that stopped acknowledging (`msSinceSend` > STALL_MS) gets one batch per STALL_MS anyway:
 * flow control degrades, it never stops the input.
 */
export function maySend(lastSent, lastAcked, maxInFlight, msSinceSend = 0) {
  return lastSent - lastAcked < maxInFlight || msSinceSend > STALL_MS;
}
