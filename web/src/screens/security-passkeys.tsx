// The Security screen's passkeys: adding one (named; the password first, then the browser's
// navigator.credentials.create()), the list, renaming and removing. Part of the Security screen's chunk.
import {
  startRegistration,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText, NoticeText, type Notice } from '../components/alert';
import { TableHead } from '../components/table-head';
import { useData } from '../data';
import { field, formatDateTime } from '../helpers';
import { webAuthnFailure } from '../passkey';

const listPasskeys = (signal: AbortSignal) => api.GET('/api/auth/passkeys', { signal });

type Passkey = { id: number; name: string; createdAt: string; lastUsedAt: string | null };

export function Passkeys() {
  const list = useData(listPasskeys, []);
  const [notice, setNotice] = useState<Notice | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const done = (text: string, error = false) => {
    setNotice({ text, error });
    list.reload();
  };
  const passkeys = list.data?.passkeys ?? [];
  const full = list.data ? passkeys.length >= list.data.limit : false;
  return (
    <>
      <h2 ref={heading} tabIndex={-1}>
        Passkeys
      </h2>
      <p>A passkey signs you in with this device's fingerprint, face or PIN, without your password or a code.</p>
      <ErrorText text={list.error?.message} />
      <NoticeText notice={notice} />
      {passkeys.length > 0 && (
        <table aria-label="Passkeys">
          <TableHead columns={['Name', 'Added', 'Last used']} actions />
          <tbody>
            {passkeys.map((p) => (
              <Row key={p.id} passkey={p} onDone={done} onGone={() => heading.current?.focus()} />
            ))}
          </tbody>
        </table>
      )}
      {'PublicKeyCredential' in window && !full && <AddPasskey onDone={done} />}
      {full && <p>You have the most passkeys an account may have: remove one to add another.</p>}
    </>
  );
}

async function addPasskey(form: FormData): Promise<string | null> {
  const options = await api.POST('/api/auth/passkeys/register/options', {
    body: { password: field(form, 'password') },
  });
  if (!options.data) return messageOf(options.error, 'Could not begin.');
  let response: RegistrationResponseJSON;
  try {
    const optionsJSON = options.data.options as unknown as PublicKeyCredentialCreationOptionsJSON;
    response = await startRegistration({ optionsJSON });
  } catch (error) {
    return webAuthnFailure(error);
  }
  const { data, error } = await api.POST('/api/auth/passkeys', {
    body: {
      name: field(form, 'name'),
      response: { ...response, response: { ...response.response }, clientExtensionResults: {} },
    },
  });
  return data ? null : messageOf(error, 'The passkey was not added.');
}

/** A button first (the form asks for the password, which the form beside it may ask for too). */
function AddPasskey({ onDone }: { onDone: (text: string) => void }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const name = useRef<HTMLInputElement>(null);
  // As the form opens, not after the next paint: what is typed at once goes into its first field.
  useLayoutEffect(() => name.current?.focus(), [open]);
  const submit = async (event: Event) => {
    event.preventDefault();
    const element = event.currentTarget as HTMLFormElement;
    setBusy(true);
    const failure = await addPasskey(new FormData(element));
    setBusy(false);
    setError(failure);
    if (failure) return;
    element.reset();
    setOpen(false);
    onDone('Passkey added.');
  };
  if (!open)
    return (
      <p>
        <button type="button" onClick={() => setOpen(true)}>
          Add a passkey
        </button>
      </p>
    );
  return (
    <form class="panel stack" onSubmit={(e) => void submit(e)} aria-label="Add a passkey">
      <h3>Add a passkey</h3>
      <label>
        Name <span class="muted">(to tell your passkeys apart, e.g. "Work laptop")</span>
        <input name="name" required maxLength={64} autoComplete="off" ref={name} />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <ErrorText text={error} />
      <div class="row wrap">
        <button type="submit" class="primary" disabled={busy}>
          Add the passkey
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type RowProps = {
  passkey: Passkey;
  onDone: (text: string, error?: boolean) => void;
  /** The row is going: focus moves to the section's heading rather than to the top of the page. */
  onGone: () => void;
};

function Row({ passkey, onDone, onGone }: RowProps) {
  const [renaming, setRenaming] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const wasRenaming = useRef(false);
  // Into the field as it opens; back on the Rename button as it closes (not at the first render).
  useLayoutEffect(() => {
    if (renaming) input.current?.focus();
    else if (wasRenaming.current) button.current?.focus();
    wasRenaming.current = renaming;
  }, [renaming]);
  const path = { params: { path: { id: passkey.id } } };
  const rename = async (event: Event) => {
    event.preventDefault();
    const name = field(new FormData(event.currentTarget as HTMLFormElement), 'name');
    const { error } = await api.PATCH('/api/auth/passkeys/{id}', { ...path, body: { name } });
    setRenaming(false);
    onDone(error ? messageOf(error) : 'Passkey renamed.', Boolean(error));
  };
  const remove = async () => {
    const { error } = await api.DELETE('/api/auth/passkeys/{id}', path);
    if (!error) onGone();
    onDone(error ? messageOf(error) : `Passkey "${passkey.name}" removed.`, Boolean(error));
  };
  return (
    <tr>
      <td data-label="Name">
        {renaming ? (
          <form class="row wrap" onSubmit={(e) => void rename(e)} aria-label={`Rename ${passkey.name}`}>
            <label>
              <span class="visually-hidden">New name</span>
              <input name="name" required maxLength={64} defaultValue={passkey.name} ref={input} />
            </label>
            <button type="submit">Save</button>
          </form>
        ) : (
          passkey.name
        )}
      </td>
      <td data-label="Added">{formatDateTime(passkey.createdAt)}</td>
      <td data-label="Last used">{formatDateTime(passkey.lastUsedAt)}</td>
      <td>
        <div class="row wrap">
          {!renaming && (
            <button type="button" onClick={() => setRenaming(true)} ref={button}>
              Rename <span class="visually-hidden">{passkey.name}</span>
            </button>
          )}
          <button type="button" class="danger" onClick={() => void remove()}>
            Remove <span class="visually-hidden">{passkey.name}</span>
          </button>
        </div>
      </td>
    </tr>
  );
}
