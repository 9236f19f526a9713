// The types of lazy.js.
export declare const loadAdmin: () => Promise<typeof import('./screens/admin')>;
export declare const loadSettings: () => Promise<typeof import('./screens/gallery-settings')>;
export declare const loadTrash: () => Promise<typeof import('./screens/trash')>;
export declare const loadSelect: () => Promise<typeof import('./screens/gallery-select')>;
export declare const loadFilterPanel: () => Promise<typeof import('./components/filter-panel')>;
export declare const loadTagEditor: () => Promise<typeof import('./components/tag-editor')>;
export declare const loadSearch: () => Promise<typeof import('./screens/search')>;
export declare const loadGalleryForm: () => Promise<typeof import('./screens/gallery-form')>;
export declare const loadTokens: () => Promise<typeof import('./screens/tokens')>;
export declare const loadPasswordReset: () => Promise<typeof import('./screens/password-reset')>;
export declare const loadSecurity: () => Promise<typeof import('./screens/security')>;
export declare const loadPasskeySignIn: () => Promise<typeof import('./passkey')>;
