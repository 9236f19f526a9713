// The header row of the app's tables. On a phone each row shows as a card whose cells are labelled
// by their column (`data-label`, the same names); `actions` adds the column of buttons, named for
// screen readers only.
export function TableHead({ columns, actions = false }: { columns: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((column) => (
          <th scope="col" key={column}>
            {column}
          </th>
        ))}
        {actions && (
          <th scope="col">
            <span class="visually-hidden">Actions</span>
          </th>
        )}
      </tr>
    </thead>
  );
}
