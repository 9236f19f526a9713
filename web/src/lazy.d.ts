// The types of lazy.js.
export declare const loadAdmin: () => Promise<typeof import('./screens/admin')>;
export declare const loadSettings: () => Promise<typeof import('./screens/gallery-settings')>;
export declare const loadTrash: () => Promise<typeof import('./screens/trash')>;
export declare const loadSelect: () => Promise<typeof import('./screens/gallery-select')>;
