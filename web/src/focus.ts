// Where focus goes when the screen changes. Without this, focus would stay on the link or button
// that was just removed (the browser drops it to <body>): a screen reader would say nothing about
// the new screen and Tab would start again from the top of the page.
//
// Focus goes to the new screen's heading, so that a screen reader reads where the user now is and
// Tab continues from the top of the screen. A screen that loads its data first shows its heading
// a moment later: meanwhile focus waits on <main>, and moves to the heading when it appears, unless
// the user has moved focus elsewhere by then. Neither shows a focus ring (styles.css): they are not
// controls, and a ring around <main> would frame the whole page.
import { useEffect, useRef, type MutableRef } from 'preact/hooks';

/** The element that names a screen: its first top-level heading. */
function headingOf(main: HTMLElement): HTMLElement | null {
  return main.querySelector('h1');
}

/** Focuses the heading of the screen now in `main`, at once or as soon as it is rendered. */
function focusHeadingOf(main: HTMLElement): () => void {
  const focusHeading = (heading: HTMLElement) => {
    heading.tabIndex = -1;
    heading.focus();
  };
  const heading = headingOf(main);
  if (heading) {
    focusHeading(heading);
    return () => {};
  }
  main.focus();
  const observer = new MutationObserver(() => {
    const arrived = headingOf(main);
    if (!arrived) return;
    observer.disconnect();
    if (document.activeElement === main) focusHeading(arrived);
  });
  observer.observe(main, { childList: true, subtree: true });
  return () => observer.disconnect();
}

/**
 * Moves focus to the new screen after each navigation: not on the first load (the browser's own
 * start is right), and not when the image viewer opens, moves or closes (it manages focus itself).
 */
export function useFocusOnNavigation(path: string, main: MutableRef<HTMLElement | null>): void {
  const previous = useRef<string | null>(null);
  useEffect(() => {
    const before = previous.current;
    previous.current = path;
    if (before === null || before.includes('/images/') || path.includes('/images/') || !main.current) return;
    return focusHeadingOf(main.current);
  }, [path]);
}
