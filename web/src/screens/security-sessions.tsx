// The Security screen's list of where the account is signed in: every session a sign-in made (the
// web app's, and logins of scripts), each ended here at once; personal tokens are on /tokens.
import { useState } from 'preact/hooks';

import { api, messageOf } from '../api/client';
import { ErrorText } from '../components/alert';
import { TableHead } from '../components/table-head';
import { useData } from '../data';
import { formatDateTime } from '../helpers';

const listTokens = (signal: AbortSignal) => api.GET('/api/auth/tokens', { signal });

export function Sessions() {
  const tokens = useData(listTokens, []);
  const [error, setError] = useState<string | null>(null);
  const sessions = (tokens.data ?? []).filter((t) => t.kind !== 'personal');
  const end = async (id: number) => {
    const { error } = await api.DELETE('/api/auth/tokens/{id}', { params: { path: { id } } });
    setError(error ? messageOf(error) : null);
    tokens.reload();
  };
  return (
    <>
      <h2>Where you are signed in</h2>
      <ErrorText text={error ?? tokens.error?.message} />
      <table aria-label="Sessions">
        <TableHead columns={['Signed in by', 'Since', 'Last used']} actions />
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id}>
              <td data-label="Signed in by">
                {s.kind === 'browser' ? 'a browser' : 'a login (script)'}
                {s.current && <strong> (this one)</strong>}
              </td>
              <td data-label="Since">{formatDateTime(s.createdAt)}</td>
              <td data-label="Last used">{formatDateTime(s.lastUsedAt)}</td>
              <td>
                {!s.current && (
                  <button type="button" class="danger" onClick={() => void end(s.id)}>
                    End <span class="visually-hidden">the session since {formatDateTime(s.createdAt)}</span>
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
