import { Link } from '../router';
import { useTitle } from '../title';

export function NotFound() {
  useTitle('Not found');
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is nothing here. <Link href="/">Back to the galleries</Link>
      </p>
    </section>
  );
}
