// The stylesheet of a chunk loaded when needed (lazy.js): such a chunk cannot import CSS the usual
// way without putting Vite's preload helper in the first load. It imports the sheet's address
// instead (`import href from './x.css?url'`, hashed and minified by the build like any other) and
// adds it here; the chunk's part is shown once the sheet has arrived.
const added = new Map<string, Promise<void>>();

export function stylesheet(href: string): Promise<void> {
  let ready = added.get(href);
  if (!ready) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    ready = new Promise<void>((done) => {
      link.onload = link.onerror = () => done();
    });
    document.head.append(link);
    added.set(href, ready);
  }
  return ready;
}
