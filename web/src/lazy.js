// The screens and modes that the first load goes without, loaded when first needed: the admin's
// screen, a gallery's members and links, the access tokens, the trash, a gallery's select mode,
// the Search screen, the Security screen, the filter bar's panel, the viewer's tag editor and the form that edits a
// gallery. Plain JavaScript with each path in parentheses, for the reason given in
// components/upload-lazy.js (no preload helper in the first load); so these chunks must not import
// CSS the usual way either: each brings its own stylesheet through stylesheet.ts. Types: lazy.d.ts.
// prettier-ignore
export const loadAdmin = () => import(/* @vite-ignore */ ('./screens/admin'));
// prettier-ignore
export const loadSettings = () => import(/* @vite-ignore */ ('./screens/gallery-settings'));
// prettier-ignore
export const loadTrash = () => import(/* @vite-ignore */ ('./screens/trash'));
// prettier-ignore
export const loadSelect = () => import(/* @vite-ignore */ ('./screens/gallery-select'));
// prettier-ignore
export const loadFilterPanel = () => import(/* @vite-ignore */ ('./components/filter-panel'));
// prettier-ignore
export const loadTagEditor = () => import(/* @vite-ignore */ ('./components/tag-editor'));
// prettier-ignore
export const loadSearch = () => import(/* @vite-ignore */ ('./screens/search'));
// prettier-ignore
export const loadGalleryForm = () => import(/* @vite-ignore */ ('./screens/gallery-form'));
// prettier-ignore
export const loadTokens = () => import(/* @vite-ignore */ ('./screens/tokens'));
// The screens of a forgotten password (asking for a link, the screen the link opens).
// prettier-ignore
export const loadPasswordReset = () => import(/* @vite-ignore */ ('./screens/password-reset'));
// prettier-ignore
export const loadSecurity = () => import(/* @vite-ignore */ ('./screens/security'));
// Signing in with a passkey (and @simplewebauthn/browser), when its button is pressed.
// prettier-ignore
export const loadPasskeySignIn = () => import(/* @vite-ignore */ ('./passkey'));
