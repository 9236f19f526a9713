// The grid of a gallery in select mode: each photo a toggle button (aria-pressed) with a check.
// A click toggles one, Shift+click selects the range from the last one clicked; from the keyboard,
// Tab or the arrow keys move over the tiles (↑ ↓ to the nearest tile of the row above or below),
// Space or Enter toggle, with Shift the range.
import type { Image } from '../api/client';
import { JustifiedGrid, Thumb } from '../components/justified';
import { imageName } from '../helpers';

type Props = {
  images: Image[];
  complete: boolean;
  selected: Set<number>;
  /** The tile at `index` was clicked or pressed; `range`: with Shift. */
  onToggle: (index: number, range: boolean) => void;
};

export function SelectGrid({ images, complete, selected, onToggle }: Props) {
  const onKeyDown = (event: KeyboardEvent) => {
    const tile = (event.target as HTMLElement).closest<HTMLElement>('[data-index]');
    if (!tile) return;
    const index = Number(tile.dataset.index);
    if (event.key === ' ' || event.key === 'Enter') {
      event.preventDefault(); // no click as well
      onToggle(index, event.shiftKey);
      return;
    }
    const next = neighbour(tile, event.key);
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };
  return (
    <div class="selecting" onKeyDown={onKeyDown} onKeyUp={(e) => e.key === ' ' && e.preventDefault()}>
      <JustifiedGrid
        items={images.map((image) => ({ ...image, key: image.id }))}
        complete={complete}
        label="Images to select"
        render={(image, _box, index) => (
          <button
            type="button"
            class="tile"
            data-index={index}
            aria-pressed={selected.has(image.id)}
            aria-label={imageName(image)}
            onClick={(event) => onToggle(index, event.shiftKey)}
          >
            <Thumb src={image.thumbnail} alt="" hash={image.thumbhash} />
            <span class="check" aria-hidden="true">
              ✓
            </span>
          </button>
        )}
      />
    </div>
  );
}

/** The tile an arrow key moves to from `tile`: the one before or after, or the nearest in the row above or below. */
function neighbour(tile: HTMLElement, key: string): HTMLElement | null {
  const tiles = [...(tile.closest('ul')?.querySelectorAll<HTMLElement>('[data-index]') ?? [])];
  const at = tiles.indexOf(tile);
  if (key === 'ArrowLeft') return tiles[at - 1] ?? null;
  if (key === 'ArrowRight') return tiles[at + 1] ?? null;
  if (key !== 'ArrowUp' && key !== 'ArrowDown') return null;
  const here = tile.getBoundingClientRect();
  const middle = here.left + here.width / 2;
  const up = key === 'ArrowUp';
  const others = tiles
    .map((element) => ({ element, box: element.getBoundingClientRect() }))
    .filter(({ box }) => (up ? box.bottom <= here.top : box.top >= here.bottom));
  if (!others.length) return null;
  // The row next to this one, then the tile of it nearest under (or over) the middle of this one.
  const rowTop = up ? Math.max(...others.map((o) => o.box.top)) : Math.min(...others.map((o) => o.box.top));
  const row = others.filter((o) => Math.abs(o.box.top - rowTop) < 2);
  const distance = (box: DOMRect) => Math.abs(box.left + box.width / 2 - middle);
  return row.reduce((best, o) => (distance(o.box) < distance(best.box) ? o : best)).element;
}
