// What the page offers the widget: the width of its root element (ResizeObserver), the
// window's height and the device pixel ratio (a matchMedia query that fires when it changes,
// e.g. browser zoom or a move to another screen). The kernel decides the canvas size.

export class SizeWatcher {
  /**
   * rootOf(): the element whose width is reported, looked up at each measure (the layer's
   * element is not in the page yet when it is built); changed(): called on any change.
   */
  constructor(rootOf, changed) {
    this.rootOf = rootOf;
    this.changed = changed;
    this.reported = null;
    this.observed = null;
    this.observer = new ResizeObserver(() => changed());
    this.observe();
    this.onResize = () => changed();
    window.addEventListener('resize', this.onResize);
    this.onRatio = () => {
      this.watchRatio();
      changed();
    };
    this.watchRatio();
  }

  watchRatio() {
    if (this.query) this.query.removeEventListener('change', this.onRatio);
    this.query = window.matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    this.query.addEventListener('change', this.onRatio);
  }

  observe() {
    const root = this.rootOf();
    if (root !== this.observed) {
      this.observer.disconnect();
      this.observer.observe(root);
      this.observed = root;
    }
    return root;
  }

  measure() {
    const root = this.observe();
    const style = getComputedStyle(root);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) || 0;
    return {
      css_width: Math.max(0, root.clientWidth - padding),
      css_height: window.innerHeight,
      device_pixel_ratio: window.devicePixelRatio || 1
    };
  }

  /** {first, size} when the size changed since the last call (first: never reported), else null. */
  take() {
    const size = this.measure();
    const last = this.reported;
    if (last !== null && Object.keys(size).every(k => size[k] === last[k])) return null;
    this.reported = size;
    return { first: last === null, size };
  }

  dispose() {
    this.observer.disconnect();
    window.removeEventListener('resize', this.onResize);
    if (this.query) this.query.removeEventListener('change', this.onRatio);
  }
}
