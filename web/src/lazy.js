// The screens and modes that the first load goes without, loaded when first needed: the admin's
// screen, a gallery's members and links, the trash, and a gallery's select mode. Plain JavaScript
// with each path in parentheses, for the reason given in components/upload-lazy.js (no preload
// helper in the first load); so these chunks must not import CSS the usual way either: each brings
// its own stylesheet through stylesheet.ts. Types: lazy.d.ts.
// prettier-ignore
export const loadAdmin = () => import(/* @vite-ignore */ ('./screens/admin'));
// prettier-ignore
export const loadSettings = () => import(/* @vite-ignore */ ('./screens/gallery-settings'));
// prettier-ignore
export const loadTrash = () => import(/* @vite-ignore */ ('./screens/trash'));
// prettier-ignore
export const loadSelect = () => import(/* @vite-ignore */ ('./screens/gallery-select'));
