// A failure to show next to what failed: read out at once by screen readers (role="alert").
export function ErrorText({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}

/** The outcome of the last change made on a screen: a success is a status, a failure an alert. */
export type Notice = { text: string; error: boolean };

export function NoticeText({ notice }: { notice: Notice | null }) {
  if (!notice) return null;
  return (
    <p class={notice.error ? 'error' : 'ok'} role={notice.error ? 'alert' : 'status'}>
      {notice.text}
    </p>
  );
}
