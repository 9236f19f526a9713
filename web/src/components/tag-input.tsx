// A tag typed with suggestions (GET /api/gallery/tags/?q=, the most used first): ↑ ↓ pick one,
// Enter or a click adds it (Enter without one picked adds what is typed), Esc closes the list.
// Tags chosen show as chips, each with × to take it off. Part of the chunks that use it.
import { useEffect, useState } from 'preact/hooks';

import { api } from '../api/client';

type Suggestion = { name: string; count: number };

/** `onAdd` answers whether the tag was taken (the input is emptied then). */
export function TagInput(props: { id: string; label: string; exclude: string[]; onAdd: (tag: string) => unknown }) {
  const { id, exclude } = props;
  const [text, setText] = useState('');
  const [list, setList] = useState<Suggestion[]>([]);
  const [active, setActive] = useState(-1);
  useEffect(() => {
    const start = text.trim();
    if (!start) return setList([]);
    const controller = new AbortController();
    const timer = setTimeout(() => {
      void api.GET('/api/gallery/tags', { params: { query: { q: start, limit: 8 } }, signal: controller.signal }).then(
        ({ data }) => data && setList(data.filter((s) => !exclude.includes(s.name))),
        () => {},
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [text, exclude.join('\n')]);
  const add = async (tag: string) => {
    setList([]);
    setActive(-1);
    if (tag.trim() && (await props.onAdd(tag.trim())) !== false) setText('');
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (step && list.length) {
      event.preventDefault();
      const next = active + step;
      setActive(next < -1 ? list.length - 1 : next >= list.length ? -1 : next);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void add(active >= 0 ? list[active].name : text);
    } else if (event.key === 'Escape' && list.length) {
      event.stopPropagation();
      setList([]);
    }
  };
  const open = list.length > 0;
  return (
    <div class="tag-input">
      <input
        role="combobox"
        aria-label={props.label}
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={open ? `${id}-list` : undefined}
        aria-activedescendant={open && active >= 0 ? `${id}-${active}` : undefined}
        autoComplete="off"
        maxLength={100}
        placeholder={props.label}
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setActive(-1);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setList([]), 150)}
      />
      {open && (
        <ul id={`${id}-list`} role="listbox" aria-label="Suggestions" class="suggestions">
          {list.map((s, i) => (
            <li
              id={`${id}-${i}`}
              key={s.name}
              role="option"
              aria-selected={i === active}
              onMouseDown={(e) => e.preventDefault()}
              onClick={() => void add(s.name)}
            >
              {s.name} <span class="muted">{s.count}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Tags as chips, each with its × (a button named "Remove tag …"). */
export function TagChips({ tags, onRemove }: { tags: string[]; onRemove: (tag: string) => unknown }) {
  if (!tags.length) return null;
  return (
    <ul class="chips" aria-label="Tags">
      {tags.map((tag) => (
        <li key={tag} class="chip">
          {tag}
          <button type="button" aria-label={`Remove tag ${tag}`} onClick={() => void onRemove(tag)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}
