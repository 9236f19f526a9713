// Asking before a change that takes effect at once (another role, a revoked token): a modal
// <dialog> with the question, what will happen, the action named on its button, and Cancel. The
// browser keeps focus inside it while it is open and makes the page behind it inert; Esc cancels;
// focus goes back to the control that asked. Screen readers hear it as an alert dialog, its
// question as its name and what will happen as its description.
import type { JSX } from 'preact';
import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';

import { stylesheet } from '../stylesheet';
import sheet from './confirm.css?url';

// Only screens loaded when first opened ask (lazy.js): their chunk brings the sheet.
void stylesheet(sheet);

export type Question = {
  /** The question, also the dialog's name: `Revoke the token "nightly"?` */
  title: string;
  /** What will happen. */
  detail: string;
  /** The button that does it: "Revoke token". */
  action: string;
  /** A change hard to take back: the action is red, and focus starts on Cancel. */
  danger?: boolean;
};

type Asked = Question & { answer: (yes: boolean) => void };

/**
 * `ask(question)` opens the dialog and resolves true when the action is chosen, false on Cancel or
 * Esc; render `dialog` once, anywhere in the screen (a modal dialog is drawn above everything).
 */
export function useConfirm(): { ask: (question: Question) => Promise<boolean>; dialog: JSX.Element | null } {
  const [asked, setAsked] = useState<Asked | null>(null);
  const ask = useCallback(
    (question: Question) =>
      new Promise<boolean>((resolve) => {
        setAsked({
          ...question,
          answer: (yes) => {
            setAsked(null);
            resolve(yes);
          },
        });
      }),
    [],
  );
  return { ask, dialog: asked ? <ConfirmDialog asked={asked} /> : null };
}

function ConfirmDialog({ asked }: { asked: Asked }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const yes = useRef<HTMLButtonElement>(null);
  const no = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    const element = dialog.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // Esc closes without a value: it must not find the answer of a question asked before.
    element.returnValue = '';
    element.showModal();
    (asked.danger ? no : yes).current?.focus();
    return () => {
      if (element.open) element.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [asked]);
  const close = (value: string) => dialog.current?.close(value);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      role="alertdialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-detail"
      onClose={() => asked.answer(dialog.current?.returnValue === 'yes')}
    >
      <h2 id="confirm-title">{asked.title}</h2>
      <p id="confirm-detail">{asked.detail}</p>
      <div class="row">
        <button type="button" ref={yes} class={asked.danger ? 'danger' : 'primary'} onClick={() => close('yes')}>
          {asked.action}
        </button>
        <button type="button" ref={no} onClick={() => close('no')}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
