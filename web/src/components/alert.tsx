// A failure to show next to what failed: read out at once by screen readers (role="alert").
export function ErrorText({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p class="error" role="alert">
      {text}
    </p>
  );
}
