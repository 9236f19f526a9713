// A secret the server shows once (a new token, a new share link): selected on focus, with a button
// that copies it.
import { useState } from 'preact/hooks';

export function CopyOnce({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="once" role="status">
      <label>
        {label}
        <input readOnly value={value} onFocus={(e) => e.currentTarget.select()} data-testid="secret" />
      </label>
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
      <p class="muted small">It is not shown again: copy it now.</p>
    </div>
  );
}
